# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SPF, DMARC and DKIM records of one domain: options -> read -> findings -> [check mode stops] -> one update.

Private to this collection; may change without notice. No AnsibleModule here: the module's ``main()`` (and later an
action plugin) hands its validated options to :func:`run_dns_auth_records`.

Managed records, each only when its option is given:

- ``spf``/``spf_record``: the one TXT record at the domain that starts with ``v=spf1``; other TXT records there are
  never touched;
- ``dmarc``: the TXT record at ``_dmarc.<domain>`` that starts with ``v=DMARC1`` (any case); others are kept;
- ``dkim``: a CNAME at ``<selector>._domainkey.<domain>`` per selector.

Every result carries ``findings`` about the records as they are after the run (in check mode, as they would be).
Desired records with error findings are refused before anything is sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket

from ansible_collections.exoguard.mailflow.plugins.module_utils import _dmarc, _spf
from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import (
    TSIG_ALGORITHMS, Change, DnsLookupFailed, Resolver, Rfc2136Updater, cname_rdata, display_name,
    in_zone, parse_nameserver, presentation, rdata_value, txt_rdata)
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, ExoError

_LABEL = r'[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?'
_SELECTOR = re.compile(r'^%s(?:\.%s)*$' % (_LABEL, _LABEL))
_HOSTNAME = re.compile(r'^(?:%s\.)+[A-Za-z0-9-]{1,63}\.?$' % _LABEL)

SPF_OPTIONS = dict(
    ip4=dict(type='list', elements='str'),
    ip6=dict(type='list', elements='str'),
    a=dict(type='list', elements='str'),
    mx=dict(type='list', elements='str'),
    include=dict(type='list', elements='str'),
    exists=dict(type='list', elements='str'),
    redirect=dict(type='str'),
    all=dict(type='str', choices=['-all', '~all', '?all', '+all']),
)

DMARC_OPTIONS = dict(
    p=dict(type='str', choices=list(_dmarc.POLICIES)),
    sp=dict(type='str', choices=list(_dmarc.POLICIES)),
    pct=dict(type='int'),
    rua=dict(type='list', elements='str'),
    ruf=dict(type='list', elements='str'),
    adkim=dict(type='str', choices=['r', 's']),
    aspf=dict(type='str', choices=['r', 's']),
    fo=dict(type='list', elements='str', choices=list(_dmarc.FAILURE_OPTIONS)),
    ri=dict(type='int'),
)


def argument_spec():
    """The module's options and the rules between them, as AnsibleModule keyword arguments."""
    return dict(
        argument_spec=dict(
            domain=dict(type='str', required=True),
            zone=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            spf=dict(type='dict', options=SPF_OPTIONS, mutually_exclusive=[['redirect', 'all']]),
            spf_record=dict(type='str'),
            dmarc=dict(type='dict', options=DMARC_OPTIONS),
            dkim=dict(type='list', elements='dict', options=dict(
                selector=dict(type='str', required=True),
                target=dict(type='str'),
            )),
            ttl=dict(type='int', default=3600),
            spf_require_hard_fail=dict(type='bool', default=True),
            provider=dict(type='str', default='rfc2136', choices=['rfc2136', 'none']),
            server=dict(type='str'),
            port=dict(type='int', default=53),
            key_name=dict(type='str', no_log=False),
            key_secret=dict(type='str', no_log=True),
            key_algorithm=dict(type='str', default='hmac-sha256', choices=list(TSIG_ALGORITHMS)),
            nameservers=dict(type='list', elements='str'),
            timeout=dict(type='float', default=10.0),
        ),
        mutually_exclusive=[['spf', 'spf_record']],
        required_if=[['provider', 'rfc2136', ['server']]],
        required_together=[['key_name', 'key_secret']],
    )


