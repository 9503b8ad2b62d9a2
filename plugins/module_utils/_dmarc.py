# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DMARC policy records (RFC 7489): parse, build, compare and audit.

Private to this collection; may change without notice.

A DMARC record is the TXT record at ``_dmarc.<domain>`` that starts with ``v=DMARC1``; other TXT records there are
ignored (RFC 7489 §6.6.3), and more than one DMARC record means none applies. Tag names and the keyword values
(``p=REJECT``) are case-insensitive, the version ``DMARC1`` is not (§6.4). Findings are ``{record: 'dmarc',
severity, message}``: errors for a record receivers would not apply or would apply other than written (no valid
``p``, malformed tags or report URIs, several records), warnings for what is valid but weak (``p=none``, external
report addresses without their authorisation record, RFC 7489 §7.1).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import DnsError

POLICIES = ('none', 'quarantine', 'reject')
FAILURE_OPTIONS = ('0', '1', 'd', 's')
#: Tags in the order :func:`build` writes them.
TAG_ORDER = ('v', 'p', 'sp', 'np', 'pct', 'adkim', 'aspf', 'fo', 'rf', 'ri', 'rua', 'ruf')
#: Effective values of tags left out (RFC 7489 §6.3), for comparing records.
DEFAULTS = {'adkim': 'r', 'aspf': 'r', 'pct': '100', 'fo': '0', 'rf': 'afrf', 'ri': '86400'}

_VERSION = re.compile(r'^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)')
_LOOSE_VERSION = re.compile(r'(^|;)\s*v\s*=\s*dmarc1\s*(;|$)', re.IGNORECASE)
_TAG = re.compile(r'^([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$', re.DOTALL)
_DMARC_URI = re.compile(r'^([A-Za-z][A-Za-z0-9+.-]*):([^\s,!]+?)(?:!([0-9]+)([kmgtKMGT]?))?$')
_ADDR_SPEC = re.compile(r'^[^@\s]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)$')


def is_dmarc(text):
    """Whether a TXT record is a DMARC record: ``v=DMARC1`` first, the version in upper case (RFC 7489 §6.4)."""
    return bool(_VERSION.match(text))


def looks_like_dmarc(text):
    """Whether a TXT record was meant as a DMARC record (``v=dmarc1``, leading spaces, v not first), even if
    receivers skip it."""
    return bool(_LOOSE_VERSION.search(text))


def finding(severity, message):
    return {'record': 'dmarc', 'severity': severity, 'message': message}


class DmarcRecord:
    """A parsed record: ``tags`` (lower-case name -> value as written), ``errors`` and ``warnings`` (messages)."""

    def __init__(self, text):
        self.text = text
        self.tags = {}
        self.errors = []
        self.warnings = []

    def report_uris(self, tag):
        return [uri for uri in (part.strip() for part in self.tags.get(tag, '').split(',')) if uri]


def parse(text):
    """Parse one DMARC record; every problem with it is in ``errors`` (a receiver would not apply it as written)
    or ``warnings``."""
    record = DmarcRecord(text)
    if not is_dmarc(text):
        if looks_like_dmarc(text):
            record.errors.append('the record must start with "v=DMARC1" exactly: first, without leading spaces, '
                                 'DMARC1 in upper case; receivers skip it (RFC 7489 §6.4, §6.6.3)')
        else:
            record.errors.append('the record does not start with "v=DMARC1" (RFC 7489 §6.4)')
        return record
    parts = text.split(';')
    if parts and not parts[-1].strip(' \t'):
        parts = parts[:-1]
    for index, part in enumerate(parts):
        match = _TAG.match(part.strip(' \t'))
        if not match:
            record.errors.append('"%s" is not a tag=value pair (RFC 7489 §6.4)' % part.strip())
            continue
        name, value = match.group(1).lower(), match.group(2)
        if name in record.tags:
            record.errors.append('the tag %s appears twice (RFC 7489 §6.4)' % name)
            continue
        record.tags[name] = value
    _check_tags(record)
    return record


