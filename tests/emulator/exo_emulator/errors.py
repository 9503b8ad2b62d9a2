# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The failures a cmdlet invocation can end in, each carrying what Exchange puts in its error envelope.

Validation and handlers raise :class:`CmdletError`; ``envelope.error_envelope`` turns it into the JSON body. The
shapes follow the live captures in shared/exo (graph2otel's ``errors_test.go``): binding errors say
``"Invalid Operation"`` outside and carry the real sentence in ``innererror.internalexception``; an unknown
parameter also has a ``details`` entry whose prefix is empty (``|Type|text``); an invalid enum value has no
``details`` at all. Errors raised while a cmdlet runs (not found, access denied, transient) carry an
``ExXXXXXX|Type|text`` details entry as rest-protocol.md documents.
"""

import hashlib

ODATA_SERVICE_EXCEPTION = 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException'

# A server name in the style of the "couldn't be found on '<DC>.PROD.OUTLOOK.COM'" sentences.
DOMAIN_CONTROLLER = 'EXOEMULATOR01DC01.PROD.OUTLOOK.COM'


class CmdletError(Exception):
    """A cmdlet invocation that failed; rendered as Exchange's error envelope.

    ``status`` is the HTTP status, ``code``/``message`` the outer ``error.code``/``error.message``,
    ``exception_type`` the full .NET type and ``text`` the real sentence. ``detail_prefix`` is the ``ExXXXXXX``
    code put before ``|Type|text`` in ``details[0]`` (``''`` for the empty prefix seen live, ``None`` for no
    ``details`` at all). ``detail_code`` is ``details[0].code``. ``headers`` are extra HTTP response headers.
    """

    def __init__(self, status, code, message, exception_type, text, detail_prefix=None, detail_code='Client',
                 warnings_inside=False, headers=None):
        super().__init__(text)
        self.status = status
        self.code = code
        self.message = message
        self.exception_type = exception_type
        self.text = text
        self.detail_prefix = detail_prefix
        self.detail_code = detail_code
        self.warnings_inside = warnings_inside
        self.headers = dict(headers or {})

    @property
    def short_type(self):
        """The exception's class name without its namespace (what clients classify on)."""
        return self.exception_type.rsplit('.', 1)[-1]


def ambiguous_parameters(names):
    """An unknown parameter name (live capture: 400, details with an empty prefix)."""
    return CmdletError(
        400, 'BadRequest', 'Invalid Operation',
        'Microsoft.Exchange.AdminApi.CommandInvocation.AmbiguousParameterSetException',
        'Parameter set cannot be resolved using the specified named parameters. Invalid cmdlet parameters specified. '
        + ', '.join(names),
        detail_prefix='')


def parameter_transformation(text):
    """A value that cannot be converted to the parameter's type (live capture: 400, no details)."""
    return CmdletError(
        400, 'BadRequest', 'Invalid Operation',
        'Microsoft.Exchange.AdminApi.CommandInvocation.ParameterTransformationException', text,
        warnings_inside=True)


def parameter_binding(text):
    """PowerShell refused to bind the parameters (missing mandatory, given twice, array for a scalar)."""
    return CmdletError(400, 'BadRequest', 'Invalid Operation', 'System.Management.Automation.ParameterBindingException', text,
                       detail_prefix='')


def command_not_found(name):
    """A cmdlet that Exchange Online does not have (or that cmdlets.json does not list)."""
    return CmdletError(
        400, 'BadRequest', 'Invalid Operation', 'System.Management.Automation.CommandNotFoundException',
        "The term '%s' is not recognized as a name of a cmdlet, function, script file, or executable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again." % name,
        detail_prefix='')


def invalid_request(text):
    """A request body the service cannot read as a cmdlet invocation."""
    return CmdletError(400, 'BadRequest', 'Invalid Operation', ODATA_SERVICE_EXCEPTION, text)


def object_not_found(identity):
    """The identity names no object: the only error a client may read as "absent"."""
    return CmdletError(
        404, 'NotFound', 'Error executing cmdlet',
        'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
        "The operation couldn't be performed because object '%s' couldn't be found on '%s'." % (identity, DOMAIN_CONTROLLER),
        detail_prefix='Ex6F9304')


def object_already_exists(distinguished_name):
    """A New-* for an object that exists. No exact text is public (cmdlet-behaviour.md section 6); this is
    Exchange's generic directory form."""
    return CmdletError(
        400, 'BadRequest', 'Error executing cmdlet', 'Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException',
        "The object '%s' already exists." % distinguished_name, detail_prefix='')


def validation_failed(text):
    """A cmdlet's own validation refused the request (``|Microsoft.Exchange.Management.Tasks.ValidationException|text``,
    as the DKIM CNAME and accepted-domain refusals read live)."""
    return CmdletError(400, 'BadRequest', 'Error executing cmdlet', 'Microsoft.Exchange.Management.Tasks.ValidationException',
                       text, detail_prefix='')


def data_validation(text):
    """One property's value breaks its constraint (format, length, range): Exchange's DataValidationException,
    in the same envelope as :func:`validation_failed` (whole-object checks)."""
    return CmdletError(400, 'BadRequest', 'Error executing cmdlet', 'Microsoft.Exchange.Data.DataValidationException',
                       text, detail_prefix='')


def access_denied(cmdlet):
    """The app's Entra role does not allow this cmdlet (a read-only role asked for a write).

    rest-protocol.md ("Errors", "Permission") pairs this exception with HTTP 401 and ``"code":"Unauthorized"``,
    ``"message":"User is not allowed to call <cmdlet>"``; the emulator answers exactly that. (A missing role
    altogether is the 403 with a NUL-byte body, handled before any cmdlet runs.)
    """
    return CmdletError(
        401, 'Unauthorized', 'User is not allowed to call %s' % cmdlet,
        'Microsoft.Exchange.Configuration.Authorization.CmdletAccessDeniedException',
        "The user isn't assigned to any management roles that allow running the cmdlet '%s'." % cmdlet,
        detail_prefix='Ex5E8EA4')


def not_emulated(cmdlet):
    """A real cmdlet for which the emulator has no handler yet."""
    return CmdletError(
        501, 'NotImplemented', 'Error executing cmdlet', 'ExoEmulator.CmdletNotEmulatedException',
        'The Exchange Online emulator does not emulate %s yet: add a handler in tests/emulator/exo_emulator/cmdlets/.' % cmdlet,
        detail_prefix='Ex000501', detail_code='Server')


def invalid_pagination():
    """A ``$skiptoken`` that is unknown, expired or replayed with another request (text as measured live)."""
    return CmdletError(400, 'BadRequest', 'Invalid Operation', ODATA_SERVICE_EXCEPTION,
                       'Expired or Invalid pagination request. Default Expiry time is 00:30:00')


# Full .NET names of the exceptions the official module treats as transient (rest-protocol.md).
TRANSIENT_EXCEPTION_TYPES = {
    'ADTransientException': 'Microsoft.Exchange.Data.Directory.ADTransientException',
    'DCOverloadedException': 'Microsoft.Exchange.Data.Directory.DCOverloadedException',
    'SuitabilityDirectoryException': 'Microsoft.Exchange.Data.Directory.SuitabilityDirectoryException',
    'ServerInMMException': 'Microsoft.Exchange.Data.Directory.ServerInMMException',
    'ADServerSettingsChangedException': 'Microsoft.Exchange.Data.Directory.ADServerSettingsChangedException',
    'StorageTransientException': 'Microsoft.Exchange.Data.Storage.StorageTransientException',
}


def server_exception(name, status=500, text=None):
    """A failure inside the service, named by its exception (an injected fault)."""
    full_type = name if '.' in name else TRANSIENT_EXCEPTION_TYPES.get(name, 'Microsoft.Exchange.Data.Directory.' + name)
    short = full_type.rsplit('.', 1)[-1]
    # No public capture gives these exceptions' ExXXXXXX codes; a stable code derived from the name keeps the
    # documented "ExXXXXXX|Type|text" shape without pretending to be Exchange's own.
    prefix = 'Ex' + hashlib.sha1(short.encode('utf-8')).hexdigest()[:6].upper()
    return CmdletError(
        status, 'InternalServerError', 'Error executing cmdlet', full_type,
        text or 'Active Directory operation failed on %s: %s. Please retry the operation.' % (DOMAIN_CONTROLLER, short),
        detail_prefix=prefix, detail_code='Server')
