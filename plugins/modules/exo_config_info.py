#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_config_info
short_description: Read the mail-flow and anti-spoofing configuration of an Exchange Online tenant
version_added: 0.1.0
description:
  - Reads, with B(one) C(Get-*) call per kind, the settings the hardening touches and returns them as Exchange
    returns them (C(@data.type) / C(@odata.type) annotation keys taken out). Changes nothing; works in check mode.
  - This is the snapshot format of the C(centralized_mailflow) role and the source of its audit. The shape of
    RV(config) is stable - a key per kind gathered; singletons are a dict, the other kinds a list of records.
    C(organization_config) - C(Get-OrganizationConfig) (C(RejectDirectSend) among its properties).
    C(accepted_domains) - C(Get-AcceptedDomain).
    C(inbound_connectors) - C(Get-InboundConnector), with the Enhanced Filtering fields C(EFSkipIPs), C(EFSkipLastIP), C(EFUsers).
    C(transport_rules) - C(Get-TransportRule), by priority.
    C(dkim_signing_configs) - C(Get-DkimSigningConfig).
    C(antiphish_policy) - the default policy of C(Get-AntiPhishPolicy) (the one with C(IsDefault) true).
    C(hosted_content_filter_policy) - the default anti-spam policy of C(Get-HostedContentFilterPolicy).
    C(hosted_connection_filter_policy) - the default policy of C(Get-HostedConnectionFilterPolicy).
  - B(A kind the tenant cannot serve.) By default the task fails when any read fails (an app without the right role,
    a cmdlet the tenant's licence lacks), naming the kind, the tenant and the cmdlet, so a snapshot is never silently
    incomplete. With O(ignore_unavailable=true), a kind that answers not-found or access denied is left out of
    RV(config) and listed in RV(unavailable) with Exchange's message, and the task goes on; other failures
    (throttling after the retries, a service outage, bad credentials) still fail it.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
options:
  gather:
    description:
      - The kinds to read; each costs one call. Default all. See the description for what each holds.
    type: list
    elements: str
    choices:
      - organization_config
      - accepted_domains
      - inbound_connectors
      - transport_rules
      - dkim_signing_configs
      - antiphish_policy
      - hosted_content_filter_policy
      - hosted_connection_filter_policy
    default:
      - organization_config
      - accepted_domains
      - inbound_connectors
      - transport_rules
      - dkim_signing_configs
      - antiphish_policy
      - hosted_content_filter_policy
      - hosted_connection_filter_policy
  query:
    description:
      - A JMESPath expression applied to RV(config), as users do with the C(community.general.json_query) filter; its
        result is returned as RV(query_result). Checked before any call.
      - Needs the C(jmespath) Python library on the controller.
    type: str
  ignore_unavailable:
    description:
      - V(false) (default) fails the task when a kind cannot be read.
      - V(true) leaves out a kind whose read answers not-found or access denied and lists it in RV(unavailable).
    type: bool
    default: false
requirements:
  - msal (with O(transport=rest))
  - jmespath (with O(query))
seealso:
  - module: exoguard.mailflow.exo_org_config
  - module: exoguard.mailflow.exo_antiphish_policy
  - module: exoguard.mailflow.exo_hosted_content_filter_policy
  - module: exoguard.mailflow.exo_connection_filter_policy
'''

EXAMPLES = r'''
- name: Snapshot everything the hardening touches
  exoguard.mailflow.exo_config_info:
  register: snapshot

- name: Write it to a file
  ansible.builtin.copy:
    content: "{{ snapshot.config | to_nice_json }}"
    dest: "snapshots/{{ inventory_hostname }}/{{ now(utc=true, fmt='%Y%m%dT%H%M%SZ') }}.json"
    mode: '0600'
  delegate_to: localhost

- name: Only RejectDirectSend and the connectors
  exoguard.mailflow.exo_config_info:
    gather: [organization_config, inbound_connectors]
    query: "{reject_direct_send: organization_config.RejectDirectSend, connectors: inbound_connectors[].Name}"
  register: posture

- name: Partner connectors restricted to their IP addresses
  exoguard.mailflow.exo_config_info:
    gather: [inbound_connectors]
    query: "inbound_connectors[?ConnectorType=='Partner' && RestrictDomainsToIPAddresses].Name"
  register: restricted
'''

RETURN = r'''
config:
  description:
    - A key per kind gathered (see the description); singletons (C(organization_config) and the three default
      policies) are a dict, the other kinds a list of records as their C(Get-*) cmdlet returns them, without the
      C(@data.type) / C(@odata.type) annotation keys.
  returned: success
  type: dict
  sample:
    organization_config: {Name: contoso.onmicrosoft.com, RejectDirectSend: true}
    accepted_domains: [{DomainName: contoso.com, DomainType: Authoritative, Default: true}]
    inbound_connectors: [{Name: From SEG, ConnectorType: Partner, SenderIPAddresses: [192.0.2.10],
                          RestrictDomainsToIPAddresses: true, EFSkipIPs: [192.0.2.10], EFSkipLastIP: false}]
    transport_rules: [{Name: BLOCK - Direct EOP Ingress (Bypass SEG), Priority: 0, State: Enabled, Mode: Enforce}]
    dkim_signing_configs: [{Domain: contoso.com, Enabled: true, Status: Valid}]
    antiphish_policy: {Name: Office365 AntiPhish Default, IsDefault: true, HonorDmarcPolicy: true}
    hosted_content_filter_policy: {Name: Default, IsDefault: true, BulkThreshold: 6}
    hosted_connection_filter_policy: {Name: Default, IsDefault: true, IPAllowList: [], EnableSafeList: false}
query_result:
  description: The result of O(query) applied to RV(config).
  returned: when O(query) is given
  type: raw
  sample: {reject_direct_send: true, connectors: [From SEG]}
unavailable:
  description: With O(ignore_unavailable=true), each kind left out, with Exchange's message.
  returned: success
  type: dict
  sample: {antiphish_policy: "Access denied ..."}
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.exoguard.mailflow.plugins.module_utils._client import client_from_options
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    AccessDenied, ConfigurationError, ExoError, NotFound)
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import ModuleDefinition, error_result

