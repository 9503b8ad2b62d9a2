# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-, New-, Set-, Remove-, Enable- and Disable-TransportRule: the tenant's mail flow rules (``transport_rules``),
kept in priority order.

What a rule looks like, which values Exchange refuses and how priorities shift is in
:mod:`exo_emulator.transport_rules`. A rule is named by its Name or GUID, in any case. Enabled-ness is ``State``:
``-Enabled`` exists only on New-TransportRule (binding refuses it on Set, as cmdlets.json lists no such
parameter there); afterwards Enable-/Disable-TransportRule change it.
"""

import copy
import uuid

from exo_emulator import errors, transport_rules
from exo_emulator.cmdlets.common import apply_parameters, find_by_identity, map_items, no_change_warning, property_parameters
from exo_emulator.cmdlets.registry import CmdletResult, handles

RECORD_TYPE = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.Rule'
IDENTITY_KEYS = ('Identity', 'Name', 'Guid')
# Parameters handled apart from the properties they would otherwise write.
_PLACEMENT = ('Priority', 'Enabled')


@handles('Get-TransportRule', record_type=RECORD_TYPE)
def get_transport_rule(context, parameters):
    """The rules by Priority, or the one Identity names; State and DlpPolicy filter. ExcludeConditionActionDetails
    is accepted without effect (the docs do not say which details it hides); an OPATH Filter is not emulated."""
    if parameters.get('Filter') is not None:
        raise errors.not_emulated('Get-TransportRule -Filter')
    rules = _rules(context)
    if parameters.get('Identity') is not None:
        rules = find_by_identity(rules, parameters['Identity'], keys=IDENTITY_KEYS)
    if parameters.get('State') is not None:
        rules = [rule for rule in rules if rule.get('State') == parameters['State']]
    if parameters.get('DlpPolicy') is not None:
        rules = [rule for rule in rules if str(rule.get('DlpPolicy') or '').lower() == str(parameters['DlpPolicy']).lower()]
    return CmdletResult(copy.deepcopy(rules))


@handles('New-TransportRule', record_type=RECORD_TYPE)
def new_transport_rule(context, parameters):
    """Creates the rule at Priority (default: last) and returns it as Get-TransportRule will."""
    rules = _rules(context)
    changes = _converted(parameters)
    name = changes['Name']
    _refuse_duplicate(context, rules, name)
    if len(rules) >= transport_rules.MAX_RULES:
        raise errors.validation_failed('The maximum number of transport rules (%d) for this organization has been reached. Remove a rule '
                                       'before you create another one.' % transport_rules.MAX_RULES)
    transport_rules.check_priority(parameters.get('Priority'), len(rules), 'New-TransportRule')
    record = transport_rules.new_record(name, str(uuid.uuid4()), _author(context))
    apply_parameters(record, changes)
    record['State'] = 'Disabled' if parameters.get('Enabled') is False else 'Enabled'
    if parameters.get('WhatIf'):
        return CmdletResult()
    record = transport_rules.finish(record)
    _store(context, transport_rules.place(rules, record, parameters.get('Priority')))
    return CmdletResult([copy.deepcopy(record)])


@handles('Set-TransportRule', record_type=RECORD_TYPE)
def set_transport_rule(context, parameters):
    """Changes the rule Identity names; Priority moves it (0..N-1, the others shift); Name renames it."""
    rules = _rules(context)
    record = find_by_identity(rules, parameters['Identity'], keys=IDENTITY_KEYS)[0]
    changes = _converted(parameters)
    if 'Name' in changes:
        _refuse_duplicate(context, [rule for rule in rules if rule is not record], changes['Name'])
    priority = parameters.get('Priority')
    transport_rules.check_priority(priority, len(rules) - 1, 'Set-TransportRule')
    updated = copy.deepcopy(record)
    changed = apply_parameters(updated, changes)
    if parameters.get('WhatIf'):
        return CmdletResult()
    moved = priority is not None and priority != record['Priority']
    if not changed and not moved:
        return CmdletResult(warnings=[no_change_warning(record['Identity'])])
    if changed:
        updated['Identity'] = updated['Name']
        updated['LastModifiedBy'] = _author(context)
    record.clear()
    record.update(transport_rules.finish(updated))
    _store(context, transport_rules.place(rules, record, priority if moved else record['Priority']))
    return CmdletResult()


@handles('Remove-TransportRule', record_type=RECORD_TYPE)
def remove_transport_rule(context, parameters):
    """Removes the rule; the rules after it move up one priority."""
    rules = _rules(context)
    record = find_by_identity(rules, parameters['Identity'], keys=IDENTITY_KEYS)[0]
    if not parameters.get('WhatIf'):
        remaining = [rule for rule in rules if rule is not record]
        transport_rules.renumber(remaining)
        _store(context, remaining)
    return CmdletResult()


@handles('Enable-TransportRule', record_type=RECORD_TYPE)
def enable_transport_rule(context, parameters):
    """State Enabled; ``-Mode`` also sets the mode the rule runs in."""
    changes = {'State': 'Enabled'}
    if parameters.get('Mode') is not None:
        changes['Mode'] = parameters['Mode']
    return _switch(context, parameters, changes)


@handles('Disable-TransportRule', record_type=RECORD_TYPE)
def disable_transport_rule(context, parameters):
    return _switch(context, parameters, {'State': 'Disabled'})


def _switch(context, parameters, changes):
    record = find_by_identity(_rules(context), parameters['Identity'], keys=IDENTITY_KEYS)[0]
    if not parameters.get('WhatIf') and apply_parameters(record, changes):
        record['LastModifiedBy'] = _author(context)
        record.update(transport_rules.finish(record))
    return CmdletResult()


def _rules(context):
    return context.tenant.data['transport_rules']


def _store(context, rules):
    context.tenant.data['transport_rules'] = rules


def _author(context):
    """Who CreatedBy/LastModifiedBy name: the calling app (live records name the admin who used the portal)."""
    return context.app.display_name if context.app is not None else None


def _refuse_duplicate(context, others, name):
    """Rule names are unique, compared case-insensitively."""
    if any(str(other.get('Name')).lower() == name.lower() for other in others):
        raise errors.object_already_exists(transport_rules.distinguished_name(context.tenant.organization, name))


def _converted(parameters):
    """The property parameters, checked and in their read-back form; clearing a condition or action (null or an
    empty list) writes its unset value."""
    changes = {}
    for name, value in property_parameters(parameters).items():
        if name in _PLACEMENT:
            continue
        if isinstance(value, (list, dict)) and name in transport_rules.ITEM_CONVERTERS:
            value = map_items(value, transport_rules.ITEM_CONVERTERS[name])
        if name in transport_rules.VALUE_CONVERTERS:
            value = transport_rules.VALUE_CONVERTERS[name](value)
        if value is None or value == []:
            value = transport_rules.unset_value(name)
        changes[name] = value
    return changes
