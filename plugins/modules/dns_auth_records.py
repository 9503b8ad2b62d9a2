#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: dns_auth_records
short_description: Audit and manage the SPF, DMARC and DKIM records of a domain (RFC 2136 or read-only)
version_added: 0.1.0
description:
  - Reads the SPF record of O(domain), its DMARC record at C(_dmarc.<domain>) and the DKIM CNAMEs of the selectors
    given in O(dkim), and returns C(findings) about them in every result. B(Errors) are what makes receivers treat
    a record as broken, B(warnings) what is valid but weak.
  - With no desired record given, the module only audits.
  - Each of O(spf) (or O(spf_record)), O(dmarc) and O(dkim) that is given is brought to the desired state with
    one RFC 2136 dynamic update (O(provider=rfc2136)). Exactly one SPF TXT record at the domain (the one starting
    with C(v=spf1)) and one DMARC TXT record at C(_dmarc.<domain>) are managed; other TXT records at those names
    are never touched. The update carries the record sets as read as prerequisites, so records changed by someone
    else in between are never overwritten.
  - Desired records are checked like published ones before anything is sent; one with an error is refused, with
    a message naming the option and the fix.
  - SPF checks (RFC 7208) are syntax anywhere in the record, after C(all) too (errors); more than 10 DNS-querying
    terms after following C(include) and C(redirect), more than 2 void lookups, C(include) or C(redirect) to a name
    without an SPF record, several SPF records (errors); C(+all), C(?all), C(~all) (see O(spf_require_hard_fail)),
    C(ptr), terms after C(all) (warnings). Names and keywords are case-insensitive, so C(V=SPF1 ... -ALL) is valid.
  - DMARC checks (RFC 7489) are a missing or invalid C(p), malformed tags or report URIs, several DMARC records
    (errors; other TXT records at C(_dmarc) are ignored, section 6.6.3); C(p=none), C(sp=none), C(pct) below 100,
    report addresses outside the domain without their C(<domain>._report._dmarc.<other domain>) authorisation
    record (warnings).
  - TXT records longer than 255 bytes are written as several character-strings and compared joined.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.dns
  - exoguard.mailflow.attributes
  - exoguard.mailflow.dns.ACTIONGROUP_DNS
attributes:
  check_mode:
    support: full
    details: Check mode sends no update; the result and findings show the records as they would be.
  diff_mode:
    support: full
    details: The managed records before and after, in zone-file form.
