# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Inbound connectors: the Get-InboundConnector record, the forms values read back in, and what Exchange refuses
(cmdlet-behaviour.md section 1).

Values are checked one by one as they arrive (:data:`ITEM_CONVERTERS`, :func:`certificate_name`; a bad value is a
``DataValidationException``), and the connector that would result is checked as a whole by :func:`check`
(contradicting settings are a ``ValidationException``). Set-InboundConnector checks the current connector merged
with its change, so a Set that breaks a rule together with what is already there is refused too.
"""

import copy
import re

from exo_emulator import clock, directory_names, errors, ip_ranges, records

# Get-InboundConnector as captured live (key order kept), holding what New-InboundConnector gives a property its
# caller leaves out:
# - Enabled true, TreatMessagesAsInternal/EFSkipLastIP/RestrictDomainsTo* false, ConnectorSource Default: the
#   documented defaults;
# - RequireTls true: the docs disagree (true since 2021, false before, section 1); the emulator follows the current
#   reference page ("$true ... This value is the default"), so a connector made without RequireTls can pin a
#   certificate;
# - CloudServicesMailEnabled false: true is the default only for connectors the Hybrid Configuration wizard
#   makes (reference page), and the portal-made live record without TLS reads false;
# - ConnectorType Partner: the docs state no default; Partner is the type for third-party gateways, the
#   common case, and what Exchange's own connector object defaults to;
# - Comment and AdminDisplayName "", TlsSenderCertificateName null, every collection []: as the live records read.
_LIVE_INBOUND_CONNECTOR = {
    'Enabled': True, 'ConnectorType': 'Partner', 'ConnectorSource': 'Default', 'Comment': '',
    'SenderIPAddresses': [], 'SenderDomains': [], 'TrustedOrganizations': [], 'ClientHostNames': [], 'AssociatedAcceptedDomains': [],
    'RequireTls': True, 'RestrictDomainsToIPAddresses': False, 'RestrictDomainsToCertificate': False,
    'CloudServicesMailEnabled': False, 'TreatMessagesAsInternal': False, 'TlsSenderCertificateName': None,
    'EFTestMode': False, 'ScanAndDropRecipients': [], 'EFSkipLastIP': False, 'EFSkipIPs': [], 'EFSkipMailGateway': [],
    'EFUsers': [], 'AdminDisplayName': '', 'Name': None, 'Identity': None, 'WhenChangedUTC': None, 'WhenCreatedUTC': None,
    'Guid': None, 'IsValid': True,
}
PROPERTIES = tuple(_LIVE_INBOUND_CONNECTOR)
LIST_PROPERTIES = tuple(name for name, value in _LIVE_INBOUND_CONNECTOR.items() if isinstance(value, list))

_LABEL = r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)'
_DOMAIN = re.compile(r'^(%s\.)*%s$' % (_LABEL, _LABEL))
# The address-space form Get returns (``smtp:<domain>;<cost>``), accepted back as input: a client that writes what
# it read must not be refused.
_ADDRESS_SPACE = re.compile(r'^smtp:(?P<domain>[^;]*)(;(?P<cost>\d{1,3}))?$', re.IGNORECASE)


def distinguished_name(organization, name):
    """Where a connector lives in the directory (the DN of the "already exists" error). The container name is the
    emulator's choice: no published Exchange Online record shows an inbound connector's DN."""
    return directory_names.configuration_object(organization, name, 'Inbound Connectors', 'Transport Settings')


def new_record(name, guid, moment=None):
    """The record of a connector New-InboundConnector makes with nothing but a name (ConnectorSource Default: made
    through the API; the live records show AdminUI for portal-made ones)."""
    now = clock.exchange_utc_time(moment)
    record = copy.deepcopy(_LIVE_INBOUND_CONNECTOR)
    record.update({'Name': name, 'Identity': name, 'Guid': guid, 'WhenChangedUTC': now, 'WhenCreatedUTC': now})
    return record


def _is_domain(text):
    return bool(_DOMAIN.match(text)) and len(text) <= 253


def sender_domain(value):
    """A SenderDomains entry as Get reads it back, ``smtp:<domain>;1``: ``*``, ``contoso.com`` or
    ``*.contoso.com``; a wildcard anywhere else (``con*toso.com``, ``*.*.contoso.com``) is refused."""
    text = str(value).strip()
    cost = 1
    address_space = _ADDRESS_SPACE.match(text)
    if address_space:
        text = address_space.group('domain').strip()
        cost = int(address_space.group('cost') or 1)
    if 1 <= cost <= 100 and (text == '*' or _is_domain(text[2:] if text.startswith('*.') else text)):
        return 'smtp:%s;%d' % (text, cost)
    raise errors.data_validation(
        "The value '%s' of SenderDomains isn't valid. Use * for all domains, a domain such as contoso.com, or a domain and all "
        "its subdomains such as *.contoso.com; the wildcard character can't be embedded in a domain." % value)


def sender_ip_address(value):
    """A SenderIPAddresses entry: an IPv4 address or an IPv4 CIDR range from /24 to /32, masked to its network."""
    entry = _ip_entry(value)
    if entry.version != 4:
        raise errors.data_validation("The value '%s' of SenderIPAddresses isn't valid. IPv6 addresses aren't supported; use IPv4 "
                                     "addresses." % value)
    if entry.kind == ip_ranges.RANGE:
        raise errors.data_validation("The value '%s' of SenderIPAddresses isn't valid. IP address ranges aren't supported; use a "
                                     "single IP address or a CIDR IP address range." % value)
    if entry.kind == ip_ranges.CIDR and not 24 <= entry.prefix <= 32:
        raise errors.data_validation("The value '%s' of SenderIPAddresses isn't valid. Valid subnet mask values are /24 through /32."
                                     % value)
    return entry.text


def ef_skip_ip(value):
    """An EFSkipIPs entry: an address, a lo-hi range or a CIDR range, none of it in an RFC 1918 private network.
    IPv6 is accepted: the docs restrict only SenderIPAddresses to IPv4."""
    entry = _ip_entry(value)
    if ip_ranges.is_private(entry):
        raise errors.data_validation("The value '%s' of EFSkipIPs isn't valid. Private IP addresses (RFC 1918: 10.0.0.0/8, "
                                     "172.16.0.0/12, 192.168.0.0/16) can't be skipped by Enhanced Filtering." % value)
    return entry.text


def _ip_entry(value):
    try:
        return ip_ranges.parse(value)
    except ValueError as exc:
        raise errors.data_validation(str(exc)) from None


def certificate_name(value):
    """TlsSenderCertificateName: a domain or ``*.domain``; ``*`` alone is refused. Empty clears it (null)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text != '*' and _is_domain(text[2:] if text.startswith('*.') else text):
        return text
    raise errors.data_validation("The value '%s' of TlsSenderCertificateName isn't valid. Use a domain such as contoso.com or a "
                                 "domain and all its subdomains such as *.contoso.com; * alone isn't allowed." % value)


