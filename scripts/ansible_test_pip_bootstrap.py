#!/usr/bin/env python
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Give ansible-test the pip bootstrap script it cannot download here.

Every virtual environment ansible-test creates (``--venv``, each sanity test) is bootstrapped by running
``get-pip-<version>.py`` from Ansible's CI file host, which is not reachable from these machines; ansible-test
uses ``~/.ansible/test/cache/get_pip_<version>.py`` instead when that file exists. This writes such a file: it
installs pip (and whatever else ansible-test asks for) from wheels fetched once from PyPI with ``pip download``.

The versions come from the installed ansible-test, so the stand-in follows ansible-core upgrades (pip 24.2 for
2.19, 25.2 for 2.21). Run it with the Python that runs ansible-test. Idempotent, and offline once the wheels are
cached.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import types

CACHE = os.path.expanduser('~/.ansible/test/cache')
WHEELS = os.path.join(CACHE, 'pip-bootstrap-wheels')

STAND_IN = '''\
# Written by exoguard.mailflow's scripts/ansible_test_pip_bootstrap.py: an offline get-pip for ansible-test.
import sys

WHEELS = %(wheels)r
sys.path.insert(0, %(pip_wheel)r)
from pip._internal.cli.main import main  # noqa: E402  (pip runs from its own wheel, as get-pip does)

# get-pip's own options have no meaning for "pip install".
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
sys.exit(main(['install', '--upgrade', '--force-reinstall', '--no-index', '--find-links', WHEELS] + args))
'''


def bootstrap_packages():
    """The packages ansible-test bootstraps a virtual environment with, as ``{name: version}``."""
    try:
        from ansible_test._internal.python_requirements import get_venv_packages
    except ImportError as ex:
        sys.exit('cannot find the pip version of the installed ansible-test (%s); is ansible-core installed?' % ex)
    version = '%d.%d' % sys.version_info[:2]
    return get_venv_packages(types.SimpleNamespace(version=version))


def wheel_path(name, version):
    found = glob.glob(os.path.join(WHEELS, '%s-%s-*.whl' % (name, version)))
    return found[0] if found else None


def main():
    packages = bootstrap_packages()
    missing = ['%s==%s' % item for item in sorted(packages.items()) if not wheel_path(*item)]
    if missing:
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary', ':all:',
                        '--dest', WHEELS] + missing, check=True)
    pip_version = packages['pip']
    text = STAND_IN % dict(wheels=WHEELS, pip_wheel=wheel_path('pip', pip_version))
    target = os.path.join(CACHE, 'get_pip_%s.py' % pip_version.replace('.', '_'))
    current = None
    if os.path.exists(target):
        with open(target, encoding='utf-8') as handle:
            current = handle.read()
    if current != text:
        with open(target, 'w', encoding='utf-8') as handle:
            handle.write(text)
    print('ansible-test pip bootstrap: %s (pip %s, offline)' % (target, pip_version))


if __name__ == '__main__':
    main()
