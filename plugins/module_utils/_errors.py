# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The failures a caller of the Exchange Online client can tell apart.

Private to this collection; may change without notice.

Every error carries the tenant and the cmdlet it happened on, and Exchange's own sentence, so a user reads
``Set-OrganizationConfig on contoso.onmicrosoft.com: <what Exchange said>``. No error ever carries a secret or a
token: messages are built only from what the service answered and from names the user gave.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re


class ExoError(Exception):
    """Base of every failure the client raises."""

    #: A short noun phrase for the kind of failure, used to start the message.
    kind = 'Exchange Online error'

    def __init__(self, message, tenant=None, cmdlet=None, status=None, exception_type=None, request_id=None,
                 retry_after=None, not_processed=False):
        self.message = message
        self.tenant = tenant
        self.cmdlet = cmdlet
        self.status = status
        self.exception_type = exception_type
        self.request_id = request_id
        #: Seconds the service asked us to wait (Retry-After), when it said.
        self.retry_after = retry_after
        #: True when the request surely never reached the service, so even a create may be sent again.
        self.not_processed = not_processed
        #: How many attempts were made before giving up; set by the retry policy.
        self.attempts = None
        super(ExoError, self).__init__(message)

    def __str__(self):
        where = ' on '.join(part for part in (self.cmdlet, self.tenant) if part)
        text = '%s: %s' % (self.kind, self.message)
        if where:
            text = '%s (%s)' % (text, where)
        if self.attempts and self.attempts > 1:
            text = '%s; gave up after %s attempts' % (text, self.attempts)
        if self.request_id:
            text = '%s [client-request-id %s]' % (text, self.request_id)
        return text

    def with_context(self, tenant=None, cmdlet=None):
        """Fill in the tenant and cmdlet where the raiser did not know them; returns self."""
        self.tenant = self.tenant or tenant
        self.cmdlet = self.cmdlet or cmdlet
        return self


class NotFound(ExoError):
    """The object does not exist: the only error that may be read as "absent"."""
    kind = 'Not found'


class InvalidParameter(ExoError):
    """Exchange refused a parameter (unknown name, bad type or enum value, failed validation)."""
    kind = 'Invalid parameter'


class AccessDenied(ExoError):
    """The app authenticated but may not run this cmdlet (missing role, read-only role on a write)."""
    kind = 'Access denied'


class AuthFailed(ExoError):
    """No token could be had: wrong secret or certificate, unknown app or tenant, no consent."""
    kind = 'Authentication failed'


class Throttled(ExoError):
    """HTTP 429 after every retry."""
    kind = 'Throttled'


class Transient(ExoError):
    """A failure that may pass (5xx, dropped connection, transient Exchange exception) after every retry."""
    kind = 'Transient failure'


class ConfigurationError(ExoError):
    """The caller's own settings are unusable (missing credential, unreadable certificate, bad URL)."""
    kind = 'Configuration error'


# Exception names the official module treats as passing (rest-protocol.md, "Throttling and retries").
TRANSIENT_EXCEPTIONS = (
    'ADTransientException',
    'DCOverloadedException',
    'SuitabilityDirectoryException',
    'ServerInMMException',
    'ADServerSettingsChangedException',
    'StorageTransientException',
)

# Exception types with which PowerShell's parameter binder and Exchange's validation refuse a parameter.
INVALID_PARAMETER_EXCEPTIONS = frozenset((
    'ParameterBindingException',
    'ParameterBindingValidationException',
    'ParameterBindingArgumentTransformationException',
    'ParameterTransformationException',
    'AmbiguousParameterSetException',
    'ValidationException',
    'ValidationMetadataException',
    'DataValidationException',
    'ArgumentException',
    'ArgumentNullException',
    'ArgumentOutOfRangeException',
    'PSArgumentException',
    'PSInvalidCastException',
    'RecipientTaskException',
))

# Exchange prefixes details with `ExXXXXXX|<.NET type>|`; some live answers leave the code out (`|<type>|`).
_DETAIL_PREFIX = re.compile(r'^\s*(?:Ex[0-9A-Fa-f]+)?\|([^|]*)\|(.*)$', re.DOTALL)


def split_detail(text):
    """``Ex6F9304|Some.Namespace.TypeName|sentence`` -> (``TypeName``, ``sentence``)."""
    match = _DETAIL_PREFIX.match(text or '')
    if not match:
        return None, text
    return match.group(1).rsplit('.', 1)[-1] or None, match.group(2).strip()


def _short_type(name):
    return name.rsplit('.', 1)[-1] if name else None


def parse_error_body(body):
    """Read Exchange's error envelope.

    Returns ``(message, exception_type, code)``. The message is taken from ``innererror.internalexception``, then
    ``details[0]`` (its ``ExXXXX|Type|`` prefix split off), then ``error.message``; the exception type from the same
    places. A body that is not the envelope (NUL bytes, HTML, empty) gives ``(None, None, None)``.
    """
    if isinstance(body, bytes):
        body = body.decode('utf-8', 'replace')
    try:
        document = json.loads(body) if body else None
    except ValueError:
        return None, None, None
    if not isinstance(document, dict) or not isinstance(document.get('error'), dict):
        return None, None, None
    error = document['error']
    code = error.get('code')
    inner = error.get('innererror') if isinstance(error.get('innererror'), dict) else {}
    internal = inner.get('internalexception') if isinstance(inner.get('internalexception'), dict) else {}
    details = error.get('details') if isinstance(error.get('details'), list) else []
    detail_type, detail_message = (None, None)
    if details and isinstance(details[0], dict) and details[0].get('message'):
        detail_type, detail_message = split_detail(details[0]['message'])
    message = internal.get('message') or detail_message or inner.get('message') or error.get('message')
    exception_type = _short_type(internal.get('type')) or detail_type or _short_type(inner.get('type'))
    return message, exception_type, code


def error_from_response(status, body, tenant=None, cmdlet=None, request_id=None, retry_after=None):
    """The typed error for an HTTP answer that was not a success."""
    message, exception_type, code = parse_error_body(body)
    if message is None:
        if status == 403:
            # An app with Exchange.ManageAsApp but no Entra role gets 403 with a body of NUL bytes.
            message = ('HTTP 403 with no error document: the app has no Exchange role in this tenant. Assign it '
                       'Exchange Administrator (or Global Reader for audit-only runs).')
        elif status == 401:
            message = 'HTTP 401: the token was refused (no Exchange.ManageAsApp consent, or a token for another API).'
        else:
            message = 'HTTP %s with no error document' % status
    cls = _classify(status, exception_type, code, message)
    # A throttled request was refused before any work was done, so even a create may be sent again.
    return cls(message, tenant=tenant, cmdlet=cmdlet, status=status, exception_type=exception_type,
               request_id=request_id, retry_after=retry_after, not_processed=(cls is Throttled))


def _classify(status, exception_type, code, message):
    if exception_type == 'ManagementObjectNotFoundException' or (status == 404 and code == 'NotFound'):
        return NotFound
    if exception_type in TRANSIENT_EXCEPTIONS or any(name in (message or '') for name in TRANSIENT_EXCEPTIONS):
        return Transient
    if status == 429:
        return Throttled
    if (exception_type == 'CmdletAccessDeniedException' or status == 403
            or (message or '').startswith('User is not allowed to call')):
        return AccessDenied
    if status == 401:
        return AuthFailed
    if exception_type in INVALID_PARAMETER_EXCEPTIONS or status == 400:
        return InvalidParameter
    if status is not None and status >= 500:
        return Transient
    return ExoError
