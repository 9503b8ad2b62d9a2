# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who may call InvokeCommand: token, tenant, consent and Entra role, as Exchange Online decides."""

import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator_lab import CONTOSO, FABRIKAM, FABRIKAM_ADMIN, GRAPH_SCOPE


def test_request_without_token_is_unauthorized(lab):
    response = lab.http.post(lab.invoke_url(), json={'CmdletInput': {'CmdletName': 'Get-OrganizationConfig', 'Parameters': {}}})
    assert response.status_code == 401
    assert response.json()['error']['code'] == 'Unauthorized'


def test_graph_token_is_refused_by_exchange(lab):
    response = lab.invoke('Get-OrganizationConfig', token=lab.token('admin', scope=GRAPH_SCOPE))
    assert response.status_code == 401
    assert response.json()['error']['code'] == 'Unauthorized'
    assert 'audience' in response.json()['error']['message']


def test_token_of_another_tenant_is_refused(lab):
    fabrikam_token = lab.token(FABRIKAM_ADMIN['client_id'], tenant_id=FABRIKAM)
    assert lab.invoke('Get-OrganizationConfig', token=fabrikam_token, tenant_segment=FABRIKAM).status_code == 200
    response = lab.invoke('Get-OrganizationConfig', token=fabrikam_token, tenant_segment=CONTOSO)
    assert response.status_code == 401
    assert response.json()['error']['code'] == 'Unauthorized'


def test_token_signed_by_someone_else_is_refused(lab):
    forged = jwt.encode({'aud': 'https://outlook.office365.com', 'tid': CONTOSO, 'appid': 'x', 'roles': ['Exchange.ManageAsApp'],
                         'exp': int(time.time()) + 600}, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm='RS256')
    response = lab.invoke('Get-OrganizationConfig', token=forged)
    assert response.status_code == 401


def test_expired_token_is_refused(lab):
    token = lab.token('short_lived')
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200
    time.sleep(2.1)
    response = lab.invoke('Get-OrganizationConfig', token=token)
    assert response.status_code == 401
    assert 'expired' in response.json()['error']['message']


def test_app_without_consent_gets_401(lab):
    response = lab.invoke('Get-OrganizationConfig', token=lab.token('no_consent'))
    assert response.status_code == 401


def test_app_without_entra_role_gets_403_with_nul_bytes(lab):
    response = lab.invoke('Get-OrganizationConfig', token=lab.token('no_role'))
    assert response.status_code == 403
    assert response.content and set(response.content) == {0}
    assert response.headers['Content-Type'].startswith('application/json')


def test_global_reader_reads_but_may_not_write(fresh_contoso):
    lab = fresh_contoso
    token = lab.token('reader')
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200
    assert lab.invoke('Get-AcceptedDomain', token=token).status_code == 200
    response = lab.invoke('Set-OrganizationConfig', {'RejectDirectSend': True}, token=token)
    assert response.status_code == 401
    error = response.json()['error']
    assert error['code'] == 'Unauthorized'
    assert error['message'] == 'User is not allowed to call Set-OrganizationConfig'
    assert error['innererror']['internalexception']['type'] == 'Microsoft.Exchange.Configuration.Authorization.CmdletAccessDeniedException'
    assert error['details'][0]['message'].startswith('Ex5E8EA4|Microsoft.Exchange.Configuration.Authorization.CmdletAccessDeniedException|')
    assert lab.state()['organization_config']['RejectDirectSend'] is False


def test_security_reader_may_not_write_either(fresh_contoso):
    response = fresh_contoso.invoke('Set-OrganizationConfig', {'RejectDirectSend': True}, token=fresh_contoso.token('security_reader'))
    assert response.status_code == 401
    assert fresh_contoso.state()['organization_config']['RejectDirectSend'] is False


def test_tenant_may_be_named_by_its_domain_in_the_url(lab):
    response = lab.invoke('Get-OrganizationConfig', tenant_segment='contoso.onmicrosoft.com')
    assert response.status_code == 200
    assert response.json()['value'][0]['Name'] == 'contoso.onmicrosoft.com'


def test_client_request_id_is_echoed(lab):
    response = lab.invoke('Get-OrganizationConfig', headers={'client-request-id': 'c0ffee00-0000-4000-8000-000000000001'})
    assert response.headers['client-request-id'] == 'c0ffee00-0000-4000-8000-000000000001'


def test_graph_hunting_endpoint_wants_a_graph_token(lab):
    url = lab.info['graph_url'] + '/v1.0/security/runHuntingQuery'
    query = {'Query': 'EmailEvents | take 1'}
    refused = lab.http.post(url, json=query, headers={'Authorization': 'Bearer ' + lab.token('admin')})
    assert refused.status_code == 401
    assert refused.json()['error']['code'] == 'InvalidAuthenticationToken'
    answered = lab.http.post(url, json=query, headers={'Authorization': 'Bearer ' + lab.token('admin', scope=GRAPH_SCOPE)})
    assert answered.status_code == 200
    assert set(answered.json()) >= {'schema', 'results'}
