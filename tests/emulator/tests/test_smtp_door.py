# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SMTP front door, spoken to with smtplib."""

import smtplib
import socket

import pytest

from emulator_lab import CONTOSO, FABRIKAM

MESSAGE = b'From: a@partner.example\r\nTo: b@contoso.com\r\nSubject: Quarterly numbers\r\nMessage-ID: <m1@partner.example>\r\n\r\nHello.\r\n'


@pytest.fixture
def smtp(lab):
    client = smtplib.SMTP(lab.info['smtp_host'], lab.info['smtp_port'], timeout=10)
    yield client
    try:
        client.quit()
    except smtplib.SMTPException:
        pass


def _from_ip(client, address):
    client.ehlo('gateway.partner.example')
    code, text = client.docmd('XCLIENT', 'ADDR=%s' % address)
    assert code == 220, text
    client.ehlo('gateway.partner.example')


def test_greeting_and_ehlo_advertise_the_extensions(lab):
    client = smtplib.SMTP()
    code, banner = client.connect(lab.info['smtp_host'], lab.info['smtp_port'])
    assert code == 220 and b'Microsoft ESMTP MAIL Service ready' in banner
    code, _text = client.ehlo('client.example')
    assert code == 250
    for extension in ('pipelining', 'size', '8bitmime', 'xclient'):
        assert client.has_extn(extension)
    assert 'ADDR' in client.esmtp_features['xclient'].upper()
    client.quit()


def test_mail_from_a_partner_is_accepted_and_recorded_with_the_xclient_address(fresh_contoso, smtp):
    _from_ip(smtp, '203.0.113.25')
    refused = smtp.sendmail('a@partner.example', ['b@contoso.com'], MESSAGE)
    assert refused == {}
    messages = fresh_contoso.admin('GET', 'tenants/%s/messages' % CONTOSO).json()['messages']
    assert len(messages) == 1
    message = messages[0]
    assert (message['client_ip'], message['mail_from'], message['rcpt_to'], message['status']) == (
        '203.0.113.25', 'a@partner.example', ['b@contoso.com'], 'Delivered')
    assert message['subject'] == 'Quarterly numbers' and message['message_id'] == '<m1@partner.example>'


def test_recipient_in_no_tenant_is_relay_denied(smtp):
    smtp.ehlo('client.example')
    smtp.mail('a@partner.example')
    code, text = smtp.rcpt('someone@unknown.example')
    assert (code, text) == (550, b'5.7.64 TenantAttribution; Relay Access Denied')


def test_direct_send_spoofing_an_accepted_domain_is_refused_when_reject_direct_send_is_on(lab, smtp):
    _from_ip(smtp, '198.51.100.7')
    smtp.mail('ceo@fabrikam.com')
    code, text = smtp.rcpt('finance@fabrikam.com')
    assert code == 550
    assert text == b'5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources'
    rejections = lab.admin('GET', 'tenants/%s/messages' % FABRIKAM).json()['rejections']
    assert rejections[-1]['client_ip'] == '198.51.100.7' and rejections[-1]['mail_from'] == 'ceo@fabrikam.com'


def test_foreign_sender_is_not_direct_send(smtp):
    smtp.ehlo('client.example')
    smtp.mail('someone@partner.example')
    assert smtp.rcpt('finance@fabrikam.com')[0] == 250


def test_direct_send_is_accepted_while_reject_direct_send_is_off_and_refused_once_set(fresh_contoso, smtp):
    lab = fresh_contoso
    smtp.ehlo('printer.contoso.com')
    smtp.mail('scanner@contoso.com')
    assert smtp.rcpt('staff@contoso.com')[0] == 250
    smtp.rset()
    assert lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': True}).status_code == 200
    smtp.mail('scanner@contoso.com')
    assert smtp.rcpt('staff@contoso.com')[0] == 550


def test_commands_out_of_order_are_refused(smtp):
    assert smtp.docmd('MAIL', 'FROM:<a@partner.example>')[0] == 503
    smtp.ehlo('client.example')
    assert smtp.docmd('RCPT', 'TO:<b@contoso.com>')[0] == 503
    assert smtp.docmd('DATA')[0] == 503
    assert smtp.docmd('BANNER')[0] == 500
    assert smtp.noop()[0] == 250


def test_xclient_needs_a_valid_address_and_starts_the_session_over(smtp):
    smtp.ehlo('client.example')
    assert smtp.docmd('XCLIENT', 'ADDR=not-an-ip')[0] == 501
    assert smtp.docmd('XCLIENT', 'ADDR=192.0.2.1')[0] == 220
    assert smtp.docmd('MAIL', 'FROM:<a@partner.example>')[0] == 503


def test_overlong_command_line_is_refused_and_the_session_goes_on(lab):
    with socket.create_connection((lab.info['smtp_host'], lab.info['smtp_port']), timeout=10) as connection:
        reader = connection.makefile('rb')
        assert reader.readline().startswith(b'220 ')
        connection.sendall(b'NOOP ' + b'x' * 5000 + b'\r\n')
        assert reader.readline().startswith(b'500 5.5.2')
        connection.sendall(b'NOOP\r\n')
        assert reader.readline().startswith(b'250 ')
        connection.sendall(b'QUIT\r\n')
        assert reader.readline().startswith(b'221 ')
