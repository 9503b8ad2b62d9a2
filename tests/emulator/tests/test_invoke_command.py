# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""InvokeCommand: envelopes, parameter binding, the emulated cmdlets, CLIXML and paging."""

import json
import os
from xml.etree import ElementTree

import pytest

from emulator_lab import CONTOSO, CONTOSO_DOMAINS

LIVE_RECORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'live_records.json')
MORE_RESULTS = ('There are more results available than are currently displayed. To view them, increase the value for the '
                'ResultSize parameter.')
CLIXML_NS = '{http://schemas.microsoft.com/powershell/2004/04}'


def _live(cmdlet):
    with open(LIVE_RECORDS, encoding='utf-8') as handle:
        return [record['value'] for record in json.load(handle)['records'] if record['cmdlet'] == cmdlet]


def _internal(response):
    return response.json()['error']['innererror']['internalexception']


# -- envelopes and the emulated cmdlets -----------------------------------------------------------------------


def test_success_envelope_has_the_live_keys(lab):
    body = lab.invoke('Get-OrganizationConfig').json()
    assert body['@odata.context'] == '%s/adminapi/beta/%s/$metadata#Collection(Exchange.GenericHashTable)' % (lab.info['api_url'], CONTOSO)
    assert body['adminapi.warnings@odata.type'] == '#Collection(String)'
    assert body['@adminapi.warnings'] == []
    assert '@odata.nextLink' not in body
    assert len(body['value']) == 1


def test_organization_config_has_the_live_record_fields_and_reject_direct_send(fresh_contoso):
    record = fresh_contoso.invoke('Get-OrganizationConfig').json()['value'][0]
    live = _live('Get-OrganizationConfig')[0]
    assert set(live) <= set(record)
    assert record['Name'] == record['Identity'] == 'contoso.onmicrosoft.com'
    assert record['RejectDirectSend'] is False
    assert record['PublicFoldersEnabled'] == 'Local'
    assert record['FocusedInboxOn'] is None


def test_set_organization_config_round_trip(fresh_contoso):
    lab = fresh_contoso
    response = lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    assert response.status_code == 200
    assert response.json()['value'] == []
    assert response.json()['@adminapi.warnings'] == []
    assert lab.invoke('Get-OrganizationConfig').json()['value'][0]['RejectDirectSend'] is True
    assert lab.state()['organization_config']['RejectDirectSend'] is True


def test_set_with_nothing_to_change_warns_like_exchange(fresh_contoso):
    response = fresh_contoso.invoke('Set-OrganizationConfig', {'RejectDirectSend': False})
    assert response.status_code == 200
    assert response.json()['@adminapi.warnings'] == [
        "The command completed successfully but no settings of 'contoso.onmicrosoft.com' have been modified."]


def test_documented_parameter_the_record_does_not_model_is_accepted_without_effect(fresh_contoso):
    before = fresh_contoso.state()['organization_config']
    response = fresh_contoso.invoke('Set-OrganizationConfig', {'AutoExpandingArchive': True})
    assert response.status_code == 200
    assert response.json()['@adminapi.warnings'] == []
    assert fresh_contoso.state()['organization_config'] == before


def test_parameter_names_and_cmdlet_names_bind_case_insensitively(fresh_contoso):
    response = fresh_contoso.invoke('set-organizationconfig', {'rejectdirectsend': 1, 'cf': False})
    assert response.status_code == 200
    assert fresh_contoso.state()['organization_config']['RejectDirectSend'] is True


def test_accepted_domains_have_the_live_shape_and_default_flags(fresh_contoso):
    records = fresh_contoso.invoke('Get-AcceptedDomain').json()['value']
    live_keys = set(_live('Get-AcceptedDomain')[0])
    assert all(live_keys <= set(record) for record in records)
    by_name = {record['DomainName']: record for record in records}
    assert set(by_name) == set(CONTOSO_DOMAINS)
    assert by_name['contoso.onmicrosoft.com']['InitialDomain'] is True
    assert by_name['contoso.com']['Default'] is True
    assert [name for name, record in by_name.items() if record['Default']] == ['contoso.com']
    assert by_name['contoso.com']['DomainType'] == 'Authoritative'


