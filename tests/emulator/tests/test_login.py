# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The identity side, driven by msal and by raw token requests."""

import base64
import hashlib
import time

import jwt
import msal
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key

from emulator_lab import APPS, CONTOSO, EXCHANGE_SCOPE, GRAPH_SCOPE


def _claims(token):
    return jwt.decode(token, options={'verify_signature': False})


def test_discovery_document_points_msal_at_the_token_endpoint(lab):
    for segment in (CONTOSO, 'contoso.onmicrosoft.com'):
        response = lab.http.get('%s/%s/v2.0/.well-known/openid-configuration' % (lab.info['login_url'], segment))
        assert response.status_code == 200
        document = response.json()
        assert document['token_endpoint'] == '%s/%s/oauth2/v2.0/token' % (lab.info['login_url'], segment)
        assert document['authorization_endpoint'].startswith(lab.info['login_url'])
        assert CONTOSO in document['issuer']
        keys = lab.http.get(document['jwks_uri']).json()['keys']
        assert keys and keys[0]['kty'] == 'RSA'


def test_discovery_of_an_unknown_tenant_is_refused(lab):
    response = lab.http.get('%s/nobody.onmicrosoft.com/v2.0/.well-known/openid-configuration' % lab.info['login_url'])
    assert response.status_code == 400
    assert 'AADSTS90002' in response.json()['error_description']


def test_client_secret_gets_an_exchange_token_with_tenant_app_and_role(lab):
    claims = _claims(lab.token('admin'))
    assert claims['aud'] == 'https://outlook.office365.com'
    assert claims['tid'] == CONTOSO
    assert claims['appid'] == APPS['admin']['client_id']
    assert claims['roles'] == ['Exchange.ManageAsApp']
    assert claims['exp'] > time.time() + 3000


