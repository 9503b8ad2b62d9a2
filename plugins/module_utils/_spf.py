# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SPF records (RFC 7208): parse, build, compare, and audit with the DNS lookups a receiver would make.

Private to this collection; may change without notice.

:func:`parse` checks the whole record against the RFC 7208 §12 grammar, after ``all`` too: a receiver returns
``permerror`` for a syntax error anywhere (§4.6). :class:`SpfAudit` follows ``include`` and ``redirect`` through a
lookup object (``txt(name)``, ``addresses(name)``, ``mx(name)``; an empty list is a void answer, a failure raises
``DnsError``) and counts DNS-querying terms (at most 10, §4.6.4) and void lookups (at most 2). Findings are
``{record: 'spf', severity: 'error'|'warning', message}``: errors are what makes a receiver return ``permerror``,
warnings what is valid but weak.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import DnsError

MECHANISMS = ('all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists')
#: Terms that cost a DNS lookup (RFC 7208 §4.6.4); ``redirect`` too, when it is used.
LOOKUP_TERMS = ('include', 'a', 'mx', 'ptr', 'exists')
LOOKUP_LIMIT = 10
VOID_LOOKUP_LIMIT = 2
MX_LIMIT = 10

_QUALIFIERS = '+-?~'
_NAME = re.compile(r'^[A-Za-z][A-Za-z0-9_.-]*$')
_TOPLABEL = re.compile(r'^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$')
_CIDR = re.compile(r'^(?:0|[1-9][0-9]*)$')
_MACRO_LETTERS = 'slodiphcrtv'
_EXP_ONLY_LETTERS = 'crt'
_MACRO_DELIMITERS = '.-+,/_='


def is_spf(text):
    """Whether a TXT record is an SPF record: it begins with the version ``v=spf1`` followed by a space or the end
    (RFC 7208 §4.5; ABNF literals are case-insensitive, so ``V=SPF1`` is one too)."""
    lowered = text.lower()
    return lowered == 'v=spf1' or lowered.startswith('v=spf1 ')


def finding(severity, message):
    return {'record': 'spf', 'severity': severity, 'message': message}


class Term:
    """One term: a mechanism (``qualifier`` is one of ``+-?~``) or a modifier (``qualifier`` None)."""

    def __init__(self, text, name, qualifier=None, value=None, modifier=False):
        self.text = text
        self.name = name
        self.qualifier = qualifier
        self.value = value
        self.modifier = modifier
        #: For a/mx: the domain-spec without its CIDR lengths (None: the current domain).
        self.domain = value

    @property
    def has_macro(self):
        return '%' in (self.domain or '')


class SpfRecord:
    """A parsed record: its ``terms`` in order, and ``errors`` (syntax, each a message)."""

    def __init__(self, text):
        self.text = text
        self.terms = []
        self.errors = []
        self.warnings = []

    def _first(self, name):
        for term in self.terms:
            if term.name == name:
                return term
        return None

    @property
    def all_term(self):
        """The first ``all`` mechanism: evaluation stops there (§4.6.2)."""
        for term in self.terms:
            if not term.modifier and term.name == 'all':
                return term
        return None

    @property
    def redirect(self):
        term = self._first('redirect')
        return term if term is not None and term.modifier else None

    def evaluated(self):
        """The mechanisms a receiver may evaluate: those up to the first ``all``."""
        terms = []
        for term in self.terms:
            if term.modifier:
                continue
            terms.append(term)
            if term.name == 'all':
                break
        return terms

    def after_all(self):
        """Mechanisms written after the first ``all``: valid, never evaluated."""
        terms = [term for term in self.terms if not term.modifier]
        all_term = self.all_term
        return terms[terms.index(all_term) + 1:] if all_term is not None else []


