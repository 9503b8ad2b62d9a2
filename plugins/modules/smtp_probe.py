#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: smtp_probe
short_description: Probe a tenant's Exchange Online Protection front door over SMTP and check the outcome
version_added: 0.1.0
description:
  - Talks to a tenant's inbound endpoint as a sending mail server would, C(EHLO), optionally C(STARTTLS) with a client
    certificate, C(MAIL FROM) and C(RCPT TO), and, with O(data=true), C(DATA) with a clearly marked test message. It
    stops at the first refusal and reports the stage reached with the reply code, enhanced status code and text.
  - With O(expect) the task fails when the outcome differs, so a playbook can assert the guidance's tests, a Direct
    Send spoof from outside gets C(550 5.7.68), a foreign spoof straight to EOP gets C(550 5.7.51), and legitimate mail
    through the gateway is accepted.
  - B(Real use.) The probe runs on the controller and needs outbound TCP port 25 to
    C(<domain-with-dashes>.mail.protection.outlook.com); many cloud providers and ISPs block it. Probes that claim
    your own domain as the sender are spoofs by design; get the approval of whoever owns mail security first, and
    tell the SOC, because they show in Defender as blocked or spoofed attempts. Only O(data=true) delivers anything.
  - Exchange Online always sees the controller's real IP address. O(xclient_addr) exists for the collection's
    emulator and lab Postfix servers only.
  - Not an Exchange API module, it takes none of the connection options and is not in the C(exo) action group.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.attributes
attributes:
  check_mode:
    support: full
    details:
      - The probe changes nothing and runs in check mode too, except that C(DATA) is never sent in check mode (the
        probe stops after C(RCPT TO), so no mail is delivered).
  diff_mode:
    support: none
options:
  host:
    description:
      - The SMTP server to probe, such as C(contoso-com.mail.protection.outlook.com) or an IP address.
      - Give O(host) or O(domain). Tenants whose MX is on C(mx.microsoft) (DNSSEC) need O(host) set to that MX.
    type: str
  domain:
    description:
      - A domain of the tenant; the host probed is C(<domain with dots as dashes>.mail.protection.outlook.com)
        (C(contoso.com) -> C(contoso-com.mail.protection.outlook.com)). Ignored when O(host) is set.
    type: str
  port:
    description: The TCP port.
    type: int
    default: 25
  helo:
    description: The name sent in C(EHLO). Defaults to the controller's fully qualified name.
    type: str
  starttls:
    description:
      - Whether to switch to TLS with C(STARTTLS) before C(MAIL FROM). Partner connectors with C(RequireTls)
        refuse mail without it (C(454 4.7.0)).
    type: bool
    default: false
  client_certificate:
    description:
      - A PEM certificate to present in C(STARTTLS), such as the gateway's, so that Exchange can attribute the message to
        a connector keyed on O(client_certificate)'s name (C(TlsSenderCertificateName)). Needs O(starttls=true).
      - The file may hold the private key too; otherwise give O(client_key).
    type: path
  client_key:
    description: The unencrypted PEM private key of O(client_certificate), when it is not in the same file.
    type: path
  ca_path:
    description: A PEM bundle of the certificate authorities to trust for the server's certificate in C(STARTTLS).
    type: path
  validate_certs:
    description: Whether the server's certificate is verified in C(STARTTLS) (name and chain).
    type: bool
    default: true
  mail_from:
    description:
      - The envelope sender (C(MAIL FROM)); C("") for the null sender. For a Direct Send test, an address of one of your
        accepted domains.
    type: str
    required: true
  rcpt_to:
    description: The one recipient (C(RCPT TO)), an address of the tenant.
    type: str
    required: true
  data:
    description:
      - Whether to send a test message after an accepted C(RCPT TO). The message is marked as a probe in its subject
        (C(exoguard.mailflow probe <probe_id>)), a header C(X-Exoguard-Probe) with the probe's ID, and its body, so it
        can be found in message trace and filtered by mailbox rules.
      - Without it the probe ends with C(RSET) and C(QUIT) after C(RCPT TO) and delivers nothing. Exchange decides
        C(5.7.68) and C(5.7.51) at C(RCPT TO); transport rules act only after C(DATA) (a rule that rejects sends an NDR
        after the session accepted the message, so the probe still reads C(250)).
    type: bool
    default: false
  probe_id:
    description: The identifier written into the test message; a random one by default.
    type: str
  xclient_addr:
    description:
      - B(Emulator and lab only.) Sends Postfix's C(XCLIENT ADDR=<address>) after C(EHLO), so that the server treats the
        session as coming from that IP address (a gateway's, or an attacker's). Exchange Online does not offer
        C(XCLIENT); the probe then stops at stage C(xclient).
    type: str
  timeout:
    description: Seconds to wait to connect and for each reply.
    type: int
    default: 30
  expect:
    description:
      - The outcome the task expects; it fails when the probe ends otherwise.
      - V(accepted), every step was accepted (stage C(done)); V(rejected), the server refused with a 4xx or 5xx reply at
        some stage; or a reply code, C(550 5.7.68), C(5.7.51) (enhanced code only) or C(550), which the reply the probe
        stopped at must match.
      - An endpoint that cannot be reached, or a failed TLS handshake, fails the task whatever O(expect) says.
    type: str
