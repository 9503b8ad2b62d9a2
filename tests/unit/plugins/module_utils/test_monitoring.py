# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, ExoError, Transient
from ansible_collections.exoguard.mailflow.plugins.module_utils._monitoring import (
    MessageTrace, historical_search_task, message_trace_task, parse_date, split_window, summarise, time_window)

NOW = datetime.datetime(2026, 7, 24, 12, 0, 0)
GATEWAY = ['198.51.100.10', '192.0.2.0/28']


def row(number, sender, from_ip, status='Delivered', recipient='user@contoso.com', minutes=0):
    return {'Received': (NOW - datetime.timedelta(minutes=number + minutes)).strftime('%Y-%m-%dT%H:%M:%S.0000000Z'),
            'SenderAddress': sender, 'RecipientAddress': recipient, 'Subject': 'm%d' % number, 'Status': status,
            'ToIP': None, 'FromIP': from_ip, 'Size': 1000, 'MessageId': '<m%d@x>' % number,
            'MessageTraceId': '00000000-0000-0000-0000-%012d' % number}


class Client:
    """Answers Get-MessageTraceV2 from a list of rows (newest first), as Exchange does: the window, the filters,
    ResultSize, and the continuation by StartingRecipientAddress + EndDate."""

    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, rows=(), details=None, jobs=None):
        self.rows = list(rows)
        self.details = details or {}
        self.jobs = jobs if jobs is not None else []
        self.calls = []
        self.warnings = []
        self.start_error = None

    def invoke(self, cmdlet, parameters=None):
        parameters = dict(parameters or {})
        self.calls.append((cmdlet, parameters))
        return getattr(self, cmdlet.replace('-', '_'))(parameters)

    def Get_MessageTraceV2(self, parameters):
        start, end = parse_date(parameters['StartDate']), parse_date(parameters['EndDate'])
        rows = [r for r in self.rows if start <= parse_date(r['Received']) <= end]
        if parameters.get('StartingRecipientAddress'):
            # rows at EndDate up to and including the starting recipient were answered already
            rows = [r for r in rows if parse_date(r['Received']) < end
                    or r['RecipientAddress'] > parameters['StartingRecipientAddress']]
        if parameters.get('Status'):
            rows = [r for r in rows if r['Status'] in parameters['Status']]
        return rows[:parameters['ResultSize']]

    def Get_MessageTraceDetailV2(self, parameters):
        return self.details.get(parameters['MessageTraceId'], [])

    def Get_HistoricalSearch(self, parameters):
        if parameters.get('JobId'):
            return [job for job in self.jobs if job['JobId'] == parameters['JobId']]
        return list(self.jobs)

    def Start_HistoricalSearch(self, parameters):
        if self.start_error:
            error, self.start_error = self.start_error, None
            self.jobs.append(dict(JobId='job-lost', ReportTitle=parameters['ReportTitle'], Status='NotStarted'))
            raise error
        job = dict(JobId='job-%d' % (len(self.jobs) + 1), ReportTitle=parameters['ReportTitle'], Status='NotStarted',
                   SubmitDate='2026-07-24T12:00:00Z')
        self.jobs.append(job)
        return [job]


def test_a_window_is_split_into_ten_day_queries_newest_first():
    start = NOW - datetime.timedelta(days=25)
    assert split_window(start, NOW) == [(NOW - datetime.timedelta(days=10), NOW),
                                        (NOW - datetime.timedelta(days=20), NOW - datetime.timedelta(days=10)),
                                        (start, NOW - datetime.timedelta(days=20))]
    assert split_window(NOW - datetime.timedelta(days=10), NOW) == [(NOW - datetime.timedelta(days=10), NOW)]


def test_each_query_stays_within_ten_days_and_the_window_is_read_whole():
    client = Client([row(0, 'a@fabrikam.example', '203.0.113.5'), row(60 * 24 * 15, 'b@fabrikam.example', '203.0.113.6')])
    result = message_trace_task(client, {'days': 30}, False, now=lambda: NOW)
    spans = [parse_date(p['EndDate']) - parse_date(p['StartDate']) for cmdlet, p in client.calls]
    assert len(client.calls) == 3 and all(span <= datetime.timedelta(days=10) for span in spans)
    assert result['summary']['total'] == 2
    assert result['queries'] == 3