def parse(text):
    """Parse ``text`` (one SPF record, its TXT strings joined) into an :class:`SpfRecord`.

    Every term is checked, including those after ``all``; ``errors`` lists each syntax error.
    """
    record = SpfRecord(text)
    if not is_spf(text):
        record.errors.append('the record does not start with "v=spf1" followed by a space (RFC 7208 §4.5)')
        return record
    try:
        text.encode('ascii')
    except UnicodeError:
        record.errors.append('the record holds non-ASCII characters, which the SPF grammar does not allow '
                             '(RFC 7208 §12)')
        return record
    counts = {}
    for word in text.split(' ')[1:]:
        if not word:
            continue
        term, error = _parse_term(word)
        if error:
            record.errors.append('"%s": %s' % (word, error))
            continue
        record.terms.append(term)
        if term.modifier:
            counts[term.name] = counts.get(term.name, 0) + 1
            if term.name not in ('redirect', 'exp'):
                hint = ('; did you mean "%s:%s"?' % (term.name, term.value)) if term.name in MECHANISMS else ''
                record.warnings.append('"%s" is an unknown modifier, which receivers ignore (RFC 7208 §6)%s'
                                       % (word, hint))
    for name in ('redirect', 'exp'):
        if counts.get(name, 0) > 1:
            record.errors.append('the %s modifier appears %d times; it may appear once (RFC 7208 §6)'
                                 % (name, counts[name]))
    return record


def _parse_term(word):
    """(Term, None) or (None, what is wrong)."""
    qualifier = '+'
    body = word
    if body[0] in _QUALIFIERS:
        qualifier, body = body[0], body[1:]
    match = re.match(r'^([A-Za-z][A-Za-z0-9_.-]*)(.*)$', body)
    if not match:
        return None, 'not an SPF mechanism or modifier (RFC 7208 §4.6.1, §12)'
    name, rest = match.group(1).lower(), match.group(2)
    if rest.startswith('='):
        if word[0] in _QUALIFIERS:
            return None, 'a modifier takes no qualifier (RFC 7208 §12)'
        value = rest[1:]
        if name in ('redirect', 'exp'):
            error = _domain_spec_error(value, exp=False)
            if error:
                return None, '%s: %s' % (name, error)
        else:
            error = _macro_string_error(value, allow_exp_letters=False)
            if error:
                return None, error
        return Term(word, name, value=value, modifier=True), None
    if name not in MECHANISMS:
        return None, 'unknown mechanism "%s" (RFC 7208 §5: the mechanisms are %s)' % (name, ', '.join(MECHANISMS))
    term = Term(word, name, qualifier=qualifier)
    error = _MECHANISM_CHECKS[name](term, rest)
    return (None, error) if error else (term, None)


def _check_all(term, rest):
    if rest:
        return 'the all mechanism takes no argument (RFC 7208 §5.1)'
    return None


def _check_domain_required(term, rest):
    if not rest.startswith(':') or len(rest) == 1:
        return '%s needs ":" and a domain (RFC 7208 §5.2, §5.7)' % term.name
    term.value = term.domain = rest[1:]
    return _domain_spec_error(term.value, exp=False)


def _check_ptr(term, rest):
    if not rest:
        return None
    if not rest.startswith(':') or len(rest) == 1:
        return 'ptr takes an optional ":" and a domain, nothing else (RFC 7208 §5.5)'
    term.value = term.domain = rest[1:]
    return _domain_spec_error(term.value, exp=False)


def _check_a_mx(term, rest):
    term.value = rest or None
    domain, cidr = rest, ''
    slash = _unbraced_index(rest, '/')
    if slash >= 0:
        domain, cidr = rest[:slash], rest[slash:]
    if domain:
        if not domain.startswith(':') or len(domain) == 1:
            return '%s takes an optional ":" and a domain, then optional CIDR lengths (RFC 7208 §5.3, §5.4)' % term.name
        term.domain = domain[1:]
        error = _domain_spec_error(term.domain, exp=False)
        if error:
            return error
    else:
        term.domain = None
    if cidr:
        return _dual_cidr_error(cidr)
    return None


