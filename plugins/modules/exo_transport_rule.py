#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_transport_rule
short_description: Manage Exchange Online transport (mail flow) rules, such as the safety net against gateway bypass
version_added: 0.1.0
description:
  - Creates, updates or removes a transport rule (C(New-/Set-/Remove-TransportRule)); enables and disables it with
    C(Enable-/Disable-TransportRule), because C(-Enabled) exists only on C(New-TransportRule).
  - Only the options you give are compared and set. Values are compared the way Exchange reads them back (CIDR blocks
    masked to their network, address ranges as intervals, lists as sets, text without case), so an audit reports no
    drift that is not there.
  - The hardening's safety net is a rule that rejects external mail which did not arrive from the gateway's IP
    addresses; run it in V(Audit) mode for a week, then switch O(mode) to V(Enforce).
  - O(priority) is compared only when given. Exchange moves other rules down to make room.
  - Any other documented C(New-/Set-TransportRule) parameter can be given in O(extra_parameters); names and value kinds
    are checked against Microsoft's parameter reference before any call.
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
    description: The rule's name (its identity), at most 64 characters. Matched without case.
    type: str
    required: true
  state:
    description: Whether the rule exists.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description: Whether the rule is enabled (read back as C(State)).
    type: bool
  mode:
    description: V(Enforce) applies the actions; V(Audit) and V(AuditAndNotify) only log what the rule would do.
    type: str
    choices: [Enforce, Audit, AuditAndNotify]
  priority:
    description: The rule's position, 0 being evaluated first. Compared only when given.
    type: int
  from_scope:
    description: Match senders inside or outside the organisation.
    type: str
    choices: [InOrganization, NotInOrganization]
  sender_ip_ranges:
    description: Match messages sent from these addresses, C(lo-hi) ranges or CIDR blocks.
    type: list
    elements: str
  except_if_sender_ip_ranges:
    description:
      - Except messages sent from these addresses, ranges or CIDR blocks. In Exchange Online this is matched against
        the last hop before the service, which for mail through the gateway is the gateway.
    type: list
    elements: str
  except_if_header_contains_message_header:
    description: Except messages whose header of this name contains one of O(except_if_header_contains_words).
    type: str
  except_if_header_contains_words:
    description: The words for O(except_if_header_contains_message_header).
    type: list
    elements: str
  except_if_header_matches_message_header:
    description: Except messages whose header of this name matches one of O(except_if_header_matches_patterns).
    type: str
  except_if_header_matches_patterns:
    description: The regular expressions for O(except_if_header_matches_message_header).
    type: list
    elements: str
  reject_message_reason_text:
    description:
      - Reject the message with this text in the non-delivery report, at most 1024 characters. Given alone, Exchange
        uses the code C(5.7.1).
      - An empty string takes the reject action off the rule (give O(reject_message_enhanced_status_code) empty too),
        for example when the rule changes to O(quarantine).
    type: str
  reject_message_enhanced_status_code:
    description:
      - Reject the message with this enhanced status code, C(5.7.1) or C(5.7.900) to C(5.7.999). Given alone, Exchange
        uses the text C(Delivery not authorized, message refused).
      - An empty string takes the reject action off the rule, with an empty O(reject_message_reason_text).
    type: str
  quarantine:
    description: Deliver the message to the hosted quarantine (stops later rules).
    type: bool
  stop_rule_processing:
    description: Stop evaluating later rules for a message this rule matched.
    type: bool
  set_audit_severity:
    description: The severity of the audit log entry.
    type: str
    choices: [DoNotAudit, Low, Medium, High]
  comments:
    description: A comment on the rule, at most 1024 characters.
    type: str
  extra_parameters:
    description:
      - Any other documented C(New-/Set-TransportRule) parameter, by its PowerShell name (for example
        C(ExceptIfSenderDomainIs) or C(PrependSubject)), with its value. Booleans compare as booleans, lists as sets,
        text without case.
      - Names are checked against Microsoft's parameter reference before any call. Parameters this module has an option
        for must be given with that option.
    type: dict
    default: {}
requirements:
  - msal (with O(transport=rest))
seealso:
  - module: exoguard.mailflow.exo_inbound_connector
  - name: New-TransportRule
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/new-transportrule
'''

EXAMPLES = r'''
- name: Phase 1 - the safety net in Audit mode (observe for a week)
  exoguard.mailflow.exo_transport_rule:
    name: BLOCK - Direct EOP Ingress (Bypass SEG)
    mode: Audit
    priority: 0
    from_scope: NotInOrganization
    except_if_sender_ip_ranges: [192.0.2.0/24, 198.51.100.10]
    reject_message_reason_text: Mail must arrive through the organization's mail gateway
    reject_message_enhanced_status_code: 5.7.1
    set_audit_severity: High
    stop_rule_processing: true
    comments: Rejects mail that bypassed the secure email gateway; managed by exoguard.mailflow

- name: Phase 4 - enforce it
  exoguard.mailflow.exo_transport_rule:
    name: BLOCK - Direct EOP Ingress (Bypass SEG)
    mode: Enforce

- name: Any other documented parameter
  exoguard.mailflow.exo_transport_rule:
    name: Tag external mail
    from_scope: NotInOrganization
    extra_parameters:
      PrependSubject: '[EXTERNAL] '

- name: Pause the rule without removing it
  exoguard.mailflow.exo_transport_rule:
    name: BLOCK - Direct EOP Ingress (Bypass SEG)
    enabled: false
