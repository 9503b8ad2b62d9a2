# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils import _normalise as normalise


@pytest.mark.parametrize('value', [None, '', [], ()])
def test_null_empty_string_and_empty_list_are_the_same(value):
    assert normalise.text_set(value) == normalise.text_set([])
    assert normalise.text(value) == ''
    assert normalise.boolean(value) is False


def test_a_bare_string_is_a_one_element_list():
    assert normalise.text_set('Contoso.com') == normalise.text_set(['contoso.com'])


def test_strings_compare_without_case_and_lists_as_sets():
    assert normalise.text_set(['B', 'a', 'b']) == normalise.text_set(['A', 'b'])
    assert normalise.text('Enforce') == normalise.text('enforce')


@pytest.mark.parametrize('raw, expected', [('smtp:*;1', '*'), ('smtp:Contoso.com;1', 'contoso.com'),
                                           ('contoso.com.', 'contoso.com'), ('*.Contoso.com', '*.contoso.com')])
def test_sender_domains_read_back_form_matches_what_users_write(raw, expected):
    assert normalise.domain(raw) == expected


def test_cidr_is_masked_to_its_network():
    assert normalise.ip_range('192.168.0.1/25') == normalise.ip_range('192.168.0.0/25')
    assert normalise.canonical_ip_range('192.168.0.1/25') == '192.168.0.0/25'


def test_a_single_address_equals_its_slash_32_and_a_one_address_range():
    assert normalise.ip_range('203.0.113.10') == normalise.ip_range('203.0.113.10/32')
    assert normalise.ip_range('203.0.113.10') == normalise.ip_range('203.0.113.10-203.0.113.10')
    assert normalise.canonical_ip_range('203.0.113.10/32') == '203.0.113.10'


def test_a_range_equals_the_cidr_block_it_spans():
    assert normalise.ip_range('198.51.100.0-198.51.100.255') == normalise.ip_range('198.51.100.0/24')
    assert normalise.ip_range_set(['198.51.100.0/24', '203.0.113.1']) == normalise.ip_range_set(
        ['203.0.113.1/32', '198.51.100.7/24'])


@pytest.mark.parametrize('bad', ['300.1.1.1', '10.0.0.9-10.0.0.1', 'not-an-ip', '10.0.0.1-2001:db8::1'])
def test_malformed_addresses_are_refused(bad):
    with pytest.raises(ValueError):
        normalise.ip_range(bad)


@pytest.mark.parametrize('raw, expected', [(True, True), ('True', True), ('$false', False), (0, False), ('1', True)])
def test_booleans(raw, expected):
    assert normalise.boolean(raw) is expected


def test_a_word_is_not_a_boolean():
    with pytest.raises(ValueError):
        normalise.boolean('maybe')
