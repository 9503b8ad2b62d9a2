# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-, New-, Set-, Remove-, Enable-, Disable-TransportRule through InvokeCommand: the record, priorities, limits
and refusals."""

import json
import os
import re
import uuid

import pytest

from emulator_lab import CONTOSO

HERE = os.path.dirname(os.path.abspath(__file__))
LIVE_RECORDS = os.path.join(HERE, 'live_records.json')
CMDLETS = os.path.join(os.path.dirname(HERE), 'exo_emulator', 'data', 'cmdlets.json')
TASKS = 'Microsoft.Exchange.MessagingPolicies.Rules.Tasks.'
DATA_VALIDATION = 'Microsoft.Exchange.Data.DataValidationException'
TASK_VALIDATION = 'Microsoft.Exchange.Management.Tasks.ValidationException'
ALREADY_EXISTS = 'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException'
EXCHANGE_TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$')
# Parameters that steer the cmdlet or become something else than a property of their own name.
NOT_PROPERTIES = {'Name', 'Priority', 'Enabled', 'Confirm', 'WhatIf'}


@pytest.fixture(name='contoso')
def _contoso(fresh_contoso):
    """Contoso without transport rules."""
    assert fresh_contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'transport_rules': []}).status_code == 200
    return fresh_contoso


def _live_rules():
    with open(LIVE_RECORDS, encoding='utf-8') as handle:
        return [record['value'] for record in json.load(handle)['records'] if record['cmdlet'] == 'Get-TransportRule']


def _new_rule_parameters():
    """New-TransportRule's own Exchange Online parameters (name -> documented spec) from cmdlets.json."""
    with open(CMDLETS, encoding='utf-8') as handle:
        return json.load(handle)['cmdlets']['New-TransportRule']['parameters']


def _new(contoso, name='Tag external mail', **parameters):
    return contoso.invoke('New-TransportRule', dict({'Name': name}, **parameters))


def _created(contoso, name='Tag external mail', **parameters):
    response = _new(contoso, name, **parameters)
    assert response.status_code == 200, response.text
    return response.json()['value'][0]


def _get(contoso, identity):
    response = contoso.invoke('Get-TransportRule', {'Identity': identity})
    assert response.status_code == 200, response.text
    return response.json()['value'][0]


def _set(contoso, identity, **parameters):
    response = contoso.invoke('Set-TransportRule', dict({'Identity': identity}, **parameters))
    assert response.status_code == 200, response.text
    return response


def _order(contoso):
    return [(rule['Name'], rule['Priority']) for rule in contoso.invoke('Get-TransportRule').json()['value']]


def _refusal(response, exception_type, text):
    assert response.status_code == 400, response.text
    error = response.json()['error']
    assert error['code'] == 'BadRequest'
    assert error['innererror']['internalexception'] == {'message': text, 'type': exception_type, 'stacktrace': ''}
    assert error['details'][0]['message'] == '|%s|%s' % (exception_type, text)


# -- the record -------------------------------------------------------------------------------------------------


def test_new_rule_has_the_live_keys_and_defaults(contoso):
    record = _created(contoso, 'Empty')
    live_keys = set().union(*(set(rule) for rule in _live_rules())) - {'Conditions@odata.type', 'Actions@odata.type'}
    assert live_keys <= set(record)
    assert (record['Priority@data.type'], record['Priority'], record['WhenChanged@data.type']) == ('System.Int32', 0, 'System.DateTime')
    assert (record['State'], record['Mode'], record['RuleErrorAction'], record['SenderAddressLocation']) == ('Enabled', 'Enforce', 'Ignore', 'Header')
    assert record['Name'] == record['Identity'] == 'Empty' and str(uuid.UUID(record['Guid'])) == record['Guid']
    assert EXCHANGE_TIME.match(record['WhenChanged'])
    assert record['Conditions'] is None and record['Exceptions'] is None and record['Actions'] is None
    assert not any(key.endswith('@odata.type') for key in record)
    for unset in ('From', 'SenderIpRanges', 'ExceptIfSenderIpRanges', 'BlindCopyTo', 'FromScope', 'PrependSubject', 'Comments',
                  'HeaderContainsWords', 'RejectMessageReasonText', 'SetAuditSeverity', 'DlpPolicy', 'ActivationDate'):
        assert record[unset] is None, unset
    for false in ('DeleteMessage', 'Quarantine', 'StopRuleProcessing', 'ManuallyModified'):
        assert record[false] is False, false
    assert record['IsValid'] is True
    assert _get(contoso, 'EMPTY') == record


