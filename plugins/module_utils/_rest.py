# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The primary transport: Exchange cmdlets over ``/adminapi/beta/{tenant}/InvokeCommand`` (rest-protocol.md).

Private to this collection; may change without notice.

It uses ``http.client`` rather than requests: a task pays for every import in a fresh worker, and one keep-alive
HTTPS connection per task is all this needs. A process that runs many tasks (the in-process action plugins, in the
controller's worker) installs a :func:`use_connection_cache` so TLS contexts and idle connections outlive one client.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import re
import socket
import ssl
import uuid

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    ConfigurationError, ExoError, InvalidParameter, Transient, error_from_response)
from ansible_collections.exoguard.mailflow.plugins.module_utils._retry import RetryPolicy
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import (
    InvokeResult, Transport, creates, strip_annotations)

try:
    from urllib.parse import quote, urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit  # type: ignore
    from urllib import quote  # type: ignore

# The arbitration mailbox every tenant has; anchoring on it routes the call to the tenant's own servers.
SYSTEM_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}'
_GUID = re.compile(r'^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$')
_PAGINATION_EXPIRED = 'Expired or Invalid pagination request'


def anchor_mailbox(tenant, organization=None):
    """The ``X-AnchorMailbox`` header value: by tenant GUID where we have one, else by the organization's UPN."""
    if _GUID.match(tenant or ''):
        return 'APP:%s@%s' % (SYSTEM_MAILBOX, tenant)
    return 'UPN:%s@%s' % (SYSTEM_MAILBOX, organization or tenant)


_STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class _Failed(Exception):
    """A request that got no HTTP answer: ``sent`` says whether it left this host."""

    def __init__(self, error, sent):
        super(_Failed, self).__init__(str(error))
        self.error = error
        self.sent = sent


#: Where clients get TLS contexts and park idle connections; None (a module process): each client makes its own
#: context and closes its connection when it is done.
_connection_cache = None


def use_connection_cache(cache):
    """Make every client created from now on in this process use ``cache``, an object with
    ``ssl_context(ca_path, validate_certs, make)`` (a context for those settings, made with ``make(ca_path,
    validate_certs)`` the first time), ``take(key)`` (an idle connection for ``key``, or None) and
    ``keep(key, connection)`` (park an idle connection). A key names tenant, base URL and TLS settings, so a
    connection is only ever reused for the same tenant and endpoint; it carries no token (each request sends its own).
    ``None`` turns the cache off."""
    global _connection_cache
    _connection_cache = cache


