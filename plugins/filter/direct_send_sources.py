# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: direct_send_sources
short_description: The senders an SPF record authorises besides the mail gateway and Exchange Online
version_added: 0.1.0
description:
  - Reads an SPF record and lists every sender it authorises other than the secure email gateway and Exchange Online.
    Each is a candidate Direct Send source (a scanner, an ERP, a SaaS platform sending as your domain) that stops
    working once C(RejectDirectSend) is on, unless it gets its own inbound connector or sends through the gateway.
  - C(ip4)/C(ip6) addresses inside the gateway's ranges, C(include:spf.protection.outlook.com) and the gateway's own
    includes are not listed. C(a), C(mx), C(exists), C(ptr), other includes and a C(redirect) are.
author:
  - exoguard.mailflow contributors (@exoguard)
positional: gateway_ips, gateway_includes
options:
  _input:
    description: The SPF record's text (C(v=spf1 ...)); an empty value gives an empty list.
    type: str
    required: true
  gateway_ips:
    description: The gateway's addresses or CIDR blocks.
    type: list
    elements: str
    default: []
  gateway_includes:
    description: SPF includes that belong to the gateway, such as C(_netblocks.mimecast.com).
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: List the Direct Send candidates in contoso.com's SPF record
  ansible.builtin.debug:
    msg: "{{ 'v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com include:sendgrid.net -all'
             | exoguard.mailflow.direct_send_sources(['192.0.2.0/24']) }}"
  # -> ['include:sendgrid.net']
'''

RETURN = r'''
_value:
  description: The SPF terms that authorise senders other than the gateway and Exchange Online, as written.
  type: list
  elements: str
'''

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.exoguard.mailflow.plugins.module_utils._spf import parse

#: Exchange Online's own SPF include: mail the tenant sends itself.
EXCHANGE_ONLINE_INCLUDES = ('spf.protection.outlook.com',)


def _within(value, networks):
    try:
        candidate = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return any(candidate.version == network.version and candidate.subnet_of(network) for network in networks)


def direct_send_sources(spf, gateway_ips=None, gateway_includes=None):
    if not spf:
        return []
    record = parse(str(spf))
    if record.errors:
        raise AnsibleFilterError('the SPF record %r is not valid: %s' % (spf, '; '.join(record.errors)))
    try:
        networks = [ipaddress.ip_network(str(ip), strict=False) for ip in (gateway_ips or [])]
    except ValueError as error:
        raise AnsibleFilterError('gateway_ips: %s' % error)
    allowed = set(name.lower().rstrip('.') for name in tuple(gateway_includes or ()) + EXCHANGE_ONLINE_INCLUDES)
    sources = []
    for term in record.terms:
        if term.name == 'all' or (term.modifier and term.name != 'redirect') or term.qualifier == '-':
            continue
        if term.name in ('ip4', 'ip6') and _within(term.value, networks):
            continue
        if term.name == 'include' and (term.value or '').lower().rstrip('.') in allowed:
            continue
        sources.append(term.text)
    return sources


class FilterModule(object):

    def filters(self):
        return {'direct_send_sources': direct_send_sources}
