# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What Exchange Online Protection decides at the front door, separate from how SMTP is spoken (``smtp``).

For each RCPT TO (shared/exo/smtp-behaviour.md), in this order:

1. tenant attribution by the recipient's domain among all tenants' accepted domains
   -> ``550 5.7.64 TenantAttribution; Relay Access Denied`` when none accepts it;
2. connector attribution: the first enabled inbound connector of the tenant (creation order) whose
   ``SenderIPAddresses`` hold the client IP or whose ``TlsSenderCertificateName`` names the STARTTLS client
   certificate (subject CN or a DNS SAN; ``*.contoso.com`` covers contoso.com and every subdomain, a plain name
   only itself);
3. Direct Send: ``RejectDirectSend: true``, the MAIL FROM domain is an accepted domain (a subdomain only when that
   accepted domain has MatchSubDomains), and no connector matched in 2 -> ``550 5.7.68``;
4. restricted partner connector: no connector matched in 2, and an enabled Partner connector with
   ``RestrictDomainsToIPAddresses`` or ``RestrictDomainsToCertificate`` has SenderDomains covering the MAIL FROM
   domain (``*`` all, ``*.x`` x and its subdomains, ``x`` itself) -> ``550 5.7.51 ... [<host> <ISO time> <hex id>]``;
5. the connector matched in 2 has ``RequireTls: true`` and the session is not under TLS -> ``454 4.7.0``.