def _retry_after(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


class JsonApi:
    """POST JSON to one HTTPS API with an app-only bearer token, over one keep-alive connection.

    The shared part of the Exchange admin API transport and the Microsoft Graph client: TLS settings, the token
    (one fresh token and one more try after a 401), a resend on a kept-alive connection the server had closed, and
    connection failures as typed errors that say whether the request left this host. Subclasses add their headers
    (``_headers``) and read the answer.
    """

    #: The option that names the base URL, for error messages.
    url_option = 'api_url'

    def __init__(self, base_url, tenant, token_provider, retry_policy=None, ca_path=None, validate_certs=True,
                 timeout=60, connection_factory=None):
        parts = urlsplit(base_url or '')
        if parts.scheme != 'https' or not parts.hostname:
            raise ConfigurationError('%s %r is not an https:// URL' % (self.url_option, base_url))
        self.tenant = tenant
        self.base_url = base_url.rstrip('/')
        self._host = parts.hostname
        self._port = parts.port or 443
        self._tokens = token_provider
        self._retry = retry_policy or RetryPolicy()
        self._timeout = timeout
        # A connection factory (tests) owns its connections: they never go to the cache.
        self._cache = _connection_cache if connection_factory is None else None
        if self._cache is not None:
            self._ssl_context = self._cache.ssl_context(ca_path, validate_certs, self._make_ssl_context)
        else:
            self._ssl_context = self._make_ssl_context(ca_path, validate_certs)
        self._cache_key = (str(tenant or '').lower(), self.base_url, ca_path, bool(validate_certs), timeout)
        self._connection_factory = connection_factory or self._new_connection
        self._connection = None

    @staticmethod
    def _make_ssl_context(ca_path, validate_certs):
        if not validate_certs:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        try:
            return ssl.create_default_context(cafile=ca_path)
        except (IOError, OSError, ssl.SSLError) as error:
            raise ConfigurationError('ca_path %s cannot be used as a CA bundle: %s' % (ca_path, error))

    def _new_connection(self):
        return http.client.HTTPSConnection(self._host, self._port, timeout=self._timeout, context=self._ssl_context)

    def _headers(self, request_id, token):
        return {
            'Authorization': 'Bearer ' + token,
            'Content-Type': 'application/json',
            'Accept': 'application/json',
            'client-request-id': request_id,
        }

    def _request(self, url, body, operation, repeatable):
        """POST ``body`` to ``url``; returns ``(status, payload, headers, request_id)``. A 401 gets one fresh token
        and one more try; a token that cannot be had raises with ``not_processed`` (nothing was sent)."""
        request_id = str(uuid.uuid4())
        try:
            token = self._tokens.token()
        except ExoError as error:
            error.not_processed = True
            raise error.with_context(self.tenant, operation)
        status, payload, headers = self._send(url, body, request_id, token, operation, repeatable)
        if status == 401:
            # A cached token can be revoked or outlive a credential change: one fresh token, one more try.
            try:
                token = self._tokens.token(refresh=True)
            except ExoError as error:
                raise error.with_context(self.tenant, operation)
            status, payload, headers = self._send(url, body, request_id, token, operation, repeatable)
        return status, payload, headers, request_id

    def _send(self, url, body, request_id, token, operation, repeatable):
        parts = urlsplit(url)
        path = parts.path + ('?' + parts.query if parts.query else '')
        headers = self._headers(request_id, token)
        if not repeatable:
            # A kept-alive connection the server closed in the meantime fails like a lost answer; a call that must
            # not run twice goes on a fresh connection, so a failure after sending really means "answer lost".
            self._drop()
        elif self._connection is None and self._cache is not None:
            self._connection = self._cache.take(self._cache_key)
        reused = self._connection is not None
        try:
            return self._exchange(path, body, headers)
        except _Failed as failure:
            if reused and isinstance(failure.error, _STALE_CONNECTION):
                # A kept-alive connection the server had already closed: nothing was processed, so resend once.
                try:
                    return self._exchange(path, body, headers)
                except _Failed as second:
                    failure = second
            raise self._connection_error(failure, request_id, operation)

    def _exchange(self, path, body, headers):
        if self._connection is None:
            self._connection = self._connection_factory()
        sent = False
        try:
            self._connection.request('POST', path, body=body, headers=headers)
            sent = True
            response = self._connection.getresponse()
            payload = response.read()
            return response.status, payload, dict((k.title(), v) for k, v in response.getheaders())
        except (socket.timeout, ssl.SSLError, OSError, http.client.HTTPException) as error:
            self._drop()
            raise _Failed(error, sent)

    def _connection_error(self, failure, request_id, operation):
        error = failure.error
        if isinstance(error, ssl.SSLCertVerificationError):
            return ConfigurationError('the TLS certificate of %s was not accepted: %s (set ca_path to the CA that '
                                      'issued it)' % (self._host, error.verify_message or error),
                                      tenant=self.tenant, cmdlet=operation)
        # Failed before sending: nothing reached the service. After sending, it may have acted.
        return Transient('%s talking to %s %s' % (type(error).__name__, self._host,
                                                  'after the request was sent' if failure.sent else 'before sending'),
                         tenant=self.tenant, cmdlet=operation, request_id=request_id, not_processed=not failure.sent)

    def close(self):
        """Done with this client: its idle connection goes to the connection cache when there is one, else is closed."""
        if self._connection is not None and self._cache is not None:
            connection, self._connection = self._connection, None
            self._cache.keep(self._cache_key, connection)
        else:
            self._drop()

    def _drop(self):
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


class RestTransport(JsonApi, Transport):
    """Runs cmdlets through InvokeCommand with an app-only token.

    ``list_cmdlets`` is the set of cmdlets that take ``ResultSize: Unlimited``; the transport adds it unless the
    caller set ResultSize. Every ``@odata.nextLink`` is followed with the same body and anchor. Warnings
    (``@adminapi.warnings``) are returned with the records.
    """

    def __init__(self, api_url, tenant, token_provider, organization=None, retry_policy=None, ca_path=None,
                 validate_certs=True, timeout=60, list_cmdlets=frozenset(), connection_factory=None):
        super(RestTransport, self).__init__(api_url, tenant, token_provider, retry_policy=retry_policy, ca_path=ca_path,
                                            validate_certs=validate_certs, timeout=timeout,
                                            connection_factory=connection_factory)
        self.api_url = self.base_url
        self._anchor = anchor_mailbox(tenant, organization)
        self._list_cmdlets = list_cmdlets

    @property
    def invoke_url(self):
        return '%s/adminapi/beta/%s/InvokeCommand' % (self.api_url, quote(self.tenant, safe='@.'))

    def invoke(self, cmdlet, parameters):
        parameters = dict(parameters or {})
        if cmdlet in self._list_cmdlets and not any(name.lower() == 'resultsize' for name in parameters):
            parameters['ResultSize'] = 'Unlimited'
        body = json.dumps({'CmdletInput': {'CmdletName': cmdlet, 'Parameters': parameters}}).encode('utf-8')
        repeatable = not creates(cmdlet)
        url, pages, records, warnings = self.invoke_url, 0, [], []
        while url:
            envelope = self._retry.run(lambda: self._post(url, body, cmdlet, pages, repeatable), repeatable=repeatable)
            records.extend(strip_annotations(record) for record in envelope.get('value') or [])
            for warning in envelope.get('@adminapi.warnings') or []:
                if warning not in warnings:
                    warnings.append(warning)
            url = envelope.get('@odata.nextLink')
            pages += 1
        return InvokeResult(records, warnings)

    def _post(self, url, body, cmdlet, page, repeatable):
        status, payload, headers, request_id = self._request(url, body, cmdlet, repeatable)
        if 200 <= status < 300:
            return self._envelope(payload, status, cmdlet, request_id)
        error = error_from_response(status, payload, tenant=self.tenant, cmdlet=cmdlet, request_id=request_id,
                                    retry_after=_retry_after(headers.get('Retry-After')))
        if page and _PAGINATION_EXPIRED in (error.message or ''):
            raise InvalidParameter('the result pages expired before all were read (%s); run the task again'
                                   % error.message, tenant=self.tenant, cmdlet=cmdlet, status=status,
                                   request_id=request_id)
        raise error

    def _envelope(self, payload, status, cmdlet, request_id):
        try:
            envelope = json.loads(payload.decode('utf-8'))
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get('value', []), list):
            raise Transient('HTTP %s with an answer that is not an InvokeCommand envelope' % status,
                            tenant=self.tenant, cmdlet=cmdlet, status=status, request_id=request_id)
        return envelope

    def _headers(self, request_id, token):
        headers = super(RestTransport, self)._headers(request_id, token)
        headers.update({'X-ResponseFormat': 'json', 'X-AnchorMailbox': self._anchor, 'Prefer': 'odata.maxpagesize=1000'})
        return headers
