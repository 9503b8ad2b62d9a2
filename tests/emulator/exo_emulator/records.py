# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exchange's default records for a new tenant, in the shapes of the live captures (shared/exo/live-records.json).

Values a live record shows are kept as captured (including its nulls and the string ``PublicFoldersEnabled``);
the tenant's own names replace the captured ones.
"""

import base64
import copy
import hashlib
import os
import uuid

from exo_emulator import clock

# Get-OrganizationConfig as captured live, without the tenant's names (filled in by organization_config()).
_LIVE_ORGANIZATION_CONFIG = {
    'Name': None, 'Identity': None, 'Guid': None, 'DisplayName': None,
    'OAuth2ClientProfileEnabled': True, 'AuditDisabled': False, 'IsDehydrated': False, 'CustomerLockboxEnabled': True,
    'EwsEnabled': False, 'EwsAllowOutlook': None, 'EwsAllowMacOutlook': None, 'EwsApplicationAccessPolicy': None,
    'AutoExpandingArchiveEnabled': False, 'MailTipsAllTipsEnabled': True, 'MailTipsExternalRecipientsTipsEnabled': True,
    'ConnectorsEnabled': True, 'ConnectorsEnabledForOutlook': True, 'ConnectorsEnabledForTeams': True,
    'ConnectorsEnabledForYammer': True, 'PublicFoldersEnabled': 'Local', 'PublicComputersDetectionEnabled': False,
    'ActivityBasedAuthenticationTimeoutEnabled': True, 'ActivityBasedAuthenticationTimeoutInterval': '06:00:00',
    'ActivityBasedAuthenticationTimeoutWithSingleSignOnEnabled': True, 'DefaultAuthenticationPolicy': None,
    'SendFromAliasEnabled': False, 'AutodiscoverPartialDirSync': False, 'BookingsEnabled': True,
    'OutlookMobileGCCRestrictionsEnabled': False, 'FocusedInboxOn': None, 'LinkPreviewEnabled': True,
    'MessageRemindersEnabled': True, 'SmtpActionableMessagesEnabled': True, 'IPListBlocked': [],
    'WorkspaceTenantEnabled': True, 'MessageRecallEnabled': None, 'DirectReportsGroupAutoCreationEnabled': False,
    'UnblockUnsafeSenderPromptEnabled': True, 'MaskClientIpInReceivedHeadersEnabled': True, 'ElcProcessingDisabled': False,
    'HierarchicalAddressBookRoot': None, 'IsMixedMode': True,
}

# Get-AcceptedDomain as captured live. Identity, Id, Guid and IsValid, which every Exchange configuration object
# carries but the narrowed capture dropped, are added by accepted_domain().
_LIVE_ACCEPTED_DOMAIN = {
    'DomainName': None, 'DomainType': 'Authoritative', 'Default': False, 'InitialDomain': False, 'MatchSubDomains': False,
    'SmtpDaneStatus': 'Disabled', 'AuthenticationType': 'Managed', 'RawAuthenticationType': 'Managed',
    'ExternallyManaged': False, 'PendingRemoval': False, 'PendingCompletion': False, 'OutboundOnly': False,
    'EmailOnly': False, 'AddressBookEnabled': True, 'SendingFromDomainDisabled': False, 'SendingToDomainDisabled': False,
    'IsCoexistenceDomain': False, 'CatchAllRecipientID': None, 'FederatedOrganizationLink': 'Federation', 'Name': None,
    'DistinguishedName': None, 'ExchangeVersion': '0.20 (15.0.0.0)', 'AdminDisplayName': '', 'MailFlowRegion': '',
    'AzureProvisioningRegion': '',
}

# Namespace for the stable GUIDs of default objects: the same scenario gives the same GUIDs on every run.
_GUID_NAMESPACE = uuid.UUID('6f0d5b52-3c1e-4d8e-9a51-7a0e6c2d9b10')


def stable_guid(*names):
    return str(uuid.uuid5(_GUID_NAMESPACE, '/'.join(str(name).lower() for name in names)))


def documented_boolean_defaults(catalogue, cmdlet='Set-OrganizationConfig'):
    """Boolean parameters of ``cmdlet`` whose reference page states a ``$true``/``$false`` default.

    Only those are modelled beyond the live record: a property whose default the docs do not state is left out
    rather than guessed.
    """
    defaults = {}
    if catalogue is None or catalogue.cmdlet(cmdlet) is None:
        return defaults
    for spec in catalogue.cmdlet(cmdlet).parameters:
        if spec.value_kind != 'boolean':
            continue
        stated = spec.documented_default
        if isinstance(stated, str) and stated.lower() in ('$true', '$false'):
            defaults[spec.name] = stated.lower() == '$true'
    return defaults


def organization_config(organization, tenant_id, catalogue=None):
    """The Get-OrganizationConfig record of a tenant nobody has configured yet.

    The live record's properties, ``RejectDirectSend: false`` (Exchange Online's default: Direct Send allowed),
    and the Boolean properties whose defaults the docs state.
    """
    record = copy.deepcopy(_LIVE_ORGANIZATION_CONFIG)
    record.update({'Name': organization, 'Identity': organization, 'Guid': stable_guid('organization', tenant_id),
                   'DisplayName': organization.split('.', 1)[0], 'RejectDirectSend': False})
    for name, value in documented_boolean_defaults(catalogue).items():
        record.setdefault(name, value)
    return record


def accepted_domain(domain, default=False, initial=False):
    """A Get-AcceptedDomain record for ``domain``."""
    record = copy.deepcopy(_LIVE_ACCEPTED_DOMAIN)
    record.update({'DomainName': domain, 'Name': domain, 'Default': bool(default), 'InitialDomain': bool(initial),
                   'DistinguishedName': 'CN=%s,CN=Accepted Domains' % domain})
    record.update({'Identity': domain, 'Id': domain, 'Guid': stable_guid('accepted-domain', domain), 'IsValid': True})
    return record


def accepted_domains(domains, organization):
    """The tenant's accepted-domain records: the ``*.onmicrosoft.com`` organization domain is the initial domain
    (added when the list lacks it, as every tenant has one); the first other domain is the default, or the
    initial domain when there is no other."""
    initial = organization.lower()
    names = []
    for domain in list(domains) + [initial]:
        if domain.lower() not in names:
            names.append(domain.lower())
    others = [name for name in names if name != initial]
    default = others[0] if others else initial
    return [accepted_domain(name, default=name == default, initial=name == initial) for name in names]


# Get-DkimSigningConfig as captured live (key order and type annotations kept); the domain's names, CNAME targets,
# key sizes, public keys and times are filled in by dkim_signing_config().
_LIVE_DKIM_SIGNING_CONFIG = {
    'Domain': None, 'AdminDisplayName': '',
    'Selector1KeySize@data.type': 'System.UInt16', 'Selector1KeySize@odata.type': '#Decimal', 'Selector1KeySize': 1024,
    'Selector1CNAME': None, 'Selector1PublicKey': None,
    'Selector2KeySize@data.type': 'System.UInt16', 'Selector2KeySize@odata.type': '#Decimal', 'Selector2KeySize': 1024,
    'Selector2CNAME': None, 'Selector2PublicKey': None,
    'Enabled': False, 'IsDefault': False, 'HeaderCanonicalization': 'Relaxed', 'BodyCanonicalization': 'Relaxed',
    'Algorithm': 'RsaSHA256', 'NumberOfBytesToSign': 'All', 'IncludeSignatureCreationTime': True,
    'IncludeKeyExpiration': False,
    'KeyCreationTime@data.type': 'System.DateTime', 'KeyCreationTime': None,
    'LastChecked@data.type': 'System.DateTime', 'LastChecked': None,
    'RotateOnDate@data.type': 'System.DateTime', 'RotateOnDate': None,
    'SelectorBeforeRotateOnDate': 'selector2', 'SelectorAfterRotateOnDate': 'selector1',
    'Status': 'CnameMissing', 'Identity': None, 'Id': None, 'IsValid': True, 'ExchangeVersion': '0.20 (15.0.0.0)',
    'Name': None,
}

# Length of an RSA SubjectPublicKeyInfo (DER) of each key size: what the p= tag of a DKIM key record holds.
_PUBLIC_KEY_BYTES = {1024: 162, 2048: 294}


def dkim_cname_targets(domain, organization):
    """The two CNAME targets Exchange issues for a domain added since May 2025:
    ``selector<N>-<domain with dashes>._domainkey.<initial domain prefix>.<letter>-v1.dkim.mail.microsoft``.

    Exchange's letter is its own choice per domain (the live capture shows ``y`` and ``a``); a hash of the domain
    stands in for it, so the targets are stable across runs.
    """
    dashed = domain.lower().replace('.', '-')
    prefix = organization.lower().split('.', 1)[0]
    letter = 'abcdefghijklmnopqrstuvwxyz'[int(hashlib.sha256(domain.lower().encode('utf-8')).hexdigest(), 16) % 26]
    return tuple('selector%d-%s._domainkey.%s.%s-v1.dkim.mail.microsoft' % (number, dashed, prefix, letter)
                 for number in (1, 2))


def dkim_public_key(key_size):
    """A DKIM key record of the right length for ``key_size`` (random bytes stand in for the key)."""
    raw = os.urandom(_PUBLIC_KEY_BYTES.get(key_size, key_size // 8 + 34))
    return 'v=DKIM1; k=rsa; p=%s;' % base64.b64encode(raw).decode('ascii')


def dkim_signing_config(domain, organization, key_size=1024, moment=None):
    """The Get-DkimSigningConfig record New-DkimSigningConfig creates: disabled, both selectors keyed with
    ``key_size``, selector1 signing (``SelectorAfterRotateOnDate``), ``RotateOnDate`` = ``KeyCreationTime`` as in
    the live record of a configuration that was never rotated."""
    domain = domain.lower()
    now = clock.exchange_utc_time(moment)
    selector1, selector2 = dkim_cname_targets(domain, organization)
    record = copy.deepcopy(_LIVE_DKIM_SIGNING_CONFIG)
    record.update({
        'Domain': domain, 'Name': domain, 'Identity': domain, 'Id': domain,
        'Selector1KeySize': key_size, 'Selector1CNAME': selector1, 'Selector1PublicKey': dkim_public_key(key_size),
        'Selector2KeySize': key_size, 'Selector2CNAME': selector2, 'Selector2PublicKey': dkim_public_key(key_size),
        'KeyCreationTime': now, 'LastChecked': now, 'RotateOnDate': now,
    })
    return record


def complete_dkim_signing_config(given, organization):
    """A scenario's Get-DkimSigningConfig record, completed with what New-DkimSigningConfig would have made.

    ``Domain`` (or ``Name`` / ``Identity``) is required. Without ``Status``, an enabled configuration is ``Valid``
    (a scenario that says it signs is taken at its word) and a disabled one ``CnameMissing``.
    """
    domain = given.get('Domain') or given.get('Name') or given.get('Identity')
    if not domain or not isinstance(domain, str):
        raise ValueError('each of dkim_signing_configs needs Domain (the domain name)')
    key_size = given.get('Selector1KeySize') or 1024
    record = dkim_signing_config(domain, organization, key_size=key_size)
    record['Selector2KeySize'] = given.get('Selector2KeySize') or key_size
    record.update(copy.deepcopy(given))
    if 'Status' not in given:
        record['Status'] = 'Valid' if record.get('Enabled') is True else 'CnameMissing'
    return record
