# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print, one a line and sorted, the names of the tasks that reported `changed` for HOST in an ansible-playbook log
written by the default callback (the role prefix taken off). In an audit, these are the controls found drifting.

    changed_tasks.py LOG HOST
"""
import re
import sys

TASK = re.compile(r'^TASK \[(?:[^:\]]+ : )?(.*)\] \**$')


def changed_tasks(lines, host):
    task, changed = None, set()
    for line in lines:
        header = TASK.match(line)
        if header:
            task = header.group(1)
        elif task and line.startswith('changed: [%s]' % host):
            changed.add(task)
    return sorted(changed)


def main():
    with open(sys.argv[1]) as log:
        for name in changed_tasks(log.read().splitlines(), sys.argv[2]):
            print(name)


if __name__ == '__main__':
    main()
