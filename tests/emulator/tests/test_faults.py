# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Injected faults: throttling, outages, transient exceptions, latency, hang-ups."""

import time

import pytest
import requests

from emulator_lab import APPS, CONTOSO, EXCHANGE_SCOPE, FABRIKAM


def _fault(lab, **spec):
    response = lab.admin('POST', 'faults', spec)
    assert response.status_code == 201, response.text
    return response.json()


def test_429_carries_retry_after_and_the_next_call_succeeds(fresh_contoso):
    lab = fresh_contoso
    token = lab.token()
    fault = _fault(lab, tenant=CONTOSO, cmdlet='Get-OrganizationConfig', status=429, retry_after=7)
    throttled = lab.invoke('Get-OrganizationConfig', token=token)
    assert throttled.status_code == 429
    assert throttled.headers['Retry-After'] == '7'
    assert throttled.json()['error']['code'] == 'TooManyRequests'
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200
    assert fault['id'] and lab.admin('GET', 'faults').json()['faults'] == []
    log = lab.admin('GET', 'calls').json()['calls']
    assert [(call['status'], call['fault']) for call in log] == [(429, True), (200, False)]


def test_503_applies_to_count_calls_then_stops(fresh_contoso):
    lab = fresh_contoso
    token = lab.token()
    _fault(lab, status=503, count=2)
    statuses = [lab.invoke('Get-AcceptedDomain', token=token).status_code for _attempt in range(3)]
    assert statuses == [503, 503, 200]
    assert lab.admin('GET', 'calls').json()['calls'][0]['exception'] is None


def test_503_body_is_service_unavailable(fresh_contoso):
    _fault(fresh_contoso, status=503)
    assert fresh_contoso.invoke('Get-AcceptedDomain').json()['error']['code'] == 'ServiceUnavailable'


def test_fault_for_one_cmdlet_spares_the_others(fresh_contoso):
    lab = fresh_contoso
    token = lab.token()
    _fault(lab, cmdlet='Set-OrganizationConfig', status=500)
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200
    assert lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': True}, token=token).status_code == 500
    assert lab.state()['organization_config']['RejectDirectSend'] is False


def test_fault_for_another_tenant_spares_this_one(fresh_contoso):
    _fault(fresh_contoso, tenant=FABRIKAM, status=500)
    assert fresh_contoso.invoke('Get-OrganizationConfig').status_code == 200
    fresh_contoso.admin('DELETE', 'faults')


def test_transient_exception_is_a_500_envelope_naming_it(fresh_contoso):
    _fault(fresh_contoso, exception='ADTransientException')
    response = fresh_contoso.invoke('Get-OrganizationConfig')
    assert response.status_code == 500
    error = response.json()['error']
    assert error['innererror']['internalexception']['type'] == 'Microsoft.Exchange.Data.Directory.ADTransientException'
    assert '|Microsoft.Exchange.Data.Directory.ADTransientException|' in error['details'][0]['message']
    assert error['details'][0]['message'].startswith('Ex')


def test_dropped_connection_gets_no_answer(fresh_contoso):
    lab = fresh_contoso
    token = lab.token()
    _fault(lab, drop=True)
    with pytest.raises(requests.ConnectionError):
        lab.invoke('Get-OrganizationConfig', token=token)
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200
    dropped = lab.admin('GET', 'calls').json()['calls'][0]
    assert dropped['fault'] is True and dropped['status'] is None


def test_latency_fault_delays_then_answers_normally(fresh_contoso):
    lab = fresh_contoso
    token = lab.token()
    _fault(lab, latency_ms=400)
    started = time.monotonic()
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    lab.invoke('Get-OrganizationConfig', token=token)
    assert time.monotonic() - started < 0.4


def test_token_endpoint_fault(fresh_contoso):
    lab = fresh_contoso
    _fault(lab, target='token', status=503, retry_after=2)
    form = {'client_id': APPS['admin']['client_id'], 'client_secret': 'admin-secret', 'grant_type': 'client_credentials',
            'scope': EXCHANGE_SCOPE}
    refused = lab.token_request(form)
    assert refused.status_code == 503 and refused.headers['Retry-After'] == '2'
    assert refused.json()['error'] == 'temporarily_unavailable'
    assert lab.token_request(form).status_code == 200


def test_malformed_faults_are_refused(lab):
    assert lab.admin('POST', 'faults', {'status': 200}).status_code == 400
    assert lab.admin('POST', 'faults', {'status': 500, 'count': 0}).status_code == 400
    assert lab.admin('POST', 'faults', {'cmdlet': 'Get-OrganizationConfig'}).status_code == 400
    assert lab.admin('POST', 'faults', {'status': 500, 'colour': 'red'}).status_code == 400


def test_faults_can_be_listed_and_removed_one_by_one(fresh_contoso):
    lab = fresh_contoso
    first = _fault(lab, status=500, cmdlet='Get-Nothing-1')
    _fault(lab, status=500, cmdlet='Get-Nothing-2', count=3)
    listed = lab.admin('GET', 'faults').json()['faults']
    assert [(fault['cmdlet'], fault['remaining']) for fault in listed] == [('Get-Nothing-1', 1), ('Get-Nothing-2', 3)]
    assert lab.admin('DELETE', 'faults/' + first['id']).json() == {'removed': 1}
    assert [fault['cmdlet'] for fault in lab.admin('GET', 'faults').json()['faults']] == ['Get-Nothing-2']
    lab.admin('DELETE', 'faults')
    assert lab.admin('GET', 'faults').json()['faults'] == []
