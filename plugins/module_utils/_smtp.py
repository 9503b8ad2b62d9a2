# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An SMTP probe of a tenant's front door: what a sender sees at each step, and whether that is what was expected.

Private to this collection; may change without notice.

The probe speaks as a sending server would: connect, EHLO, optionally XCLIENT (the emulator and lab Postfix only),
optionally STARTTLS with a client certificate, MAIL FROM, RCPT TO and, when asked, DATA with a clearly marked test
message. It stops at the first refusal. It changes nothing in any tenant; only DATA sends mail.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.message
import email.policy
import email.utils
import ipaddress
import re
import smtplib
import socket
import ssl
import uuid

from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import require
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ExoError

STAGES = ('connect', 'ehlo', 'xclient', 'starttls', 'mail', 'rcpt', 'data', 'done')
PROBE_HEADER = 'X-Exoguard-Probe'
SUBJECT_PREFIX = 'exoguard.mailflow probe'
_ENHANCED_CODE = re.compile(r'^\s*([245]\.\d{1,3}\.\d{1,3})\b')
_EXPECTED_CODE = re.compile(r'^\s*(?:(?P<code>[2-5]\d\d)\s*)?(?P<enhanced>[245]\.\d{1,3}\.\d{1,3})?\s*$')


class SmtpUnreachable(ExoError):
    """No SMTP conversation could be had: name not resolved, connection refused or timed out (port 25 blocked)."""
    kind = 'SMTP endpoint unreachable'


class TlsFailed(ExoError):
    """The TLS handshake after STARTTLS failed (certificate not trusted, no common protocol, bad client key)."""
    kind = 'STARTTLS failed'


def endpoint_for_domain(domain):
    """The EOP endpoint of a domain's tenant: ``contoso.com`` -> ``contoso-com.mail.protection.outlook.com``."""
    return '%s.mail.protection.outlook.com' % domain.strip().rstrip('.').lower().replace('.', '-')


class Reply:
    """One reply of the server: the stage it answered, the code, the enhanced status code (``5.7.68``) and text."""

    def __init__(self, stage, code, text):
        self.stage = stage
        self.code = code
        self.text = text
        match = _ENHANCED_CODE.match(text or '')
        self.enhanced_code = match.group(1) if match else None

    @property
    def positive(self):
        return self.code is not None and 200 <= self.code < 400

    def as_dict(self):
        return {'stage': self.stage, 'code': self.code, 'enhanced_code': self.enhanced_code, 'text': self.text}


class Expectation:
    """What the user expects: ``accepted``, ``rejected`` (any 4xx/5xx reply), or a reply code such as ``550 5.7.68``,
    ``5.7.51`` or ``550`` (each part given must match the reply the probe stopped at)."""

    def __init__(self, text):
        self.text = text.strip()
        self.code = self.enhanced = None
        if self.text.lower() in ('accepted', 'rejected'):
            self.kind = self.text.lower()
            return
        match = _EXPECTED_CODE.match(self.text)
        require(match and (match.group('code') or match.group('enhanced')), 'expect',
                '%r is not accepted, rejected, or a reply code such as "550 5.7.68" or "5.7.51"' % text)
        self.kind = 'code'
        self.code = int(match.group('code')) if match.group('code') else None
        self.enhanced = match.group('enhanced')

    def met_by(self, result):
        if self.kind == 'accepted':
            return result['accepted']
        if self.kind == 'rejected':
            return not result['accepted'] and (result['code'] or 0) >= 400
        return ((self.code is None or self.code == result['code'])
                and (self.enhanced is None or self.enhanced == result['enhanced_code']))


def probe_message(probe_id, mail_from, rcpt_to, helo):
    """The test message DATA sends: marked in its subject, a header and its body, so nobody mistakes it."""
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message['From'] = mail_from or 'postmaster@%s' % helo
    message['To'] = rcpt_to
    message['Subject'] = '%s %s' % (SUBJECT_PREFIX, probe_id)
    message['Date'] = email.utils.formatdate(usegmt=True)
    message['Message-ID'] = '<%s@exoguard-probe.invalid>' % probe_id
    message[PROBE_HEADER] = probe_id
    message.set_content('This is a test message sent by the exoguard.mailflow smtp_probe module (probe %s) to check '
                        'how the mail system treats mail from this path. It can be deleted.\n' % probe_id)
    return message.as_bytes()


