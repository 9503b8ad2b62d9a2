# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's admin API: call log, tenant state, tenants."""

from emulator_lab import APPS, CONTOSO, FABRIKAM, FABRIKAM_ADMIN


def test_call_log_records_reads_writes_and_refusals(fresh_contoso):
    lab = fresh_contoso
    lab.invoke('Get-OrganizationConfig', headers={'client-request-id': 'req-1'})
    lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    lab.invoke('Set-OrganizationConfig', {'Nonsense': True})
    lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': False}, token=lab.token('reader'))
    calls = lab.admin('GET', 'calls').json()['calls']
    summary = [(call['cmdlet'], call['status'], call['write'], call['exception']) for call in calls]
    assert summary == [
        ('Get-OrganizationConfig', 200, False, None),
        ('Set-OrganizationConfig', 200, True, None),
        ('Set-OrganizationConfig', 400, True, 'AmbiguousParameterSetException'),
        ('Set-OrganizationConfig', 401, True, 'CmdletAccessDeniedException'),
    ]
    assert [call['seq'] for call in calls] == sorted(call['seq'] for call in calls)
    assert calls[0]['client_request_id'] == 'req-1'
    assert calls[0]['tenant'] == CONTOSO and calls[0]['app'] == APPS['admin']['client_id']
    assert calls[1]['parameters'] == {'RejectDirectSend': True}
    assert calls[3]['app'] == APPS['reader']['client_id']
    assert calls[0]['anchor_mailbox'].startswith('APP:SystemMailbox')


def test_call_log_names_the_tenant_each_token_was_issued_for(fresh_contoso):
    lab = fresh_contoso
    fabrikam_token = lab.token(FABRIKAM_ADMIN['client_id'], tenant_id=FABRIKAM)
    lab.invoke('Get-OrganizationConfig')
    lab.invoke('Get-OrganizationConfig', token=fabrikam_token, tenant_segment=FABRIKAM)
    lab.invoke('Get-OrganizationConfig', token=fabrikam_token, tenant_segment=CONTOSO)
    calls = lab.admin('GET', 'calls').json()['calls']
    assert [(call['tenant'], call['token_tenant'], call['app'], call['status']) for call in calls] == [
        (CONTOSO, CONTOSO, APPS['admin']['client_id'], 200),
        (FABRIKAM, FABRIKAM, FABRIKAM_ADMIN['client_id'], 200),
        (CONTOSO, FABRIKAM, FABRIKAM_ADMIN['client_id'], 401),
    ]


def test_call_log_filters_and_clears(fresh_contoso):
    lab = fresh_contoso
    lab.invoke('Get-OrganizationConfig')
    lab.invoke('Get-AcceptedDomain')
    assert [call['cmdlet'] for call in lab.admin('GET', 'calls?cmdlet=get-accepteddomain').json()['calls']] == ['Get-AcceptedDomain']
    first_seq = lab.admin('GET', 'calls').json()['calls'][0]['seq']
    assert len(lab.admin('GET', 'calls?since=%d' % first_seq).json()['calls']) == 1
    assert lab.admin('DELETE', 'calls').json() == {'cleared': 2}
    assert lab.admin('GET', 'calls').json() == {'calls': []}


def test_unauthenticated_calls_are_logged_without_an_app(fresh_contoso):
    lab = fresh_contoso
    lab.http.post(lab.invoke_url(), json={'CmdletInput': {'CmdletName': 'Set-OrganizationConfig', 'Parameters': {}}})
    call = lab.admin('GET', 'calls').json()['calls'][0]
    assert (call['status'], call['app'], call['token_tenant'], call['write']) == (401, None, None, True)


def test_state_has_every_kind(lab):
    state = lab.state(FABRIKAM)
    assert set(state) == {'organization_config', 'accepted_domains', 'inbound_connectors', 'transport_rules', 'dkim_signing_configs',
                          'antiphish_policies', 'hosted_content_filter_policies', 'hosted_connection_filter_policies'}
    assert state['organization_config']['RejectDirectSend'] is True
    assert state['organization_config']['Name'] == 'fabrikam.onmicrosoft.com'
    assert state['inbound_connectors'][0]['Name'] == 'From SEG'
    assert state['transport_rules'] == [] and state['dkim_signing_configs'] == []
    assert {domain['DomainName'] for domain in state['accepted_domains']} == {'fabrikam.com', 'fabrikam.onmicrosoft.com'}


def test_put_state_replaces_only_the_kinds_given(fresh_contoso):
    lab = fresh_contoso
    rules = [{'Name': 'Audit direct ingress', 'Priority': 0, 'Priority@data.type': 'System.Int32', 'State': 'Enabled', 'Mode': 'Audit'}]
    changes = {'transport_rules': rules, 'organization_config': {'RejectDirectSend': True}}
    response = lab.admin('PUT', 'tenants/contoso.onmicrosoft.com/state', changes)
    assert response.status_code == 200
    state = lab.state()
    # Kept as given, completed with what a new rule has.
    assert [{key: rule[key] for key in rules[0]} for rule in state['transport_rules']] == rules
    assert state['transport_rules'][0]['SenderIpRanges'] is None
    assert state['organization_config']['RejectDirectSend'] is True
    assert state['organization_config']['Name'] == 'contoso.onmicrosoft.com'
    assert len(state['accepted_domains']) == 5
    assert lab.invoke('Get-OrganizationConfig').json()['value'][0]['RejectDirectSend'] is True


def test_put_state_refuses_unknown_kinds_and_bad_shapes(lab):
    before = lab.state()
    assert lab.admin('PUT', 'tenants/%s/state' % CONTOSO, {'mailboxes': []}).status_code == 400
    assert lab.admin('PUT', 'tenants/%s/state' % CONTOSO, {'transport_rules': {'Name': 'x'}}).status_code == 400
    assert lab.admin('PUT', 'tenants/%s/state' % CONTOSO, {'organization_config': ['x']}).status_code == 400
    assert lab.state() == before


def test_unknown_tenant_and_endpoint_are_404(lab):
    assert lab.admin('GET', 'tenants/nobody.onmicrosoft.com/state').status_code == 404
    assert lab.admin('GET', 'nothing-here').status_code == 404


def test_tenants_lists_their_names(lab):
    tenants = {tenant['tenant_id']: tenant for tenant in lab.admin('GET', 'tenants').json()['tenants']}
    assert 'contoso.com' in tenants[CONTOSO]['names']
    assert tenants[FABRIKAM]['organization'] == 'fabrikam.onmicrosoft.com'