def test_a_full_answer_is_continued_from_its_last_row_until_every_row_is_read():
    rows = [row(number, 's%d@fabrikam.example' % number, '203.0.113.%d' % (number % 3)) for number in range(12)]
    client = Client(rows)
    trace = MessageTrace(client, page_size=5)
    read = trace.rows(NOW - datetime.timedelta(days=1), NOW)
    assert [r['Subject'] for r in read] == ['m%d' % number for number in range(12)]
    assert trace.queries == 3
    second = client.calls[1][1]
    assert second['EndDate'] == rows[4]['Received']
    assert second['StartingRecipientAddress'] == rows[4]['RecipientAddress']
    assert second['ResultSize'] == 5


def test_rows_answered_twice_by_a_continuation_are_kept_once():
    rows = [row(0, 'a@x.example', '203.0.113.1', recipient='a@contoso.com'),
            row(0, 'a@x.example', '203.0.113.1', recipient='b@contoso.com')]
    rows[1]['MessageTraceId'] = rows[0]['MessageTraceId']

    class Repeating(Client):
        def Get_MessageTraceV2(self, parameters):
            return list(self.rows)[:parameters['ResultSize']]

    trace = MessageTrace(Repeating(rows), page_size=2)
    assert len(trace.rows(NOW - datetime.timedelta(days=1), NOW)) == 2
    assert trace.queries == 2  # the second answer had nothing new: the loop stops


def test_page_size_above_the_exchange_cap_is_refused():
    with pytest.raises(ConfigurationError) as caught:
        MessageTrace(Client(), page_size=5001)
    assert str(caught.value).startswith('Configuration error: page_size:')


def test_bypasses_are_accepted_inbound_mail_not_from_a_gateway_grouped_by_ip_and_domain():
    rows = [row(1, 'ceo@contoso.com', '203.0.113.50'),
            row(2, 'x@fabrikam.example', '203.0.113.50'),
            row(3, 'y@fabrikam.example', '203.0.113.60', status='Quarantined'),
            row(4, 'z@fabrikam.example', '198.51.100.10'),          # the gateway
            row(5, 'w@fabrikam.example', '192.0.2.7'),              # inside the gateway's CIDR
            row(6, 'v@fabrikam.example', '203.0.113.70', status='Failed'),
            dict(row(7, 'me@contoso.com', '10.0.0.5'), ToIP='203.0.113.99')]  # outbound
    summary, warnings = summarise(rows, GATEWAY, lambda r: [])
    bypasses = summary['bypasses']
    assert bypasses['count'] == 3
    assert bypasses['by_ip'] == [
        {'from_ip': '203.0.113.50', 'count': 2, 'sender_domains': ['contoso.com', 'fabrikam.example']},
        {'from_ip': '203.0.113.60', 'count': 1, 'sender_domains': ['fabrikam.example']}]
    assert bypasses['by_sender_domain'] == [
        {'sender_domain': 'fabrikam.example', 'count': 2, 'from_ips': ['203.0.113.50', '203.0.113.60']},
        {'sender_domain': 'contoso.com', 'count': 1, 'from_ips': ['203.0.113.50']}]
    assert summary['inbound'] == 6 and summary['total'] == 7
    assert warnings == []


