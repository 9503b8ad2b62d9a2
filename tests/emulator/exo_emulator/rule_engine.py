# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport rules run on accepted mail (smtp-behaviour.md "Transport rules").

Enabled rules run by Priority. A rule matches when every condition it has holds and no exception does; a rule
with no condition matches every message. Evaluated conditions (each also as its ``ExceptIf`` twin):

- ``FromScope``: ``InOrganization`` when the sender (MAIL FROM) domain is an accepted domain **and** the message is
  authenticated as internal (``X-MS-Exchange-Organization-AuthAs: Internal``); anything else is
  ``NotInOrganization``. Microsoft: mail from an accepted domain counts as inside the organization only when it was
  sent or relayed through an authenticated connection, so a Direct Send spoof of the own domain is outside;
- ``SenderIpRanges``: the client IP (the last hop before the service);
- ``HeaderContainsMessageHeader`` + ``HeaderContainsWords`` (case-insensitive substring of the header value) and
  ``HeaderMatchesMessageHeader`` + ``HeaderMatchesPatterns`` (regex search), over the message's headers and the ones
  the door adds (``X-MS-Exchange-Organization-AuthAs``, Enhanced Filtering headers);
- ``SenderDomainIs`` (the MAIL FROM domain or a subdomain of one listed), ``FromAddressContainsWords``,
  ``SubjectContainsWords``.

