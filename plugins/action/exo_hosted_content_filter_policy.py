# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.exoguard.mailflow.plugins.modules import exo_hosted_content_filter_policy
from ansible_collections.exoguard.mailflow.plugins.plugin_utils._inprocess import ExchangeAction


class ActionModule(ExchangeAction):
    """Runs exo_hosted_content_filter_policy in the controller's worker; the module file documents it and is the fallback."""

    module = exo_hosted_content_filter_policy