def test_token_answer_has_entra_fields(lab):
    response = lab.token_request({'client_id': APPS['admin']['client_id'], 'client_secret': 'admin-secret',
                                  'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE})
    assert response.status_code == 200
    body = response.json()
    assert body['token_type'] == 'Bearer'
    assert body['expires_in'] == 3599 and body['ext_expires_in'] == 3599


def test_certificate_assertion_gets_a_token(lab):
    token = lab.token('admin_cert')
    claims = _claims(token)
    assert claims['appid'] == APPS['admin_cert']['client_id']
    assert claims['appidacr'] == '2'
    assert lab.invoke('Get-OrganizationConfig', token=token).status_code == 200


def test_token_for_the_organization_domain_names_the_tenant_guid(lab):
    result = lab.msal_app('admin', tenant_segment='contoso.onmicrosoft.com').acquire_token_for_client([EXCHANGE_SCOPE])
    assert _claims(result['access_token'])['tid'] == CONTOSO


def test_wrong_secret_is_invalid_client_and_never_echoed(lab):
    result = msal.ConfidentialClientApplication(
        APPS['admin']['client_id'], client_credential='not-the-secret', authority='%s/%s' % (lab.info['login_url'], CONTOSO),
        instance_discovery=False, http_client=lab.http).acquire_token_for_client([EXCHANGE_SCOPE])
    assert result['error'] == 'invalid_client'
    assert 7000215 in result['error_codes']
    assert 'not-the-secret' not in str(result)
    assert 'admin-secret' not in str(result)


def test_unknown_app_is_unauthorized_client(lab):
    response = lab.token_request({'client_id': '99999999-9999-4999-8999-999999999999', 'client_secret': 'x',
                                  'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE})
    assert response.status_code == 400
    body = response.json()
    assert body['error'] == 'unauthorized_client'
    assert body['error_description'].startswith("AADSTS700016: Application with identifier '99999999-9999-4999-8999-999999999999' "
                                                "was not found in the directory '%s'" % CONTOSO)
    assert body['trace_id'] and body['correlation_id'] and body['timestamp']


def test_unknown_tenant_is_invalid_request(lab):
    response = lab.token_request({'client_id': APPS['admin']['client_id'], 'client_secret': 'admin-secret',
                                  'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE}, tenant_segment='nobody.onmicrosoft.com')
    assert response.status_code == 400
    assert response.json()['error'] == 'invalid_request'
    assert "AADSTS90002: Tenant 'nobody.onmicrosoft.com' not found" in response.json()['error_description']


def test_a_scope_other_than_exchange_or_graph_is_invalid_scope(lab):
    response = lab.token_request({'client_id': APPS['admin']['client_id'], 'client_secret': 'admin-secret',
                                  'grant_type': 'client_credentials', 'scope': 'https://management.azure.com/.default'})
    assert response.status_code == 400
    assert response.json()['error'] == 'invalid_scope'
    assert response.json()['error_codes'] == [70011]


def test_graph_scope_gets_a_graph_token(lab):
    assert _claims(lab.token('admin', scope=GRAPH_SCOPE))['aud'] == 'https://graph.microsoft.com'


def test_certificate_not_registered_for_the_app_is_refused(lab):
    other = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert('someone-else.example', key_type=trustme.KeyType.RSA)
    other_cert = x509.load_pem_x509_certificate(other.cert_chain_pems[0].bytes())
    credential = {'private_key': other.private_key_pem.bytes().decode('ascii'),
                  'thumbprint': hashlib.sha1(other_cert.public_bytes(Encoding.DER)).hexdigest()}
    result = msal.ConfidentialClientApplication(
        APPS['admin_cert']['client_id'], client_credential=credential, authority='%s/%s' % (lab.info['login_url'], CONTOSO),
        instance_discovery=False, http_client=lab.http).acquire_token_for_client([EXCHANGE_SCOPE])
    assert result['error'] == 'invalid_client'
    assert 700027 in result['error_codes']


def _assertion(app_certificate, token_url, client_id, lifetime=600, key_pem=None):
    now = int(time.time())
    thumbprint = base64.urlsafe_b64encode(bytes.fromhex(app_certificate['thumbprint'])).rstrip(b'=').decode('ascii')
    key = load_pem_private_key((key_pem or app_certificate['private_key']).encode('ascii'), password=None)
    return jwt.encode({'aud': token_url, 'iss': client_id, 'sub': client_id, 'jti': str(now), 'nbf': now - 700, 'exp': now + lifetime},
                      key, algorithm='RS256', headers={'x5t': thumbprint})


def test_expired_assertion_is_refused(lab, app_certificate):
    token_url = '%s/%s/oauth2/v2.0/token' % (lab.info['login_url'], CONTOSO)
    client_id = APPS['admin_cert']['client_id']
    response = lab.token_request({'client_id': client_id, 'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE,
                                  'client_assertion_type': 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
                                  'client_assertion': _assertion(app_certificate, token_url, client_id, lifetime=-60)})
    assert response.status_code == 401
    assert response.json()['error_codes'] == [700024]


def test_assertion_for_another_audience_is_refused(lab, app_certificate):
    client_id = APPS['admin_cert']['client_id']
    response = lab.token_request({'client_id': client_id, 'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE,
                                  'client_assertion_type': 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
                                  'client_assertion': _assertion(app_certificate, 'https://login.example/other/token', client_id)})
    assert response.status_code == 401
    assert response.json()['error'] == 'invalid_client'


def test_assertion_signed_by_another_key_fails_signature_validation(lab, app_certificate):
    token_url = '%s/%s/oauth2/v2.0/token' % (lab.info['login_url'], CONTOSO)
    client_id = APPS['admin_cert']['client_id']
    impostor_key = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert('x.example', key_type=trustme.KeyType.RSA).private_key_pem.bytes().decode('ascii')
    response = lab.token_request({'client_id': client_id, 'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE,
                                  'client_assertion_type': 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
                                  'client_assertion': _assertion(app_certificate, token_url, client_id, key_pem=impostor_key)})
    assert response.status_code == 401
    assert 'AADSTS700027: Client assertion failed signature validation.' in response.json()['error_description']


def test_token_requests_are_counted_per_tenant_and_app(lab):
    lab.admin('DELETE', 'tokens')
    lab.token('admin')
    lab.token('admin')
    lab.token_request({'client_id': APPS['reader']['client_id'], 'client_secret': 'wrong', 'grant_type': 'client_credentials',
                       'scope': EXCHANGE_SCOPE})
    summary = lab.admin('GET', 'tokens').json()
    counts = {entry['client_id']: entry for entry in summary['tokens']}
    assert counts[APPS['admin']['client_id']]['count'] == 2
    assert counts[APPS['admin']['client_id']]['issued'] == 2
    assert counts[APPS['reader']['client_id']] == {'tenant': CONTOSO, 'client_id': APPS['reader']['client_id'], 'count': 1, 'issued': 0}
    assert summary['total'] == 3
    lab.admin('DELETE', 'tokens')
    assert lab.admin('GET', 'tokens').json() == {'tokens': [], 'total': 0}


def test_msal_serves_a_cached_token_without_asking_again(lab):
    lab.admin('DELETE', 'tokens')
    application = lab.msal_app('reader')
    first = application.acquire_token_for_client([EXCHANGE_SCOPE])
    second = application.acquire_token_for_client([EXCHANGE_SCOPE])
    assert first['access_token'] == second['access_token']
    assert lab.admin('GET', 'tokens').json()['total'] == 1
