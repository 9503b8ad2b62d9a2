# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""IP address entries as Exchange takes them in connectors and transport rules: a single address, a ``lo-hi``
range or a CIDR range.

Exchange keeps a CIDR entry masked to its network (cmdlet-behaviour.md section 2, [XS]: ``192.168.0.1/25``
reads back ``192.168.0.0/25``); :func:`parse` gives that canonical spelling, and the address interval that
later policy checks (connector matching, rule conditions) compare with.
"""

import ipaddress

SINGLE = 'single'
RANGE = 'range'
CIDR = 'cidr'

# RFC 1918: what Enhanced Filtering refuses in EFSkipIPs (cmdlet-behaviour.md section 1, [EF]).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(network) for network in ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'))


class IpEntry:
    """One parsed entry: ``kind`` (single, range, cidr), ``first``/``last`` (the interval, inclusive),
    ``prefix`` (CIDR only), ``version`` (4 or 6) and ``text`` (the canonical spelling Get-* returns)."""

    def __init__(self, kind, first, last, prefix=None):
        self.kind = kind
        self.first = first
        self.last = last
        self.prefix = prefix
        self.version = first.version

    @property
    def text(self):
        if self.kind == SINGLE:
            return str(self.first)
        if self.kind == RANGE:
            return '%s-%s' % (self.first, self.last)
        return '%s/%d' % (self.first, self.prefix)

    def contains(self, address):
        """Whether ``address`` (text or ip_address) lies in the entry."""
        address = ipaddress.ip_address(address) if isinstance(address, str) else address
        return address.version == self.version and self.first <= address <= self.last

    def overlaps(self, network):
        """Whether the entry shares an address with ``network`` (an ip_network)."""
        return (network.version == self.version and self.first <= network.broadcast_address
                and network.network_address <= self.last)


def parse(text):
    """The :class:`IpEntry` a value names; raises ValueError when it is no address, range or CIDR range."""
    value = str(text).strip()
    try:
        if '/' in value:
            network = ipaddress.ip_network(value, strict=False)
            return IpEntry(CIDR, network.network_address, network.broadcast_address, network.prefixlen)
        if '-' in value:
            low, high = (ipaddress.ip_address(part.strip()) for part in value.split('-', 1))
            if low.version != high.version or low > high:
                raise ValueError(value)
            return IpEntry(RANGE, low, high)
        address = ipaddress.ip_address(value)
        return IpEntry(SINGLE, address, address)
    except ValueError:
        raise ValueError("'%s' isn't a valid IP address, IP address range or CIDR IP address range." % value) from None


def is_private(entry):
    """Whether an entry reaches into an RFC 1918 private network."""
    return any(entry.overlaps(network) for network in PRIVATE_NETWORKS)
