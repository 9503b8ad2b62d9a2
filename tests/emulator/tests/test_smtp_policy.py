# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The front door's policy through real SMTP: STARTTLS, connector attribution, 5.7.68 / 5.7.51 / 454, transport
rules, and the attack matrix of issue 6."""

import json
import re
import smtplib
import ssl

import pytest

from emulator_lab import CONTOSO, CONTOSO_DOMAINS
from mail_lab import (ATTACKER_IP, CONNECTOR, DS_TEXT, GATEWAY_IP, PARTNER_PREFIX, PHASES, REJECT_TEXT, RULE, RULE_CODE, connector,
                      messages, p1, p2, p3, probe, rule, set_state)


@pytest.fixture
def door(lab):
    """Contoso with no connectors, rules or mail, Direct Send allowed."""
    set_state(lab, {'organization_config': {}, 'accepted_domains': CONTOSO_DOMAINS, 'inbound_connectors': [], 'transport_rules': []})
    lab.admin('DELETE', 'tenants/%s/messages' % CONTOSO)
    yield lab
    set_state(lab, {'organization_config': {}, 'inbound_connectors': [], 'transport_rules': []})
    lab.admin('DELETE', 'tenants/%s/messages' % CONTOSO)


@pytest.fixture(scope='module')
def gateway_certificate(lab, tmp_path_factory):
    """A client certificate for mx.gateway.contoso.com, issued by the emulator's CA (cert file, key file)."""
    issued = lab.admin('POST', 'smtp/client-certificates', {'common_name': 'mx1.gateway.contoso.com',
                                                            'dns_names': ['mx1.gateway.contoso.com', 'relay.contoso.com']})
    assert issued.status_code == 201, issued.text
    directory = tmp_path_factory.mktemp('gateway')
    (directory / 'cert.pem').write_text(issued.json()['certificate'])
    (directory / 'key.pem').write_text(issued.json()['private_key'])
    return str(directory / 'cert.pem'), str(directory / 'key.pem')


def test_ehlo_offers_starttls_and_the_server_certificate_fits_the_mail_protection_names(lab):
    client = smtplib.SMTP(lab.info['smtp_host'], lab.info['smtp_port'], timeout=10)
    client.ehlo('client.example')
    assert client.has_extn('starttls')
    context = ssl.create_default_context(cafile=lab.info['ca_file'])
    assert client.starttls(context=context)[0] == 220
    names = [value for kind, value in client.sock.getpeercert()['subjectAltName']]
    assert '*.mail.protection.outlook.com' in names and '127.0.0.1' in names
    client.ehlo('client.example')
    assert not client.has_extn('starttls')  # not offered twice
    client.quit()


def test_tls_session_and_client_certificate_are_recorded(door, gateway_certificate):
    outcome = probe(door, 'a@northwind.example', 'b@contoso.com', tls=True, client_cert=gateway_certificate)
    assert outcome.accepted
    plain = probe(door, 'a@northwind.example', 'b@contoso.com', tls=True)
    assert plain.accepted
    recorded = messages(door)['messages']
    assert recorded[0]['tls'] is True and recorded[0]['tls_version'].startswith('TLSv1.')
    assert recorded[0]['client_certificate'] == {'subject_cn': 'mx1.gateway.contoso.com', 'sans': ['mx1.gateway.contoso.com', 'relay.contoso.com']}
    assert recorded[1]['tls'] is True and recorded[1]['client_certificate'] is None


def test_certificate_connector_attributes_by_wildcard_name_and_restriction_refuses_others(door, gateway_certificate):
    set_state(door, {'inbound_connectors': [{'Name': 'Cert SEG', 'ConnectorType': 'Partner', 'SenderDomains': ['*'], 'RequireTls': True,
                                             'TlsSenderCertificateName': '*.contoso.com', 'RestrictDomainsToCertificate': True}]})
    assert probe(door, 'a@northwind.example', 'b@contoso.com', client_ip=ATTACKER_IP, tls=True, client_cert=gateway_certificate).accepted
    refused = probe(door, 'a@northwind.example', 'b@contoso.com', client_ip=ATTACKER_IP, tls=True)
    assert (refused.stage, refused.code) == ('rcpt', 550) and refused.text.startswith(PARTNER_PREFIX)
    message = messages(door)['messages'][0]
    assert (message['connector'], message['attributed_by'], message['auth_as']) == ('Cert SEG', 'certificate', 'Partner')


def test_partner_restriction_text_carries_server_time_and_id(door):
    set_state(door, {'inbound_connectors': [connector(restricted=True)]})
    refused = p2(door)
    match = re.match(re.escape(PARTNER_PREFIX) + r'(\S+) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([0-9A-F]{16})\]$', refused.text)
    assert refused.code == 550 and match, refused.text
    assert match.group(1).endswith('.mail.protection.outlook.com')


