# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import dns.exception
import dns.message
import dns.opcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset
import dns.rcode
import dns.tsig
import dns.update
import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils import _dns
from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import (
    Change, DnsAuthFailed, DnsConflict, DnsUnreachable, DnsUpdateRefused, RecordSet, Rfc2136Updater,
    parse_nameserver, split_txt, txt_rdata, txt_text)
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError

SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I='


def test_txt_strings_are_at_most_255_bytes_rfc1035_3_3():
    text = 'v=spf1 ' + 'ip4:192.0.2.1 ' * 40 + '-all'
    chunks = split_txt(text)
    assert all(len(chunk) <= 255 for chunk in chunks) and len(chunks) == 3
    assert b''.join(chunks).decode() == text


def test_txt_rdata_round_trips_and_compares_joined_rfc7208_3_3():
    text = 'v=spf1 ' + 'include:spf%d.example.com ' % 1 * 20 + '-all'
    rdata = txt_rdata(text)
    assert len(text) > 255 and len(rdata.strings) == len(split_txt(text)) > 1
    assert txt_text(rdata) == text


def test_txt_rdata_escapes_quotes_and_backslashes():
    text = 'say "hi" \\ there'
    assert txt_text(txt_rdata(text)) == text


def test_empty_txt_is_one_empty_string():
    assert split_txt('') == [b'']


@pytest.mark.parametrize('text,expected', [
    ('192.0.2.1', ('192.0.2.1', 53)), ('192.0.2.1:5353', ('192.0.2.1', 5353)), ('2001:db8::1', ('2001:db8::1', 53)),
    ('[2001:db8::1]:5353', ('2001:db8::1', 5353)), ('[::1]', ('::1', 53)),
])
def test_nameserver_forms(text, expected):
    assert parse_nameserver(text) == expected


def test_bad_nameserver_port_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match='nameservers'):
        parse_nameserver('192.0.2.1:dns')


def test_in_zone():
    assert _dns.in_zone('Example.COM.', 'example.com')
    assert _dns.in_zone('_dmarc.example.com', 'example.com')
    assert not _dns.in_zone('badexample.com', 'example.com')


def test_secret_that_is_not_base64_is_refused_without_showing_it():
    with pytest.raises(ConfigurationError) as raised:
        Rfc2136Updater('192.0.2.53', 53, 'example.com', key_name='k', key_secret='not*base64*at*all')
    assert 'not*base64' not in str(raised.value)
    assert 'key_secret' in str(raised.value)


class Capture:
    """Replaces dns.query.tcp: keeps the message, answers with ``rcode`` or raises ``error``."""

    def __init__(self, rcode=dns.rcode.NOERROR, error=None):
        self.rcode = rcode
        self.error = error
        self.messages = []

    def __call__(self, message, address, port=53, timeout=None):
        self.messages.append(message)
        if self.error is not None:
            raise self.error
        response = dns.message.make_response(message)
        response.set_rcode(self.rcode)
        return response


def updater(monkeypatch, capture):
    monkeypatch.setattr(_dns.dns.query, 'tcp', capture)
    return Rfc2136Updater('192.0.2.53', 5353, 'example.com', key_name='upd-key', key_secret=SECRET)


def test_one_update_message_with_the_rrset_as_read_as_prerequisite_rfc2136_2_4(monkeypatch):
    capture = Capture()
    old = txt_rdata('v=spf1 mx ~all')
    other = txt_rdata('MS=ms123')
    expected = RecordSet('example.com', 'TXT', 'ok', [old, other], 300)
    updater(monkeypatch, capture).send([
        Change(expected, remove=[old], add=[txt_rdata('v=spf1 mx -all')], ttl=300),
        Change(RecordSet('s1._domainkey.example.com', 'CNAME', 'nxdomain'), add=[_dns.cname_rdata('t.example.net')]),
    ])
    assert len(capture.messages) == 1
    message = capture.messages[0]
    assert message.opcode() == dns.opcode.UPDATE
    text = message.to_text()
    assert 'example.com. 0 IN TXT "v=spf1 mx ~all"' in text  # a value-dependent prerequisite is class IN
    # Every RR of the RRset as read, so any change since the read fails the update (RFC 2136 §2.4.2, §3.2.5).
    assert sorted(r.to_text() for rrset in message.prerequisite if rrset.name.to_text() == 'example.com.'
                  for r in rrset) == ['"MS=ms123"', '"v=spf1 mx ~all"']
    assert any(rrset.name.to_text() == 's1._domainkey.example.com.' for rrset in message.prerequisite)
    deleted = [rrset for rrset in message.update if rrset.deleting is not None]
    assert [r.to_text() for r in deleted[0]] == ['"v=spf1 mx ~all"']
    assert message.had_tsig or message.keyname is not None


