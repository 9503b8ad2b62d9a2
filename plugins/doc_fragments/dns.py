# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The DNS provider options of dns_* modules (module_utils/_dns_auth_records.py argument_spec()).
    DOCUMENTATION = r'''
options:
  provider:
    description:
      - How records are changed.
      - V(rfc2136) reads the records from O(server) and changes them with one RFC 2136 dynamic update (UPDATE)
        message per task, signed with the TSIG key O(key_name) when given. BIND, PowerDNS, Knot DNS, Windows DNS
        and Infoblox accept such updates.
      - V(none) only reads, from O(server) when given, else from O(nameservers), else from the system resolver.
        Use it to audit records kept in any DNS service. Desired records are compared with what is published;
        outside check mode a difference is an error, since nothing can be changed.
    type: str
    choices: [rfc2136, none]
    default: rfc2136
  server:
    description:
      - The name or address of the zone's primary nameserver, which receives the updates (O(provider=rfc2136),
        where it is required) and answers the reads of the managed records.
      - With O(provider=none), a nameserver to audit, such as one of the zone's authoritative servers.
    type: str
  port:
    description:
      - The port of O(server), for DNS over UDP and TCP (updates go over TCP).
    type: int
    default: 53
  key_name:
    description:
      - The name of the TSIG key that signs updates, as the server knows it (C(key "name" { ... };) in BIND).
      - Without it, updates are sent unsigned, which only servers that allow updates by address accept.
    type: str
  key_secret:
    description:
      - The TSIG key's secret, base64 as C(tsig-keygen) prints it. Never shown in output or logs.
    type: str
  key_algorithm:
    description:
      - The TSIG key's algorithm.
    type: str
    choices: [hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1, hmac-md5]
    default: hmac-sha256
  nameservers:
    description:
      - The nameservers that answer the lookups an audit makes beyond the managed records (the records that
        C(include) and C(redirect) lead to, A and MX records of C(a) and C(mx), DMARC report authorisation records),
        as C(ADDRESS), C(ADDRESS:PORT) or C([IPv6]:PORT).
      - Defaults to O(server) with O(provider=none), and to the system resolver with O(provider=rfc2136).
    type: list
    elements: str
  timeout:
    description:
      - Seconds to wait for one DNS answer.
    type: float
    default: 10
notes:
  - Set the provider options once for all tasks with C(module_defaults) and the action group
    C(group/exoguard.mailflow.dns).
'''

    ACTIONGROUP_DNS = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/exoguard.mailflow.dns) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - exoguard.mailflow.dns
'''
