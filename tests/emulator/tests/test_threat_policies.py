# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Anti-phish, anti-spam and connection filter policies through the real HTTPS API: default records, Set-* with
Exchange's ranges and enums, licences (Defender for Office 365) and the scenario's say over them."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from emulator_lab import EMULATOR, Lab, start_emulator, stop_emulator

LIVE_RECORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'live_records.json')
EOP = '77777777-7777-4777-8777-777777777777'
DEFENDER = '88888888-8888-4888-8888-888888888888'
EOP_APP = {'client_id': '77777777-7777-4777-8777-000000000001', 'client_secret': 'eop-secret'}
DEFENDER_APP = {'client_id': '88888888-8888-4888-8888-000000000001', 'client_secret': 'mdo-secret'}
ANTIPHISH = 'Office365 AntiPhish Default'


def _scenario():
    return {'tenants': [
        {'tenant_id': EOP, 'organization': 'eoponly.onmicrosoft.com', 'accepted_domains': ['eoponly.example'],
         'apps': [EOP_APP]},
        {'tenant_id': DEFENDER, 'organization': 'mdotenant.onmicrosoft.com', 'accepted_domains': ['mdo.example'],
         'licences': ['defender_for_office365'], 'apps': [DEFENDER_APP]},
    ]}


@pytest.fixture(scope='module')
def policy_lab(tmp_path_factory):
    directory = tmp_path_factory.mktemp('policies')
    scenario = directory / 'scenario.yml'
    scenario.write_text(yaml.safe_dump(_scenario()))
    process, info = start_emulator(scenario, directory / 'ready.json')
    try:
        yield Lab(info, None)
    finally:
        stop_emulator(process)


def _client(lab, tenant, app, reset=('antiphish_policies', 'hosted_content_filter_policies',
                                     'hosted_connection_filter_policies')):
    lab.admin('PUT', 'tenants/%s/state' % tenant, dict((kind, []) for kind in reset))
    lab.admin('DELETE', 'calls')
    token = lab.token(app['client_id'], tenant_id=tenant)

    def invoke(cmdlet, parameters=None):
        return lab.invoke(cmdlet, parameters, token=token, tenant_segment=tenant)
    return invoke


@pytest.fixture
def eop(policy_lab):
    return _client(policy_lab, EOP, EOP_APP)


@pytest.fixture
def mdo(policy_lab):
    return _client(policy_lab, DEFENDER, DEFENDER_APP)


def _one(response):
    assert response.status_code == 200, response.text
    records = response.json()['value']
    assert len(records) == 1
    return records[0]


def _internal(response):
    internal = response.json()['error']['innererror']['internalexception']
    return internal['type'].rsplit('.', 1)[-1], internal['message']


# -- default records ----------------------------------------------------------------------------------------------


def test_default_antiphish_without_defender_has_no_impersonation_properties(eop):
    record = _one(eop('Get-AntiPhishPolicy'))
    assert record['Name'] == record['Identity'] == ANTIPHISH
    assert record['IsDefault'] is True
    assert (record['EnableSpoofIntelligence'], record['HonorDmarcPolicy']) == (True, True)
    assert (record['DmarcQuarantineAction'], record['DmarcRejectAction']) == ('Quarantine', 'Reject')
    assert record['AuthenticationFailAction'] == 'MoveToJmf'
    for missing in ('EnableTargetedUserProtection', 'TargetedUsersToProtect', 'PhishThresholdLevel',
                    'EnableMailboxIntelligence', 'MailboxIntelligenceProtectionAction'):
        assert missing not in record


def test_default_antiphish_with_defender_has_section_5_defaults(mdo):
    record = _one(mdo('Get-AntiPhishPolicy', {'Identity': 'office365 antiphish default'}))
    assert record['EnableMailboxIntelligence'] is True
    assert record['EnableMailboxIntelligenceProtection'] is False
    assert record['EnableTargetedUserProtection'] is False
    assert record['EnableOrganizationDomainsProtection'] is False
    assert record['TargetedUsersToProtect'] == []
    assert record['TargetedUserProtectionAction'] == 'NoAction'
    assert record['PhishThresholdLevel'] == 1


def test_default_content_filter_policy(eop):
    record = _one(eop('Get-HostedContentFilterPolicy'))
    assert (record['Name'], record['IsDefault']) == ('Default', True)
    assert record['BulkThreshold'] == 7
    assert record['QuarantineRetentionPeriod'] == 15
    assert (record['SpamAction'], record['HighConfidenceSpamAction'], record['PhishSpamAction']) == ('MoveToJmf',) * 3
    assert record['HighConfidencePhishAction'] == 'Quarantine'