'''

RETURN = r'''
rule:
  description: The rule as C(Get-TransportRule) returns it after the run (in check mode, as it would be); null when absent.
  returned: success
  type: dict
  sample:
    Name: BLOCK - Direct EOP Ingress (Bypass SEG)
    State: Enabled
    Mode: Audit
    Priority: 0
    FromScope: NotInOrganization
    ExceptIfSenderIpRanges: [192.0.2.0/24]
diff:
  description: The managed settings before and after, when run with C(--diff).
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
    BOOLEAN, CLEARABLE_TEXT, INTEGER, IP_RANGE_SET, TEXT, TEXT_SET, ExtraParameters, Property, Resource, require)
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import resource_definition

_STATUS_CODE = re.compile(r'^5\.7\.(1|9\d\d)$')


def _read_enabled(record):
    state = record.get('State')
    return None if state is None else str(state).lower() == 'enabled'


def _write_enabled(record, value):
    record['State'] = 'Enabled' if value else 'Disabled'


class TransportRule(ExtraParameters, Resource):
    """A transport rule: identity by name, one row per managed setting; enabled-ness through Enable/Disable."""

    noun = 'transport rule'
    get_cmdlet = 'Get-TransportRule'
    new_cmdlet = 'New-TransportRule'
    set_cmdlet = 'Set-TransportRule'
    remove_cmdlet = 'Remove-TransportRule'
    identity_parameter = 'Identity'
    new_identity_parameter = 'Name'
    return_key = 'rule'
    extra_cmdlets = ('New-TransportRule', 'Set-TransportRule')
    extra_label = 'New-/Set-TransportRule'
    not_extra = ExtraParameters.not_extra | frozenset(('enabled',))
    properties = (
        Property('enabled', 'Enabled', BOOLEAN, read=_read_enabled, write=_write_enabled),
        Property('mode', 'Mode', TEXT, choices=('Enforce', 'Audit', 'AuditAndNotify')),
        Property('priority', 'Priority', INTEGER),
        Property('from_scope', 'FromScope', TEXT, choices=('InOrganization', 'NotInOrganization')),
        Property('sender_ip_ranges', 'SenderIpRanges', IP_RANGE_SET),
        Property('except_if_sender_ip_ranges', 'ExceptIfSenderIpRanges', IP_RANGE_SET),
        Property('except_if_header_contains_message_header', 'ExceptIfHeaderContainsMessageHeader', TEXT),
        Property('except_if_header_contains_words', 'ExceptIfHeaderContainsWords', TEXT_SET),
        Property('except_if_header_matches_message_header', 'ExceptIfHeaderMatchesMessageHeader', TEXT),
        Property('except_if_header_matches_patterns', 'ExceptIfHeaderMatchesPatterns', TEXT_SET),
        Property('reject_message_reason_text', 'RejectMessageReasonText', CLEARABLE_TEXT),
        Property('reject_message_enhanced_status_code', 'RejectMessageEnhancedStatusCode', CLEARABLE_TEXT),
        Property('quarantine', 'Quarantine', BOOLEAN),
        Property('stop_rule_processing', 'StopRuleProcessing', BOOLEAN),
        Property('set_audit_severity', 'SetAuditSeverity', TEXT, choices=('DoNotAudit', 'Low', 'Medium', 'High')),
        Property('comments', 'Comments', TEXT),
    )

    def validate_identity(self, identity):
        require(identity and identity.strip(), 'name', 'give the rule a name')
        check.max_length('name', identity, 64)

    def validate(self, desired, state):
        if state == 'absent':
            return
        for option in ('sender_ip_ranges', 'except_if_sender_ip_ranges'):
            if desired.get(option) is not None:
                check.ip_ranges(option, desired[option])
        for option in ('reject_message_reason_text', 'comments'):
            check.max_length(option, desired.get(option), 1024)
        code = desired.get('reject_message_enhanced_status_code')
        reason = desired.get('reject_message_reason_text')
        cleared = [value is not None and not value.strip() for value in (code, reason)]
        # Exchange fills in the missing half of a reject action, so one half cleared alone would come back.
        require(not any(cleared) or all(cleared), 'reject_message_enhanced_status_code' if not cleared[0]
                else 'reject_message_reason_text',
                'to take the reject action off, give reject_message_enhanced_status_code and '
                'reject_message_reason_text both empty')
        if code:
            require(_STATUS_CODE.match(code.strip()), 'reject_message_enhanced_status_code',
                    '%r is not allowed; Exchange takes 5.7.1 or 5.7.900 to 5.7.999' % code)
        if desired.get('priority') is not None:
            require(desired['priority'] >= 0, 'priority', 'must be 0 (evaluated first) or more')
        for header, values in (('except_if_header_contains_message_header', 'except_if_header_contains_words'),
                               ('except_if_header_matches_message_header', 'except_if_header_matches_patterns')):
            require(bool(desired.get(header)) == bool(desired.get(values)), header if not desired.get(header) else values,
                    'give %s and %s together' % (header, values))
        for pattern in desired.get('except_if_header_matches_patterns') or []:
            try:
                re.compile(pattern)
            except re.error as error:
                require(False, 'except_if_header_matches_patterns', '%r is not a valid regular expression: %s'
                        % (pattern, error))

    def update(self, client, identity, record, changes):
        settings = [(prop, value) for prop, value in changes if prop.option != 'enabled']
        if settings:
            super(TransportRule, self).update(client, identity, record, settings)
        for prop, value in changes:
            if prop.option == 'enabled':
                client.invoke('Enable-TransportRule' if value else 'Disable-TransportRule', {'Identity': identity})


def module_definition():
    spec = {'name': {'type': 'str', 'required': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            'extra_parameters': {'type': 'dict', 'default': {}}}
    return resource_definition(TransportRule(), extra_spec=spec, identity_option='name')


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
