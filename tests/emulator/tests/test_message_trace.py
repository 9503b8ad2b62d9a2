# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Message trace, its detail, historical search and Graph hunting over what the SMTP door recorded."""

import csv
import datetime
import io
import json

import pytest

from emulator_lab import APPS, CONTOSO, CONTOSO_DOMAINS, GRAPH_SCOPE
from mail_lab import ATTACKER_IP, GATEWAY_IP, PHASES, RULE, RULE_CODE, p1, p2, p3, probe, set_state

TRACE_KEYS = ['MessageTraceId', 'MessageId', 'Received@data.type', 'Received', 'SenderAddress', 'RecipientAddress', 'FromIP', 'ToIP',
              'Subject', 'Status', 'Size@data.type', 'Size']


@pytest.fixture
def mail(lab):
    set_state(lab, {'organization_config': {}, 'accepted_domains': CONTOSO_DOMAINS, 'inbound_connectors': [], 'transport_rules': []})
    lab.admin('DELETE', 'tenants/%s/messages' % CONTOSO)
    yield lab
    set_state(lab, {'organization_config': {}, 'inbound_connectors': [], 'transport_rules': []})
    lab.admin('DELETE', 'tenants/%s/messages' % CONTOSO)


def _utc(delta=datetime.timedelta()):
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime('%Y-%m-%dT%H:%M:%S')


def _trace(lab, parameters=None, cmdlet='Get-MessageTraceV2'):
    response = lab.invoke(cmdlet, parameters or {})
    assert response.status_code == 200, response.text
    return response.json()


def _matrix_tail(lab):
    """Phase 4 with the restriction lifted, then the row's three probes: 5.7.68, accepted-then-failed, delivered."""
    set_state(lab, PHASES['phase4'])
    p1(lab)
    p2(lab)
    set_state(lab, PHASES['lifted'])
    return p1(lab), p2(lab), p3(lab)


def test_trace_has_the_live_shape_and_only_accepted_mail(mail):
    refused, failed, delivered = _matrix_tail(mail)
    assert refused.code == 550 and failed.accepted and delivered.accepted
    rows = _trace(mail)['value']
    assert [list(row) for row in rows] == [TRACE_KEYS, TRACE_KEYS]
    assert [(row['Subject'], row['Status'], row['FromIP'], row['ToIP']) for row in rows] == [
        ('P3 via gateway', 'Delivered', GATEWAY_IP, ''), ('P2 foreign spoof', 'Failed', ATTACKER_IP, '')]
    assert rows[0]['Received@data.type'] == 'System.DateTime' and rows[0]['Received'].endswith('Z')
    assert isinstance(rows[0]['Size'], int) and rows[0]['RecipientAddress'] == 'finance@contoso.com'


def test_detail_events_name_the_connector_and_the_rule(mail):
    _refused, failed, delivered = _matrix_tail(mail)
    rows = {row['Subject']: row for row in _trace(mail)['value']}
    failed_row, delivered_row = rows['P2 foreign spoof'], rows['P3 via gateway']
    detail = _trace(mail, {'MessageTraceId': failed_row['MessageTraceId'], 'RecipientAddress': 'finance@contoso.com'},
                    'Get-MessageTraceDetailV2')['value']
    assert [event['Event'] for event in detail] == ['RECEIVE', 'Transport rule', 'FAIL']
    assert set(detail[0]) == {'MessageTraceId', 'MessageId', 'Date@data.type', 'Date', 'Event', 'Action', 'Detail', 'Data'}
    assert '<MEP Name="InboundConnector" String="" />' in detail[0]['Data']
    rule_event = detail[1]
    assert RULE in rule_event['Detail'] and 'mode: Enforce' in rule_event['Detail'] and rule_event['Action'] == 'Reject'
    assert 'String="%s"' % RULE_CODE in rule_event['Data'] and RULE_CODE in detail[2]['Detail']
    good = _trace(mail, {'MessageTraceId': delivered_row['MessageTraceId'], 'RecipientAddress': 'finance@contoso.com'},
                  'Get-MessageTraceDetailV2')['value']
    assert [event['Event'] for event in good] == ['RECEIVE', 'DELIVER']
    assert '<MEP Name="InboundConnector" String="From Secure Email Gateway" />' in good[0]['Data']
    assert failed.message_id == failed_row['MessageId'] and delivered.message_id == delivered_row['MessageId']


