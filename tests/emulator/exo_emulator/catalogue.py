# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which cmdlets exist and which parameters each takes, read from the emulator's copy of cmdlets.json.

cmdlets.json (extracted from Microsoft's reference pages) is the authority for parameter names and types. A
cmdlet accepts its own Exchange Online parameters, the PowerShell common parameters, and the shared Exchange
parameters (Identity, Confirm, WhatIf, Force, ...) that the file marks as available in Exchange Online for it.
Names and aliases match case-insensitively, as PowerShell binds them.
"""

import json
import os

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'cmdlets.json')

# about_CommonParameters: the aliases PowerShell gives the common parameters (cmdlets.json lists only names).
COMMON_PARAMETER_ALIASES = {
    'Debug': ['db'], 'ErrorAction': ['ea'], 'ErrorVariable': ['ev'], 'InformationAction': ['infa'],
    'InformationVariable': ['iv'], 'OutVariable': ['ov'], 'OutBuffer': ['ob'], 'PipelineVariable': ['pv'],
    'Verbose': ['vb'], 'WarningAction': ['wa'], 'WarningVariable': ['wv'],
}
ACTION_PREFERENCE_VALUES = ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend', 'Break']


class ParameterSpec:
    """One parameter as cmdlets.json describes it: ``name`` (the documented spelling), ``type`` (the .NET type
    name as documented), ``value_kind`` (``switch``, ``boolean`` or ``value``), ``valid_values`` (literal values
    listed by the docs, or None), ``required`` (True only when mandatory in every parameter set) and
    ``documented_default`` (the default the page's prose states, such as ``$true``, or None)."""

    __slots__ = ('name', 'type', 'value_kind', 'valid_values', 'required', 'aliases', 'documented_default')

    def __init__(self, name, type_name, value_kind, valid_values=None, required=False, aliases=(), documented_default=None):
        self.name = name
        self.type = type_name
        self.value_kind = value_kind
        self.valid_values = list(valid_values) if valid_values else None
        self.required = required is True
        self.aliases = list(aliases or ())
        self.documented_default = documented_default

    @classmethod
    def from_document(cls, name, document):
        return cls(name, document.get('type') or 'Object', document.get('value_kind') or 'value',
                   document.get('valid_values'), document.get('required'), document.get('aliases'),
                   document.get('default_from_prose'))


class CmdletSpec:
    """One cmdlet: its documented ``name`` and the parameters it binds, looked up with :meth:`parameter`."""

    def __init__(self, name, parameters):
        self.name = name
        self.parameters = parameters
        self._by_lower_name = {}
        for spec in parameters:
            for spelling in [spec.name] + spec.aliases:
                self._by_lower_name.setdefault(spelling.lower(), spec)

    @property
    def verb(self):
        return self.name.split('-', 1)[0]

    @property
    def is_read(self):
        """Get-* cmdlets only read; everything else (Set, New, Remove, Enable, Start, ...) writes."""
        return self.verb.lower() == 'get'

    def parameter(self, name):
        """The parameter a given spelling (name or alias, any case) binds to, or None."""
        return self._by_lower_name.get(str(name).lower())

    @property
    def required(self):
        return [spec for spec in self.parameters if spec.required]


class Catalogue:
    """Every cmdlet of cmdlets.json, looked up case-insensitively with :meth:`cmdlet`."""

    def __init__(self, document):
        self.source = document.get('source', {})
        common = self._common_parameters(document.get('powershell_common_parameters') or {})
        shared = document.get('shared_exchange_parameters') or {}
        self._cmdlets = {}
        for name, cmdlet in (document.get('cmdlets') or {}).items():
            parameters = [ParameterSpec.from_document(pname, pdoc) for pname, pdoc in (cmdlet.get('parameters') or {}).items()]
            known = {spec.name.lower() for spec in parameters}
            for shared_name, per_cmdlet in shared.items():
                entry = per_cmdlet.get(name)
                if entry and entry.get('exo') and shared_name.lower() not in known:
                    value_kind = 'switch' if entry.get('type') == 'SwitchParameter' else 'value'
                    parameters.append(ParameterSpec(shared_name, entry.get('type'), value_kind, aliases=entry.get('aliases')))
                    known.add(shared_name.lower())
            if cmdlet.get('supports_common_parameters', True):
                parameters.extend(spec for spec in common if spec.name.lower() not in known)
            self._cmdlets[name.lower()] = CmdletSpec(name, parameters)

    @staticmethod
    def _common_parameters(document):
        types = document.get('types') or {}
        specs = []
        for name in document.get('names_from_docs') or []:
            type_name = types.get(name, 'Object')
            value_kind = 'switch' if type_name == 'SwitchParameter' else 'value'
            valid = ACTION_PREFERENCE_VALUES if type_name == 'ActionPreference' else None
            specs.append(ParameterSpec(name, type_name, value_kind, valid, aliases=COMMON_PARAMETER_ALIASES.get(name)))
        return specs

    @classmethod
    def load(cls, path=DATA_FILE):
        with open(path, encoding='utf-8') as handle:
            return cls(json.load(handle))

    def cmdlet(self, name):
        """The cmdlet a name (any case) refers to, or None when Exchange Online has no such cmdlet."""
        if not isinstance(name, str):
            return None
        return self._cmdlets.get(name.lower())

    def names(self):
        return sorted(spec.name for spec in self._cmdlets.values())
