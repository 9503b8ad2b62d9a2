# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exchange's default records for a new tenant, in the shapes of the live captures (shared/exo/live-records.json).

Values a live record shows are kept as captured (including its nulls and the string ``PublicFoldersEnabled``);
the tenant's own names replace the captured ones.
"""

import copy
import uuid

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
