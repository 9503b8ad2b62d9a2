# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.exoguard.mailflow.plugins.filter.snapshot_options import FilterModule, snapshot_options

#: An inbound connector as Get-InboundConnector returns it, annotations included.
CONNECTOR = {
    'Name': 'From Secure Email Gateway',
    'ConnectorType': 'Partner',
    'SenderDomains@odata.type': '#Collection(String)',
    'SenderDomains': ['smtp:*;1'],
    'SenderIPAddresses@odata.type': '#Collection(String)',
    'SenderIPAddresses': ['192.0.2.0/24', '198.51.100.10'],
    'RestrictDomainsToIPAddresses': True,
    'RestrictDomainsToCertificate': False,
    'TlsSenderCertificateName': None,
    'RequireTls': True,
    'Enabled': True,
    'Comment': None,
    'EFSkipIPs': [],
    'EFSkipLastIP': False,
    'EFUsers': None,
    'Identity': 'From Secure Email Gateway',
    'WhenChanged@data.type': 'System.DateTime',
    'WhenChanged': '2026-01-05T10:00:00Z',
}

CONNECTOR_OPTIONS = ['connector_type', 'sender_domains', 'sender_ip_addresses', 'restrict_domains_to_ip_addresses',
                     'restrict_domains_to_certificate', 'tls_sender_certificate_name', 'require_tls', 'enabled',
                     'comment']


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'snapshot_options': snapshot_options}


def test_each_option_gets_the_value_of_its_property():
    assert snapshot_options(CONNECTOR, CONNECTOR_OPTIONS) == {
        'connector_type': 'Partner',
        'sender_domains': ['smtp:*;1'],
        'sender_ip_addresses': ['192.0.2.0/24', '198.51.100.10'],
        'restrict_domains_to_ip_addresses': True,
        'restrict_domains_to_certificate': False,
        'tls_sender_certificate_name': None,
        'require_tls': True,
        'enabled': True,
        'comment': None,
    }


@pytest.mark.parametrize('option, key, value', [
    ('restrict_domains_to_ip_addresses', 'RestrictDomainsToIPAddresses', True),  # IP in capitals
    ('ip_allow_list', 'IPAllowList', ['203.0.113.0/24']),
    ('ef_skip_ips', 'EFSkipIPs', ['192.0.2.10']),
    ('ef_skip_last_ip', 'EFSkipLastIP', True),
    ('ef_users', 'EFUsers', ['pilot@contoso.com']),
    ('tls_sender_certificate_name', 'TlsSenderCertificateName', 'mail.seg.example'),
    ('reject_message_enhanced_status_code', 'RejectMessageEnhancedStatusCode', '5.7.1'),
    ('except_if_sender_ip_ranges', 'ExceptIfSenderIpRanges', ['192.0.2.0/24']),
    ('high_confidence_phish_action', 'HighConfidencePhishAction', 'Quarantine'),
    ('enable_spoof_intelligence', 'EnableSpoofIntelligence', True),
])
def test_options_are_the_snake_case_of_properties_whatever_their_capitals(option, key, value):
    assert snapshot_options({key: value, 'Name': 'Default'}, [option]) == {option: value}


@pytest.mark.parametrize('key', ['restrictdomainstoipaddresses', 'RESTRICTDOMAINSTOIPADDRESSES',
                                 'restrictDomainsToIpAddresses'])
def test_properties_are_found_without_regard_to_case(key):
    assert snapshot_options({key: True}, ['restrict_domains_to_ip_addresses']) == {
        'restrict_domains_to_ip_addresses': True}


def test_options_the_record_does_not_have_are_left_out():
    record = {'Name': 'Default', 'BulkThreshold': 6}
    assert snapshot_options(record, ['bulk_threshold', 'spam_action', 'quarantine_retention_period']) == {
        'bulk_threshold': 6}


def test_a_property_near_the_options_name_is_not_taken_for_it():
    # Only the exact property matches: no prefix, no suffix, no other word order.
    record = {'EFSkipIPs': ['192.0.2.10'], 'SenderIPAddressesExtra': ['x'], 'AddressesSenderIP': ['y']}
    assert snapshot_options(record, ['ef_skip_ip', 'sender_ip_addresses']) == {}


@pytest.mark.parametrize('value', [None, False, 0, '', [], {}])
def test_null_false_and_empty_values_are_kept_as_the_record_has_them(value):
    # An option the record holds is restored even when its value is falsy: false must go back as false.
    assert snapshot_options({'Enabled': value}, ['enabled']) == {'enabled': value}


def test_lists_come_back_whole_and_in_order():
    record = {'IPAllowList': ['203.0.113.9', '192.0.2.0/24', '203.0.113.1']}
    assert snapshot_options(record, ['ip_allow_list']) == {'ip_allow_list': ['203.0.113.9', '192.0.2.0/24',
                                                                             '203.0.113.1']}


def test_odata_annotations_are_never_options():
    found = snapshot_options(CONNECTOR, ['sender_domains', 'when_changed', 'sender_domains@odata.type',
                                         'when_changed@data.type'])
    assert found == {'sender_domains': ['smtp:*;1'], 'when_changed': '2026-01-05T10:00:00Z'}
    assert snapshot_options({'@odata.context': 'https://example/$metadata', 'Enabled@odata.type': '#Boolean'},
                            ['odata.context', 'enabled']) == {}


def test_the_record_is_not_changed():
    record = copy.deepcopy(CONNECTOR)
    snapshot_options(record, CONNECTOR_OPTIONS + ['ef_skip_ips'])
    assert record == CONNECTOR


def test_no_options_give_an_empty_result():
    assert snapshot_options(CONNECTOR, []) == {}
    assert snapshot_options({}, CONNECTOR_OPTIONS) == {}


def test_options_may_be_any_iterable_of_names():
    # The role passes `dict.keys() | list`; a tuple or the keys themselves work too.
    antispam = {'bulk_threshold': 6, 'spam_action': 'MoveToJmf'}
    record = {'BulkThreshold': 7, 'SpamAction': 'AddXHeader', 'HighConfidenceSpamAction': 'Quarantine'}
    expected = {'bulk_threshold': 7, 'spam_action': 'AddXHeader'}
    assert snapshot_options(record, list(antispam.keys())) == expected
    assert snapshot_options(record, tuple(antispam)) == expected
    assert snapshot_options(record, antispam.keys()) == expected


def test_the_result_keeps_the_options_names_as_given():
    assert snapshot_options({'RequireTls': False}, ['require_tls']) == {'require_tls': False}
    assert list(snapshot_options(CONNECTOR, ['enabled', 'connector_type'])) == ['enabled', 'connector_type']


@pytest.mark.parametrize('record', [None, [], [CONNECTOR], 'Name: x', 42])
def test_anything_but_a_record_is_refused(record):
    with pytest.raises(AnsibleFilterError) as raised:
        snapshot_options(record, ['enabled'])
    assert 'needs a record (a dict)' in str(raised.value)
    assert type(record).__name__ in str(raised.value)
