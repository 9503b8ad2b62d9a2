#!/usr/bin/env python
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the ``exo`` action group of meta/runtime.yml against plugins/modules.

ansible-test's runtime-metadata test checks the file's schema but not that a group names real modules, and
nothing checks that a new exo_* module joined the group (without it, ``module_defaults`` for
``group/exoguard.mailflow.exo`` silently misses that module), or that each member's action plugin is an
``ExchangeAction`` (without it, the module ignores the inventory's ``exo_<option>`` variables). Run from the
collection root.
"""

from __future__ import annotations

import glob
import os
import sys

import yaml


def main():
    with open('meta/runtime.yml', encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle) or {}
    entries = (runtime.get('action_groups') or {}).get('exo') or []
    # Entries may be short names or FQCNs; a `metadata` mapping is not a module.
    group = set(entry.rsplit('.', 1)[-1] for entry in entries if isinstance(entry, str))
    modules = set(os.path.basename(path)[:-3] for path in glob.glob('plugins/modules/*.py'))
    problems = ['action group exo: %s is not a module in plugins/modules' % name for name in sorted(group - modules)]
    problems += ['module %s is missing from action group exo' % name
                 for name in sorted(m for m in modules - group if m.startswith('exo_'))]
    for name in sorted(group & modules):
        path = os.path.join('plugins', 'action', name + '.py')
        try:
            with open(path, encoding='utf-8') as handle:
                exchange_action = 'class ActionModule(ExchangeAction)' in handle.read()
        except OSError:
            exchange_action = False
        if not exchange_action:
            problems.append('module %s of action group exo needs %s with class ActionModule(ExchangeAction)'
                            % (name, path))
    for problem in problems:
        print('meta/runtime.yml: ' + problem)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
