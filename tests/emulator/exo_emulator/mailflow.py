# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What Exchange Online Protection decides at the front door, separate from how SMTP is spoken (``smtp``).

For each RCPT TO (shared/exo/smtp-behaviour.md):

1. tenant attribution by the recipient's domain among all tenants' accepted domains
   -> ``550 5.7.64 TenantAttribution; Relay Access Denied`` when none accepts it;
2. Direct Send: the tenant has ``RejectDirectSend: true``, the envelope sender (MAIL FROM) is in one of its
   accepted domains, and no inbound connector keyed on sender IP or certificate matches the connection
   -> ``550 5.7.68 TenantInboundAttribution; ...``;
3. (next: restricted partner connectors, 5.7.51, and RequireTls, 454 4.7.0 -- see :meth:`FrontDoor.inbound_connector_for`)

Accepted mail is recorded per tenant in ``tenant.messages`` (the future message trace), refusals in
``tenant.rejections`` (not in message trace, as on the real service).
"""

import email.parser
import email.policy
import uuid

from exo_emulator import clock


class Reply:
    """An SMTP reply: ``code`` and ``text`` (one line)."""

    def __init__(self, code, text):
        self.code = code
        self.text = text

    @property
    def accepted(self):
        return 200 <= self.code < 400

    def __str__(self):
        return '%d %s' % (self.code, self.text)


RELAY_DENIED = Reply(550, '5.7.64 TenantAttribution; Relay Access Denied')
DIRECT_SEND_REJECTED = Reply(550, '5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources')
RECIPIENT_OK = Reply(250, '2.1.5 Recipient OK')


def domain_of(address):
    """The domain of an envelope address (lower-case), or '' for the null sender."""
    return address.rpartition('@')[2].strip().strip('[]').lower() if '@' in address else ''


class SessionFacts:
    """What the front door knows of the sending side: ``client_ip`` (peer, or XCLIENT ADDR), ``helo``, ``tls``,
    ``peer_certificate`` (the client certificate of STARTTLS, when there is one)."""

    def __init__(self, client_ip):
        self.client_ip = client_ip
        self.helo = None
        self.tls = False
        self.peer_certificate = None


class FrontDoor:
    """The policy of the SMTP door over a directory of tenants."""

    def __init__(self, directory, hostname):
        self.directory = directory
        self.hostname = hostname

    def inbound_connector_for(self, tenant, session):
        """The tenant's inbound connector that this connection matches by sender IP or TLS certificate, or None.

        Extension point for the inbound-connector issue: match ``session.client_ip`` against
        ``SenderIPAddresses`` and ``session.peer_certificate`` against ``TlsSenderCertificateName`` of the
        tenant's Partner connectors. Until then no connection matches a connector.
        """
        return None

    def check_recipient(self, session, mail_from, recipient):
        """``(reply, tenant)`` for one RCPT TO; ``tenant`` is None when the recipient was refused."""
        tenant = self.directory.tenant_for_domain(domain_of(recipient))
        if tenant is None:
            return RELAY_DENIED, None
        reply = self._direct_send(tenant, session, mail_from)
        if reply is not None:
            self._record_rejection(tenant, session, mail_from, recipient, reply)
            return reply, None
        return RECIPIENT_OK, tenant

    def _direct_send(self, tenant, session, mail_from):
        with tenant.lock:
            blocked = tenant.data['organization_config'].get('RejectDirectSend') is True
        sender_domain = domain_of(mail_from)
        if blocked and sender_domain and tenant.accepts_domain(sender_domain) and self.inbound_connector_for(tenant, session) is None:
            return DIRECT_SEND_REJECTED
        return None

    @staticmethod
    def _record_rejection(tenant, session, mail_from, recipient, reply):
        with tenant.lock:
            tenant.rejections.append({'time': clock.exchange_utc_time(), 'client_ip': session.client_ip, 'helo': session.helo,
                                      'mail_from': mail_from, 'rcpt_to': recipient, 'reply': str(reply)})

    def deliver(self, session, mail_from, recipients, data):
        """Accept a message for ``recipients`` (``(address, tenant)`` pairs); returns the reply to DATA."""
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
        message_id = str(headers.get('Message-ID') or '<%s@%s>' % (uuid.uuid4().hex, self.hostname)).strip()
        subject = str(headers.get('Subject') or '')
        by_tenant = {}
        for address, tenant in recipients:
            by_tenant.setdefault(tenant.tenant_id, (tenant, []))[1].append(address)
        for tenant, addresses in by_tenant.values():
            with tenant.lock:
                tenant.messages.append({
                    'time': clock.exchange_utc_time(), 'message_trace_id': str(uuid.uuid4()), 'message_id': message_id,
                    'client_ip': session.client_ip, 'helo': session.helo, 'tls': session.tls, 'mail_from': mail_from,
                    'rcpt_to': addresses, 'subject': subject, 'size': len(data), 'status': 'Delivered'})
        return Reply(250, '2.6.0 %s [InternalId=%d] Queued mail for delivery' % (message_id, uuid.uuid4().int % 10 ** 13))