class Probe:
    """One SMTP conversation with the options of the ``smtp_probe`` module (a dict, already type-checked)."""

    def __init__(self, options, smtp_factory=smtplib.SMTP):
        self.options = options
        self.host = options.get('host') or endpoint_for_domain(options.get('domain') or '')
        self.port = options.get('port') or 25
        self.helo = options.get('helo') or socket.getfqdn()
        self.timeout = options.get('timeout') or 30
        self.probe_id = options.get('probe_id') or uuid.uuid4().hex[:16]
        self._smtp_factory = smtp_factory
        self.replies = []
        #: The stage the conversation is in; where it stopped when the connection is lost.
        self.stage = 'connect'
        self.tls = False
        self.data_sent = False

    def validate(self):
        options = self.options
        require(options.get('host') or options.get('domain'), 'host', 'give host, or domain to probe '
                '<domain-with-dashes>.mail.protection.outlook.com')
        require(0 < self.port < 65536, 'port', '%r is not a TCP port' % self.port)
        if options.get('xclient_addr'):
            try:
                ipaddress.ip_address(options['xclient_addr'])
            except ValueError:
                require(False, 'xclient_addr', '%r is not an IP address' % options['xclient_addr'])
        require(not options.get('client_certificate') or options.get('starttls'), 'client_certificate',
                'a client certificate is presented in STARTTLS: set starttls=true')
        require(not options.get('client_key') or options.get('client_certificate'), 'client_key',
                'give client_certificate too')
        require('@' in (options.get('rcpt_to') or ''), 'rcpt_to', 'give one address, such as postmaster@contoso.com')
        mail_from = options.get('mail_from')
        require(mail_from is not None and (mail_from == '' or '@' in mail_from), 'mail_from',
                'give an address, or "" for the null sender')
        if options.get('expect'):
            Expectation(options['expect'])

    def run(self, send_data=True):
        """Talk to the server and return the result dict (``stage``, ``code``, ``enhanced_code``, ``text``,
        ``accepted``, ``replies``, ...). Raises :class:`SmtpUnreachable` or :class:`TlsFailed`."""
        self.validate()
        smtp = self._smtp_factory(local_hostname=self.helo, timeout=self.timeout)
        try:
            try:
                self._conversation(smtp, send_data)
            except smtplib.SMTPServerDisconnected:
                self.replies.append(Reply(self.stage, None, 'the server closed the connection'))
            except (socket.timeout, OSError) as error:
                if not self.replies:
                    raise SmtpUnreachable('%s:%s: %s (is outbound port %s allowed from this host?)'
                                          % (self.host, self.port, _reason(error), self.port),
                                          tenant=self.host, cmdlet='SMTP connect')
                self.replies.append(Reply(self.stage, None, 'connection lost: %s' % _reason(error)))
        finally:
            _close(smtp)
        return self.result()

    def _step(self, stage, command, *arguments):
        """Run one SMTP command and keep its reply; True when the server said yes."""
        self.stage = stage
        code, text = command(*arguments)
        return self._answer(stage, code, text)

    def _answer(self, stage, code, text):
        reply = Reply(stage, code, text.decode('utf-8', 'replace') if isinstance(text, bytes) else text)
        self.replies.append(reply)
        return reply.positive

    def _ehlo(self, smtp):
        # After XCLIENT or STARTTLS the session starts over: smtplib must forget the extensions it saw.
        smtp.helo_resp = smtp.ehlo_resp = None
        smtp.esmtp_features = {}
        smtp.does_esmtp = False
        return self._step('ehlo', smtp.ehlo, self.helo)

    def _conversation(self, smtp, send_data):
        options = self.options
        self.stage = 'connect'
        if not self._step('connect', smtp.connect, self.host, self.port) or not self._ehlo(smtp):
            return
        if options.get('xclient_addr'):
            if not smtp.has_extn('xclient'):
                self._answer('xclient', None, 'the server does not offer XCLIENT (only the collection\'s emulator and '
                                              'lab Postfix servers do; never Exchange Online)')
                return
            if not self._step('xclient', smtp.docmd, 'XCLIENT', 'ADDR=%s' % options['xclient_addr']):
                return
            if not self._ehlo(smtp):
                return
        if options.get('starttls'):
            if not self._starttls(smtp) or not self._ehlo(smtp):
                return
        if not self._step('mail', smtp.mail, options.get('mail_from') or ''):
            return
        if not self._step('rcpt', smtp.rcpt, options['rcpt_to']):
            return
        if options.get('data') and send_data:
            self.stage = 'data'
            message = probe_message(self.probe_id, options.get('mail_from'), options['rcpt_to'], self.helo)
            try:
                code, text = smtp.data(message)
            except smtplib.SMTPDataError as error:
                code, text = error.smtp_code, error.smtp_error
            if not self._answer('data', code, text):
                return
            self.data_sent = True
        else:
            smtp.rset()
        self.replies.append(Reply('done', self.replies[-1].code, self.replies[-1].text))

    def _starttls(self, smtp):
        self.stage = 'starttls'
        if not smtp.has_extn('starttls'):
            return self._answer('starttls', None, 'the server does not offer STARTTLS')
        context = tls_context(self.options)
        # smtplib names the server for the certificate check only when the host was given to its constructor.
        smtp._host = self.host
        try:
            code, text = smtp.starttls(context=context)
        except smtplib.SMTPResponseException as error:
            return self._answer('starttls', error.smtp_code, error.smtp_error)
        except (ssl.SSLError, ssl.CertificateError) as error:
            raise TlsFailed('%s:%s: %s%s' % (self.host, self.port, getattr(error, 'verify_message', None) or error,
                                             ' (set ca_path to the CA that issued the server certificate)'
                                             if isinstance(error, ssl.SSLCertVerificationError) else ''),
                            tenant=self.host, cmdlet='SMTP STARTTLS')
        self.tls = True
        return self._answer('starttls', code, text)

    def result(self):
        last = self.replies[-1]
        accepted = last.stage == 'done'
        if accepted:
            reported = self.replies[-2]
        else:
            reported = last
        return {
            'changed': False,
            'host': self.host,
            'port': self.port,
            'probe_id': self.probe_id,
            'stage': last.stage,
            'code': reported.code,
            'enhanced_code': reported.enhanced_code,
            'text': reported.text,
            'accepted': accepted,
            'tls': self.tls,
            'data_sent': self.data_sent,
            'reachable': True,
            'replies': [reply.as_dict() for reply in self.replies if reply.stage != 'done'],
        }


