#!/usr/bin/env python
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mirror the working tree into DEST (.build/ansible_collections/exoguard/mailflow) for ansible-test.

ansible-test needs the collection under ansible_collections/<namespace>/<name>, and a symlink does not do: it
resolves real paths. The copy holds what git would see (tracked and untracked files, less what .gitignore
ignores; every file when this is not a git checkout), less the paths below; stale files in DEST are deleted.
Unchanged files are not copied again, so a second run is quick. Only the standard library is used (no rsync).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

EXCLUDED_DIRS = {'.git', '.venv', '.build', '.ansible', '.cache', '__pycache__', '.pytest_cache'}
EXCLUDED_PATHS = {'tests/output'}
EXCLUDED_SUFFIXES = ('.pyc', '.tar.gz')
# ansible-test's own output in the copy is not source: leave it for the user to read.
KEPT_IN_DEST = {'tests/output'}


def excluded(rel_path):
    parts = rel_path.split('/')
    return (any(part in EXCLUDED_DIRS for part in parts)
            or any(rel_path == path or rel_path.startswith(path + '/') for path in EXCLUDED_PATHS)
            or rel_path.endswith(EXCLUDED_SUFFIXES))


def source_files(root):
    try:
        out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             cwd=root, check=True, capture_output=True).stdout
        names = out.decode('utf-8', 'surrogateescape').split('\0')
    except (OSError, subprocess.CalledProcessError):
        names = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS]
            names.extend(os.path.relpath(os.path.join(dirpath, f), root) for f in filenames)
    # A file deleted from the work tree but still in git's index is listed too: skip it.
    return sorted(n for n in set(names)
                  if n and not excluded(n) and os.path.lexists(os.path.join(root, n)))


def copy_file(src, dst):
    if os.path.islink(src):
        target = os.readlink(src)
        if os.path.islink(dst) and os.readlink(dst) == target:
            return
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(target, dst)
        return
    if (os.path.isfile(dst) and not os.path.islink(dst) and os.stat(src).st_mode == os.stat(dst).st_mode
            and filecmp.cmp(src, dst, shallow=True)):
        return
    if os.path.lexists(dst):
        os.remove(dst)
    shutil.copy2(src, dst)


def remove_stale(dest, wanted):
    for dirpath, dirnames, filenames in os.walk(dest, topdown=True):
        rel_dir = os.path.relpath(dirpath, dest).replace(os.sep, '/')
        rel_dir = '' if rel_dir == '.' else rel_dir + '/'
        dirnames[:] = [d for d in dirnames if rel_dir + d not in KEPT_IN_DEST]
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            if rel_dir + name not in wanted:
                os.remove(os.path.join(dirpath, name))
    for dirpath, dirnames, filenames in os.walk(dest, topdown=False):
        rel_dir = os.path.relpath(dirpath, dest).replace(os.sep, '/')
        if dirpath != dest and not os.listdir(dirpath) and not any(
                rel_dir == kept or rel_dir.startswith(kept + '/') for kept in KEPT_IN_DEST):
            os.rmdir(dirpath)


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: sync_collection.py SOURCE_ROOT DEST')
    root, dest = (os.path.abspath(path) for path in sys.argv[1:])
    files = source_files(root)
    for rel_path in files:
        dst = os.path.join(dest, rel_path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        copy_file(os.path.join(root, rel_path), dst)
    remove_stale(dest, set(files))
    print('collection copy: %d files in %s' % (len(files), os.path.relpath(dest, root)))


if __name__ == '__main__':
    main()
