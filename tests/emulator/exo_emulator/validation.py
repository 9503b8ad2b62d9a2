# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bind a request's parameters to a cmdlet the way PowerShell would, before any handler runs.

:func:`bind_parameters` returns the parameters under their documented spelling with values converted (booleans
from numbers, integers from numeric strings, enum names in their documented case) or raises the
:class:`~exo_emulator.errors.CmdletError` Exchange answers with: an unknown name, a value of the wrong type, a
name given twice, a mandatory parameter missing. Order follows PowerShell's: names first, then values, then
mandatory parameters.
"""

import re

from exo_emulator import errors

_INTEGER_RANGES = {
    'Int16': (-2 ** 15, 2 ** 15 - 1), 'Int32': (-2 ** 31, 2 ** 31 - 1), 'Int64': (-2 ** 63, 2 ** 63 - 1),
    'UInt16': (0, 2 ** 16 - 1), 'UInt32': (0, 2 ** 32 - 1), 'UInt64': (0, 2 ** 64 - 1), 'Byte': (0, 255),
}
_BOOLEAN_TYPES = ('Boolean', 'System.Boolean', 'Nullable[Boolean]', 'System.Nullable[System.Boolean]')
_ENUM_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9]*$')
_NUMERIC = re.compile(r'^[+-]?\d+$')
# Types that list valid values in the docs but are not .NET enums: the check for those is the cmdlet's own
# validation, which answers with a different error than argument transformation.
_NOT_ENUM_TYPES = ('String', 'System.String', 'MultiValuedProperty', 'Object')
BOOLEAN_TEXT = 'Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.'


def powershell_text(value):
    """How PowerShell prints a scalar in an error message (``True``, ``3``, ``abc``)."""
    if isinstance(value, bool):
        return 'True' if value else 'False'
    if value is None:
        return ''
    return str(value)


def dotnet_type_of(value):
    """The .NET type PowerShell sees for a JSON value, as named in conversion errors."""
    if isinstance(value, bool):
        return 'System.Boolean'
    if isinstance(value, int):
        return 'System.Int64' if abs(value) > 2 ** 31 - 1 else 'System.Int32'
    if isinstance(value, float):
        return 'System.Double'
    if isinstance(value, str):
        return 'System.String'
    if isinstance(value, list):
        return 'System.Object[]'
    if isinstance(value, dict):
        return 'System.Collections.Hashtable'
    return 'System.Object'


def _transformation(spec, value_text, type_name, reason=None):
    text = 'Cannot process argument transformation on parameter \'%s\'. Cannot convert value "%s" to type "%s".' % (
        spec.name, value_text, type_name)
    if reason:
        text += ' ' + reason
    return errors.parameter_transformation(text)


def _is_list_type(spec):
    return spec.type.endswith('[]') or spec.type == 'MultiValuedProperty'


def _is_enum(spec):
    if not spec.valid_values or spec.value_kind != 'value' or spec.type in _NOT_ENUM_TYPES:
        return False
    if spec.type.rstrip('[]') in _INTEGER_RANGES:
        return False
    return any(_ENUM_NAME.match(value) for value in spec.valid_values)


def _convert_boolean(spec, value, type_name):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if value is None and spec.valid_values and '$null' in spec.valid_values:
        return None
    shown = dotnet_type_of(value) if value is not None else ''
    raise _transformation(spec, shown, type_name, BOOLEAN_TEXT)


def _convert_integer(spec, value, type_name):
    low, high = _INTEGER_RANGES[type_name]
    if isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _NUMERIC.match(value.strip()):
        number = int(value.strip())
    else:
        raise _transformation(spec, powershell_text(value), 'System.' + type_name,
                              'Error: "Input string was not in a correct format."')
    if not low <= number <= high:
        raise _transformation(spec, powershell_text(value), 'System.' + type_name,
                              'Error: "Value was either too large or too small for an %s."' % type_name)
    return number


def _convert_enum_name(spec, value):
    names = [name for name in spec.valid_values if _ENUM_NAME.match(name)]
    if isinstance(value, str):
        for name in names:
            if name.lower() == value.strip().lower():
                return name
        if _NUMERIC.match(value.strip()) and value.strip() in spec.valid_values:
            return value.strip()
    shown = powershell_text(value)
    raise _transformation(
        spec, shown, spec.type,
        'Error: "Unable to match the identifier name %s to a valid enumerator name. Specify one of the following '
        'enumerator names and try again: %s"' % (shown, ', '.join(names)))


def _convert_unlimited(spec, value):
    """``ResultSize``-style parameters: ``Unlimited`` or a positive whole number."""
    if isinstance(value, str) and value.strip().lower() == 'unlimited':
        return 'Unlimited'
    if not isinstance(value, bool):
        if isinstance(value, int) and value > 0:
            return value
        if isinstance(value, str) and _NUMERIC.match(value.strip()) and int(value) > 0:
            return int(value)
    raise _transformation(spec, powershell_text(value), 'Microsoft.Exchange.Data.Unlimited`1[System.UInt32]',
                          'Error: "The value must be Unlimited or a whole number greater than 0."')


def _is_add_remove(value):
    """A multi-valued change ``{"@odata.type": "#Exchange.GenericHashTable", "Add": [...], "Remove": [...]}``."""
    if not isinstance(value, dict):
        return False
    keys = {key.lower() for key in value if not key.startswith('@')}
    return bool(keys) and keys <= {'add', 'remove'}


def _convert_list(spec, value):
    if _is_add_remove(value):
        converted = {'@odata.type': '#Exchange.GenericHashTable'}
        for key, items in value.items():
            if key.startswith('@'):
                continue
            converted[key.capitalize()] = [_convert_element(spec, item) for item in (items if isinstance(items, list) else [items])]
        return converted
    if isinstance(value, dict) and not _takes_hashtables(spec):
        raise errors.parameter_binding("Cannot convert 'System.Collections.Hashtable' to the type '%s' required by parameter '%s'."
                                       % (spec.type, spec.name))
    if isinstance(value, list):
        return [_convert_element(spec, item) for item in value]
    return [_convert_element(spec, value)] if value is not None else None


def _takes_hashtables(spec):
    """``Hashtable[]`` parameters (New-TransportRule -MessageContainsDataClassifications): their items are hashtables."""
    return spec.type.startswith('Hashtable')


def _convert_element(spec, value):
    if isinstance(value, list) or (isinstance(value, dict) and not _takes_hashtables(spec)):
        raise errors.parameter_binding("Cannot convert '%s' to the type '%s' required by parameter '%s'. Specified method is not supported."
                                       % (dotnet_type_of(value), spec.type, spec.name))
    if _is_enum(spec):
        return _convert_enum_name(spec, value)
    return value


def convert_value(spec, value):
    """The value a parameter receives, or a CmdletError saying why PowerShell would not bind it."""
    if spec.value_kind == 'switch':
        return _convert_boolean(spec, value, 'System.Management.Automation.SwitchParameter')
    if spec.value_kind == 'boolean' or spec.type in _BOOLEAN_TYPES:
        return _convert_boolean(spec, value, 'System.Boolean')
    if spec.type in _INTEGER_RANGES:
        return _convert_integer(spec, value, spec.type)
    if spec.type == 'Unlimited':
        return _convert_unlimited(spec, value)
    if _is_list_type(spec):
        return _convert_list(spec, value)
    return _convert_element(spec, value)


def bind_parameters(cmdlet, parameters):
    """Bind ``parameters`` (a dict from the request) to ``cmdlet`` (a CmdletSpec); see the module docstring."""
    bound_specs = []
    unknown = []
    seen = {}
    for name in parameters:
        spec = cmdlet.parameter(name)
        if spec is None:
            unknown.append(str(name))
            continue
        if spec.name in seen:
            raise errors.parameter_binding("Cannot bind parameter because parameter '%s' is specified more than once. To provide "
                                           "multiple values to parameters that can accept multiple values, use the array syntax."
                                           % spec.name)
        seen[spec.name] = name
        bound_specs.append((spec, parameters[name]))
    if unknown:
        raise errors.ambiguous_parameters(unknown)
    bound = {}
    for spec, value in bound_specs:
        bound[spec.name] = convert_value(spec, value)
    missing = [spec.name for spec in cmdlet.required if spec.name not in bound]
    if missing:
        raise errors.parameter_binding('Cannot process command because of one or more missing mandatory parameters: %s.' % ' '.join(missing))
    return bound