Accepted mail: the door adds ``X-MS-Exchange-Organization-AuthAs`` (``Internal`` when attributed to an OnPremises
connector that has TreatMessagesAsInternal or the sender domain is accepted; ``Partner`` for a Partner connector
matched by certificate; ``Anonymous`` otherwise) and the Enhanced Filtering headers, runs the transport rules
(``rule_engine``) and records message trace rows, detail events and EmailEvents rows (``mail_records``). Refusals
in 3-5 are recorded as rejections and EmailEvents rows only, never in message trace.
"""

import email.errors
import email.header
import email.parser
import email.policy
import email.utils
import json
import re
import uuid

from exo_emulator import clock, ip_ranges, mail_records, rule_engine


class Reply:
    """An SMTP reply: ``code`` and ``text`` (one line)."""

    def __init__(self, code, text):
        self.code = code
        self.text = text

    @property
    def accepted(self):
        return 200 <= self.code < 400

    @property
    def enhanced_code(self):
        return self.text.split(' ', 1)[0]

    def __str__(self):
        return '%d %s' % (self.code, self.text)


RELAY_DENIED = Reply(550, '5.7.64 TenantAttribution; Relay Access Denied')
DIRECT_SEND_REJECTED = Reply(550, '5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources')
PARTNER_RESTRICTED_TEXT = ("5.7.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient "
                           "domain. The connector had either the RestrictDomainsToIPAddresses or RestrictDomainsToCertificate set [%s %s %s]")
TLS_REQUIRED = Reply(454, '4.7.0 Failed to establish appropriate TLS channel: Access Denied')
RECIPIENT_OK = Reply(250, '2.1.5 Recipient OK')
_RECEIVED_IP = re.compile(r'\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]')


def domain_of(address):
    """The domain of an envelope address (lower-case), or '' for the null sender."""
    return address.rpartition('@')[2].strip().strip('[]').lower() if '@' in address else ''


class SessionFacts:
    """What the front door knows of the sending side: ``client_ip`` (peer, or XCLIENT ADDR), ``helo``, ``tls``,
    ``tls_version``, ``peer_certificate`` (``{"subject_cn", "sans"}`` of the STARTTLS client certificate, or None)."""

    def __init__(self, client_ip):
        self.client_ip = client_ip
        self.helo = None
        self.tls = False
        self.tls_version = None
        self.peer_certificate = None

    def certificate_names(self):
        if not self.peer_certificate:
            return []
        names = [self.peer_certificate.get('subject_cn')] + list(self.peer_certificate.get('sans') or [])
        return [str(name).lower().rstrip('.') for name in names if name]


def _domain_covered(pattern, domain):
    """SenderDomains / certificate-name matching: ``*`` all, ``*.x`` x and its subdomains, ``x`` itself."""
    pattern = str(pattern).lower().rstrip('.')
    if pattern.startswith('smtp:'):
        pattern = pattern[5:].split(';', 1)[0]
    if pattern == '*':
        return True
    if pattern.startswith('*.'):
        base = pattern[2:]
        return domain == base or domain.endswith('.' + base)
    return domain == pattern


def connector_matches_ip(connector, client_ip):
    for text in connector.get('SenderIPAddresses') or []:
        try:
            if ip_ranges.parse(text).contains(client_ip):
                return True
        except ValueError:
            continue
    return False


def connector_matches_certificate(connector, session):
    wanted = connector.get('TlsSenderCertificateName')
    if not wanted or not session.tls:
        return False
    return any(_domain_covered(wanted, name) for name in session.certificate_names())


class Attribution:
    """The connector a connection matched (``connector`` record or None) and how (``by``: ip, certificate)."""

    def __init__(self, connector=None, by=None):
        self.connector = connector
        self.by = by

    @property
    def name(self):
        return self.connector['Name'] if self.connector else None

    @property
    def connector_type(self):
        return self.connector.get('ConnectorType') if self.connector else None


class FrontDoor:
    """The policy of the SMTP door over a directory of tenants."""

    def __init__(self, directory, hostname):
        self.directory = directory
        self.hostname = hostname

    @staticmethod
    def inbound_connector_for(tenant, session):
        """The :class:`Attribution` of this connection among the tenant's enabled inbound connectors."""
        with tenant.lock:
            connectors = [dict(connector) for connector in tenant.data['inbound_connectors'] if connector.get('Enabled') is not False]
        for connector in connectors:
            if connector_matches_ip(connector, session.client_ip):
                return Attribution(connector, 'ip')
            if connector_matches_certificate(connector, session):
                return Attribution(connector, 'certificate')
        return Attribution()

    def check_recipient(self, session, mail_from, recipient):
        """``(reply, tenant)`` for one RCPT TO; ``tenant`` is None when the recipient was refused."""
        tenant = self.directory.tenant_for_domain(domain_of(recipient))
        if tenant is None:
            return RELAY_DENIED, None
        attribution = self.inbound_connector_for(tenant, session)
        reply = self._policy(tenant, session, mail_from, attribution)
        if reply is not None:
            self._record_rejection(tenant, session, mail_from, recipient, reply, attribution)
            return reply, None
        return RECIPIENT_OK, tenant

    def _policy(self, tenant, session, mail_from, attribution):
        sender_domain = domain_of(mail_from)
        with tenant.lock:
            blocked = tenant.data['organization_config'].get('RejectDirectSend') is True
            connectors = [dict(connector) for connector in tenant.data['inbound_connectors'] if connector.get('Enabled') is not False]
        if attribution.connector is None:
            if blocked and sender_domain and tenant.accepts_domain(sender_domain):
                return DIRECT_SEND_REJECTED
            for connector in connectors:
                restricted = connector.get('RestrictDomainsToIPAddresses') is True or connector.get('RestrictDomainsToCertificate') is True
                if (connector.get('ConnectorType') == 'Partner' and restricted
                        and any(_domain_covered(pattern, sender_domain) for pattern in connector.get('SenderDomains') or [])):
                    return self._partner_restricted()
        elif attribution.connector.get('RequireTls') is True and not session.tls:
            return TLS_REQUIRED
        return None

    def _partner_restricted(self):
        moment = clock.utc_now()
        return Reply(550, PARTNER_RESTRICTED_TEXT % (self.hostname, moment.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z',
                                                     '%016X' % (uuid.uuid4().int >> 64)))

    @staticmethod
    def _record_rejection(tenant, session, mail_from, recipient, reply, attribution):
        moment = mail_records.now()
        with tenant.lock:
            tenant.mail.rejections.append({
                'time': moment, 'client_ip': session.client_ip, 'helo': session.helo, 'tls': session.tls, 'mail_from': mail_from,
                'rcpt_to': recipient, 'reply': str(reply), 'code': reply.code, 'enhanced_code': reply.enhanced_code, 'stage': 'RCPT TO',
                'connector': attribution.name})
            tenant.mail.email_events.append(_email_event(
                moment, str(uuid.uuid4()), '', mail_from, '', session.client_ip, recipient, '', 'Blocked', 'Dropped', attribution.name,
                {'SmtpResponse': str(reply), 'EnhancedStatusCode': reply.enhanced_code, 'Stage': 'RcptTo'}, 'Inbound'))

    def deliver(self, session, mail_from, recipients, data):
        """Accept a message for ``recipients`` (``(address, tenant)`` pairs); returns the reply to DATA (always 250:
        what transport rules do afterwards is an NDR, not an SMTP refusal)."""
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
        message_id = str(headers.get('Message-ID') or '<%s@%s>' % (uuid.uuid4().hex, self.hostname)).strip()
        by_tenant = {}
        for address, tenant in recipients:
            by_tenant.setdefault(tenant.tenant_id, (tenant, []))[1].append(address)
        for tenant, addresses in by_tenant.values():
            self._accept(tenant, session, mail_from, addresses, headers, message_id, len(data))
        return Reply(250, '2.6.0 %s [InternalId=%d] Queued mail for delivery' % (message_id, uuid.uuid4().int % 10 ** 13))

    def _accept(self, tenant, session, mail_from, addresses, headers, message_id, size):
        attribution = self.inbound_connector_for(tenant, session)
        sender_domain = domain_of(mail_from)
        sender_is_accepted = bool(sender_domain) and tenant.accepts_domain(sender_domain)
        auth_as = _auth_as(attribution, sender_is_accepted)
        added = [('X-MS-Exchange-Organization-AuthAs', auth_as)] + _enhanced_filtering_headers(attribution, session, headers, addresses)
        subject = _header_text(headers.get('Subject'))
        header_from = email.utils.parseaddr(_header_text(headers.get('From')))[1] or mail_from
        view = rule_engine.MessageView(mail_from, sender_domain, sender_is_accepted, session.client_ip, subject,
                                       added + [(key, _header_text(value)) for key, value in headers.items()])
        with tenant.lock:
            rules = [dict(rule) for rule in tenant.data['transport_rules']]
        hits, (fate, deciding) = rule_engine.run(rules, view)
        status = fate or 'Delivered'
        moment = mail_records.now()
        trace_id = str(uuid.uuid4())
        message = {
            'received': moment, 'message_trace_id': trace_id, 'network_message_id': trace_id, 'message_id': message_id,
            'client_ip': session.client_ip, 'helo': session.helo, 'tls': session.tls, 'tls_version': session.tls_version,
            'client_certificate': session.peer_certificate, 'mail_from': mail_from, 'header_from': header_from, 'subject': subject,
            'size': size, 'connector': attribution.name, 'connector_type': attribution.connector_type, 'attributed_by': attribution.by,
            'auth_as': auth_as, 'added_headers': [list(pair) for pair in added], 'rcpt_to': list(addresses), 'status': status,
            'recipients': [{'address': address, 'status': status} for address in addresses],
            'rules': [_rule_summary(hit) for hit in hits], 'events': [],
        }
        message['events'] = _events(self.hostname, message, attribution, hits, deciding, moment)
        direction = 'Intra-org' if auth_as == 'Internal' else 'Inbound'
        action, location = {'Delivered': ('Delivered', 'Inbox/folder'), 'Quarantined': ('Blocked', 'Quarantine'),
                            'Failed': ('Blocked', 'Dropped')}[status]
        additional = {}
        if deciding is not None:
            additional = {'TransportRule': deciding.rule.get('Name'), 'TransportRuleMode': deciding.mode}
            if deciding.outcome == 'Reject':
                additional.update({'EnhancedStatusCode': deciding.code, 'SmtpResponse': '550 %s %s' % (deciding.code, deciding.text)})
        with tenant.lock:
            tenant.mail.messages.append(message)
            for address in addresses:
                tenant.mail.email_events.append(_email_event(
                    moment, trace_id, header_from, mail_from, message_id, session.client_ip, address, subject, action, location,
                    attribution.name, additional, direction))