options:
  domain:
    description:
      - The domain whose records are audited and managed, such as C(contoso.com).
    type: str
    required: true
  zone:
    description:
      - The DNS zone that holds O(domain) and receives the updates. Defaults to O(domain).
    type: str
  state:
    description:
      - V(present) publishes the records given.
      - V(absent) removes the records named in the task, whatever they hold; give O(spf) (an empty mapping will
        do) or O(spf_record) to remove the SPF record, O(dmarc) to remove the DMARC record, and O(dkim) selectors
        (without target) to remove their CNAMEs. Other records are left alone.
    type: str
    choices: [present, absent]
    default: present
  spf:
    description:
      - The SPF record of O(domain), by its parts. The record is written as C(v=spf1), then O(spf.ip4), O(spf.ip6),
        O(spf.a), O(spf.mx), O(spf.include), O(spf.exists), then O(spf.redirect) or O(spf.all).
      - The published record is left as it is when it only differs in order of pass mechanisms, spacing, case or
        a written C(+).
      - Mutually exclusive with O(spf_record).
    type: dict
    suboptions:
      ip4:
        description: IPv4 addresses or networks (C(192.0.2.10), C(198.51.100.0/24)) allowed to send.
        type: list
        elements: str
      ip6:
        description: IPv6 addresses or networks (C(2001:db8::/32)) allowed to send.
        type: list
        elements: str
      a:
        description:
          - Host names whose A/AAAA addresses may send, each optionally with CIDR lengths (C(mail.contoso.com/24)).
          - C(@) stands for O(domain) itself, written as a bare C(a) (C(@/24) as C(a/24)).
        type: list
        elements: str
      mx:
        description:
          - Domains whose MX hosts may send, as for O(spf.a); C(@) is O(domain) itself (a bare C(mx)).
        type: list
        elements: str
      include:
        description:
          - Domains whose SPF record is included, such as C(spf.protection.outlook.com) for Microsoft 365 or
            C(_spf.google.com). Each costs one DNS lookup plus those of the included record.
        type: list
        elements: str
      exists:
        description: Domain specifications (usually with macros) of C(exists) mechanisms.
        type: list
        elements: str
      redirect:
        description:
          - A domain whose SPF record is used instead of this one's for senders not listed here (C(redirect=)).
          - Mutually exclusive with O(spf.all).
        type: str
      all:
        description:
          - The result for every other sender, as written in SPF.
          - Defaults to V(-all) when O(spf.redirect) is not given.
        type: str
        choices: ['-all', '~all', '?all', '+all']
  spf_record:
    description:
      - The SPF record of O(domain) as raw text, such as C(v=spf1 include:spf.protection.outlook.com -all).
        Compared with the published record exactly.
      - Mutually exclusive with O(spf).
    type: str
  dmarc:
    description:
      - The DMARC record at C(_dmarc.<domain>), by its tags. The record holds C(v=DMARC1) and the tags given;
        tags left out are removed from it (receivers then use their defaults).
      - A published record that only differs in tag order, spacing, case or tags written with their default value
        is left as it is.
    type: dict
    suboptions:
      p:
        description: The policy for mail that fails DMARC. Required for a record to be published.
        type: str
        choices: [none, quarantine, reject]
      sp:
        description: The policy for subdomains (defaults to O(dmarc.p)).
        type: str
        choices: [none, quarantine, reject]
      pct:
        description: The percentage of failing mail the policy applies to, 0 to 100.
        type: int
      rua:
        description:
          - Where aggregate reports go, as URIs such as C(mailto:dmarc@contoso.com). An address in another domain
            needs that domain to publish C(<domain>._report._dmarc.<other domain> TXT "v=DMARC1").
        type: list
        elements: str
      ruf:
        description: Where failure reports go, as URIs like O(dmarc.rua).
        type: list
        elements: str
      adkim:
        description: DKIM alignment, V(r) relaxed or V(s) strict.
        type: str
        choices: [r, s]
      aspf:
        description: SPF alignment, V(r) relaxed or V(s) strict.
        type: str
        choices: [r, s]
      fo:
        description: Failure reporting options.
        type: list
        elements: str
        choices: ['0', '1', d, s]
      ri:
        description: The interval between aggregate reports, in seconds.
        type: int
  dkim:
    description:
      - DKIM selectors whose CNAME at C(<selector>._domainkey.<domain>) points at the signing service's key, such as
        the C(selector1) and C(selector2) records Exchange Online gives (see C(exoguard.mailflow.exo_dkim_signing)).
      - A selector name holding other records (a TXT key) is an error, since a CNAME cannot coexist with them.
    type: list
    elements: dict
    suboptions:
      selector:
        description: The selector, such as C(selector1).
        type: str
        required: true
      target:
        description: The host name the CNAME points to. Required with O(state=present).
        type: str
  ttl:
    description:
      - The TTL of records written to a name that has no other records of the type; otherwise the existing TTL
        of the record set is kept.
    type: int
    default: 3600
  spf_require_hard_fail:
    description:
      - Whether C(~all) is a warning because the policy asks for C(-all). Set V(false) while rolling SPF out.
    type: bool
    default: true
requirements:
  - dnspython >= 2.4
notes:
  - DKIM order of operations with Exchange Online - create the signing configuration disabled, publish its two
    CNAMEs with this module, then enable signing.
seealso:
  - name: RFC 7208 (SPF)
    description: Sender Policy Framework.
    link: https://www.rfc-editor.org/rfc/rfc7208
  - name: RFC 7489 (DMARC)
    description: Domain-based Message Authentication, Reporting, and Conformance.
    link: https://www.rfc-editor.org/rfc/rfc7489
  - name: RFC 2136
    description: Dynamic updates in the domain name system.
    link: https://www.rfc-editor.org/rfc/rfc2136
'''

EXAMPLES = r'''
- name: Audit SPF and DMARC of a domain in any DNS service (read-only)
  exoguard.mailflow.dns_auth_records:
    domain: contoso.com
    provider: none
  register: audit

- name: Fail when a record is broken
  ansible.builtin.assert:
    that: audit.findings | selectattr('severity', 'equalto', 'error') | list | length == 0
    fail_msg: "{{ audit.findings | selectattr('severity', 'equalto', 'error') | map(attribute='message') | list }}"