notes:
  - Returns C(changed=false) always. A probe with O(data=true) delivers a message, but changes no setting.
seealso:
  - module: exoguard.mailflow.exo_message_trace_info
  - module: exoguard.mailflow.defender_hunting_query
  - name: Introducing more control over Direct Send in Exchange Online
    description: Where the C(5.7.68) reply and the guidance's tests come from.
    link: https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790
'''

EXAMPLES = r'''
- name: Test 1 - a Direct Send spoof from outside is refused (RejectDirectSend on)
  exoguard.mailflow.smtp_probe:
    domain: contoso.com
    mail_from: ceo@contoso.com
    rcpt_to: finance@contoso.com
    expect: 550 5.7.68
  delegate_to: localhost

- name: Test 2 - a foreign sender straight to EOP is refused (restricted partner connector)
  exoguard.mailflow.smtp_probe:
    domain: contoso.com
    mail_from: someone@fabrikam.example
    rcpt_to: finance@contoso.com
    expect: 5.7.51
  delegate_to: localhost

- name: Test 3, from the gateway itself - legitimate mail with the gateway's certificate is accepted and delivered
  exoguard.mailflow.smtp_probe:
    host: contoso-com.mail.protection.outlook.com
    helo: seg1.contoso.com
    starttls: true
    client_certificate: /etc/pki/seg/seg1.pem
    client_key: /etc/pki/seg/seg1.key
    mail_from: partner@fabrikam.example
    rcpt_to: probe-mailbox@contoso.com
    data: true
    expect: accepted
  register: probe

- name: Find the probe in message trace later
  ansible.builtin.debug:
    msg: "Subject: exoguard.mailflow probe {{ probe.probe_id }}"

- name: On the emulator - pretend to be the gateway at 192.0.2.25
  exoguard.mailflow.smtp_probe:
    host: 127.0.0.1
    port: "{{ emulator_smtp_port }}"
    xclient_addr: 192.0.2.25
    mail_from: partner@fabrikam.example
    rcpt_to: user@contoso.com
    expect: accepted
'''

RETURN = r'''
host:
  description: The host probed.
  returned: always
  type: str
  sample: contoso-com.mail.protection.outlook.com
port:
  description: The port probed.
  returned: always
  type: int
  sample: 25
stage:
  description:
    - Where the probe stopped, C(connect), C(ehlo), C(xclient), C(starttls), C(mail), C(rcpt), C(data), or C(done) when
      every step was accepted.
  returned: always
  type: str
  sample: rcpt
code:
  description: The reply code the probe stopped at (for C(done), the last accepted reply's). None without a reply.
  returned: success
  type: int
  sample: 550
enhanced_code:
  description: The enhanced status code of that reply (RFC 3463), when it has one.
  returned: success
  type: str
  sample: 5.7.68
text:
  description: The text of that reply, as the server sent it after the code.
  returned: success
  type: str
  sample: 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources
accepted:
  description: Whether every step asked for was accepted (C(RCPT TO), and C(DATA) when sent).
  returned: always
  type: bool
  sample: false
reachable:
  description: Whether an SMTP conversation took place; false when the endpoint could not be reached (port 25 blocked).
  returned: success, and when the endpoint was unreachable or TLS failed
  type: bool
  sample: true
tls:
  description: Whether the session switched to TLS.
  returned: success
  type: bool
data_sent:
  description: Whether the test message was sent and accepted.
  returned: success
  type: bool
probe_id:
  description: The probe's identifier (subject C(exoguard.mailflow probe <probe_id>) and header C(X-Exoguard-Probe)).
  returned: always
  type: str
  sample: 3f9a1c2b7d4e5f60
replies:
  description: Every reply of the conversation in order, each with C(stage), C(code), C(enhanced_code) and C(text).
  returned: success
  type: list
  elements: dict
  sample:
    - {stage: connect, code: 220, enhanced_code: null, text: "BN8NAM12FT051.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready"}
    - {stage: rcpt, code: 550, enhanced_code: 5.7.68, text: "5.7.68 TenantInboundAttribution; Direct Send not allowed ..."}
error:
  description: What failed (type, message, host), when the endpoint was unreachable, TLS failed or an option was unusable.
  returned: failure
  type: dict
'''

from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import task_definition
from ansible_collections.exoguard.mailflow.plugins.module_utils._smtp import run_probe

ARGUMENT_SPEC = dict(
    host=dict(type='str'),
    domain=dict(type='str'),
    port=dict(type='int', default=25),
    helo=dict(type='str'),
    starttls=dict(type='bool', default=False),
    client_certificate=dict(type='path'),
    client_key=dict(type='path'),
    ca_path=dict(type='path'),
    validate_certs=dict(type='bool', default=True),
    mail_from=dict(type='str', required=True),
    rcpt_to=dict(type='str', required=True),
    data=dict(type='bool', default=False),
    probe_id=dict(type='str'),
    xclient_addr=dict(type='str'),
    timeout=dict(type='int', default=30),
    expect=dict(type='str'),
)


def module_definition():
    return task_definition(ARGUMENT_SPEC, run_probe, required_one_of=[('host', 'domain')])


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
