#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_antiphish_policy
short_description: Manage an Exchange Online anti-phishing policy (spoof intelligence, DMARC, impersonation)
version_added: 0.1.0
description:
  - Reads an existing anti-phishing policy with C(Get-AntiPhishPolicy) (the default policy
    C(Office365 AntiPhish Default) unless O(name) is given), compares the settings you give and calls
    C(Set-AntiPhishPolicy) with only the parameters that differ. Settings you do not give are left as they are.
  - The module changes existing policies only; it does not create or remove custom policies.
  - B(Licences.) Impersonation protection, mailbox intelligence and the advanced phishing threshold exist only with
    Microsoft Defender for Office 365 (Plan 1 or 2). When the tenant's C(Get-AntiPhishPolicy) record lacks the
    property behind an option, the option is B(skipped with a warning) (C(... is not available in this tenant's
    licence ...)) and its parameter is never sent; the other options are still applied, so one task works across
    tenants with and without Defender. A property that exists but is empty is available and is managed.
  - Values are compared as Exchange reads them back (text without case, lists as sets).
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
    description: The policy to change (its name or identity). Defaults to the tenant's default anti-phishing policy.
    type: str
    default: Office365 AntiPhish Default
  enable_spoof_intelligence:
    description: Spoof intelligence (C(EnableSpoofIntelligence)). Exchange's default and Microsoft's recommendation is V(true).
    type: bool
  honor_dmarc_policy:
    description:
      - Act on the sender domain's DMARC policy when a message fails DMARC (C(HonorDmarcPolicy)). Default and
        recommended V(true).
    type: bool
  dmarc_quarantine_action:
    description: What to do when DMARC fails and the sender's policy is C(p=quarantine) (C(DmarcQuarantineAction)).
    type: str
    choices: [MoveToJmf, Quarantine]
  dmarc_reject_action:
    description: What to do when DMARC fails and the sender's policy is C(p=reject) (C(DmarcRejectAction)).
    type: str
    choices: [Quarantine, Reject]
  authentication_fail_action:
    description:
      - What to do with a message that fails composite authentication and spoof intelligence
        (C(AuthenticationFailAction)). Microsoft recommends V(MoveToJmf) (Standard) or V(Quarantine) (Strict).
    type: str
    choices: [MoveToJmf, Quarantine]
  enable_mailbox_intelligence:
    description: Mailbox intelligence (C(EnableMailboxIntelligence)). Defender for Office 365 only.
    type: bool
  enable_mailbox_intelligence_protection:
    description:
      - Act on impersonation found by mailbox intelligence (C(EnableMailboxIntelligenceProtection)). Defender for
        Office 365 only.
    type: bool
  mailbox_intelligence_protection_action:
    description: The action for mailbox intelligence impersonation (C(MailboxIntelligenceProtectionAction)). Defender only.
    type: str
    choices: [NoAction, BccMessage, Delete, MoveToJmf, Quarantine, Redirect]
  enable_targeted_user_protection:
    description: User impersonation protection for O(targeted_users_to_protect) (C(EnableTargetedUserProtection)). Defender only.
    type: bool
  targeted_users_to_protect:
    description:
      - The users protected from impersonation, each C(DisplayName;EmailAddress) (C(TargetedUsersToProtect)),
        compared as a set without case. Give V([]) to empty the list. Defender only.
    type: list
    elements: str
  targeted_user_protection_action:
    description: The action for user impersonation (C(TargetedUserProtectionAction)). Defender only.
    type: str
    choices: [NoAction, BccMessage, Delete, MoveToJmf, Quarantine, Redirect]
  enable_organization_domains_protection:
    description: Domain impersonation protection for all your accepted domains (C(EnableOrganizationDomainsProtection)). Defender only.
    type: bool
  enable_targeted_domains_protection:
    description: Domain impersonation protection for O(targeted_domains_to_protect) (C(EnableTargetedDomainsProtection)). Defender only.
    type: bool
  targeted_domains_to_protect:
    description: The domains protected from impersonation (C(TargetedDomainsToProtect)), compared as a set. Defender only.
    type: list
    elements: str
  targeted_domain_protection_action:
    description: The action for domain impersonation (C(TargetedDomainProtectionAction)). Defender only.
    type: str
    choices: [NoAction, BccMessage, Delete, MoveToJmf, Quarantine, Redirect]
  phish_threshold_level:
    description:
      - The advanced phishing threshold (C(PhishThresholdLevel)), 1 (Standard, Exchange's default) to
        4 (Most aggressive). Microsoft recommends 3 (Standard preset) or 4 (Strict). Defender only.
    type: int
  extra_parameters:
    description:
      - Any other documented C(Set-AntiPhishPolicy) parameter, by its PowerShell name (for example
        C(EnableFirstContactSafetyTips) or C(EnableViaTag)), with its value. Booleans compare as booleans, lists as
        sets, text without case. The licence rule applies to them too.
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
  - module: exoguard.mailflow.exo_hosted_content_filter_policy
  - module: exoguard.mailflow.exo_config_info
  - name: Set-AntiPhishPolicy
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/set-antiphishpolicy
  - name: Recommended settings for EOP and Defender for Office 365
    description: Microsoft's Standard and Strict values for anti-phishing policies.
    link: https://learn.microsoft.com/defender-office-365/recommended-settings-for-eop-and-office365
'''

EXAMPLES = r'''
- name: Spoof protection as Microsoft recommends (EOP, every licence)
  exoguard.mailflow.exo_antiphish_policy:
    enable_spoof_intelligence: true
    honor_dmarc_policy: true
    dmarc_quarantine_action: Quarantine
    dmarc_reject_action: Reject
    authentication_fail_action: MoveToJmf      # Strict: Quarantine

- name: Impersonation protection, Standard preset values (skipped with a warning where Defender is not licensed)
  exoguard.mailflow.exo_antiphish_policy:
    phish_threshold_level: 3                   # Strict: 4
    enable_mailbox_intelligence: true
    enable_mailbox_intelligence_protection: true
    mailbox_intelligence_protection_action: MoveToJmf   # Strict: Quarantine
    enable_organization_domains_protection: true
    enable_targeted_user_protection: true
    targeted_users_to_protect:
      - "Chief Executive;ceo@contoso.com"
      - "Finance Director;cfo@contoso.com"
    targeted_user_protection_action: Quarantine
    targeted_domain_protection_action: Quarantine
    extra_parameters:
      EnableFirstContactSafetyTips: true

- name: Audit only
  exoguard.mailflow.exo_antiphish_policy:
    honor_dmarc_policy: true
  check_mode: true
  diff: true
'''

RETURN = r'''
policy:
  description:
    - The policy as C(Get-AntiPhishPolicy) returns it after the run (in check mode, as it would be), with Exchange's
      property names. Without Defender for Office 365 it has no impersonation properties.
  returned: success
  type: dict
  sample:
    Name: Office365 AntiPhish Default
    IsDefault: true
    EnableSpoofIntelligence: true
    HonorDmarcPolicy: true
    DmarcRejectAction: Reject
    AuthenticationFailAction: MoveToJmf
diff:
  description: The managed settings the tenant has, before and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

import re

from ansible_collections.exoguard.mailflow.plugins.module_utils import _validate as check
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import (
    BOOLEAN, DOMAIN_SET, INTEGER, TEXT, TEXT_SET, Property, require)
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition
from ansible_collections.exoguard.mailflow.plugins.module_utils._policy import Policy, policy_spec

DEFAULT_POLICY = 'Office365 AntiPhish Default'
IMPERSONATION_ACTIONS = ('NoAction', 'BccMessage', 'Delete', 'MoveToJmf', 'Quarantine', 'Redirect')
_TARGETED_USER = re.compile(r'^[^;]+;\s*[^@;\s]+@[^@;\s]+\.[^@;\s]+$')


class AntiPhishPolicy(Policy):
    """An anti-phishing policy; the impersonation properties exist only with Defender for Office 365."""

    noun = 'anti-phishing policy'
    get_cmdlet = 'Get-AntiPhishPolicy'
    set_cmdlet = 'Set-AntiPhishPolicy'
    ranges = {'phish_threshold_level': (1, 4)}
    properties = (
        Property('enable_spoof_intelligence', 'EnableSpoofIntelligence', BOOLEAN),
        Property('honor_dmarc_policy', 'HonorDmarcPolicy', BOOLEAN),
        Property('dmarc_quarantine_action', 'DmarcQuarantineAction', TEXT, choices=('MoveToJmf', 'Quarantine')),
        Property('dmarc_reject_action', 'DmarcRejectAction', TEXT, choices=('Quarantine', 'Reject')),
        Property('authentication_fail_action', 'AuthenticationFailAction', TEXT, choices=('MoveToJmf', 'Quarantine')),
        Property('enable_mailbox_intelligence', 'EnableMailboxIntelligence', BOOLEAN),
        Property('enable_mailbox_intelligence_protection', 'EnableMailboxIntelligenceProtection', BOOLEAN),
        Property('mailbox_intelligence_protection_action', 'MailboxIntelligenceProtectionAction', TEXT,
                 choices=IMPERSONATION_ACTIONS),
        Property('enable_targeted_user_protection', 'EnableTargetedUserProtection', BOOLEAN),
        Property('targeted_users_to_protect', 'TargetedUsersToProtect', TEXT_SET),
        Property('targeted_user_protection_action', 'TargetedUserProtectionAction', TEXT, choices=IMPERSONATION_ACTIONS),
        Property('enable_organization_domains_protection', 'EnableOrganizationDomainsProtection', BOOLEAN),
        Property('enable_targeted_domains_protection', 'EnableTargetedDomainsProtection', BOOLEAN),
        Property('targeted_domains_to_protect', 'TargetedDomainsToProtect', DOMAIN_SET),
        Property('targeted_domain_protection_action', 'TargetedDomainProtectionAction', TEXT,
                 choices=IMPERSONATION_ACTIONS),
        Property('phish_threshold_level', 'PhishThresholdLevel', INTEGER),
    )

    def validate(self, desired, state):
        super(AntiPhishPolicy, self).validate(desired, state)
        for value in desired.get('targeted_users_to_protect') or []:
            require(_TARGETED_USER.match(str(value).strip()), 'targeted_users_to_protect',
                    '%r is not "DisplayName;EmailAddress" (for example "Chief Executive;ceo@contoso.com")' % value)
        if desired.get('targeted_domains_to_protect'):
            check.domains('targeted_domains_to_protect', desired['targeted_domains_to_protect'])


def module_definition():
    return resource_definition(AntiPhishPolicy(), extra_spec=policy_spec(DEFAULT_POLICY), identity_option='name')


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