class ManagedRecord:
    """One record this run manages: where it lives, which of the records there are it, and what it should hold
    (``desired`` None: remove it)."""

    def __init__(self, kind, option, name, rdtype, desired=None, selector=None, compare=None):
        self.kind = kind
        self.option = option
        self.name = name
        self.rdtype = rdtype
        self.desired = desired
        self.selector = selector
        self._compare = compare
        self.current = None  # RecordSet, once read

    def selected(self, rrset=None):
        """The rdatas of ``rrset`` (default: as read) that are this record."""
        rrset = rrset or self.current
        if self.kind == 'spf':
            return [rdata for rdata in rrset.rdatas if _spf.is_spf(rdata_value(rdata))]
        if self.kind == 'dmarc':
            return [rdata for rdata in rrset.rdatas if _dmarc.looks_like_dmarc(rdata_value(rdata))]
        return list(rrset.rdatas)

    def values(self, rrset=None):
        return [rdata_value(rdata) for rdata in self.selected(rrset)]

    def in_place(self, rrset=None):
        """Whether the published record is already what is desired (for ``desired`` None: absent)."""
        values = self.values(rrset)
        if self.desired is None:
            return not values
        return len(values) == 1 and self._compare(values[0]) == self._compare(self.desired)

    def desired_rdata(self):
        return txt_rdata(self.desired) if self.rdtype == 'TXT' else cname_rdata(self.desired)

    def change(self, ttl):
        selected = self.selected()
        add = [] if self.desired is None else [self.desired_rdata()]
        others = len(self.current.rdatas) - len(selected)
        # Records we do not manage share the RRset's TTL: keep it rather than change theirs.
        return Change(self.current, remove=selected, add=add,
                      ttl=self.current.ttl if others and self.current.ttl is not None else ttl)

    def after_rdatas(self):
        """The rdatas of this record after the run (or as they would be)."""
        if self.in_place():
            return self.selected()
        return [] if self.desired is None else [self.desired_rdata()]

    def lines(self, rdatas, ttl):
        """Zone-file lines, for the diff."""
        return [presentation(self.name, self.rdtype, ttl, rdata) for rdata in rdatas]


def desired_records(options):
    """The :class:`ManagedRecord` list the options name, with their desired content for ``state=present``."""
    domain = display_name(options['domain'])
    present = options['state'] == 'present'
    records = []
    if options.get('spf') is not None or options.get('spf_record') is not None:
        if options.get('spf') is not None:
            spf = options['spf']
            text = _spf.build(ip4=spf.get('ip4'), ip6=spf.get('ip6'), a=spf.get('a'), mx=spf.get('mx'),
                              include=spf.get('include'), exists=spf.get('exists'), redirect=spf.get('redirect'),
                              all_qualifier=spf.get('all') or (None if spf.get('redirect') else '-all'))
            option, compare = 'spf', _spf.canonical
        else:
            text, option, compare = options['spf_record'], 'spf_record', _exact
        records.append(ManagedRecord('spf', option, domain, 'TXT', text if present else None, compare=compare))
    if options.get('dmarc') is not None:
        dmarc = options['dmarc']
        text = _dmarc.build(p=dmarc.get('p'), sp=dmarc.get('sp'), pct=dmarc.get('pct'), rua=dmarc.get('rua'),
                            ruf=dmarc.get('ruf'), adkim=dmarc.get('adkim'), aspf=dmarc.get('aspf'),
                            fo=dmarc.get('fo'), ri=dmarc.get('ri'))
        records.append(ManagedRecord('dmarc', 'dmarc', '_dmarc.' + domain, 'TXT', text if present else None,
                                     compare=_dmarc.canonical))
    seen = set()
    for index, entry in enumerate(options.get('dkim') or []):
        selector = entry['selector'].strip().rstrip('.')
        option = 'dkim[%d]' % index
        if not _SELECTOR.match(selector):
            raise ConfigurationError('%s.selector: %r is not a DKIM selector (DNS labels of letters, digits, "-" and '
                                     '"_", RFC 6376 §3.1), e.g. selector1' % (option, entry['selector']))
        if selector.lower() in seen:
            raise ConfigurationError('%s.selector: %s is listed twice' % (option, selector))
        seen.add(selector.lower())
        target = entry.get('target')
        if present and not target:
            raise ConfigurationError('%s.target: required with state=present: the host name the CNAME points to, '
                                     'e.g. selector1-contoso-com._domainkey.contoso.onmicrosoft.com' % option)
        if target and not _HOSTNAME.match(target.strip()):
            raise ConfigurationError('%s.target: %r is not a host name' % (option, target))
        records.append(ManagedRecord('dkim', option, '%s._domainkey.%s' % (selector.lower(), domain), 'CNAME',
                                     display_name(target.strip()) if present else None, selector=selector,
                                     compare=display_name))
    return records