def test_the_live_rules_read_back_as_captured(contoso):
    for live in _live_rules():  # in priority order: each is created where the capture shows it
        parameters = {name: live[name] for name in ('FromScope', 'PrependSubject', 'SetAuditSeverity', 'ApplyRightsProtectionTemplate')
                      if live.get(name) is not None}
        record = _created(contoso, live['Name'], Enabled=live['State'] == 'Enabled', **parameters)
        for key in ('Description', 'Conditions', 'Exceptions', 'Actions', 'State', 'Mode', 'Priority', 'Priority@data.type',
                    'FromScope', 'PrependSubject', 'SetAuditSeverity', 'ApplyRightsProtectionTemplate', 'Identity', 'Name'):
            assert record[key] == live[key], (live['Name'], key)
        assert ('Conditions@odata.type' in record) == ('Conditions@odata.type' in live)
        assert record['Actions@odata.type'] == live['Actions@odata.type']


def _value_for(name, spec):
    """A value New-TransportRule accepts for a parameter, from its documented type."""
    kind, type_name, valid = spec['value_kind'], spec['type'], spec.get('valid_values')
    if kind == 'boolean':
        return True
    if name.endswith('SenderIpRanges'):
        return ['192.0.2.0/24']
    if name == 'RejectMessageEnhancedStatusCode':
        return '5.7.900'
    if valid and not valid[0].startswith('$'):
        return [valid[0]] if type_name.endswith('[]') else valid[0]
    if type_name == 'Hashtable[]':
        return [{'Name': 'Credit Card Number'}]
    if type_name.endswith('[]') or type_name == 'MultiValuedProperty':
        return ['%s value' % name]
    if type_name in ('Int32', 'SclValue'):
        return 5
    return '%s value' % name


def test_every_parameter_is_stored_under_its_name_and_named_in_conditions_exceptions_actions(contoso):
    documented = _new_rule_parameters()
    parameters = {name: _value_for(name, spec) for name, spec in documented.items() if name not in NOT_PROPERTIES}
    record = _created(contoso, 'Everything', **parameters)
    for name, value in parameters.items():
        assert record[name] == value, name
    conditions = set(record['Conditions'])
    assert len(conditions) == len(record['Conditions']) == 56
    assert set(record['Exceptions']) == conditions
    assert len(set(record['Actions'])) == len(record['Actions']) == 32
    assert all(name.startswith(TASKS) and name.endswith('Predicate') for name in conditions)
    assert all(name.startswith(TASKS) and name.endswith('Action') for name in record['Actions'])
    for expected in ('FromScopePredicate', 'SenderIpRangesPredicate', 'HeaderContainsPredicate', 'HeaderMatchesPredicate'):
        assert TASKS + expected in conditions
    for expected in ('RejectMessageAction', 'QuarantineAction', 'StopRuleProcessingAction', 'SetAuditSeverityAction'):
        assert TASKS + expected in record['Actions']
    assert record['SenderIpRanges@odata.type'] == '#Collection(String)'
    assert record['Description'].startswith('If the message:\r\n\t') and '\r\nExcept if the message:\r\n\t' in record['Description']


def test_exceptions_name_their_predicates(contoso):
    record = _created(contoso, 'Partner relay', FromScope='NotInOrganization', ExceptIfSenderIpRanges=['203.0.113.7/24', '198.51.100.1'],
                      ExceptIfHeaderMatchesMessageHeader='X-Gateway', ExceptIfHeaderMatchesPatterns=['^scanned$'],
                      HeaderContainsMessageHeader='X-Spam-Flag', HeaderContainsWords=['YES'], Quarantine=True, StopRuleProcessing=True)
    assert record['Conditions'] == [TASKS + 'FromScopePredicate', TASKS + 'HeaderContainsPredicate']
    assert record['Exceptions'] == [TASKS + 'HeaderMatchesPredicate', TASKS + 'SenderIpRangesPredicate']
    assert record['Actions'] == [TASKS + 'QuarantineAction', TASKS + 'StopRuleProcessingAction']
    assert record['ExceptIfSenderIpRanges'] == ['203.0.113.0/24', '198.51.100.1']
    assert record['Exceptions@odata.type'] == '#Collection(String)'
    assert record['Description'] == (
        "If the message:\r\n\tIs received from 'Outside the organization'\r\n\tand Includes these words in message header 'X-Spam-Flag': 'YES'"
        "\r\nTake the following actions:\r\n\tDeliver the message to the hosted quarantine\r\n\tand Stop processing more rules\r\n"
        "Except if the message:\r\n\tMatches these text patterns in message header 'X-Gateway': '^scanned$'\r\n"
        "\tor Sender ip addresses belong to one of these ranges: '203.0.113.0/24' or '198.51.100.1'\r\n")


