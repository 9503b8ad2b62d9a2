# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._client import ExoClient
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import InvalidParameter, NotFound, Transient
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport
from ansible_collections.exoguard.mailflow.plugins.modules.exo_dkim_signing import run_dkim_signing

REFUSAL = ('CNAME record does not exist for this config. Please publish the following two CNAME records first. '
           'Domain Name : {0} Host Name : selector1._domainkey Points to address or value: {1} Host Name : '
           'selector2._domainkey Points to address or value: {2} . If you have already published the CNAME records, '
           'sync will take a few minutes to as many as 4 days based on your specific DNS. Return and retry this step '
           'later.')


class DkimTenant(Transport):
    """A tenant's DKIM configurations; enabling succeeds only for domains in ``published``. Targets are arbitrary
    (the module must read them, never compute them)."""

    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, configs=None, published=(), fail_reads=None):
        self.configs = dict((config['Domain'], dict(config)) for config in (configs or []))
        self.published = set(published)
        self.fail_reads = fail_reads
        self.calls = []

    @property
    def writes(self):
        return [call for call in self.calls if not call[0].startswith('Get-')]

    def invoke(self, cmdlet, parameters):
        self.calls.append((cmdlet, dict(parameters)))
        if cmdlet == 'Get-DkimSigningConfig':
            if self.fail_reads:
                raise self.fail_reads
            return InvokeResult([dict(config) for config in self.configs.values()])
        if cmdlet == 'New-DkimSigningConfig':
            domain = parameters['DomainName']
            self.configs[domain] = config(domain, key_size=parameters.get('KeySize', 1024), enabled=False)
            for name in ('HeaderCanonicalization', 'BodyCanonicalization'):
                if name in parameters:
                    self.configs[domain][name] = parameters[name]
            if parameters['Enabled']:
                self._enable(domain)
            return InvokeResult([dict(self.configs[domain])])
        record = self.configs.get(parameters['Identity'])
        if record is None:
            raise NotFound("object '%s' couldn't be found" % parameters['Identity'])
        if cmdlet == 'Set-DkimSigningConfig':
            if parameters.get('Enabled') is True and not record['Enabled']:
                self._enable(record['Domain'])
            record.update((k, v) for k, v in parameters.items() if k != 'Identity')
        elif cmdlet == 'Rotate-DkimSigningConfig':
            rotated = '2' if record['SelectorAfterRotateOnDate'] == 'selector1' else '1'
            record['Selector%sKeySize' % rotated] = parameters.get('KeySize', record['Selector%sKeySize' % rotated])
            record['SelectorBeforeRotateOnDate'] = record['SelectorAfterRotateOnDate']
            record['SelectorAfterRotateOnDate'] = 'selector' + rotated
        elif cmdlet == 'Remove-DkimSigningConfig':
            del self.configs[record['Domain']]
        return InvokeResult()

    def _enable(self, domain):
        record = self.configs[domain]
        if domain not in self.published:
            raise InvalidParameter(REFUSAL.format(domain, record['Selector1CNAME'], record['Selector2CNAME']),
                                   tenant=self.tenant, cmdlet='Set-DkimSigningConfig', status=400,
                                   exception_type='ValidationException')
        record.update(Enabled=True, Status='Valid')


def config(domain, key_size=1024, enabled=False):
    return {'Domain': domain, 'Name': domain, 'Identity': domain, 'Enabled': enabled,
            'Status': 'Valid' if enabled else 'CnameMissing',
            'Selector1CNAME': 'selector1-%s._domainkey.tenant.q-v1.dkim.mail.microsoft' % domain.replace('.', '-'),
            'Selector2CNAME': 'selector2-%s._domainkey.tenant.q-v1.dkim.mail.microsoft' % domain.replace('.', '-'),
            'Selector1KeySize': key_size, 'Selector2KeySize': key_size, 'HeaderCanonicalization': 'Relaxed',
            'BodyCanonicalization': 'Relaxed', 'SelectorBeforeRotateOnDate': 'selector2',
            'SelectorAfterRotateOnDate': 'selector1'}


def run(tenant, check_mode=False, diff=False, **options):
    options.setdefault('domain', 'contoso.com')
    options.setdefault('state', 'present')
    options.setdefault('rotate', False)
    return run_dkim_signing(options, check_mode=check_mode, diff=diff, client_factory=lambda opts: ExoClient(tenant))


def records_of(record):
    return [{'selector': 'selector1', 'target': record['Selector1CNAME']},
            {'selector': 'selector2', 'target': record['Selector2CNAME']}]


# -- creation ---------------------------------------------------------------------------------------------------


