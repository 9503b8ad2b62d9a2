# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a scenario file (YAML; JSON is YAML too): the tenants, their apps and their starting state.

The shape is the one in DESIGN.md ("The emulator"). A mistake in the file (a missing key, an unknown key, a
tenant ID that is not a GUID) stops the emulator before it is ready, with a message naming the place: a typo
must not silently become "Exchange's default".
"""

import base64
import hashlib
import os
import re
import uuid

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from exo_emulator.dns import parse_server
from exo_emulator.state import KINDS
from exo_emulator.threat_policies import LICENCES

EXCHANGE_ADMINISTRATOR = 'Exchange Administrator'
GLOBAL_READER = 'Global Reader'
SECURITY_READER = 'Security Reader'
NO_ROLE = 'none'
ROLES = (EXCHANGE_ADMINISTRATOR, GLOBAL_READER, SECURITY_READER, NO_ROLE)
READ_ONLY_ROLES = (GLOBAL_READER, SECURITY_READER)

DEFAULT_TOKEN_LIFETIME = 3599
_TENANT_KEYS = {'tenant_id', 'organization', 'accepted_domains', 'apps', 'state', 'licences'}
_APP_KEYS = {'client_id', 'client_secret', 'certificate', 'role', 'consented', 'token_lifetime_seconds', 'display_name', 'graph_roles'}
# Graph application permissions an app has unless the scenario says otherwise (``graph_roles``): hunting, for every app.
DEFAULT_GRAPH_ROLES = ('ThreatHunting.Read.All',)
_DOMAIN = re.compile(r'^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$', re.IGNORECASE)


class ScenarioError(Exception):
    """The scenario file cannot be used; the message says where and why."""


class AppRegistration:
    """An Entra app registration in one tenant: how it authenticates and what it may do there.

    ``certificate`` is the registered public certificate (a ``cryptography`` object) or None;
    ``certificate_thumbprints`` the base64url SHA-1 and SHA-256 thumbprints a client assertion may name.
    """

    def __init__(self, client_id, role, client_secret=None, certificate_path=None, consented=True,
                 token_lifetime=DEFAULT_TOKEN_LIFETIME, display_name=None, graph_roles=DEFAULT_GRAPH_ROLES):
        self.client_id = client_id
        #: Microsoft Graph application permissions (token ``roles`` for https://graph.microsoft.com) when consented.
        self.graph_roles = list(graph_roles)
        self.role = role
        self.client_secret = client_secret
        self.certificate_path = certificate_path
        self.consented = consented
        self.token_lifetime = token_lifetime
        self.display_name = display_name or client_id
        self.certificate = None
        self.certificate_thumbprints = {}
        if certificate_path:
            self.certificate = _load_certificate(certificate_path)
            der = self.certificate.public_bytes(Encoding.DER)
            self.certificate_thumbprints = {
                'x5t': _b64url(hashlib.sha1(der).digest()),
                'x5t#S256': _b64url(self.certificate.fingerprint(hashes.SHA256())),
            }

    @property
    def may_write(self):
        return self.role == EXCHANGE_ADMINISTRATOR

    @property
    def has_role(self):
        return self.role != NO_ROLE

    def ready_entry(self):
        """What the ready file tells clients about this app (its secret included: the lab's own credential)."""
        entry = {'client_id': self.client_id, 'role': self.role, 'consented': self.consented}
        if self.client_secret is not None:
            entry['client_secret'] = self.client_secret
        if self.certificate_path:
            entry['certificate'] = self.certificate_path
        return entry


class TenantSpec:
    """A tenant as the scenario describes it: ``tenant_id`` (lower-case GUID), ``organization``,
    ``accepted_domains`` (names), ``apps`` (AppRegistration list) and ``state`` (the kinds given, as written)."""

    def __init__(self, tenant_id, organization, accepted_domains, apps, state, licences=()):
        self.tenant_id = tenant_id
        #: Add-on licences (``defender_for_office365``): which properties the tenant's threat policies have.
        self.licences = tuple(licences)
        self.organization = organization
        self.accepted_domains = accepted_domains
        self.apps = apps
        self.state = state

    def app(self, client_id):
        for app in self.apps:
            if app.client_id.lower() == str(client_id).lower():
                return app
        return None


class Scenario:
    """Everything a scenario file says: ``tenants`` (TenantSpec list) and ``dns_server`` (``host:port`` or None)."""

    def __init__(self, tenants, dns_server=None):
        self.tenants = tenants
        self.dns_server = dns_server


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')


def _load_certificate(path):
    try:
        with open(path, 'rb') as handle:
            return x509.load_pem_x509_certificate(handle.read())
    except (OSError, ValueError) as exc:
        raise ScenarioError('certificate %s cannot be read as a PEM certificate: %s' % (path, exc))


def _require(mapping, key, where):
    if key not in mapping or mapping[key] in (None, ''):
        raise ScenarioError('%s: `%s` is required' % (where, key))
    return mapping[key]


def _check_keys(mapping, allowed, where):
    if not isinstance(mapping, dict):
        raise ScenarioError('%s must be a mapping' % where)
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ScenarioError('%s: unknown key(s) %s (known: %s)' % (where, ', '.join(unknown), ', '.join(sorted(allowed))))


def _guid(value, where):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ScenarioError('%s: `%s` is not a GUID' % (where, value))


def _role(value, where):
    for role in ROLES:
        if str(value).strip().lower() == role.lower():
            return role
    raise ScenarioError('%s: role `%s` is not one of %s' % (where, value, ', '.join(ROLES)))


def _app(document, where, base_dir):
    _check_keys(document, _APP_KEYS, where)
    client_id = _guid(_require(document, 'client_id', where), where)
    secret = document.get('client_secret')
    certificate = document.get('certificate')
    if secret is None and not certificate:
        raise ScenarioError('%s: give `client_secret` or `certificate`' % where)
    if certificate:
        certificate = os.path.abspath(os.path.join(base_dir, os.path.expanduser(str(certificate))))
    lifetime = document.get('token_lifetime_seconds', DEFAULT_TOKEN_LIFETIME)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime < 1:
        raise ScenarioError('%s: `token_lifetime_seconds` must be a positive whole number' % where)
    return AppRegistration(client_id, _role(document.get('role', EXCHANGE_ADMINISTRATOR), where),
                           client_secret=None if secret is None else str(secret), certificate_path=certificate,
                           consented=document.get('consented', True) is not False, token_lifetime=lifetime,
                           display_name=document.get('display_name'), graph_roles=_graph_roles(document, where))


def _graph_roles(document, where):
    roles = document.get('graph_roles', list(DEFAULT_GRAPH_ROLES))
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise ScenarioError('%s: `graph_roles` must be a list of Graph application permissions, e.g. [ThreatHunting.Read.All]' % where)
    return roles


def _tenant(document, where, base_dir):
    _check_keys(document, _TENANT_KEYS, where)
    tenant_id = _guid(_require(document, 'tenant_id', where), where)
    organization = str(_require(document, 'organization', where)).lower()
    if not organization.endswith('.onmicrosoft.com') or not _DOMAIN.match(organization):
        raise ScenarioError('%s: organization `%s` must be <name>.onmicrosoft.com' % (where, organization))
    domains = document.get('accepted_domains') or []
    if not isinstance(domains, list) or not all(isinstance(d, str) and _DOMAIN.match(d) for d in domains):
        raise ScenarioError('%s: accepted_domains must be a list of domain names' % where)
    apps = document.get('apps') or []
    if not isinstance(apps, list):
        raise ScenarioError('%s: apps must be a list' % where)
    state = document.get('state') or {}
    _check_keys(state, set(KINDS), where + '.state')
    licences = document.get('licences') or []
    if not isinstance(licences, list) or any(licence not in LICENCES for licence in licences):
        raise ScenarioError('%s: licences must be a list of %s' % (where, ', '.join(LICENCES)))
    return TenantSpec(tenant_id, organization, [d.lower() for d in domains],
                      [_app(app, '%s.apps[%d]' % (where, index), base_dir) for index, app in enumerate(apps)], state,
                      licences=licences)


def parse_scenario(document, base_dir='.'):
    """A Scenario from an already-parsed document; relative certificate paths are taken from ``base_dir``."""
    _check_keys(document, {'tenants', 'dns_server'}, 'scenario')
    tenants = document.get('tenants')
    if not isinstance(tenants, list) or not tenants:
        raise ScenarioError('scenario: `tenants` must be a non-empty list')
    specs = [_tenant(tenant, 'tenants[%d]' % index, base_dir) for index, tenant in enumerate(tenants)]
    seen = set()
    for spec in specs:
        for name in (spec.tenant_id, spec.organization):
            if name in seen:
                raise ScenarioError('scenario: tenant `%s` appears twice' % name)
            seen.add(name)
    dns_server = document.get('dns_server')
    if dns_server is not None:
        try:
            parse_server(dns_server)
        except ValueError as exc:
            raise ScenarioError('scenario: %s' % exc)
    return Scenario(specs, dns_server=None if dns_server is None else str(dns_server))


def load_scenario(path):
    """Read and check a scenario file; raises ScenarioError."""
    try:
        with open(path, encoding='utf-8') as handle:
            document = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError('cannot read scenario %s: %s' % (path, exc))
    return parse_scenario(document or {}, base_dir=os.path.dirname(os.path.abspath(path)))