- name: Publish SPF, DMARC and DKIM through a BIND primary
  module_defaults:
    group/exoguard.mailflow.dns:
      server: ns1.contoso.com
      key_name: ansible-update
      key_secret: "{{ vault_tsig_secret }}"
  exoguard.mailflow.dns_auth_records:
    domain: contoso.com
    spf:
      ip4: [192.0.2.25]
      include: [spf.protection.outlook.com]
      all: -all
    dmarc:
      p: quarantine
      rua: [mailto:dmarc-reports@contoso.com]
    dkim:
      - selector: selector1
        target: selector1-contoso-com._domainkey.contoso.onmicrosoft.com
      - selector: selector2
        target: selector2-contoso-com._domainkey.contoso.onmicrosoft.com

- name: Publish a raw SPF record, checking it first
  exoguard.mailflow.dns_auth_records:
    domain: contoso.com
    spf_record: v=spf1 mx include:_spf.google.com -all
    server: 192.0.2.53
    key_name: ansible-update
    key_secret: "{{ vault_tsig_secret }}"
  check_mode: true
  diff: true

- name: Remove the DMARC record and an old DKIM selector
  exoguard.mailflow.dns_auth_records:
    domain: contoso.com
    state: absent
    dmarc: {}
    dkim:
      - selector: s2019
    server: 192.0.2.53
    key_name: ansible-update
    key_secret: "{{ vault_tsig_secret }}"
'''

RETURN = r'''
findings:
  description:
    - What is wrong or weak in the SPF and DMARC records (and DKIM selectors given), as they are after the run (in
      check mode, as they would be).
  returned: always
  type: list
  elements: dict
  contains:
    record:
      description: The record concerned.
      type: str
      choices: [spf, dmarc, dkim]
    severity:
      description: V(error) when receivers treat the record as broken, V(warning) when it is valid but weak.
      type: str
      choices: [error, warning]
    message:
      description: What is wrong, the RFC section that says so, and the fix.
      type: str
  sample:
    - record: spf
      severity: warning
      message: '"~all" only soft-fails unlisted senders; the policy asks for -all (set spf_require_hard_fail=false to accept ~all)'
records:
  description: The SPF and DMARC records of the domain and the DKIM CNAMEs of the selectors given, after the run.
  returned: success
  type: dict
  contains:
    spf:
      description: The SPF records at the domain (more than one is an error), each with C(name) and C(value).
      type: list
      elements: dict
    dmarc:
      description: The DMARC records at C(_dmarc.<domain>), each with C(name) and C(value).
      type: list
      elements: dict
    dkim:
      description: The CNAMEs of the selectors given, each with C(selector), C(name) and C(target).
      type: list
      elements: dict
  sample:
    spf: [{name: contoso.com, value: v=spf1 ip4:192.0.2.25 include:spf.protection.outlook.com -all}]
    dmarc: [{name: _dmarc.contoso.com, value: v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@contoso.com}]
    dkim: [{selector: selector1, name: selector1._domainkey.contoso.com,
            target: selector1-contoso-com._domainkey.contoso.onmicrosoft.com}]
diff:
  description: The managed records before and after, in zone-file form, when run with C(--diff).
  returned: when diff mode is on
  type: dict
  sample:
    before: "contoso.com. 3600 IN TXT \"v=spf1 mx ~all\"\n"
    after: "contoso.com. 3600 IN TXT \"v=spf1 mx -all\"\n"
error:
  description: What failed, in parts (type, message, server, zone, DNS rcode).
  returned: failure
  type: dict
'''

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.exoguard.mailflow.plugins.module_utils._dns import DNSPYTHON_IMPORT_ERROR, HAS_DNSPYTHON
from ansible_collections.exoguard.mailflow.plugins.module_utils._dns_auth_records import (
    argument_spec, run_dns_auth_records)
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import ModuleDefinition


def run(options, check_mode, diff):
    if not HAS_DNSPYTHON:
        return {'failed': True, 'msg': missing_required_lib('dnspython'), 'exception': DNSPYTHON_IMPORT_ERROR}, []
    result = run_dns_auth_records(options, check_mode=check_mode, diff=diff)
    return result, result.pop('warnings', [])


def module_definition():
    spec = argument_spec()
    rules = dict((name, value) for name, value in spec.items() if name != 'argument_spec')
    return ModuleDefinition(spec['argument_spec'], run, **rules)


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
