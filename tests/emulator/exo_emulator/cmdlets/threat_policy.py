# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-/Set-AntiPhishPolicy, Get-/Set-HostedContentFilterPolicy and Get-/Set-HostedConnectionFilterPolicy.

Behaviour (cmdlet-behaviour.md section 5; where it is silent, the emulator's choice, said in README.md):

- Get-* lists the tenant's policies (the default one first) or, with ``Identity`` (name, GUID, any case), one; an
  unknown identity is ManagementObjectNotFoundException. Get-AntiPhishPolicy's ``Advanced``, ``Impersonation`` and
  ``Spoof`` switches are accepted without filtering.
- Set-* writes the parameters that are properties of the record; a documented parameter the record does not model
  is accepted without effect; Exchange's "no settings ... modified" warning when nothing changed. ``MakeDefault``
  makes the policy the default one.
- Exchange's ranges and enums: BulkThreshold 1-9, QuarantineRetentionPeriod 1-30, PhishThresholdLevel 1-4
  (PowerShell's ValidateRange refusal); the impersonation actions (typed as multi-valued in the reference but single
  values) take one of their enum names; TargetedUsersToProtect items are ``DisplayName;EmailAddress``;
  TargetedDomainsToProtect items are domains; IPAllowList / IPBlockList items are an IPv4 address, a lo-hi range of at
  most 256 addresses or a CIDR block /24 to /32 (stored masked to the network) -> DataValidationException.
- Without Defender for Office 365 (the scenario's ``licences``) the impersonation parameters of Set-AntiPhishPolicy
  are unknown to the tenant: AmbiguousParameterSetException, as for any parameter a session does not have.
"""

import copy
import ipaddress
import re

from exo_emulator import errors, threat_policies
from exo_emulator.cmdlets.common import (
    apply_parameters, find_by_identity, map_items, no_change_warning, unmodelled_parameters)
from exo_emulator.cmdlets.registry import CmdletResult, handles

ANTIPHISH_TYPE = 'Microsoft.Exchange.Data.Directory.Management.AntiPhishPolicy'
CONTENT_FILTER_TYPE = 'Microsoft.Exchange.Data.Directory.Management.HostedContentFilterPolicy'
CONNECTION_FILTER_TYPE = 'Microsoft.Exchange.Data.Directory.Management.HostedConnectionFilterPolicy'
IDENTITY_KEYS = ('Identity', 'Name', 'Id', 'Guid', 'ExchangeObjectId')

RANGES = {'BulkThreshold': (1, 9), 'QuarantineRetentionPeriod': (1, 30), 'PhishThresholdLevel': (1, 4)}
IMPERSONATION_ACTIONS = ('NoAction', 'BccMessage', 'Delete', 'MoveToJmf', 'Quarantine', 'Redirect')
SINGLE_ACTIONS = ('TargetedUserProtectionAction', 'TargetedDomainProtectionAction')
_TARGETED_USER = re.compile(r'^[^;]+;\s*[^@;\s]+@[^@;\s]+\.[^@;\s]+$')
_DOMAIN = re.compile(r'^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$', re.IGNORECASE)
MAX_RANGE = 256


def _policies(context, kind):
    return context.tenant.data[kind]


def _get(context, kind, parameters):
    policies = _policies(context, kind)
    if parameters.get('Identity') is not None:
        policies = find_by_identity(policies, parameters['Identity'], keys=IDENTITY_KEYS)
    return CmdletResult(copy.deepcopy(sorted(policies, key=lambda record: not record.get('IsDefault'))))


def _check_ranges(parameters):
    for name, (low, high) in RANGES.items():
        value = parameters.get(name)
        if value is None:
            continue
        if value > high:
            raise errors.parameter_binding(
                "Cannot validate argument on parameter '%s'. The %s argument is greater than the maximum allowed range "
                "of %s. Supply an argument that is less than or equal to %s and then try the command again."
                % (name, value, high, high))
        if value < low:
            raise errors.parameter_binding(
                "Cannot validate argument on parameter '%s'. The %s argument is less than the minimum allowed range "
                "of %s. Supply an argument that is greater than or equal to %s and then try the command again."
                % (name, value, low, low))


def _set(context, kind, parameters, validate=None):
    record = find_by_identity(_policies(context, kind), parameters['Identity'], keys=IDENTITY_KEYS)[0]
    _check_ranges(parameters)
    if validate is not None:
        parameters = validate(context, parameters)
    if parameters.get('WhatIf'):
        return CmdletResult()
    # $null clears a multi-valued property, which then reads back as [].
    parameters = {name: [] if value is None and isinstance(record.get(name), list) else value
                  for name, value in parameters.items()}
    changed = apply_parameters(record, parameters)
    if parameters.get('MakeDefault') and not record.get('IsDefault'):
        for other in _policies(context, kind):
            other['IsDefault'] = other is record
        changed.append('IsDefault')
    if not changed and not unmodelled_parameters(record, {k: v for k, v in parameters.items() if k != 'MakeDefault'}):
        return CmdletResult(warnings=[no_change_warning(record.get('Identity'))])
    return CmdletResult()


# -- anti-phish ---------------------------------------------------------------------------------------------------


def _validate_antiphish(context, parameters):
    if not threat_policies.has_defender(context.tenant):
        lacking = [name for name in parameters if name in threat_policies.DEFENDER_ANTIPHISH_PARAMETERS]
        if lacking:
            raise errors.ambiguous_parameters(lacking)
    parameters = dict(parameters)
    for name in SINGLE_ACTIONS:
        value = parameters.get(name)
        if isinstance(value, list):
            if len(value) != 1:
                raise errors.parameter_binding("Cannot convert 'System.Object[]' to the type 'ImpersonationAction' "
                                               "required by parameter '%s'." % name)
            value = value[0]
        if value is not None:
            match = [action for action in IMPERSONATION_ACTIONS if action.lower() == str(value).strip().lower()]
            if not match:
                raise errors.parameter_transformation(
                    'Cannot process argument transformation on parameter \'%s\'. Cannot convert value "%s" to type '
                    '"ImpersonationAction". Error: "Unable to match the identifier name %s to a valid enumerator name. '
                    'Specify one of the following enumerator names and try again: %s"'
                    % (name, value, value, ', '.join(IMPERSONATION_ACTIONS)))
            parameters[name] = match[0]
    for item in _items(parameters.get('TargetedUsersToProtect')):
        if not _TARGETED_USER.match(str(item).strip()):
            raise errors.data_validation('The value "%s" of TargetedUsersToProtect is not valid. Use the format '
                                         '"DisplayName;EmailAddress".' % item)
    for item in _items(parameters.get('TargetedDomainsToProtect')):
        if not _DOMAIN.match(str(item).strip()):
            raise errors.data_validation('"%s" is not a valid domain name.' % item)
    return parameters


def _items(value):
    if value is None:
        return []
    if isinstance(value, dict):
        return [item for key, items in value.items() if not key.startswith('@') for item in items]
    return value


@handles('Get-AntiPhishPolicy', record_type=ANTIPHISH_TYPE)
def get_antiphish_policy(context, parameters):
    return _get(context, 'antiphish_policies', parameters)


@handles('Set-AntiPhishPolicy', record_type=ANTIPHISH_TYPE)
def set_antiphish_policy(context, parameters):
    return _set(context, 'antiphish_policies', parameters, _validate_antiphish)


# -- anti-spam ----------------------------------------------------------------------------------------------------


@handles('Get-HostedContentFilterPolicy', record_type=CONTENT_FILTER_TYPE)
def get_hosted_content_filter_policy(context, parameters):
    return _get(context, 'hosted_content_filter_policies', parameters)


@handles('Set-HostedContentFilterPolicy', record_type=CONTENT_FILTER_TYPE)
def set_hosted_content_filter_policy(context, parameters):
    return _set(context, 'hosted_content_filter_policies', parameters)


# -- connection filter --------------------------------------------------------------------------------------------


def canonical_ip_entry(name, value):
    """An IPAllowList / IPBlockList entry in its stored form, or DataValidationException."""
    text = str(value).strip()
    try:
        if '-' in text:
            low, high = (ipaddress.ip_address(part.strip()) for part in text.split('-', 1))
            if low.version != 4 or high.version != 4 or int(low) > int(high):
                raise ValueError(text)
            if int(high) - int(low) + 1 > MAX_RANGE:
                raise errors.data_validation('The IP address range %s in %s holds more than %d addresses.'
                                             % (text, name, MAX_RANGE))
            return '%s-%s' % (low, high)
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise errors.data_validation('"%s" is not a valid IP address, IP address range or CIDR range for %s.' % (text, name))
    if network.version != 4:
        raise errors.data_validation('"%s" is not a valid IP address, IP address range or CIDR range for %s.' % (text, name))
    if '/' in text and network.prefixlen < 24:
        raise errors.data_validation('The CIDR range %s in %s is not valid. Valid subnet mask values are /24 through /32.'
                                     % (text, name))
    return str(network.network_address) if network.num_addresses == 1 else str(network)


def _validate_connection_filter(context, parameters):
    parameters = dict(parameters)
    for name in ('IPAllowList', 'IPBlockList'):
        if parameters.get(name) is not None:
            parameters[name] = map_items(parameters[name], lambda item, name=name: canonical_ip_entry(name, item))
    return parameters


@handles('Get-HostedConnectionFilterPolicy', record_type=CONNECTION_FILTER_TYPE)
def get_hosted_connection_filter_policy(context, parameters):
    return _get(context, 'hosted_connection_filter_policies', parameters)


@handles('Set-HostedConnectionFilterPolicy', record_type=CONNECTION_FILTER_TYPE)
def set_hosted_connection_filter_policy(context, parameters):
    return _set(context, 'hosted_connection_filter_policies', parameters, _validate_connection_filter)
