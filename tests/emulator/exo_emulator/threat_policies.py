# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Threat policies of a tenant: anti-phish (Get-AntiPhishPolicy), anti-spam (Get-HostedContentFilterPolicy) and
connection filter (Get-HostedConnectionFilterPolicy), as Get-* returns them.

Each tenant starts with its default policies ("Office365 AntiPhish Default", "Default", "Default"; ``IsDefault``
true) carrying the defaults of cmdlet-behaviour.md section 5. The connection filter record is the live capture's
(shared/exo/live-records.json), with the tenant's names. The anti-phish and anti-spam records have no public live
capture: their keys are the Set-* parameters that read back under their own name plus the identity and time keys
every Exchange configuration object carries (as the connection filter capture shows them).

Licences: the impersonation, mailbox intelligence and advanced-threshold properties exist only with Microsoft
Defender for Office 365 (the parameters Microsoft's reference marks as Exchange Online only, not "Built-in security
add-on"). A tenant without ``licences: [defender_for_office365]`` in its scenario has anti-phish records without
them, and Set-AntiPhishPolicy refuses them as unknown parameters.
"""

import copy

from exo_emulator import clock, directory_names, records

DEFENDER = 'defender_for_office365'
LICENCES = (DEFENDER,)

DEFAULT_ANTIPHISH = 'Office365 AntiPhish Default'
DEFAULT_CONTENT_FILTER = 'Default'
DEFAULT_CONNECTION_FILTER = 'Default'

_TAG = 'DefaultFullAccessPolicy'

# Get-AntiPhishPolicy properties every tenant has (EOP), with Exchange's defaults.
_ANTIPHISH_EOP = {
    'Enabled': True, 'EnableSpoofIntelligence': True, 'HonorDmarcPolicy': True,
    'DmarcQuarantineAction': 'Quarantine', 'DmarcRejectAction': 'Reject', 'AuthenticationFailAction': 'MoveToJmf',
    'SpoofQuarantineTag': _TAG, 'EnableFirstContactSafetyTips': False, 'EnableUnauthenticatedSender': True,
    'EnableViaTag': True,
}

# ... and those only Defender for Office 365 adds.
_ANTIPHISH_DEFENDER = {
    'ImpersonationProtectionState': 'Automatic', 'PhishThresholdLevel': 1,
    'EnableMailboxIntelligence': True, 'EnableMailboxIntelligenceProtection': False,
    'MailboxIntelligenceProtectionAction': 'NoAction', 'MailboxIntelligenceProtectionActionRecipients': [],
    'MailboxIntelligenceQuarantineTag': _TAG,
    'EnableTargetedUserProtection': False, 'TargetedUsersToProtect': [], 'TargetedUserProtectionAction': 'NoAction',
    'TargetedUserActionRecipients': [], 'TargetedUserQuarantineTag': _TAG,
    'EnableOrganizationDomainsProtection': False, 'EnableTargetedDomainsProtection': False,
    'TargetedDomainsToProtect': [], 'TargetedDomainProtectionAction': 'NoAction', 'TargetedDomainActionRecipients': [],
    'TargetedDomainQuarantineTag': _TAG,
    'EnableSimilarUsersSafetyTips': False, 'EnableSimilarDomainsSafetyTips': False,
    'EnableUnusualCharactersSafetyTips': False, 'ExcludedDomains': [], 'ExcludedSenders': [],
}

# Set-AntiPhishPolicy parameters that exist only with Defender for Office 365 (PolicyTag is internal).
DEFENDER_ANTIPHISH_PARAMETERS = frozenset(list(_ANTIPHISH_DEFENDER) + ['PolicyTag'])

_CONTENT_FILTER = {
    'BulkThreshold': 7, 'SpamAction': 'MoveToJmf', 'HighConfidenceSpamAction': 'MoveToJmf',
    'PhishSpamAction': 'MoveToJmf', 'HighConfidencePhishAction': 'Quarantine', 'BulkSpamAction': 'MoveToJmf',
    'QuarantineRetentionPeriod': 15, 'EnableEndUserSpamNotifications': False, 'EndUserSpamNotificationFrequency': 3,
    'SpamQuarantineTag': 'DefaultFullAccessPolicy', 'HighConfidenceSpamQuarantineTag': 'DefaultFullAccessPolicy',
    'PhishQuarantineTag': 'DefaultFullAccessPolicy', 'HighConfidencePhishQuarantineTag': 'AdminOnlyAccessPolicy',
    'BulkQuarantineTag': 'DefaultFullAccessPolicy', 'AddXHeaderValue': '', 'ModifySubjectValue': '',
    'RedirectToRecipients': [], 'TestModeAction': 'None', 'TestModeBccToRecipients': [],
    'IncreaseScoreWithImageLinks': 'Off', 'IncreaseScoreWithNumericIps': 'Off',
    'IncreaseScoreWithRedirectToOtherPort': 'Off', 'IncreaseScoreWithBizOrInfoUrls': 'Off',
    'MarkAsSpamEmptyMessages': 'Off', 'MarkAsSpamJavaScriptInHtml': 'Off', 'MarkAsSpamFramesInHtml': 'Off',
    'MarkAsSpamObjectTagsInHtml': 'Off', 'MarkAsSpamEmbedTagsInHtml': 'Off', 'MarkAsSpamFormTagsInHtml': 'Off',
    'MarkAsSpamWebBugsInHtml': 'Off', 'MarkAsSpamSensitiveWordList': 'Off', 'MarkAsSpamSpfRecordHardFail': 'Off',
    'MarkAsSpamFromAddressAuthFail': 'Off', 'MarkAsSpamBulkMail': 'On', 'MarkAsSpamNdrBackscatter': 'Off',
    'EnableLanguageBlockList': False, 'LanguageBlockList': [], 'EnableRegionBlockList': False, 'RegionBlockList': [],
    'AllowedSenders': [], 'AllowedSenderDomains': [], 'BlockedSenders': [], 'BlockedSenderDomains': [],
    'InlineSafetyTipsEnabled': True, 'PhishZapEnabled': True, 'SpamZapEnabled': True, 'IntraOrgFilterState': 'Default',
}

# Get-HostedConnectionFilterPolicy as captured live (names filled in by _identity()).
_CONNECTION_FILTER = {
    'IPAllowList': [], 'IPBlockList': [], 'EnableSafeList': False, 'DirectoryBasedEdgeBlockMode': 'Default',
}

KINDS = {
    # state kind: (its container in the directory, the default policy's name)
    'antiphish_policies': ('AntiPhish', DEFAULT_ANTIPHISH),
    'hosted_content_filter_policies': ('Hosted Content Filter', DEFAULT_CONTENT_FILTER),
    'hosted_connection_filter_policies': ('Hosted Connection Filter', DEFAULT_CONNECTION_FILTER),
}


def has_defender(tenant):
    return DEFENDER in (getattr(tenant.spec, 'licences', None) or ())


def _body(kind, tenant):
    if kind == 'antiphish_policies':
        body = dict(_ANTIPHISH_EOP)
        if has_defender(tenant):
            body.update(_ANTIPHISH_DEFENDER)
        return body
    if kind == 'hosted_content_filter_policies':
        return dict(_CONTENT_FILTER)
    return dict(_CONNECTION_FILTER)


def _record(kind, tenant, name, is_default):
    """A policy record: the identity keys of the live connection filter capture around the kind's properties."""
    container, _default = KINDS[kind]
    guid = records.stable_guid(kind, tenant.tenant_id, name)
    now = clock.exchange_utc_time()
    record = {'AdminDisplayName': '', 'IsDefault': is_default}
    record.update(copy.deepcopy(_body(kind, tenant)))
    record.update({
        'Identity': name, 'Id': name, 'IsValid': True, 'Name': name,
        'DistinguishedName': directory_names.configuration_object(tenant.organization, name, container,
                                                                  'Transport Settings'),
        'WhenChangedUTC': now, 'WhenCreatedUTC': now, 'ExchangeObjectId': guid,
        'OrganizationId': 'EXOEMULATOR01.prod.outlook.com/Microsoft Exchange Hosted Organizations/%s'
                          % tenant.organization,
        'Guid': guid, 'ExchangeVersion': '0.20 (15.0.0.0)',
    })
    return record


def defaults(kind):
    """The ``default(tenant)`` of a state kind: the tenant's default policy alone."""
    return lambda tenant: [_record(kind, tenant, KINDS[kind][1], True)]


def from_scenario(kind):
    """The ``normalise(value, tenant)`` of a state kind: records as Get-* returns them, each completed with the
    kind's defaults. A record named as the default policy (or with ``IsDefault: true``) is merged over it; the
    default policy is kept when the list does not name it. A property the tenant's record does not have (an
    impersonation property without Defender) is an error."""
    def normalise(value, tenant):
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise ValueError('%s must be a list of records (mappings)' % kind)
        default_name = KINDS[kind][1]
        result = []
        for item in value:
            name = item.get('Name') or item.get('Identity')
            if not name:
                raise ValueError('each of %s needs Name' % kind)
            is_default = item.get('IsDefault', str(name).lower() == default_name.lower()) is True
            record = _record(kind, tenant, str(name), is_default)
            unknown = sorted(key for key in item if key not in record)
            if unknown:
                raise ValueError('%s %r: Get-* returns no %s in this tenant%s' % (
                    kind, name, ', '.join(unknown),
                    ' (licences: [%s] adds the impersonation properties)' % DEFENDER
                    if kind == 'antiphish_policies' and not has_defender(tenant) else ''))
            record.update(copy.deepcopy(item))
            if any(str(other['Name']).lower() == str(name).lower() for other in result):
                raise ValueError('%s: %r appears twice' % (kind, name))
            result.append(record)
        if not any(record['IsDefault'] for record in result):
            result.insert(0, _record(kind, tenant, default_name, True))
        return result
    return normalise