A rule that sets any other condition or exception is not evaluated: it does not match (and says so in its
event-less result). Actions: a reject (``RejectMessageReasonText``/``RejectMessageEnhancedStatusCode``) fails the
message (an NDR after the 250) and ends rule processing; ``Quarantine`` quarantines it and ends it;
``StopRuleProcessing`` ends it; ``DeleteMessage`` fails it silently. In ``Audit``/``AuditAndNotify`` mode only the rule
event is recorded and nothing else happens (processing goes on).
"""

import re

from exo_emulator import ip_ranges, rule_predicates
from exo_emulator.transport_rules import DEFAULT_REJECT_CODE, DEFAULT_REJECT_TEXT

EVALUATED = ('FromScope', 'SenderIpRanges', 'HeaderContainsMessageHeader', 'HeaderContainsWords', 'HeaderMatchesMessageHeader',
             'HeaderMatchesPatterns', 'SenderDomainIs', 'FromAddressContainsWords', 'SubjectContainsWords')
_ALL_CONDITIONS = tuple(name for name in rule_predicates.condition_properties() if not name.startswith(rule_predicates.EXCEPT_IF))


class MessageView:
    """What rules see of one message: ``mail_from``, ``sender_domain``, ``sender_is_accepted``, ``client_ip``,
    ``subject``, ``headers`` (list of (name, value), message and added ones)."""

    def __init__(self, mail_from, sender_domain, sender_is_accepted, client_ip, subject, headers):
        self.mail_from = mail_from
        self.sender_domain = sender_domain
        self.sender_is_accepted = sender_is_accepted
        self.client_ip = client_ip
        self.subject = subject
        self.headers = headers

    def header_values(self, name):
        return [str(value) for key, value in self.headers if key.lower() == str(name).strip().lower()]


def _listed(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_set(value):
    return value not in (None, False, [], '')


def _from_scope(view, scope):
    internal = view.sender_is_accepted and 'internal' in [value.strip().lower() for value in view.header_values('X-MS-Exchange-Organization-AuthAs')]
    return (scope == 'InOrganization') == internal


def _sender_ip_in(view, ranges):
    for text in _listed(ranges):
        try:
            if ip_ranges.parse(text).contains(view.client_ip):
                return True
        except ValueError:
            continue
    return False


def _header_contains(view, header, words):
    values = [value.lower() for value in view.header_values(header)]
    return any(str(word).lower() in value for value in values for word in _listed(words))


def _header_matches(view, header, patterns):
    for value in view.header_values(header):
        for pattern in _listed(patterns):
            try:
                if re.search(str(pattern), value, re.IGNORECASE):
                    return True
            except re.error:
                continue
    return False


def _sender_domain_is(view, domains):
    domain = view.sender_domain
    return any(domain == str(item).lower() or domain.endswith('.' + str(item).lower()) for item in _listed(domains))


def _evaluate(rule, view, prefix):
    """The outcomes (True/False) of the conditions (prefix '') or exceptions ('ExceptIf') set on ``rule``."""
    def get(name):
        return rule.get(prefix + name)

    outcomes = []
    if _is_set(get('FromScope')):
        outcomes.append(_from_scope(view, get('FromScope')))
    if _is_set(get('SenderIpRanges')):
        outcomes.append(_sender_ip_in(view, get('SenderIpRanges')))
    if _is_set(get('HeaderContainsMessageHeader')):
        outcomes.append(_header_contains(view, get('HeaderContainsMessageHeader'), get('HeaderContainsWords')))
    if _is_set(get('HeaderMatchesMessageHeader')):
        outcomes.append(_header_matches(view, get('HeaderMatchesMessageHeader'), get('HeaderMatchesPatterns')))
    if _is_set(get('SenderDomainIs')):
        outcomes.append(_sender_domain_is(view, get('SenderDomainIs')))
    if _is_set(get('FromAddressContainsWords')):
        outcomes.append(any(str(word).lower() in view.mail_from.lower() for word in _listed(get('FromAddressContainsWords'))))
    if _is_set(get('SubjectContainsWords')):
        outcomes.append(any(str(word).lower() in view.subject.lower() for word in _listed(get('SubjectContainsWords'))))
    return outcomes


def unevaluated(rule):
    """The conditions and exceptions set on ``rule`` that the emulator does not evaluate."""
    found = []
    for name in _ALL_CONDITIONS:
        for prefix in ('', rule_predicates.EXCEPT_IF):
            if name not in EVALUATED and _is_set(rule.get(prefix + name)):
                found.append(prefix + name)
    return found


def matches(rule, view):
    if unevaluated(rule):
        return False
    conditions = _evaluate(rule, view, '')
    exceptions = _evaluate(rule, view, rule_predicates.EXCEPT_IF)
    return all(conditions) and not any(exceptions)


def action_names(rule):
    """Names of the actions ``rule`` sets (``RejectMessage``, ``Quarantine``, ``SetAuditSeverity`` ...)."""
    names = []
    if _is_set(rule.get('RejectMessageReasonText')) or _is_set(rule.get('RejectMessageEnhancedStatusCode')):
        names.append('RejectMessage')
    for name in rule_predicates.action_properties():
        if name.startswith('RejectMessage') or not _is_set(rule.get(name)):
            continue
        if name in ('StopRuleProcessing',):
            continue
        names.append(name)
    return names


class RuleHit:
    """A rule that matched: ``rule`` (record), ``mode``, ``actions`` (names), ``outcome`` (Reject, Quarantine, Delete or
    None), ``code``/``text`` of a reject."""

    def __init__(self, rule, outcome=None, code=None, text=None):
        self.rule = rule
        self.mode = rule.get('Mode') or 'Enforce'
        self.actions = action_names(rule)
        self.outcome = outcome
        self.code = code
        self.text = text


def run(rules, view):
    """``(hits, final)``: the rules that matched in order, and the message's fate (``Failed``, ``Quarantined`` or
    None for delivery) with the hit that decided it."""
    hits = []
    ordered = sorted((rule for rule in rules if rule.get('State', 'Enabled') == 'Enabled'), key=lambda rule: rule.get('Priority') or 0)
    for rule in ordered:
        if not matches(rule, view):
            continue
        enforce = (rule.get('Mode') or 'Enforce') == 'Enforce'
        hit = RuleHit(rule)
        hits.append(hit)
        if not enforce:
            continue
        if 'RejectMessage' in hit.actions:
            hit.outcome = 'Reject'
            hit.code = rule.get('RejectMessageEnhancedStatusCode') or DEFAULT_REJECT_CODE
            hit.text = rule.get('RejectMessageReasonText') or DEFAULT_REJECT_TEXT
            return hits, ('Failed', hit)
        if rule.get('DeleteMessage') is True:
            hit.outcome = 'Delete'
            return hits, ('Failed', hit)
        if rule.get('Quarantine') is True:
            hit.outcome = 'Quarantine'
            return hits, ('Quarantined', hit)
        if rule.get('StopRuleProcessing') is True:
            break
    return hits, (None, None)
