# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._client import ExoClient
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import NotFound
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_resource
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport
from ansible_collections.exoguard.mailflow.plugins.modules.exo_inbound_connector import InboundConnector
from ansible_collections.exoguard.mailflow.plugins.modules.exo_skiplist import SkipList
from ansible_collections.exoguard.mailflow.plugins.modules.exo_transport_rule import TransportRule

SEG = {'Name': 'From SEG', 'Identity': 'From SEG', 'ConnectorType': 'Partner', 'SenderDomains': ['smtp:*;1'],
       'SenderIPAddresses': ['192.0.2.0/24'], 'RestrictDomainsToIPAddresses': False, 'EFSkipIPs': [],
       'EFSkipLastIP': False, 'EFUsers': [], 'Enabled': True, 'RequireTls': True}
RULE = {'Name': 'Safety net', 'Identity': 'Safety net', 'State': 'Enabled', 'Mode': 'Audit', 'Priority': 0,
        'FromScope': 'NotInOrganization', 'ExceptIfSenderIpRanges': ['192.0.2.0/24'], 'PrependSubject': None}


class Tenant(Transport):
    """Answers reads from fixed records and records every call."""

    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, *records):
        self.records = dict((record['Name'].lower(), dict(record)) for record in records)
        self.calls = []

    def invoke(self, cmdlet, parameters):
        self.calls.append((cmdlet, dict(parameters)))
        name = str(parameters.get('Identity') or parameters.get('Name')).lower()
        if cmdlet.startswith('Get-'):
            if name not in self.records:
                raise NotFound("object couldn't be found")
            return InvokeResult([dict(self.records[name])])
        if cmdlet.startswith('Set-'):
            self.records[name].update((k, v) for k, v in parameters.items() if k != 'Identity')
        if cmdlet.startswith('New-'):
            self.records[name] = dict(parameters, Identity=parameters['Name'])
        if cmdlet == 'Enable-TransportRule':
            self.records[name]['State'] = 'Enabled'
        if cmdlet == 'Disable-TransportRule':
            self.records[name]['State'] = 'Disabled'
        return InvokeResult()


def run(resource, tenant, identity, check_mode=False, state='present', **options):
    return run_resource(resource, options, check_mode=check_mode, diff=True, identity=identity, state=state,
                        client_factory=lambda opts: ExoClient(tenant))[0]


BAD_INPUTS = [
    (InboundConnector, {'sender_ip_addresses': ['192.0.2.0/16']}, 'sender_ip_addresses', '/24 to /32'),
    (InboundConnector, {'sender_ip_addresses': ['2001:db8::1']}, 'sender_ip_addresses', 'IPv6'),
    (InboundConnector, {'sender_ip_addresses': ['192.0.2.1-192.0.2.9']}, 'sender_ip_addresses', 'range'),
    (InboundConnector, {'sender_ip_addresses': ['not-an-ip']}, 'sender_ip_addresses', 'not an IP'),
    (InboundConnector, {'restrict_domains_to_ip_addresses': True}, 'restrict_domains_to_ip_addresses', 'sender_ip_addresses'),
    (InboundConnector, {'restrict_domains_to_certificate': True, 'require_tls': True}, 'restrict_domains_to_certificate',
     'tls_sender_certificate_name'),
    (InboundConnector, {'restrict_domains_to_certificate': True, 'tls_sender_certificate_name': '*.gw.example'},
     'restrict_domains_to_certificate', 'needs require_tls: true'),
    (InboundConnector, {'tls_sender_certificate_name': 'mail.gw.example', 'require_tls': False}, 'require_tls',
     'must be true'),
    (InboundConnector, {'restrict_domains_to_certificate': True, 'restrict_domains_to_ip_addresses': True,
                        'tls_sender_certificate_name': 'mail.gw.example', 'require_tls': True,
                        'sender_ip_addresses': ['192.0.2.1']}, 'restrict_domains_to_certificate', 'another for the certificate'),
    (InboundConnector, {'tls_sender_certificate_name': '*', 'require_tls': True}, 'tls_sender_certificate_name', '* alone'),
    (InboundConnector, {'connector_type': 'OnPremises', 'restrict_domains_to_ip_addresses': True,
                        'sender_ip_addresses': ['192.0.2.1']}, 'restrict_domains_to_ip_addresses', 'Partner connectors only'),
    (InboundConnector, {'connector_type': 'Partner', 'treat_messages_as_internal': True}, 'treat_messages_as_internal',
     'OnPremises connectors only'),
    (InboundConnector, {'sender_domains': ['con*toso.com']}, 'sender_domains', 'not a domain'),
    (InboundConnector, {'sender_domains': ['*.*.contoso.com']}, 'sender_domains', 'not a domain'),
    (SkipList, {'ef_skip_ips': ['10.1.2.3']}, 'ef_skip_ips', 'private range'),
    (SkipList, {'ef_skip_ips': ['172.20.0.0/16']}, 'ef_skip_ips', 'private range'),
    (SkipList, {'ef_skip_ips': ['192.168.1.1-192.168.1.9']}, 'ef_skip_ips', 'private range'),
    (SkipList, {'ef_skip_ips': ['300.1.1.1']}, 'ef_skip_ips', 'not an address'),
    (SkipList, {'ef_skip_ips': ['198.51.100.1'], 'ef_skip_last_ip': True}, 'ef_skip_last_ip', 'either skip'),
    (SkipList, {'ef_users': ['not-an-address']}, 'ef_users', 'SMTP address'),
    (TransportRule, {'reject_message_enhanced_status_code': '5.7.68'}, 'reject_message_enhanced_status_code', '5.7.900'),
    (TransportRule, {'reject_message_reason_text': 'x' * 1025}, 'reject_message_reason_text', 'at most 1024'),
    # half a reject action cleared: the message names the half still to clear
    (TransportRule, {'reject_message_reason_text': ''}, 'reject_message_enhanced_status_code', 'both empty'),
    (TransportRule, {'reject_message_reason_text': 'Use the gateway', 'reject_message_enhanced_status_code': ' '},
     'reject_message_reason_text', 'both empty'),
    (TransportRule, {'comments': 'y' * 1025}, 'comments', 'at most 1024'),
    (TransportRule, {'priority': -1}, 'priority', '0'),
    (TransportRule, {'except_if_header_contains_message_header': 'X-SEG'}, 'except_if_header_contains_words', 'together'),
    (TransportRule, {'except_if_header_matches_message_header': 'X-SEG', 'except_if_header_matches_patterns': ['(']},
     'except_if_header_matches_patterns', 'regular expression'),
    (TransportRule, {'except_if_sender_ip_ranges': ['192.0.2.300']}, 'except_if_sender_ip_ranges', 'not an address'),
    (TransportRule, {'extra_parameters': {'NoSuchParameter': 1}}, 'extra_parameters', 'not a New-/Set-TransportRule'),
    (TransportRule, {'extra_parameters': {'Mode': 'Audit'}}, 'extra_parameters', 'own option'),
    (TransportRule, {'extra_parameters': {'Enabled': True}}, 'extra_parameters', 'not a New-/Set-TransportRule'),
]


