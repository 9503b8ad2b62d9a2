# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Microsoft Graph stand-in: ``POST /v1.0/security/runHuntingQuery`` over the tenant's EmailEvents.

Checks, in order: a bearer token of the emulator for ``https://graph.microsoft.com`` (else 401
``InvalidAuthenticationToken``); the token's tenant exists; its ``roles`` hold ``ThreatHunting.Read.All`` (else 403
``Forbidden``); the body is ``{"Query": "..."}`` (else 400 ``BadRequest``); the query is in the KQL subset of
``hunting`` (else 400 ``BadRequest`` with the parser's message). The answer is Graph's
``{"@odata.context", "schema": [{"name", "type"}], "results": [...]}``. Every call goes to the call log with
``service: graph``, ``cmdlet: runHuntingQuery`` and ``parameters: {"Query": ...}``.
"""

import time
import uuid

from exo_emulator import hunting, tokens
from exo_emulator.web import Answer

CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults'


class GraphApi:
    def __init__(self, authority, latency_ms=0, directory=None, call_log=None):
        self.authority = authority
        self.latency_ms = latency_ms
        self.directory = directory
        self.call_log = call_log

    def run_hunting_query(self, request):
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        log = {'tenant': None, 'app': None, 'query': None}
        answer = self._run(request, log)
        if self.call_log is not None:
            self.call_log.record(service='graph', tenant=log['tenant'], app=log['app'], token_tenant=log['tenant'],
                                 cmdlet='runHuntingQuery',
                                 parameters={'Query': log['query']} if log['query'] is not None else None, status=answer.status,
                                 write=False, client_request_id=request.header('client-request-id'), anchor_mailbox=None, fault=False,
                                 exception=log.get('error'), continuation=False, dropped=False)
        return answer

    def _run(self, request, log):
        scheme, _sep, token = request.header('Authorization', '').partition(' ')
        try:
            if scheme.lower() != 'bearer':
                raise tokens.InvalidToken('Access token is empty.')
            claims = self.authority.verify(token.strip())
        except tokens.InvalidToken as exc:
            return _graph_error(request, log, 401, 'InvalidAuthenticationToken', str(exc))
        log['app'] = claims.get('appid')
        log['tenant'] = claims.get('tid')
        if claims.get('aud') != tokens.GRAPH_RESOURCE:
            return _graph_error(request, log, 401, 'InvalidAuthenticationToken', 'Invalid audience.')
        tenant = self.directory.tenant(claims.get('tid')) if self.directory is not None else None
        if tenant is None:
            return _graph_error(request, log, 401, 'InvalidAuthenticationToken', 'The token was issued for an unknown tenant.')
        if tokens.GRAPH_HUNTING_ROLE not in (claims.get('roles') or []):
            return _graph_error(request, log, 403, 'Forbidden', 'Missing application permission %s: the caller is not allowed to run '
                                'hunting queries.' % tokens.GRAPH_HUNTING_ROLE)
        try:
            document = request.json()
        except ValueError:
            document = None
        query = document.get('Query', document.get('query')) if isinstance(document, dict) else None
        log['query'] = query
        if not isinstance(query, str):
            return _graph_error(request, log, 400, 'BadRequest', 'The request body must be {"Query": "<KQL>"}.')
        with tenant.lock:
            rows = list(tenant.mail.email_events)
        try:
            schema, results = hunting.run(query, rows)
        except hunting.QueryError as exc:
            return _graph_error(request, log, 400, 'BadRequest', str(exc))
        return Answer.json(200, {'@odata.context': CONTEXT, 'schema': schema, 'results': results},
                           headers={'request-id': str(uuid.uuid4())})


def _graph_error(request, log, status, code, message):
    log['error'] = code
    request_id = request.header('client-request-id') or str(uuid.uuid4())
    return Answer.json(status, {'error': {'code': code, 'message': message,
                                          'innerError': {'request-id': request_id, 'client-request-id': request_id}}})