def _check_ip(term, rest):
    version = 4 if term.name == 'ip4' else 6
    if not rest.startswith(':') or len(rest) == 1:
        return '%s needs ":" and an address (RFC 7208 §5.6)' % term.name
    term.value = rest[1:]
    address, length = term.value.split('/', 1) if '/' in term.value else (term.value, '')
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return '"%s" is not an IPv%d address (RFC 7208 §5.6)' % (address, version)
    if parsed.version != version:
        return '"%s" is an IPv%d address; use ip%d (RFC 7208 §5.6)' % (address, parsed.version, parsed.version)
    if '/' in term.value:
        limit = 32 if version == 4 else 128
        if not _CIDR.match(length) or int(length) > limit:
            return 'the prefix length "/%s" is not 0-%d without leading zeros (RFC 7208 §5.6)' % (length, limit)
    return None


_MECHANISM_CHECKS = {
    'all': _check_all,
    'include': _check_domain_required,
    'exists': _check_domain_required,
    'a': _check_a_mx,
    'mx': _check_a_mx,
    'ptr': _check_ptr,
    'ip4': _check_ip,
    'ip6': _check_ip,
}


def _dual_cidr_error(cidr):
    match = re.match(r'^(?:/([0-9]+))?(?://([0-9]+))?$', cidr)
    if not match or not (match.group(1) or match.group(2)):
        return 'the CIDR lengths "%s" are not "/n", "//n" or "/n//n" (RFC 7208 §5.6)' % cidr
    ip4, ip6 = match.group(1), match.group(2)
    if ip4 is not None and (not _CIDR.match(ip4) or int(ip4) > 32):
        return 'the IPv4 prefix length "/%s" is not 0-32 without leading zeros (RFC 7208 §5.6)' % ip4
    if ip6 is not None and (not _CIDR.match(ip6) or int(ip6) > 128):
        return 'the IPv6 prefix length "//%s" is not 0-128 without leading zeros (RFC 7208 §5.6)' % ip6
    return None


def _unbraced_index(text, char):
    depth = 0
    for index, current in enumerate(text):
        if current == '{':
            depth += 1
        elif current == '}':
            depth = max(0, depth - 1)
        elif current == char and depth == 0:
            return index
    return -1


def _macro_string_error(value, allow_exp_letters):
    """What is wrong with a macro-string (RFC 7208 §7.1), or None."""
    index = 0
    while index < len(value):
        char = value[index]
        if char != '%':
            if not 0x21 <= ord(char) <= 0x7e:
                return 'the character %r is not allowed (RFC 7208 §7.1)' % char
            index += 1
            continue
        following = value[index + 1:index + 2]
        if following in ('%', '_', '-'):
            index += 2
            continue
        if following != '{':
            return 'a "%" must start a macro such as %{d}, or be written %% (RFC 7208 §7.1)'
        close = value.find('}', index)
        if close < 0:
            return 'the macro "%s" is not closed with "}" (RFC 7208 §7.1)' % value[index:]
        body = value[index + 2:close]
        match = re.match(r'^([A-Za-z])([0-9]*)([rR]?)(.*)$', body)
        if not match or match.group(1).lower() not in _MACRO_LETTERS:
            return 'the macro "%%{%s}" has no valid macro letter (%s; RFC 7208 §7.2)' % (body, _MACRO_LETTERS)
        if match.group(1).lower() in _EXP_ONLY_LETTERS and not allow_exp_letters:
            return 'the macro letter "%s" is allowed only in explanation text (RFC 7208 §7.2)' % match.group(1)
        if match.group(2) and int(match.group(2)) == 0:
            return 'the macro "%%{%s}" keeps zero labels (RFC 7208 §7.3)' % body
        if any(delimiter not in _MACRO_DELIMITERS for delimiter in match.group(4)):
            return 'the macro "%%{%s}" has a delimiter outside %s (RFC 7208 §7.1)' % (body, _MACRO_DELIMITERS)
        index = close + 1
    return None


