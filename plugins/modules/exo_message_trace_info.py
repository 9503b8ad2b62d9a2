#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_message_trace_info
short_description: Read Exchange Online message trace and summarise the mail that got in without the gateway
version_added: 0.1.0
description:
  - Reads C(Get-MessageTraceV2) for a window of up to 90 days. Exchange answers at most 10 days per query, so the
    window is split into 10-day queries; each answers at most O(page_size) rows (5,000 at most, no paging), and when
    a query fills up the next one continues from its last row with C(StartingRecipientAddress) and C(EndDate), until
    every row is read.
  - Returns a summary for monitoring a centralized mail flow, see RV(summary). C(bypasses) lists the accepted inbound
    mail whose sending IP (C(FromIP)) is not one of O(gateway_ips), by IP and by sender domain; those are the bypasses
    that succeeded. C(failed_by_rule) lists the messages whose status is C(Failed) with a C(Transport rule) event (the
    safety-net rule in Enforce). C(audit_events) lists C(Transport rule) events on the bypasses (a rule in Audit mode
    records an event and lets the message through). Details (C(Get-MessageTraceDetailV2)) are read only for
    C(Failed) messages and for the bypasses, at most O(detail_limit) of them.
  - Mail refused during the SMTP session (C(5.7.68), C(5.7.51)) is never in message trace. Use
    M(exoguard.mailflow.defender_hunting_query) for those attempts.
  - Exchange allows 100 message trace requests per 5 minutes per tenant. Beyond that it answers HTTP 429; the client
    waits as told (C(Retry-After), at most 30 seconds a time) and tries again up to O(retries) times. A wide window
    with many continuation queries and details can take minutes.
  - Needs an Entra role that can read message trace, such as Global Reader, Security Reader or Exchange
    Administrator. No extra licence.
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
  start_date:
    description:
      - The start of the window, UTC (C(2026-07-01) or C(2026-07-01T08:00:00Z)); at most 90 days ago.
      - Give O(start_date) or O(days), not both.
    type: str
  end_date:
    description: The end of the window, UTC. Defaults to now.
    type: str
  days:
    description: The window as the last O(days) days before O(end_date) (1 to 90). Defaults to 2 when O(start_date) is not given.
    type: int
  sender_address:
    description: Only messages from these senders (C(-SenderAddress)).
    type: list
    elements: str
  recipient_address:
    description: Only messages to these recipients (C(-RecipientAddress)).
    type: list
    elements: str
  from_ip:
    description: Only messages from this sending IP address (C(-FromIP)).
    type: str
  status:
    description: Only messages of these delivery statuses (C(-Status)).
    type: list
    elements: str
    choices: [Delivered, Expanded, Failed, FilteredAsSpam, GettingStatus, Pending, Quarantined]
  message_id:
    description: Only messages with these C(Message-ID) header values (C(-MessageId)).
    type: list
    elements: str
  gateway_ips:
    description:
      - The public IP addresses or CIDR blocks of your mail gateway (the addresses of the inbound connector). Inbound
        mail from any other address is a bypass. Without them, C(bypasses) and C(audit_events) are not computed.
    type: list
    elements: str
  include_messages:
    description: Whether to return every row read, as RV(messages).
    type: bool
    default: false
  page_size:
    description: Rows per query (C(-ResultSize)), 1 to 5000. A query that returns this many is continued.
    type: int
    default: 5000
  detail_limit:
    description:
      - At most this many C(Get-MessageTraceDetailV2) calls (each counts against the 100 requests per 5 minutes).
        When there are more candidates, the summary says so in a warning.
    type: int
    default: 50
requirements:
  - msal
seealso:
  - module: exoguard.mailflow.exo_historical_search
  - module: exoguard.mailflow.defender_hunting_query
  - module: exoguard.mailflow.smtp_probe
  - name: Get-MessageTraceV2
    description: The cmdlet's reference (limits and continuation).
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetracev2
'''

EXAMPLES = r'''
- name: What got in without the gateway in the last 10 days
  exoguard.mailflow.exo_message_trace_info:
    days: 10
    gateway_ips: [198.51.100.10, 198.51.100.11]
  register: trace

- name: Fail when anything bypassed the gateway
  ansible.builtin.assert:
    that: trace.summary.bypasses.count == 0
    fail_msg: "Bypasses by IP: {{ trace.summary.bypasses.by_ip }}"

- name: Find a probe message and read every row for one sender
  exoguard.mailflow.exo_message_trace_info:
    start_date: "2026-07-01"
    end_date: "2026-07-02T12:00:00Z"
    sender_address: [partner@fabrikam.example]
    include_messages: true
'''

RETURN = r'''
start_date:
  description: The start of the window read, UTC.
  returned: success
  type: str
  sample: "2026-07-01T00:00:00"
end_date:
  description: The end of the window read, UTC.
  returned: success
  type: str
windows:
  description: The 10-day queries the window was split into, newest first, each C([start, end]).
  returned: success
  type: list
  elements: list
queries:
  description: How many message trace requests were made (continuations and details included).
  returned: success
  type: int
summary:
  description: The monitoring summary.
  returned: success
  type: dict
  contains:
    total:
      description: Rows read (one per message and recipient).
      type: int
    inbound:
      description: Inbound rows (a C(FromIP), no C(ToIP)).
      type: int
    gateway_ips:
      description: O(gateway_ips) as networks.
      type: list
      elements: str
    bypasses:
      description:
        - Accepted inbound mail (status not C(Failed)) whose C(FromIP) is not a gateway address; None without
          O(gateway_ips).
        - C(count), C(by_ip) (each C(from_ip), C(count), C(sender_domains)) and C(by_sender_domain) (each
          C(sender_domain), C(count), C(from_ips)), largest first.
      type: dict
      sample:
        count: 2
        by_ip: [{from_ip: 203.0.113.50, count: 2, sender_domains: [contoso.com, fabrikam.example]}]
        by_sender_domain: [{sender_domain: contoso.com, count: 1, from_ips: [203.0.113.50]}]
    failed_by_rule:
      description:
        - Messages with status C(Failed) and a C(Transport rule) detail event, each with the trace row's fields
          (C(Received), C(SenderAddress), C(RecipientAddress), C(Subject), C(Status), C(FromIP), C(MessageId),
          C(MessageTraceId)), C(rule_events) and C(fail_events) (C(Date), C(Event), C(Action), C(Detail), C(Data)).
      type: list
      elements: dict
    audit_events:
      description:
        - C(Transport rule) events on the bypasses, one entry per event, with the row's fields and C(event); None
          without O(gateway_ips).
      type: list
      elements: dict
messages:
  description: Every row read, as C(Get-MessageTraceV2) returns it, newest first.
  returned: when O(include_messages=true)
  type: list
  elements: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._monitoring import TRACE_STATUSES, message_trace_task
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_task, task_definition


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        start_date=dict(type='str'),
        end_date=dict(type='str'),
        days=dict(type='int'),
        sender_address=dict(type='list', elements='str'),
        recipient_address=dict(type='list', elements='str'),
        from_ip=dict(type='str'),
        status=dict(type='list', elements='str', choices=list(TRACE_STATUSES)),
        message_id=dict(type='list', elements='str'),
        gateway_ips=dict(type='list', elements='str'),
        include_messages=dict(type='bool', default=False),
        page_size=dict(type='int', default=5000),
        detail_limit=dict(type='int', default=50),
    )
    return spec


def module_definition():
    return task_definition(argument_spec(), lambda options, check_mode: run_task(message_trace_task, options, check_mode),
                           mutually_exclusive=[('start_date', 'days')])


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
