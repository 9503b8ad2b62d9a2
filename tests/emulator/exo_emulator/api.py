# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``POST /adminapi/beta/<tenant>/InvokeCommand``: run one cmdlet for one tenant, as Exchange Online does.

A call goes through the same gates as on the real service, in this order, and the first that refuses answers:

1. the bearer token: signed by the emulator, not expired, for ``https://outlook.office365.com``, for the tenant
   in the URL, carrying the ``Exchange.ManageAsApp`` role -> else 401 ``Unauthorized``;
2. an injected fault matching the call (``faults``; a ``lose_response`` fault lets the call run, then drops its answer);
3. the app's Entra role: none -> 403 with a body of NUL bytes (as measured live);
4. the request body and the cmdlet's existence -> 400 ``CommandNotFoundException``;
5. a read-only role (Global Reader, Security Reader) asking for anything but Get-* -> 401 ``CmdletAccessDeniedException``;
6. parameter binding against cmdlets.json (``validation``) -> 400;
7. a handler for the cmdlet -> else 501 "not emulated";
8. the handler, under the tenant's lock; Get-* results are then paged (``paging``).

Every call, refused or not, goes to the call log.
"""

import json
import math
import time
import uuid
from http import HTTPStatus

from exo_emulator import clixml, envelope, errors, paging, tokens, validation
from exo_emulator.cmdlets.registry import CmdletContext, handler_for
from exo_emulator.web import ODATA_JSON, Answer

# The measured answer to an app that has Exchange.ManageAsApp but no Entra role: 403 and NUL bytes.
NUL_BODY = b'\x00' * 16


class _Refusal(Exception):
    """A gate refused the call; ``answer`` is what the client gets, ``exception`` the logged .NET short name."""

    def __init__(self, answer, exception=None):
        super().__init__(exception)
        self.answer = answer
        self.exception = exception


class _Call:
    """What is known about one call so far, for the call log."""

    def __init__(self, request, tenant_segment):
        self.request = request
        self.tenant_segment = tenant_segment
        self.tenant = None
        self.app_id = None
        self.token_tenant = None
        self.cmdlet_name = None
        self.parameters = None
        self.body_problem = None
        self.fault = False
        self.lose_response = False
        self.continuation = False
        self.headers = {'request-id': str(uuid.uuid4())}
        client_request_id = request.header('client-request-id')
        if client_request_id:
            self.headers['client-request-id'] = client_request_id


class InvokeCommandApi:
    """The InvokeCommand endpoint over a directory of tenants."""

    def __init__(self, directory, catalogue, authority, call_log, fault_book, continuations, latency_ms=0):
        self.directory = directory
        self.catalogue = catalogue
        self.authority = authority
        self.call_log = call_log
        self.fault_book = fault_book
        self.continuations = continuations
        self.latency_ms = latency_ms

    def handle(self, request, tenant_segment):
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        call = _Call(request, tenant_segment)
        call.tenant = self.directory.tenant(tenant_segment)
        self._read_body(call)
        try:
            answer = self._run(call)
            exception = None
        except _Refusal as refusal:
            answer, exception = refusal.answer, refusal.exception
        except errors.CmdletError as error:
            answer, exception = self._error_answer(call, error), error.short_type
        if not answer.drop:
            answer.headers.update(call.headers)
        status = None if answer.drop else answer.status
        if call.lose_response:
            # The call has run (and any change is made); only its answer is lost on the way back.
            answer = Answer.dropped()
        self._log(call, answer, exception, status)
        return answer

    # -- the gates -------------------------------------------------------------------------------------------

    def _run(self, call):
        self._authenticate(call)
        fault_answer = self._apply_fault(call)
        if fault_answer is not None:
            return fault_answer
        app = call.tenant.app(call.app_id)
        if app is None or not app.has_role:
            raise _Refusal(Answer(403, NUL_BODY, content_type='application/json'))
        if call.body_problem:
            raise errors.invalid_request(call.body_problem)
        cmdlet = self.catalogue.cmdlet(call.cmdlet_name)
        if cmdlet is None:
            raise errors.command_not_found(call.cmdlet_name)
        call.cmdlet_name = cmdlet.name
        if not cmdlet.is_read and not app.may_write:
            raise errors.access_denied(cmdlet.name)
        bound = validation.bind_parameters(cmdlet, call.parameters)
        handler = handler_for(cmdlet.name)
        if handler is None:
            raise errors.not_emulated(cmdlet.name)
        skiptoken = call.request.query.get('$skiptoken')
        if skiptoken is not None:
            return self._continue(call, cmdlet, handler, skiptoken)
        with call.tenant.lock:
            result = handler.run(CmdletContext(call.tenant, app, cmdlet, call.request.base_url), bound)
        if not cmdlet.is_read:
            return self._success(call, handler, result.records, result.warnings)
        listing = paging.Listing(result.records, bound.get('ResultSize'))
        return self._page(call, handler, listing, 0, result.warnings)

    @staticmethod
    def _read_body(call):
        """Take the cmdlet name and parameters from the body, or note what is wrong with it (answered after
        authentication, as the service does)."""
        call.body_problem = 'The request body must be {"CmdletInput": {"CmdletName": "...", "Parameters": {...}}}.'
        try:
            document = call.request.json()
        except ValueError:
            return
        cmdlet_input = document.get('CmdletInput') if isinstance(document, dict) else None
        if not isinstance(cmdlet_input, dict) or not isinstance(cmdlet_input.get('CmdletName'), str):
            return
        call.cmdlet_name = cmdlet_input['CmdletName']
        call.parameters = cmdlet_input.get('Parameters', {})
        if isinstance(call.parameters, dict):
            call.body_problem = None
        else:
            call.body_problem = 'CmdletInput.Parameters must be an object ({} when there are none), not %s.' % type(call.parameters).__name__

    def _authenticate(self, call):
        authorization = call.request.header('Authorization', '')
        scheme, _sep, token = authorization.partition(' ')
        if scheme.lower() != 'bearer' or not token.strip():
            raise self._unauthorized('The request has no bearer token in its Authorization header.')
        try:
            claims = self.authority.verify(token.strip())
        except tokens.InvalidToken as exc:
            raise self._unauthorized(str(exc))
        call.app_id = claims.get('appid')
        call.token_tenant = claims.get('tid')
        if claims.get('aud') != tokens.EXCHANGE_RESOURCE:
            raise self._unauthorized("The access token's audience '%s' is not %s: request a token for the scope %s/.default."
                                     % (claims.get('aud'), tokens.EXCHANGE_RESOURCE, tokens.EXCHANGE_RESOURCE))
        if call.tenant is None or claims.get('tid') != call.tenant.tenant_id:
            raise self._unauthorized("The access token was issued for tenant '%s', not for '%s'." % (claims.get('tid'), call.tenant_segment))
        if tokens.EXCHANGE_APP_ROLE not in (claims.get('roles') or []):
            raise self._unauthorized('The access token has no %s role: the app has no admin consent for Office 365 Exchange Online.'
                                     % tokens.EXCHANGE_APP_ROLE)
        return claims

    def _unauthorized(self, message):
        authenticate = 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", token_types="app_asserted_user_v1 service_asserted_app_v1", ' \
                       'error="invalid_token"'
        return _Refusal(Answer.json(401, envelope.plain_error('Unauthorized', message), content_type=ODATA_JSON,
                                    headers={'WWW-Authenticate': authenticate}))

    # -- faults ----------------------------------------------------------------------------------------------

    def _apply_fault(self, call):
        fault = self.fault_book.take('invoke', call.tenant.names(), call.cmdlet_name, call.app_id)
        if fault is None:
            return None
        call.fault = fault.answers or fault.lose_response
        call.lose_response = fault.lose_response
        if fault.latency_ms:
            time.sleep(fault.latency_ms / 1000.0)
        if not fault.answers:
            return None
        if fault.drop:
            return Answer.dropped()
        headers = {}
        if fault.retry_after is not None:
            headers['Retry-After'] = str(int(math.ceil(fault.retry_after)))
        if fault.exception:
            error = errors.server_exception(fault.exception, fault.status, fault.message)
            error.headers.update(headers)
            raise error
        if fault.status == 403:
            raise _Refusal(Answer(403, NUL_BODY, content_type='application/json', headers=headers))
        raise _Refusal(Answer.json(fault.status, envelope.plain_error(*_fault_text(fault)), headers=headers, content_type=ODATA_JSON))

    # -- answers ---------------------------------------------------------------------------------------------

    def _continue(self, call, cmdlet, handler, skiptoken):
        call.continuation = True
        continuation = self.continuations.find(skiptoken, call.tenant.tenant_id, _request_key(cmdlet.name, call.parameters))
        if continuation is None or not cmdlet.is_read:
            raise errors.invalid_pagination()
        return self._page(call, handler, continuation.listing, continuation.offset, [],
                          page_size=paging.page_size_from(call.request.header('Prefer')) or continuation.page_size)

    def _page(self, call, handler, listing, offset, warnings, page_size=None):
        page_size = page_size or paging.page_size_from(call.request.header('Prefer')) or paging.DEFAULT_PAGE_SIZE
        records, more_served, warn = listing.page(offset, page_size)
        warnings = list(warnings)
        if warn:
            warnings.append(envelope.MORE_RESULTS_WARNING)
        next_link = None
        if more_served:
            token = self.continuations.open(call.tenant.tenant_id, _request_key(call.cmdlet_name, call.parameters), listing,
                                            offset + len(records), page_size)
            next_link = '%s/adminapi/beta/%s/InvokeCommand?%%24skiptoken=%s' % (call.request.base_url, call.tenant_segment, token)
        call.headers['Preference-Applied'] = 'odata.maxpagesize=%d' % page_size
        return self._success(call, handler, records, warnings, next_link)

    def _success(self, call, handler, records, warnings, next_link=None):
        if (call.request.header('X-ResponseFormat') or '').strip().lower() == 'json':
            value = records
        else:
            value = clixml.wrap_records(records, handler.record_type)
        body = envelope.success_envelope(call.request.base_url, call.tenant_segment, value, warnings, next_link)
        return Answer.json(200, body, content_type=ODATA_JSON)

    @staticmethod
    def _error_answer(call, error):
        return Answer.json(error.status, envelope.error_envelope(error), headers=error.headers, content_type=ODATA_JSON)

    def _log(self, call, answer, exception, status):
        self.call_log.record(
            tenant=call.tenant.tenant_id if call.tenant else call.tenant_segment, app=call.app_id, cmdlet=call.cmdlet_name,
            token_tenant=call.token_tenant,
            parameters=call.parameters if isinstance(call.parameters, dict) else None,
            status=status, write=_is_write(call.cmdlet_name),
            client_request_id=call.request.header('client-request-id'), anchor_mailbox=call.request.header('X-AnchorMailbox'),
            fault=call.fault, exception=exception, continuation=call.continuation, dropped=answer.drop)


def _is_write(cmdlet_name):
    """Every cmdlet but Get-* may change the tenant; a call whose cmdlet could not be read is not a write."""
    return bool(cmdlet_name) and not cmdlet_name.lower().startswith('get-')


def _request_key(cmdlet_name, parameters):
    """What a continuation must be replayed with: the same cmdlet and the same parameters."""
    return json.dumps([cmdlet_name.lower(), parameters], sort_keys=True, default=str)


def _fault_text(fault):
    codes = {429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceUnavailable', 504: 'GatewayTimeout', 401: 'Unauthorized'}
    try:
        phrase = HTTPStatus(fault.status).phrase
    except ValueError:
        phrase = 'Error'
    code = codes.get(fault.status, phrase.title().replace(' ', '').replace('-', ''))
    if fault.message:
        return code, fault.message
    if fault.status == 429:
        return code, 'The request was throttled. Retry after %s seconds.' % int(math.ceil(fault.retry_after or 1))
    if fault.status == 503:
        return code, 'The service is temporarily unavailable. Please retry later.'
    return code, '%s (injected by the emulator).' % phrase
