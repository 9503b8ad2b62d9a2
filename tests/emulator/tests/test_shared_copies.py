# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator runs without ../shared, on its own copies; where shared/ exists, the copies must be current."""

import filecmp
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.dirname(HERE)
SHARED_EXO = os.path.normpath(os.path.join(EMULATOR_DIR, '..', '..', '..', 'shared', 'exo'))

COPIES = [
    (os.path.join(EMULATOR_DIR, 'exo_emulator', 'data', 'cmdlets.json'), 'cmdlets.json'),
    (os.path.join(HERE, 'live_records.json'), 'live-records.json'),
]


@pytest.mark.parametrize('copy, original', COPIES, ids=[original for _copy, original in COPIES])
def test_copy_equals_shared(copy, original):
    shared = os.path.join(SHARED_EXO, original)
    if not os.path.exists(shared):
        pytest.skip('%s is not beside the project' % shared)
    assert filecmp.cmp(copy, shared, shallow=False), '%s differs from %s: copy the new version in' % (copy, shared)
