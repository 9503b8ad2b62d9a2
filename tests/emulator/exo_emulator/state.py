# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Each tenant's configuration, kept as the Get-* cmdlets return it, and the directory of tenants.

State is divided into kinds (``organization_config``, ``accepted_domains``, ``inbound_connectors``,
``transport_rules``, ``dkim_signing_configs``). A kind knows its default (what a new tenant has) and how to read
what a scenario or the admin API gives for it. Adding a kind for a new cmdlet family is one
:func:`register_kind` call here; its handlers then read and write ``tenant.data[<kind>]``.

Cmdlet handlers and the admin API change a tenant only while holding ``tenant.lock``; the API takes it around
each handler, so handlers see a consistent tenant without locking themselves.
"""

import copy
import threading

from exo_emulator import inbound_connectors, mail_records, records, threat_policies, transport_rules


class StateKind:
    """A kind of tenant state: ``name``, ``default(tenant)`` and ``normalise(value, tenant)`` (raises ValueError)."""

    def __init__(self, name, default, normalise):
        self.name = name
        self.default = default
        self.normalise = normalise


KINDS = {}


def register_kind(name, default, normalise):
    KINDS[name] = StateKind(name, default, normalise)


def _list_of_records(value, tenant, kind):
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError('%s must be a list of records (mappings)' % kind)
    return copy.deepcopy(value)


def _organization_config(value, tenant):
    if not isinstance(value, dict):
        raise ValueError('organization_config must be a mapping')
    record = tenant.default_of('organization_config')
    record.update(copy.deepcopy(value))
    return record


def _accepted_domains(value, tenant):
    if not isinstance(value, list):
        raise ValueError('accepted_domains must be a list of domain names or Get-AcceptedDomain records')
    names = [item for item in value if isinstance(item, str)]
    given = [item for item in value if isinstance(item, dict)]
    if len(names) + len(given) != len(value) or any(not item.get('DomainName') for item in given):
        raise ValueError('accepted_domains must be a list of domain names or records with DomainName')
    if names and not given:
        return records.accepted_domains(names, tenant.organization)
    result = []
    for item in value:
        if isinstance(item, str):
            result.append(records.accepted_domain(item.lower()))
        else:
            record = records.accepted_domain(str(item['DomainName']).lower())
            record.update(copy.deepcopy(item))
            result.append(record)
    return result


register_kind('organization_config',
              lambda tenant: records.organization_config(tenant.organization, tenant.tenant_id, tenant.catalogue),
              _organization_config)
register_kind('accepted_domains',
              lambda tenant: records.accepted_domains(tenant.spec.accepted_domains, tenant.organization),
              _accepted_domains)
register_kind('inbound_connectors', lambda tenant: [], inbound_connectors.from_scenario)
register_kind('transport_rules', lambda tenant: [], transport_rules.from_scenario)
register_kind('dkim_signing_configs', lambda tenant: [],
              lambda value, tenant: [records.complete_dkim_signing_config(item, tenant.organization)
                                     for item in _list_of_records(value, tenant, 'dkim_signing_configs')])
for _kind in threat_policies.KINDS:
    register_kind(_kind, threat_policies.defaults(_kind), threat_policies.from_scenario(_kind))


class TenantState:
    """One tenant: its scenario facts (``tenant_id``, ``organization``, ``apps``), its configuration
    (``data``: kind -> records), and what its front door saw (``mail``: messages, rejections, EmailEvents)."""

    def __init__(self, spec, catalogue=None, dns_server=None):
        self.spec = spec
        self.tenant_id = spec.tenant_id
        self.organization = spec.organization
        self.apps = spec.apps
        self.catalogue = catalogue
        #: Where Exchange's DNS checks (DKIM CNAMEs) are asked: the scenario's ``dns_server`` (``host:port``) or None.
        self.dns_server = dns_server
        self.lock = threading.RLock()
        self.data = {name: kind.default(self) for name, kind in KINDS.items()}
        #: What the front door recorded (messages, rejections, EmailEvents, historical searches): ``mail_records.MailLog``.
        self.mail = mail_records.MailLog()
        self.replace(spec.state)

    def default_of(self, kind):
        return KINDS[kind].default(self)

    def replace(self, kinds):
        """Replace the kinds given (a dict kind -> value as a scenario writes it); raises ValueError, changing
        nothing, when one is unknown or malformed."""
        if not isinstance(kinds, dict):
            raise ValueError('state must be a mapping of kind -> value')
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise ValueError('unknown state kind(s): %s (known: %s)' % (', '.join(unknown), ', '.join(sorted(KINDS))))
        with self.lock:
            replaced = {name: KINDS[name].normalise(value, self) for name, value in kinds.items()}
            self.data.update(replaced)

    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.data)

    def app(self, client_id):
        return self.spec.app(client_id)

    def accepted_domains(self):
        """``(domain, match_subdomains)`` for each accepted domain, lower-case."""
        with self.lock:
            return [(str(record.get('DomainName') or record.get('Name')).lower(), record.get('MatchSubDomains') is True)
                    for record in self.data['accepted_domains']]

    def accepts_domain(self, domain):
        """Whether mail for ``domain`` belongs to this tenant (an accepted domain, or a subdomain of one that
        has MatchSubDomains)."""
        domain = (domain or '').lower().rstrip('.')
        for name, match_subdomains in self.accepted_domains():
            if domain == name or (match_subdomains and domain.endswith('.' + name)):
                return True
        return False

    def names(self):
        """Every name that addresses this tenant in a URL: its GUID, organization and accepted domains."""
        return {self.tenant_id, self.organization} | {name for name, _sub in self.accepted_domains()}


class Directory:
    """All tenants of the scenario, found by GUID or by any of their domains."""

    def __init__(self, scenario, catalogue=None):
        self.tenants = [TenantState(spec, catalogue, scenario.dns_server) for spec in scenario.tenants]

    def tenant(self, name):
        """The tenant a URL segment names (GUID or domain, any case), or None."""
        name = (name or '').strip().lower()
        # GUID and organization first: an accepted domain could (wrongly) be listed by two tenants.
        for tenant in self.tenants:
            if name in (tenant.tenant_id, tenant.organization):
                return tenant
        for tenant in self.tenants:
            if name in tenant.names():
                return tenant
        return None

    def tenant_for_domain(self, domain):
        """The tenant that accepts mail for ``domain``, or None."""
        for tenant in self.tenants:
            if tenant.accepts_domain(domain):
                return tenant
        return None