def test_ip_ranges_take_addresses_ranges_and_cidr_masked_to_the_network(contoso):
    record = _created(contoso, SenderIpRanges=['192.168.0.1/25', '10.0.0.1', '10.1.0.1-10.1.0.9', '2001:db8::7/64'])
    assert record['SenderIpRanges'] == ['192.168.0.0/25', '10.0.0.1', '10.1.0.1-10.1.0.9', '2001:db8::/64']


@pytest.mark.parametrize('value', ['10.1.0.9-10.1.0.1', '300.1.1.1', 'gateway.example', '10.0.0.0/33'])
def test_ip_ranges_that_cannot_be_read_are_refused(contoso, value):
    _refusal(_new(contoso, SenderIpRanges=[value]), DATA_VALIDATION,
             "'%s' isn't a valid IP address, IP address range or CIDR IP address range." % value)


def test_clearing_a_condition_reads_back_null_not_an_empty_list(contoso):
    _created(contoso, 'Gateway', SenderIpRanges=['192.0.2.1'], SetAuditSeverity='low')
    assert _get(contoso, 'Gateway')['SetAuditSeverity'] == 'Low'
    _set(contoso, 'Gateway', SenderIpRanges=[])
    record = _get(contoso, 'Gateway')
    assert record['SenderIpRanges'] is None and 'SenderIpRanges@odata.type' not in record
    assert record['Conditions'] is None and 'Conditions@odata.type' not in record
    _set(contoso, 'Gateway', SenderIpRanges=['192.0.2.1'])
    _set(contoso, 'Gateway', SenderIpRanges={'@odata.type': '#Exchange.GenericHashTable', 'Remove': ['192.0.2.1']})
    assert _get(contoso, 'Gateway')['SenderIpRanges'] is None
    _set(contoso, 'Gateway', SetAuditSeverity=None)
    assert _get(contoso, 'Gateway')['Actions'] is None


# -- RejectMessage, lengths and values ---------------------------------------------------------------------------


def test_reject_with_only_a_code_gets_the_default_text(contoso):
    record = _created(contoso, RejectMessageEnhancedStatusCode='5.7.900')
    assert (record['RejectMessageReasonText'], record['RejectMessageEnhancedStatusCode']) == ('Delivery not authorized, message refused', '5.7.900')
    assert record['Actions'] == [TASKS + 'RejectMessageAction']


def test_reject_with_only_a_text_gets_5_7_1(contoso):
    record = _created(contoso, RejectMessageReasonText='No direct send')
    assert (record['RejectMessageReasonText'], record['RejectMessageEnhancedStatusCode']) == ('No direct send', '5.7.1')
    assert record['Description'] == ("Take the following actions:\r\n\tReject the message and include the explanation 'No direct send' "
                                     "with the status code: '5.7.1'\r\n")


@pytest.mark.parametrize('code', ['5.7.1', '5.7.900', '5.7.999'])
def test_accepted_enhanced_status_codes(contoso, code):
    assert _created(contoso, RejectMessageEnhancedStatusCode=code)['RejectMessageEnhancedStatusCode'] == code


@pytest.mark.parametrize('code', ['5.7.2', '5.7.899', '5.7.1000', '4.7.1', '5.7.90'])
def test_other_enhanced_status_codes_are_refused(contoso, code):
    _refusal(_new(contoso, RejectMessageEnhancedStatusCode=code), DATA_VALIDATION,
             "The value '%s' of RejectMessageEnhancedStatusCode isn't valid. Valid values are 5.7.1 or between 5.7.900 and 5.7.999." % code)


@pytest.mark.parametrize('parameter, limit', [('RejectMessageReasonText', 1024), ('Comments', 1024), ('Name', 64)])
def test_lengths_are_limited(contoso, parameter, limit):
    name = 'n' * limit if parameter == 'Name' else 'Long'
    assert _new(contoso, name, **{parameter: 'x' * limit}).status_code == 200
    _refusal(_new(contoso, 'Too long', **{parameter: 'y' * (limit + 1)}), DATA_VALIDATION,
             'The length of the property is too long. The maximum length is %d and the length of the value provided is %d.'
             % (limit, limit + 1))


def test_audit_severity_takes_its_documented_values(contoso):
    _refusal(_new(contoso, SetAuditSeverity='Severe'), DATA_VALIDATION,
             "The value 'Severe' of SetAuditSeverity isn't valid. Valid values are: DoNotAudit, Low, Medium, High.")