def _exact(value):
    return value


class Connection:
    """Where this run reads (``records``: the managed names; ``lookups``: includes, report authorisations) and
    writes (``updater``, None for provider=none)."""

    def __init__(self, records, lookups, updater=None):
        self.records = records
        self.lookups = lookups
        self.updater = updater


def connect(options):
    """The :class:`Connection` for the options."""
    timeout = options.get('timeout') or 10.0
    nameservers = [parse_nameserver(text) for text in options.get('nameservers') or []]
    lookups = Resolver(nameservers, timeout=timeout)
    server = options.get('server')
    if options['provider'] == 'none':
        records = Resolver([(_address(server), options['port'])], timeout=timeout) if server else lookups
        return Connection(records, lookups if nameservers or not server else records)
    address = _address(server)
    records = Resolver([(address, options['port'])], timeout=timeout)
    updater = Rfc2136Updater(address, options['port'], options.get('zone') or options['domain'],
                             key_name=options.get('key_name'), key_secret=options.get('key_secret'),
                             key_algorithm=options.get('key_algorithm') or 'hmac-sha256', timeout=timeout)
    return Connection(records, lookups, updater)


def _address(server):
    try:
        return socket.getaddrinfo(server, None)[0][4][0]
    except (socket.gaierror, IndexError, UnicodeError) as error:
        raise ConfigurationError('server: cannot resolve %r: %s' % (server, error))


def run_dns_auth_records(options, check_mode=False, diff=False, connect=connect):
    """Audit and (for the records the options name) bring the records of ``options['domain']`` to the desired
    state. Returns the Ansible result: ``changed``, ``records``, ``findings``, ``diff`` when asked; on failure
    ``failed``, ``msg``, ``error`` and the findings known so far."""
    findings = []
    try:
        return _run(options, check_mode, diff, connect, findings)
    except ExoError as error:
        return error_result(error, findings)


def error_result(error, findings):
    return {
        'failed': True,
        'msg': str(error),
        'error': {
            'type': type(error).__name__,
            'message': error.message,
            'server': getattr(error, 'server', None),
            'zone': getattr(error, 'zone', None),
            'rcode': getattr(error, 'rcode', None),
        },
        'findings': findings,
    }


def _run(options, check_mode, diff, connect, findings):
    domain = display_name(options['domain'])
    zone = display_name(options.get('zone') or domain)
    if not in_zone(domain, zone):
        raise ConfigurationError('zone: %s is not inside the zone %s; set zone to the zone that holds it' % (domain, zone))
    managed = desired_records(options)
    connection = connect(options)
    if connection.updater is not None:
        _check_zone(connection.records, zone)
    for record in managed:
        record.current = connection.records.read(record.name, record.rdtype)
    audited = _published(connection.records, domain, managed)

    findings.extend(_findings(options, domain, zone, managed, audited, connection.lookups))
    refused = [(item.get('_option'), item) for item in findings if item['severity'] == 'error' and item.get('_option')]
    for item in findings:
        item.pop('_option', None)
    if refused:
        option, first = refused[0]
        more = (' (and %d more errors, see findings)' % (len(refused) - 1)) if len(refused) > 1 else ''
        raise ConfigurationError('%s: the %s record would be broken, so nothing was sent: %s%s'
                                 % (option, first['record'].upper(), first['message'], more))

    pending = [record for record in managed if not record.in_place()]
    result = {'changed': bool(pending), 'findings': findings}
    if pending and connection.updater is None and not check_mode:
        raise ConfigurationError('provider: "none" only reads, and %s differ from what is published: run in check '
                                 'mode to audit, or use provider=rfc2136 to change them'
                                 % ', '.join(record.name for record in pending))
    if pending and not check_mode:
        connection.updater.send([record.change(options['ttl']) for record in pending])
        after = dict((record.name, connection.records.read(record.name, record.rdtype)) for record in pending)
        result['warnings'] = ['%s %s reads back as %s after the update' % (record.name, record.rdtype,
                                                                           record.values(after[record.name]))
                              for record in pending if not record.in_place(after[record.name])]
    result['records'] = _records_view(domain, managed, audited)
    if diff:
        ttl = options['ttl']
        result['diff'] = {
            'before': ''.join(line + '\n' for record in managed
                              for line in record.lines(record.selected(), record.current.ttl)),
            'after': ''.join(line + '\n' for record in managed
                             for line in record.lines(record.after_rdatas(), record.current.ttl if record.in_place()
                                                      else record.change(ttl).ttl)),
        }
    return result