def _header_text(value):
    if value is None:
        return ''
    try:
        return str(email.header.make_header(email.header.decode_header(str(value))))
    except (ValueError, LookupError, email.errors.HeaderParseError):
        return str(value)


def _auth_as(attribution, sender_is_accepted):
    connector = attribution.connector
    if connector is not None and connector.get('ConnectorType') == 'OnPremises' and (connector.get('TreatMessagesAsInternal') or sender_is_accepted):
        return 'Internal'
    if connector is not None and attribution.by == 'certificate' and connector.get('ConnectorType') == 'Partner':
        return 'Partner'
    return 'Anonymous'


def _enhanced_filtering_headers(attribution, session, headers, recipients):
    """Enhanced Filtering for Connectors: when skip listing runs on the matched connector (EFSkipLastIP, or the client
    IP in EFSkipIPs), ``X-MS-Exchange-SkipListedInternetSender`` names the skipped hop, and when every recipient is in
    scope (EFUsers empty, or all listed) ``X-MS-Exchange-ExternalOriginalInternetSender`` names the first IP in the
    message's Received headers that is neither skipped nor RFC 1918."""
    connector = attribution.connector
    if connector is None:
        return []
    skip_ips = []
    for text in connector.get('EFSkipIPs') or []:
        try:
            skip_ips.append(ip_ranges.parse(text))
        except ValueError:
            continue
    skipped = connector.get('EFSkipLastIP') is True or any(entry.contains(session.client_ip) for entry in skip_ips)
    if not skipped:
        return []
    added = [('X-MS-Exchange-SkipListedInternetSender', 'ip=[%s];domain=%s' % (session.client_ip, session.helo or ''))]
    users = [str(user).lower() for user in connector.get('EFUsers') or []]
    if users and not all(address.lower() in users for address in recipients):
        return added
    for received in headers.get_all('Received') or []:
        for found in _RECEIVED_IP.findall(str(received)):
            try:
                entry = ip_ranges.parse(found)
            except ValueError:
                continue
            skipped_hop = any(skip.contains(entry.first) for skip in skip_ips if skip.version == entry.version)
            if ip_ranges.is_private(entry) or entry.contains(session.client_ip) or skipped_hop:
                continue
            host = re.search(r'from\s+(\S+)', str(received), re.IGNORECASE)
            added.append(('X-MS-Exchange-ExternalOriginalInternetSender', 'ip=[%s];domain=%s' % (found, host.group(1) if host else '')))
            return added
    return added