def test_get_accepted_domain_by_identity_and_not_found(lab):
    response = lab.invoke('Get-AcceptedDomain', {'Identity': 'CONTOSO.NET'})
    assert [record['DomainName'] for record in response.json()['value']] == ['contoso.net']
    missing = lab.invoke('Get-AcceptedDomain', {'Identity': 'nowhere.example'})
    assert missing.status_code == 404
    error = missing.json()['error']
    assert error['code'] == 'NotFound'
    assert error['message'] == 'Error executing cmdlet'
    assert error['details'][0]['message'].startswith(
        "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed "
        "because object 'nowhere.example' couldn't be found on '")
    assert error['details'][0]['message'].endswith(".PROD.OUTLOOK.COM'.")
    assert _internal(missing)['type'] == 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException'


# -- binding errors -------------------------------------------------------------------------------------------


def test_unknown_parameter_is_ambiguous_parameter_set(lab):
    response = lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': True, 'RejectDirectSendd': True})
    assert response.status_code == 400
    error = response.json()['error']
    assert error['code'] == 'BadRequest' and error['message'] == 'Invalid Operation'
    text = 'Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. RejectDirectSendd'
    assert _internal(response) == {'message': text, 'type': 'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
                                   'stacktrace': ''}
    assert error['details'][0]['message'].endswith('AmbiguousParameterSetException|' + text)


def test_on_premises_only_parameter_is_unknown_in_exchange_online(lab):
    response = lab.invoke('Get-AcceptedDomain', {'DomainController': 'dc1.contoso.com'})
    assert response.status_code == 400
    assert _internal(response)['type'].endswith('AmbiguousParameterSetException')


def test_string_for_a_boolean_is_a_transformation_error(lab):
    response = lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': 'true'})
    assert response.status_code == 400
    assert _internal(response) == {
        'message': "Cannot process argument transformation on parameter 'RejectDirectSend'. Cannot convert value \"System.String\" to "
                   "type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.",
        'type': 'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException', 'stacktrace': ''}


def test_list_for_a_boolean_is_a_transformation_error(lab):
    response = lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': [True]})
    assert response.status_code == 400
    assert 'Cannot convert value "System.Object[]" to type "System.Boolean"' in _internal(response)['message']


def test_invalid_enum_value_lists_the_valid_names(lab):
    response = lab.invoke('Set-OrganizationConfig', {'PublicFoldersEnabled': 'Everywhere'})
    assert response.status_code == 400
    assert _internal(response)['message'] == (
        "Cannot process argument transformation on parameter 'PublicFoldersEnabled'. Cannot convert value \"Everywhere\" to type "
        "\"PublicFoldersDeployment\". Error: \"Unable to match the identifier name Everywhere to a valid enumerator name. Specify one of "
        "the following enumerator names and try again: Local, Remote, None\"")
    assert 'details' not in response.json()['error']


def test_enum_value_in_another_case_binds(fresh_contoso):
    assert fresh_contoso.invoke('Set-OrganizationConfig', {'PublicFoldersEnabled': 'remote'}).status_code == 200
    assert fresh_contoso.state()['organization_config']['PublicFoldersEnabled'] == 'Remote'


def test_result_size_must_be_unlimited_or_a_number(lab):
    assert lab.invoke('Get-AcceptedDomain', {'ResultSize': 'Unlimited'}).status_code == 200
    assert lab.invoke('Get-AcceptedDomain', {'ResultSize': '2'}).status_code == 200
    response = lab.invoke('Get-AcceptedDomain', {'ResultSize': 'lots'})
    assert response.status_code == 400
    assert _internal(response)['type'].endswith('ParameterTransformationException')


def test_parameters_must_be_an_object(lab):
    response = lab.invoke('Get-OrganizationConfig', parameters=['RejectDirectSend'])
    assert response.status_code == 400
    assert response.json()['error']['code'] == 'BadRequest'


def test_unknown_cmdlet_is_command_not_found(lab):
    response = lab.invoke('Get-Unicorn')
    assert response.status_code == 400
    assert _internal(response)['type'] == 'System.Management.Automation.CommandNotFoundException'
    assert _internal(response)['message'].startswith("The term 'Get-Unicorn' is not recognized as a name of a cmdlet")


def test_known_cmdlet_without_handler_is_not_emulated(lab):
    response = lab.invoke('Get-HostedContentFilterRule')
    assert response.status_code == 501
    assert 'does not emulate Get-HostedContentFilterRule' in _internal(response)['message']


def test_parameters_are_checked_before_the_handler_question(lab):
    response = lab.invoke('Get-HostedContentFilterRule', {'Bogus': 1})
    assert response.status_code == 400


# -- CLIXML ---------------------------------------------------------------------------------------------------


