# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's own certificate authority and the HTTPS server certificate it issues for the loopback names.

Made fresh at every start (ECDSA P-256: quick to generate), written to a private temporary directory; clients
trust ``ca.pem`` (the ready file's ``ca_file``) and nothing else changes on the machine.
"""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'exoguard.mailflow Exchange Online emulator'),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM)


class ServerCertificates:
    """The files of one emulator run: ``ca_file``, ``cert_file`` (server certificate + CA) and ``key_file``."""

    def __init__(self, directory, hosts):
        now = datetime.datetime.now(datetime.timezone.utc)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name('Exchange Online emulator CA')
        ca_cert = (x509.CertificateBuilder()
                   .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
                   .sign(ca_key, hashes.SHA256()))
        server_key = ec.generate_private_key(ec.SECP256R1())
        server_cert = (x509.CertificateBuilder()
                       .subject_name(_name('localhost')).issuer_name(ca_name).public_key(server_key.public_key())
                       .serial_number(x509.random_serial_number())
                       .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=30))
                       .add_extension(x509.SubjectAlternativeName(_alt_names(hosts)), critical=False)
                       .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                       .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                       .sign(ca_key, hashes.SHA256()))
        self._ca_key = ca_key
        self._ca_cert = ca_cert
        self.ca_file = os.path.join(directory, 'ca.pem')
        self.cert_file = os.path.join(directory, 'server.pem')
        self.key_file = os.path.join(directory, 'server-key.pem')
        _write(self.ca_file, _pem(ca_cert), 0o644)
        _write(self.cert_file, _pem(server_cert) + _pem(ca_cert), 0o644)
        _write(self.key_file, server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()), 0o600)

    def issue_client_certificate(self, common_name, dns_names=()):
        """``(certificate PEM, private key PEM)`` of a TLS client certificate signed by the CA, for an SMTP client
        (a partner gateway) to present in STARTTLS: subject CN ``common_name``, DNS SANs ``dns_names``."""
        now = datetime.datetime.now(datetime.timezone.utc)
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder()
                   .subject_name(_name(common_name)).issuer_name(self._ca_cert.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        if dns_names:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]), critical=False)
        certificate = builder.sign(self._ca_key, hashes.SHA256())
        return (_pem(certificate).decode('ascii'),
                key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode('ascii'))


def _alt_names(hosts):
    names = [x509.DNSName('localhost'), x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.IPAddress(ipaddress.ip_address('::1'))]
    for host in hosts:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if host and host != 'localhost':
                names.append(x509.DNSName(host))
            continue
        if x509.IPAddress(address) not in names:
            names.append(x509.IPAddress(address))
    return names


def _write(path, data, mode):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, 'wb') as handle:
        handle.write(data)
