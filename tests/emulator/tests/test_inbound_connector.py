# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-, New-, Set-, Remove-InboundConnector through InvokeCommand: read-back forms and every refusal."""

import json
import os
import re
import uuid

import pytest

from emulator_lab import CONTOSO, FABRIKAM

LIVE_RECORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'live_records.json')
DATA_VALIDATION = 'Microsoft.Exchange.Data.DataValidationException'
TASK_VALIDATION = 'Microsoft.Exchange.Management.Tasks.ValidationException'
ALREADY_EXISTS = 'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException'
UTC_TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$')
MORE_RESULTS = ('There are more results available than are currently displayed. To view them, increase the value for the '
                'ResultSize parameter.')


@pytest.fixture(name='contoso')
def _contoso(fresh_contoso):
    """Contoso without connectors."""
    assert fresh_contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'inbound_connectors': []}).status_code == 200
    return fresh_contoso


def _live_keys():
    with open(LIVE_RECORDS, encoding='utf-8') as handle:
        found = [record['value'] for record in json.load(handle)['records'] if record['cmdlet'] == 'Get-InboundConnector']
    return list(found[0])


def _new(contoso, name='Partner gateway', **parameters):
    parameters = dict({'Name': name, 'SenderDomains': ['*']}, **parameters)
    return contoso.invoke('New-InboundConnector', parameters)


def _created(contoso, name='Partner gateway', **parameters):
    response = _new(contoso, name, **parameters)
    assert response.status_code == 200, response.text
    return response.json()['value'][0]


def _get(contoso, identity):
    response = contoso.invoke('Get-InboundConnector', {'Identity': identity})
    assert response.status_code == 200, response.text
    return response.json()['value'][0]


def _refusal(response, exception_type, text):
    """The refusal a client sees: 400, the .NET type and sentence inside, ``|Type|text`` in details."""
    assert response.status_code == 400, response.text
    error = response.json()['error']
    assert error['code'] == 'BadRequest'
    assert error['innererror']['internalexception'] == {'message': text, 'type': exception_type, 'stacktrace': ''}
    assert error['details'][0]['message'] == '|%s|%s' % (exception_type, text)


def _names(contoso):
    return [connector['Name'] for connector in contoso.state()['inbound_connectors']]


# -- create and read back -------------------------------------------------------------------------------------


def test_new_returns_the_record_in_the_live_shape_with_api_defaults(contoso):
    record = _created(contoso, 'From SEG')
    assert list(record) == _live_keys()
    assert record['Name'] == record['Identity'] == 'From SEG'
    assert str(uuid.UUID(record['Guid'])) == record['Guid']
    assert UTC_TIME.match(record['WhenCreatedUTC']) and record['WhenChangedUTC'] == record['WhenCreatedUTC']
    assert record['SenderDomains'] == ['smtp:*;1']
    assert record['ConnectorSource'] == 'Default'
    assert (record['Enabled'], record['ConnectorType'], record['RequireTls'], record['CloudServicesMailEnabled']) == (True, 'Partner', True, False)
    assert record['RestrictDomainsToIPAddresses'] is False and record['RestrictDomainsToCertificate'] is False
    assert record['TreatMessagesAsInternal'] is False and record['EFSkipLastIP'] is False and record['IsValid'] is True
    for collection in ('SenderIPAddresses', 'TrustedOrganizations', 'ClientHostNames', 'AssociatedAcceptedDomains', 'EFSkipIPs',
                       'EFUsers', 'ScanAndDropRecipients', 'EFSkipMailGateway'):
        assert record[collection] == [], collection
    assert record['TlsSenderCertificateName'] is None and record['Comment'] == ''
    assert _get(contoso, 'From SEG') == record


def test_new_stores_what_it_is_given(contoso):
    record = _created(contoso, 'Hybrid', ConnectorType='onpremises', Comment='from the datacentre', Enabled=False, RequireTls=False,
                      SenderIPAddresses=['198.51.100.10'], EFSkipLastIP=True, AssociatedAcceptedDomains=['contoso.com'],
                      EFUsers=['alex@contoso.com'], ConnectorSource='HybridWizard')
    assert (record['ConnectorType'], record['Comment'], record['Enabled'], record['RequireTls']) == ('OnPremises', 'from the datacentre', False, False)
    assert record['SenderIPAddresses'] == ['198.51.100.10'] and record['EFSkipLastIP'] is True
    assert record['AssociatedAcceptedDomains'] == ['contoso.com'] and record['EFUsers'] == ['alex@contoso.com']
    assert record['ConnectorSource'] == 'HybridWizard'


