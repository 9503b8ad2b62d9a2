# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Get-, New-, Set-, Rotate- and Remove-DkimSigningConfig: one DKIM signing configuration per domain.

Behaviour (cmdlet-behaviour.md section 4):

- New-DkimSigningConfig takes an accepted domain (else Exchange's "Invalid domain name specified" refusal), once per
  domain, with KeySize 1024 (default) or 2048 for both selectors. Its CNAME targets are those of domains added since
  May 2025 (``records.dkim_cname_targets``).
- Enabling (New with ``-Enabled $true``, or Set turning ``Enabled`` from false to true) first looks up
  ``selector1._domainkey.<domain>`` and ``selector2._domainkey.<domain>`` on the scenario's ``dns_server``; unless
  both are CNAMEs for the targets, Exchange's ValidationException is the answer. New creates the configuration
  (disabled) before it refuses to enable it: its keys and CNAME targets exist, as the refusal's text shows.
- ``Status`` is ``Valid`` for an enabled configuration (its CNAMEs were checked) and ``CnameMissing`` otherwise;
  ``LastChecked`` is the time of the last DNS check.
- Rotate-DkimSigningConfig re-keys the selector that is not ``SelectorAfterRotateOnDate`` (with ``KeySize`` when
  given, else at that selector's size) and makes it the selector that signs from ``RotateOnDate`` (four days
  ahead) on; rotating twice re-keys both selectors.
"""

import copy
import datetime

from exo_emulator import clock, errors, records
from exo_emulator.cmdlets.common import find_by_identity, no_change_warning
from exo_emulator.cmdlets.registry import CmdletResult, handles
from exo_emulator.dns import CnameLookup

RECORD_TYPE = 'Microsoft.Exchange.Data.Directory.SystemConfiguration.DkimSigningConfig'
KEY_SIZES = (1024, 2048)
SELECTORS = ('selector1', 'selector2')
# The time from a rotation to the new key signing (Microsoft: "up to 96 hours").
ROTATION_DELAY = datetime.timedelta(days=4)
IDENTITY_KEYS = ('Identity', 'Name', 'Domain', 'Id')


def _configs(context):
    return context.tenant.data['dkim_signing_configs']


def _find_one(context, identity):
    return find_by_identity(_configs(context), identity, keys=IDENTITY_KEYS)[0]


def _check_key_size(key_size):
    if key_size is not None and key_size not in KEY_SIZES:
        # No public capture of this refusal: the wording is the emulator's, the exception Exchange's.
        raise errors.validation_failed('The value %s of KeySize is not supported. Specify 1024 or 2048.' % key_size)


def cname_missing_text(record):
    """Exchange's refusal to enable a configuration whose CNAMEs are not published (cmdlet-behaviour.md section 4)."""
    return ('CNAME record does not exist for this config. Please publish the following two CNAME records first. '
            'Domain Name : %s Host Name : selector1._domainkey Points to address or value: %s '
            'Host Name : selector2._domainkey Points to address or value: %s . If you have already published the '
            'CNAME records, sync will take a few minutes to as many as 4 days based on your specific DNS. '
            'Return and retry this step later.' % (record['Domain'], record['Selector1CNAME'], record['Selector2CNAME']))


def _cnames_published(context, record):
    """Look both selectors' CNAMEs up on the scenario's DNS server; stamps ``LastChecked``."""
    lookup = CnameLookup(context.tenant.dns_server)
    record['LastChecked'] = clock.exchange_utc_time()
    return all(lookup.points_to('%s._domainkey.%s' % (selector, record['Domain']), record[target])
               for selector, target in zip(SELECTORS, ('Selector1CNAME', 'Selector2CNAME')))


def _enable(context, record):
    """Turn signing on after the DNS check, or raise Exchange's refusal leaving the record disabled."""
    if not _cnames_published(context, record):
        record['Status'] = 'CnameMissing'
        raise errors.validation_failed(cname_missing_text(record))
    record['Enabled'] = True
    record['Status'] = 'Valid'


@handles('Get-DkimSigningConfig', record_type=RECORD_TYPE)
def get_dkim_signing_config(context, parameters):
    configs = _configs(context)
    if parameters.get('Identity') is not None:
        configs = find_by_identity(configs, parameters['Identity'], keys=IDENTITY_KEYS)
    return CmdletResult(copy.deepcopy(configs))


@handles('New-DkimSigningConfig', record_type=RECORD_TYPE)
def new_dkim_signing_config(context, parameters):
    domain = str(parameters['DomainName']).strip().rstrip('.').lower()
    if domain not in [name for name, _sub in context.tenant.accepted_domains()]:
        raise errors.validation_failed('Invalid domain name specified "%s". Please specify tenant name or valid '
                                       'accepted domain.' % parameters['DomainName'])
    if any(str(config.get('Domain')).lower() == domain for config in _configs(context)):
        raise errors.object_already_exists('CN=%s,CN=Dkim Signing Configs,CN=Transport Settings,CN=%s,'
                                           'CN=Microsoft Exchange,CN=Services,CN=Configuration'
                                           % (domain, context.tenant.organization))
    key_size = parameters.get('KeySize')
    _check_key_size(key_size)
    if parameters.get('WhatIf'):
        return CmdletResult()
    record = records.dkim_signing_config(domain, context.tenant.organization, key_size=key_size or 1024)
    for name in ('AdminDisplayName', 'HeaderCanonicalization', 'BodyCanonicalization'):
        if parameters.get(name) is not None:
            record[name] = parameters[name]
    _configs(context).append(record)
    if parameters['Enabled']:
        _enable(context, record)
    return CmdletResult([copy.deepcopy(record)])


@handles('Set-DkimSigningConfig', record_type=RECORD_TYPE)
def set_dkim_signing_config(context, parameters):
    """Canonicalization and the description are written as given; Enabled false -> true is checked in DNS first,
    and a refusal changes nothing. PublishTxtRecords is accepted without effect."""
    record = _find_one(context, parameters['Identity'])
    if parameters.get('WhatIf'):
        return CmdletResult()
    changed = [name for name in ('AdminDisplayName', 'HeaderCanonicalization', 'BodyCanonicalization')
               if parameters.get(name) is not None and record.get(name) != parameters[name]]
    enabled = parameters.get('Enabled')
    if enabled is True and record.get('Enabled') is not True:
        _enable(context, record)
        changed.append('Enabled')
    elif enabled is False and record.get('Enabled') is not False:
        record['Enabled'] = False
        record['Status'] = 'CnameMissing'
        changed.append('Enabled')
    for name in changed:
        if name != 'Enabled':
            record[name] = parameters[name]
    if not changed:
        return CmdletResult(warnings=[no_change_warning(record['Identity'])])
    return CmdletResult()


@handles('Rotate-DkimSigningConfig', record_type=RECORD_TYPE)
def rotate_dkim_signing_config(context, parameters):
    record = _find_one(context, parameters['Identity'])
    key_size = parameters.get('KeySize')
    _check_key_size(key_size)
    if parameters.get('WhatIf'):
        return CmdletResult()
    current = record.get('SelectorAfterRotateOnDate') or 'selector1'
    rotated = SELECTORS[1] if current == SELECTORS[0] else SELECTORS[0]
    prefix = 'Selector%s' % rotated[-1]
    size = key_size or record.get(prefix + 'KeySize') or 1024
    now = clock.utc_now()
    record[prefix + 'KeySize'] = size
    record[prefix + 'PublicKey'] = records.dkim_public_key(size)
    record['SelectorBeforeRotateOnDate'] = current
    record['SelectorAfterRotateOnDate'] = rotated
    record['KeyCreationTime'] = clock.exchange_utc_time(now)
    record['RotateOnDate'] = clock.exchange_utc_time(now + ROTATION_DELAY)
    return CmdletResult()


@handles('Remove-DkimSigningConfig', record_type=RECORD_TYPE)
def remove_dkim_signing_config(context, parameters):
    record = _find_one(context, parameters['Identity'])
    if parameters.get('WhatIf'):
        return CmdletResult()
    _configs(context).remove(record)
    return CmdletResult()