@pytest.mark.parametrize('resource, options, option, fix', BAD_INPUTS,
                         ids=['%s-%s' % (case[0].__name__, case[2]) for case in BAD_INPUTS])
def test_bad_input_fails_before_any_call_naming_the_option(resource, options, option, fix):
    tenant = Tenant()
    result = run(resource(), tenant, 'From SEG', **options)
    assert result['failed'] is True
    assert result['msg'].startswith('Configuration error: %s:' % option)
    assert fix in result['msg']
    assert tenant.calls == []


def test_a_rule_name_over_64_characters_is_refused_before_any_call():
    tenant = Tenant()
    result = run(TransportRule(), tenant, 'n' * 65, mode='Audit')
    assert 'name' in result['msg'] and 'at most 64' in result['msg']
    assert tenant.calls == []


def test_creating_a_connector_needs_sender_domains_and_writes_nothing():
    tenant = Tenant()
    result = run(InboundConnector(), tenant, 'From SEG', connector_type='Partner')
    assert 'sender_domains' in result['msg']
    assert [call[0] for call in tenant.calls] == ['Get-InboundConnector']


def test_an_on_premises_connector_refuses_partner_only_options_after_the_read():
    tenant = Tenant(dict(SEG, ConnectorType='OnPremises'))
    result = run(InboundConnector(), tenant, 'From SEG', restrict_domains_to_ip_addresses=True,
                 sender_ip_addresses=['192.0.2.0/24'])
    assert 'Partner connectors only' in result['msg']
    assert [call[0] for call in tenant.calls] == ['Get-InboundConnector']


def test_connector_in_read_back_form_matches_what_the_user_writes():
    tenant = Tenant(dict(SEG, SenderIPAddresses=['198.51.100.10', '192.0.2.0/24']))
    result = run(InboundConnector(), tenant, 'from seg', connector_type='Partner', sender_domains=['*'],
                 sender_ip_addresses=['192.0.2.77/24', '198.51.100.10/32'])
    assert result['changed'] is False
    assert [call[0] for call in tenant.calls] == ['Get-InboundConnector']


def test_changing_one_connector_field_sends_only_that_parameter():
    tenant = Tenant(dict(SEG))
    result = run(InboundConnector(), tenant, 'From SEG', sender_domains=['*'], restrict_domains_to_ip_addresses=True,
                 sender_ip_addresses=['192.0.2.0/24'])
    assert result['changed'] is True
    assert tenant.calls[1] == ('Set-InboundConnector', {'Identity': 'From SEG', 'RestrictDomainsToIPAddresses': True})


