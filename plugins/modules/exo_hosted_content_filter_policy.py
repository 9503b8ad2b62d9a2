#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_hosted_content_filter_policy
short_description: Manage an Exchange Online anti-spam (hosted content filter) policy
version_added: 0.1.0
description:
  - Reads an existing anti-spam policy with C(Get-HostedContentFilterPolicy) (the default policy C(Default) unless
    O(name) is given), compares the settings you give and calls C(Set-HostedContentFilterPolicy) with only the
    parameters that differ. Settings you do not give are left as they are.
  - The module changes existing policies only; it does not create or remove custom policies.
  - When the tenant's record lacks the property behind an option (a deprecated or unlicensed setting, such as
    C(EnableEndUserSpamNotifications) on newer tenants), the option is skipped with a warning
    (C(... is not available in this tenant's licence ...)) and its parameter is never sent.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description: The policy to change (its name or identity). Defaults to the tenant's default anti-spam policy.
    type: str
    default: Default
  bulk_threshold:
    description:
      - The bulk complaint level (BCL) from which a message is bulk (C(BulkThreshold)), 1 to 9. Exchange's default
        is 7; Microsoft recommends 6 (Standard) or 5 (Strict).
    type: int
  spam_action:
    description: The action on spam (C(SpamAction)). Recommended V(MoveToJmf) (Standard) or V(Quarantine) (Strict).
    type: str
    choices: [AddXHeader, Delete, ModifySubject, MoveToJmf, Quarantine, Redirect]
  high_confidence_spam_action:
    description: The action on high confidence spam (C(HighConfidenceSpamAction)). Recommended V(Quarantine).
    type: str
    choices: [AddXHeader, Delete, ModifySubject, MoveToJmf, Quarantine, Redirect]
  phish_spam_action:
    description: The action on phishing (C(PhishSpamAction)). Recommended V(Quarantine).
    type: str
    choices: [AddXHeader, Delete, ModifySubject, MoveToJmf, Quarantine, Redirect]
  high_confidence_phish_action:
    description: The action on high confidence phishing (C(HighConfidencePhishAction)). Recommended V(Quarantine).
    type: str
    choices: [Quarantine, Redirect]
  bulk_spam_action:
    description: The action on bulk mail (C(BulkSpamAction)). Recommended V(MoveToJmf) (Standard) or V(Quarantine) (Strict).
    type: str
    choices: [AddXHeader, Delete, ModifySubject, MoveToJmf, NoAction, Quarantine, Redirect]
  quarantine_retention_period:
    description:
      - Days quarantined spam is kept (C(QuarantineRetentionPeriod)), 1 to 30. Exchange's default is 15; Microsoft
        recommends 30.
    type: int
  enable_end_user_spam_notifications:
    description:
      - End-user spam notifications (C(EnableEndUserSpamNotifications)). Deprecated by Microsoft in favour of
        quarantine policies; skipped with a warning where the tenant's record no longer has it.
    type: bool
  phish_zap_enabled:
    description: Zero-hour auto purge of delivered phishing (C(PhishZapEnabled)). Recommended V(true).
    type: bool
  spam_zap_enabled:
    description: Zero-hour auto purge of delivered spam (C(SpamZapEnabled)). Recommended V(true).
    type: bool
  inline_safety_tips_enabled:
    description: Safety tips in messages (C(InlineSafetyTipsEnabled)). Recommended V(true).
    type: bool
  mark_as_spam_bulk_mail:
    description: Advanced Spam Filter (ASF) setting C(MarkAsSpamBulkMail). Microsoft recommends V(Off) for every ASF setting.
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_empty_messages:
    description: ASF setting C(MarkAsSpamEmptyMessages).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_embed_tags_in_html:
    description: ASF setting C(MarkAsSpamEmbedTagsInHtml).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_form_tags_in_html:
    description: ASF setting C(MarkAsSpamFormTagsInHtml).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_frames_in_html:
    description: ASF setting C(MarkAsSpamFramesInHtml).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_java_script_in_html:
    description: ASF setting C(MarkAsSpamJavaScriptInHtml).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_object_tags_in_html:
    description: ASF setting C(MarkAsSpamObjectTagsInHtml).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_sensitive_word_list:
    description: ASF setting C(MarkAsSpamSensitiveWordList).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_web_bugs_in_html:
    description: ASF setting C(MarkAsSpamWebBugsInHtml).
    type: str
    choices: ['Off', 'On', Test]
  mark_as_spam_from_address_auth_fail:
    description: ASF setting C(MarkAsSpamFromAddressAuthFail).
    type: str
    choices: ['Off', 'On']
  mark_as_spam_ndr_backscatter:
    description: ASF setting C(MarkAsSpamNdrBackscatter).
    type: str
    choices: ['Off', 'On']
  mark_as_spam_spf_record_hard_fail:
    description: ASF setting C(MarkAsSpamSpfRecordHardFail).
    type: str
    choices: ['Off', 'On']
  extra_parameters:
    description:
      - Any other documented C(Set-HostedContentFilterPolicy) parameter, by its PowerShell name (for example
        C(AllowedSenderDomains) or C(IntraOrgFilterState)), with its value. Booleans compare as booleans, lists as
        sets, text without case.
      - Names are checked against Microsoft's parameter reference before any call. Parameters this module has an
        option for must be given with that option.
    type: dict
    default: {}
requirements:
  - msal (with O(transport=rest))
notes:
  - The examples use the values of Microsoft's
    L(Recommended settings for EOP and Defender for Office 365,https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365).
seealso:
  - module: exoguard.mailflow.exo_antiphish_policy
  - module: exoguard.mailflow.exo_connection_filter_policy
  - name: Set-HostedContentFilterPolicy
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/set-hostedcontentfilterpolicy
  - name: Recommended settings for EOP and Defender for Office 365
    description: Microsoft's Standard and Strict values for anti-spam policies.
    link: https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365
'''

EXAMPLES = r'''
- name: Default anti-spam policy with Microsoft's Standard values
  exoguard.mailflow.exo_hosted_content_filter_policy:
    bulk_threshold: 6                      # Strict: 5
    spam_action: MoveToJmf                 # Strict: Quarantine
    high_confidence_spam_action: Quarantine
    phish_spam_action: Quarantine
    high_confidence_phish_action: Quarantine
    bulk_spam_action: MoveToJmf            # Strict: Quarantine
    quarantine_retention_period: 30
    phish_zap_enabled: true
    spam_zap_enabled: true
    mark_as_spam_bulk_mail: 'On'

- name: No allowed sender domains (allow lists let spoofs through)
  exoguard.mailflow.exo_hosted_content_filter_policy:
    extra_parameters:
      AllowedSenderDomains: []
'''

RETURN = r'''
policy:
  description:
    - The policy as C(Get-HostedContentFilterPolicy) returns it after the run (in check mode, as it would be), with
      Exchange's property names.
  returned: success
  type: dict
  sample:
    Name: Default
    IsDefault: true
    BulkThreshold: 6
    SpamAction: MoveToJmf
    HighConfidencePhishAction: Quarantine
    QuarantineRetentionPeriod: 30
diff:
  description: The managed settings the tenant has, before and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import BOOLEAN, INTEGER, TEXT, Property
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition
from ansible_collections.exoguard.mailflow.plugins.module_utils._policy import Policy, policy_spec

DEFAULT_POLICY = 'Default'
SPAM_ACTIONS = ('AddXHeader', 'Delete', 'ModifySubject', 'MoveToJmf', 'Quarantine', 'Redirect')
ASF_WITH_TEST = ('BulkMail', 'EmptyMessages', 'EmbedTagsInHtml', 'FormTagsInHtml', 'FramesInHtml', 'JavaScriptInHtml',
                 'ObjectTagsInHtml', 'SensitiveWordList', 'WebBugsInHtml')
ASF_ON_OFF = ('FromAddressAuthFail', 'NdrBackscatter', 'SpfRecordHardFail')
_ASF_OPTIONS = {'BulkMail': 'bulk_mail', 'EmptyMessages': 'empty_messages', 'EmbedTagsInHtml': 'embed_tags_in_html',
                'FormTagsInHtml': 'form_tags_in_html', 'FramesInHtml': 'frames_in_html',
                'JavaScriptInHtml': 'java_script_in_html', 'ObjectTagsInHtml': 'object_tags_in_html',
                'SensitiveWordList': 'sensitive_word_list', 'WebBugsInHtml': 'web_bugs_in_html',
                'FromAddressAuthFail': 'from_address_auth_fail', 'NdrBackscatter': 'ndr_backscatter',
                'SpfRecordHardFail': 'spf_record_hard_fail'}


def _asf(name):
    choices = ('Off', 'On', 'Test') if name in ASF_WITH_TEST else ('Off', 'On')
    return Property('mark_as_spam_' + _ASF_OPTIONS[name], 'MarkAsSpam' + name, TEXT, choices=choices)


class HostedContentFilterPolicy(Policy):
    """An anti-spam policy (Get-/Set-HostedContentFilterPolicy)."""

    noun = 'anti-spam policy'
    get_cmdlet = 'Get-HostedContentFilterPolicy'
    set_cmdlet = 'Set-HostedContentFilterPolicy'
    ranges = {'bulk_threshold': (1, 9), 'quarantine_retention_period': (1, 30)}
    properties = (
        Property('bulk_threshold', 'BulkThreshold', INTEGER),
        Property('spam_action', 'SpamAction', TEXT, choices=SPAM_ACTIONS),
        Property('high_confidence_spam_action', 'HighConfidenceSpamAction', TEXT, choices=SPAM_ACTIONS),
        Property('phish_spam_action', 'PhishSpamAction', TEXT, choices=SPAM_ACTIONS),
        Property('high_confidence_phish_action', 'HighConfidencePhishAction', TEXT, choices=('Quarantine', 'Redirect')),
        Property('bulk_spam_action', 'BulkSpamAction', TEXT, choices=tuple(sorted(SPAM_ACTIONS + ('NoAction',)))),
        Property('quarantine_retention_period', 'QuarantineRetentionPeriod', INTEGER),
        Property('enable_end_user_spam_notifications', 'EnableEndUserSpamNotifications', BOOLEAN),
        Property('phish_zap_enabled', 'PhishZapEnabled', BOOLEAN),
        Property('spam_zap_enabled', 'SpamZapEnabled', BOOLEAN),
        Property('inline_safety_tips_enabled', 'InlineSafetyTipsEnabled', BOOLEAN),
    ) + tuple(_asf(name) for name in ASF_WITH_TEST + ASF_ON_OFF)


def module_definition():
    return resource_definition(HostedContentFilterPolicy(), extra_spec=policy_spec(DEFAULT_POLICY),
                               identity_option='name')


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
