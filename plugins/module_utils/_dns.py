# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DNS records and the two ways this collection reaches them: read-only lookups and RFC 2136 dynamic update.

Private to this collection; may change without notice.

A :class:`Resolver` reads record sets from named nameservers (or the system resolver) and answers the lookups the
SPF and DMARC audits make. An :class:`Rfc2136Updater` sends one TSIG-signed UPDATE message per run, with the record
sets as they were read as prerequisites, so a zone changed by someone else in between is never overwritten.
Failures are typed (:class:`DnsAuthFailed`, :class:`DnsUpdateRefused`, :class:`DnsUnreachable`, ...) and their
messages never carry the TSIG secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import traceback

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, ExoError

try:
    import dns.exception
    import dns.message
    import dns.name
    import dns.nameserver
    import dns.query
    import dns.rcode
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    import dns.resolver
    import dns.tsig
    import dns.tsigkeyring
    import dns.update
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None

#: Longest character-string a TXT record holds (RFC 1035 §3.3).
TXT_STRING_LIMIT = 255

TSIG_ALGORITHMS = ('hmac-sha256', 'hmac-sha384', 'hmac-sha512', 'hmac-sha224', 'hmac-sha1', 'hmac-md5')


class DnsError(ExoError):
    """Base of the DNS failures; ``server`` is ``address:port`` (or "the system resolver"), ``zone`` the zone."""

    kind = 'DNS error'

    def __init__(self, message, server=None, zone=None, rcode=None):
        super(DnsError, self).__init__(message)
        self.server = server
        self.zone = zone
        self.rcode = rcode

    def __str__(self):
        where = ', '.join(part for part in (('zone %s' % self.zone) if self.zone else None,
                                            ('server %s' % self.server) if self.server else None) if part)
        return '%s: %s%s' % (self.kind, self.message, (' (%s)' % where) if where else '')


class DnsAuthFailed(DnsError):
    """The server did not accept the TSIG key: unknown key name, wrong secret or algorithm, or clock skew."""
    kind = 'TSIG authentication failed'


class DnsUpdateRefused(DnsError):
    """The server answered the UPDATE with an error rcode (REFUSED, NOTAUTH, NOTZONE, SERVFAIL...)."""
    kind = 'DNS update refused'


class DnsConflict(DnsError):
    """The records changed between our read and our update (a prerequisite failed): nothing was written."""
    kind = 'DNS records changed concurrently'


class DnsUnreachable(DnsError):
    """No answer from the nameserver within the timeout, or the connection was refused."""
    kind = 'DNS server unreachable'


class DnsLookupFailed(DnsError):
    """A query got SERVFAIL, REFUSED or another error answer: the name's records are unknown, not absent."""
    kind = 'DNS lookup failed'


def require_dnspython():
    if not HAS_DNSPYTHON:
        raise ConfigurationError('the Python library dnspython (>= 2.4) is required on the controller')


def absolute(name):
    """A name as dnspython's absolute Name, from ``example.com`` or ``example.com.``."""
    return dns.name.from_text(name.rstrip('.') + '.')


def display_name(name):
    """``example.com`` for ``example.com.``, lower case."""
    return str(name).rstrip('.').lower()


def in_zone(name, zone):
    name, zone = display_name(name), display_name(zone)
    return name == zone or name.endswith('.' + zone)


def split_txt(text):
    """The character-strings of one TXT record holding ``text``: UTF-8 split into pieces of at most 255 bytes."""
    data = text.encode('utf-8')
    return [data[index:index + TXT_STRING_LIMIT] for index in range(0, len(data), TXT_STRING_LIMIT)] or [b'']


def txt_text(rdata):
    """A TXT record's character-strings joined without separator (RFC 7208 §3.3, RFC 7489 §6.6.3)."""
    return b''.join(rdata.strings).decode('utf-8', 'replace')


def txt_rdata(text):
    """The TXT rdata that holds ``text``, split as :func:`split_txt` does."""
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT,
                               ' '.join('"%s"' % _escape_txt(chunk) for chunk in split_txt(text)))


def cname_rdata(target):
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CNAME, target.rstrip('.') + '.')


def _escape_txt(chunk):
    out = []
    for byte in bytearray(chunk):
        if byte in (0x22, 0x5c):
            out.append('\\' + chr(byte))
        elif 0x20 <= byte < 0x7f:
            out.append(chr(byte))
        else:
            out.append('\\%03d' % byte)
    return ''.join(out)


def rdata_value(rdata):
    """What a record holds, as users write it: TXT joined, a CNAME target without the trailing dot."""
    if rdata.rdtype == dns.rdatatype.TXT:
        return txt_text(rdata)
    if rdata.rdtype == dns.rdatatype.CNAME:
        return display_name(rdata.target)
    return rdata.to_text()