def test_skiplist_touches_only_enhanced_filtering_and_absent_turns_it_off():
    tenant = Tenant(dict(SEG))
    result = run(SkipList(), tenant, 'From SEG', ef_skip_ips=['198.51.100.10'])
    assert result['changed'] is True
    assert tenant.calls[1] == ('Set-InboundConnector', {'Identity': 'From SEG', 'EFSkipIPs': ['198.51.100.10']})
    tenant.calls = []
    result = run(SkipList(), tenant, 'From SEG', state='absent', ef_skip_ips=None)
    assert result['changed'] is True
    assert tenant.calls[1] == ('Set-InboundConnector', {'Identity': 'From SEG', 'EFSkipIPs': []})
    assert run(SkipList(), tenant, 'From SEG', state='absent')['changed'] is False


def test_skiplist_on_a_missing_connector_fails_without_writing():
    tenant = Tenant()
    result = run(SkipList(), tenant, 'Nope', ef_skip_last_ip=True)
    assert 'exo_inbound_connector' in result['msg']
    assert [call[0] for call in tenant.calls] == ['Get-InboundConnector']


def test_rule_enabled_state_changes_through_enable_and_disable():
    tenant = Tenant(dict(RULE))
    result = run(TransportRule(), tenant, 'Safety net', enabled=False, mode='Enforce')
    assert result['changed'] is True
    assert [call[0] for call in tenant.calls] == ['Get-TransportRule', 'Set-TransportRule', 'Disable-TransportRule',
                                                  'Get-TransportRule']
    assert tenant.calls[1][1] == {'Identity': 'Safety net', 'Mode': 'Enforce'}
    assert 'Enabled' not in tenant.calls[1][1]
    assert result['rule']['State'] == 'Disabled'


def test_rule_only_enabled_change_makes_no_set_call():
    tenant = Tenant(dict(RULE, State='Disabled'))
    run(TransportRule(), tenant, 'Safety net', enabled=True)
    assert [call[0] for call in tenant.calls] == ['Get-TransportRule', 'Enable-TransportRule', 'Get-TransportRule']


def test_rule_reject_action_is_taken_off_with_nulls_when_it_turns_to_quarantine():
    tenant = Tenant(dict(RULE, RejectMessageReasonText='Use the gateway', RejectMessageEnhancedStatusCode='5.7.1',
                         Quarantine=False))
    switch = dict(quarantine=True, reject_message_reason_text='', reject_message_enhanced_status_code='')
    result = run(TransportRule(), tenant, 'Safety net', **switch)
    assert result['changed'] is True
    assert tenant.calls[1] == ('Set-TransportRule', {'Identity': 'Safety net', 'Quarantine': True,
                                                     'RejectMessageReasonText': None,
                                                     'RejectMessageEnhancedStatusCode': None})
    assert result['diff']['after']['reject_message_reason_text'] == ''
    del tenant.calls[:]
    assert run(TransportRule(), tenant, 'Safety net', **switch)['changed'] is False
    assert [call[0] for call in tenant.calls] == ['Get-TransportRule']


def test_a_new_rule_is_created_without_the_cleared_reject_action():
    tenant = Tenant()
    run(TransportRule(), tenant, 'Safety net', quarantine=True, reject_message_reason_text='',
        reject_message_enhanced_status_code='')
    assert tenant.calls[1] == ('New-TransportRule', {'Name': 'Safety net', 'Quarantine': True})


def test_rule_priority_is_compared_only_when_given():
    tenant = Tenant(dict(RULE, Priority=3))
    assert run(TransportRule(), tenant, 'Safety net', mode='audit')['changed'] is False


def test_extra_parameters_are_resolved_without_case_and_compared():
    tenant = Tenant(dict(RULE, PrependSubject='[EXTERNAL] '))
    result = run(TransportRule(), tenant, 'Safety net', extra_parameters={'prependsubject': '[external] '})
    assert result['changed'] is False
    result = run(TransportRule(), tenant, 'Safety net', extra_parameters={'PrependSubject': '[EXT] '})
    assert result['changed'] is True
    assert tenant.calls[-2] == ('Set-TransportRule', {'Identity': 'Safety net', 'PrependSubject': '[EXT] '})
    assert result['diff']['after']['extra_parameters.PrependSubject'] == '[EXT] '


def test_check_mode_for_a_new_rule_predicts_state_and_writes_nothing():
    tenant = Tenant()
    result = run(TransportRule(), tenant, 'Safety net', check_mode=True, enabled=True, mode='Audit',
                 except_if_sender_ip_ranges=['192.0.2.9/24'])
    assert result['changed'] is True
    assert result['rule']['State'] == 'Enabled'
    assert result['rule']['ExceptIfSenderIpRanges'] == ['192.0.2.0/24']
    assert result['diff']['before'] == {}
    assert [call[0] for call in tenant.calls] == ['Get-TransportRule']