def _rule_summary(hit):
    return {'name': hit.rule.get('Name'), 'guid': hit.rule.get('Guid'), 'mode': hit.mode, 'actions': hit.actions,
            'outcome': hit.outcome, 'code': hit.code, 'text': hit.text}


def _data(**pairs):
    return '<root>%s</root>' % ''.join('<MEP Name="%s" String="%s" />' % (name, _xml_escape(value)) for name, value in pairs.items())


def _xml_escape(value):
    return ('' if value is None else str(value)).replace('&', '&amp;').replace('"', '&quot;').replace('<', '&lt;').replace('>', '&gt;')


def _events(hostname, message, attribution, hits, deciding, moment):
    """The Get-MessageTraceDetailV2 events of a message (the same for each of its recipients)."""
    events = [{'date': moment, 'event': 'RECEIVE', 'action': '',
               'detail': 'Message received by: %s%s' % (hostname, ' using TLS' if message['tls'] else ''),
               'data': _data(InboundConnector=attribution.name or '', ConnectorType=attribution.connector_type or 'NoConnector',
                             ClientIP=message['client_ip'], ClientName=message['helo'], AuthAs=message['auth_as'],
                             TlsVersion=message['tls_version'] or '')}]
    for hit in hits:
        action = hit.outcome or ('Audit' if hit.mode != 'Enforce' else ','.join(hit.actions))
        detail = "Transport rule: '%s', ID: (%s), mode: %s, action: %s" % (hit.rule.get('Name'), hit.rule.get('Guid'), hit.mode,
                                                                           ', '.join(hit.actions) or 'None')
        pairs = {'RuleId': hit.rule.get('Guid'), 'RuleName': hit.rule.get('Name'), 'Mode': hit.mode, 'Actions': ','.join(hit.actions)}
        if hit.outcome == 'Reject':
            pairs.update({'StatusCode': hit.code, 'Text': hit.text})
            detail += ", code: %s, text: '%s'" % (hit.code, hit.text)
        events.append({'date': moment, 'event': 'Transport rule', 'action': action, 'detail': detail, 'data': _data(**pairs)})
    if message['status'] == 'Failed':
        reason = '550 %s %s' % (deciding.code, deciding.text) if deciding.outcome == 'Reject' else 'Deleted by a transport rule'
        events.append({'date': moment, 'event': 'FAIL', 'action': '', 'detail': 'Reason: [{LED=%s};{MSG=};{FQDN=};{IP=};{LRT=}]' % reason,
                       'data': _data(Reason=reason, TransportRule=deciding.rule.get('Name'))})
    elif message['status'] == 'Quarantined':
        events.append({'date': moment, 'event': 'QUARANTINE', 'action': '',
                       'detail': "The message was quarantined by transport rule '%s'." % deciding.rule.get('Name'),
                       'data': _data(TransportRule=deciding.rule.get('Name'))})
    else:
        events.append({'date': moment, 'event': 'DELIVER', 'action': '', 'detail': 'The message was successfully delivered.',
                       'data': _data(DeliveryLocation='Inbox')})
    return events


def _email_event(moment, network_id, header_from, mail_from, message_id, client_ip, recipient, subject, action, location, connector,
                 additional, direction):
    """One Defender ``EmailEvents`` row."""
    return {
        'Timestamp': moment, 'NetworkMessageId': network_id, 'InternetMessageId': message_id,
        'SenderFromAddress': header_from, 'SenderMailFromAddress': mail_from, 'SenderFromDomain': domain_of(header_from),
        'SenderMailFromDomain': domain_of(mail_from), 'SenderIPv4': client_ip if ':' not in (client_ip or '') else '',
        'SenderIPv6': client_ip if ':' in (client_ip or '') else '', 'RecipientEmailAddress': recipient, 'Subject': subject,
        'EmailDirection': direction, 'DeliveryAction': action, 'DeliveryLocation': location, 'ConnectorId': connector or '',
        'AdditionalFields': json.dumps(additional, sort_keys=True),
    }