def test_audit_rule_records_an_event_only(mail):
    set_state(mail, PHASES['phase1'])
    outcome = p1(mail)
    row = _trace(mail)['value'][0]
    assert row['Status'] == 'Delivered' and row['MessageId'] == outcome.message_id
    detail = _trace(mail, {'MessageTraceId': row['MessageTraceId'], 'RecipientAddress': row['RecipientAddress'], 'Event': ['Transport rule']},
                    'Get-MessageTraceDetailV2')['value']
    assert len(detail) == 1 and 'mode: Audit' in detail[0]['Detail'] and detail[0]['Action'] == 'Audit'


def test_filters(mail):
    probe(mail, 'a@northwind.example', 'x@contoso.com', client_ip='203.0.113.1', subject='Alpha report')
    probe(mail, 'b@tailspin.example', 'y@contoso.com', client_ip='203.0.113.2', subject='Beta news')
    assert [row['Subject'] for row in _trace(mail, {'SenderAddress': ['A@northwind.example']})['value']] == ['Alpha report']
    assert [row['Subject'] for row in _trace(mail, {'RecipientAddress': 'y@contoso.com'})['value']] == ['Beta news']
    assert [row['Subject'] for row in _trace(mail, {'FromIP': '203.0.113.1'})['value']] == ['Alpha report']
    assert [row['Subject'] for row in _trace(mail, {'Subject': 'news', 'SubjectFilterType': 'EndsWith'})['value']] == ['Beta news']
    assert _trace(mail, {'Subject': 'news', 'SubjectFilterType': 'StartsWith'})['value'] == []
    assert _trace(mail, {'Status': ['Failed']})['value'] == []
    assert _trace(mail, {'ToIP': '203.0.113.9'})['value'] == []
    first = _trace(mail)['value'][-1]
    assert [row['Subject'] for row in _trace(mail, {'MessageId': first['MessageId'].strip('<>')})['value']] == ['Alpha report']
    assert len(_trace(mail, {'MessageTraceId': first['MessageTraceId']})['value']) == 1
    assert mail.invoke('Get-MessageTraceV2', {'Status': 'Bounced'}).status_code == 400


def test_one_row_per_recipient_and_continuation(mail):
    import smtplib
    client = smtplib.SMTP(mail.info['smtp_host'], mail.info['smtp_port'], timeout=10)
    recipients = ['r%d@contoso.com' % number for number in range(5)]
    client.sendmail('a@northwind.example', recipients, b'Subject: many\r\n\r\nbody\r\n')
    client.quit()
    first = _trace(mail, {'ResultSize': 2})
    assert [row['RecipientAddress'] for row in first['value']] == ['r0@contoso.com', 'r1@contoso.com']
    assert len({row['MessageTraceId'] for row in first['value']}) == 1
    last = first['value'][-1]
    assert first['@adminapi.warnings'] == ['There are more results, use the following command to get more results: Get-MessageTraceV2 '
                                           '-StartingRecipientAddress "r1@contoso.com" -EndDate "%s"' % last['Received']]
    start = _utc(-datetime.timedelta(hours=1))
    rest = _trace(mail, {'StartDate': start, 'EndDate': last['Received'], 'StartingRecipientAddress': last['RecipientAddress']})['value']
    assert [row['RecipientAddress'] for row in rest] == recipients[2:]


def test_window_limits_and_result_size(mail):
    p3(mail)
    too_wide = mail.invoke('Get-MessageTraceV2', {'StartDate': _utc(-datetime.timedelta(days=11)), 'EndDate': _utc()})
    assert too_wide.status_code == 400
    assert "can't be more than 10 days apart" in too_wide.json()['error']['innererror']['internalexception']['message']
    too_old = mail.invoke('Get-MessageTraceV2', {'StartDate': _utc(-datetime.timedelta(days=91)), 'EndDate': _utc(-datetime.timedelta(days=85))})
    assert too_old.status_code == 400 and '90 days' in too_old.json()['error']['innererror']['internalexception']['message']
    assert mail.invoke('Get-MessageTraceV2', {'ResultSize': 5001}).status_code == 400
    assert mail.invoke('Get-MessageTraceV2', {'ResultSize': 5000}).status_code == 200
    assert mail.invoke('Get-MessageTraceV2', {'StartDate': 'yesterday'}).status_code == 400
    # Aged mail falls out of the default 48 hours but is found with an older window.
    assert mail.admin('POST', 'tenants/%s/messages/age' % CONTOSO, {'days': 12}).json()['aged'] >= 1
    assert _trace(mail)['value'] == []
    older = _trace(mail, {'StartDate': _utc(-datetime.timedelta(days=13)), 'EndDate': _utc(-datetime.timedelta(days=11))})['value']
    assert len(older) == 1


