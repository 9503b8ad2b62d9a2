# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The identity side: what ``https://login.microsoftonline.com`` does for a confidential client.

- ``GET /<tenant>/v2.0/.well-known/openid-configuration`` (what msal reads first),
- ``GET /<tenant>/discovery/v2.0/keys`` (the emulator's token-signing key),
- ``POST /<tenant>/oauth2/v2.0/token`` with ``grant_type=client_credentials`` and a client secret or a
  certificate-signed client assertion (RS256 with ``x5t``, or PS256 with ``x5t#S256``, as msal sends them).

Refusals use Entra's error body (``error``, ``error_description`` with its AADSTS code, ``error_codes``,
``timestamp``, ``trace_id``, ``correlation_id``) and its codes. No secret or assertion is ever logged or echoed.
"""

import hmac
import time
import uuid

import jwt

from exo_emulator import clock, tokens
from exo_emulator.web import Answer

CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
_SCOPES = {resource.lower() + '/.default': resource for resource in tokens.RESOURCES}


class LoginRefusal(Exception):
    """A token request Entra would refuse: HTTP ``status``, OAuth ``error`` and the AADSTS ``code`` and text."""

    def __init__(self, status, error, code, text):
        super().__init__(text)
        self.status = status
        self.error = error
        self.code = code
        self.text = text


class LoginService:
    """The login endpoints over a directory of tenants."""

    def __init__(self, directory, authority, token_log, fault_book):
        self.directory = directory
        self.authority = authority
        self.token_log = token_log
        self.fault_book = fault_book

    # -- discovery -------------------------------------------------------------------------------------------

    def openid_configuration(self, request, tenant_segment):
        tenant = self.directory.tenant(tenant_segment)
        if tenant is None:
            return self._refusal_answer(request, _tenant_not_found(tenant_segment))
        base = '%s/%s' % (request.base_url, tenant_segment)
        issuer = '%s/%s/v2.0' % (request.base_url, tenant.tenant_id)
        return Answer.json(200, {
            'token_endpoint': base + '/oauth2/v2.0/token',
            'token_endpoint_auth_methods_supported': ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            'jwks_uri': '%s/%s/discovery/v2.0/keys' % (request.base_url, tenant.tenant_id),
            'response_modes_supported': ['query', 'fragment', 'form_post'],
            'subject_types_supported': ['pairwise'],
            'id_token_signing_alg_values_supported': ['RS256'],
            'response_types_supported': ['code', 'id_token', 'code id_token', 'id_token token'],
            'scopes_supported': ['openid', 'profile', 'email', 'offline_access'],
            'issuer': issuer,
            'request_uri_parameter_supported': False,
            'authorization_endpoint': base + '/oauth2/v2.0/authorize',
            'device_authorization_endpoint': base + '/oauth2/v2.0/devicecode',
            'end_session_endpoint': base + '/oauth2/v2.0/logout',
            'tenant_region_scope': 'EU',
            'cloud_instance_name': 'microsoftonline.com',
        })

    def keys(self, request, tenant_segment):
        return Answer.json(200, self.authority.jwks())

    # -- tokens ----------------------------------------------------------------------------------------------

    def token(self, request, tenant_segment):
        form = request.form()
        tenant = self.directory.tenant(tenant_segment)
        client_id = form.get('client_id')
        fault = self.fault_book.take('token', tenant.names() if tenant else {tenant_segment}, None, client_id)
        if fault is not None:
            if fault.latency_ms:
                time.sleep(fault.latency_ms / 1000.0)
            if fault.answers:
                self.token_log.record(tenant.tenant_id if tenant else tenant_segment, client_id, issued=False)
                return Answer.dropped() if fault.drop else self._fault_answer(request, fault)
        try:
            app, credential_kind, resource = self._authenticate(request, tenant, tenant_segment, form)
        except LoginRefusal as refusal:
            self.token_log.record(tenant.tenant_id if tenant else tenant_segment, client_id, issued=False)
            return self._refusal_answer(request, refusal)
        access_token, lifetime = self.authority.issue(tenant.tenant_id, app, resource, credential_kind)
        self.token_log.record(tenant.tenant_id, app.client_id, issued=True)
        return Answer.json(200, {'token_type': 'Bearer', 'expires_in': lifetime, 'ext_expires_in': lifetime,
                                 'access_token': access_token},
                           headers={'Cache-Control': 'no-store, no-cache', 'Pragma': 'no-cache'})

    def _authenticate(self, request, tenant, tenant_segment, form):
        """``(app, credential kind, resource)`` for a request Entra would grant; raises LoginRefusal."""
        if tenant is None:
            raise _tenant_not_found(tenant_segment)
        if form.get('grant_type') != 'client_credentials':
            raise LoginRefusal(400, 'unsupported_grant_type', 70003,
                               'The app requested an unsupported grant type \'%s\'.' % form.get('grant_type', ''))
        client_id = form.get('client_id')
        if not client_id:
            raise LoginRefusal(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.")
        app = tenant.app(client_id)
        if app is None:
            raise LoginRefusal(400, 'unauthorized_client', 700016,
                               "Application with identifier '%s' was not found in the directory '%s'. This can happen if the "
                               "application has not been installed by the administrator of the tenant or consented to by any user "
                               "in the tenant. You may have sent your authentication request to the wrong tenant."
                               % (client_id, tenant_segment))
        resource = self._resource(form.get('scope', ''))
        if form.get('client_assertion') is not None:
            self._check_assertion(request, tenant, app, form)
            return app, 'certificate', resource
        if form.get('client_secret') is not None:
            self._check_secret(app, form['client_secret'])
            return app, 'secret', resource
        raise LoginRefusal(401, 'invalid_client', 7000218,
                           "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")

    @staticmethod
    def _resource(scope):
        scopes = scope.split()
        if len(scopes) == 1 and scopes[0].lower() in _SCOPES:
            return _SCOPES[scopes[0].lower()]
        raise LoginRefusal(400, 'invalid_scope', 70011,
                           "The provided request must include a 'scope' input parameter. The provided value for the input "
                           "parameter 'scope' is not valid. The scope %s is not valid." % scope)

    @staticmethod
    def _check_secret(app, secret):
        if app.client_secret is None or not hmac.compare_digest(app.client_secret.encode('utf-8'), secret.encode('utf-8')):
            raise LoginRefusal(401, 'invalid_client', 7000215,
                               'Invalid client secret provided. Ensure the secret being sent in the request is the client secret '
                               "value, not the client secret ID, for a secret added to app '%s'." % app.client_id)

    @staticmethod
    def _check_assertion(request, tenant, app, form):
        if form.get('client_assertion_type') != CLIENT_ASSERTION_TYPE:
            raise LoginRefusal(400, 'invalid_request', 7000216,
                               "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type "
                               "(client_assertion_type must be '%s')." % CLIENT_ASSERTION_TYPE)
        assertion = form['client_assertion']
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise LoginRefusal(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.')
        thumbprint_claim = 'x5t#S256' if 'x5t#S256' in header else 'x5t'
        # Base64url with or without padding: msal pads, RFC 7515 does not.
        thumbprint = str(header.get(thumbprint_claim) or '').rstrip('=')
        if app.certificate is None or thumbprint != app.certificate_thumbprints.get(thumbprint_claim):
            raise LoginRefusal(401, 'invalid_client', 700027,
                               "The certificate with identifier used to sign the client assertion is not registered on application. "
                               "[Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, "
                               "Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]"
                               % (thumbprint, app.client_id))
        try:
            claims = jwt.decode(assertion, app.certificate.public_key(), algorithms=['RS256', 'PS256'],
                                options={'verify_aud': False, 'verify_exp': False, 'verify_nbf': False, 'verify_iat': False})
        except jwt.PyJWTError:
            raise LoginRefusal(401, 'invalid_client', 700027, 'Client assertion failed signature validation.')
        now = time.time()
        if not isinstance(claims.get('exp'), (int, float)) or claims['exp'] <= now or claims.get('nbf', 0) > now + 300:
            raise LoginRefusal(401, 'invalid_client', 700024,
                               'Client assertion is not within its valid time range. Current time: %s, expiry time of assertion %s.'
                               % (clock.iso_time(), claims.get('exp')))
        if claims.get('iss') != app.client_id or claims.get('sub') != app.client_id:
            raise LoginRefusal(401, 'invalid_client', 700021,
                               "Client assertion application identifier doesn't match 'client_id' parameter.")
        audiences = claims.get('aud') if isinstance(claims.get('aud'), list) else [claims.get('aud')]
        valid = {'%s/%s/oauth2/v2.0/token' % (request.base_url, name) for name in tenant.names()}
        if not any(str(audience).rstrip('/').lower() in {url.lower() for url in valid} for audience in audiences):
            raise LoginRefusal(401, 'invalid_client', 50012, 'Client assertion audience claim does not match Realm issuer.')

    # -- answers ---------------------------------------------------------------------------------------------

    @staticmethod
    def _refusal_answer(request, refusal):
        return Answer.json(refusal.status, _error_body(request, refusal.error, refusal.code, refusal.text))

    @staticmethod
    def _fault_answer(request, fault):
        headers = {'Retry-After': str(int(fault.retry_after))} if fault.retry_after is not None else {}
        if fault.status == 429 or fault.status >= 500:
            body = _error_body(request, 'temporarily_unavailable', 90033, fault.message or 'A transient error has occurred. Please try again.')
        else:
            body = _error_body(request, 'invalid_request', 90000, fault.message or 'The request was refused (injected by the emulator).')
        return Answer.json(fault.status, body, headers=headers)


def _tenant_not_found(tenant_segment):
    return LoginRefusal(400, 'invalid_request', 90002,
                        "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct "
                        "cloud. Check with your subscription administrator, this may happen if there are no active subscriptions "
                        "for the tenant." % tenant_segment)


def _error_body(request, error, code, text):
    trace_id = str(uuid.uuid4())
    correlation_id = request.header('client-request-id') or str(uuid.uuid4())
    timestamp = clock.utc_now().strftime('%Y-%m-%d %H:%M:%SZ')
    return {
        'error': error,
        'error_description': 'AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s' % (code, text, trace_id, correlation_id, timestamp),
        'error_codes': [code], 'timestamp': timestamp, 'trace_id': trace_id, 'correlation_id': correlation_id,
        'error_uri': '%s/error?code=%d' % (request.base_url, code),
    }