def test_connection_filter_policy_has_the_live_key_set(eop):
    with open(LIVE_RECORDS, encoding='utf-8') as handle:
        live = next(item['value'] for item in json.load(handle)['records']
                    if item['cmdlet'] == 'Get-HostedConnectionFilterPolicy')
    record = _one(eop('Get-HostedConnectionFilterPolicy', {'Identity': 'Default'}))
    assert set(live) <= set(record)
    assert (record['IPAllowList'], record['IPBlockList'], record['EnableSafeList']) == ([], [], False)
    assert 'eoponly.onmicrosoft.com' in record['DistinguishedName']


def test_unknown_policy_is_not_found(eop):
    response = eop('Get-AntiPhishPolicy', {'Identity': 'No such policy'})
    assert response.status_code == 404
    assert _internal(response)[0] == 'ManagementObjectNotFoundException'


# -- Set ----------------------------------------------------------------------------------------------------------


def test_set_antiphish_writes_and_warns_when_nothing_changes(eop):
    response = eop('Set-AntiPhishPolicy', {'Identity': ANTIPHISH, 'AuthenticationFailAction': 'Quarantine',
                                           'HonorDmarcPolicy': False})
    assert response.status_code == 200, response.text
    assert response.json()['value'] == []
    record = _one(eop('Get-AntiPhishPolicy', {'Identity': ANTIPHISH}))
    assert (record['AuthenticationFailAction'], record['HonorDmarcPolicy']) == ('Quarantine', False)
    again = eop('Set-AntiPhishPolicy', {'Identity': ANTIPHISH, 'AuthenticationFailAction': 'Quarantine'})
    assert any('no settings' in warning for warning in again.json()['@adminapi.warnings'])


def test_impersonation_parameters_are_unknown_without_defender(eop):
    response = eop('Set-AntiPhishPolicy', {'Identity': ANTIPHISH, 'EnableTargetedUserProtection': True})
    assert response.status_code == 400
    kind, text = _internal(response)
    assert kind == 'AmbiguousParameterSetException'
    assert 'EnableTargetedUserProtection' in text


def test_impersonation_with_defender(mdo):
    response = mdo('Set-AntiPhishPolicy', {
        'Identity': ANTIPHISH, 'EnableTargetedUserProtection': True, 'PhishThresholdLevel': 3,
        'TargetedUsersToProtect': ['Chief Executive;ceo@mdo.example'], 'TargetedUserProtectionAction': 'quarantine',
        'TargetedDomainsToProtect': ['mdo.example']})
    assert response.status_code == 200, response.text
    record = _one(mdo('Get-AntiPhishPolicy'))
    assert record['EnableTargetedUserProtection'] is True
    assert record['PhishThresholdLevel'] == 3
    assert record['TargetedUsersToProtect'] == ['Chief Executive;ceo@mdo.example']
    assert record['TargetedUserProtectionAction'] == 'Quarantine'


@pytest.mark.parametrize('parameters, exception', [
    ({'PhishThresholdLevel': 5}, 'ParameterBindingException'),
    ({'PhishThresholdLevel': 0}, 'ParameterBindingException'),
    ({'TargetedUserProtectionAction': 'Reject'}, 'ParameterTransformationException'),
    ({'TargetedUsersToProtect': ['ceo@mdo.example']}, 'DataValidationException'),
    ({'TargetedDomainsToProtect': ['not a domain']}, 'DataValidationException'),
    ({'DmarcRejectAction': 'MoveToJmf'}, 'ParameterTransformationException'),
])
def test_antiphish_refusals(mdo, parameters, exception):
    parameters = dict(parameters, Identity=ANTIPHISH)
    response = mdo('Set-AntiPhishPolicy', parameters)
    assert response.status_code == 400, response.text
    assert _internal(response)[0] == exception
    record = _one(mdo('Get-AntiPhishPolicy'))
    assert record['PhishThresholdLevel'] == 1