def test_failed_by_rule_reads_details_only_for_failed_mail_and_keeps_the_rule_event():
    rule = {'Date': '2026-07-24T11:59:00Z', 'Event': 'Transport rule', 'Action': 'Reject',
            'Detail': "Transport rule: 'BLOCK - Direct EOP Ingress (Bypass SEG)'", 'Data': None}
    fail = {'Date': '2026-07-24T11:59:01Z', 'Event': 'FAIL', 'Action': None,
            'Detail': '550 5.7.1 Mail must arrive through the gateway', 'Data': None}
    rows = [row(1, 'x@fabrikam.example', '203.0.113.50', status='Failed'),
            row(2, 'y@fabrikam.example', '203.0.113.51', status='Failed'),
            row(3, 'z@fabrikam.example', '198.51.100.10')]
    details = {rows[0]['MessageTraceId']: [{'Event': 'RECEIVE'}, rule, fail],
               rows[1]['MessageTraceId']: [{'Event': 'FAIL', 'Detail': 'mailbox full'}]}
    read = []
    summary, _warnings = summarise(rows, None, lambda r: read.append(r['Subject']) or details.get(r['MessageTraceId'], []))
    assert read == ['m1', 'm2']
    assert [entry['Subject'] for entry in summary['failed_by_rule']] == ['m1']
    assert summary['failed_by_rule'][0]['rule_events'] == [rule]
    assert summary['failed_by_rule'][0]['fail_events'][0]['Detail'].startswith('550 5.7.1')
    assert summary['bypasses'] is None and summary['audit_events'] is None


def test_audit_events_are_rule_events_on_the_bypasses():
    audit = {'Date': '2026-07-24T11:58:00Z', 'Event': 'Transport rule', 'Action': 'Audit', 'Detail': 'rule matched', 'Data': None}
    rows = [row(1, 'ceo@contoso.com', '203.0.113.50'), row(2, 'ok@fabrikam.example', '198.51.100.10')]
    read = []

    def details(r):
        read.append(r['Subject'])
        return [{'Event': 'RECEIVE'}, audit] if r['Subject'] == 'm1' else []

    summary, _warnings = summarise(rows, GATEWAY, details)
    assert read == ['m1']
    assert len(summary['audit_events']) == 1
    assert summary['audit_events'][0]['event'] == audit
    assert summary['audit_events'][0]['FromIP'] == '203.0.113.50'


def test_detail_limit_caps_detail_reads_and_warns():
    rows = [row(number, 'x@fabrikam.example', '203.0.113.50', status='Failed') for number in range(5)]
    read = []
    summary, warnings = summarise(rows, GATEWAY, lambda r: read.append(r) or [], detail_limit=2)
    assert len(read) == 2
    assert warnings and warnings[0].startswith('3 message details were not read (detail_limit 2)')


def test_filters_are_sent_with_exchange_parameter_names():
    client = Client()
    message_trace_task(client, {'days': 1, 'sender_address': ['a@x.example'], 'status': ['Failed'],
                                'from_ip': '203.0.113.5', 'recipient_address': ['b@contoso.com'],
                                'message_id': ['<m@x>']}, False, now=lambda: NOW)
    parameters = client.calls[0][1]
    assert parameters == {'SenderAddress': ['a@x.example'], 'Status': ['Failed'], 'FromIP': '203.0.113.5',
                          'RecipientAddress': ['b@contoso.com'], 'MessageId': ['<m@x>'], 'StartDate': '2026-07-23T12:00:01',
                          'EndDate': '2026-07-24T12:00:01', 'ResultSize': 5000}


@pytest.mark.parametrize('options, option', [
    ({'start_date': '2026-04-01'}, 'start_date'),
    ({'days': 91}, 'days'),
    ({'days': 0}, 'days'),
    ({'start_date': '2026-07-20', 'end_date': '2026-07-19'}, 'start_date'),
    ({'start_date': 'yesterday'}, 'start_date'),
    ({'start_date': '2026-07-20', 'days': 3}, 'days'),
])
def test_unusable_windows_are_refused_naming_the_option(options, option):
    with pytest.raises(ConfigurationError) as caught:
        time_window(options, NOW, default_days=2)
    assert str(caught.value).startswith('Configuration error: %s:' % option)


def test_dates_in_exchange_and_user_forms_read_as_utc():
    assert parse_date('2026-07-23T21:51:45.0480000Z') == datetime.datetime(2026, 7, 23, 21, 51, 45, 48000)
    assert parse_date('2026-07-23T23:51:45+02:00') == datetime.datetime(2026, 7, 23, 21, 51, 45)
    assert parse_date('2026-07-23') == datetime.datetime(2026, 7, 23)


