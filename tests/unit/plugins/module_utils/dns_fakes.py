# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An in-memory DNS for the SPF, DMARC and dns_auth_records unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import dns.rdata
import dns.rdataclass
import dns.rdatatype

from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import (
    DnsLookupFailed, RecordSet, cname_rdata, display_name, txt_rdata)


class FakeDns:
    """Records by (name, type); names listed in ``failing`` raise as a SERVFAIL would. Counts lookups."""

    server = 'fake:53'

    def __init__(self, records=None, failing=()):
        self.records = {}
        self.failing = set(failing)
        self.lookups = []
        for (name, rdtype), values in (records or {}).items():
            self.set(name, rdtype, values)

    def set(self, name, rdtype, values, ttl=300):
        rdatas = []
        for value in values:
            if rdtype == 'TXT':
                rdatas.append(value if not isinstance(value, str) else txt_rdata(value))
            elif rdtype == 'CNAME':
                rdatas.append(cname_rdata(value))
            else:
                rdatas.append(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), value))
        self.records[(display_name(name), rdtype)] = (rdatas, ttl)

    def read(self, name, rdtype):
        name = display_name(name)
        self.lookups.append((name, rdtype))
        if name in self.failing:
            raise DnsLookupFailed('no nameserver answered %s %s without an error (SERVFAIL)' % (name, rdtype),
                                  server=self.server)
        if (name, rdtype) in self.records:
            rdatas, ttl = self.records[(name, rdtype)]
            if rdatas:
                return RecordSet(name, rdtype, 'ok', list(rdatas), ttl)
        exists = any(owner == name or owner.endswith('.' + name) for (owner, owner_type), (rdatas, owner_ttl) in self.records.items()
                     if rdatas)
        return RecordSet(name, rdtype, 'nodata' if exists else 'nxdomain')

    def txt(self, name):
        return self.read(name, 'TXT').values

    def addresses(self, name):
        return self.read(name, 'A').values + self.read(name, 'AAAA').values

    def mx(self, name):
        return [display_name(rdata.exchange) for rdata in self.read(name, 'MX').rdatas]


class FakeUpdater:
    """Applies changes to a FakeDns the way an RFC 2136 server would, prerequisites included; records each send."""

    def __init__(self, zone_dns, fail=None):
        self.dns = zone_dns
        self.sent = []
        self.fail = fail

    def send(self, changes):
        self.sent.append(changes)
        if self.fail is not None:
            raise self.fail
        for change in changes:
            key = (change.expected.name, change.expected.rdtype)
            rdatas, ttl = self.dns.records.get(key, ([], change.ttl))
            assert sorted(r.to_text() for r in rdatas) == sorted(r.to_text() for r in change.expected.rdatas)
            kept = [rdata for rdata in rdatas if rdata not in change.remove]
            self.dns.records[key] = (kept + list(change.add), change.ttl if change.add else ttl)