def test_an_enum_outside_its_values_is_a_transformation_error(contoso):
    response = _new(contoso, FromScope='Anywhere')
    assert response.status_code == 400
    assert response.json()['error']['innererror']['internalexception']['type'].endswith('ParameterTransformationException')


# -- names and identities ---------------------------------------------------------------------------------------


def test_names_are_unique_in_any_case(contoso):
    _created(contoso, 'Block executables')
    _refusal(_new(contoso, 'BLOCK EXECUTABLES'), ALREADY_EXISTS,
             "The object 'CN=BLOCK EXECUTABLES,CN=TransportVersioned,CN=Rules,CN=Transport Settings,CN=Configuration,"
             "CN=contoso.onmicrosoft.com,CN=ConfigurationUnits,DC=EXOEMULATOR01,DC=PROD,DC=OUTLOOK,DC=COM' already exists.")
    _created(contoso, 'Other')
    _refusal(contoso.invoke('Set-TransportRule', {'Identity': 'Other', 'Name': 'block Executables'}), ALREADY_EXISTS,
             "The object 'CN=block Executables,CN=TransportVersioned,CN=Rules,CN=Transport Settings,CN=Configuration,"
             "CN=contoso.onmicrosoft.com,CN=ConfigurationUnits,DC=EXOEMULATOR01,DC=PROD,DC=OUTLOOK,DC=COM' already exists.")
    assert _order(contoso) == [('Block executables', 0), ('Other', 1)]


def test_set_renames_and_identity_follows(contoso):
    created = _created(contoso, 'Old')
    _set(contoso, 'old', Name='New', Comments='renamed')
    record = _get(contoso, created['Guid'])
    assert (record['Name'], record['Identity'], record['Comments']) == ('New', 'New', 'renamed')
    assert contoso.invoke('Get-TransportRule', {'Identity': 'Old'}).status_code == 404


@pytest.mark.parametrize('cmdlet', ['Get-TransportRule', 'Set-TransportRule', 'Remove-TransportRule', 'Enable-TransportRule',
                                    'Disable-TransportRule'])
def test_an_unknown_identity_is_not_found(contoso, cmdlet):
    response = contoso.invoke(cmdlet, {'Identity': 'No such rule'})
    assert response.status_code == 404
    assert response.json()['error']['details'][0]['message'] == (
        "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because "
        "object 'No such rule' couldn't be found on 'EXOEMULATOR01DC01.PROD.OUTLOOK.COM'.")


def test_set_without_a_change_warns(contoso):
    _created(contoso, 'Same', Comments='same')
    response = _set(contoso, 'Same', Comments='same', Priority=0)
    assert response.json()['@adminapi.warnings'] == ["The command completed successfully but no settings of 'Same' have been modified."]


# -- priorities -------------------------------------------------------------------------------------------------


def test_new_appends_by_default_and_a_taken_priority_shifts_the_rest(contoso):
    for name in ('A', 'B', 'C'):
        _created(contoso, name)
    assert _order(contoso) == [('A', 0), ('B', 1), ('C', 2)]
    assert _created(contoso, 'D', Priority=1)['Priority'] == 1
    assert _order(contoso) == [('A', 0), ('D', 1), ('B', 2), ('C', 3)]
    assert _created(contoso, 'E', Priority=4)['Priority'] == 4
    assert _created(contoso, 'F', Priority=0)['Priority'] == 0
    assert _order(contoso) == [('F', 0), ('A', 1), ('D', 2), ('B', 3), ('C', 4), ('E', 5)]


@pytest.mark.parametrize('priority', [3, -1])
def test_new_priority_beyond_the_rule_count_is_refused(contoso, priority):
    _created(contoso, 'A')
    _created(contoso, 'B')
    _refusal(_new(contoso, 'C', Priority=priority), TASK_VALIDATION,
             'The Priority value %d is out of range. Valid values for New-TransportRule in this organization are 0 through 2.' % priority)
    assert _order(contoso) == [('A', 0), ('B', 1)]


def test_set_priority_moves_the_rule_and_shifts_the_others(contoso):
    for name in ('A', 'B', 'C', 'D'):
        _created(contoso, name)
    _set(contoso, 'D', Priority=1)
    assert _order(contoso) == [('A', 0), ('D', 1), ('B', 2), ('C', 3)]
    _set(contoso, 'A', Priority=3)
    assert _order(contoso) == [('D', 0), ('B', 1), ('C', 2), ('A', 3)]
    _refusal(contoso.invoke('Set-TransportRule', {'Identity': 'A', 'Priority': 4}), TASK_VALIDATION,
             'The Priority value 4 is out of range. Valid values for Set-TransportRule in this organization are 0 through 3.')