def test_without_response_format_json_records_come_as_clixml(fresh_contoso):
    body = fresh_contoso.invoke('Get-AcceptedDomain', {'Identity': 'contoso.com'}, json_format=False).json()
    assert body['@adminapi.warnings'] == []
    assert len(body['value']) == 1 and set(body['value'][0]) == {'_clixml'}
    root = ElementTree.fromstring(body['value'][0]['_clixml'])
    assert root.tag == CLIXML_NS + 'Objs' and root.get('Version') == '1.1.0.1'
    members = {element.get('N'): element for element in root.find(CLIXML_NS + 'Obj').find(CLIXML_NS + 'MS')}
    assert members['DomainName'].tag == CLIXML_NS + 'S' and members['DomainName'].text == 'contoso.com'
    assert members['Default'].tag == CLIXML_NS + 'B' and members['Default'].text == 'true'
    assert members['CatchAllRecipientID'].tag == CLIXML_NS + 'Nil'


def test_clixml_keeps_lists_and_typed_values(fresh_contoso):
    lab = fresh_contoso
    lab.admin('PUT', 'tenants/%s/state' % CONTOSO, {'organization_config': {'IPListBlocked': ['192.0.2.1', '192.0.2.2']}})
    body = lab.invoke('Get-OrganizationConfig', json_format=False).json()
    root = ElementTree.fromstring(body['value'][0]['_clixml'])
    members = {element.get('N'): element for element in root.find(CLIXML_NS + 'Obj').find(CLIXML_NS + 'MS')}
    items = members['IPListBlocked'].find(CLIXML_NS + 'LST')
    assert [item.text for item in items] == ['192.0.2.1', '192.0.2.2']


# -- paging ---------------------------------------------------------------------------------------------------


def test_page_size_gives_next_link_and_warning_and_the_same_body_continues(fresh_contoso):
    lab = fresh_contoso
    first = lab.invoke('Get-AcceptedDomain', headers={'Prefer': 'odata.maxpagesize=2'}).json()
    assert len(first['value']) == 2
    assert first['@adminapi.warnings'] == [MORE_RESULTS]
    assert first['@odata.nextLink'].startswith('%s/adminapi/beta/%s/InvokeCommand?%%24skiptoken=' % (lab.info['api_url'], CONTOSO))
    names = [record['DomainName'] for record in first['value']]
    link = first['@odata.nextLink']
    while link:
        page = lab.invoke('Get-AcceptedDomain', url=link, headers={'Prefer': 'odata.maxpagesize=2'}).json()
        names += [record['DomainName'] for record in page['value']]
        link = page.get('@odata.nextLink')
    assert sorted(names) == sorted(CONTOSO_DOMAINS)


def test_result_size_unlimited_pages_without_warning(lab):
    body = lab.invoke('Get-AcceptedDomain', {'ResultSize': 'Unlimited'}, headers={'Prefer': 'odata.maxpagesize=3'}).json()
    assert len(body['value']) == 3
    assert body['@adminapi.warnings'] == []
    assert '@odata.nextLink' in body


def test_small_result_size_truncates_with_warning(lab):
    body = lab.invoke('Get-AcceptedDomain', {'ResultSize': 2}).json()
    assert len(body['value']) == 2
    assert body['@adminapi.warnings'] == [MORE_RESULTS]


def test_unknown_skiptoken_is_an_invalid_pagination_request(lab):
    response = lab.invoke('Get-AcceptedDomain', url=lab.invoke_url() + '?$skiptoken=bm90LWEtdG9rZW4')
    assert response.status_code == 400
    assert _internal(response)['message'] == 'Expired or Invalid pagination request. Default Expiry time is 00:30:00'


def test_skiptoken_replayed_with_another_body_is_refused(lab):
    first = lab.invoke('Get-AcceptedDomain', headers={'Prefer': 'odata.maxpagesize=2'}).json()
    response = lab.invoke('Get-AcceptedDomain', {'ResultSize': 'Unlimited'}, url=first['@odata.nextLink'])
    assert response.status_code == 400


@pytest.mark.parametrize('prefer', ['odata.maxpagesize=1000', 'odata.maxpagesize = 1000'])
def test_default_page_holds_everything(lab, prefer):
    body = lab.invoke('Get-AcceptedDomain', headers={'Prefer': prefer}).json()
    assert len(body['value']) == 5 and '@odata.nextLink' not in body and body['@adminapi.warnings'] == []
