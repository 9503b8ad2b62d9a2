# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/awx/credential-type.yml: valid as AWX validates a custom credential type, and what its injectors give the
modules is a credential they can use (the EXO_* variables of the connection options)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest
import yaml

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.exoguard.mailflow.plugins.module_utils import _auth as auth
from ansible_collections.exoguard.mailflow.plugins.module_utils._argspec import (
    CONNECTION_OPTIONS,
    connection_argument_spec,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CREDENTIAL_TYPE = os.path.join(ROOT, 'docs', 'awx', 'credential-type.yml')
FIELD_ID = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*$')
PEM = ('-----BEGIN CERTIFICATE-----\nTUlJQ2FwcGNlcnQ=\n-----END CERTIFICATE-----\n'
       '-----BEGIN PRIVATE KEY-----\nTUlJRWtleQ==\n-----END PRIVATE KEY-----\n')


@pytest.fixture(scope='module')
def credential_type():
    with open(CREDENTIAL_TYPE) as handle:
        return yaml.safe_load(handle)


def fields(credential_type):
    return dict((field['id'], field) for field in credential_type['inputs']['fields'])


def file_labels(credential_type):
    return [label.split('.', 1)[1] for label in credential_type['injectors'].get('file', {})]


def inject(credential_type, inputs, directory):
    """The environment a job gets, rendered as AWX renders injectors: inputs left empty are undefined (so they render
    as empty text), and every file template is written, its path in ``tower.filename.<label>``."""
    sandbox = ImmutableSandboxedEnvironment()
    namespace = dict((name, value) for name, value in inputs.items() if value)
    filenames = {}
    for label, template in credential_type['injectors'].get('file', {}).items():
        path = os.path.join(str(directory), label.split('.', 1)[1])
        with open(path, 'w') as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        filenames[label.split('.', 1)[1]] = path
    namespace['tower'] = {'filename': filenames}
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in credential_type['injectors']['env'].items())


def connection_options(environment):
    """The connection options a module gets from these environment variables alone (its env fallbacks)."""
    options = {}
    for name, spec in connection_argument_spec().items():
        for variable in spec['fallback'][1]:
            if variable in environment:
                options[name] = environment[variable]
    return options


def test_it_is_a_custom_cloud_credential_type_with_a_name(credential_type):
    assert credential_type['kind'] == 'cloud'
    assert credential_type['name']
    assert set(credential_type) <= {'name', 'description', 'kind', 'inputs', 'injectors'}


def test_every_input_is_a_well_formed_awx_field(credential_type):
    ids = [field['id'] for field in credential_type['inputs']['fields']]
    assert len(ids) == len(set(ids))
    for field in credential_type['inputs']['fields']:
        assert FIELD_ID.match(field['id']), field
        assert field['type'] in ('string', 'boolean'), field
        assert field['label'] and field['help_text'], field
    assert set(credential_type['inputs']['required']) <= set(ids)


def test_the_app_and_its_secret_or_certificate_are_the_inputs(credential_type):
    assert set(fields(credential_type)) == {'client_id', 'client_secret', 'certificate', 'certificate_password',
                                            'tenant_id', 'organization'}
    assert credential_type['inputs']['required'] == ['client_id']


@pytest.mark.parametrize('secret', ['client_secret', 'certificate', 'certificate_password'])
def test_secrets_are_secret_inputs(credential_type, secret):
    assert fields(credential_type)[secret].get('secret') is True


def test_the_certificate_is_multiline(credential_type):
    assert fields(credential_type)['certificate'].get('multiline') is True


def test_every_injector_references_only_defined_inputs(credential_type):
    # As AWX validates injectors: every template renders with StrictUndefined over the inputs and tower.filename.
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = dict((field_id, 'EXAMPLE') for field_id in fields(credential_type))
    namespace['tower'] = {'filename': dict((label, 'EXAMPLE_FILENAME') for label in file_labels(credential_type))}
    injectors = credential_type['injectors']
    assert set(injectors) <= {'env', 'file', 'extra_vars'}
    for kind in injectors:
        for name, template in injectors[kind].items():
            sandbox.from_string(template).render(**namespace)
    for label in injectors.get('file', {}):
        assert label.startswith('template.'), label


def test_every_injected_variable_is_one_the_modules_read(credential_type):
    read = set('EXO_' + option.upper() for option in CONNECTION_OPTIONS)
    injected = set(credential_type['injectors']['env'])
    assert injected <= read, injected - read
    assert {'EXO_CLIENT_ID', 'EXO_CLIENT_SECRET', 'EXO_CERTIFICATE_PATH', 'EXO_CERTIFICATE_PASSWORD',
            'EXO_TENANT_ID', 'EXO_ORGANIZATION'} == injected
    assert not any(name.startswith('ANSIBLE_') for name in injected)


def test_a_client_secret_credential_signs_in_with_the_secret(credential_type, tmp_path):
    environment = inject(credential_type, {'client_id': 'app-id', 'client_secret': 'the-secret'}, tmp_path)
    options = connection_options(environment)
    assert options['client_id'] == 'app-id'
    assert environment['EXO_CERTIFICATE_PATH'] == ''
    credential = auth.credential_from(options.get('client_secret'), options.get('certificate_path'),
                                      options.get('certificate_password'))
    assert isinstance(credential, auth.ClientSecret)


def test_a_certificate_credential_signs_in_with_the_certificate_file(credential_type, tmp_path):
    environment = inject(credential_type, {'client_id': 'app-id', 'certificate': PEM, 'certificate_password': 'pw'},
                         tmp_path)
    options = connection_options(environment)
    with open(options['certificate_path']) as handle:
        assert handle.read() == PEM
    credential = auth.credential_from(options.get('client_secret'), options.get('certificate_path'),
                                      options.get('certificate_password'))
    assert isinstance(credential, auth.Certificate)
    assert options['certificate_password'] == 'pw'


def test_a_multi_tenant_credential_leaves_the_tenant_to_the_inventory(credential_type, tmp_path):
    environment = inject(credential_type, {'client_id': 'app-id', 'client_secret': 'the-secret'}, tmp_path)
    # Empty, so the playbooks' tenant_id from exo_tenant_id is the only one, and nothing points at another tenant.
    assert environment['EXO_TENANT_ID'] == ''
    assert environment['EXO_ORGANIZATION'] == ''


def test_a_single_tenant_credential_names_its_tenant(credential_type, tmp_path):
    environment = inject(credential_type, {'client_id': 'app-id', 'client_secret': 's', 'tenant_id': 'tenant-guid',
                                           'organization': 'contoso.onmicrosoft.com'}, tmp_path)
    options = connection_options(environment)
    assert options['tenant_id'] == 'tenant-guid'
    assert options['organization'] == 'contoso.onmicrosoft.com'
