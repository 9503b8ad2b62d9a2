# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Canonical forms of the values Exchange reads back, so that comparison never reports drift that isn't there.

Private to this collection; may change without notice.

The rules are those of cmdlet-behaviour.md section 7: null, ``[]`` and ``""`` are the same; strings compare without
case; multi-valued properties compare as sets; domains and IP addresses compare in canonical form. Each normaliser
takes a value as either side may hold it (what the user wrote, or what Get-* returned) and returns a hashable value
that compares equal exactly when Exchange would consider the two the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress


def is_empty(value):
    """True for null, empty string and empty collection: Exchange reads unset values back as any of these."""
    return value is None or value == '' or (isinstance(value, (list, tuple, set, frozenset)) and len(value) == 0)


def as_list(value):
    """A multi-valued property may come back as a list or, with one element, as a bare string."""
    if is_empty(value):
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for item in value if not is_empty(item)]
    return [value]


def boolean(value):
    """Booleans; null reads back for some unset flags and means false."""
    if is_empty(value):
        return False
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ('true', '$true', '1', 'yes', 'on'):
            return True
        if lowered in ('false', '$false', '0', 'no', 'off'):
            return False
        raise ValueError('%r is not a boolean' % value)
    return bool(value)


def text(value):
    """Strings, compared without case; empty and null are the same."""
    if is_empty(value):
        return ''
    return str(value).strip().lower()


def integer(value):
    if is_empty(value):
        return None
    return int(value)


def text_set(value):
    """A multi-valued property of strings, compared as a set without case."""
    return frozenset(text(item) for item in as_list(value))


def domain(value):
    """A domain name: no case, no trailing dot; an Exchange ``smtp:<domain>;<priority>`` wrapper is taken off."""
    name = text(value)
    if name.startswith('smtp:'):
        name = name[len('smtp:'):]
    if ';' in name:
        name = name.split(';', 1)[0]
    return name.rstrip('.')


def domain_set(value):
    return frozenset(domain(item) for item in as_list(value))


def ip_range(value):
    """A single IPv4/IPv6 address, a CIDR block (masked to its network, as Exchange stores it) or a ``lo-hi`` range,
    as the interval ``(first, last)`` of integer addresses with the IP version."""
    spec = str(value).strip()
    if '-' in spec:
        low, high = (ipaddress.ip_address(part.strip()) for part in spec.split('-', 1))
        if low.version != high.version or int(low) > int(high):
            raise ValueError('%r is not a valid address range' % value)
        return (low.version, int(low), int(high))
    network = ipaddress.ip_network(spec, strict=False)
    return (network.version, int(network.network_address), int(network.broadcast_address))


def ip_range_set(value):
    return frozenset(ip_range(item) for item in as_list(value))


def canonical_ip_range(value):
    """The text Exchange stores for an address or range: CIDR masked to its network (``192.168.0.1/25`` is
    ``192.168.0.0/25``), a host written without its ``/32``."""
    spec = str(value).strip()
    if '-' in spec:
        low, high = (str(ipaddress.ip_address(part.strip())) for part in spec.split('-', 1))
        return '%s-%s' % (low, high)
    network = ipaddress.ip_network(spec, strict=False)
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network)