def _check_zone(resolver, zone):
    try:
        soa = resolver.read(zone, 'SOA')
    except DnsLookupFailed as error:
        raise DnsLookupFailed('the server does not answer for the zone %s (%s): is it the zone\'s primary?'
                              % (zone, error.message), server=resolver.server, zone=zone)
    if soa.status != 'ok':
        raise ConfigurationError('zone: %s has no SOA record at %s; set zone to the zone that holds the domain'
                                 % (zone, resolver.server))


def _published(resolver, domain, managed):
    """The TXT record sets at the domain and at _dmarc, for the audit (reusing what was read for managed records)."""
    read = dict(((record.name, record.rdtype), record.current) for record in managed)
    audited = {}
    for name in (domain, '_dmarc.' + domain):
        audited[name] = read.get((name, 'TXT')) or resolver.read(name, 'TXT')
    return audited


def _after_values(record):
    return [rdata_value(rdata) for rdata in record.after_rdatas()]


def _findings(options, domain, zone, managed, audited, lookups):
    """Findings for the records as they are after the run; those about desired records carry the option that
    asked for them in ``_option``."""
    by_kind = dict((record.kind, record) for record in managed if record.kind in ('spf', 'dmarc'))
    findings = []
    spf_audit = _spf.SpfAudit(lookups, require_hard_fail=options.get('spf_require_hard_fail', True))
    spf = by_kind.get('spf')
    spf_texts = _after_values(spf) if spf else audited[domain].values
    if spf is not None and spf.desired is not None:
        found = spf_audit.audit_texts(domain, [spf.desired])
    else:
        found = spf_audit.audit_texts(domain, [text for text in spf_texts if _spf.is_spf(text)])
    findings += _mark(found, spf.option if spf is not None and spf.desired is not None else None)
    dmarc_audit = _dmarc.DmarcAudit(lookups, internal_domains=[zone])
    dmarc = by_kind.get('dmarc')
    if dmarc is not None and dmarc.desired is not None:
        found = dmarc_audit.audit_texts(domain, [dmarc.desired])
    elif dmarc is not None:
        found = dmarc_audit.audit_texts(domain, [])
    else:
        found = dmarc_audit.audit_texts(domain, audited['_dmarc.' + domain].values)
    findings += _mark(found, dmarc.option if dmarc is not None and dmarc.desired is not None else None)
    for record in managed:
        if record.kind == 'dkim' and record.desired is not None and record.current.status == 'nodata':
            findings.append({'record': 'dkim', 'severity': 'error', '_option': record.option,
                             'message': '%s holds other records (such as a TXT key) and a CNAME cannot coexist with '
                                        'them (RFC 1034 §3.6.2): remove them first, then publish the CNAME to %s'
                                        % (record.name, record.desired)})
    return findings


def _mark(found, option):
    if option:
        for item in found:
            item['_option'] = option
    return found


def _records_view(domain, managed, audited):
    """The records after the run (or as they would be): SPF and DMARC always, DKIM for the selectors given."""
    view = {'spf': [], 'dmarc': [], 'dkim': []}
    by_kind = dict((record.kind, record) for record in managed if record.kind in ('spf', 'dmarc'))
    for kind, name, is_kind in (('spf', domain, _spf.is_spf), ('dmarc', '_dmarc.' + domain, _dmarc.looks_like_dmarc)):
        record = by_kind.get(kind)
        values = _after_values(record) if record else [value for value in audited[name].values if is_kind(value)]
        view[kind] = [{'name': name, 'value': value} for value in values]
    for record in managed:
        if record.kind == 'dkim':
            for value in _after_values(record):
                view['dkim'].append({'selector': record.selector, 'name': record.name, 'target': value})
    return view