def test_throttling_after_100_requests_in_5_minutes(mail):
    for _number in range(100):
        assert mail.invoke('Get-MessageTraceV2', {'ResultSize': 1}).status_code == 200
    throttled = mail.invoke('Get-MessageTraceV2')
    assert throttled.status_code == 429 and int(throttled.headers['Retry-After']) >= 1
    error = throttled.json()['error']
    assert error['code'] == 'TooManyRequests' and 'at most 100 requests within 5 minutes' in error['innererror']['internalexception']['message']
    # The detail cmdlet has its own window; clearing the mail resets both.
    assert mail.invoke('Get-MessageTraceDetailV2', {'MessageTraceId': '00000000-0000-0000-0000-000000000000',
                                                    'RecipientAddress': 'a@contoso.com'}).status_code == 200
    mail.admin('DELETE', 'tenants/%s/messages' % CONTOSO)
    assert mail.invoke('Get-MessageTraceV2').status_code == 200


def test_historical_search_connector_report(mail):
    set_state(mail, PHASES['before'])
    p2(mail)
    p3(mail)
    mail.admin('POST', 'tenants/%s/messages/age' % CONTOSO, {'days': 30})
    started = _trace(mail, {'ReportType': 'ConnectorReport', 'ConnectorType': 'NoConnector', 'Direction': 'Received',
                            'StartDate': _utc(-datetime.timedelta(days=89)), 'EndDate': _utc(), 'ReportTitle': 'Bypass check',
                            'NotifyAddress': ['secops@contoso.com']}, 'Start-HistoricalSearch')['value'][0]
    assert started['Status'] == 'NotStarted' and started['JobId']
    done = _trace(mail, {'JobId': started['JobId']}, 'Get-HistoricalSearch')['value'][0]
    assert (done['Status'], done['Rows'], done['ReportTitle']) == ('Done', 1, 'Bypass check')
    assert set(done) >= {'JobId', 'ReportTitle', 'Status', 'SubmitDate', 'Rows', 'FileUrl', 'ReportStatusDescription'}
    report = mail.http.get(done['FileUrl'])
    assert report.status_code == 200 and report.headers['Content-Type'].startswith('text/csv')
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [(row['original_client_ip'], row['connector_type'], row['recipient_status']) for row in rows] == [(ATTACKER_IP, 'NoConnector', 'Delivered')]


def test_historical_search_validation(mail):
    base = {'ReportType': 'ConnectorReport', 'StartDate': _utc(-datetime.timedelta(days=2)), 'EndDate': _utc(), 'ReportTitle': 't'}
    assert mail.invoke('Start-HistoricalSearch', dict(base, ReportType='Nope')).status_code == 400
    assert mail.invoke('Start-HistoricalSearch', dict(base, ConnectorType='Cloud')).status_code == 400
    assert mail.invoke('Start-HistoricalSearch', dict(base, StartDate=_utc(-datetime.timedelta(days=95)))).status_code == 400
    assert mail.invoke('Start-HistoricalSearch', dict(base, NotifyAddress=['someone@gmail.example'])).status_code == 400
    assert mail.invoke('Start-HistoricalSearch', {'ReportType': 'ConnectorReport'}).status_code == 400
    assert mail.invoke('Get-HistoricalSearch', {'JobId': '00000000-0000-0000-0000-000000000001'}).status_code == 404
    reader = mail.invoke('Start-HistoricalSearch', base, token=mail.token('reader'))
    assert reader.status_code == 401


def _hunt(lab, query, app='admin'):
    return lab.http.post(lab.info['graph_url'] + '/v1.0/security/runHuntingQuery', json={'Query': query},
                         headers={'Authorization': 'Bearer ' + lab.token(app, scope=GRAPH_SCOPE)})


def _matrix(lab):
    for state in ('before', 'phase1', 'phase2', 'phase3', 'phase4', 'lifted', 'rollback'):
        set_state(lab, PHASES[state])
        p1(lab)
        p2(lab)
        p3(lab)


