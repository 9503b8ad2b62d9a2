# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures: one real emulator process for the whole session, and per-test resets of what tests change."""

import hashlib
import os

import pytest
import trustme
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from emulator_lab import CONTOSO, CONTOSO_DOMAINS, Lab, scenario_document, start_emulator, stop_emulator


@pytest.fixture(scope='session')
def app_certificate(tmp_path_factory):
    """An RSA certificate and key for the certificate app: the msal credential and the PEM file the scenario names."""
    directory = tmp_path_factory.mktemp('certificate')
    authority = trustme.CA(key_type=trustme.KeyType.RSA)
    issued = authority.issue_cert('exo-automation.contoso.com', key_type=trustme.KeyType.RSA)
    pem_path = directory / 'app.pem'
    # Public certificate and key in one file: the emulator must use only the certificate.
    pem_path.write_bytes(issued.private_key_pem.bytes() + issued.cert_chain_pems[0].bytes())
    certificate = x509.load_pem_x509_certificate(issued.cert_chain_pems[0].bytes())
    thumbprint = hashlib.sha1(certificate.public_bytes(Encoding.DER)).hexdigest()
    return {'private_key': issued.private_key_pem.bytes().decode('ascii'), 'thumbprint': thumbprint, 'path': str(pem_path)}


@pytest.fixture(scope='session')
def scenario_file(app_certificate):
    directory = os.path.dirname(app_certificate['path'])
    path = os.path.join(directory, 'scenario.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(scenario_document(app_certificate['path']), handle)
    return path


@pytest.fixture(scope='session')
def lab(tmp_path_factory, scenario_file, app_certificate):
    ready = tmp_path_factory.mktemp('ready') / 'ready.json'
    process, info = start_emulator(scenario_file, ready)
    try:
        yield Lab(info, {'private_key': app_certificate['private_key'], 'thumbprint': app_certificate['thumbprint']})
    finally:
        stop_emulator(process)


@pytest.fixture
def fresh_contoso(lab):
    """Contoso as the scenario made it, with no faults, calls or messages left by earlier tests."""
    lab.admin('DELETE', 'faults')
    lab.admin('PUT', 'tenants/%s/state' % CONTOSO, {'organization_config': {}, 'accepted_domains': CONTOSO_DOMAINS})
    lab.admin('DELETE', 'tenants/%s/messages' % CONTOSO)
    lab.admin('DELETE', 'calls')
    return lab