def test_what_if_creates_nothing(contoso):
    response = _new(contoso, WhatIf=True)
    assert response.status_code == 200 and response.json()['value'] == []
    assert _names(contoso) == []


def test_get_lists_in_creation_order_and_finds_by_name_or_guid_in_any_case(contoso):
    first = _created(contoso, 'Alpha')
    _created(contoso, 'Beta')
    listed = contoso.invoke('Get-InboundConnector').json()['value']
    assert [record['Name'] for record in listed] == ['Alpha', 'Beta']
    assert _get(contoso, 'ALPHA')['Guid'] == first['Guid']
    assert _get(contoso, first['Guid'].upper())['Name'] == 'Alpha'


def test_get_honours_result_size(contoso):
    for name in ('One', 'Two', 'Three'):
        _created(contoso, name)
    body = contoso.invoke('Get-InboundConnector', {'ResultSize': 2}).json()
    assert [record['Name'] for record in body['value']] == ['One', 'Two']
    assert body['@adminapi.warnings'] == [MORE_RESULTS]
    assert len(contoso.invoke('Get-InboundConnector', {'ResultSize': 'Unlimited'}).json()['value']) == 3


@pytest.mark.parametrize('cmdlet, parameters', [
    ('Get-InboundConnector', {'Identity': 'Nowhere'}),
    ('Set-InboundConnector', {'Identity': 'Nowhere', 'Comment': 'x'}),
    ('Remove-InboundConnector', {'Identity': 'Nowhere'}),
])
def test_an_unknown_identity_is_not_found(contoso, cmdlet, parameters):
    response = contoso.invoke(cmdlet, parameters)
    assert response.status_code == 404
    error = response.json()['error']
    assert error['code'] == 'NotFound'
    assert error['details'][0]['message'] == (
        "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because "
        "object 'Nowhere' couldn't be found on 'EXOEMULATOR01DC01.PROD.OUTLOOK.COM'.")


def test_name_and_sender_domains_are_mandatory_on_new(contoso):
    response = contoso.invoke('New-InboundConnector', {'Name': 'No domains'})
    assert response.status_code == 400
    assert response.json()['error']['innererror']['internalexception']['message'] == (
        'Cannot process command because of one or more missing mandatory parameters: SenderDomains.')


def test_a_duplicate_name_in_another_case_already_exists(contoso):
    _created(contoso, 'From SEG')
    _refusal(_new(contoso, 'FROM seg'), ALREADY_EXISTS,
             "The object 'CN=FROM seg,CN=Inbound Connectors,CN=Transport Settings,CN=Configuration,CN=contoso.onmicrosoft.com,"
             "CN=ConfigurationUnits,DC=EXOEMULATOR01,DC=PROD,DC=OUTLOOK,DC=COM' already exists.")
    assert _names(contoso) == ['From SEG']


# -- values and their read-back forms -------------------------------------------------------------------------


def test_sender_domains_read_back_as_address_spaces(contoso):
    record = _created(contoso, SenderDomains=['*', 'contoso.com', '*.fabrikam.com', 'smtp:tailspin.example;1', 'CONTOSO.com'])
    assert record['SenderDomains'] == ['smtp:*;1', 'smtp:contoso.com;1', 'smtp:*.fabrikam.com;1', 'smtp:tailspin.example;1']


@pytest.mark.parametrize('domain', ['con*toso.com', '*.*.contoso.com', 'contoso.*', '*contoso.com', 'mail..contoso.com', ''])
def test_a_wildcard_anywhere_else_is_refused(contoso, domain):
    _refusal(_new(contoso, SenderDomains=[domain]), DATA_VALIDATION,
             "The value '%s' of SenderDomains isn't valid. Use * for all domains, a domain such as contoso.com, or a domain and all its "
             "subdomains such as *.contoso.com; the wildcard character can't be embedded in a domain." % domain)


def test_sender_ip_addresses_take_ipv4_addresses_and_cidr_24_to_32_masked_to_the_network(contoso):
    record = _created(contoso, SenderIPAddresses=['198.51.100.10', '192.168.0.77/25', '203.0.113.9/24', '192.0.2.5/32'])
    assert record['SenderIPAddresses'] == ['198.51.100.10', '192.168.0.0/25', '203.0.113.0/24', '192.0.2.5/32']