def _check_tags(record):
    tags = record.tags
    errors = record.errors
    policy = tags.get('p')
    if policy is None:
        errors.append('the required p tag is missing; receivers apply no policy (RFC 7489 §6.3, §6.6.3): add '
                      'p=none, p=quarantine or p=reject')
    elif policy.lower() not in POLICIES:
        errors.append('p=%s is not none, quarantine or reject; receivers apply no policy (RFC 7489 §6.3, §6.6.3)'
                      % policy)
    for name in ('sp', 'np'):
        if name in tags and tags[name].lower() not in POLICIES:
            errors.append('%s=%s is not none, quarantine or reject (RFC 7489 §6.3)' % (name, tags[name]))
    for name in ('adkim', 'aspf'):
        if name in tags and tags[name].lower() not in ('r', 's'):
            errors.append('%s=%s is not r (relaxed) or s (strict) (RFC 7489 §6.3)' % (name, tags[name]))
    if 'pct' in tags and not (re.match(r'^[0-9]{1,3}$', tags['pct']) and int(tags['pct']) <= 100):
        errors.append('pct=%s is not a whole number from 0 to 100 (RFC 7489 §6.3)' % tags['pct'])
    if 'ri' in tags and not re.match(r'^[0-9]{1,32}$', tags['ri']):
        errors.append('ri=%s is not a number of seconds (RFC 7489 §6.3)' % tags['ri'])
    if 'fo' in tags:
        options = [option.strip(' \t').lower() for option in tags['fo'].split(':')]
        if not all(option in FAILURE_OPTIONS for option in options):
            errors.append('fo=%s is not a colon-separated list of 0, 1, d and s (RFC 7489 §6.3)' % tags['fo'])
    if 'rf' in tags and not re.match(r'^[A-Za-z][A-Za-z0-9]*(?:[ \t]*:[ \t]*[A-Za-z][A-Za-z0-9]*)*$', tags['rf']):
        errors.append('rf=%s is not a colon-separated list of report formats such as afrf (RFC 7489 §6.3)'
                      % tags['rf'])
    for name in ('rua', 'ruf'):
        if name in tags:
            uris = [part.strip(' \t') for part in tags[name].split(',')]
            if not any(uris):
                errors.append('%s is empty (RFC 7489 §6.3)' % name)
                continue
            for uri in uris:
                error = uri_error(uri)
                if error:
                    errors.append('%s: %s' % (name, error))
    for name in tags:
        if name not in TAG_ORDER:
            record.warnings.append('the unknown tag %s is ignored by receivers (RFC 7489 §6.3)' % name)


def uri_error(uri):
    """What is wrong with one DMARC report URI (RFC 7489 §6.2: a URI, mailto being the one receivers must support,
    with an optional ``!size`` limit), or None."""
    if not uri:
        return 'an empty report URI (RFC 7489 §6.2)'
    match = _DMARC_URI.match(uri)
    if not match:
        if '@' in uri and ':' not in uri:
            return '"%s" is an address, not a URI: write mailto:%s (RFC 7489 §6.2)' % (uri, uri)
        return '"%s" is not a DMARC report URI such as mailto:dmarc@example.com (RFC 7489 §6.2)' % uri
    if match.group(1).lower() == 'mailto' and not _ADDR_SPEC.match(match.group(2)):
        return '"%s" is not mailto: followed by an e-mail address (RFC 7489 §6.2, RFC 6068)' % uri
    return None


def report_domain(uri):
    """The domain of a ``mailto:`` report URI, or None for another scheme or a malformed URI."""
    match = _DMARC_URI.match(uri)
    if not match or match.group(1).lower() != 'mailto':
        return None
    address = _ADDR_SPEC.match(match.group(2))
    return address.group(1).lower() if address else None


def build(p, sp=None, pct=None, rua=None, ruf=None, adkim=None, aspf=None, fo=None, ri=None):
    """The text of a DMARC record from its tags; tags left None are left out."""
    tags = [('v', 'DMARC1')]
    tags += [(name, value) for name, value in (('p', p),) if value is not None]
    tags += [(name, value) for name, value in (('sp', sp), ('pct', pct), ('adkim', adkim), ('aspf', aspf))
             if value is not None]
    if fo:
        tags.append(('fo', ':'.join(fo)))
    if ri is not None:
        tags.append(('ri', ri))
    for name, uris in (('rua', rua), ('ruf', ruf)):
        if uris:
            tags.append((name, ','.join(uris)))
    return '; '.join('%s=%s' % (name, value) for name, value in tags)


def canonical(text):
    """A form equal for records receivers apply the same way: tag order, spacing, case of names and keywords, and
    tags written with their default value (``adkim=r``, ``pct=100``...) make no difference. A record that does not
    parse compares by its text."""
    record = parse(text)
    if record.errors:
        return ('text', text.strip())
    effective = dict(DEFAULTS)
    for name, value in record.tags.items():
        if name in ('rua', 'ruf'):
            effective[name] = tuple(_canonical_uri(uri) for uri in record.report_uris(name))
        elif name == 'fo':
            effective[name] = ':'.join(sorted(option.strip().lower() for option in value.split(':')))
        elif name == 'pct':
            effective[name] = str(int(value))
        else:
            effective[name] = value.lower() if name != 'v' else value
    effective.setdefault('sp', effective.get('p'))
    return ('tags', tuple(sorted(effective.items())))