def test_a_new_domain_is_created_disabled_when_enabled_is_false():
    tenant = DkimTenant()
    result, warnings = run(tenant, enabled=False)
    assert tenant.writes == [('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})]
    assert result['changed'] is True
    assert result['dkim']['Enabled'] is False
    assert result['domain'] == 'contoso.com'
    assert warnings == []


def test_the_cname_targets_are_returned_as_read_and_in_the_form_dns_auth_records_takes():
    tenant = DkimTenant()
    result, _warnings = run(tenant, enabled=False)
    record = tenant.configs['contoso.com']
    assert result['selector1_cname'] == record['Selector1CNAME']
    assert result['selector2_cname'] == record['Selector2CNAME']
    assert result['dns_records'] == records_of(record)


def test_a_domain_alone_creates_the_configuration_disabled():
    tenant = DkimTenant()
    result, _warnings = run(tenant, domain='Contoso.COM.')
    assert tenant.writes == [('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False})]
    assert result['changed'] is True and result['domain'] == 'contoso.com'


def test_key_size_and_canonicalization_go_into_new():
    tenant = DkimTenant()
    run(tenant, enabled=False, key_size=2048, body_canonicalization='Simple')
    assert tenant.writes == [('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False, 'KeySize': 2048,
                                                        'BodyCanonicalization': 'Simple'})]


def test_enabling_a_new_domain_creates_it_disabled_then_enables_it():
    tenant = DkimTenant(published=['contoso.com'])
    result, _warnings = run(tenant, enabled=True)
    assert tenant.writes == [('New-DkimSigningConfig', {'DomainName': 'contoso.com', 'Enabled': False}),
                             ('Set-DkimSigningConfig', {'Identity': 'contoso.com', 'Enabled': True})]
    assert result['dkim']['Enabled'] is True and result['dkim']['Status'] == 'Valid'


# -- enabling refused -------------------------------------------------------------------------------------------


def test_enabling_without_the_cnames_fails_with_both_records_to_publish():
    tenant = DkimTenant()
    result, _warnings = run(tenant, enabled=True)
    record = tenant.configs['contoso.com']
    assert result['failed'] is True
    assert result['changed'] is True  # the configuration was created
    assert result['dns_records'] == records_of(record)
    assert result['domain'] == 'contoso.com'
    assert result['selector1_cname'] == record['Selector1CNAME']
    assert result['dkim']['Enabled'] is False
    assert 'selector1._domainkey.contoso.com CNAME %s' % record['Selector1CNAME'] in result['msg']
    assert 'selector2._domainkey.contoso.com CNAME %s' % record['Selector2CNAME'] in result['msg']
    assert 'CNAME record does not exist for this config' in result['msg']  # Exchange's own sentence
    assert 'Set-DkimSigningConfig' in result['msg']
    assert result['error']['type'] == 'InvalidParameter'


def test_enabling_an_existing_configuration_without_the_cnames_fails_without_a_change():
    tenant = DkimTenant([config('contoso.com')])
    result, _warnings = run(tenant, enabled=True)
    assert result['failed'] is True and result['changed'] is False
    assert result['dns_records'] == records_of(tenant.configs['contoso.com'])
    assert tenant.writes == [('Set-DkimSigningConfig', {'Identity': 'contoso.com', 'Enabled': True})]


def test_another_invalid_parameter_is_a_plain_failure():
    tenant = DkimTenant([config('contoso.com')])
    original = tenant.invoke

    def refuse_set(cmdlet, parameters):
        if cmdlet == 'Set-DkimSigningConfig':
            raise InvalidParameter('The value of BodyCanonicalization is not valid.', cmdlet=cmdlet)
        return original(cmdlet, parameters)
    tenant.invoke = refuse_set
    result, _warnings = run(tenant, enabled=True)
    assert result['failed'] is True and 'dns_records' not in result
    assert result['msg'] == 'Invalid parameter: The value of BodyCanonicalization is not valid. (Set-DkimSigningConfig)'


# -- idempotence, check mode, diff ------------------------------------------------------------------------------


def test_second_run_makes_no_write_call():
    tenant = DkimTenant([config('contoso.com', key_size=2048, enabled=True)])
    result, warnings = run(tenant, enabled=True, key_size=2048, header_canonicalization='Relaxed')
    assert result['changed'] is False
    assert tenant.writes == []
    assert warnings == []
    assert [call[0] for call in tenant.calls] == ['Get-DkimSigningConfig']


def test_check_mode_makes_no_write_call_and_predicts_a_new_configuration_without_targets():
    tenant = DkimTenant()
    result, _warnings = run(tenant, check_mode=True, diff=True, enabled=True, key_size=2048)
    assert tenant.writes == []
    assert result['changed'] is True
    assert result['dkim']['Enabled'] is True and result['dkim']['Selector1KeySize'] == 2048
    assert result['selector1_cname'] is None and 'dns_records' not in result
    assert result['diff']['before'] == {}
    assert result['diff']['after']['enabled'] is True


def test_check_mode_on_an_existing_configuration_shows_the_change_in_the_diff():
    tenant = DkimTenant([config('contoso.com')])
    result, _warnings = run(tenant, check_mode=True, diff=True, enabled=True)
    assert tenant.writes == []
    assert result['diff']['before']['enabled'] is False and result['diff']['after']['enabled'] is True
    assert result['diff']['after']['selector1_key_size'] == 1024
    assert result['dns_records'] == records_of(tenant.configs['contoso.com'])


# -- key size and rotation --------------------------------------------------------------------------------------


def test_another_key_size_on_an_existing_configuration_is_a_warning_not_a_change():
    tenant = DkimTenant([config('contoso.com', key_size=1024)])
    result, warnings = run(tenant, key_size=2048)
    assert result['changed'] is False and tenant.writes == []
    assert len(warnings) == 1 and 'rotate=true' in warnings[0] and '1024' in warnings[0]


def test_rotate_runs_rotate_with_the_key_size_and_reports_a_change():
    tenant = DkimTenant([config('contoso.com', key_size=1024)])
    result, warnings = run(tenant, key_size=2048, rotate=True, diff=True)
    assert tenant.writes == [('Rotate-DkimSigningConfig', {'Identity': 'contoso.com', 'KeySize': 2048})]
    assert result['changed'] is True
    assert (result['dkim']['Selector1KeySize'], result['dkim']['Selector2KeySize']) == (1024, 2048)
    assert result['diff']['before']['selector_after_rotate_on_date'] == 'selector1'
    assert result['diff']['after']['selector_after_rotate_on_date'] == 'selector2'
    assert warnings == []


def test_rotate_in_check_mode_makes_no_call_and_predicts_the_rotated_selector():
    tenant = DkimTenant([config('contoso.com', key_size=1024)])
    result, _warnings = run(tenant, key_size=2048, rotate=True, check_mode=True)
    assert tenant.writes == []
    assert result['changed'] is True
    assert (result['dkim']['Selector1KeySize'], result['dkim']['Selector2KeySize']) == (1024, 2048)


def test_rotate_without_key_size_sends_only_the_identity():
    tenant = DkimTenant([config('contoso.com')])
    run(tenant, rotate=True)
    assert tenant.writes == [('Rotate-DkimSigningConfig', {'Identity': 'contoso.com'})]


def test_a_configuration_created_by_the_task_is_not_rotated():
    tenant = DkimTenant()
    result, _warnings = run(tenant, enabled=False, rotate=True, key_size=2048)
    assert [call[0] for call in tenant.writes] == ['New-DkimSigningConfig']
    assert result['changed'] is True


# -- absent -----------------------------------------------------------------------------------------------------


def test_absent_removes_the_configuration_and_then_changes_nothing():
    tenant = DkimTenant([config('contoso.com', enabled=True)])
    result, _warnings = run(tenant, state='absent')
    assert tenant.writes == [('Remove-DkimSigningConfig', {'Identity': 'contoso.com'})]
    assert result['changed'] is True and result['dkim'] is None
    again, _warnings = run(tenant, state='absent')
    assert again['changed'] is False and len(tenant.writes) == 1


# -- refusals before any call, and failed reads -----------------------------------------------------------------


@pytest.mark.parametrize('options, option', [
    ({'domain': 'not a domain'}, 'domain'),
    ({'domain': 'admin@contoso.com'}, 'domain'),
    ({'key_size': 4096}, 'key_size'),
    ({'state': 'absent', 'enabled': True}, 'enabled'),
    ({'state': 'absent', 'rotate': True}, 'rotate'),
])
def test_bad_input_fails_before_any_call_naming_the_option(options, option):
    tenant = DkimTenant()
    result, _warnings = run(tenant, **options)
    assert result['failed'] is True
    assert result['msg'].startswith('Configuration error: %s:' % option)
    assert tenant.calls == []


def test_a_failed_read_is_not_absent_and_nothing_is_created():
    tenant = DkimTenant(fail_reads=Transient('HTTP 503', status=503))
    result, _warnings = run(tenant, enabled=False)
    assert result['failed'] is True and result['error']['type'] == 'Transient'
    assert tenant.writes == []


def test_several_configurations_for_one_domain_is_an_error():
    tenant = DkimTenant()
    tenant.configs = {'a': config('contoso.com'), 'b': dict(config('contoso.com'), Domain='CONTOSO.COM')}
    result, _warnings = run(tenant, enabled=False)
    assert result['failed'] is True and '2 DKIM signing configurations' in result['msg']
    assert tenant.writes == []


def test_a_lost_answer_to_new_is_never_sent_again_when_the_configuration_exists():
    tenant = DkimTenant(published=['contoso.com'])
    original = tenant.invoke

    def lose_new_answer(cmdlet, parameters):
        answer = original(cmdlet, parameters)
        if cmdlet == 'New-DkimSigningConfig':
            raise Transient('connection dropped', cmdlet=cmdlet)
        return answer
    tenant.invoke = lose_new_answer
    result, _warnings = run(tenant, enabled=True)
    assert [call[0] for call in tenant.writes] == ['New-DkimSigningConfig', 'Set-DkimSigningConfig']
    assert result['changed'] is True and result['dkim']['Enabled'] is True


def test_enabled_with_status_other_than_valid_warns():
    tenant = DkimTenant([dict(config('contoso.com', enabled=True), Status='CnameMissing')])
    result, warnings = run(tenant, enabled=True)
    assert result['changed'] is False
    assert any('Status CnameMissing' in warning for warning in warnings)
