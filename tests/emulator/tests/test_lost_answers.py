# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``lose_response`` faults: the call runs, its answer never arrives. What a client must survive without repeating a
create."""

import pytest
import requests

from emulator_lab import CONTOSO


@pytest.fixture(name='contoso')
def _contoso(fresh_contoso):
    assert fresh_contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'inbound_connectors': [], 'transport_rules': []}).status_code == 200
    return fresh_contoso


def _lose_next(contoso, cmdlet, count=1):
    response = contoso.admin('POST', 'faults', {'tenant': CONTOSO, 'cmdlet': cmdlet, 'lose_response': True, 'count': count})
    assert response.status_code == 201, response.text
    assert response.json()['lose_response'] is True
    return response.json()


def test_a_lost_create_has_created_and_its_retry_finds_it_there(contoso):
    token = contoso.token()
    _lose_next(contoso, 'New-InboundConnector')
    parameters = {'Name': 'From SEG', 'SenderDomains': ['*']}
    with pytest.raises(requests.ConnectionError):
        contoso.invoke('New-InboundConnector', parameters, token=token)
    assert [connector['Name'] for connector in contoso.state()['inbound_connectors']] == ['From SEG']
    retry = contoso.invoke('New-InboundConnector', parameters, token=token)
    assert retry.status_code == 400
    assert retry.json()['error']['innererror']['internalexception']['type'].endswith('ADObjectAlreadyExistsException')
    assert len(contoso.invoke('Get-InboundConnector', token=token).json()['value']) == 1
    calls = contoso.admin('GET', 'calls').json()['calls']
    assert [(call['cmdlet'], call['status'], call['fault'], call['dropped']) for call in calls] == [
        ('New-InboundConnector', 200, True, True), ('New-InboundConnector', 400, False, False), ('Get-InboundConnector', 200, False, False)]


def test_a_lost_change_is_made(contoso):
    token = contoso.token()
    assert contoso.invoke('New-TransportRule', {'Name': 'Tag'}, token=token).status_code == 200
    _lose_next(contoso, 'Disable-TransportRule')
    with pytest.raises(requests.ConnectionError):
        contoso.invoke('Disable-TransportRule', {'Identity': 'Tag'}, token=token)
    assert contoso.state()['transport_rules'][0]['State'] == 'Disabled'


def test_a_lost_refusal_is_logged_with_its_status(contoso):
    _lose_next(contoso, 'Set-InboundConnector')
    with pytest.raises(requests.ConnectionError):
        contoso.invoke('Set-InboundConnector', {'Identity': 'Nowhere', 'Comment': 'x'})
    call = contoso.admin('GET', 'calls').json()['calls'][0]
    assert (call['status'], call['fault'], call['dropped'], call['exception']) == (404, True, True, 'ManagementObjectNotFoundException')


def test_the_fault_is_used_up(contoso):
    token = contoso.token()
    _lose_next(contoso, 'Get-InboundConnector')
    with pytest.raises(requests.ConnectionError):
        contoso.invoke('Get-InboundConnector', token=token)
    assert contoso.invoke('Get-InboundConnector', token=token).status_code == 200
    assert contoso.admin('GET', 'faults').json()['faults'] == []


@pytest.mark.parametrize('fault', [
    {'lose_response': True, 'drop': True},
    {'lose_response': True, 'status': 500},
    {'lose_response': True, 'exception': 'ADTransientException'},
    {'lose_response': True, 'target': 'token'},
    {'lose_response': 'yes'},
])
def test_lose_response_does_not_combine_with_an_answer_of_its_own(contoso, fault):
    assert contoso.admin('POST', 'faults', fault).status_code == 400