def test_remove_closes_up_the_priorities(contoso):
    for name in ('A', 'B', 'C'):
        _created(contoso, name)
    response = contoso.invoke('Remove-TransportRule', {'Identity': 'a'})
    assert response.status_code == 200 and response.json()['value'] == []
    assert _order(contoso) == [('B', 0), ('C', 1)]
    assert contoso.state()['transport_rules'][0]['Priority'] == 0


def test_scenario_rules_are_ordered_by_priority_and_numbered(contoso):
    rules = [{'Name': 'Late', 'Priority': 7}, {'Name': 'No priority'}, {'Name': 'Early', 'Priority': 2, 'State': 'Disabled'}]
    assert contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'transport_rules': rules}).status_code == 200
    assert _order(contoso) == [('Early', 0), ('Late', 1), ('No priority', 2)]
    assert _get(contoso, 'Early')['State'] == 'Disabled'
    refused = contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'transport_rules': [{'Name': 'Typo', 'SenderIpRange': ['192.0.2.1']}]})
    assert refused.status_code == 400


def test_the_300th_rule_is_the_last(contoso):
    rules = [{'Name': 'Rule %03d' % number} for number in range(299)]
    assert contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'transport_rules': rules}).status_code == 200
    assert _created(contoso, 'Rule 299')['Priority'] == 299
    _refusal(_new(contoso, 'Rule 300'), TASK_VALIDATION,
             'The maximum number of transport rules (300) for this organization has been reached. Remove a rule before you create another one.')
    assert len(contoso.state()['transport_rules']) == 300


def test_get_lists_by_priority_and_filters_by_state(contoso):
    _created(contoso, 'On')
    _created(contoso, 'Off', Enabled=False, Priority=0)
    assert [rule['Name'] for rule in contoso.invoke('Get-TransportRule').json()['value']] == ['Off', 'On']
    assert [rule['Name'] for rule in contoso.invoke('Get-TransportRule', {'State': 'Disabled'}).json()['value']] == ['Off']


# -- State and Mode ---------------------------------------------------------------------------------------------


def test_enabled_exists_only_on_new_and_enable_disable_change_state(contoso):
    assert _created(contoso, 'Rule', Enabled=False)['State'] == 'Disabled'
    response = contoso.invoke('Set-TransportRule', {'Identity': 'Rule', 'Enabled': True})
    assert response.status_code == 400
    assert response.json()['error']['innererror']['internalexception']['type'].endswith('AmbiguousParameterSetException')
    assert contoso.invoke('Enable-TransportRule', {'Identity': 'rule'}).status_code == 200
    assert (_get(contoso, 'Rule')['State'], _get(contoso, 'Rule')['Mode']) == ('Enabled', 'Enforce')
    assert contoso.invoke('Enable-TransportRule', {'Identity': 'Rule', 'Mode': 'audit'}).status_code == 200
    assert _get(contoso, 'Rule')['Mode'] == 'Audit'
    response = contoso.invoke('Disable-TransportRule', {'Identity': 'Rule'})
    assert response.status_code == 200 and response.json()['value'] == []
    assert _get(contoso, 'Rule')['State'] == 'Disabled'


def test_mode_defaults_to_enforce_and_can_be_set(contoso):
    assert _created(contoso, 'Audit only', Mode='AuditAndNotify')['Mode'] == 'AuditAndNotify'
    _set(contoso, 'Audit only', Mode='Enforce')
    assert _get(contoso, 'Audit only')['Mode'] == 'Enforce'


def test_clixml_answer_types_the_priority_and_keeps_hashtables(contoso):
    _created(contoso, 'Sensitive', MessageContainsDataClassifications=[{'Name': 'Credit Card Number', 'minCount': '1'}],
             SenderIpRanges=['192.0.2.0/24'], Quarantine=True)
    body = contoso.invoke('Get-TransportRule', json_format=False).json()
    document = body['value'][0]['_clixml']
    assert 'Deserialized.Microsoft.Exchange.MessagingPolicies.Rules.Tasks.Rule' in document
    assert '<I32 N="Priority">0</I32>' in document and '<S N="Name">Credit Card Number</S>' in document
    assert '<S N="Priority@data.type">' not in document and 'N="SenderIpRanges@odata.type"' not in document
