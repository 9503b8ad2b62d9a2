# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment as ansible-builder sees it: the built and installed collection declares every runtime
requirement (meta/execution-environment.yml), and the example EE definition in docs/ is accepted. No container is
built and nothing is downloaded.

Run by `make ee` (pytest, with ansible-builder and ansible-galaxy from requirements-dev.txt on PATH).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, 'docs', 'execution-environment', 'execution-environment.yml')
RUNTIME_PYTHON = {'msal', 'requests', 'pypsrp', 'dnspython', 'jmespath'}


def tool(name):
    """A command of the Python environment running the tests (the project's virtualenv), else from PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else name


def run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, '%s failed:\n%s\n%s' % (' '.join(command), result.stdout, result.stderr)
    return result.stdout


def requirement_name(line):
    """The project name of a pip or bindep requirement line, without version, selectors or comment."""
    return re.split(r'[\s\[<>=!~;#]', line.strip(), maxsplit=1)[0].lower()


def requirement_lines(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith('#')]


@pytest.fixture(scope='module')
def installed_collections(tmp_path_factory):
    """The collection as users get it: built with ansible-galaxy, installed into a collections path of its own."""
    work = tmp_path_factory.mktemp('ee')
    run(tool('ansible-galaxy'), 'collection', 'build', ROOT, '--output-path', str(work / 'dist'))
    artifact = glob.glob(str(work / 'dist' / 'exoguard-mailflow-*.tar.gz'))
    assert len(artifact) == 1, artifact
    run(tool('ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(work / 'collections'), artifact[0])
    return work / 'collections'


@pytest.fixture(scope='module')
def introspection(installed_collections):
    output = run(tool('ansible-builder'), 'introspect', '--sanitize', str(installed_collections))
    return yaml.safe_load(output)


def test_the_installed_collection_keeps_its_dependency_files(installed_collections):
    collection = installed_collections / 'ansible_collections' / 'exoguard' / 'mailflow'
    with open(str(collection / 'meta' / 'execution-environment.yml')) as handle:
        declaration = yaml.safe_load(handle)
    assert declaration == {'version': 1, 'dependencies': {'python': 'requirements.txt', 'system': 'bindep.txt'}}
    assert (collection / 'requirements.txt').is_file()
    assert (collection / 'bindep.txt').is_file()


def test_introspection_reports_every_runtime_python_requirement(introspection):
    reported = dict((requirement_name(line), line) for line in introspection['python'])
    assert RUNTIME_PYTHON <= set(reported)
    declared = set(requirement_name(line) for line in requirement_lines(os.path.join(ROOT, 'requirements.txt')))
    assert set(reported) == declared
    assert all(line.endswith('# from collection exoguard.mailflow') for line in reported.values())


def test_introspection_keeps_the_version_bounds(introspection):
    reported = dict((requirement_name(line), line) for line in introspection['python'])
    assert '< 1.0.0' in reported['pypsrp']
    assert '>= 1.24.0' in reported['msal']


def test_introspection_reports_the_system_requirements(introspection):
    reported = [line.split('#')[0].strip() for line in introspection['system']]
    declared = [line.split('#')[0].strip() for line in requirement_lines(os.path.join(ROOT, 'bindep.txt'))]
    assert reported == declared
    assert 'ca-certificates [platform:dpkg platform:rpm]' in reported


def test_an_execution_environment_installs_only_the_runtime_system_packages(introspection):
    bindep = pytest.importorskip('bindep.depends')
    rules = bindep.Depends('\n'.join(introspection['system']) + '\n')
    # ansible-builder installs bindep's default profile; the test tools carry the profile "test".
    for platform in (['platform:rpm', 'platform:redhat', 'platform:centos'], ['platform:dpkg', 'platform:debian']):
        assert [rule[0] for rule in rules.active_rules(['default'] + platform)] == ['ca-certificates']
    assert 'bind9' in [rule[0] for rule in rules.active_rules(['test', 'platform:dpkg'])]


@pytest.fixture(scope='module')
def build_context(tmp_path_factory):
    context = tmp_path_factory.mktemp('context')
    run(tool('ansible-builder'), 'create', '-f', EXAMPLE, '-c', str(context), '--output-filename', 'Containerfile')
    return context


def test_ansible_builder_accepts_the_example_definition(build_context):
    containerfile = (build_context / 'Containerfile').read_text()
    with open(EXAMPLE) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    assert 'ARG EE_BASE_IMAGE="%s"' % definition['images']['base_image']['name'] in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert 'RUN ansible-doc -t inventory exoguard.mailflow.tenants' in containerfile


def test_the_example_installs_this_collection(build_context):
    with open(str(build_context / '_build' / 'requirements.yml')) as handle:
        requirements = yaml.safe_load(handle)
    assert [collection['name'] for collection in requirements['collections']] == ['exoguard.mailflow']


def test_the_example_installs_the_requirements_on_the_python_ansible_runs_on(build_context):
    containerfile = (build_context / 'Containerfile').read_text()
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert 'introspect.py introspect' in containerfile