def presentation(name, rdtype, ttl, rdata):
    """One record in zone-file form, for diffs."""
    return '%s. %s IN %s %s' % (display_name(name), ttl, rdtype, rdata.to_text())


class RecordSet:
    """The records of one type at one name as read: ``status`` is ``ok``, ``nxdomain`` (the name does not exist) or
    ``nodata`` (the name exists with other types only)."""

    def __init__(self, name, rdtype, status, rdatas=(), ttl=None):
        self.name = display_name(name)
        self.rdtype = rdtype
        self.status = status
        self.rdatas = list(rdatas)
        self.ttl = ttl

    @property
    def values(self):
        return [rdata_value(rdata) for rdata in self.rdatas]

    def __repr__(self):
        return 'RecordSet(%r, %r, %r, %r)' % (self.name, self.rdtype, self.status, self.values)


def parse_nameserver(text, default_port=53):
    """``192.0.2.1``, ``192.0.2.1:5353``, ``2001:db8::1`` or ``[2001:db8::1]:5353`` -> (address, port)."""
    text = text.strip()
    try:
        if text.startswith('['):
            address, port = text[1:].split(']', 1) if ']' in text else (text[1:], '')
            port = port.lstrip(':')
            return address, int(port) if port else default_port
        if text.count(':') == 1:
            address, port = text.split(':')
            return address, int(port)
    except ValueError:
        raise ConfigurationError('nameservers: %r is not ADDRESS, ADDRESS:PORT or [IPv6]:PORT' % text)
    return text, default_port


class Resolver:
    """Reads record sets from ``nameservers`` ((address, port) pairs), or from the system resolver when there are
    none. Void answers (NXDOMAIN, no data) are results; timeouts and error rcodes raise."""

    def __init__(self, nameservers=None, timeout=10.0):
        require_dnspython()
        self.nameservers = list(nameservers or [])
        self._unusable = None
        if self.nameservers:
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [_nameserver(address, port) for address, port in self.nameservers]
            self.server = ', '.join(_server_text(address, port) for address, port in self.nameservers)
        else:
            self.server = 'the system resolver'
            try:
                self._resolver = dns.resolver.Resolver()
            except dns.exception.DNSException as error:
                # Only a failure if something must be looked up: reported then, as a failed lookup.
                self._resolver = dns.resolver.Resolver(configure=False)
                self._unusable = 'the system resolver is not configured (%s); set nameservers' % error
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._resolver.cache = None

    def read(self, name, rdtype):
        """The :class:`RecordSet` of ``rdtype`` at ``name`` (without following a CNAME for other types)."""
        qname = absolute(name)
        if self._unusable:
            raise DnsLookupFailed(self._unusable)
        try:
            answer = self._resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return RecordSet(name, rdtype, 'nxdomain')
        except dns.resolver.YXDOMAIN as error:
            raise DnsLookupFailed('%s %s: %s' % (display_name(qname), rdtype, error), server=self.server)
        except dns.resolver.NoNameservers as error:
            raise DnsLookupFailed('no nameserver answered %s %s without an error (%s)'
                                  % (display_name(qname), rdtype, _first_error(error)), server=self.server)
        except dns.exception.Timeout:
            raise DnsUnreachable('no answer to %s %s within %s s' % (display_name(qname), rdtype, self._resolver.lifetime),
                                 server=self.server)
        except dns.exception.DNSException as error:
            raise DnsLookupFailed('%s %s: %s' % (display_name(qname), rdtype, error), server=self.server)
        rrset = None
        for candidate in answer.response.answer:
            if candidate.name == qname and candidate.rdtype == dns.rdatatype.from_text(rdtype):
                rrset = candidate
        if rrset is None:
            return RecordSet(name, rdtype, 'nodata')
        return RecordSet(name, rdtype, 'ok', list(rrset), rrset.ttl)

    # The lookups of the SPF and DMARC audits: a list of values, empty for a void answer.

    def txt(self, name):
        return self.read(name, 'TXT').values

    def addresses(self, name):
        return self.read(name, 'A').values + self.read(name, 'AAAA').values

    def mx(self, name):
        return [display_name(rdata.exchange) for rdata in self.read(name, 'MX').rdatas]


def _nameserver(address, port):
    return dns.nameserver.Do53Nameserver(address, port)


def _server_text(address, port):
    if ':' in address:
        return '[%s]:%s' % (address, port)
    return '%s:%s' % (address, port)


def _first_error(error):
    errors = error.kwargs.get('errors') if hasattr(error, 'kwargs') else None
    if errors:
        first = errors[0]
        answer = first[-1]
        if hasattr(answer, 'rcode'):
            return dns.rcode.to_text(answer.rcode())
        return str(answer)
    return str(error)


