# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DNS lookups Exchange Online makes before it enables DKIM signing, asked of the scenario's ``dns_server``.

Exchange checks that ``selector1._domainkey.<domain>`` and ``selector2._domainkey.<domain>`` are CNAMEs pointing at
the targets it issued. The emulator asks one named server (the tests' BIND, ``host:port``) directly, over UDP and
then TCP when the answer is truncated or UDP gets none, with a short timeout: no system resolver, no recursion, so
nothing leaves the machine. With no server configured, or when the server does not answer, every name reads as
having no CNAME: Exchange, too, refuses to enable when it cannot see the records.
"""

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

TIMEOUT_SECONDS = 1.5


def parse_server(text):
    """``host:port``, ``host`` (port 53) or ``[v6]:port`` -> ``(host, port)``; raises ValueError."""
    text = str(text).strip()
    if text.startswith('['):
        host, _sep, rest = text[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else '53'
    elif text.count(':') == 1:
        host, port = text.split(':')
    else:
        host, port = text, '53'
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError('dns_server %r is not host:port' % text)
    return host, int(port)


def _normal(name):
    return str(name).strip().rstrip('.').lower()


class CnameLookup:
    """Looks up CNAME records on one DNS server, or on none (``server`` None: every lookup finds nothing)."""

    def __init__(self, server=None, timeout=TIMEOUT_SECONDS):
        self.host, self.port = parse_server(server) if server else (None, None)
        self.timeout = timeout

    def target(self, name):
        """The CNAME target of ``name`` (lower case, no trailing dot), or None when there is none or no answer."""
        if self.host is None:
            return None
        query = dns.message.make_query(dns.name.from_text(name), dns.rdatatype.CNAME)
        query.flags &= ~dns.flags.RD
        answer = self._ask(query)
        if answer is None or answer.rcode() != dns.rcode.NOERROR:
            return None
        for rrset in answer.answer:
            if rrset.rdtype == dns.rdatatype.CNAME and _normal(rrset.name) == _normal(name):
                for rdata in rrset:
                    return _normal(rdata.target)
        return None

    def points_to(self, name, expected):
        """Whether ``name`` is a CNAME for ``expected`` (compared without case or trailing dot)."""
        found = self.target(name)
        return found is not None and found == _normal(expected)

    def _ask(self, query):
        try:
            answer = dns.query.udp(query, self.host, port=self.port, timeout=self.timeout)
            if not answer.flags & dns.flags.TC:
                return answer
        except (dns.exception.DNSException, OSError):
            pass
        try:
            return dns.query.tcp(query, self.host, port=self.port, timeout=self.timeout)
        except (dns.exception.DNSException, OSError):
            return None
