# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exit non-zero unless the newest snapshot in DIR equals the earliest, ignoring what Exchange changes by itself
(timestamps, GUIDs, who changed it) — the rollback's promise."""
import json
import os
import re
import sys

VOLATILE = re.compile(r'^(WhenChanged|WhenCreated|WhenChangedUTC|WhenCreatedUTC|Guid|ExchangeObjectId|LastModifiedBy|'
                      r'KeyCreationTime|LastChecked|RotateOnDate|Id)$')


def stable(value):
    if isinstance(value, dict):
        return dict((key, stable(item)) for key, item in value.items() if not VOLATILE.match(key) and '@' not in key)
    if isinstance(value, list):
        return [stable(item) for item in value]
    return value


def main(directory):
    names = sorted(name for name in os.listdir(directory) if name.endswith('.json'))
    if len(names) < 2:
        sys.exit('need at least two snapshots in %s, found %d' % (directory, len(names)))
    with open(os.path.join(directory, names[0])) as first, open(os.path.join(directory, names[-1])) as last:
        before, after = stable(json.load(first)), stable(json.load(last))
    if before != after:
        for kind in sorted(set(before) | set(after)):
            if before.get(kind) != after.get(kind):
                print('differs: %s\n  before: %s\n  after:  %s' % (kind, json.dumps(before.get(kind), sort_keys=True),
                                                                   json.dumps(after.get(kind), sort_keys=True)))
        sys.exit('the tenant after rollback is not the snapshot it was rolled back to')
    print('rollback restored %s exactly (%d kinds compared)' % (names[0], len(before)))


if __name__ == '__main__':
    main(sys.argv[1])