# The multi-valued properties whose items Exchange checks and reads back in a canonical form.
ITEM_CONVERTERS = {'SenderDomains': sender_domain, 'SenderIPAddresses': sender_ip_address, 'EFSkipIPs': ef_skip_ip}


def unique(items):
    """The items without repeats (compared case-insensitively, first spelling kept)."""
    seen = set()
    kept = []
    for item in items:
        if str(item).lower() not in seen:
            seen.add(str(item).lower())
            kept.append(item)
    return kept


# The settings that must agree, each with what breaks it and Exchange's refusal, checked in this order
# (cmdlet-behaviour.md section 1 and the reference pages; the sentences are the emulator's).
_AGREEMENTS = (
    (lambda c: c.get('RestrictDomainsToIPAddresses') and c.get('ConnectorType') != 'Partner',
     'RestrictDomainsToIPAddresses can be $true only on a Partner connector (ConnectorType Partner).'),
    (lambda c: c.get('RestrictDomainsToIPAddresses') and not c.get('SenderIPAddresses'),
     'RestrictDomainsToIPAddresses is $true, so SenderIPAddresses must list at least one IP address.'),
    (lambda c: c.get('RestrictDomainsToCertificate') and c.get('ConnectorType') != 'Partner',
     'RestrictDomainsToCertificate can be $true only on a Partner connector (ConnectorType Partner).'),
    (lambda c: c.get('RestrictDomainsToCertificate') and not c.get('TlsSenderCertificateName'),
     "RestrictDomainsToCertificate is $true, so TlsSenderCertificateName must name the partner's certificate."),
    (lambda c: c.get('RestrictDomainsToCertificate') and c.get('RestrictDomainsToIPAddresses'),
     "RestrictDomainsToIPAddresses and RestrictDomainsToCertificate can't both be $true. Use one connector for the IP addresses and "
     "another for the certificate."),
    (lambda c: c.get('TlsSenderCertificateName') and c.get('RequireTls') is not True,
     'TlsSenderCertificateName can be set only when RequireTls is $true.'),
    (lambda c: c.get('TreatMessagesAsInternal') and c.get('ConnectorType') != 'OnPremises',
     'TreatMessagesAsInternal can be $true only when ConnectorType is OnPremises.'),
    (lambda c: c.get('TreatMessagesAsInternal') and c.get('CloudServicesMailEnabled'),
     "TreatMessagesAsInternal can't be $true when CloudServicesMailEnabled is $true."),
)


