# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An Exchange Online emulator for tests, benchmarks and the lab.

One HTTPS port serves the identity side (OpenID discovery, client-credentials tokens), the admin API
(``/adminapi/beta/<tenant>/InvokeCommand``), a Microsoft Graph stand-in and the emulator's own admin API
(``/_emulator/``); one plain TCP port serves the SMTP front door. Start it with ``exo-emulator`` (see ``cli``).
"""
