# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SMTP probes and the hardening phases of the attack matrix (issue 6), for the front-door tests."""

import smtplib
import ssl
import uuid

from emulator_lab import CONTOSO

GATEWAY_IP = '192.0.2.10'
ATTACKER_IP = '198.51.100.66'
CONNECTOR = 'From Secure Email Gateway'
RULE = 'BLOCK - Direct EOP Ingress (Bypass SEG)'
REJECT_TEXT = 'Direct delivery to Exchange Online bypassing the gateway is not allowed'
RULE_CODE = '5.7.1'
DS_TEXT = '5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources'
PARTNER_PREFIX = ("5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain. "
                  'The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set [')


class Outcome:
    """What a probe saw: ``stage`` (rcpt or data), ``code``, ``text``, and the test message's ``message_id``."""

    def __init__(self, stage, code, text, message_id):
        self.stage = stage
        self.code = code
        self.text = text.decode('utf-8') if isinstance(text, bytes) else text
        self.message_id = message_id

    @property
    def accepted(self):
        return self.stage == 'data' and self.code == 250

    def __repr__(self):
        return '<%s %d %s>' % (self.stage, self.code, self.text)


def probe(lab, mail_from, rcpt_to, client_ip=None, tls=False, client_cert=None, subject='exoguard probe', helo='probe.example.net'):
    """One message through the door: XCLIENT (when ``client_ip``), EHLO, STARTTLS (``tls``; ``client_cert`` = (cert
    file, key file)), MAIL, RCPT, DATA when RCPT was accepted."""
    message_id = '<%s@probe.example.net>' % uuid.uuid4().hex
    client = smtplib.SMTP(lab.info['smtp_host'], lab.info['smtp_port'], timeout=10)
    try:
        client.ehlo(helo)
        if client_ip:
            code, text = client.docmd('XCLIENT', 'ADDR=%s' % client_ip)
            assert code == 220, text
            client.ehlo(helo)
        if tls:
            context = ssl.create_default_context(cafile=lab.info['ca_file'])
            if client_cert:
                context.load_cert_chain(*client_cert)
            code, text = client.starttls(context=context)
            assert code == 220, text
            client.ehlo(helo)
        code, text = client.mail(mail_from)
        assert code == 250, text
        code, text = client.rcpt(rcpt_to)
        if code != 250:
            return Outcome('rcpt', code, text, message_id)
        body = ('From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\n\r\nexoguard.mailflow test message, safe to delete.\r\n'
                % (mail_from, rcpt_to, subject, message_id))
        code, text = client.data(body.encode('utf-8'))
        return Outcome('data', code, text, message_id)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass


def connector(restricted=False, **extra):
    record = {'Name': CONNECTOR, 'ConnectorType': 'Partner', 'SenderDomains': ['*'], 'SenderIPAddresses': [GATEWAY_IP],
              'RequireTls': True, 'RestrictDomainsToIPAddresses': restricted}
    record.update(extra)
    return record


def rule(mode):
    return {'Name': RULE, 'Priority': 0, 'Mode': mode, 'FromScope': 'NotInOrganization', 'ExceptIfSenderIpRanges': [GATEWAY_IP],
            'ExceptIfHeaderContainsMessageHeader': 'X-MS-Exchange-Organization-AuthAs', 'ExceptIfHeaderContainsWords': ['Internal'],
            'RejectMessageReasonText': REJECT_TEXT, 'RejectMessageEnhancedStatusCode': RULE_CODE, 'SetAuditSeverity': 'High'}


# The tenant state of each row of the matrix.
PHASES = {
    'before': {'organization_config': {}, 'inbound_connectors': [connector()], 'transport_rules': []},
    'phase1': {'organization_config': {}, 'inbound_connectors': [connector()], 'transport_rules': [rule('Audit')]},
    'phase2': {'organization_config': {}, 'inbound_connectors': [connector(restricted=True)], 'transport_rules': [rule('Audit')]},
    'phase3': {'organization_config': {'RejectDirectSend': True}, 'inbound_connectors': [connector(restricted=True)],
               'transport_rules': [rule('Audit')]},
    'phase4': {'organization_config': {'RejectDirectSend': True}, 'inbound_connectors': [connector(restricted=True)],
               'transport_rules': [rule('Enforce')]},
    'lifted': {'organization_config': {'RejectDirectSend': True}, 'inbound_connectors': [connector()], 'transport_rules': [rule('Enforce')]},
    'rollback': {'organization_config': {}, 'inbound_connectors': [connector()], 'transport_rules': []},
}


def set_state(lab, document, tenant=CONTOSO):
    response = lab.admin('PUT', 'tenants/%s/state' % tenant, document)
    assert response.status_code == 200, response.text
    return response.json()


def p1(lab):
    """Direct Send spoof: a non-gateway IP, own domain to own domain."""
    return probe(lab, 'ceo@contoso.com', 'finance@contoso.com', client_ip=ATTACKER_IP, subject='P1 direct send spoof')


def p2(lab):
    """Foreign spoof: a non-gateway IP, a foreign domain to own domain."""
    return probe(lab, 'billing@fabrikam-invoices.example', 'finance@contoso.com', client_ip=ATTACKER_IP, subject='P2 foreign spoof')


def p3(lab):
    """Legitimate mail through the gateway: the gateway IP, TLS, a foreign domain to own domain."""
    return probe(lab, 'partner@northwind.example', 'finance@contoso.com', client_ip=GATEWAY_IP, tls=True, subject='P3 via gateway')


def messages(lab, tenant=CONTOSO):
    return lab.admin('GET', 'tenants/%s/messages' % tenant).json()
