#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_skiplist
short_description: Manage Enhanced Filtering for Connectors (skip listing) on an existing inbound connector
version_added: 0.1.0
description:
  - With a mail gateway in front of Exchange Online, every message seems to come from the gateway's IP address, so SPF,
    DMARC and spoof intelligence judge the gateway, not the real sender. Enhanced Filtering (skip listing) tells
    Exchange Online which hops to skip so that it evaluates the IP address the gateway received the message from.
  - Sets C(EFSkipIPs), C(EFSkipLastIP) and C(EFUsers) on an inbound connector that already exists (create it with
    M(exoguard.mailflow.exo_inbound_connector)); no other setting of the connector is touched.
  - O(state=absent) turns Enhanced Filtering off (C(EFSkipLastIP) false, C(EFSkipIPs) and C(EFUsers) empty).
  - List the B(public) IP addresses of your gateway in O(ef_skip_ips), or set O(ef_skip_last_ip=true) when the gateway
    is the only hop before Exchange Online. Private (RFC 1918) ranges are refused by Exchange and skipped automatically.
    In hybrid set-ups where mail passes through on-premises Exchange servers after the gateway, list the public IPs of
    those on-premises servers too, so every hop between the real sender and Exchange Online is skipped; otherwise
    Exchange Online evaluates an on-premises server as the sender.
  - Start with a pilot (O(ef_users)) and check the C(X-MS-Exchange-SkipListedInternetSender) header before applying it to
    everyone.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  connector:
    description: The name of the inbound connector the gateway's mail arrives through. It must exist.
    type: str
    required: true
  ef_skip_ips:
    description:
      - The gateway's public IP addresses to skip (C(-EFSkipIPs)); single addresses, C(lo-hi) ranges or CIDR blocks.
      - Not with O(ef_skip_last_ip=true). RFC 1918 ranges are refused.
    type: list
    elements: str
  ef_skip_last_ip:
    description: Skip only the last hop before Exchange Online (C(-EFSkipLastIP)). Not together with O(ef_skip_ips).
    type: bool
  ef_users:
    description:
      - Apply Enhanced Filtering only to messages whose recipients are all in this list (a pilot); an empty list means
        everyone.
    type: list
    elements: str
  state:
    description: V(present) applies the options given; V(absent) turns Enhanced Filtering off.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - msal (with O(transport=rest))
seealso:
  - module: exoguard.mailflow.exo_inbound_connector
  - name: Enhanced Filtering for Connectors in Exchange Online
    description: Microsoft's guidance, including hybrid scenarios.
    link: https://learn.microsoft.com/defender-office-365/enhanced-filtering-for-connectors
'''

EXAMPLES = r'''
- name: Pilot Enhanced Filtering for two mailboxes behind the gateway
  exoguard.mailflow.exo_skiplist:
    connector: From Secure Email Gateway
    ef_skip_ips: [192.0.2.0/24, 198.51.100.10]
    ef_users: [pilot1@contoso.com, pilot2@contoso.com]

- name: Then for everyone
  exoguard.mailflow.exo_skiplist:
    connector: From Secure Email Gateway
    ef_skip_ips: [192.0.2.0/24, 198.51.100.10]
    ef_users: []

- name: Roll back - Enhanced Filtering off
  exoguard.mailflow.exo_skiplist:
    connector: From Secure Email Gateway
    state: absent
'''

RETURN = r'''
connector:
  description: The connector as C(Get-InboundConnector) returns it after the run (in check mode, as it would be).
  returned: success
  type: dict
  sample:
    Name: From Secure Email Gateway
    EFSkipIPs: [192.0.2.0/24]
    EFSkipLastIP: false
    EFUsers: []
diff:
  description: The Enhanced Filtering settings before and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils import _validate as check
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import (
    BOOLEAN, IP_RANGE_SET, TEXT_SET, Property, Resource, require)
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition

#: Enhanced Filtering off, as state=absent asks.
ENHANCED_FILTERING_OFF = {'ef_skip_ips': [], 'ef_skip_last_ip': False, 'ef_users': []}


class SkipList(Resource):
    """The Enhanced Filtering settings of one inbound connector. Never creates or removes the connector."""

    noun = 'inbound connector'
    get_cmdlet = 'Get-InboundConnector'
    set_cmdlet = 'Set-InboundConnector'
    identity_parameter = 'Identity'
    return_key = 'connector'
    properties = (
        Property('ef_skip_ips', 'EFSkipIPs', IP_RANGE_SET),
        Property('ef_skip_last_ip', 'EFSkipLastIP', BOOLEAN),
        Property('ef_users', 'EFUsers', TEXT_SET),
    )

    def validate(self, desired, state):
        if desired.get('ef_skip_ips') is not None:
            check.ip_ranges('ef_skip_ips', desired['ef_skip_ips'], allow_private=False)
        require(not (desired.get('ef_skip_last_ip') and desired.get('ef_skip_ips')), 'ef_skip_last_ip',
                'cannot be true together with ef_skip_ips: either skip the last hop only, or list the gateway\'s IPs')
        if desired.get('ef_users'):
            check.smtp_addresses('ef_users', desired['ef_users'])

    def desired_state(self, options, state):
        if state == 'absent':
            return dict(ENHANCED_FILTERING_OFF), 'present'
        return super(SkipList, self).desired_state(options, state)

    def validate_against(self, desired, current, state):
        require(current is not None, 'connector', 'no inbound connector of that name exists; create it first with '
                'exoguard.mailflow.exo_inbound_connector')


def module_definition():
    spec = {'connector': {'type': 'str', 'required': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'}}
    return resource_definition(SkipList(), extra_spec=spec, identity_option='connector')


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