def test_restriction_covers_only_the_connectors_sender_domains(door):
    set_state(door, {'inbound_connectors': [connector(restricted=True, SenderDomains=['*.northwind.example'])]})
    assert probe(door, 'a@mail.northwind.example', 'b@contoso.com', client_ip=ATTACKER_IP).code == 550
    assert probe(door, 'a@northwind.example', 'b@contoso.com', client_ip=ATTACKER_IP).code == 550
    assert probe(door, 'a@tailspin.example', 'b@contoso.com', client_ip=ATTACKER_IP).accepted


def test_require_tls_applies_to_mail_that_matched_the_connector(door):
    set_state(door, {'inbound_connectors': [connector(SenderIPAddresses=['192.0.2.0/24'])]})
    refused = probe(door, 'a@northwind.example', 'b@contoso.com', client_ip='192.0.2.77')
    assert (refused.code, refused.text) == (454, '4.7.0 Failed to establish appropriate TLS channel: Access Denied')
    assert probe(door, 'a@northwind.example', 'b@contoso.com', client_ip='192.0.2.77', tls=True).accepted
    assert probe(door, 'a@northwind.example', 'b@contoso.com', client_ip=ATTACKER_IP).accepted  # no connector: not subject to it
    rejection = messages(door)['rejections'][-1]
    assert rejection['enhanced_code'] == '4.7.0' and rejection['connector'] == CONNECTOR


def test_disabled_connector_does_not_attribute(door):
    set_state(door, {'organization_config': {'RejectDirectSend': True}, 'inbound_connectors': [connector(Enabled=False)]})
    assert probe(door, 'ceo@contoso.com', 'b@contoso.com', client_ip=GATEWAY_IP, tls=True).text == DS_TEXT


def test_direct_send_checks_subdomains_only_with_match_subdomains(door):
    domains = [{'DomainName': 'contoso.com', 'MatchSubDomains': False}] + CONTOSO_DOMAINS[1:]
    set_state(door, {'organization_config': {'RejectDirectSend': True}, 'accepted_domains': domains})
    assert probe(door, 'x@sub.contoso.com', 'b@contoso.com', client_ip=ATTACKER_IP).accepted
    set_state(door, {'accepted_domains': [{'DomainName': 'contoso.com', 'MatchSubDomains': True}] + CONTOSO_DOMAINS[1:]})
    assert probe(door, 'x@sub.contoso.com', 'b@contoso.com', client_ip=ATTACKER_IP).text == DS_TEXT


def test_direct_send_is_checked_before_the_partner_restriction(door):
    set_state(door, PHASES['phase3'])
    assert p1(door).text == DS_TEXT
    assert p2(door).text.startswith(PARTNER_PREFIX)


def test_on_premises_connector_marks_mail_internal_so_the_rule_exception_holds(door):
    set_state(door, {'inbound_connectors': [{'Name': 'On-prem', 'ConnectorType': 'OnPremises', 'SenderDomains': ['*'],
                                             'SenderIPAddresses': ['203.0.113.5'], 'RequireTls': False, 'TreatMessagesAsInternal': True}],
                     'transport_rules': [rule('Enforce')]})
    outcome = probe(door, 'app@contoso.com', 'b@contoso.com', client_ip='203.0.113.5')
    assert outcome.accepted
    message = messages(door)['messages'][-1]
    assert message['auth_as'] == 'Internal' and message['status'] == 'Delivered' and message['rules'] == []
    assert ['X-MS-Exchange-Organization-AuthAs', 'Internal'] in message['added_headers']


def test_enforced_rule_fails_the_message_after_250_with_its_code(door):
    set_state(door, {'transport_rules': [rule('Enforce')]})
    outcome = p2(door)
    assert outcome.accepted  # the SMTP session saw 250: the rejection is an NDR
    message = messages(door)['messages'][-1]
    assert message['status'] == 'Failed'
    assert message['rules'] == [{'name': RULE, 'guid': message['rules'][0]['guid'], 'mode': 'Enforce', 'actions': ['RejectMessage', 'SetAuditSeverity'],
                                 'outcome': 'Reject', 'code': RULE_CODE, 'text': REJECT_TEXT}]
    event = [row for row in messages(door)['email_events'] if row['InternetMessageId'] == outcome.message_id][0]
    assert (event['DeliveryAction'], event['DeliveryLocation']) == ('Blocked', 'Dropped')
    assert json.loads(event['AdditionalFields'])['EnhancedStatusCode'] == RULE_CODE


