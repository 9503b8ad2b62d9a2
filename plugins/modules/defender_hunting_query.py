#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: defender_hunting_query
short_description: Run a Microsoft Defender Advanced Hunting query over EmailEvents (bypass attempts)
version_added: 0.1.0
description:
  - Runs a KQL query with Microsoft Graph C(POST /v1.0/security/runHuntingQuery) and returns its rows. The presets are
    the guidance's monitoring queries over C(EmailEvents). Mail refused in the SMTP session (C(5.7.68), C(5.7.51))
    never reaches message trace, so Advanced Hunting is where those attempts show.
  - V(direct_send_attempts), mail refused because RejectDirectSend is on (C(AdditionalFields has "5.7.68")), one
    row per attempt.
  - V(not_from_gateway), inbound mail whose C(SenderIPv4) is not one of O(gateway_ips).
  - V(attempts_by_sender_ip), attempts refused at the front door (C(5.7.68) or C(5.7.51)), counted per C(SenderIPv4).
  - B(Licences and permissions.) The tenant needs Microsoft Defender for Office 365 Plan 2 (included in Microsoft 365
    E5 and Defender XDR) for the C(EmailEvents) table. The app registration needs the Microsoft Graph
    B(application) permission C(ThreatHunting.Read.All) with admin consent. It is a different API from Exchange's, so
    the app's C(Exchange.ManageAsApp) permission and Entra role do not cover it. The token is requested for
    C(https://graph.microsoft.com/.default) (C(graph.microsoft.us) in GCC High, C(dod-graph.microsoft.us) in DoD) and
    cached apart from the Exchange token.
  - Advanced Hunting keeps 30 days of data and limits each tenant (about 45 calls a minute, 10,000 rows a
    query, and CPU quotas); throttled calls (HTTP 429) are retried as the connection options say.
  - Takes the connection options (O(graph_url) replaces the Graph host; O(api_url) and the C(psrp_*) options are
    not used), and is in the C(exo) action group so that C(module_defaults) sets them once.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
    details: A read; it runs the same in check mode.
  diff_mode:
    support: none
options:
  preset:
    description: A named query (see the description). Give O(preset) or O(query).
    type: str
    choices: [direct_send_attempts, not_from_gateway, attempts_by_sender_ip]
  query:
    description: Your own KQL query, sent as it is.
    type: str
  days:
    description: How many days back the preset looks (C(Timestamp > ago(<days>d))), 1 to 30.
    type: int
    default: 7
  gateway_ips:
    description: The gateway's public IPv4 addresses or CIDR blocks, for O(preset=not_from_gateway).
    type: list
    elements: str
requirements:
  - msal
seealso:
  - module: exoguard.mailflow.exo_message_trace_info
  - module: exoguard.mailflow.smtp_probe
  - name: security runHuntingQuery
    description: The Microsoft Graph API.
    link: https://learn.microsoft.com/graph/api/security-security-runhuntingquery
  - name: EmailEvents
    description: The Advanced Hunting table's columns.
    link: https://learn.microsoft.com/defender-xdr/advanced-hunting-emailevents-table
'''

EXAMPLES = r'''
- name: Who tried Direct Send in the last week, by sender IP
  exoguard.mailflow.defender_hunting_query:
    tenant_id: "{{ exo_tenant_id }}"
    client_id: "{{ exo_client_id }}"
    client_secret: "{{ exo_client_secret }}"
    preset: attempts_by_sender_ip
    days: 7
  register: attempts

- name: Inbound mail that did not come through the gateway
  exoguard.mailflow.defender_hunting_query:
    preset: not_from_gateway
    gateway_ips: [198.51.100.10, 198.51.100.0/28]
    days: 30

- name: Your own KQL
  exoguard.mailflow.defender_hunting_query:
    query: |
      EmailEvents
      | where Timestamp > ago(1d)
      | where DeliveryAction == "Blocked"
      | summarize count() by SenderFromDomain
'''

RETURN = r'''
rows:
  description: The result rows, each a dict of column name to value.
  returned: success
  type: list
  elements: dict
  sample:
    - {SenderIPv4: 203.0.113.50, count_: 3}
schema:
  description: The result columns in order, each C(name) and C(type).
  returned: success
  type: list
  elements: dict
  sample:
    - {name: SenderIPv4, type: String}
    - {name: count_, type: Int64}
row_count:
  description: How many rows came back.
  returned: success
  type: int
query:
  description: The KQL text that was run.
  returned: success
  type: str
error:
  description: What failed, in parts (type, Graph's message, tenant, HTTP status, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.exoguard.mailflow.plugins.module_utils._graph import PRESETS, graph_client_from_options, hunting_task
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_task, task_definition


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        preset=dict(type='str', choices=list(PRESETS)),
        query=dict(type='str'),
        days=dict(type='int', default=7),
        gateway_ips=dict(type='list', elements='str'),
    )
    return spec


def run(options, check_mode):
    return run_task(hunting_task, options, check_mode, client_factory=graph_client_from_options)


def module_definition():
    return task_definition(argument_spec(), run, required_one_of=[('preset', 'query')],
                           mutually_exclusive=[('preset', 'query')],
                           required_if=[('preset', 'not_from_gateway', ('gateway_ips',))])


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
