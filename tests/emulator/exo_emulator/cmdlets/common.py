# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What handlers of every object kind share: finding an object by identity and applying Set-* parameters."""

from exo_emulator import clock, errors

# Parameters that steer the cmdlet rather than name a property of the object.
CONTROL_PARAMETERS = frozenset(name.lower() for name in (
    'Identity', 'Confirm', 'WhatIf', 'Force', 'DomainController', 'ResultSize',
    'Debug', 'ErrorAction', 'ErrorVariable', 'InformationAction', 'InformationVariable', 'OutVariable', 'OutBuffer',
    'PipelineVariable', 'Verbose', 'WarningAction', 'WarningVariable'))


def no_change_warning(identity):
    """What Exchange warns when a Set-* left the object as it was."""
    return "The command completed successfully but no settings of '%s' have been modified." % identity


def unmodelled_parameters(record, parameters):
    """The property parameters given that the record does not carry (so their effect is not emulated)."""
    return [name for name in parameters if name.lower() not in CONTROL_PARAMETERS and name not in record]


def property_parameters(parameters):
    """The parameters that name properties of the object (the control parameters taken out)."""
    return {name: value for name, value in parameters.items() if name.lower() not in CONTROL_PARAMETERS}


def map_items(value, function):
    """``function`` applied to every item of a multi-valued parameter: a list, or the Add/Remove lists of a
    ``#Exchange.GenericHashTable`` change (so that removing ``contoso.com`` finds ``smtp:contoso.com;1``)."""
    if isinstance(value, dict):
        return {key: items if key.startswith('@') else [function(item) for item in items] for key, items in value.items()}
    return [function(item) for item in value]


def find_by_identity(records, identity, keys=('Identity', 'Name', 'Guid', 'Id')):
    """The records an identity names (matched case-insensitively against ``keys``), or NotFound."""
    wanted = str(identity).strip().lower()
    found = [record for record in records if any(str(record.get(key) or '').lower() == wanted for key in keys)]
    if not found:
        raise errors.object_not_found(identity)
    return found


def _apply_add_remove(current, change):
    items = list(current or [])
    for item in change.get('Add') or []:
        if str(item).lower() not in [str(existing).lower() for existing in items]:
            items.append(item)
    removed = {str(item).lower() for item in change.get('Remove') or []}
    return [item for item in items if str(item).lower() not in removed]


def apply_parameters(record, parameters, only_existing=True):
    """Write the property parameters into ``record``; returns the names whose value changed.

    ``only_existing`` keeps properties the record does not have out of it: many Set-* parameters do not read
    back under their own name (``AutoExpandingArchive`` sets ``AutoExpandingArchiveEnabled``), so adding them
    would invent properties Get-* never returns. Multi-valued ``{"Add": [...], "Remove": [...]}`` changes are
    applied to the current list. When something changed, ``WhenChanged``/``WhenChangedUTC`` move to now.
    """
    changed = []
    for name, value in parameters.items():
        if name.lower() in CONTROL_PARAMETERS or (only_existing and name not in record):
            continue
        if isinstance(value, dict) and value.get('@odata.type') == '#Exchange.GenericHashTable':
            value = _apply_add_remove(record.get(name), value)
        if record.get(name) != value:
            record[name] = value
            changed.append(name)
    if changed:
        if 'WhenChanged' in record:
            record['WhenChanged'] = clock.exchange_time()
        if 'WhenChangedUTC' in record:
            record['WhenChangedUTC'] = clock.exchange_utc_time()
    return changed