@pytest.mark.parametrize('error,kind,rcode', [
    (dns.tsig.PeerBadKey(), DnsAuthFailed, 'BADKEY'),
    (dns.tsig.PeerBadSignature(), DnsAuthFailed, 'BADSIG'),
    (dns.tsig.PeerBadTime(), DnsAuthFailed, 'BADTIME'),
    (dns.exception.Timeout(), DnsUnreachable, None),
    (ConnectionRefusedError(111, 'Connection refused'), DnsUnreachable, None),
], ids=['bad-key-rfc8945-5.2', 'bad-signature-rfc8945-5.2', 'bad-time-rfc8945-5.2.3', 'timeout', 'refused-connection'])
def test_transport_and_tsig_failures_are_typed_and_never_show_the_secret(monkeypatch, error, kind, rcode):
    with pytest.raises(kind) as raised:
        updater(monkeypatch, Capture(error=error)).send([Change(RecordSet('example.com', 'TXT', 'nodata'))])
    assert raised.value.rcode == rcode
    assert SECRET not in str(raised.value)
    assert 'zone example.com' in str(raised.value) and '192.0.2.53:5353' in str(raised.value)


@pytest.mark.parametrize('rcode,kind,text', [
    (dns.rcode.REFUSED, DnsUpdateRefused, 'may not update this zone'),
    (dns.rcode.NOTAUTH, DnsUpdateRefused, 'not authoritative'),
    (dns.rcode.NOTZONE, DnsUpdateRefused, 'outside the zone'),
    (dns.rcode.SERVFAIL, DnsUpdateRefused, 'failed to apply'),
    (dns.rcode.NXRRSET, DnsConflict, 'changed after they were read'),
    (dns.rcode.YXDOMAIN, DnsConflict, 'changed after they were read'),
], ids=['refused-rfc2136-3.3', 'notauth-rfc2136-3.1', 'notzone-rfc2136-3.7', 'servfail', 'nxrrset-rfc2136-3.2',
        'yxdomain-rfc2136-3.2'])
def test_error_rcodes_are_typed(monkeypatch, rcode, kind, text):
    with pytest.raises(kind, match=text) as raised:
        updater(monkeypatch, Capture(rcode=rcode)).send([Change(RecordSet('example.com', 'TXT', 'nodata'))])
    assert raised.value.rcode == dns.rcode.to_text(rcode)


def test_resolver_reports_nxdomain_nodata_and_records(monkeypatch):
    resolver = _dns.Resolver([('192.0.2.53', 53)], timeout=1)

    def resolve(qname, rdtype, raise_on_no_answer=False, search=False):
        if qname.to_text() == 'gone.example.com.':
            raise dns.resolver.NXDOMAIN()
        query = dns.message.make_query(qname, rdtype)
        response = dns.message.make_response(query)
        if qname.to_text() == 'example.com.':
            response.answer.append(dns.rrset.from_text(qname, 300, 'IN', 'TXT', '"v=spf1 -all"'))
        return dns.resolver.Answer(qname, dns.rdatatype.from_text(rdtype), dns.rdataclass.IN, response)

    monkeypatch.setattr(resolver._resolver, 'resolve', resolve)
    assert resolver.read('gone.example.com', 'TXT').status == 'nxdomain'
    assert resolver.read('other.example.com', 'TXT').status == 'nodata'
    answer = resolver.read('example.com', 'TXT')
    assert (answer.status, answer.values, answer.ttl) == ('ok', ['v=spf1 -all'], 300)


def test_resolver_timeout_is_unreachable(monkeypatch):
    resolver = _dns.Resolver([('192.0.2.53', 53)], timeout=1)

    def resolve(*args, **kwargs):
        raise dns.resolver.LifetimeTimeout(timeout=1, errors=[])

    monkeypatch.setattr(resolver._resolver, 'resolve', resolve)
    with pytest.raises(DnsUnreachable, match='192.0.2.53:53'):
        resolver.read('example.com', 'TXT')


def test_updates_without_a_key_are_unsigned(monkeypatch):
    capture = Capture()
    monkeypatch.setattr(_dns.dns.query, 'tcp', capture)
    Rfc2136Updater('192.0.2.53', 53, 'example.com').send([Change(RecordSet('example.com', 'TXT', 'nodata'))])
    assert capture.messages[0].keyname is None
    assert isinstance(capture.messages[0], dns.update.UpdateMessage)
