# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils import _dmarc
from ansible_collections.exoguard.mailflow.tests.unit.plugins.module_utils.dns_fakes import FakeDns

VALID = [
    ('rfc7489-6.4-minimal', 'v=DMARC1; p=none'),
    ('rfc7489-6.4-no-spaces', 'v=DMARC1;p=reject'),
    ('rfc7489-6.4-trailing-separator', 'v=DMARC1; p=reject;'),
    ('rfc7489-6.4-spaces-around-equals', 'v = DMARC1 ; p = quarantine'),
    ('rfc7489-6.4-tag-names-case-insensitive', 'V=DMARC1; P=REJECT; SP=Quarantine; ADKIM=S; ASPF=r'),
    ('rfc7489-6.3-all-tags', 'v=DMARC1; p=reject; sp=none; pct=100; adkim=s; aspf=r; fo=0:1:d:s; rf=afrf; '
                             'ri=86400; rua=mailto:a@example.com; ruf=mailto:f@example.com'),
    ('rfc7489-6.2-size-limit', 'v=DMARC1; p=none; rua=mailto:a@example.com!10m'),
    ('rfc7489-6.2-two-uris', 'v=DMARC1; p=none; rua=mailto:a@example.com, mailto:b@example.org'),
    ('rfc7489-6.2-https-uri', 'v=DMARC1; p=none; rua=https://reports.example.net/dmarc'),
    ('rfc7489-6.3-pct-zero', 'v=DMARC1; p=quarantine; pct=0'),
    ('rfc9091-np', 'v=DMARC1; p=reject; np=reject'),
]

INVALID = [
    ('rfc7489-6.3-p-missing', 'v=DMARC1; rua=mailto:a@example.com', 'p tag is missing'),
    ('rfc7489-6.3-p-invalid', 'v=DMARC1; p=rejectt', 'p=rejectt'),
    ('rfc7489-6.3-sp-invalid', 'v=DMARC1; p=reject; sp=block', 'sp=block'),
    ('rfc9091-np-invalid', 'v=DMARC1; p=reject; np=nothing', 'np=nothing'),
    ('rfc7489-6.3-adkim-invalid', 'v=DMARC1; p=reject; adkim=strict', 'adkim=strict'),
    ('rfc7489-6.3-aspf-invalid', 'v=DMARC1; p=reject; aspf=x', 'aspf=x'),
    ('rfc7489-6.3-pct-over-100', 'v=DMARC1; p=reject; pct=150', 'pct=150'),
    ('rfc7489-6.3-pct-not-number', 'v=DMARC1; p=reject; pct=half', 'pct=half'),
    ('rfc7489-6.3-ri-not-number', 'v=DMARC1; p=reject; ri=daily', 'ri=daily'),
    ('rfc7489-6.3-fo-invalid', 'v=DMARC1; p=reject; fo=2', 'fo=2'),
    ('rfc7489-6.3-rf-invalid', 'v=DMARC1; p=reject; rf=a f r f', 'rf='),
    ('rfc7489-6.2-rua-without-mailto', 'v=DMARC1; p=reject; rua=dmarc@example.com', 'write mailto:dmarc@example.com'),
    ('rfc7489-6.2-rua-not-an-address', 'v=DMARC1; p=reject; rua=mailto:not-an-address', 'e-mail address'),
    ('rfc7489-6.2-rua-empty', 'v=DMARC1; p=reject; rua=', 'empty'),
    ('rfc7489-6.2-rua-empty-item', 'v=DMARC1; p=reject; rua=mailto:a@example.com,', 'empty report URI'),
    ('rfc7489-6.4-duplicate-tag', 'v=DMARC1; p=none; p=reject', 'appears twice'),
    ('rfc7489-6.4-not-a-pair', 'v=DMARC1; p=reject; garbage', 'tag=value'),
    ('rfc7489-6.4-empty-tag', 'v=DMARC1; p=reject;; rua=mailto:a@example.com', 'tag=value'),
    ('rfc7489-6.4-version-case-sensitive', 'v=dmarc1; p=reject', 'upper case'),
    ('rfc7489-6.6.3-leading-space', ' v=DMARC1; p=reject', 'without leading spaces'),
    ('rfc7489-6.4-version-not-first', 'p=reject; v=DMARC1', 'must start with "v=DMARC1"'),
    ('rfc7489-6.4-not-dmarc', 'v=spf1 -all', 'does not start with "v=DMARC1"'),
]


@pytest.mark.parametrize('text', [case[1] for case in VALID], ids=[case[0] for case in VALID])
def test_valid_records_parse_without_errors(text):
    assert _dmarc.parse(text).errors == []


