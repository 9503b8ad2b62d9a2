#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: exo_dkim_signing
short_description: Manage DKIM signing of an Exchange Online domain
version_added: 0.1.0
description:
  - Creates, enables, disables, rotates and removes the DKIM signing configuration of one accepted domain
    (C(Get-/New-/Set-/Rotate-/Remove-DkimSigningConfig)). Settings you do not give are left as they are.
  - "Exchange enables signing only once two CNAME records are published in the domain's DNS:
    C(selector1._domainkey.<domain>) and C(selector2._domainkey.<domain>), pointing at targets Exchange chooses per
    domain. So the order of operations is: 1. create the configuration disabled (O(enabled=false)); 2. read the two
    CNAME targets from this module's result (RV(dns_records)); 3. publish them with
    M(exoguard.mailflow.dns_auth_records) (its O(exoguard.mailflow.dns_auth_records#module:dkim) option takes
    RV(dns_records) as it is); 4. enable (O(enabled=true)). The examples show the four steps."
  - The CNAME targets are always read from C(Get-DkimSigningConfig), never computed. Their form changed in May 2025
    (C(selector1-<domain-with-dashes>._domainkey.<tenant>.onmicrosoft.com) before,
    C(selector1-<domain-with-dashes>._domainkey.<initial domain prefix>.<letter>-v1.dkim.mail.microsoft) since).
  - When Exchange refuses to enable signing because the CNAMEs are missing (or point elsewhere), the task fails with a
    message that lists both records to publish, and still returns them as RV(dns_records) with RV(domain), so a
    playbook can publish them and run the task again. DNS changes can take minutes, Exchange says up to four days, to
    reach Exchange.
  - A configuration that does not exist is always created disabled (C(New-DkimSigningConfig -Enabled $false)) and, with
    O(enabled=true), enabled by a second call (C(Set-DkimSigningConfig -Enabled $true)). So its CNAME targets exist to be
    reported even when enabling fails.
  - The key size is fixed when a key is made. O(key_size) is used when the configuration is created; on an existing
    configuration a different size is reached only by rotating (O(rotate=true)), which re-keys one selector at a time.
    Without O(rotate), a configuration whose keys have another size is left as it is, with a warning.
author:
  - exoguard.mailflow contributors (@exoguard)
extends_documentation_fragment:
  - exoguard.mailflow.connection
  - exoguard.mailflow.attributes
  - exoguard.mailflow.attributes.ACTIONGROUP_EXO
attributes:
  check_mode:
    support: full
    details: Makes no write call. A configuration that would be created has no CNAME targets yet (returned as null).
  diff_mode:
    support: full
options:
  domain:
    description:
      - The accepted domain whose outgoing mail is signed, for example V(contoso.com). Case and a trailing dot do not
        matter.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the configuration exists (created disabled unless O(enabled=true)).
      - V(absent) removes it (C(Remove-DkimSigningConfig)). Microsoft treats a domain without a configuration as one with
        DKIM signing disabled; Exchange Online then signs the domain's mail with the C(onmicrosoft.com) domain's key,
        which does not align with the domain for DMARC.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether Exchange signs the domain's outgoing mail with its DKIM keys (C(Enabled)).
      - V(true) needs both CNAME records published first, see the description.
      - Not given, an existing configuration keeps its state and a new one is created disabled.
    type: bool
  key_size:
    description:
      - The RSA key size in bits, used when the configuration is created (C(New-DkimSigningConfig -KeySize)), and for
        the new key when O(rotate=true) (C(Rotate-DkimSigningConfig -KeySize)).
      - Compared with both selectors' key sizes (C(Selector1KeySize), C(Selector2KeySize)); a difference on an existing
        configuration is only reported, as a warning, unless O(rotate=true).
      - Not given, Exchange's default (1024) applies on creation, and a rotation keeps the rotated selector's size.
    type: int
    choices: [1024, 2048]
  rotate:
    description:
      - Rotate the keys with C(Rotate-DkimSigningConfig). Exchange makes a new key for the selector not in use, which
        starts signing after C(RotateOnDate) (about four days). Every run with V(true) rotates and reports a change,
        so guard the task with a condition (see the examples). Rotating twice re-keys both selectors, the way to move
        both to a new O(key_size).
      - A configuration this task creates is not rotated, as its keys are new.
      - The CNAME records do not change when keys rotate.
    type: bool
    default: false
  header_canonicalization:
    description:
      - How message headers are canonicalized for signing (C(HeaderCanonicalization)). Exchange's default is
        V(Relaxed).
    type: str
    choices: [Relaxed, Simple]
  body_canonicalization:
    description:
      - How the message body is canonicalized for signing (C(BodyCanonicalization)). Exchange's default is
        V(Relaxed).
    type: str
    choices: [Relaxed, Simple]
requirements:
  - msal (with O(transport=rest))
  - pypsrp (with O(transport=psrp))
seealso:
  - module: exoguard.mailflow.dns_auth_records
    description: Publishes the two CNAME records (and SPF and DMARC) by RFC 2136 dynamic update, or audits them.
  - name: Set up DKIM to sign mail from your Microsoft 365 domain
    description: Microsoft's guide, with the order of operations.
    link: https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure
  - name: New-DkimSigningConfig
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/new-dkimsigningconfig
  - name: Rotate-DkimSigningConfig
    description: The cmdlet's reference.
    link: https://learn.microsoft.com/powershell/module/exchangepowershell/rotate-dkimsigningconfig
'''

EXAMPLES = r'''
# The order of operations: create disabled, read the CNAME targets, publish them, enable.
- name: 1. Create the DKIM configuration, disabled, with 2048-bit keys
  exoguard.mailflow.exo_dkim_signing:
    domain: contoso.com
    enabled: false
    key_size: 2048
  register: contoso_dkim

- name: 2 and 3. Publish the two CNAME records Exchange issued, by RFC 2136 dynamic update
  exoguard.mailflow.dns_auth_records:
    domain: contoso.com
    dkim: "{{ contoso_dkim.dns_records }}"
    provider: rfc2136
    server: ns1.contoso.com
    key_name: ansible-update
    key_secret: "{{ vault_tsig_secret }}"
    key_algorithm: hmac-sha256

- name: 4. Enable signing (fails, returning dns_records, while Exchange cannot see the CNAMEs yet)
  exoguard.mailflow.exo_dkim_signing:
    domain: contoso.com
    enabled: true
  register: enabled
  retries: 10
  delay: 60
  until: enabled is succeeded

- name: Move both selectors to 2048-bit keys, one rotation per run, only while a 1024-bit key is left
  exoguard.mailflow.exo_dkim_signing:
    domain: contoso.com
    key_size: 2048
    rotate: "{{ [contoso_dkim.dkim.Selector1KeySize, contoso_dkim.dkim.Selector2KeySize] | min < 2048 }}"

- name: Stop signing with the domain's own keys
  exoguard.mailflow.exo_dkim_signing:
    domain: contoso.com
    state: absent
'''

RETURN = r'''
dkim:
  description:
    - The DKIM signing configuration as C(Get-DkimSigningConfig) returns it after the run (in check mode, as it would
      be), with Exchange's property names; null when it does not exist.
  returned: always
  type: dict
  sample:
    Domain: contoso.com
    Enabled: false
    Status: CnameMissing
    Selector1CNAME: selector1-contoso-com._domainkey.contoso.y-v1.dkim.mail.microsoft
    Selector2CNAME: selector2-contoso-com._domainkey.contoso.y-v1.dkim.mail.microsoft
    Selector1KeySize: 2048
    Selector2KeySize: 2048
    SelectorBeforeRotateOnDate: selector2
    SelectorAfterRotateOnDate: selector1
    HeaderCanonicalization: Relaxed
    BodyCanonicalization: Relaxed
domain:
  description: The domain, in lower case.
  returned: always
  type: str
  sample: contoso.com
selector1_cname:
  description:
    - The target C(selector1._domainkey.<domain>) must be a CNAME for (C(Selector1CNAME) of C(Get-DkimSigningConfig)).
    - Null when the configuration does not exist (or, in check mode, would be created by this task).
  returned: always
  type: str
  sample: selector1-contoso-com._domainkey.contoso.y-v1.dkim.mail.microsoft
selector2_cname:
  description:
    - The target C(selector2._domainkey.<domain>) must be a CNAME for (C(Selector2CNAME) of C(Get-DkimSigningConfig)).
  returned: always
  type: str
  sample: selector2-contoso-com._domainkey.contoso.y-v1.dkim.mail.microsoft
dns_records:
  description:
    - The two CNAME records to publish, in the form the O(exoguard.mailflow.dns_auth_records#module:dkim) option of
      M(exoguard.mailflow.dns_auth_records) takes.
    - Also returned when the task fails because Exchange refused to enable signing while the records are missing.
  returned: when both CNAME targets are known
  type: list
  elements: dict
  sample:
    - {selector: selector1, target: selector1-contoso-com._domainkey.contoso.y-v1.dkim.mail.microsoft}
    - {selector: selector2, target: selector2-contoso-com._domainkey.contoso.y-v1.dkim.mail.microsoft}
diff:
  description: The managed settings, both selectors' key sizes and the selector that signs after rotation, before
    and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
  sample:
    before: {enabled: false, selector1_key_size: 2048, selector2_key_size: 2048}
    after: {enabled: true, selector1_key_size: 2048, selector2_key_size: 2048}
error:
  description: What failed, in parts (type, Exchange's message, tenant, cmdlet, HTTP status, exception type, attempts).
  returned: failure
  type: dict
'''

import re

from ansible_collections.exoguard.mailflow.plugins.module_utils import _normalise as normalise
from ansible_collections.exoguard.mailflow.plugins.module_utils._client import client_from_options
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import (
    BOOLEAN, TEXT, Outcome, Property, Resource, ensure, require)
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ExoError, InvalidParameter, Transient
from ansible_collections.exoguard.mailflow.plugins.module_utils._module import run_module
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import (
    ModuleDefinition, argument_spec, error_result)

SELECTORS = ('selector1', 'selector2')
KEY_SIZES = (1024, 2048)
CANONICALIZATION = ('Relaxed', 'Simple')
_DOMAIN = re.compile(r'^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$')

OPTIONS = dict(
    domain=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    key_size=dict(type='int', choices=list(KEY_SIZES)),
    rotate=dict(type='bool', default=False),
)


class DkimSigningConfig(Resource):
    """The DKIM signing configuration of one domain, identified by the domain name.

    ``key_size`` is not a setting Set-DkimSigningConfig can change: it goes into New-DkimSigningConfig and
    Rotate-DkimSigningConfig only. ``created`` tells whether this run created the configuration.
    """

    noun = 'DKIM signing configuration'
    get_cmdlet = 'Get-DkimSigningConfig'
    new_cmdlet = 'New-DkimSigningConfig'
    set_cmdlet = 'Set-DkimSigningConfig'
    remove_cmdlet = 'Remove-DkimSigningConfig'
    rotate_cmdlet = 'Rotate-DkimSigningConfig'
    identity_parameter = 'Identity'
    new_identity_parameter = 'DomainName'
    return_key = 'dkim'
    properties = (
        Property('enabled', 'Enabled', BOOLEAN),
        Property('header_canonicalization', 'HeaderCanonicalization', TEXT, choices=CANONICALIZATION),
        Property('body_canonicalization', 'BodyCanonicalization', TEXT, choices=CANONICALIZATION),
    )

    def __init__(self, key_size=None):
        self.key_size = key_size
        self.created = False

    def read(self, client, identity):
        """Listed, then filtered by domain: several configurations for one domain is an error, not a guess."""
        records = [record for record in client.invoke(self.get_cmdlet)
                   if normalise.domain(record.get('Domain') or record.get('Name')) == identity]
        if len(records) > 1:
            raise ExoError('%d DKIM signing configurations for %s' % (len(records), identity), tenant=client.tenant,
                           cmdlet=self.get_cmdlet)
        return records[0] if records else None

    def create(self, client, identity, changes):
        """New-DkimSigningConfig disabled, then Set-DkimSigningConfig -Enabled $true when enabling was asked: the
        configuration (and its CNAME targets) exists even when Exchange refuses to enable it."""
        parameters = self.parameters([(prop, value) for prop, value in changes if prop.option != 'enabled'])
        parameters.update({self.new_identity_parameter: identity, 'Enabled': False})
        if self.key_size:
            parameters['KeySize'] = self.key_size
        try:
            client.invoke(self.new_cmdlet, parameters)
        except Transient as error:
            # The answer was lost after the request left: found means created; a create is never sent again.
            if error.not_processed or self.read(client, identity) is None:
                raise
        self.created = True
        if any(prop.option == 'enabled' and normalise.boolean(value) for prop, value in changes):
            client.invoke(self.set_cmdlet, {self.identity_parameter: identity, 'Enabled': True})

    def predict(self, record, identity, changes):
        if record is None:
            size = self.key_size or KEY_SIZES[0]
            record = {'Domain': identity, 'Name': identity, 'Identity': identity, 'Id': identity, 'Enabled': False,
                      'Status': 'CnameMissing', 'Selector1CNAME': None, 'Selector2CNAME': None,
                      'Selector1KeySize': size, 'Selector2KeySize': size, 'HeaderCanonicalization': 'Relaxed',
                      'BodyCanonicalization': 'Relaxed', 'SelectorBeforeRotateOnDate': 'selector2',
                      'SelectorAfterRotateOnDate': 'selector1'}
        return super(DkimSigningConfig, self).predict(record, identity, changes)

    def view(self, record):
        shown = super(DkimSigningConfig, self).view(record)
        if shown is not None:
            shown.update(selector1_key_size=record.get('Selector1KeySize'),
                         selector2_key_size=record.get('Selector2KeySize'),
                         selector_after_rotate_on_date=record.get('SelectorAfterRotateOnDate'))
        return shown

    def key_sizes_differ(self, record):
        return bool(self.key_size) and any(normalise.integer(record.get('Selector%dKeySize' % number)) != self.key_size
                                           for number in (1, 2))

    def rotate(self, client, identity):
        parameters = {self.identity_parameter: identity}
        if self.key_size:
            parameters['KeySize'] = self.key_size
        client.invoke(self.rotate_cmdlet, parameters)

    def predict_rotation(self, record):
        """The record after Rotate-DkimSigningConfig: the selector that does not sign after the rotation date is
        re-keyed (at ``key_size`` when given) and becomes the one that does."""
        predicted = dict(record)
        signing = predicted.get('SelectorAfterRotateOnDate') or SELECTORS[0]
        rotated = SELECTORS[1] if signing == SELECTORS[0] else SELECTORS[0]
        if self.key_size:
            predicted['Selector%sKeySize' % rotated[-1]] = self.key_size
        predicted.update(SelectorBeforeRotateOnDate=signing, SelectorAfterRotateOnDate=rotated)
        return predicted


def dns_records(record):
    """The two CNAMEs to publish, as dns_auth_records' ``dkim`` option takes them; [] while a target is unknown."""
    targets = [(record or {}).get('Selector%dCNAME' % number) for number in (1, 2)]
    if not all(targets):
        return []
    return [{'selector': selector, 'target': target} for selector, target in zip(SELECTORS, targets)]


def cname_records_missing(error):
    """Whether Exchange refused to enable signing because the CNAME records are not published."""
    return isinstance(error, InvalidParameter) and 'cname record does not exist' in (error.message or '').lower()


def validate(options):
    """Refuse unusable options before any call; returns the domain in canonical form."""
    domain = normalise.domain(options.get('domain'))
    require(_DOMAIN.match(domain), 'domain', 'give a domain name such as contoso.com, not %r' % options.get('domain'))
    require(options.get('key_size') in (None,) + KEY_SIZES, 'key_size', 'Exchange makes keys of 1024 or 2048 bits')
    if options.get('state') == 'absent':
        require(not options.get('enabled'), 'enabled', 'state=absent removes the configuration; it cannot be enabled')
        require(not options.get('rotate'), 'rotate', 'state=absent removes the configuration; it cannot be rotated')
    return domain


def _ensure_dkim(client, resource, domain, desired, state, rotate, check_mode):
    """ensure(), then the rotation and the key-size check; returns (outcome, warnings)."""
    outcome = ensure(client, resource, desired, identity=domain, state=state, check_mode=check_mode)
    if state == 'present' and outcome.record is None:
        # No setting was given, yet the configuration must exist: it is created disabled.
        outcome = ensure(client, resource, dict(desired, enabled=False), identity=domain, state=state,
                         check_mode=check_mode)
    warnings = list(outcome.warnings)
    record = outcome.record
    if state == 'absent' or outcome.before is None:
        return outcome, warnings
    if rotate:
        if check_mode:
            record = resource.predict_rotation(record)
        else:
            resource.rotate(client, domain)
            record = resource.read(client, domain)
            if record is None:
                raise ExoError('the %s of %s was rotated but cannot be read back' % (resource.noun, domain),
                               tenant=client.tenant, cmdlet=resource.get_cmdlet)
        outcome = Outcome(True, outcome.before, resource.view(record), record)
    elif resource.key_sizes_differ(record):
        warnings.append('key_size: %s signs with keys of %s and %s bits (selector1, selector2), not %s; Exchange '
                        'changes a key size only when it rotates the key: run with rotate=true (twice, to re-key both '
                        'selectors)' % (domain, record.get('Selector1KeySize'), record.get('Selector2KeySize'),
                                        resource.key_size))
    if not check_mode and record.get('Enabled') is True and record.get('Status') not in (None, 'Valid'):
        warnings.append('DKIM signing of %s is enabled but Exchange reports Status %s: check that the CNAME records '
                        'in dns_records are still published' % (domain, record.get('Status')))
    return outcome, warnings


def _cname_failure(error, domain, record, changed):
    """The failed result when Exchange refused to enable signing: both records in the message and as dns_records."""
    result = error_result(error)
    result.update(changed=changed, domain=domain, dkim=record,
                  selector1_cname=(record or {}).get('Selector1CNAME'),
                  selector2_cname=(record or {}).get('Selector2CNAME'))
    records = dns_records(record)
    if records:
        result['dns_records'] = records
        result['msg'] = ('Exchange refuses to enable DKIM signing for %s until both CNAME records are published. '
                         'Publish %s, then run again (the records are returned as dns_records, the form the dkim '
                         'option of exoguard.mailflow.dns_auth_records takes). %s'
                         % (domain, ' and '.join('%s._domainkey.%s CNAME %s' % (item['selector'], domain, item['target'])
                                                 for item in records), error))
    return result


def run_dkim_signing(options, check_mode=False, diff=False, client_factory=client_from_options):
    """Ensure the DKIM signing configuration the validated ``options`` describe; returns ``(result, warnings)``."""
    state = options.get('state') or 'present'
    resource = DkimSigningConfig(key_size=options.get('key_size'))
    desired = dict((prop.option, options.get(prop.option)) for prop in resource.properties)
    client = None
    warnings = []
    try:
        domain = validate(options)
        client = client_factory(options)
        try:
            outcome, warnings = _ensure_dkim(client, resource, domain, desired, state, options.get('rotate'),
                                             check_mode)
        except InvalidParameter as error:
            if not cname_records_missing(error):
                raise
            return _cname_failure(error, domain, _read_quietly(client, resource, domain), resource.created), \
                _warnings(client, warnings)
    except ExoError as error:
        return error_result(error), _warnings(client, warnings)
    finally:
        if client is not None:
            client.close()
    record = outcome.record
    result = {'changed': outcome.changed, 'domain': domain, resource.return_key: record,
              'selector1_cname': (record or {}).get('Selector1CNAME'),
              'selector2_cname': (record or {}).get('Selector2CNAME')}
    if dns_records(record):
        result['dns_records'] = dns_records(record)
    if diff:
        result['diff'] = outcome.diff
    return result, _warnings(client, warnings)


def _read_quietly(client, resource, domain):
    """The configuration after a refusal, for its CNAME targets; None when even that read fails."""
    try:
        return resource.read(client, domain)
    except ExoError:
        return None


def _warnings(client, extra):
    return list(client.warnings if client is not None else []) + list(extra)


def module_definition():
    return ModuleDefinition(argument_spec(DkimSigningConfig(), OPTIONS),
                            lambda options, check_mode, diff: run_dkim_signing(options, check_mode=check_mode, diff=diff))


def main():
    run_module(module_definition())


if __name__ == '__main__':
    main()