def test_hunting_presets_report_the_blocked_attempts_by_sender_ip(mail):
    _matrix(mail)
    direct_send = _hunt(mail, 'EmailEvents | where Timestamp > ago(30d) | where DeliveryAction == "Blocked" and AdditionalFields has "5.7.68" '
                              '| project Timestamp, SenderIPv4, SenderMailFromAddress, RecipientEmailAddress, AdditionalFields')
    assert direct_send.status_code == 200, direct_send.text
    body = direct_send.json()
    assert [column['name'] for column in body['schema']] == ['Timestamp', 'SenderIPv4', 'SenderMailFromAddress', 'RecipientEmailAddress',
                                                             'AdditionalFields']
    assert body['schema'][0]['type'] == 'DateTime'
    assert len(body['results']) == 3 and {row['SenderIPv4'] for row in body['results']} == {ATTACKER_IP}
    assert json.loads(body['results'][0]['AdditionalFields'])['EnhancedStatusCode'] == '5.7.68'
    counts = _hunt(mail, 'EmailEvents | where Timestamp > ago(7d) and DeliveryAction == "Blocked" '
                         '| where AdditionalFields has "5.7.51" or AdditionalFields has "5.7.68" | summarize count() by SenderIPv4').json()
    assert counts['schema'] == [{'name': 'SenderIPv4', 'type': 'String'}, {'name': 'count_', 'type': 'Int64'}]
    assert counts['results'] == [{'SenderIPv4': ATTACKER_IP, 'count_': 7}]
    not_gateway = _hunt(mail, 'EmailEvents | where SenderIPv4 !in ("%s") and DeliveryAction != "Blocked" '
                              '| summarize Attempts = count() by SenderIPv4, SenderMailFromDomain | order by Attempts desc' % GATEWAY_IP).json()
    # Got in without the gateway: P1 and P2 in 'before', 'phase1' and 'rollback' (P2 in 'lifted' was failed by the rule: Blocked).
    assert not_gateway['schema'][-1] == {'name': 'Attempts', 'type': 'Int64'}
    assert sorted(not_gateway['results'], key=lambda row: row['SenderMailFromDomain']) == [
        {'SenderIPv4': ATTACKER_IP, 'SenderMailFromDomain': 'contoso.com', 'Attempts': 3},
        {'SenderIPv4': ATTACKER_IP, 'SenderMailFromDomain': 'fabrikam-invoices.example', 'Attempts': 3}]
    rule_failures = _hunt(mail, "EmailEvents | where AdditionalFields contains '%s' | take 5" % RULE).json()['results']
    assert len(rule_failures) == 1 and rule_failures[0]['DeliveryAction'] == 'Blocked'


def test_hunting_errors_and_permissions(mail, lab):
    for query in ('DeviceEvents | take 1', 'EmailEvents | extend x = 1', 'EmailEvents | where Nope == "x"', 'EmailEvents | where',
                  'EmailEvents | where Subject has_any ("a")', 'EmailEvents | summarize dcount(SenderIPv4)'):
        refused = _hunt(mail, query)
        assert refused.status_code == 400, query
        assert refused.json()['error']['code'] == 'BadRequest' and refused.json()['error']['message'], query
    empty = _hunt(mail, 'EmailEvents | sort by Timestamp asc | take 3')
    assert empty.status_code == 200 and empty.json()['results'] == []
    calls = mail.admin('GET', 'calls?cmdlet=runHuntingQuery').json()['calls']
    assert calls[-1]['service'] == 'graph' and calls[-1]['parameters'] == {'Query': 'EmailEvents | sort by Timestamp asc | take 3'}
    assert calls[-1]['status'] == 200 and calls[-1]['app'] == APPS['admin']['client_id']


def test_hunting_needs_the_permission(tmp_path):
    from emulator_lab import Lab, start_emulator, stop_emulator
    import yaml
    scenario = tmp_path / 'scenario.yml'
    scenario.write_text(yaml.safe_dump({'tenants': [{
        'tenant_id': CONTOSO, 'organization': 'contoso.onmicrosoft.com',
        'apps': [dict(APPS['admin'], graph_roles=[]), dict(APPS['reader'])]}]}))
    process, info = start_emulator(scenario, tmp_path / 'ready.json')
    try:
        lab = Lab(info, None)
        assert _hunt(lab, 'EmailEvents | take 1', app='admin').status_code == 403
        assert _hunt(lab, 'EmailEvents | take 1', app='reader').status_code == 200
    finally:
        stop_emulator(process)