def _canonical_uri(uri):
    scheme, rest = uri.split(':', 1) if ':' in uri else (uri, '')
    if scheme.lower() == 'mailto' and '@' in rest:
        local, domain = rest.rsplit('@', 1)
        return 'mailto:%s@%s' % (local, domain.lower())
    return scheme.lower() + ':' + rest


class DmarcAudit:
    """Audits the DMARC record of a domain through ``lookup`` (``txt(name)``; a failure raises ``DnsError``).

    ``internal_domains``: domains whose report addresses need no authorisation record (the domain itself, its zone,
    their subdomains); other report domains are external (RFC 7489 §7.1).
    """

    def __init__(self, lookup, internal_domains=()):
        self.lookup = lookup
        self.internal_domains = [domain.rstrip('.').lower() for domain in internal_domains]

    def audit_domain(self, domain):
        """Findings for the DMARC record published at ``_dmarc.<domain>``."""
        name = '_dmarc.%s' % domain.rstrip('.').lower()
        try:
            texts = self.lookup.txt(name)
        except DnsError as error:
            return [finding('warning', 'the TXT records of %s could not be read, so DMARC was not checked: %s'
                            % (name, error))]
        return self.audit_texts(domain, texts)

    def audit_texts(self, domain, texts):
        """Findings for ``texts``, the TXT records at ``_dmarc.<domain>``; those not meant as DMARC are ignored."""
        name = '_dmarc.%s' % domain.rstrip('.').lower()
        records = [text for text in texts if is_dmarc(text)]
        meant = [text for text in texts if looks_like_dmarc(text) and not is_dmarc(text)]
        if len(records) > 1:
            return [finding('error', '%s holds %d DMARC records; receivers apply none of them (RFC 7489 §6.6.3): '
                                     'keep one' % (name, len(records)))]
        if not records:
            if meant:
                return [finding('error', '%s: "%s": %s' % (name, meant[0], parse(meant[0]).errors[0]))]
            return [finding('warning', '%s publishes no DMARC record: receivers apply no policy to mail that fails '
                                       'SPF and DKIM alignment; publish one, p=none with rua first' % domain)]
        return self.audit_record(domain, records[0])

    def audit_record(self, domain, text):
        domain = domain.rstrip('.').lower()
        record = parse(text)
        findings = [finding('error', message) for message in record.errors]
        findings += [finding('warning', message) for message in record.warnings]
        if record.errors:
            return findings
        tags = record.tags
        if tags['p'].lower() == 'none':
            findings.append(finding('warning', 'p=none only monitors: receivers deliver mail that fails DMARC as '
                                               'usual; move to p=quarantine, then p=reject, once reports are clean'))
        if tags.get('sp', '').lower() == 'none' and tags['p'].lower() != 'none':
            findings.append(finding('warning', 'sp=none leaves the subdomains of %s unprotected' % domain))
        if 'pct' in tags and int(tags['pct']) < 100:
            findings.append(finding('warning', 'pct=%s applies the policy to only %s%% of failing mail'
                                    % (tags['pct'], tags['pct'])))
        for name in ('rua', 'ruf'):
            for uri in record.report_uris(name):
                findings += self._report_uri(domain, name, uri)
        return findings

    def _report_uri(self, domain, tag, uri):
        target = report_domain(uri)
        if target is None:
            return [finding('warning', '%s=%s: receivers need only support mailto: URIs (RFC 7489 §6.2) and may '
                                       'send no reports there' % (tag, uri))]
        internal = [domain] + self.internal_domains
        if any(target == own or target.endswith('.' + own) or own.endswith('.' + target) for own in internal):
            return []
        authorisation = '%s._report._dmarc.%s' % (domain, target)
        try:
            texts = self.lookup.txt(authorisation)
        except DnsError as error:
            return [finding('warning', '%s=%s: the authorisation record %s could not be read: %s'
                            % (tag, uri, authorisation, error))]
        if any(is_dmarc(text) for text in texts):
            return []
        return [finding('warning', '%s=%s is outside %s and %s has no "v=DMARC1" TXT record, so receivers send '
                                   'no reports there (RFC 7489 §7.1): ask the report receiver to publish it'
                        % (tag, uri, domain, authorisation))]
