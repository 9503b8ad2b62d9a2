# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PowerShell CLIXML for records, as the admin API returns them when the client does not ask for JSON.

Each record becomes one ``<Objs>`` document holding one ``<Obj>`` whose properties are in ``<MS>``. Values take
their PowerShell element from the record's ``X@data.type`` annotation when it has one (``System.Int32`` ->
``<I32>``, ``System.DateTime`` -> ``<DT>``), otherwise from the JSON type; the annotation keys themselves are
JSON-only and are not serialised. Strings are escaped as PowerShell does: XML escaping plus ``_xHHHH_`` for
control characters.
"""

import re
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = 'http://schemas.microsoft.com/powershell/2004/04'
_ANNOTATED_ELEMENTS = {
    'System.Int16': 'I16', 'System.Int32': 'I32', 'System.Int64': 'I64', 'System.UInt16': 'U16', 'System.UInt32': 'U32',
    'System.UInt64': 'U64', 'System.Byte': 'By', 'System.Double': 'Db', 'System.Decimal': 'D', 'System.DateTime': 'DT',
    'System.Boolean': 'B', 'System.Guid': 'G', 'System.String': 'S', 'System.TimeSpan': 'TS',
}
_CONTROL = re.compile(r'[\x00-\x1f]|_(?=x[0-9A-Fa-f]{4}_)')


def encode_text(text):
    """PowerShell's CLIXML string encoding."""
    encoded = _CONTROL.sub(lambda match: '_x%04X_' % ord(match.group(0)), text)
    return escape(encoded)


class _Writer:
    def __init__(self):
        self.parts = []
        self.next_ref = 0
        self.type_refs = {}

    def new_ref(self):
        ref = self.next_ref
        self.next_ref += 1
        return ref

    def type_names(self, names):
        key = tuple(names)
        if key in self.type_refs:
            self.parts.append('<TNRef RefId="%d" />' % self.type_refs[key])
            return
        ref = len(self.type_refs)
        self.type_refs[key] = ref
        self.parts.append('<TN RefId="%d">%s</TN>' % (ref, ''.join('<T>%s</T>' % escape(name) for name in names)))

    def value(self, value, name=None, annotation=None):
        attribute = '' if name is None else ' N=%s' % quoteattr(encode_text(str(name)))
        if value is None:
            self.parts.append('<Nil%s />' % attribute)
        elif isinstance(value, dict):
            self.parts.append('<Obj%s RefId="%d">' % (attribute, self.new_ref()))
            self.type_names(['Deserialized.System.Collections.Hashtable', 'Deserialized.System.Object'])
            self.members(value)
            self.parts.append('</Obj>')
        elif isinstance(value, list):
            self.parts.append('<Obj%s RefId="%d">' % (attribute, self.new_ref()))
            self.type_names(['Deserialized.System.Collections.ArrayList', 'Deserialized.System.Object'])
            self.parts.append('<LST>')
            for item in value:
                self.value(item)
            self.parts.append('</LST></Obj>')
        else:
            element = _ANNOTATED_ELEMENTS.get(annotation) or self._element_for(value)
            text = ('true' if value else 'false') if isinstance(value, bool) else str(value)
            self.parts.append('<%s%s>%s</%s>' % (element, attribute, encode_text(text), element))

    @staticmethod
    def _element_for(value):
        if isinstance(value, bool):
            return 'B'
        if isinstance(value, int):
            return 'I32' if -2 ** 31 <= value < 2 ** 31 else 'I64'
        if isinstance(value, float):
            return 'Db'
        return 'S'

    def members(self, record):
        self.parts.append('<MS>')
        for key, value in record.items():
            if '@' in key:
                continue
            self.value(value, name=key, annotation=record.get(key + '@data.type'))
        self.parts.append('</MS>')


def serialize_record(record, type_name=None):
    """One record as a CLIXML ``<Objs>`` document."""
    writer = _Writer()
    writer.parts.append('<Objs Version="1.1.0.1" xmlns="%s">' % NAMESPACE)
    writer.parts.append('<Obj RefId="%d">' % writer.new_ref())
    names = ['Deserialized.System.Management.Automation.PSCustomObject', 'Deserialized.System.Object']
    if type_name:
        names.insert(0, 'Deserialized.' + type_name)
    writer.type_names(names)
    writer.members(record)
    writer.parts.append('</Obj></Objs>')
    return ''.join(writer.parts)


def wrap_records(records, type_name=None):
    """The ``value`` array of a CLIXML answer: one ``{"_clixml": ...}`` entry per record."""
    return [{'_clixml': serialize_record(record, type_name)} for record in records]
