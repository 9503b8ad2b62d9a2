# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parameter binding, CLIXML and paging rules, checked in-process against the emulator's own cmdlets.json."""

import os
import sys
from xml.etree import ElementTree

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from exo_emulator import clixml, errors, paging  # noqa: E402  pylint: disable=wrong-import-position
from exo_emulator.catalogue import Catalogue  # noqa: E402  pylint: disable=wrong-import-position
from exo_emulator.validation import bind_parameters  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='module')
def catalogue():
    return Catalogue.load()


def _bind(catalogue, cmdlet, parameters):
    return bind_parameters(catalogue.cmdlet(cmdlet), parameters)


def _refusal(catalogue, cmdlet, parameters):
    with pytest.raises(errors.CmdletError) as raised:
        _bind(catalogue, cmdlet, parameters)
    return raised.value


def test_every_cmdlet_of_the_reference_is_known(catalogue):
    assert 'New-InboundConnector' in catalogue.names() and 'Get-MessageTraceV2' in catalogue.names()
    assert catalogue.cmdlet('get-organizationconfig').name == 'Get-OrganizationConfig'
    assert catalogue.cmdlet('Get-Mailbox') is None


def test_names_bind_to_their_documented_spelling(catalogue):
    assert _bind(catalogue, 'Set-InboundConnector', {'identity': 'From SEG', 'requiretls': True, 'WI': True}) == {
        'Identity': 'From SEG', 'RequireTls': True, 'WhatIf': True}


def test_common_parameters_and_their_aliases_bind(catalogue):
    assert _bind(catalogue, 'Get-AcceptedDomain', {'ErrorAction': 'stop', 'vb': True}) == {'ErrorAction': 'Stop', 'Verbose': True}


def test_numbers_bind_to_booleans_as_powershell_converts_them(catalogue):
    assert _bind(catalogue, 'Set-OrganizationConfig', {'RejectDirectSend': 0}) == {'RejectDirectSend': False}


def test_the_same_parameter_twice_is_a_binding_error(catalogue):
    error = _refusal(catalogue, 'Set-OrganizationConfig', {'RejectDirectSend': True, 'rejectDirectSend': False})
    assert error.short_type == 'ParameterBindingException'
    assert "parameter 'RejectDirectSend' is specified more than once" in error.text


def test_missing_mandatory_parameters_are_named(catalogue):
    error = _refusal(catalogue, 'New-InboundConnector', {'ConnectorType': 'Partner'})
    assert error.status == 400
    assert error.text == 'Cannot process command because of one or more missing mandatory parameters: Name SenderDomains.'


def test_enum_parameters_bind_in_their_documented_case(catalogue):
    bound = _bind(catalogue, 'New-InboundConnector', {'Name': 'x', 'SenderDomains': '*', 'ConnectorType': 'partner'})
    assert bound['ConnectorType'] == 'Partner'
    assert bound['SenderDomains'] == ['*']


def test_bad_enum_names_the_type_and_the_choices(catalogue):
    error = _refusal(catalogue, 'New-InboundConnector', {'Name': 'x', 'SenderDomains': '*', 'ConnectorType': 'Gateway'})
    assert error.text.endswith('Unable to match the identifier name Gateway to a valid enumerator name. Specify one of the following '
                               'enumerator names and try again: Partner, OnPremises"')
    assert 'to type "TenantConnectorType"' in error.text


def test_integer_parameters_take_numbers_and_numeric_strings_only(catalogue):
    assert _bind(catalogue, 'New-TransportRule', {'Name': 'r', 'Priority': '3'})['Priority'] == 3
    error = _refusal(catalogue, 'New-TransportRule', {'Name': 'r', 'Priority': 'first'})
    assert error.text == ('Cannot process argument transformation on parameter \'Priority\'. Cannot convert value "first" to type '
                          '"System.Int32". Error: "Input string was not in a correct format."')
    assert 'too large or too small' in _refusal(catalogue, 'New-TransportRule', {'Name': 'r', 'Priority': 2 ** 40}).text


def test_switch_takes_booleans_only(catalogue):
    assert _bind(catalogue, 'Set-OrganizationConfig', {'Confirm': False}) == {'Confirm': False}
    error = _refusal(catalogue, 'Set-OrganizationConfig', {'Confirm': 'no'})
    assert 'to type "System.Management.Automation.SwitchParameter"' in error.text


def test_multi_valued_add_remove_hashtable_binds(catalogue):
    bound = _bind(catalogue, 'Set-InboundConnector', {'Identity': 'c', 'SenderIPAddresses': {
        '@odata.type': '#Exchange.GenericHashTable', 'Add': ['192.0.2.1'], 'Remove': ['192.0.2.2']}})
    assert bound['SenderIPAddresses'] == {'@odata.type': '#Exchange.GenericHashTable', 'Add': ['192.0.2.1'], 'Remove': ['192.0.2.2']}


def test_a_list_for_a_single_value_is_a_binding_error(catalogue):
    error = _refusal(catalogue, 'New-InboundConnector', {'Name': ['a', 'b'], 'SenderDomains': '*'})
    assert error.short_type == 'ParameterBindingException'


def test_unknown_names_are_all_reported(catalogue):
    error = _refusal(catalogue, 'Get-AcceptedDomain', {'Foo': 1, 'Bar': 2})
    assert error.text.endswith('Invalid cmdlet parameters specified. Foo, Bar')


def test_clixml_uses_annotations_and_escapes_like_powershell():
    document = clixml.serialize_record({'Priority@data.type': 'System.Int32', 'Priority': 2, 'WhenChanged@data.type': 'System.DateTime',
                                        'WhenChanged': '2026-07-23T21:51:45.0000000+00:00', 'Description': 'If:\r\n\tA & B_x0041_',
                                        'Size': 2 ** 40, 'Comments': None}, 'Microsoft.Exchange.Rule')
    root = ElementTree.fromstring(document)
    namespace = '{%s}' % clixml.NAMESPACE
    members = {element.get('N'): element for element in root.find(namespace + 'Obj').find(namespace + 'MS')}
    assert set(members) == {'Priority', 'WhenChanged', 'Description', 'Size', 'Comments'}
    assert members['Priority'].tag == namespace + 'I32'
    assert members['WhenChanged'].tag == namespace + 'DT'
    assert members['Size'].tag == namespace + 'I64'
    assert members['Description'].text == 'If:_x000D__x000A__x0009_A & B_x005F_x0041_'
    assert root.find(namespace + 'Obj').find(namespace + 'TN')[0].text == 'Deserialized.Microsoft.Exchange.Rule'


@pytest.mark.parametrize('result_size, page_size, expect', [
    (None, 1000, (5, False, False)),
    (None, 2, (2, True, True)),
    ('Unlimited', 2, (2, True, False)),
    (5, 2, (2, True, False)),
    (3, 1000, (3, False, True)),
])
def test_paging_rules(result_size, page_size, expect):
    listing = paging.Listing(list(range(5)), result_size)
    records, more, warn = listing.page(0, page_size)
    assert (len(records), more, warn) == expect


def test_prefer_header_page_size():
    assert paging.page_size_from('odata.maxpagesize=50') == 50
    assert paging.page_size_from('return=minimal, odata.maxpagesize = 7') == 7
    assert paging.page_size_from('odata.maxpagesize=0') is None
    assert paging.page_size_from(None) is None
