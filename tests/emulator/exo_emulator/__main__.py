# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``python -m exo_emulator`` (from tests/emulator) does what the ``exo-emulator`` script does."""

import sys

from exo_emulator.cli import main

sys.exit(main())
