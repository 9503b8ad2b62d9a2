# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Every module of this collection manages a remote service from the controller, and runs there in process.
    DOCUMENTATION = r'''
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - The action plugin runs the whole module in the controller's worker process, with the same argument checks,
        check mode, diff, C(no_log) masking and results. The module itself runs (as Ansible runs any module)
        when the task is delegated to a host other than the controller, uses C(become) or C(async), or the
        controller's environment sets E(EXOGUARD_IN_PROCESS=false).
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    ACTIONGROUP_EXO = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/exoguard.mailflow.exo) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - exoguard.mailflow.exo
'''
