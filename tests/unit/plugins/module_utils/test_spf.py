# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils import _spf
from ansible_collections.exoguard.mailflow.tests.unit.plugins.module_utils.dns_fakes import FakeDns

VALID = [
    ('rfc7208-4.5-bare-version', 'v=spf1'),
    ('rfc7208-4.5-version-upper-case', 'V=SPF1 -all'),
    ('rfc7208-12-mechanisms-case-insensitive', 'v=spf1 IP4:192.0.2.1 MX Include:spf.example.com -ALL'),
    ('rfc7208-12-repeated-spaces', 'v=spf1  ip4:192.0.2.1   -all '),
    ('rfc7208-5.1-all-qualifiers', 'v=spf1 +all'),
    ('rfc7208-5.1-bare-all', 'v=spf1 all'),
    ('rfc7208-5.3-a-cidr', 'v=spf1 a/24 a:mail.example.com/28 a//64 a:x.example.com/24//64 -all'),
    ('rfc7208-5.4-mx-domain', 'v=spf1 mx mx:example.org ~all'),
    ('rfc7208-5.5-ptr', 'v=spf1 ptr ptr:example.com -all'),
    ('rfc7208-5.6-ip4-network', 'v=spf1 ip4:198.51.100.0/24 ip4:0.0.0.0/0 -all'),
    ('rfc7208-5.6-ip6', 'v=spf1 ip6:2001:db8::/32 ip6:::1 -all'),
    ('rfc7208-5.7-exists-macro', 'v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all'),
    ('rfc7208-6.1-redirect', 'v=spf1 redirect=_spf.example.com'),
    ('rfc7208-6.2-exp', 'v=spf1 -all exp=explain._spf.%{d}'),
    ('rfc7208-6-unknown-modifier', 'v=spf1 foo=bar -all'),
    ('rfc7208-7.1-escapes', 'v=spf1 exists:%%%_%-.example.com -all'),
    ('rfc7208-7.1-upper-case-macro', 'v=spf1 exists:%{S}.example.com -all'),
    ('rfc7208-12-domain-trailing-dot', 'v=spf1 include:spf.example.com. -all'),
    ('rfc7208-12-hyphenated-toplabel', 'v=spf1 include:spf.example.xn--p1ai -all'),
]

INVALID = [
    ('rfc7208-4.5-not-version-1', 'v=spf10 -all', 'v=spf1'),
    ('rfc7208-5-unknown-mechanism', 'v=spf1 inlcude:spf.example.com -all', 'unknown mechanism'),
    ('rfc7208-4.6-error-after-all', 'v=spf1 -all ip4:192.0.2.300', 'not an IPv4 address'),
    ('rfc7208-4.6-junk-after-all', 'v=spf1 -all foo', 'unknown mechanism'),
    ('rfc7208-5.1-all-with-value', 'v=spf1 -all:example.com', 'takes no argument'),
    ('rfc7208-5.2-include-without-domain', 'v=spf1 include -all', 'needs ":" and a domain'),
    ('rfc7208-5.2-include-empty-domain', 'v=spf1 include: -all', 'needs ":" and a domain'),
    ('rfc7208-5.6-ip4-octet', 'v=spf1 ip4:192.0.2.256 -all', 'not an IPv4 address'),
    ('rfc7208-5.6-ip4-leading-zero', 'v=spf1 ip4:192.0.2.01 -all', 'not an IPv4 address'),
    ('rfc7208-5.6-ip4-cidr-33', 'v=spf1 ip4:192.0.2.0/33 -all', '0-32'),
    ('rfc7208-5.6-ip4-cidr-leading-zero', 'v=spf1 ip4:192.0.2.0/024 -all', '0-32'),
    ('rfc7208-5.6-ip6-in-ip4', 'v=spf1 ip4:2001:db8::1 -all', 'use ip6'),
    ('rfc7208-5.6-ip6-cidr-129', 'v=spf1 ip6:2001:db8::/129 -all', '0-128'),
    ('rfc7208-5.6-dual-cidr-too-long', 'v=spf1 a/33 -all', '0-32'),
    ('rfc7208-5.6-dual-cidr-garbage', 'v=spf1 mx/x -all', 'CIDR lengths'),
    ('rfc7208-12-ip-as-domain', 'v=spf1 a:192.0.2.10 -all', 'ip4:/ip6:'),
    ('rfc7208-12-single-label-domain', 'v=spf1 include:localhost -all', 'with a dot'),
    ('rfc7208-12-numeric-toplabel', 'v=spf1 include:spf.example.123 -all', 'top-level label'),
    ('rfc7208-4.3-empty-label', 'v=spf1 include:spf..example.com -all', 'empty label'),
    ('rfc7208-7.1-unknown-macro-letter', 'v=spf1 exists:%{x}.example.com -all', 'macro letter'),
    ('rfc7208-7.1-unclosed-macro', 'v=spf1 exists:%{d.example.com -all', 'not closed'),
    ('rfc7208-7.1-lone-percent', 'v=spf1 exists:50%.example.com -all', '%%'),
    ('rfc7208-7.2-exp-only-letter-outside-exp', 'v=spf1 exists:%{c}.example.com -all', 'explanation text'),
    ('rfc7208-7.3-zero-labels', 'v=spf1 exists:%{d0}.example.com -all', 'zero labels'),
    ('rfc7208-7.1-bad-delimiter', 'v=spf1 exists:%{d2*}.example.com -all', 'delimiter'),
    ('rfc7208-12-qualifier-on-modifier', 'v=spf1 ~redirect=example.com', 'no qualifier'),
    ('rfc7208-6-redirect-twice', 'v=spf1 redirect=a.example.com redirect=b.example.com', 'appears 2 times'),
    ('rfc7208-6-exp-twice', 'v=spf1 -all exp=a.example.com exp=b.example.com', 'appears 2 times'),
    ('rfc7208-12-non-ascii', 'v=spf1 include:spf.exämple.com -all', 'non-ASCII'),
]


