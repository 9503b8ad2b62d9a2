# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import DnsAuthFailed
from ansible_collections.exoguard.mailflow.plugins.module_utils._dns_auth_records import (
    Connection, argument_spec, run_dns_auth_records)
from ansible_collections.exoguard.mailflow.tests.unit.plugins.module_utils.dns_fakes import FakeDns, FakeUpdater

SECRET = 'dW5pdC10ZXN0LXNlY3JldC11bml0LXRlc3Qtc2VjcmV0'


def published():
    return FakeDns({
        ('example.com', 'SOA'): ['ns1.example.com. hostmaster.example.com. 1 3600 600 86400 300'],
        ('example.com', 'TXT'): ['google-site-verification=keep', 'v=spf1 ip4:192.0.2.1 ~all'],
        ('example.com', 'MX'): ['10 mail.example.com.'],
        ('mail.example.com', 'A'): ['192.0.2.25'],
        ('_dmarc.example.com', 'TXT'): ['v=DMARC1; p=none', 'unrelated=keep'],
        ('old._domainkey.example.com', 'TXT'): ['v=DKIM1; p=MIGf'],
        ('_spf.vendor.example', 'TXT'): ['v=spf1 ip4:198.51.100.0/24 -all'],
    })


def options(**overrides):
    values = dict((name, spec.get('default')) for name, spec in argument_spec()['argument_spec'].items())
    values.update(domain='example.com', server='192.0.2.53', key_name='upd-key', key_secret=SECRET)
    for name in ('spf', 'dmarc'):
        if name in overrides and overrides[name] is not None:
            suboptions = argument_spec()['argument_spec'][name]['options']
            full = dict((key, None) for key in suboptions)
            full.update(overrides[name])
            overrides[name] = full
    values.update(overrides)
    return values


class Lab:
    def __init__(self, fail=None):
        self.dns = published()
        self.updater = FakeUpdater(self.dns, fail=fail)

    def connect(self, opts):
        return Connection(self.dns, self.dns, None if opts['provider'] == 'none' else self.updater)

    def run(self, check_mode=False, diff=False, **overrides):
        return run_dns_auth_records(options(**overrides), check_mode=check_mode, diff=diff, connect=self.connect)

    def txt(self, name):
        return sorted(self.dns.read(name, 'TXT').values)


SPF = {'ip4': ['192.0.2.10'], 'include': ['_spf.vendor.example'], 'mx': ['@']}
DMARC = {'p': 'reject', 'rua': ['mailto:dmarc@example.com']}
DKIM = [{'selector': 'selector1', 'target': 'selector1-example-com._domainkey.example.onmicrosoft.com'}]


def test_audit_only_reads_and_reports_findings():
    lab = Lab()
    result = lab.run()
    assert result['changed'] is False and lab.updater.sent == []
    assert result['records']['spf'] == [{'name': 'example.com', 'value': 'v=spf1 ip4:192.0.2.1 ~all'}]
    assert result['records']['dmarc'] == [{'name': '_dmarc.example.com', 'value': 'v=DMARC1; p=none'}]
    assert [item['record'] for item in result['findings']] == ['spf', 'dmarc']


def test_check_mode_sends_no_update_and_predicts_the_records():
    lab = Lab()
    result = lab.run(check_mode=True, diff=True, spf=SPF, dmarc=DMARC, dkim=DKIM)
    assert result['changed'] is True and lab.updater.sent == []
    assert result['records']['spf'][0]['value'] == 'v=spf1 ip4:192.0.2.10 mx include:_spf.vendor.example -all'
    assert 'example.com. 300 IN TXT "v=spf1 ip4:192.0.2.1 ~all"' in result['diff']['before']
    assert ('selector1._domainkey.example.com. 3600 IN CNAME selector1-example-com._domainkey.example.onmicrosoft.com.'
            in result['diff']['after'])
    assert lab.txt('example.com') == ['google-site-verification=keep', 'v=spf1 ip4:192.0.2.1 ~all']


def test_first_run_sends_one_update_and_keeps_other_txt_records():
    lab = Lab()
    result = lab.run(spf=SPF, dmarc=DMARC, dkim=DKIM)
    assert result['changed'] is True and len(lab.updater.sent) == 1
    assert lab.txt('example.com') == ['google-site-verification=keep',
                                      'v=spf1 ip4:192.0.2.10 mx include:_spf.vendor.example -all']
    assert lab.txt('_dmarc.example.com') == ['unrelated=keep', 'v=DMARC1; p=reject; rua=mailto:dmarc@example.com']
    assert lab.dns.read('selector1._domainkey.example.com', 'CNAME').values == [DKIM[0]['target']]
    assert result.get('warnings') == []


def test_second_run_sends_no_update():
    lab = Lab()
    lab.run(spf=SPF, dmarc=DMARC, dkim=DKIM)
    result = lab.run(spf=SPF, dmarc=DMARC, dkim=DKIM)
    assert result['changed'] is False and len(lab.updater.sent) == 1


def test_equivalent_records_are_left_alone():
    lab = Lab()
    lab.run(spf=SPF, dmarc=DMARC)
    result = lab.run(spf={'mx': ['@'], 'include': ['_SPF.vendor.example'], 'ip4': ['192.0.2.10'], 'all': '-all'},
                     dmarc={'p': 'reject', 'rua': ['mailto:dmarc@EXAMPLE.com'], 'adkim': 'r', 'pct': 100})
    assert result['changed'] is False and len(lab.updater.sent) == 1


def test_raw_spf_record_compares_exactly():
    lab = Lab()
    assert lab.run(spf_record='v=spf1 ip4:192.0.2.1 ~all', spf_require_hard_fail=False)['changed'] is False
    assert lab.run(spf_record='v=spf1 ip4:192.0.2.1  ~all', spf_require_hard_fail=False)['changed'] is True


