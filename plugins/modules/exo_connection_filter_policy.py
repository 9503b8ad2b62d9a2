#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_connection_filter_policy
short_description: Manage the Exchange Online connection filter policy (IP allow and block lists, safe list)
version_added: 0.1.0
description:
  - Reads the connection filter policy with C(Get-HostedConnectionFilterPolicy) (the tenant's only one, C(Default),
    unless O(name) is given), compares the settings you give and calls C(Set-HostedConnectionFilterPolicy) with only
    the parameters that differ. Settings you do not give are left as they are.
  - B(Keep the IP allow list empty.) Mail from an address on O(ip_allow_list) skips spam filtering, and an allowed
    range shared with other senders (a cloud provider, a SaaS platform, a partner's gateway) is a common root cause of
    spoofed and phishing mail reaching inboxes. Microsoft's recommended settings list no allowed IPs and the safe list
    off; this collection's hardening sets O(ip_allow_list=[]) and O(enable_safe_list=false). Route a gateway's mail
    through an inbound connector instead.
  - IP lists are compared as address intervals (C(192.0.2.0/24), C(192.0.2.0-192.0.2.255) and C(192.0.2.7/24) are
    the same), as sets.
  - When the tenant's record lacks the property behind an option, the option is skipped with a warning and its
    parameter is never sent.
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
  name:
    description: The policy to change. Exchange Online has one connection filter policy, C(Default).
    type: str
    default: Default
  ip_allow_list:
    description:
      - IPv4 addresses whose mail always skips spam filtering (C(IPAllowList)); each a single address, a C(lo-hi) range
        of at most 256 addresses, or a CIDR block from /24 to /32. Give V([]) to empty it, which is what the hardening
        does.
    type: list
    elements: str
  ip_block_list:
    description:
      - IPv4 addresses whose mail is always refused (C(IPBlockList)); same forms as O(ip_allow_list).
    type: list
    elements: str
  enable_safe_list:
    description:
      - Whether Microsoft's third-party safe list lets mail skip spam filtering (C(EnableSafeList)). Recommended V(false).
    type: bool
requirements:
  - msal (with O(transport=rest))
notes:
  - The examples use the values of Microsoft's
    L(Recommended settings for EOP and Defender for Office 365,https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365).
seealso:
  - module: exoguard.mailflow.exo_hosted_content_filter_policy
  - module: exoguard.mailflow.exo_inbound_connector
  - name: Set-HostedConnectionFilterPolicy
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedconnectionfilterpolicy
  - name: Recommended settings for EOP and Defender for Office 365
    description: Microsoft's values for connection filtering (no allowed IPs, safe list off).
    link: https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365
'''

EXAMPLES = r'''
- name: Hardening - no IP allow list, no safe list (Microsoft's recommended settings)
  exoguard.mailflow.exo_connection_filter_policy:
    ip_allow_list: []
    enable_safe_list: false

- name: Block a known bad range
  exoguard.mailflow.exo_connection_filter_policy:
    ip_block_list:
      - 203.0.113.0/24
      - 198.51.100.10-198.51.100.20
'''

RETURN = r'''
policy:
  description: The policy as C(Get-HostedConnectionFilterPolicy) returns it after the run (in check mode, as it would be).
  returned: success
  type: dict
  sample:
    Name: Default
    IsDefault: true
    IPAllowList: []
    IPBlockList: [203.0.113.0/24]
    EnableSafeList: false
diff:
  description: The managed settings before and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

import ipaddress

from ansible_collections.exoguard.mailflow.plugins.module_utils import _normalise as normalise
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import BOOLEAN, IP_RANGE_SET, Property, require
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition
from ansible_collections.exoguard.mailflow.plugins.module_utils._policy import Policy

DEFAULT_POLICY = 'Default'
MAX_RANGE = 256


def check_ip_list(option, values):
    """A single IPv4 address, a lo-hi range of at most 256 addresses, or a CIDR block from /24 to /32."""
    for value in normalise.as_list(values):
        try:
            version, first, last = normalise.ip_range(value)
        except ValueError:
            require(False, option, '%r is not an IP address, a lo-hi range or a CIDR block' % value)
        require(version == 4, option, '%r is IPv6; the connection filter takes IPv4 addresses only' % value)
        spec = str(value).strip()
        if '/' in spec:
            prefix = ipaddress.ip_network(spec, strict=False).prefixlen
            require(prefix >= 24, option, '%r is a /%d; Exchange takes CIDR blocks from /24 to /32 only' % (value, prefix))
        require(last - first + 1 <= MAX_RANGE, option, '%r holds %d addresses; a range may hold at most %d'
                % (value, last - first + 1, MAX_RANGE))


class ConnectionFilterPolicy(Policy):
    """The connection filter policy (Get-/Set-HostedConnectionFilterPolicy)."""

    noun = 'connection filter policy'
    get_cmdlet = 'Get-HostedConnectionFilterPolicy'
    set_cmdlet = 'Set-HostedConnectionFilterPolicy'
    properties = (
        Property('ip_allow_list', 'IPAllowList', IP_RANGE_SET),
        Property('ip_block_list', 'IPBlockList', IP_RANGE_SET),
        Property('enable_safe_list', 'EnableSafeList', BOOLEAN),
    )

    def validate(self, desired, state):
        for option in ('ip_allow_list', 'ip_block_list'):
            if desired.get(option) is not None:
                check_ip_list(option, desired[option])


def module_definition():
    return resource_definition(ConnectionFilterPolicy(), extra_spec={'name': {'type': 'str', 'default': DEFAULT_POLICY}},
                               identity_option='name')


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
