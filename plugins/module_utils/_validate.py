# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of user input that Exchange would refuse, made before any call so the user reads which option and what
to do instead.

Private to this collection; may change without notice. Each check raises ConfigurationError (via ``require``)
with the option's name and the fix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.exoguard.mailflow.plugins.module_utils import _normalise as normalise
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import require

_DOMAIN_LABEL = r'(?!-)[a-z0-9-]{1,63}(?<!-)'
_DOMAIN = re.compile(r'^%s(\.%s)+$' % (_DOMAIN_LABEL, _DOMAIN_LABEL), re.IGNORECASE)
_SMTP_ADDRESS = re.compile(r'^[^@\s]+@%s(\.%s)+$' % (_DOMAIN_LABEL, _DOMAIN_LABEL), re.IGNORECASE)


def _network(option, value):
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        require(False, option, '%r is not an IP address or CIDR block (write 192.0.2.10 or 192.0.2.0/24)' % value)


def sender_ip_addresses(option, values):
    """IPv4 only, a single address or a CIDR block from /24 to /32 (New-InboundConnector -SenderIPAddresses)."""
    for value in normalise.as_list(values):
        if '-' in str(value):
            try:
                normalise.ip_range(value)
            except ValueError:
                require(False, option, '%r is not an IP address or CIDR block (write 192.0.2.10 or 192.0.2.0/24)' % value)
            require(False, option, '%r is a range; give single IPv4 addresses or CIDR blocks (/24 to /32)' % value)
        network = _network(option, value)
        require(network.version == 4, option, '%r is IPv6; Exchange takes IPv4 addresses only here' % value)
        require(network.prefixlen >= 24, option, '%r is a /%d; Exchange takes CIDR blocks from /24 to /32 only: split it '
                'into /24 blocks' % (value, network.prefixlen))


def ip_ranges(option, values, allow_private=True):
    """Single addresses, ``lo-hi`` ranges or CIDR blocks; with ``allow_private`` false, RFC 1918 ranges are refused."""
    for value in normalise.as_list(values):
        try:
            version, first, last = normalise.ip_range(value)
        except ValueError:
            require(False, option, '%r is not an address, a lo-hi range or a CIDR block' % value)
        if not allow_private and version == 4:
            for private in (ipaddress.ip_network(net) for net in ('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16')):
                overlaps = first <= int(private.broadcast_address) and last >= int(private.network_address)
                require(not overlaps, option, '%r is in the private range %s; Enhanced Filtering skips RFC 1918 hops '
                        'by itself, so list only the public IPs of the gateway' % (value, private))


def sender_domains(option, values):
    """``*``, ``contoso.com`` or ``*.contoso.com``; a ``*`` anywhere else is refused. The read-back form
    ``smtp:contoso.com;1`` is taken too, so a value copied from Get-InboundConnector (or a snapshot) works."""
    for value in normalise.as_list(values):
        name = normalise.domain(value)
        bare = name[2:] if name.startswith('*.') else name
        require(name == '*' or (_DOMAIN.match(bare) and '*' not in bare), option,
                '%r is not a domain; write *, contoso.com or *.contoso.com (a * only as the whole first label)' % value)


def domains(option, values):
    for value in normalise.as_list(values):
        require(_DOMAIN.match(str(value).strip()), option, '%r is not a domain name' % value)


def certificate_name(option, value):
    """A domain or ``*.domain``, never ``*`` alone (TlsSenderCertificateName)."""
    name = str(value).strip()
    require(name != '*', option, '* alone is not a certificate name; give the certificate\'s subject domain, e.g. '
            '*.gateway.example or mail.gateway.example')
    bare = name[2:] if name.startswith('*.') else name
    require(_DOMAIN.match(bare) and '*' not in bare, option, '%r is not a certificate domain; write mail.gateway.example '
            'or *.gateway.example' % value)


def smtp_addresses(option, values):
    for value in normalise.as_list(values):
        require(_SMTP_ADDRESS.match(str(value).strip()), option, '%r is not an SMTP address (user@contoso.com)' % value)


def max_length(option, value, limit):
    if value is not None:
        require(len(value) <= limit, option, 'is %d characters long; Exchange takes at most %d' % (len(value), limit))