@pytest.mark.parametrize('text,expected', [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_records_give_one_error_naming_the_problem(text, expected):
    errors = _dmarc.parse(text).errors
    assert len(errors) == 1, errors
    assert expected in errors[0]


def test_unknown_tag_is_a_warning_rfc7489_6_3():
    record = _dmarc.parse('v=DMARC1; p=reject; foo=bar')
    assert record.errors == [] and 'foo' in record.warnings[0]


@pytest.mark.parametrize('text,is_dmarc', [
    ('v=DMARC1; p=none', True), ('V=DMARC1;p=none', True), ('v=DMARC1', True), ('v=dmarc1; p=none', False),
    (' v=DMARC1; p=none', False), ('v=DMARC10; p=none', False), ('site-verification=x', False),
], ids=['normal', 'upper-v-rfc7489-6.4', 'version-only', 'lower-version-rfc7489-6.4', 'leading-space-rfc7489-6.6.3',
        'other-version', 'other'])
def test_record_selection_rfc7489_6_6_3(text, is_dmarc):
    assert _dmarc.is_dmarc(text) is is_dmarc


def test_build_writes_v_then_p_then_tags_given():
    assert _dmarc.build(p='reject', sp='quarantine', pct=50, rua=['mailto:a@example.com', 'mailto:b@example.com'],
                        fo=['1', 'd'], adkim='s') == ('v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; fo=1:d; '
                                                      'rua=mailto:a@example.com,mailto:b@example.com')


@pytest.mark.parametrize('left,right,same', [
    ('v=DMARC1; p=reject; rua=mailto:a@example.com', 'V=DMARC1;RUA=mailto:a@EXAMPLE.com; P=Reject', True),
    ('v=DMARC1; p=reject', 'v=DMARC1; p=reject; adkim=r; aspf=r; pct=100; fo=0; ri=86400', True),
    ('v=DMARC1; p=reject', 'v=DMARC1; p=reject; sp=reject', True),
    ('v=DMARC1; p=reject', 'v=DMARC1; p=reject; sp=none', False),
    ('v=DMARC1; p=reject; rua=mailto:A@example.com', 'v=DMARC1; p=reject; rua=mailto:a@example.com', False),
    ('v=DMARC1; p=reject; fo=1:d', 'v=DMARC1; p=reject; fo=d:1', True),
], ids=['order-case-rfc7489-6.4', 'defaults-rfc7489-6.3', 'sp-defaults-to-p', 'sp-differs',
        'mailbox-local-part-case-matters', 'fo-order'])
def test_canonical_form_equal_when_receivers_apply_the_same_policy(left, right, same):
    assert (_dmarc.canonical(left) == _dmarc.canonical(right)) is same


def audit_texts(texts, records=None, internal=()):
    return _dmarc.DmarcAudit(FakeDns(records or {}), internal_domains=internal).audit_texts('example.com', texts)


def severities(findings):
    return [item['severity'] for item in findings]


def test_other_txt_records_at_dmarc_are_ignored_rfc7489_6_6_3():
    assert audit_texts(['v=DMARC1; p=reject', 'site-verification=abc']) == []


def test_several_dmarc_records_are_an_error_rfc7489_6_6_3():
    found = audit_texts(['v=DMARC1; p=reject', 'v=DMARC1; p=none'])
    assert severities(found) == ['error'] and '2 DMARC records' in found[0]['message']


def test_record_meant_as_dmarc_but_skipped_is_an_error_rfc7489_6_4():
    found = audit_texts(['v=dmarc1; p=reject'])
    assert severities(found) == ['error'] and 'upper case' in found[0]['message']


def test_no_dmarc_record_is_a_warning():
    assert severities(audit_texts(['v=spf1 -all'])) == ['warning']


@pytest.mark.parametrize('text,expected', [
    ('v=DMARC1; p=none', 'p=none only monitors'),
    ('v=DMARC1; p=reject; sp=none', 'sp=none'),
    ('v=DMARC1; p=reject; pct=20', 'pct=20'),
    ('v=DMARC1; p=reject; rua=https://reports.example.net/x', 'mailto'),
], ids=['p-none', 'sp-none', 'pct-below-100', 'non-mailto-rfc7489-6.2'])
def test_weak_records_warn(text, expected):
    found = audit_texts([text])
    assert severities(found) == ['warning'] and expected in found[0]['message']


def test_external_report_address_without_authorisation_warns_rfc7489_7_1():
    found = audit_texts(['v=DMARC1; p=reject; rua=mailto:d@reports.example.net'])
    assert severities(found) == ['warning']
    assert 'example.com._report._dmarc.reports.example.net' in found[0]['message']


def test_external_report_address_with_authorisation_is_fine_rfc7489_7_1():
    records = {('example.com._report._dmarc.reports.example.net', 'TXT'): ['v=DMARC1']}
    assert audit_texts(['v=DMARC1; p=reject; rua=mailto:d@reports.example.net'], records) == []


def test_report_address_in_the_domain_or_its_zone_needs_no_authorisation():
    assert audit_texts(['v=DMARC1; p=reject; rua=mailto:d@example.com, mailto:e@reports.example.com']) == []
    found = _dmarc.DmarcAudit(FakeDns(), internal_domains=['example.com']).audit_record(
        'mail.example.com', 'v=DMARC1; p=reject; rua=mailto:d@reports.example.com')
    assert found == []