def tls_context(options):
    """The client-side TLS context for STARTTLS: the server certificate checked against ``ca_path`` (or the system's
    CAs) unless ``validate_certs`` is false, and the client certificate presented when given."""
    try:
        if options.get('validate_certs', True) is False:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context = ssl.create_default_context(cafile=options.get('ca_path'))
    except (IOError, OSError, ssl.SSLError) as error:
        require(False, 'ca_path', '%s cannot be used as a CA bundle: %s' % (options.get('ca_path'), error))
    if options.get('client_certificate'):
        try:
            context.load_cert_chain(options['client_certificate'], options.get('client_key') or None)
        except (IOError, OSError, ssl.SSLError) as error:
            require(False, 'client_certificate', 'cannot load the certificate and its key (%s): give a PEM '
                    'certificate, and its unencrypted PEM key in client_key unless the same file holds it'
                    % _reason(error))
    return context


def _reason(error):
    return getattr(error, 'strerror', None) or str(error) or type(error).__name__


def _close(smtp):
    try:
        if getattr(smtp, 'sock', None) is not None:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        try:
            smtp.close()
        except OSError:
            pass


def run_probe(options, check_mode=False, smtp_factory=smtplib.SMTP):
    """The ``smtp_probe`` task: ``(result, warnings)``. In check mode DATA is not sent (nothing is delivered); the
    probe stops after RCPT TO. An ``expect`` the outcome does not meet fails the result."""
    from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import error_result

    probe = Probe(options, smtp_factory=smtp_factory)
    warnings = []
    try:
        result = probe.run(send_data=not check_mode)
        expectation = Expectation(options['expect']) if options.get('expect') else None
    except ExoError as error:
        failed = error_result(error)
        failed.update({'changed': False, 'probe_id': probe.probe_id, 'host': probe.host, 'port': probe.port,
                       'accepted': False})
        if isinstance(error, (SmtpUnreachable, TlsFailed)):
            failed.update({'stage': probe.stage, 'reachable': isinstance(error, TlsFailed), 'tls': False,
                           'replies': [reply.as_dict() for reply in probe.replies]})
        return failed, warnings
    if check_mode and options.get('data'):
        warnings.append('check mode: DATA was not sent, the probe stopped after RCPT TO')
    if expectation is not None and not expectation.met_by(result):
        result['failed'] = True
        result['msg'] = 'expected %s, got %s at %s: %s' % (
            expectation.text, ' '.join(str(part) for part in (result['code'], result['enhanced_code']) if part)
            or 'no reply', result['stage'], result['text'])
    return result, warnings
