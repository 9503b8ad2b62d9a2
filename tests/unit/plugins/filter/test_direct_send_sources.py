# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.exoguard.mailflow.plugins.filter.direct_send_sources import FilterModule, direct_send_sources

GATEWAY_IPS = ['192.0.2.0/24', '198.51.100.10', '2001:db8:1::/48']
GATEWAY_INCLUDES = ['_netblocks.mimecast.com']


def sources(spf, gateway_ips=None, gateway_includes=None):
    return direct_send_sources(spf, GATEWAY_IPS if gateway_ips is None else gateway_ips,
                               GATEWAY_INCLUDES if gateway_includes is None else gateway_includes)


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'direct_send_sources': direct_send_sources}


@pytest.mark.parametrize('spf', [None, '', [], {}])
def test_no_record_gives_no_sources(spf):
    assert direct_send_sources(spf) == []
    assert direct_send_sources(spf, GATEWAY_IPS, GATEWAY_INCLUDES) == []


def test_the_documented_example():
    spf = 'v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com include:sendgrid.net -all'
    assert direct_send_sources(spf, ['192.0.2.0/24']) == ['include:sendgrid.net']


@pytest.mark.parametrize('term', [
    'ip4:192.0.2.10',  # one address inside the gateway's /24
    'ip4:192.0.2.0/24',  # the gateway's range itself
    'ip4:192.0.2.128/25',  # a smaller block inside it
    'ip4:192.0.2.77/24',  # host bits set: still the gateway's /24
    'ip4:198.51.100.10',  # the gateway's single address
    'ip4:198.51.100.10/32',
    'ip6:2001:db8:1::25',  # inside the gateway's IPv6 /48
    'ip6:2001:db8:1:2::/64',
    '~ip4:192.0.2.10',  # any qualifier: the gateway is the gateway
    '?ip6:2001:db8:1::1',
])
def test_gateway_addresses_are_not_direct_send_sources(term):
    assert sources('v=spf1 %s -all' % term) == []


@pytest.mark.parametrize('term', [
    'ip4:192.0.3.10',  # just outside the /24
    'ip4:192.0.2.0/23',  # a block wider than the gateway's: half of it is someone else
    'ip4:0.0.0.0/0',
    'ip4:198.51.100.11',  # next to the gateway's single address
    'ip4:198.51.100.0/24',  # the block around it
    'ip6:2001:db8:2::1',  # outside the gateway's IPv6 range
    'ip6:2001:db8::/32',  # wider than it
    'ip6:::ffff:192.0.2.10',  # an IPv4-mapped IPv6 address is not compared with IPv4 ranges
])
def test_addresses_outside_the_gateway_are_listed(term):
    assert sources('v=spf1 %s -all' % term) == [term]


def test_ipv4_gateway_ranges_do_not_cover_ipv6_and_the_other_way_round():
    assert direct_send_sources('v=spf1 ip6:2001:db8:1::1 -all', ['192.0.2.0/24']) == ['ip6:2001:db8:1::1']
    assert direct_send_sources('v=spf1 ip4:192.0.2.1 -all', ['2001:db8:1::/48']) == ['ip4:192.0.2.1']


def test_without_gateway_every_address_is_listed():
    spf = 'v=spf1 ip4:192.0.2.10 ip6:2001:db8:1::1 -all'
    assert direct_send_sources(spf) == ['ip4:192.0.2.10', 'ip6:2001:db8:1::1']
    assert direct_send_sources(spf, [], []) == ['ip4:192.0.2.10', 'ip6:2001:db8:1::1']


@pytest.mark.parametrize('term', [
    'include:spf.protection.outlook.com',
    'INCLUDE:SPF.Protection.Outlook.COM',
    'include:spf.protection.outlook.com.',
    '~include:spf.protection.outlook.com',
])
def test_exchange_online_include_is_not_a_direct_send_source(term):
    assert sources('v=spf1 %s -all' % term) == []
    assert direct_send_sources('v=spf1 %s -all' % term) == []


@pytest.mark.parametrize('term, gateway_includes', [
    ('include:_netblocks.mimecast.com', ['_netblocks.mimecast.com']),
    ('include:_NetBlocks.Mimecast.com', ['_netblocks.mimecast.com']),
    ('include:_netblocks.mimecast.com', ['_NETBLOCKS.MIMECAST.COM']),
    ('include:_netblocks.mimecast.com.', ['_netblocks.mimecast.com']),
    ('include:_netblocks.mimecast.com', ['_netblocks.mimecast.com.']),
    ('include:spf.example-seg.net', ['_netblocks.mimecast.com', 'spf.example-seg.net']),
])
def test_the_gateways_own_includes_are_not_direct_send_sources(term, gateway_includes):
    assert direct_send_sources('v=spf1 %s -all' % term, [], gateway_includes) == []


@pytest.mark.parametrize('term', [
    'include:sendgrid.net',
    'include:_spf.salesforce.com',
    'include:mimecast.com',  # a parent of the gateway's include is another domain
    'include:eu._netblocks.mimecast.com',  # so is a child of it
    'include:protection.outlook.com',  # not Exchange Online's include
    'include:spf.protection.outlook.com.evil.example',
])
def test_other_includes_are_listed(term):
    assert sources('v=spf1 %s -all' % term) == [term]


