# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write this target's emulator scenario into DIR: two tenants, apps of each role, and a certificate app whose
PEM (certificate + password-protected key) is written beside it."""
import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CERTIFICATE_PASSWORD = 'pem-pass-5f1c0a'


def certificate_pem(password):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'exoguard-integration-app')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()))


def main(directory):
    pem_path = directory + '/app-cert.pem'
    with open(pem_path, 'wb') as handle:
        handle.write(certificate_pem(CERTIFICATE_PASSWORD))
    scenario = {'tenants': [
        {'tenant_id': '6f1d2c3b-4a59-4e68-9d7c-0b1a2f3e4d5c', 'organization': 'fabrikamlab.onmicrosoft.com',
         'accepted_domains': ['fabrikam-lab.example', 'fabrikamlab.onmicrosoft.com'],
         'apps': [
             {'client_id': '0a8b7c6d-1111-4222-8333-944455566601', 'client_secret': 'Adm1n~s3cret.value_9f8e7d',
              'role': 'Exchange Administrator'},
             {'client_id': '0a8b7c6d-1111-4222-8333-944455566602', 'client_secret': 'R3ader~s3cret.value_1a2b3c',
              'role': 'Global Reader'},
             {'client_id': '0a8b7c6d-1111-4222-8333-944455566603', 'client_secret': 'N0role~s3cret.value_4d5e6f',
              'role': 'none'},
             {'client_id': '0a8b7c6d-1111-4222-8333-944455566604', 'certificate': pem_path,
              'role': 'Exchange Administrator'},
         ]},
        {'tenant_id': '7a2e3d4c-5b6a-4f79-8e8d-1c2b3a4f5e6d', 'organization': 'northwindlab.onmicrosoft.com',
         'accepted_domains': ['northwind-lab.example', 'northwindlab.onmicrosoft.com'],
         'apps': [{'client_id': '1b9c8d7e-2222-4333-8444-a55566677701', 'client_secret': 'N0rthw1nd~s3cret_7a8b9c',
                   'role': 'Exchange Administrator'}]},
    ]}
    with open(directory + '/scenario.yml', 'w') as handle:
        json.dump(scenario, handle, indent=2)  # JSON is YAML
    with open(directory + '/lab-vars.json', 'w') as handle:
        json.dump({'certificate_path': pem_path, 'certificate_password': CERTIFICATE_PASSWORD}, handle)


if __name__ == '__main__':
    main(sys.argv[1])
