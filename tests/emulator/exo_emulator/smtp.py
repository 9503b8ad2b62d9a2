# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SMTP front door (the tenant's ``*.mail.protection.outlook.com`` stand-in): the protocol only.

Speaks ESMTP on plain TCP: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT, and Postfix's
``XCLIENT ADDR=<ip>`` to set the client IP the policy sees (after it the client says EHLO again, as with
Postfix). What is accepted or refused is decided by ``mailflow.FrontDoor``. Command lines are bounded; a
message is bounded by the advertised SIZE.

STARTTLS (RFC 3207) uses the emulator's server certificate (``*.mail.protection.outlook.com``, the door's host name,
127.0.0.1) and asks for a client certificate without requiring one. A presented certificate must chain to the
emulator's CA (``ca_file``; issue one with the admin API's ``POST smtp/client-certificates``): Python's ``ssl`` has no
verify callback, so a certificate from another CA fails the handshake. After the handshake the session starts over
(EHLO again, STARTTLS no longer offered); the client IP set with XCLIENT is kept.
"""

import email.utils
import ipaddress
import re
import socket
import socketserver
import ssl

from exo_emulator import clock
from exo_emulator.mailflow import SessionFacts

MAX_COMMAND_LINE = 2048
MAX_MESSAGE_SIZE = 36700160
MAX_RECIPIENTS = 500
EXTENSIONS = ('SIZE %d' % MAX_MESSAGE_SIZE, 'PIPELINING', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME', 'XCLIENT ADDR')
_PATH = re.compile(r'^\s*<([^<>]*)>\s*(.*)$')
_XCLIENT_IGNORED = ('NAME', 'HELO', 'PROTO', 'LOGIN', 'PORT', 'DESTADDR', 'DESTPORT')


class _LineTooLong(Exception):
    pass


class _SmtpSession(socketserver.StreamRequestHandler):
    """One SMTP connection."""

    # Seconds an idle client may keep the connection.
    timeout = 300

    def setup(self):
        super().setup()
        self.door = self.server.front_door
        self.facts = SessionFacts(self.client_address[0])
        self.mail_from = None
        self.recipients = []

    def handle(self):
        self._reply(220, self._banner())
        while True:
            try:
                line = self._read_command()
            except _LineTooLong:
                self._reply(500, '5.5.2 Line too long')
                continue
            except (OSError, TimeoutError):
                return
            if line is None:
                return
            verb, _sep, argument = line.strip().partition(' ')
            command = getattr(self, 'smtp_%s' % verb.lower(), None) if verb.isalpha() else None
            if command is None:
                self._reply(500, "5.3.3 Unrecognized command '%s'" % verb[:32])
                continue
            if command(argument.strip()) is False:
                return

    # -- plumbing --------------------------------------------------------------------------------------------

    def _banner(self):
        return '%s Microsoft ESMTP MAIL Service ready at %s' % (self.server.hostname, email.utils.format_datetime(clock.utc_now()))

    def _reply(self, code, *lines):
        text = ''.join('%d%s%s\r\n' % (code, '-' if index < len(lines) - 1 else ' ', line) for index, line in enumerate(lines))
        self.wfile.write(text.encode('utf-8'))
        self.wfile.flush()

    def _read_command(self):
        raw = self.rfile.readline(MAX_COMMAND_LINE + 1)
        if not raw:
            return None
        if len(raw) > MAX_COMMAND_LINE and not raw.endswith(b'\n'):
            while raw and not raw.endswith(b'\n'):
                raw = self.rfile.readline(MAX_COMMAND_LINE + 1)
            raise _LineTooLong()
        return raw.decode('utf-8', 'replace').rstrip('\r\n')

    def _reset_transaction(self):
        self.mail_from = None
        self.recipients = []

    # -- commands: ``smtp_<verb>`` (a new verb is one method); returning False ends the session ------------------

    def smtp_ehlo(self, argument):
        if not argument:
            return self._reply(501, '5.5.4 Invalid domain name')
        self.facts.helo = argument
        self._reset_transaction()
        extensions = [extension for extension in EXTENSIONS
                      if extension != 'STARTTLS' or (self.server.ssl_context is not None and not self.facts.tls)]
        return self._reply(250, '%s Hello [%s]' % (self.server.hostname, self.facts.client_ip), *extensions)

    def smtp_helo(self, argument):
        if not argument:
            return self._reply(501, '5.5.4 Invalid domain name')
        self.facts.helo = argument
        self._reset_transaction()
        return self._reply(250, '%s Hello [%s]' % (self.server.hostname, self.facts.client_ip))

    def smtp_xclient(self, argument):
        if self.mail_from is not None:
            return self._reply(503, '5.5.1 Mail transaction in progress')
        address = None
        for attribute in argument.split():
            name, _sep, value = attribute.partition('=')
            if name.upper() == 'ADDR':
                address = _xclient_address(value)
                if address is None:
                    return self._reply(501, '5.5.4 Bad XCLIENT ADDR syntax: %s' % value[:64])
            elif name.upper() not in _XCLIENT_IGNORED:
                return self._reply(501, '5.5.4 Bad XCLIENT attribute name: %s' % name[:32])
        # As with Postfix: the session starts over as if the client had connected from that address.
        previous = self.facts
        self.facts = SessionFacts(address or self.facts.client_ip)
        self.facts.tls, self.facts.tls_version, self.facts.peer_certificate = previous.tls, previous.tls_version, previous.peer_certificate
        self._reset_transaction()
        return self._reply(220, self._banner())

    def smtp_starttls(self, argument):
        if self.server.ssl_context is None or self.facts.tls:
            return self._reply(503, '5.5.1 STARTTLS not available')
        if argument:
            return self._reply(501, '5.5.4 Syntax error (no parameters allowed)')
        if self.facts.helo is None:
            return self._reply(503, '5.5.2 Send hello first')
        self._reply(220, '2.0.0 SMTP server ready')
        try:
            connection = self.server.ssl_context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return False
        self.connection = self.request = connection
        self.rfile = connection.makefile('rb', self.rbufsize)
        self.wfile = connection.makefile('wb')
        # RFC 3207: the session starts over; what XCLIENT set is a property of the connection and stays.
        client_ip = self.facts.client_ip
        self.facts = SessionFacts(client_ip)
        self.facts.tls = True
        self.facts.tls_version = connection.version()
        self.facts.peer_certificate = _certificate_names(connection.getpeercert())
        self._reset_transaction()
        return None

    def smtp_mail(self, argument):
        if self.facts.helo is None:
            return self._reply(503, '5.5.2 Send hello first')
        if self.mail_from is not None:
            return self._reply(503, '5.5.2 Sender already specified')
        address, parameters = _path(argument, 'FROM')
        if address is None:
            return self._reply(501, '5.5.4 Invalid arguments')
        size = re.search(r'(?i)\bSIZE=(\d+)', parameters)
        if size and int(size.group(1)) > MAX_MESSAGE_SIZE:
            return self._reply(552, '5.3.4 Message size exceeds fixed maximum message size')
        self.mail_from = address
        return self._reply(250, '2.1.0 Sender OK')

    def smtp_rcpt(self, argument):
        if self.mail_from is None:
            return self._reply(503, '5.5.2 Need mail command')
        address, _parameters = _path(argument, 'TO')
        if not address:
            return self._reply(501, '5.5.4 Invalid arguments')
        if len(self.recipients) >= MAX_RECIPIENTS:
            return self._reply(452, '4.5.3 Too many recipients')
        reply, tenant = self.door.check_recipient(self.facts, self.mail_from, address)
        if tenant is not None:
            self.recipients.append((address, tenant))
        return self._reply(reply.code, reply.text)

    def smtp_data(self, argument):
        if not self.recipients:
            return self._reply(503, '5.5.2 Need rcpt command')
        self._reply(354, 'Start mail input; end with <CRLF>.<CRLF>')
        data, too_big = self._read_message()
        if data is None:
            return False
        if too_big:
            self._reset_transaction()
            return self._reply(552, '5.3.4 Message size exceeds fixed maximum message size')
        reply = self.door.deliver(self.facts, self.mail_from, self.recipients, data)
        self._reset_transaction()
        return self._reply(reply.code, reply.text)

    def _read_message(self):
        """``(data, too_big)`` of the message up to the lone dot; ``(None, False)`` when the client hung up."""
        chunks = []
        size = 0
        too_big = False
        while True:
            line = self.rfile.readline(MAX_COMMAND_LINE * 8)
            if not line:
                return None, False
            if line in (b'.\r\n', b'.\n'):
                return b''.join(chunks), too_big
            if line.startswith(b'.'):
                line = line[1:]
            size += len(line)
            if size > MAX_MESSAGE_SIZE:
                too_big = True
                chunks = []
            elif not too_big:
                chunks.append(line)

    def smtp_rset(self, argument):
        self._reset_transaction()
        return self._reply(250, '2.0.0 Resetting')

    def smtp_noop(self, argument):
        return self._reply(250, '2.0.0 OK')

    def smtp_vrfy(self, argument):
        return self._reply(252, '2.1.5 Cannot VRFY user, but will accept message for delivery')

    def smtp_quit(self, argument):
        self._reply(221, '2.0.0 Service closing transmission channel')
        return False


def _path(argument, keyword):
    """``(address, parameters)`` of ``FROM:<a@b> SIZE=1`` / ``TO:<a@b>``; address None when malformed."""
    head, sep, rest = argument.partition(':')
    if not sep or head.strip().upper() != keyword:
        return None, ''
    match = _PATH.match(rest)
    if match:
        return match.group(1).strip(), match.group(2)
    bare = rest.split()
    return (bare[0], ' '.join(bare[1:])) if bare else (None, '')


def _certificate_names(certificate):
    """``{"subject_cn", "sans"}`` of a verified peer certificate (``getpeercert()``), or None."""
    if not certificate:
        return None
    common_name = None
    for attributes in certificate.get('subject', ()):
        for name, value in attributes:
            if name == 'commonName':
                common_name = value
    sans = [value for kind, value in certificate.get('subjectAltName', ()) if kind == 'DNS']
    return {'subject_cn': common_name, 'sans': sans}


def _xclient_address(value):
    candidate = value[5:] if value.upper().startswith('IPV6:') else value
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def make_starttls_context(cert_file, key_file, ca_file):
    """The door's TLS context: its server certificate, client certificates asked for (not required) and checked
    against the emulator's CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    context.load_verify_locations(ca_file)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


class SmtpDoor(socketserver.ThreadingTCPServer):
    """The SMTP listener; each connection is served by its own thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, front_door, hostname, ssl_context=None):
        self.front_door = front_door
        self.hostname = hostname
        #: The server-side TLS context for STARTTLS (None: STARTTLS not offered).
        self.ssl_context = ssl_context
        self.address_family = socket.AF_INET6 if ':' in host else socket.AF_INET
        super().__init__((host, port), _SmtpSession)

    @property
    def port(self):
        return self.server_address[1]