def test_ninety_days_back_stays_inside_exchange_history():
    start, end = time_window({'days': 90}, NOW, default_days=2)
    assert end == NOW + datetime.timedelta(seconds=1)
    assert NOW - datetime.timedelta(days=90) < start < NOW - datetime.timedelta(days=89)


# -- historical search -------------------------------------------------------------------------------------------

SEARCH = {'report_title': 'Bypass report', 'report_type': 'ConnectorReport', 'connector_type': 'NoConnector',
          'direction': 'Received', 'days': 90, 'notify_address': ['secops@contoso.com']}


def test_a_search_is_started_with_exchange_parameters():
    client = Client()
    result = historical_search_task(client, SEARCH, False, now=lambda: NOW)
    assert result['changed'] is True and result['job_id'] == 'job-1'
    cmdlet, parameters = client.calls[-1]
    assert cmdlet == 'Start-HistoricalSearch'
    assert parameters['ReportType'] == 'ConnectorReport' and parameters['ConnectorType'] == 'NoConnector'
    assert parameters['Direction'] == 'Received' and parameters['NotifyAddress'] == ['secops@contoso.com']
    assert parameters['EndDate'] == '2026-07-24T12:00:01'


def test_a_second_run_with_the_same_title_starts_nothing():
    client = Client()
    historical_search_task(client, SEARCH, False, now=lambda: NOW)
    again = historical_search_task(client, SEARCH, False, now=lambda: NOW)
    assert again['changed'] is False and again['job_id'] == 'job-1'
    assert [cmdlet for cmdlet, _p in client.calls].count('Start-HistoricalSearch') == 1


def test_a_failed_search_of_that_title_does_not_count():
    client = Client(jobs=[{'JobId': 'old', 'ReportTitle': 'bypass REPORT', 'Status': 'Failed'}])
    assert historical_search_task(client, SEARCH, False, now=lambda: NOW)['job_id'] == 'job-2'


def test_check_mode_starts_nothing_and_says_it_would():
    client = Client()
    result = historical_search_task(client, SEARCH, True, now=lambda: NOW)
    assert result['changed'] is True and result['job'] is None
    assert [cmdlet for cmdlet, _p in client.calls] == ['Get-HistoricalSearch']


def test_a_start_whose_answer_was_lost_is_found_by_title_not_sent_again():
    client = Client()
    client.start_error = Transient('connection dropped after the request was sent', not_processed=False)
    result = historical_search_task(client, SEARCH, False, now=lambda: NOW)
    assert result['job_id'] == 'job-lost'
    assert [cmdlet for cmdlet, _p in client.calls].count('Start-HistoricalSearch') == 1


def test_wait_polls_until_done():
    client = Client(jobs=[{'JobId': 'j', 'ReportTitle': 't', 'Status': 'InProgress'}])
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            client.jobs[0]['Status'] = 'Done'

    result = historical_search_task(client, {'job_id': 'j', 'wait': True, 'poll_interval': 5, 'wait_timeout': 60},
                                    False, sleep=sleep, clock=lambda: 5 * len(sleeps))
    assert result['done'] is True and result['changed'] is False and sleeps == [5, 5]


def test_wait_gives_up_after_the_timeout_naming_the_job():
    client = Client(jobs=[{'JobId': 'j', 'ReportTitle': 't', 'Status': 'InProgress'}])
    ticks = []
    with pytest.raises(ExoError) as caught:
        historical_search_task(client, {'job_id': 'j', 'wait': True, 'poll_interval': 10, 'wait_timeout': 25},
                               False, sleep=ticks.append, clock=lambda: 10 * len(ticks))
    assert 'still InProgress after 25 seconds' in str(caught.value)


def test_an_unknown_job_id_is_a_clear_error():
    with pytest.raises(ConfigurationError) as caught:
        historical_search_task(Client(), {'job_id': 'nope'}, False)
    assert 'job_id: no historical search nope' in str(caught.value)