def test_state_absent_removes_only_the_named_records():
    lab = Lab()
    lab.run(dkim=DKIM)
    result = lab.run(state='absent', spf={}, dkim=[{'selector': 'selector1'}])
    assert result['changed'] is True
    assert lab.txt('example.com') == ['google-site-verification=keep']
    assert lab.txt('_dmarc.example.com') == ['unrelated=keep', 'v=DMARC1; p=none']
    assert lab.dns.read('selector1._domainkey.example.com', 'CNAME').values == []
    assert any('no SPF record' in item['message'] for item in result['findings'])
    assert lab.run(state='absent', spf={}, dkim=[{'selector': 'selector1'}])['changed'] is False


def test_several_spf_records_are_replaced_by_one():
    lab = Lab()
    lab.dns.set('example.com', 'TXT', ['v=spf1 mx -all', 'v=spf1 a -all', 'other'])
    assert lab.run()['findings'][0]['severity'] == 'error'
    result = lab.run(spf_record='v=spf1 mx -all')
    assert result['changed'] is True and lab.txt('example.com') == ['other', 'v=spf1 mx -all']


@pytest.mark.parametrize('overrides,option,text', [
    ({'spf_record': 'v=spf1 ip4:192.0.2.300 -all'}, 'spf_record', 'not an IPv4 address'),
    ({'spf': {'include': ['nothing.example.net']}}, 'spf', 'publishes no SPF record'),
    ({'spf': {'a': ['192.0.2.1']}}, 'spf', 'ip4:/ip6:'),
    ({'dmarc': {'p': 'reject', 'rua': ['dmarc@example.com']}}, 'dmarc', 'write mailto:dmarc@example.com'),
    ({'dmarc': {'rua': ['mailto:d@example.com']}}, 'dmarc', 'p tag is missing'),
    ({'dkim': [{'selector': 'old', 'target': 'x.example.net'}]}, 'dkim[0]', 'cannot coexist'),
], ids=['spf-syntax-rfc7208-4.6', 'spf-include-none-rfc7208-5.2', 'spf-ip-as-domain-rfc7208-12',
        'dmarc-uri-rfc7489-6.2', 'dmarc-p-rfc7489-6.3', 'dkim-cname-rfc1034-3.6.2'])
def test_broken_desired_records_are_refused_before_any_update(overrides, option, text):
    lab = Lab()
    result = lab.run(**overrides)
    assert result['failed'] is True and lab.updater.sent == []
    assert result['error']['type'] == 'ConfigurationError'
    assert result['msg'].startswith('Configuration error: %s: ' % option) and text in result['msg']
    assert any(item['severity'] == 'error' for item in result['findings'])


@pytest.mark.parametrize('dkim,text', [
    ([{'selector': 'bad selector', 'target': 'x.example.net'}], 'dkim[0].selector'),
    ([{'selector': 's1'}], 'dkim[0].target: required'),
    ([{'selector': 's1', 'target': 'not a host'}], 'dkim[0].target'),
    ([{'selector': 's1', 'target': 'a.example.net'}, {'selector': 'S1', 'target': 'b.example.net'}], 'twice'),
])
def test_bad_dkim_options_are_configuration_errors(dkim, text):
    result = Lab().run(dkim=dkim)
    assert result['failed'] is True and text in result['msg']


def test_provider_none_compares_in_check_mode_and_refuses_outside_it():
    lab = Lab()
    assert lab.run(provider='none', check_mode=True, dmarc=DMARC)['changed'] is True
    result = lab.run(provider='none', dmarc=DMARC)
    assert result['failed'] is True and 'only reads' in result['msg'] and lab.updater.sent == []


def test_domain_outside_the_zone_is_a_configuration_error():
    result = Lab().run(zone='example.org')
    assert result['failed'] is True and result['msg'].startswith('Configuration error: zone:')


def test_update_failure_is_a_typed_error_with_findings_and_no_secret():
    lab = Lab(fail=DnsAuthFailed('the server refused the signature of TSIG key \'upd-key\' (BADSIG)',
                                 server='192.0.2.53:53', zone='example.com', rcode='BADSIG'))
    result = lab.run(dmarc=DMARC)
    assert result['failed'] is True
    assert result['error'] == {'type': 'DnsAuthFailed', 'message': result['error']['message'],
                               'server': '192.0.2.53:53', 'zone': 'example.com', 'rcode': 'BADSIG'}
    assert 'findings' in result and SECRET not in repr(result)


def test_long_spf_record_is_written_split_and_compared_joined():
    lab = Lab()
    spf = {'ip4': ['203.0.113.%d' % index for index in range(1, 30)]}
    lab.run(spf=spf)
    rdata = [r for r in lab.dns.read('example.com', 'TXT').rdatas if b'spf1' in r.strings[0]][0]
    assert len(rdata.strings) == 2 and all(len(chunk) <= 255 for chunk in rdata.strings)
    assert lab.run(spf=spf)['changed'] is False


def test_argument_spec_rules():
    spec = argument_spec()
    assert spec['mutually_exclusive'] == [['spf', 'spf_record']]
    assert ['provider', 'rfc2136', ['server']] in spec['required_if']
    assert spec['argument_spec']['key_secret']['no_log'] is True
    assert spec['argument_spec']['spf']['mutually_exclusive'] == [['redirect', 'all']]


def test_refusal_names_the_dkim_entry_that_is_broken():
    result = Lab().run(dkim=DKIM + [{'selector': 'old', 'target': 'x.example.net'}])
    assert result['msg'].startswith('Configuration error: dkim[1]: the DKIM record would be broken')
