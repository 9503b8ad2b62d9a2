# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import socketserver
import ssl
import threading

import pytest
import trustme

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError
from ansible_collections.exoguard.mailflow.plugins.module_utils._smtp import (
    Expectation, endpoint_for_domain, run_probe)

DIRECT_SEND = '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources'
RESTRICTED = '550 5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message\'s recipient domain.'


class Session(socketserver.StreamRequestHandler):
    """A small front door: own-domain senders from outside get 5.7.68, other senders from outside 5.7.51, the
    gateway (XCLIENT 192.0.2.25, or a TLS client certificate) is accepted."""

    def setup(self):
        super(Session, self).setup()
        self.client_ip = self.client_address[0]
        self.tls_client = None
        self.mail_from = None
        self.log = self.server.log

    def reply(self, line):
        self.wfile.write((line + '\r\n').encode())
        self.wfile.flush()

    def handle(self):
        self.reply('220 door.test Microsoft ESMTP MAIL Service ready')
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip('\r\n')
            self.log.append(line)
            verb, _separator, argument = line.partition(' ')
            verb = verb.upper()
            if verb == 'EHLO':
                extensions = ['250-door.test Hello [%s]' % self.client_ip, '250-ENHANCEDSTATUSCODES']
                if self.server.xclient:
                    extensions.append('250-XCLIENT ADDR')
                if self.server.context is not None and self.tls_client is None:
                    extensions.append('250-STARTTLS')
                extensions.append('250 8BITMIME')
                self.wfile.write(('\r\n'.join(extensions) + '\r\n').encode())
                self.wfile.flush()
            elif verb == 'XCLIENT':
                self.client_ip = argument.split('=', 1)[1]
                self.reply('220 door.test ready')
            elif verb == 'STARTTLS':
                self.reply('220 2.0.0 SMTP server ready')
                connection = self.server.context.wrap_socket(self.connection, server_side=True)
                self.connection = connection
                self.rfile = connection.makefile('rb')
                self.wfile = connection.makefile('wb')
                self.tls_client = connection.getpeercert() or {}
            elif verb == 'MAIL':
                self.mail_from = argument.split(':', 1)[1].strip('<> ')
                self.reply('250 2.1.0 Sender OK')
            elif verb == 'RCPT':
                gateway = self.client_ip == '192.0.2.25' or bool(self.tls_client)
                if gateway:
                    self.reply('250 2.1.5 Recipient OK')
                elif self.mail_from.endswith('@contoso.com'):
                    self.reply(DIRECT_SEND)
                else:
                    self.reply(RESTRICTED)
            elif verb == 'DATA':
                self.reply('354 Start mail input; end with <CRLF>.<CRLF>')
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b'.\r\n', b''):
                        break
                    lines.append(data)
                self.server.messages.append(b''.join(lines).decode())
                self.reply('250 2.6.0 <probe@door.test> Queued mail for delivery')
            elif verb == 'RSET':
                self.reply('250 2.0.0 Resetting')
            elif verb == 'QUIT':
                self.reply('221 2.0.0 Service closing transmission channel')
                return
            else:
                self.reply('500 5.3.3 Unrecognized command')


class Door(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope='module')
def ca():
    return trustme.CA()


@pytest.fixture
def door(ca, tmp_path):
    server = Door(('127.0.0.1', 0), Session)
    server.log, server.messages, server.xclient = [], [], True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert('127.0.0.1', 'door.test').configure_cert(context)
    context.verify_mode = ssl.CERT_OPTIONAL
    ca.configure_trust(context)
    server.context = context
    ca_file = tmp_path / 'ca.pem'
    ca.cert_pem.write_to_path(str(ca_file))
    client = ca.issue_cert('seg.fabrikam.example')
    client_file = tmp_path / 'seg.pem'
    client.private_key_and_cert_chain_pem.write_to_path(str(client_file))
    server.files = {'ca': str(ca_file), 'client': str(client_file)}
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def options(door, **extra):
    base = {'host': '127.0.0.1', 'port': door.server_address[1], 'helo': 'probe.test', 'mail_from': 'ceo@contoso.com',
            'rcpt_to': 'finance@contoso.com', 'timeout': 5, 'validate_certs': True, 'ca_path': door.files['ca']}
    base.update(extra)
    return base


def test_endpoint_of_a_domain_is_its_mail_protection_host():
    assert endpoint_for_domain('Contoso.com') == 'contoso-com.mail.protection.outlook.com'
    assert endpoint_for_domain('mail.fabrikam-lab.example.') == 'mail-fabrikam-lab-example.mail.protection.outlook.com'


def test_direct_send_spoof_is_refused_at_rcpt_with_the_enhanced_code(door):
    result, warnings = run_probe(options(door, xclient_addr='203.0.113.50', expect='550 5.7.68'))
    assert 'failed' not in result
    assert (result['stage'], result['code'], result['enhanced_code']) == ('rcpt', 550, '5.7.68')
    assert result['text'].startswith('5.7.68 TenantInboundAttribution; Direct Send not allowed')
    assert result['accepted'] is False and result['changed'] is False
    assert [reply['stage'] for reply in result['replies']] == ['connect', 'ehlo', 'xclient', 'ehlo', 'mail', 'rcpt']
    assert warnings == []


