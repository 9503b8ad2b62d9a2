#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_historical_search
short_description: Start an Exchange Online historical search (up to 90 days) or read its status
version_added: 0.1.0
description:
  - Message trace reads 10 days per query; a historical search covers up to 90 days and produces a CSV report
    that Exchange mails to O(notify_address) and lists in C(Get-HistoricalSearch) with its C(FileUrl).
  - For a centralized mail flow, the guidance's report is O(report_type=ConnectorReport) with
    O(connector_type=NoConnector) and O(direction=Received) over 90 days, the inbound mail that arrived without any
    connector, that is, not through the gateway.
  - B(Idempotent by title.) Before starting, the module lists the searches Exchange keeps (those submitted in the last
    10 days); when one has the same O(report_title) and has not failed or been cancelled, no new search is started,
    that job is returned and the task reports C(changed=false). Use a new title (say, with the date) to start another.
  - With O(job_id) the module only reads that search. With O(wait=true) it polls C(Get-HistoricalSearch) until the
    search is C(Done), failing when it failed or O(wait_timeout) passed. Exchange can take hours; a later task
    with O(job_id) is usually better than a long wait.
  - Exchange limits each tenant to 250 historical searches in 24 hours.
  - Needs an Entra role that can run message trace, such as Exchange Administrator (a read-only role cannot start
    searches). No extra licence.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
    details: In check mode no search is started; C(changed) says whether one would be.
  diff_mode:
    support: none
options:
  report_title:
    description:
      - The search's title (C(-ReportTitle)); also how a second run finds the search again. Needed to start a search.
    type: str
  report_type:
    description:
      - The kind of report (C(-ReportType)), with Exchange's spelling, such as C(ConnectorReport), C(MessageTrace),
        C(MessageTraceDetail), C(TransportRule), C(SPAM), C(Spoof), C(Phish), C(Malware). Needed to start a search.
    type: str
  job_id:
    description: The C(JobId) of an existing search to read (and optionally wait for); nothing is started.
    type: str
  start_date:
    description: The start of the searched period, UTC (C(2026-05-01) or C(2026-05-01T00:00:00Z)); at most 90 days ago.
    type: str
  end_date:
    description: The end of the searched period, UTC. Defaults to now.
    type: str
  days:
    description: The period as the last O(days) days (1 to 90), when O(start_date) is not given. Defaults to 90.
    type: int
  connector_type:
    description: Only mail that used this kind of connector (C(-ConnectorType)); V(NoConnector) is mail that used none.
    type: str
    choices: [OnPremises, Partner, NoConnector]
  direction:
    description: The direction of the mail (C(-Direction)).
    type: str
    choices: [All, Received, Sent]
  notify_address:
    description: Who gets the e-mail when the report is ready (C(-NotifyAddress)).
    type: list
    elements: str
  sender_address:
    description: Only mail from these senders (C(-SenderAddress)).
    type: list
    elements: str
  recipient_address:
    description: Only mail to these recipients (C(-RecipientAddress)).
    type: list
    elements: str
  original_client_ip:
    description: Only mail from this client IP address (C(-OriginalClientIP)).
    type: str
  transport_rule:
    description: With O(report_type=TransportRule), only these rules (C(-TransportRule)).
    type: list
    elements: str
  delivery_status:
    description: Only mail of this delivery status (C(-DeliveryStatus)).
    type: str
  message_id:
    description: Only mail with these C(Message-ID) values (C(-MessageID)).
    type: list
    elements: str
  wait:
    description: Whether to wait until the search is C(Done).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait=true) before failing.
    type: int
    default: 900
  poll_interval:
    description: Seconds between status reads with O(wait=true).
    type: int
    default: 30
requirements:
  - msal
seealso:
  - module: exoguard.mailflow.exo_message_trace_info
  - name: Start-HistoricalSearch
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/start-historicalsearch
'''

EXAMPLES = r'''
- name: 90 days of inbound mail that used no connector (what bypassed the gateway)
  exoguard.mailflow.exo_historical_search:
    report_title: "Bypass report {{ now(utc=true).strftime('%Y-%m-%d') }}"
    report_type: ConnectorReport
    connector_type: NoConnector
    direction: Received
    days: 90
    notify_address: [secops@contoso.com]
  register: search

- name: Later - wait until the report is ready and show where it is
  exoguard.mailflow.exo_historical_search:
    job_id: "{{ search.job_id }}"
    wait: true
    wait_timeout: 3600
    poll_interval: 120
  register: report

- name: The report's download link
  ansible.builtin.debug:
    var: report.job.FileUrl
'''

RETURN = r'''
job:
  description:
    - The search as C(Get-HistoricalSearch) lists it (C(JobId), C(ReportTitle), C(Status), C(SubmitDate), C(Rows),
      C(FileUrl), C(ReportStatusDescription), ...). None in check mode when a search would be started.
  returned: success
  type: dict
  sample:
    JobId: 5c4e2d1f-9a3b-4c8e-a1f0-2b3c4d5e6f70
    ReportTitle: Bypass report 2026-07-24
    ReportType: ConnectorReport
    Status: NotStarted
job_id:
  description: The search's C(JobId).
  returned: success
  type: str
done:
  description: Whether the search's status is C(Done).
  returned: success
  type: bool
parameters:
  description: The C(Start-HistoricalSearch) parameters that would be sent.
  returned: in check mode, when a search would be started
  type: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._monitoring import historical_search_task
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_task, task_definition


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        report_title=dict(type='str'),
        report_type=dict(type='str'),
        job_id=dict(type='str'),
        start_date=dict(type='str'),
        end_date=dict(type='str'),
        days=dict(type='int'),
        connector_type=dict(type='str', choices=['OnPremises', 'Partner', 'NoConnector']),
        direction=dict(type='str', choices=['All', 'Received', 'Sent']),
        notify_address=dict(type='list', elements='str'),
        sender_address=dict(type='list', elements='str'),
        recipient_address=dict(type='list', elements='str'),
        original_client_ip=dict(type='str'),
        transport_rule=dict(type='list', elements='str'),
        delivery_status=dict(type='str'),
        message_id=dict(type='list', elements='str'),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=900),
        poll_interval=dict(type='int', default=30),
    )
    return spec


def module_definition():
    return task_definition(argument_spec(),
                           lambda options, check_mode: run_task(historical_search_task, options, check_mode),
                           required_one_of=[('report_title', 'job_id')],
                           mutually_exclusive=[('start_date', 'days'), ('job_id', 'report_title')])


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