class Change:
    """What one UPDATE does at one name and type: delete ``remove`` rdatas, add ``add`` rdatas with ``ttl``.

    ``expected`` is the record set as it was read; it becomes the prerequisite (RFC 2136 §2.4): the exact RRset
    when there was one, "RRset does not exist" when the name had other data, "name not in use" when it did not exist.
    """

    def __init__(self, expected, remove=(), add=(), ttl=3600):
        self.expected = expected
        self.remove = list(remove)
        self.add = list(add)
        self.ttl = ttl


class Rfc2136Updater:
    """Sends dynamic updates for one zone to its primary, signed with a TSIG key when one is given."""

    def __init__(self, server, port, zone, key_name=None, key_secret=None, key_algorithm='hmac-sha256', timeout=10.0):
        require_dnspython()
        self.address = server
        self.port = port
        self.zone = display_name(zone)
        self.timeout = timeout
        self.server = _server_text(server, port)
        self.key_name = key_name
        self._keyring = None
        self._algorithm = None
        if key_name:
            try:
                self._keyring = dns.tsigkeyring.from_text({key_name: key_secret})
            except (binascii.Error, ValueError, TypeError, dns.exception.DNSException):
                # The exception text may quote the secret: it is not kept.
                raise ConfigurationError('key_secret: the TSIG secret of key %r is not valid base64, as '
                                         'tsig-keygen prints it' % key_name)
            self._algorithm = dns.name.from_text(key_algorithm)

    def send(self, changes):
        """Apply every change in one UPDATE message; all or nothing."""
        message = self._message()
        for change in changes:
            expected = change.expected
            name = absolute(expected.name)
            if expected.status == 'ok':
                message.present(name, *expected.rdatas)
            elif expected.status == 'nodata':
                message.absent(name, expected.rdtype)
            else:
                message.absent(name)
            if change.remove:
                message.delete(name, *change.remove)
            if change.add:
                message.add(name, change.ttl, *change.add)
        self._send(message)

    def _message(self):
        if self._keyring is None:
            return dns.update.UpdateMessage(absolute(self.zone))
        return dns.update.UpdateMessage(absolute(self.zone), keyring=self._keyring, keyname=self.key_name,
                                        keyalgorithm=self._algorithm)

    def _send(self, message):
        context = dict(server=self.server, zone=self.zone)
        key = ('TSIG key %r' % self.key_name) if self.key_name else 'an unsigned update'
        try:
            response = dns.query.tcp(message, self.address, port=self.port, timeout=self.timeout)
        except dns.tsig.PeerBadKey:
            raise DnsAuthFailed('the server does not know %s (BADKEY): check key_name, and that the key is defined '
                                'on the server' % key, rcode='BADKEY', **context)
        except dns.tsig.PeerBadSignature:
            raise DnsAuthFailed('the server refused the signature of %s (BADSIG): key_secret or key_algorithm is '
                                'wrong' % key, rcode='BADSIG', **context)
        except dns.tsig.PeerBadTime:
            raise DnsAuthFailed('the server refused the time of %s (BADTIME): the clocks of the controller and the '
                                'server differ by more than the fudge' % key, rcode='BADTIME', **context)
        except dns.tsig.PeerError as error:
            raise DnsAuthFailed('the server refused %s (%s)' % (key, type(error).__name__), **context)
        except (dns.tsig.BadSignature, dns.tsig.BadAlgorithm, dns.tsig.BadTime) as error:
            raise DnsAuthFailed('the answer to %s did not verify (%s)' % (key, type(error).__name__), **context)
        except dns.exception.Timeout:
            raise DnsUnreachable('no answer to the UPDATE within %s s' % self.timeout, **context)
        except (OSError, EOFError) as error:
            raise DnsUnreachable('cannot send the UPDATE over TCP: %s' % (getattr(error, 'strerror', None) or error),
                                 **context)
        except dns.exception.DNSException as error:
            raise DnsUpdateRefused('the UPDATE failed: %s' % error, **context)
        rcode = response.rcode()
        if rcode == dns.rcode.NOERROR:
            return
        text = dns.rcode.to_text(rcode)
        if rcode in (dns.rcode.NXRRSET, dns.rcode.YXRRSET, dns.rcode.NXDOMAIN, dns.rcode.YXDOMAIN):
            raise DnsConflict('the records changed after they were read (prerequisite failed: %s); nothing was '
                              'written, run the task again' % text, rcode=text, **context)
        explanation = {
            'REFUSED': '%s may not update this zone (check allow-update or update-policy on the server)' % key,
            'NOTAUTH': 'the server is not authoritative for the zone, or did not accept %s' % key,
            'NOTZONE': 'a record name is outside the zone',
            'SERVFAIL': 'the server failed to apply the update (see its log)',
            'NOTIMP': 'the server does not implement dynamic update',
        }.get(text, 'the server answered %s' % text)
        raise DnsUpdateRefused('%s (%s)' % (explanation, text), rcode=text, **context)