@pytest.mark.parametrize('parameters, exception', [
    ({'BulkThreshold': 10}, 'ParameterBindingException'),
    ({'BulkThreshold': 0}, 'ParameterBindingException'),
    ({'QuarantineRetentionPeriod': 31}, 'ParameterBindingException'),
    ({'SpamAction': 'NoAction'}, 'ParameterTransformationException'),
    ({'HighConfidencePhishAction': 'MoveToJmf'}, 'ParameterTransformationException'),
    ({'MarkAsSpamSpfRecordHardFail': 'Test'}, 'ParameterTransformationException'),
])
def test_content_filter_refusals(eop, parameters, exception):
    response = eop('Set-HostedContentFilterPolicy', dict(parameters, Identity='Default'))
    assert response.status_code == 400, response.text
    assert _internal(response)[0] == exception


def test_content_filter_set(eop):
    response = eop('Set-HostedContentFilterPolicy', {'Identity': 'Default', 'BulkThreshold': 6, 'BulkSpamAction': 'NoAction',
                                                     'QuarantineRetentionPeriod': 30, 'MarkAsSpamBulkMail': 'off'})
    assert response.status_code == 200, response.text
    record = _one(eop('Get-HostedContentFilterPolicy', {'Identity': 'Default'}))
    assert (record['BulkThreshold'], record['BulkSpamAction'], record['QuarantineRetentionPeriod']) == (6, 'NoAction', 30)
    assert record['MarkAsSpamBulkMail'] == 'Off'


def test_connection_filter_lists_are_stored_masked_and_cleared_with_null(eop):
    response = eop('Set-HostedConnectionFilterPolicy', {
        'Identity': 'Default', 'IPBlockList': ['203.0.113.7/24', '198.51.100.10-198.51.100.20', '192.0.2.9/32'],
        'IPAllowList': ['192.0.2.1']})
    assert response.status_code == 200, response.text
    record = _one(eop('Get-HostedConnectionFilterPolicy'))
    assert record['IPBlockList'] == ['203.0.113.0/24', '198.51.100.10-198.51.100.20', '192.0.2.9']
    assert record['IPAllowList'] == ['192.0.2.1']
    assert eop('Set-HostedConnectionFilterPolicy', {'Identity': 'Default', 'IPAllowList': None}).status_code == 200
    assert _one(eop('Get-HostedConnectionFilterPolicy'))['IPAllowList'] == []


@pytest.mark.parametrize('value', ['192.0.2.0/23', '2001:db8::1', '192.0.2.0-192.0.3.10', 'gateway'])
def test_connection_filter_refuses_what_exchange_refuses(eop, value):
    response = eop('Set-HostedConnectionFilterPolicy', {'Identity': 'Default', 'IPAllowList': [value]})
    assert response.status_code == 400, response.text
    assert _internal(response)[0] == 'DataValidationException'
    assert _one(eop('Get-HostedConnectionFilterPolicy'))['IPAllowList'] == []


# -- scenario and admin state -------------------------------------------------------------------------------------


def test_admin_state_shows_and_replaces_the_policies(policy_lab, eop):
    state = policy_lab.state(EOP)
    assert [record['Name'] for record in state['antiphish_policies']] == [ANTIPHISH]
    answer = policy_lab.admin('PUT', 'tenants/%s/state' % EOP, {
        'hosted_connection_filter_policies': [{'Name': 'Default', 'IPAllowList': ['192.0.2.1']}],
        'antiphish_policies': [{'Name': 'Strict', 'AuthenticationFailAction': 'Quarantine'}]})
    assert answer.status_code == 200, answer.text
    names = [record['Name'] for record in _records(eop('Get-AntiPhishPolicy'))]
    assert names == [ANTIPHISH, 'Strict']
    assert _one(eop('Get-HostedConnectionFilterPolicy'))['IPAllowList'] == ['192.0.2.1']


def _records(response):
    assert response.status_code == 200, response.text
    return response.json()['value']


def test_scenario_refuses_impersonation_state_without_the_licence_and_unknown_licences(tmp_path):
    for tenant, expected in (
            ({'state': {'antiphish_policies': [{'Name': ANTIPHISH, 'EnableTargetedUserProtection': True}]}},
             'licences: [defender_for_office365]'),
            ({'licences': ['e5_everything']}, 'licences must be a list of defender_for_office365')):
        document = {'tenants': [dict({'tenant_id': EOP, 'organization': 'eoponly.onmicrosoft.com', 'apps': [EOP_APP]},
                                     **tenant)]}
        scenario = tmp_path / 'bad.yml'
        scenario.write_text(yaml.safe_dump(document))
        result = subprocess.run([sys.executable, EMULATOR, '--scenario', str(scenario), '--ready-file',
                                 str(tmp_path / 'ready.json')], capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2, result.stderr
        assert expected in result.stderr