@pytest.mark.parametrize('text', [case[1] for case in VALID], ids=[case[0] for case in VALID])
def test_valid_records_parse_without_errors(text):
    assert _spf.parse(text).errors == []


@pytest.mark.parametrize('text,expected', [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_records_give_a_syntax_error_naming_the_problem(text, expected):
    errors = _spf.parse(text).errors
    assert len(errors) == 1
    assert expected in errors[0]


@pytest.mark.parametrize('text,is_spf', [
    ('v=spf1', True), ('v=spf1 -all', True), ('V=SPF1 -ALL', True), ('v=spf10 -all', False),
    (' v=spf1 -all', False), ('spf2.0/pra -all', False), ('google-site-verification=x', False),
], ids=['bare', 'normal', 'upper-case-rfc7208-4.5', 'spf10-rfc7208-4.5', 'leading-space', 'sender-id', 'other'])
def test_record_selection_rfc7208_4_5(text, is_spf):
    assert _spf.is_spf(text) is is_spf


def test_unknown_modifier_named_like_a_mechanism_warns_rfc7208_6():
    record = _spf.parse('v=spf1 include=spf.example.com -all')
    assert record.errors == []
    assert 'did you mean "include:spf.example.com"' in record.warnings[0]


def test_build_writes_terms_cheapest_first_and_at_for_the_domain():
    text = _spf.build(ip4=['192.0.2.1'], ip6=['2001:db8::/32'], a=['@', '@/24', 'mail.example.com'], mx=['@'],
                      include=['spf.protection.outlook.com'], exists=['%{i}.x.example.com'], all_qualifier='-all')
    assert text == ('v=spf1 ip4:192.0.2.1 ip6:2001:db8::/32 a a/24 a:mail.example.com mx '
                    'include:spf.protection.outlook.com exists:%{i}.x.example.com -all')
    assert _spf.build(redirect='_spf.example.com') == 'v=spf1 redirect=_spf.example.com'


@pytest.mark.parametrize('left,right,same', [
    ('v=spf1 ip4:192.0.2.1 include:a.example -all', 'V=SPF1  +include:A.example ip4:192.0.2.1 -ALL', True),
    ('v=spf1 ip4:192.0.2.0/24 -all', 'v=spf1 ip4:192.0.2.0/24 ~all', False),
    ('v=spf1 ip6:2001:DB8::1 -all', 'v=spf1 ip6:2001:db8:0::1 -all', True),
    ('v=spf1 -ip4:192.0.2.1 ip4:192.0.2.0/24 -all', 'v=spf1 ip4:192.0.2.0/24 -ip4:192.0.2.1 -all', False),
    ('v=spf1 mx -all', 'v=spf1 mx -all exp=x.example', False),
], ids=['order-case-plus', 'different-all', 'ip6-forms', 'order-matters-around-fail', 'modifier'])
def test_canonical_form_equal_when_receivers_treat_records_the_same(left, right, same):
    assert (_spf.canonical(left) == _spf.canonical(right)) is same


VENDOR = {
    ('_spf.vendor.example', 'TXT'): ['v=spf1 include:_a.vendor.example include:_b.vendor.example ~all'],
    ('_a.vendor.example', 'TXT'): ['v=spf1 ip4:198.51.100.0/24 ~all'],
    ('_b.vendor.example', 'TXT'): ['v=spf1 ip4:203.0.113.0/24 ~all'],
    ('mail.example.com', 'A'): ['192.0.2.10'],
    ('example.com', 'MX'): ['10 mail.example.com.'],
}


def audit(text, records=None, failing=(), require_hard_fail=True):
    merged = dict(VENDOR)
    merged.update(records or {})
    fake = FakeDns(merged, failing=failing)
    return _spf.SpfAudit(fake, require_hard_fail=require_hard_fail).audit_record('example.com', text)


def errors(findings):
    return [item['message'] for item in findings if item['severity'] == 'error']


def warnings(findings):
    return [item['message'] for item in findings if item['severity'] == 'warning']


def test_findings_have_record_severity_and_message():
    findings = audit('v=spf1 ip4:192.0.2.1 ~all')
    assert findings and all(set(item) == {'record', 'severity', 'message'} for item in findings)
    assert all(item['record'] == 'spf' for item in findings)


def test_ten_lookups_after_following_includes_are_allowed_rfc7208_4_6_4():
    # 3 per vendor include (the include and its two nested ones) x 3 + 1 mx = 10.
    assert errors(audit('v=spf1 include:_spf.vendor.example include:_spf.vendor.example '
                        'include:_spf.vendor.example mx -all')) == []


def test_eleven_lookups_after_following_includes_are_an_error_rfc7208_4_6_4():
    found = errors(audit('v=spf1 include:_spf.vendor.example include:_spf.vendor.example '
                         'include:_spf.vendor.example mx a:mail.example.com -all'))
    assert len(found) == 1 and '11 DNS-querying terms' in found[0] and '§4.6.4' in found[0]


def test_redirect_counts_and_its_lookups_count_rfc7208_4_6_4():
    records = {('r.example.com', 'TXT'): ['v=spf1 ' + 'a:mail.example.com ' * 10 + '-all']}
    assert '11 DNS-querying terms' in errors(audit('v=spf1 redirect=r.example.com', records))[0]


def test_terms_after_all_are_not_counted_but_warned_rfc7208_4_6_2():
    findings = audit('v=spf1 -all ' + 'a:mail.example.com ' * 11)
    assert errors(findings) == []
    assert any('never evaluated' in message for message in warnings(findings))


def test_three_void_lookups_are_an_error_rfc7208_4_6_4():
    found = errors(audit('v=spf1 a:gone1.example.com a:gone2.example.com mx:gone3.example.com -all'))
    assert len(found) == 1 and '3 void lookups' in found[0]


def test_two_void_lookups_are_warnings_only_rfc7208_4_6_4():
    findings = audit('v=spf1 a:gone1.example.com mx:gone2.example.com -all')
    assert errors(findings) == []
    assert sum('void lookup' in message for message in warnings(findings)) == 2


def test_include_of_a_name_without_spf_is_permerror_rfc7208_5_2():
    records = {('plain.example.com', 'TXT'): ['hello']}
    assert 'publishes no SPF record' in errors(audit('v=spf1 include:plain.example.com -all', records))[0]
    assert '§5.2' in errors(audit('v=spf1 include:nothing.example.com -all'))[0]


def test_redirect_to_a_name_without_spf_is_permerror_rfc7208_6_1():
    assert '§6.1' in errors(audit('v=spf1 redirect=nothing.example.com'))[0]


def test_redirect_is_ignored_when_all_is_present_rfc7208_6_1():
    findings = audit('v=spf1 redirect=nothing.example.com -all')
    assert errors(findings) == []
    assert any('is ignored' in message for message in warnings(findings))


def test_include_with_two_spf_records_is_permerror_rfc7208_4_5():
    records = {('two.example.com', 'TXT'): ['v=spf1 -all', 'v=spf1 ~all']}
    assert '2 SPF records' in errors(audit('v=spf1 include:two.example.com -all', records))[0]


def test_include_loop_is_an_error_rfc7208_4_6_4():
    records = {('loop.example.com', 'TXT'): ['v=spf1 include:example.com -all']}
    assert 'loops back' in errors(audit('v=spf1 include:loop.example.com -all', records))[0]


def test_syntax_error_inside_an_include_is_an_error_naming_the_chain_rfc7208_5_2():
    records = {('bad.example.com', 'TXT'): ['v=spf1 ip4:192.0.2.999 -all']}
    found = errors(audit('v=spf1 include:bad.example.com -all', records))
    assert 'reached through include:bad.example.com' in found[0]


def test_mx_with_more_than_ten_hosts_is_permerror_rfc7208_4_6_4():
    records = {('many.example.com', 'MX'): ['%d mx%d.example.com.' % (index, index) for index in range(11)]}
    assert '11 MX records' in errors(audit('v=spf1 mx:many.example.com -all', records))[0]


def test_macro_terms_count_one_lookup_and_are_not_followed_rfc7208_7():
    findings = audit('v=spf1 include:%{d}.spf.example.net exists:%{i}.x.example.com -all')
    assert errors(findings) == []


def test_failed_lookup_is_a_warning_not_an_error():
    findings = audit('v=spf1 include:down.example.net -all', failing=['down.example.net'])
    assert errors(findings) == []
    assert 'could not be checked' in warnings(findings)[0]


@pytest.mark.parametrize('text,expected', [
    ('v=spf1 mx +all', 'every host'),
    ('v=spf1 mx all', 'every host'),
    ('v=spf1 mx ?all', 'neutral'),
    ('v=spf1 mx ~all', 'soft-fails'),
    ('v=spf1 mx', 'no all mechanism'),
    ('v=spf1 ptr -all', 'ptr mechanism'),
], ids=['plus-all-rfc7208-5.1', 'bare-all-rfc7208-4.6.2', 'neutral-rfc7208-8.2', 'softfail-rfc7208-8.5',
        'default-neutral-rfc7208-4.7', 'ptr-rfc7208-5.5'])
def test_weak_records_warn(text, expected):
    findings = audit(text)
    assert errors(findings) == []
    assert any(expected in message for message in warnings(findings))


def test_soft_fail_accepted_when_policy_allows_it():
    assert not any('soft-fails' in message for message in warnings(audit('v=spf1 mx ~all', require_hard_fail=False)))


def test_policy_of_a_redirect_target_is_the_records_policy_rfc7208_6_1():
    records = {('r.example.com', 'TXT'): ['v=spf1 mx ?all']}
    assert any('redirect target r.example.com' in message
               for message in warnings(audit('v=spf1 redirect=r.example.com', records)))


def test_soft_fail_inside_an_include_does_not_warn():
    assert not any('soft-fails' in message for message in warnings(audit('v=spf1 include:_spf.vendor.example -all')))


def test_audit_texts_several_spf_records_are_permerror_rfc7208_4_5():
    found = _spf.SpfAudit(FakeDns()).audit_texts('example.com', ['v=spf1 -all', 'v=spf1 mx -all', 'other'])
    assert found[0]['severity'] == 'error' and '2 SPF records' in found[0]['message']


def test_audit_texts_without_spf_record_is_a_warning():
    found = _spf.SpfAudit(FakeDns()).audit_texts('example.com', ['MS=ms123', 'v=spf10 -all'])
    assert [item['severity'] for item in found] == ['warning']


def test_record_over_450_bytes_warns_rfc7208_3_4():
    text = 'v=spf1 ' + ' '.join('ip4:198.51.100.%d' % index for index in range(1, 30)) + ' -all'
    assert any('bytes' in message for message in warnings(audit(text)))