def _domain_spec_error(value, exp):
    """What is wrong with a domain-spec (RFC 7208 §7.1, §12: it must end in "." and a top label, or in a macro),
    or None. A domain without a dot, or ending in a numeric label (an IP address written as a domain), fails."""
    if not value:
        return 'the domain is empty (RFC 7208 §12)'
    error = _macro_string_error(value, allow_exp_letters=exp)
    if error:
        return error
    if re.search(r'%\{[^}]*\}$', value):
        return None
    name = value[:-1] if value.endswith('.') else value
    if '.' not in name:
        return '"%s" is not a domain name with a dot and a top-level label (RFC 7208 §12 domain-end)' % value
    top = name.rsplit('.', 1)[1]
    if not _TOPLABEL.match(top):
        hint = ' (an IP address belongs in ip4:/ip6:)' if re.match(r'^[0-9.]+$', name) else ''
        return '"%s" does not end in a valid top-level label (RFC 7208 §12 toplabel)%s' % (value, hint)
    if any(len(label) > 63 for label in name.split('.')) or '..' in name:
        return '"%s" has an empty label or a label longer than 63 characters (RFC 7208 §4.3)' % value
    return None


def build(ip4=None, ip6=None, a=None, mx=None, include=None, exists=None, redirect=None, all_qualifier=None):
    """The text of an SPF record from its parts, in the order receivers evaluate cheapest first: ip4, ip6, a, mx,
    include, exists, then ``all`` (e.g. ``-all``) or ``redirect``. In ``a``/``mx`` the item ``@`` stands for the
    domain itself (``@/24`` for ``a/24``)."""
    terms = ['v=spf1']
    terms += ['ip4:%s' % value for value in ip4 or []]
    terms += ['ip6:%s' % value for value in ip6 or []]
    for name, values in (('a', a), ('mx', mx)):
        for value in values or []:
            if value == '@':
                terms.append(name)
            elif value.startswith('@/'):
                terms.append(name + value[1:])
            else:
                terms.append('%s:%s' % (name, value))
    terms += ['include:%s' % value for value in include or []]
    terms += ['exists:%s' % value for value in exists or []]
    if redirect:
        terms.append('redirect=%s' % redirect)
    if all_qualifier:
        terms.append(all_qualifier)
    return ' '.join(terms)


def canonical(text):
    """A form of a record equal for records a receiver treats the same: case-insensitive names and version,
    repeated spaces, the order of pass mechanisms before ``all`` (they all give the same result), and ``+`` written
    or not. Falls back to the whitespace-normalised text when the record does not parse."""
    record = parse(text)
    if record.errors:
        return ('text', ' '.join(word for word in text.split(' ') if word))
    segments = []
    current = []
    for term in record.terms:
        if term.modifier:
            current.append(('=', term.name, term.value.lower()))
            continue
        value = (term.value or '').lower()
        if term.name in ('ip4', 'ip6'):
            value = str(ipaddress.ip_network(value, strict=False)) if '/' in value else str(ipaddress.ip_address(value))
        if term.qualifier != '+' or term.name == 'all':
            # A non-pass mechanism ends a run of interchangeable pass mechanisms.
            segments.append(frozenset(current))
            segments.append((term.qualifier, term.name, value))
            current = []
        else:
            current.append((term.qualifier, term.name, value))
    segments.append(frozenset(current))
    return ('terms', tuple(segments))