def check(record, accepted_domains):
    """Refuse a connector whose settings contradict each other, or that names a domain the tenant does not accept
    in AssociatedAcceptedDomains; ``accepted_domains`` are the tenant's domain names, lower-case."""
    for broken, text in _AGREEMENTS:
        if broken(record):
            raise errors.validation_failed(text)
    for domain in record.get('AssociatedAcceptedDomains') or []:
        if str(domain).lower() not in accepted_domains:
            raise errors.validation_failed("The domain '%s' in AssociatedAcceptedDomains isn't an accepted domain of this organization."
                                           % domain)


def from_scenario(value, tenant):
    """The connectors a scenario (or ``PUT state``) gives, in Get-InboundConnector form and possibly partial,
    completed with the defaults of a new connector. Values are put in their read-back form (``smtp:x;1``,
    masked CIDR), but not held to New-InboundConnector's rules: a scenario may start from a state Exchange has
    since stopped allowing. Raises ValueError for a record without Name, a property Get-InboundConnector does
    not return, a value that cannot be read, or two connectors of one name."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError('inbound_connectors must be a list of Get-InboundConnector records (mappings)')
    connectors = []
    for index, given in enumerate(value):
        where = 'inbound_connectors[%d]' % index
        name = given.get('Name')
        if not isinstance(name, str) or not name.strip():
            raise ValueError('%s: `Name` is required' % where)
        unknown = sorted(key for key in given if key not in PROPERTIES and '@' not in key)
        if unknown:
            raise ValueError('%s: unknown propert%s %s (Get-InboundConnector returns: %s)'
                             % (where, 'y' if len(unknown) == 1 else 'ies', ', '.join(unknown), ', '.join(PROPERTIES)))
        if name.lower() in [connector['Name'].lower() for connector in connectors]:
            raise ValueError("%s: a connector named '%s' is already given" % (where, name))
        record = new_record(name, records.stable_guid('inbound-connector', tenant.tenant_id, name))
        record.update({key: copy.deepcopy(item) for key, item in given.items() if '@' not in key})
        record['Identity'] = name
        try:
            _read_back_forms(record)
        except errors.CmdletError as error:
            raise ValueError('%s: %s' % (where, error.text)) from None
        connectors.append(record)
    return connectors


def _read_back_forms(record):
    for name in LIST_PROPERTIES:
        items = record.get(name)
        if items is None:
            items = []
        elif not isinstance(items, list):
            items = [items]  # Get may return a one-item collection as a bare string
        record[name] = items
    record['SenderDomains'] = unique(sender_domain(item) for item in record['SenderDomains'])
    for name in ('SenderIPAddresses', 'EFSkipIPs'):
        record[name] = unique(_ip_entry(item).text for item in record[name])