@pytest.mark.parametrize('value, reason', [
    ('203.0.112.0/23', 'Valid subnet mask values are /24 through /32.'),
    ('203.0.96.0/19', 'Valid subnet mask values are /24 through /32.'),
    ('2001:db8::25', "IPv6 addresses aren't supported; use IPv4 addresses."),
    ('2001:db8::/120', "IPv6 addresses aren't supported; use IPv4 addresses."),
    ('192.0.2.1-192.0.2.9', "IP address ranges aren't supported; use a single IP address or a CIDR IP address range."),
])
def test_sender_ip_addresses_refuse_wider_masks_ipv6_and_ranges(contoso, value, reason):
    _refusal(_new(contoso, SenderIPAddresses=[value]), DATA_VALIDATION, "The value '%s' of SenderIPAddresses isn't valid. %s" % (value, reason))


def test_something_that_is_no_ip_address_is_refused(contoso):
    _refusal(_new(contoso, SenderIPAddresses=['gateway.example']), DATA_VALIDATION,
             "'gateway.example' isn't a valid IP address, IP address range or CIDR IP address range.")


def test_ef_skip_ips_take_addresses_ranges_and_cidr(contoso):
    record = _created(contoso, EFSkipIPs=['198.51.100.10', '203.0.113.1-203.0.113.20', '192.0.2.130/25', '2001:db8::/64'])
    assert record['EFSkipIPs'] == ['198.51.100.10', '203.0.113.1-203.0.113.20', '192.0.2.128/25', '2001:db8::/64']


@pytest.mark.parametrize('value', ['10.1.2.3', '172.16.5.0/24', '192.168.1.1-192.168.1.9', '9.255.255.250-10.0.0.5'])
def test_ef_skip_ips_refuse_private_ranges(contoso, value):
    _refusal(_new(contoso, EFSkipIPs=[value]), DATA_VALIDATION,
             "The value '%s' of EFSkipIPs isn't valid. Private IP addresses (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) can't be "
             "skipped by Enhanced Filtering." % value)


@pytest.mark.parametrize('name', ['*', 'mail.*.contoso.com', 'not a domain'])
def test_tls_sender_certificate_name_must_be_a_domain_or_wildcard_domain(contoso, name):
    _refusal(_new(contoso, TlsSenderCertificateName=name), DATA_VALIDATION,
             "The value '%s' of TlsSenderCertificateName isn't valid. Use a domain such as contoso.com or a domain and all its subdomains "
             "such as *.contoso.com; * alone isn't allowed." % name)


def test_tls_sender_certificate_name_with_the_default_require_tls(contoso):
    record = _created(contoso, TlsSenderCertificateName='*.contoso.com')
    assert (record['TlsSenderCertificateName'], record['RequireTls']) == ('*.contoso.com', True)


# -- settings that must agree -----------------------------------------------------------------------------------


@pytest.mark.parametrize('parameters, text', [
    ({'RestrictDomainsToIPAddresses': True},
     'RestrictDomainsToIPAddresses is $true, so SenderIPAddresses must list at least one IP address.'),
    ({'RestrictDomainsToIPAddresses': True, 'SenderIPAddresses': ['198.51.100.10'], 'ConnectorType': 'OnPremises'},
     'RestrictDomainsToIPAddresses can be $true only on a Partner connector (ConnectorType Partner).'),
    ({'RestrictDomainsToCertificate': True},
     "RestrictDomainsToCertificate is $true, so TlsSenderCertificateName must name the partner's certificate."),
    ({'RestrictDomainsToCertificate': True, 'TlsSenderCertificateName': 'mail.fabrikam.com', 'ConnectorType': 'OnPremises'},
     'RestrictDomainsToCertificate can be $true only on a Partner connector (ConnectorType Partner).'),
    ({'RestrictDomainsToCertificate': True, 'TlsSenderCertificateName': 'mail.fabrikam.com', 'RestrictDomainsToIPAddresses': True,
      'SenderIPAddresses': ['198.51.100.10']},
     "RestrictDomainsToIPAddresses and RestrictDomainsToCertificate can't both be $true. Use one connector for the IP addresses and another "
     "for the certificate."),
    ({'TlsSenderCertificateName': 'mail.fabrikam.com', 'RequireTls': False},
     'TlsSenderCertificateName can be set only when RequireTls is $true.'),
    ({'TreatMessagesAsInternal': True}, 'TreatMessagesAsInternal can be $true only when ConnectorType is OnPremises.'),
    ({'TreatMessagesAsInternal': True, 'ConnectorType': 'OnPremises', 'CloudServicesMailEnabled': True},
     "TreatMessagesAsInternal can't be $true when CloudServicesMailEnabled is $true."),
    ({'AssociatedAcceptedDomains': ['fabrikam.com']},
     "The domain 'fabrikam.com' in AssociatedAcceptedDomains isn't an accepted domain of this organization."),
])
def test_contradicting_settings_are_refused_on_new(contoso, parameters, text):
    _refusal(_new(contoso, **parameters), TASK_VALIDATION, text)
    assert _names(contoso) == []


