# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare the registered results of tasks.yml run in process and as modules: equal, once the values that differ
from call to call (request and trace IDs, timestamps, the order of a set in a message) are put aside.

    compare_results.py IN_PROCESS.json MODULE.json
"""
import json
import re
import sys

VOLATILE = [
    (re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', re.I), '<id>'),
    (re.compile(r'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?'), '<time>'),
    # Ansible lists the valid booleans from a set, in an order that changes from process to process.
    (re.compile(r'Valid booleans include: .*'), 'Valid booleans include: <the list>'),
]
# Keys Ansible adds on one path only: not the module's result.
NOT_RESULTS = {'_ansible_no_log', '_ansible_verbose_always', '_ansible_delegated_vars', 'exception', 'stderr',
               'stderr_lines', 'stdout', 'stdout_lines', 'module_stderr', 'module_stdout'}


def normal(value):
    if isinstance(value, dict):
        return dict((key, normal(item)) for key, item in value.items() if key not in NOT_RESULTS)
    if isinstance(value, list):
        return [normal(item) for item in value]
    if isinstance(value, str):
        for pattern, replacement in VOLATILE:
            value = pattern.sub(replacement, value)
    return value


def main(in_process_path, module_path):
    with open(in_process_path) as handle:
        in_process = normal(json.load(handle))
    with open(module_path) as handle:
        module = normal(json.load(handle))
    differences = []
    for name in sorted(set(in_process) | set(module)):
        if in_process.get(name) != module.get(name):
            differences.append('%s:\n  in process: %s\n  module:     %s' % (
                name, json.dumps(in_process.get(name), sort_keys=True), json.dumps(module.get(name), sort_keys=True)))
    if differences:
        sys.exit('the paths differ:\n' + '\n'.join(differences))
    print('%d results are the same on both paths' % len(in_process))


if __name__ == '__main__':
    main(*sys.argv[1:])