try:
    import jmespath
except ImportError:
    jmespath = None
    JMESPATH_IMPORT_ERROR = traceback.format_exc()
else:
    JMESPATH_IMPORT_ERROR = None

#: kind -> the Get-* cmdlet that reads it, in the order they are read.
KINDS = (
    ('organization_config', 'Get-OrganizationConfig'),
    ('accepted_domains', 'Get-AcceptedDomain'),
    ('inbound_connectors', 'Get-InboundConnector'),
    ('transport_rules', 'Get-TransportRule'),
    ('dkim_signing_configs', 'Get-DkimSigningConfig'),
    ('antiphish_policy', 'Get-AntiPhishPolicy'),
    ('hosted_content_filter_policy', 'Get-HostedContentFilterPolicy'),
    ('hosted_connection_filter_policy', 'Get-HostedConnectionFilterPolicy'),
)
CMDLETS = dict(KINDS)
SINGLETONS = frozenset(('organization_config',))
DEFAULT_POLICIES = frozenset(('antiphish_policy', 'hosted_content_filter_policy', 'hosted_connection_filter_policy'))


def strip_annotations(value):
    """The value without ``X@data.type`` / ``X@odata.type`` keys, at any depth."""
    if isinstance(value, dict):
        return dict((key, strip_annotations(item)) for key, item in value.items() if '@' not in key)
    if isinstance(value, list):
        return [strip_annotations(item) for item in value]
    return value


def _default_of(records):
    """The default policy among ``records`` (IsDefault true), else None."""
    for record in records:
        if record.get('IsDefault') is True:
            return record
    return None


def read_kind(client, kind):
    """One call: the kind's records in the shape ``config`` holds them."""
    cmdlet = CMDLETS[kind]
    records = strip_annotations(client.invoke(cmdlet))
    if kind in SINGLETONS:
        if len(records) != 1:
            raise ExoError('expected one record, got %d' % len(records), tenant=client.tenant, cmdlet=cmdlet)
        return records[0]
    if kind in DEFAULT_POLICIES:
        return _default_of(records)
    return records


def compile_query(query):
    """The compiled JMESPath expression; ConfigurationError naming ``query`` when it does not parse."""
    try:
        return jmespath.compile(query)
    except jmespath.exceptions.JMESPathError as error:
        raise ConfigurationError('query: %r is not a valid JMESPath expression: %s' % (query, error))


def gather(client, kinds, ignore_unavailable=False):
    """``(config, unavailable)`` for ``kinds``, one Get-* call each, in the order of KINDS."""
    config = {}
    unavailable = {}
    for kind, _cmdlet in KINDS:
        if kind not in kinds:
            continue
        try:
            config[kind] = read_kind(client, kind)
        except (NotFound, AccessDenied) as error:
            error.with_context(client.tenant, CMDLETS[kind])
            if not ignore_unavailable:
                error.message = 'cannot read %s (set ignore_unavailable to leave it out): %s' % (kind, error.message)
                raise
            unavailable[kind] = str(error)
    return config, unavailable


def run_info(options, client_factory=client_from_options):
    """The module's result for validated ``options`` and the warnings; no AnsibleModule."""
    kinds = list(options.get('gather') or CMDLETS)
    unknown = [kind for kind in kinds if kind not in CMDLETS]
    client = None
    try:
        if unknown:
            raise ConfigurationError('gather: %s is not a kind this module reads (%s)'
                                     % (', '.join(unknown), ', '.join(CMDLETS)))
        expression = compile_query(options['query']) if options.get('query') is not None else None
        client = client_factory(options)
        config, unavailable = gather(client, kinds, options.get('ignore_unavailable') or False)
    except ExoError as error:
        return error_result(error), list(client.warnings) if client else []
    finally:
        if client is not None:
            client.close()
    result = {'changed': False, 'config': config, 'unavailable': unavailable}
    if expression is not None:
        result['query_result'] = expression.search(config)
    return result, list(client.warnings)


def run(options, check_mode, diff):
    if options.get('query') is not None and jmespath is None:
        return {'failed': True, 'msg': missing_required_lib('jmespath'), 'exception': JMESPATH_IMPORT_ERROR}, []
    return run_info(options)


def module_definition():
    spec = connection_argument_spec()
    spec.update(
        gather={'type': 'list', 'elements': 'str', 'choices': list(CMDLETS), 'default': list(CMDLETS)},
        query={'type': 'str'},
        ignore_unavailable={'type': 'bool', 'default': False},
    )
    return ModuleDefinition(spec, run)


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