def test_quarantine_stop_processing_and_priority(door):
    quarantine = {'Name': 'Q', 'Priority': 0, 'SubjectContainsWords': ['invoice'], 'Quarantine': True}
    stop = {'Name': 'Stop', 'Priority': 1, 'SenderDomainIs': ['northwind.example'], 'StopRuleProcessing': True, 'SetAuditSeverity': 'Low'}
    reject = {'Name': 'Reject all', 'Priority': 2, 'RejectMessageReasonText': 'no'}
    set_state(door, {'transport_rules': [quarantine, stop, reject]})
    probe(door, 'a@tailspin.example', 'b@contoso.com', subject='Your invoice')
    probe(door, 'a@northwind.example', 'b@contoso.com', subject='hello')
    probe(door, 'a@tailspin.example', 'b@contoso.com', subject='hello')
    statuses = [(message['status'], [hit['name'] for hit in message['rules']]) for message in messages(door)['messages']]
    assert statuses == [('Quarantined', ['Q']), ('Delivered', ['Stop']), ('Failed', ['Reject all'])]


def test_rule_with_a_condition_the_emulator_does_not_evaluate_never_matches(door):
    set_state(door, {'transport_rules': [{'Name': 'Attachments', 'AttachmentSizeOver': '10 MB', 'RejectMessageReasonText': 'too big'}]})
    assert p2(door).accepted
    assert messages(door)['messages'][-1]['status'] == 'Delivered'


def test_header_pattern_exception_and_disabled_rules(door):
    excepted = dict(rule('Enforce'), ExceptIfHeaderMatchesMessageHeader='Subject', ExceptIfHeaderMatchesPatterns=['^P2 .*spoof$'])
    set_state(door, {'transport_rules': [excepted]})
    assert p2(door).accepted and messages(door)['messages'][-1]['status'] == 'Delivered'
    set_state(door, {'transport_rules': [dict(rule('Enforce'), State='Disabled')]})
    assert p2(door).accepted and messages(door)['messages'][-1]['status'] == 'Delivered'


def test_enhanced_filtering_headers_when_the_connector_skips_the_last_hop(door):
    set_state(door, {'inbound_connectors': [connector(EFSkipLastIP=True)]})
    client = smtplib.SMTP(door.info['smtp_host'], door.info['smtp_port'], timeout=10)
    client.ehlo('seg.example')
    client.docmd('XCLIENT', 'ADDR=%s' % GATEWAY_IP)
    client.ehlo('seg.example')
    client.starttls(context=ssl.create_default_context(cafile=door.info['ca_file']))
    client.ehlo('seg.example')
    body = ('Received: from mail.northwind.example (mail.northwind.example [203.0.113.200]) by seg.example\r\n'
            'Received: from laptop (unknown [10.1.2.3]) by mail.northwind.example\r\n'
            'From: a@northwind.example\r\nSubject: EF\r\n\r\nbody\r\n')
    assert client.sendmail('a@northwind.example', ['b@contoso.com'], body) == {}
    client.quit()
    added = dict(messages(door)['messages'][-1]['added_headers'])
    assert added['X-MS-Exchange-SkipListedInternetSender'] == 'ip=[%s];domain=seg.example' % GATEWAY_IP
    assert added['X-MS-Exchange-ExternalOriginalInternetSender'] == 'ip=[203.0.113.200];domain=mail.northwind.example'


MATRIX = [
    # state, P1, P2, P3 ('ok' accepted and delivered, 'audit' accepted with a rule event, 'fail' accepted then failed by the rule)
    ('before', 'ok', 'ok', 'ok'),
    ('phase1', 'audit', 'audit', 'ok'),
    ('phase2', '5.7.51', '5.7.51', 'ok'),
    ('phase3', '5.7.68', '5.7.51', 'ok'),
    ('phase4', '5.7.68', '5.7.51', 'ok'),
    ('lifted', '5.7.68', 'fail', 'ok'),
    ('rollback', 'ok', 'ok', 'ok'),
]


def _check(lab, outcome, expected):
    if expected.startswith('5.'):
        assert (outcome.stage, outcome.code, outcome.text.split(' ')[0]) == ('rcpt', 550, expected), outcome
        return
    assert outcome.accepted, outcome
    message = [item for item in messages(lab)['messages'] if item['message_id'] == outcome.message_id][0]
    hits = [(hit['name'], hit['mode'], hit['outcome']) for hit in message['rules']]
    assert {'ok': ('Delivered', []), 'audit': ('Delivered', [(RULE, 'Audit', None)]),
            'fail': ('Failed', [(RULE, 'Enforce', 'Reject')])}[expected] == (message['status'], hits)


def test_attack_matrix(door):
    for state, *expected in MATRIX:
        set_state(door, PHASES[state])
        for probe_function, wanted in zip((p1, p2, p3), expected):
            _check(door, probe_function(door), wanted)
    everything = messages(door)
    # Every refusal is kept for hunting, none in the accepted messages.
    codes = sorted(rejection['enhanced_code'] for rejection in everything['rejections'])
    assert codes == ['5.7.51'] * 4 + ['5.7.68'] * 3
    assert len(everything['messages']) == 21 - 7