@pytest.mark.parametrize('parameters', [
    {'RestrictDomainsToIPAddresses': True, 'SenderIPAddresses': ['198.51.100.0/24']},
    {'RestrictDomainsToCertificate': True, 'TlsSenderCertificateName': '*.fabrikam.com', 'RequireTls': True},
    {'TreatMessagesAsInternal': True, 'ConnectorType': 'OnPremises'},
])
def test_agreeing_settings_are_accepted(contoso, parameters):
    record = _created(contoso, **parameters)
    assert {name: record[name] for name in parameters} == {
        name: (['198.51.100.0/24'] if name == 'SenderIPAddresses' else value) for name, value in parameters.items()}


# -- Set and Remove ---------------------------------------------------------------------------------------------


def test_set_is_checked_against_the_connector_it_would_leave(contoso):
    _created(contoso, 'Restricted', SenderIPAddresses=['198.51.100.10'])
    assert contoso.invoke('Set-InboundConnector', {'Identity': 'Restricted', 'RestrictDomainsToIPAddresses': True}).status_code == 200
    _refusal(contoso.invoke('Set-InboundConnector', {'Identity': 'Restricted', 'SenderIPAddresses': []}), TASK_VALIDATION,
             'RestrictDomainsToIPAddresses is $true, so SenderIPAddresses must list at least one IP address.')
    _created(contoso, 'Pinned', TlsSenderCertificateName='mail.fabrikam.com')
    _refusal(contoso.invoke('Set-InboundConnector', {'Identity': 'Pinned', 'RequireTls': False}), TASK_VALIDATION,
             'TlsSenderCertificateName can be set only when RequireTls is $true.')
    assert _get(contoso, 'Restricted')['SenderIPAddresses'] == ['198.51.100.10']
    assert _get(contoso, 'Pinned')['RequireTls'] is True


def test_set_changes_the_connector_and_when_changed(contoso):
    created = _created(contoso, 'Gateway')
    response = contoso.invoke('Set-InboundConnector', {'Identity': 'gateway', 'Comment': 'moved', 'SenderIPAddresses': ['192.0.2.77/26']})
    assert response.status_code == 200 and response.json()['value'] == [] and response.json()['@adminapi.warnings'] == []
    record = _get(contoso, 'Gateway')
    assert record['Comment'] == 'moved' and record['SenderIPAddresses'] == ['192.0.2.64/26']
    assert record['WhenCreatedUTC'] == created['WhenCreatedUTC'] and record['WhenChangedUTC'] >= created['WhenChangedUTC']
    assert record['Guid'] == created['Guid']


def test_set_adds_and_removes_sender_domains_in_either_spelling(contoso):
    _created(contoso, 'Gateway', SenderDomains=['*', 'contoso.com'])
    change = {'@odata.type': '#Exchange.GenericHashTable', 'Add': ['fabrikam.com'], 'Remove': ['*', 'smtp:contoso.com;1']}
    assert contoso.invoke('Set-InboundConnector', {'Identity': 'Gateway', 'SenderDomains': change}).status_code == 200
    assert _get(contoso, 'Gateway')['SenderDomains'] == ['smtp:fabrikam.com;1']


