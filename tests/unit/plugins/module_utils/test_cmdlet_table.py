# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._cmdlet_table import LIST_CMDLETS, PARAMETERS

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
EMULATOR_COPY = os.path.join(COLLECTION_ROOT, 'tests', 'emulator', 'exo_emulator', 'data', 'cmdlets.json')


def shared_reference():
    """../shared/exo/cmdlets.json beside the checkout (or beside any folder above it), when there is one."""
    directory = COLLECTION_ROOT
    while os.path.dirname(directory) != directory:
        candidate = os.path.join(os.path.dirname(directory), 'shared', 'exo', 'cmdlets.json')
        if os.path.exists(candidate):
            return candidate
        directory = os.path.dirname(directory)
    return None


def expected_table(path):
    with open(path) as handle:
        document = json.load(handle)
    return dict((cmdlet, dict((name, spec['type']) for name, spec in entry['parameters'].items()))
                for cmdlet, entry in document['cmdlets'].items())


@pytest.mark.parametrize('source', ['emulator copy', 'shared reference'])
def test_the_generated_table_matches_microsofts_reference(source):
    path = EMULATOR_COPY if source == 'emulator copy' else shared_reference()
    if not path or not os.path.exists(path):
        pytest.skip('%s not present' % source)
    assert PARAMETERS == expected_table(path), 'run scripts/generate-cmdlet-table'


def test_list_cmdlets_are_those_whose_result_size_takes_unlimited():
    assert LIST_CMDLETS == frozenset(cmdlet for cmdlet, params in PARAMETERS.items() if params.get('ResultSize') == 'Unlimited')
    assert 'Get-InboundConnector' in LIST_CMDLETS
    assert 'Get-MessageTraceV2' not in LIST_CMDLETS  # its ResultSize is an Int32 capped at 5000


def test_the_module_parameters_exist_on_their_cmdlets():
    assert PARAMETERS['Set-OrganizationConfig']['RejectDirectSend'] == 'Boolean'
