# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-, New-, Set- and Remove-InboundConnector: the tenant's inbound connectors (``inbound_connectors``).

What a connector looks like and what Exchange refuses is in :mod:`exo_emulator.inbound_connectors`; this module
finds, creates, changes and removes them. A connector is named by its Name or GUID, in any case.
"""

import copy
import uuid

from exo_emulator import errors, inbound_connectors
from exo_emulator.cmdlets.common import apply_parameters, find_by_identity, map_items, no_change_warning, property_parameters
from exo_emulator.cmdlets.registry import CmdletResult, handles

RECORD_TYPE = 'Microsoft.Exchange.Data.Directory.SystemConfiguration.TenantInboundConnector'
IDENTITY_KEYS = ('Identity', 'Name', 'Guid')


@handles('Get-InboundConnector', record_type=RECORD_TYPE)
def get_inbound_connector(context, parameters):
    """All connectors in creation order, or the one Identity names (ResultSize is applied by the API)."""
    connectors = context.tenant.data['inbound_connectors']
    if parameters.get('Identity') is not None:
        connectors = find_by_identity(connectors, parameters['Identity'], keys=IDENTITY_KEYS)
    return CmdletResult(copy.deepcopy(connectors))


@handles('New-InboundConnector', record_type=RECORD_TYPE)
def new_inbound_connector(context, parameters):
    """Creates the connector and returns it as Get-InboundConnector will."""
    connectors = context.tenant.data['inbound_connectors']
    name = _checked_name(context, connectors, parameters['Name'])
    record = inbound_connectors.new_record(name, str(uuid.uuid4()))
    apply_parameters(record, _converted(parameters))
    record['WhenChangedUTC'] = record['WhenCreatedUTC']
    inbound_connectors.check(record, _accepted_domains(context))
    if parameters.get('WhatIf'):
        return CmdletResult()
    connectors.append(record)
    return CmdletResult([copy.deepcopy(record)])


@handles('Set-InboundConnector', record_type=RECORD_TYPE)
def set_inbound_connector(context, parameters):
    """Changes the connector Identity names; the result must pass the same checks as a new one. Name renames it
    (Identity follows)."""
    connectors = context.tenant.data['inbound_connectors']
    record = find_by_identity(connectors, parameters['Identity'], keys=IDENTITY_KEYS)[0]
    changes = _converted(parameters)
    if 'Name' in changes:
        changes['Name'] = _checked_name(context, [other for other in connectors if other is not record], changes['Name'])
    updated = copy.deepcopy(record)
    changed = apply_parameters(updated, changes)
    updated['Identity'] = updated['Name']
    inbound_connectors.check(updated, _accepted_domains(context))
    if parameters.get('WhatIf'):
        return CmdletResult()
    if not changed:
        return CmdletResult(warnings=[no_change_warning(record['Identity'])])
    record.clear()
    record.update(updated)
    return CmdletResult()


@handles('Remove-InboundConnector', record_type=RECORD_TYPE)
def remove_inbound_connector(context, parameters):
    connectors = context.tenant.data['inbound_connectors']
    record = find_by_identity(connectors, parameters['Identity'], keys=IDENTITY_KEYS)[0]
    if not parameters.get('WhatIf'):
        connectors[:] = [connector for connector in connectors if connector is not record]
    return CmdletResult()


def _checked_name(context, others, name):
    """A name no other connector has (names compare case-insensitively, as the directory does)."""
    name = str(name)
    if not name.strip():
        raise errors.parameter_binding("Cannot bind argument to parameter 'Name' because it is an empty string.")
    if any(str(other.get('Name')).lower() == name.lower() for other in others):
        raise errors.object_already_exists(inbound_connectors.distinguished_name(context.tenant.organization, name))
    return name


def _converted(parameters):
    """The property parameters in the form Get reads them back in (each value checked on the way)."""
    changes = {}
    for name, value in property_parameters(parameters).items():
        converter = inbound_connectors.ITEM_CONVERTERS.get(name)
        if name in inbound_connectors.LIST_PROPERTIES:
            value = [] if value is None else map_items(value, converter or (lambda item: item))
            if isinstance(value, list):
                value = inbound_connectors.unique(value)
        elif name == 'TlsSenderCertificateName':
            value = inbound_connectors.certificate_name(value)
        elif name == 'Comment' and value is None:
            value = ''
        changes[name] = value
    return changes


def _accepted_domains(context):
    return [domain for domain, _subdomains in context.tenant.accepted_domains()]