def test_a_different_outcome_than_expected_fails_the_task_and_says_what_came(door):
    result, _warnings = run_probe(options(door, mail_from='someone@fabrikam.example', expect='5.7.68'))
    assert result['failed'] is True
    assert result['msg'].startswith('expected 5.7.68, got 550 5.7.51 at rcpt: 5.7.51 TenantInboundAttribution')


@pytest.mark.parametrize('expect, met', [('rejected', True), ('accepted', False), ('5.7.51', True), ('550', True),
                                         ('550 5.7.51', True), ('554 5.7.51', False), ('5.7.68', False)])
def test_expectations_match_the_reply_the_probe_stopped_at(door, expect, met):
    result, _warnings = run_probe(options(door, mail_from='someone@fabrikam.example', expect=expect))
    assert ('failed' not in result) is met


def test_gateway_ip_is_accepted_and_the_probe_ends_without_sending_mail(door):
    result, _warnings = run_probe(options(door, xclient_addr='192.0.2.25', mail_from='partner@fabrikam.example',
                                          expect='accepted'))
    assert (result['stage'], result['code'], result['accepted'], result['data_sent']) == ('done', 250, True, False)
    assert door.messages == []
    verbs = [line.split()[0].upper() for line in door.log]
    assert 'RSET' in verbs and 'DATA' not in verbs


def test_data_sends_a_clearly_marked_test_message(door):
    result, _warnings = run_probe(options(door, xclient_addr='192.0.2.25', mail_from='partner@fabrikam.example',
                                          data=True, probe_id='abc123', expect='accepted'))
    assert (result['stage'], result['code'], result['enhanced_code'], result['data_sent']) == ('done', 250, '2.6.0', True)
    assert result['probe_id'] == 'abc123'
    message = door.messages[0]
    assert 'Subject: exoguard.mailflow probe abc123' in message
    assert 'X-Exoguard-Probe: abc123' in message


def test_check_mode_never_sends_data(door):
    result, warnings = run_probe(options(door, xclient_addr='192.0.2.25', mail_from='partner@fabrikam.example',
                                         data=True), check_mode=True)
    assert result['accepted'] is True and result['data_sent'] is False
    assert door.messages == []
    assert warnings == ['check mode: DATA was not sent, the probe stopped after RCPT TO']


def test_starttls_with_the_gateway_certificate_is_accepted(door):
    result, _warnings = run_probe(options(door, mail_from='partner@fabrikam.example', starttls=True,
                                          client_certificate=door.files['client'], expect='accepted'))
    assert result['tls'] is True and result['accepted'] is True
    assert [reply['stage'] for reply in result['replies']] == ['connect', 'ehlo', 'starttls', 'ehlo', 'mail', 'rcpt']


def test_an_untrusted_server_certificate_fails_the_task_naming_ca_path(door, tmp_path):
    other = trustme.CA()
    other_file = tmp_path / 'other.pem'
    other.cert_pem.write_to_path(str(other_file))
    result, _warnings = run_probe(options(door, starttls=True, ca_path=str(other_file), expect='rejected'))
    assert result['failed'] is True and result['stage'] == 'starttls'
    assert result['msg'].startswith('STARTTLS failed:') and 'ca_path' in result['msg']


def test_xclient_on_a_server_without_it_stops_with_a_clear_reason(door):
    door.xclient = False
    result, _warnings = run_probe(options(door, xclient_addr='192.0.2.25'))
    assert (result['stage'], result['code'], result['accepted']) == ('xclient', None, False)
    assert 'never Exchange Online' in result['text']


def test_unreachable_endpoint_fails_and_says_port_25_may_be_blocked():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    port = listener.getsockname()[1]
    listener.close()
    result, _warnings = run_probe({'host': '127.0.0.1', 'port': port, 'mail_from': 'a@contoso.com',
                                   'rcpt_to': 'b@contoso.com', 'timeout': 2, 'expect': 'rejected'})
    assert result['failed'] is True
    assert (result['stage'], result['reachable'], result['accepted']) == ('connect', False, False)
    assert result['msg'].startswith('SMTP endpoint unreachable: 127.0.0.1:%d' % port)


@pytest.mark.parametrize('bad, option', [
    ({'host': None}, 'host'),
    ({'xclient_addr': 'not-an-ip'}, 'xclient_addr'),
    ({'client_certificate': '/tmp/x.pem'}, 'client_certificate'),
    ({'rcpt_to': 'nobody'}, 'rcpt_to'),
    ({'expect': 'delivered'}, 'expect'),
])
def test_unusable_options_fail_before_connecting_naming_the_option(bad, option):
    base = {'host': '127.0.0.1', 'port': 9, 'mail_from': 'a@contoso.com', 'rcpt_to': 'b@contoso.com'}
    base.update(bad)
    result, _warnings = run_probe(base)
    assert result['failed'] is True
    assert result['msg'].startswith('Configuration error: %s:' % option)


def test_expectation_parses_codes():
    assert Expectation('550 5.7.68').code == 550
    assert Expectation('5.7.51').enhanced == '5.7.51'
    with pytest.raises(ConfigurationError):
        Expectation('bounced')