@pytest.mark.parametrize('term', [
    'a',
    'a:scanner.contoso.com',
    'a/28',
    'a:scanner.contoso.com/28//64',
    'mx',
    'mx:contoso.com',
    'mx/24',
    'exists:%{i}._spf.contoso.com',
    'ptr',
    'ptr:contoso.com',
    '~a',
    '?mx',
    '+mx',
])
def test_host_based_mechanisms_are_listed(term):
    assert sources('v=spf1 %s -all' % term) == [term]


def test_a_redirect_is_listed_as_written():
    assert sources('v=spf1 ip4:192.0.2.10 redirect=_spf.contoso.com') == ['redirect=_spf.contoso.com']


def test_terms_are_returned_as_written_with_their_case_and_qualifier():
    spf = 'V=SPF1 MX A:Scanner.Contoso.com ~Include:SendGrid.net IP4:203.0.113.5 Redirect=_SPF.Contoso.com'
    assert sources(spf) == ['MX', 'A:Scanner.Contoso.com', '~Include:SendGrid.net', 'IP4:203.0.113.5',
                            'Redirect=_SPF.Contoso.com']


@pytest.mark.parametrize('spf', [
    'v=spf1 -all',
    'v=spf1 ~all',
    'v=spf1 ?all',
    'v=spf1',
    'v=spf1 -all exp=explain._spf.%{d}',  # exp explains a failure: it authorises nobody
    'v=spf1 foo=bar -all',  # an unknown modifier, ignored by receivers
])
def test_all_and_other_modifiers_are_not_senders(spf):
    assert sources(spf) == []


@pytest.mark.parametrize('term', ['-include:sendgrid.net', '-ip4:203.0.113.5', '-a', '-mx', '-exists:%{i}.bl.example'])
def test_terms_that_fail_a_sender_authorise_nobody(term):
    assert sources('v=spf1 %s include:spf.protection.outlook.com -all' % term) == []


def test_a_full_record_keeps_only_the_other_senders_in_order():
    spf = ('v=spf1 ip4:192.0.2.25 include:_netblocks.mimecast.com include:spf.protection.outlook.com '
           'ip4:203.0.113.5 mx a:erp.contoso.com include:sendgrid.net ip6:2001:db8:1::5 ip6:2001:db8:9::5 '
           'exists:%{i}.spf.contoso.com -include:blocked.example ~all')
    assert sources(spf) == ['ip4:203.0.113.5', 'mx', 'a:erp.contoso.com', 'include:sendgrid.net',
                            'ip6:2001:db8:9::5', 'exists:%{i}.spf.contoso.com']


def test_mechanisms_after_all_are_still_listed():
    # Receivers never evaluate them, but they are in the record and someone put them there for a sender.
    assert sources('v=spf1 -all include:sendgrid.net') == ['include:sendgrid.net']


def test_the_record_may_be_any_string_like_value():
    class Text(str):
        pass

    assert sources(Text('v=spf1 include:sendgrid.net -all')) == ['include:sendgrid.net']


def test_gateway_lists_may_be_tuples():
    assert direct_send_sources('v=spf1 ip4:192.0.2.1 include:_netblocks.mimecast.com include:x.example -all',
                               ('192.0.2.0/24',), ('_netblocks.mimecast.com',)) == ['include:x.example']


@pytest.mark.parametrize('spf, message', [
    ('include:sendgrid.net -all', 'v=spf1'),
    ('v=spf2.0/pra include:sendgrid.net', 'v=spf1'),
    ('v=spf1 ip4:192.0.2.300 -all', 'not an IPv4 address'),
    ('v=spf1 ip4:2001:db8::1 -all', 'use ip6'),
    ('v=spf1 inlcude:sendgrid.net -all', 'unknown mechanism'),
    ('v=spf1 include: -all', 'needs ":" and a domain'),
    ('v=spf1 redirect=a.example redirect=b.example', 'redirect modifier appears 2 times'),
])
def test_a_malformed_record_is_refused_with_the_parsers_reason(spf, message):
    with pytest.raises(AnsibleFilterError) as raised:
        sources(spf)
    assert 'is not valid' in str(raised.value)
    assert repr(spf) in str(raised.value)
    assert message in str(raised.value)


@pytest.mark.parametrize('gateway_ips', [['192.0.2.0/33'], ['not-an-address'], ['192.0.2.0/24', '300.1.1.1'], [None]])
def test_a_malformed_gateway_address_is_refused(gateway_ips):
    with pytest.raises(AnsibleFilterError) as raised:
        direct_send_sources('v=spf1 ip4:192.0.2.10 -all', gateway_ips)
    assert str(raised.value).startswith('gateway_ips: ')


def test_an_empty_record_is_not_checked_against_the_gateway():
    # Nothing to compare, so a bad gateway list is not reported for a domain without SPF.
    assert direct_send_sources('', ['not-an-address']) == []