class SpfAudit:
    """Audits SPF records as a receiver would evaluate them, through ``lookup`` (see the module docstring).

    ``require_hard_fail``: warn about ``~all`` (only ``-all`` is wanted).
    """

    def __init__(self, lookup, require_hard_fail=True):
        self.lookup = lookup
        self.require_hard_fail = require_hard_fail
        self._records = {}

    def audit_domain(self, domain):
        """Findings for the SPF record published at ``domain``."""
        try:
            texts = self.lookup.txt(domain)
        except DnsError as error:
            return [finding('warning', 'the TXT records of %s could not be read, so SPF was not checked: %s'
                            % (domain, error))]
        return self.audit_texts(domain, texts)

    def audit_texts(self, domain, texts):
        """Findings for ``texts``, the TXT records at ``domain``; those that are not SPF are ignored."""
        records = [text for text in texts if is_spf(text)]
        if not records:
            return [finding('warning', '%s publishes no SPF record: receivers get "none" and cannot reject forged '
                                       'senders; publish one ending in -all' % domain)]
        if len(records) > 1:
            return [finding('error', '%s publishes %d SPF records; receivers return permerror for all of them '
                                     '(RFC 7208 §4.5): merge them into one' % (domain, len(records)))]
        return self.audit_record(domain, records[0])

    def audit_record(self, domain, text):
        """Findings for ``text`` as the SPF record of ``domain``."""
        domain = domain.rstrip('.').lower()
        state = {'lookups': 0, 'voids': 0}
        findings = []
        decider = self._walk(domain, text, [domain.lower()], state, findings, where='', top=True)
        if decider is not None:
            self._policy(decider[1], findings, decided_by=decider[0] if decider[0] != domain else None)
        if state['lookups'] > LOOKUP_LIMIT:
            findings.append(finding('error', 'evaluating the record takes %d DNS-querying terms after following include '
                                    'and redirect; receivers return permerror above %d (RFC 7208 §4.6.4): replace '
                                    'includes with ip4/ip6 ranges or drop unused ones' % (state['lookups'], LOOKUP_LIMIT)))
        if state['voids'] > VOID_LOOKUP_LIMIT:
            findings.append(finding('error', 'evaluating the record makes %d void lookups (names with no records); '
                                    'receivers return permerror above %d (RFC 7208 §4.6.4): remove the terms that point '
                                    'at names with no records' % (state['voids'], VOID_LOOKUP_LIMIT)))
        if len(text.encode('utf-8')) > 450:
            findings.append(finding('warning', 'the record is %d bytes; above about 450 a DNS answer may not fit in '
                                               'a UDP datagram (RFC 7208 §3.4)' % len(text.encode('utf-8'))))
        return findings

    def _walk(self, domain, text, path, state, findings, where, top):
        """Walk one record and what it includes or redirects to; returns the (domain, record) whose all mechanism
        decides the result for unlisted senders (the end of a redirect chain), or None."""
        record = parse(text)
        if record.errors:
            prefix = ('in the record of %s reached through %s: ' % (domain, where)) if where else ''
            for error in record.errors:
                findings.append(finding('error', '%sSPF syntax error, %s; receivers return permerror for the whole '
                                                 'record (RFC 7208 §4.6)' % (prefix, error)))
            return None
        for term in record.evaluated():
            self._term(domain, term, path, state, findings, where)
            if term.name == 'ptr':
                findings.append(finding('warning', '%s"%s": the ptr mechanism is slow and unreliable and SHOULD NOT '
                                                   'be used (RFC 7208 §5.5); use ip4/ip6 or a instead'
                                        % (_in(where), term.text)))
        if top:
            findings.extend(finding('warning', message) for message in record.warnings)
            for term in record.after_all():
                findings.append(finding('warning', '"%s" comes after "%s" and is never evaluated (RFC 7208 '
                                                   '§4.6.2): move it before all or remove it'
                                        % (term.text, record.all_term.text)))
        redirect = record.redirect
        if redirect is None:
            return domain, text
        if record.all_term is not None:
            if top:
                findings.append(finding('warning', 'redirect=%s is ignored because the record has an all mechanism '
                                                   '(RFC 7208 §6.1)' % redirect.value))
            return domain, text
        state['lookups'] += 1
        if redirect.has_macro:
            return None
        target = self._follow(domain, 'redirect=%s' % redirect.value, redirect.value, path, state, findings,
                              where, redirect=True)
        if target is None:
            return None
        return self._walk(target[0], target[1], path + [target[0]], state, findings,
                          where=_chain(where, 'redirect=%s' % target[0]), top=False)

    def _policy(self, text, findings, decided_by=None):
        """Warnings about the result a record gives senders it does not list."""
        record = parse(text)
        if record.errors:
            return
        source = (' (set by the redirect target %s)' % decided_by) if decided_by else ''
        all_term = record.all_term
        if all_term is None:
            if record.redirect is None:
                findings.append(finding('warning', 'the record has no all mechanism and no redirect, so unlisted '
                                                   'senders get "neutral" like ?all%s: end it with -all' % source))
            return
        qualifier = all_term.qualifier
        if qualifier == '+':
            findings.append(finding('warning', '"%s" lets every host on the internet pass SPF for this domain%s: '
                                               'use -all' % (all_term.text, source)))
        elif qualifier == '?':
            findings.append(finding('warning', '"?all" gives unlisted senders "neutral", which protects nothing%s: '
                                               'use -all' % source))
        elif qualifier == '~' and self.require_hard_fail:
            findings.append(finding('warning', '"~all" only soft-fails unlisted senders%s; the policy asks for -all '
                                               '(set spf_require_hard_fail=false to accept ~all)' % source))

    def _term(self, domain, term, path, state, findings, where):
        name = term.name
        if name not in LOOKUP_TERMS:
            return
        state['lookups'] += 1
        if term.has_macro:
            return  # Expanded per message: nothing to look up ahead of time.
        target = (term.domain or domain).rstrip('.').lower()
        if name == 'include':
            found = self._follow(domain, term.text, target, path, state, findings, where, redirect=False)
            if found is not None:
                self._walk(found[0], found[1], path + [found[0]], state, findings,
                           where=_chain(where, 'include:%s' % found[0]), top=False)
            return
        try:
            if name == 'a':
                void = not self.lookup.addresses(target)
            elif name == 'mx':
                hosts = self.lookup.mx(target)
                void = not hosts
                if len(hosts) > MX_LIMIT:
                    findings.append(finding('error', '%s"%s": %s has %d MX records; an mx mechanism with more than %d '
                                                     'is a permerror (RFC 7208 §4.6.4)'
                                            % (_in(where), term.text, target, len(hosts), MX_LIMIT)))
            elif name == 'exists':
                void = not self.lookup.addresses(target)
            else:
                void = False  # ptr: what it queries depends on the sender's address.
        except DnsError as error:
            findings.append(finding('warning', '%s"%s" could not be checked: %s' % (_in(where), term.text, error)))
            return
        if void:
            state['voids'] += 1
            if name != 'exists':
                findings.append(finding('warning', '%s"%s": %s has no %s records, a void lookup (RFC 7208 §4.6.4)'
                                        % (_in(where), term.text, target, 'MX' if name == 'mx' else 'address')))

    def _follow(self, domain, text, target, path, state, findings, where, redirect):
        """The (domain, record) an include or redirect leads to, or None after adding a finding."""
        target = target.rstrip('.').lower()
        if target in path:
            findings.append(finding('error', '%s"%s" loops back to %s (%s); receivers return permerror '
                                             '(RFC 7208 §4.6.4)' % (_in(where), text, target, ' -> '.join(path + [target]))))
            return None
        try:
            texts = self._txt(target)
        except DnsError as error:
            findings.append(finding('warning', '%s"%s" could not be checked: %s' % (_in(where), text, error)))
            return None
        records = [value for value in texts if is_spf(value)]
        section = '§6.1' if redirect else '§5.2'
        if not texts:
            state['voids'] += 1
        if not records:
            findings.append(finding('error', '%s"%s": %s publishes no SPF record, so receivers return permerror '
                                             '(RFC 7208 %s): fix or remove the %s'
                                    % (_in(where), text, target, section, 'redirect' if redirect else 'include')))
            return None
        if len(records) > 1:
            findings.append(finding('error', '%s"%s": %s publishes %d SPF records; receivers return permerror '
                                             '(RFC 7208 §4.5)' % (_in(where), text, target, len(records))))
            return None
        return target, records[0]

    def _txt(self, name):
        if name not in self._records:
            self._records[name] = self.lookup.txt(name)
        return self._records[name]


def _chain(where, step):
    return '%s -> %s' % (where, step) if where else step


def _in(where):
    return ('in %s: ' % where) if where else ''