def test_set_renames_and_identity_follows(contoso):
    _created(contoso, 'Old name')
    _created(contoso, 'Other')
    _refusal(contoso.invoke('Set-InboundConnector', {'Identity': 'Old name', 'Name': 'OTHER'}), ALREADY_EXISTS,
             "The object 'CN=OTHER,CN=Inbound Connectors,CN=Transport Settings,CN=Configuration,CN=contoso.onmicrosoft.com,"
             "CN=ConfigurationUnits,DC=EXOEMULATOR01,DC=PROD,DC=OUTLOOK,DC=COM' already exists.")
    assert contoso.invoke('Set-InboundConnector', {'Identity': 'Old name', 'Name': 'New name'}).status_code == 200
    record = _get(contoso, 'new NAME')
    assert record['Name'] == record['Identity'] == 'New name'
    assert contoso.invoke('Get-InboundConnector', {'Identity': 'Old name'}).status_code == 404
    assert contoso.invoke('Set-InboundConnector', {'Identity': 'New name', 'Name': 'NEW NAME'}).status_code == 200
    assert _names(contoso) == ['NEW NAME', 'Other']


def test_set_without_a_change_warns(contoso):
    _created(contoso, 'Gateway', Comment='same')
    response = contoso.invoke('Set-InboundConnector', {'Identity': 'Gateway', 'Comment': 'same'})
    assert response.status_code == 200
    assert response.json()['@adminapi.warnings'] == ["The command completed successfully but no settings of 'Gateway' have been modified."]


def test_set_has_no_client_host_names(contoso):
    _created(contoso, 'Gateway')
    response = contoso.invoke('Set-InboundConnector', {'Identity': 'Gateway', 'ClientHostNames': ['mx.contoso.com']})
    assert response.status_code == 400
    assert response.json()['error']['innererror']['internalexception']['type'].endswith('AmbiguousParameterSetException')


def test_remove_deletes_the_connector(contoso):
    _created(contoso, 'Alpha')
    _created(contoso, 'Beta')
    response = contoso.invoke('Remove-InboundConnector', {'Identity': 'ALPHA'})
    assert response.status_code == 200 and response.json()['value'] == []
    assert _names(contoso) == ['Beta']
    assert contoso.invoke('Remove-InboundConnector', {'Identity': 'Alpha'}).status_code == 404


def test_a_reader_may_list_but_not_create(contoso):
    assert contoso.invoke('Get-InboundConnector', token=contoso.token('reader')).status_code == 200
    assert _new(contoso).status_code == 200
    response = contoso.invoke('New-InboundConnector', {'Name': 'Other', 'SenderDomains': ['*']}, token=contoso.token('reader'))
    assert response.status_code == 401


def test_clixml_answer_names_the_connector_type(contoso):
    _created(contoso, 'Gateway')
    body = contoso.invoke('Get-InboundConnector', json_format=False).json()
    assert 'Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.TenantInboundConnector' in body['value'][0]['_clixml']


# -- scenario state ----------------------------------------------------------------------------------------------


def test_scenario_connectors_are_completed_with_defaults(contoso):
    given = {'Name': 'Legacy', 'ConnectorSource': 'AdminUI', 'SenderDomains': ['smtp:*;1', 'contoso.com'],
             'SenderIPAddresses': ['198.51.100.7/24'], 'RequireTls': False}
    assert contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'inbound_connectors': [given]}).status_code == 200
    record = _get(contoso, 'Legacy')
    assert list(record) == _live_keys()
    assert record['SenderDomains'] == ['smtp:*;1', 'smtp:contoso.com;1']
    assert record['SenderIPAddresses'] == ['198.51.100.0/24']
    assert (record['ConnectorSource'], record['RequireTls'], record['Enabled'], record['EFSkipIPs']) == ('AdminUI', False, True, [])
    assert record['Identity'] == 'Legacy' and str(uuid.UUID(record['Guid'])) == record['Guid']
    fabrikam = contoso.state(FABRIKAM)['inbound_connectors'][0]
    assert list(fabrikam) == _live_keys() and fabrikam['Name'] == 'From SEG' and fabrikam['ConnectorType'] == 'Partner'


@pytest.mark.parametrize('connectors', [
    [{'ConnectorType': 'Partner'}],
    [{'Name': 'Typo', 'RequireTLSS': True}],
    [{'Name': 'Twice'}, {'Name': 'TWICE'}],
    [{'Name': 'Bad IP', 'SenderIPAddresses': ['not-an-ip']}],
])
def test_scenario_connectors_that_cannot_be_read_are_refused(contoso, connectors):
    assert contoso.admin('PUT', 'tenants/%s/state' % CONTOSO, {'inbound_connectors': connectors}).status_code == 400
