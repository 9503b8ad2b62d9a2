# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The PowerShell remoting transport: Exchange Online cmdlets run by the ExchangeOnlineManagement module on a
Windows (or PowerShell 7) host, reached over WSMan with pypsrp.

Private to this collection; may change without notice.

Every cmdlet runs as a command with typed parameters (``add_cmdlet`` + ``add_parameters``), never as script text,
so a value is always data on the host, whatever PowerShell syntax it contains. Records come back in the shape the
REST transport returns (PowerShell property names, plain values), and failures as the typed errors of ``_errors``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re
import traceback
import uuid
import xml.etree.ElementTree as ET

from ansible_collections.exoguard.mailflow.plugins.module_utils._auth import CLOUDS
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    INVALID_PARAMETER_EXCEPTIONS,
    AccessDenied,
    AuthFailed,
    ConfigurationError,
    ExoError,
    InvalidParameter,
    NotFound,
    Throttled,
    Transient,
    TRANSIENT_EXCEPTIONS,
    split_detail,
)
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport

try:
    import requests
    from pypsrp.complex_objects import ComplexObject, GenericComplexObject
    from pypsrp.exceptions import (
        AuthenticationError,
        InvalidPipelineStateError,
        InvalidRunspacePoolStateError,
        WinRMError,
        WinRMTransportError,
        WSManFaultError,
    )
    from pypsrp.powershell import PowerShell, RunspacePool
    from pypsrp.serializer import Serializer, TaggedValue
    from pypsrp.wsman import WSMan
except ImportError:
    HAS_PYPSRP = False
    PYPSRP_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PYPSRP = True
    PYPSRP_IMPORT_ERROR = None


#: WinRM authentication protocols pypsrp speaks.
AUTH_PROTOCOLS = ('negotiate', 'kerberos', 'ntlm', 'certificate', 'credssp', 'basic')

#: The collection's ``cloud`` option -> Connect-ExchangeOnline's ExchangeEnvironmentName.
EXCHANGE_ENVIRONMENTS = dict((name, cloud.psrp_environment) for name, cloud in CLOUDS.items())

EXCHANGE_MODULE = 'ExchangeOnlineManagement'
CONNECT_CMDLET = 'Connect-ExchangeOnline'

# Properties PowerShell remoting adds to every object; REST records do not have them, and RunspaceId changes with
# each session, which would make every read look like a change.
_REMOTING_PROPERTIES = frozenset(('PSComputerName', 'PSShowComputerName', 'RunspaceId', 'PSSourceJobInstanceId'))

# FullyQualifiedErrorIds of the parameter binder, for records that carry no exception type of their own.
_INVALID_PARAMETER_ERROR_IDS = frozenset((
    'NamedParameterNotFound',
    'AmbiguousParameterSet',
    'ParameterArgumentValidationError',
    'ParameterArgumentTransformationError',
    'MissingArgument',
    'PositionalParameterNotFound',
    'CannotConvertArgument',
    'CannotConvertArgumentNoMessage',
))

# The host talks to Exchange Online over HTTPS itself; these are its network failures, which may pass.
_HOST_NETWORK_EXCEPTIONS = frozenset((
    'HttpRequestException',
    'WebException',
    'SocketException',
    'TimeoutException',
    'TaskCanceledException',
))

# ErrorCategory values (System.Management.Automation.ErrorCategory) used as a last resort.
_CATEGORY_INVALID_ARGUMENT = 5
_CATEGORY_INVALID_DATA = 6
_CATEGORY_PERMISSION_DENIED = 18

# "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|sentence", and the "||sentence"
# form the ExchangeOnlineManagement module uses when the service gave no type.
_FAILURE_CATEGORY = re.compile(r'FailureCategory=[A-Za-z]+-([A-Za-z0-9_.]+)')

_INT32_MIN = -2 ** 31
_INT32_MAX = 2 ** 31 - 1
_CONTAINER_TAGS = ('LST', 'IE', 'QUE', 'STK')
_TRANSPORT_DETAIL_LIMIT = 300


def exchange_environment_name(cloud):
    """The ExchangeEnvironmentName for the collection's ``cloud`` option (``None`` means commercial).

    Raises ConfigurationError for a cloud Exchange Online has no environment name for here.
    """
    key = (cloud or 'commercial').lower()
    if key not in EXCHANGE_ENVIRONMENTS:
        raise ConfigurationError('cloud must be one of %s, not %r' % (', '.join(sorted(EXCHANGE_ENVIRONMENTS)), cloud))
    return EXCHANGE_ENVIRONMENTS[key]


# ---------------------------------------------------------------------------------------------------------------
# Parameters: Python values -> values pypsrp serialises as the .NET types the cmdlets bind.
# ---------------------------------------------------------------------------------------------------------------

def cmdlet_parameters(parameters):
    """The parameters as pypsrp should send them.

    Strings, booleans, ``None`` ($null) and Int32-sized ints pass unchanged; larger ints go as Int64 and floats as
    Double (pypsrp would send Int32 and Single); lists go as arrays; a dict goes as a Hashtable without the REST
    annotation keys (``@odata.type``), so the REST add/remove form becomes ``@{Add=...; Remove=...}``.
    """
    return dict((name, parameter_value(value)) for name, value in (parameters or {}).items())


def parameter_value(value):
    """One parameter value as pypsrp should send it (see :func:`cmdlet_parameters`)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if _INT32_MIN <= value <= _INT32_MAX:
            return value
        return TaggedValue('I64', value)
    if isinstance(value, float):
        return TaggedValue('Db', value)
    if isinstance(value, dict):
        return dict((key, parameter_value(item)) for key, item in value.items() if '@' not in str(key))
    if isinstance(value, (list, tuple, set, frozenset)):
        return [parameter_value(item) for item in value]
    return value


# ---------------------------------------------------------------------------------------------------------------
# Output: pypsrp's deserialised objects -> the plain dicts, lists and scalars a REST record has.
# ---------------------------------------------------------------------------------------------------------------

def to_record(output):
    """One pipeline output object as a REST-shaped record.

    An object becomes a dict of its properties (extended over adapted, as PowerShell resolves them), without the
    properties remoting adds. Anything that is not an object with properties (a string, a number) is returned as
    its plain value.
    """
    if isinstance(output, GenericComplexObject):
        properties = _properties(output)
        if properties:
            return dict((name, plain_value(value)) for name, value in properties.items()
                        if name not in _REMOTING_PROPERTIES)
    return plain_value(output)


def plain_value(value):
    """A property value as REST gives it.

    Booleans, numbers, strings and None stay; enums and nested objects become their string; collections
    (arrays, ArrayList, MultiValuedProperty) become lists; hashtables dicts; GUIDs strings; byte arrays base64;
    dates stay the ISO 8601 strings pypsrp gives.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return dict((str(plain_value(key)), plain_value(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain_value(item) for item in value]
    if isinstance(value, GenericComplexObject):
        return _plain_object(value)
    if hasattr(value, 'queue'):  # queue.Queue, which pypsrp gives for a .NET Queue
        return [plain_value(item) for item in list(value.queue)]
    return str(value)


def _plain_object(value):
    container = _container_items(value)
    if container is not None:
        return container
    if value.to_string is not None:
        # Enums (ToString + the numeric value) and nested objects serialised past the remoting depth both read
        # as their string, which is what REST returns for them (State, Identity, ...).
        return value.to_string
    properties = _properties(value)
    if properties:
        return dict((name, plain_value(item)) for name, item in properties.items())
    wrapped = [item for item in value.property_sets if not _is_raw_xml(item)]
    if wrapped:
        return plain_value(wrapped[0])
    return None


def _properties(value):
    properties = dict(value.adapted_properties)
    properties.update(value.extended_properties)
    return properties


def _container_items(value):
    """The items of a collection pypsrp could not name (MultiValuedProperty and other Exchange collections).

    pypsrp 0.9.1 deserialises only collection types it knows; for any other it keeps the ``<LST>`` element as raw
    XML in ``property_sets``. Its whole element is kept in ``_xml``, so the collection is read from there.
    """
    element = _source_element(value)
    if element is None:
        return None
    for child in element:
        if child.tag in _CONTAINER_TAGS:
            return [plain_value(_deserialize_fragment(item)) for item in child]
        if child.tag == 'DCT':
            return dict((str(plain_value(_deserialize_fragment(entry.find("*[@N='Key']")))),
                         plain_value(_deserialize_fragment(entry.find("*[@N='Value']"))))
                        for entry in child.findall('En'))
    return None


def _source_element(value):
    xml_text = getattr(value, '_xml', None)
    if not xml_text and any(_is_raw_xml(item) for item in value.property_sets):
        xml_text = '<Obj>%s</Obj>' % ''.join(item for item in value.property_sets if _is_raw_xml(item))
    if not xml_text:
        return None
    try:
        return ET.fromstring(xml_text)
    except ET.ParseError:
        return None


def _is_raw_xml(item):
    return isinstance(item, str) and item.startswith(tuple('<%s' % tag for tag in _CONTAINER_TAGS + ('DCT',)))


def _deserialize_fragment(element):
    if element is None:
        return None
    try:
        return Serializer().deserialize(element)
    except (KeyError, ValueError, WinRMError):
        # A <Ref> to an object outside this fragment: its string form is the best we can give.
        to_string = element.find('ToString')
        return to_string.text if to_string is not None else None


# ---------------------------------------------------------------------------------------------------------------
# Errors: ErrorRecords and pypsrp exceptions -> the typed errors of _errors.
# ---------------------------------------------------------------------------------------------------------------

class ErrorFacts:
    """What one PowerShell ErrorRecord says, read the same way whichever of its fields the host filled in.

    ``message`` is Exchange's sentence (its ``ExXXXX|Type|`` prefix removed), ``names`` the short exception type
    names and error ids it carries, ``exception_type`` the most specific of them, ``category`` the ErrorCategory.
    """

    def __init__(self, record):
        text = _record_text(record)
        prefix_type, text = split_detail(text)
        fq_error = getattr(record, 'fq_error', None) or ''
        failure_category = _FAILURE_CATEGORY.search(fq_error)
        candidates = (
            prefix_type,
            _short_type(failure_category.group(1)) if failure_category else None,
            _short_type(getattr(record, 'reason', None)),
            _exception_type(getattr(record, 'exception', None)),
            _short_type(fq_error.split(',', 1)[0].strip()) if fq_error and not fq_error.startswith('[') else None,
        )
        self.names = [name for name in candidates if name]
        self.exception_type = next((name for name in self.names if name.endswith('Exception')), None)
        self.message = text or 'the PowerShell host reported an error without a message'
        self.category = getattr(record, 'category', None)

    def has(self, names):
        return any(name in names for name in self.names)

    def mentions(self, names):
        return self.has(names) or any(name in self.message for name in names)


def _record_text(record):
    shown = str(record) if isinstance(record, ComplexObject) else None
    if shown == 'None':  # pypsrp's str() of a record that came without a ToString
        shown = None
    return (shown or getattr(record, 'details_message', None) or _exception_message(getattr(record, 'exception', None))
            or getattr(record, 'message', None))


def _exception_message(exception):
    if isinstance(exception, GenericComplexObject):
        return (exception.adapted_properties.get('Message') or exception.extended_properties.get('Message')
                or exception.to_string)
    return str(exception) if exception else None


def _exception_type(exception):
    if isinstance(exception, GenericComplexObject) and exception.types:
        return _short_type(exception.types[0])
    return None


def _short_type(name):
    if not name:
        return None
    return name.strip().rsplit('.', 1)[-1] or None


def _cmdlet_error_class(facts):
    """The typed error for a failed Exchange cmdlet."""
    if facts.has(('ManagementObjectNotFoundException',)):
        return NotFound
    if facts.mentions(TRANSIENT_EXCEPTIONS):
        return Transient
    if '429 (Too Many Requests)' in facts.message or 'TooManyRequests' in facts.message:
        return Throttled
    if facts.has(_HOST_NETWORK_EXCEPTIONS):
        return Transient
    if (facts.has(('CmdletAccessDeniedException', 'UnauthorizedAccessException'))
            or 'not allowed to call' in facts.message or facts.category == _CATEGORY_PERMISSION_DENIED):
        return AccessDenied
    if facts.has(('CommandNotFoundException',)):
        return AccessDenied
    if (facts.has(INVALID_PARAMETER_EXCEPTIONS) or facts.has(_INVALID_PARAMETER_ERROR_IDS)
            or facts.category in (_CATEGORY_INVALID_ARGUMENT, _CATEGORY_INVALID_DATA)):
        return InvalidParameter
    return ExoError


def _connect_error_class(facts):
    """The typed error for a failed Import-Module / Connect-ExchangeOnline."""
    if facts.has(('Modules_ModuleNotFound', 'FileNotFoundException', 'CommandNotFoundException')):
        return ConfigurationError
    if facts.mentions(TRANSIENT_EXCEPTIONS) or facts.has(_HOST_NETWORK_EXCEPTIONS):
        return Transient
    # Everything else Connect-ExchangeOnline reports (AADSTS errors, a certificate not in the store, an app
    # without consent) means the app could not sign in.
    return AuthFailed


def _transport_detail(exc):
    detail = ' '.join(str(exc).split())
    if len(detail) > _TRANSPORT_DETAIL_LIMIT:
        detail = detail[:_TRANSPORT_DETAIL_LIMIT] + '...'
    return detail or type(exc).__name__


# ---------------------------------------------------------------------------------------------------------------
# The transport.
# ---------------------------------------------------------------------------------------------------------------

class PsrpTransport(Transport):
    """Runs Exchange Online cmdlets through ExchangeOnlineManagement on a PowerShell host.

    Nothing is opened until the first :meth:`invoke`; then one RunspacePool (one runspace, so every pipeline sees
    the Exchange session) is opened and ``Connect-ExchangeOnline`` runs once in it, app-only with a certificate
    from the host's store. Each cmdlet then runs in a new pipeline on that pool. After a transport failure the pool
    is dropped, so the next call (a retry) opens and connects a fresh one. ``close()`` releases the pool; the object
    is also a context manager.

    ``wsman_factory``, ``pool_factory`` and ``powershell_factory`` default to pypsrp's ``WSMan``, ``RunspacePool``
    and ``PowerShell``; they are called as ``wsman_factory(server, **options)``,
    ``pool_factory(wsman, configuration_name=...)`` and ``powershell_factory(pool)``.
    """

    def __init__(self, server, port=5986, username=None, password=None, auth='negotiate', ssl=True,
                 cert_validation=True, connection_timeout=30, operation_timeout=20,
                 configuration_name='Microsoft.PowerShell', app_id=None, certificate_thumbprint=None,
                 organization=None, tenant=None, environment='O365Default',
                 winrm_certificate_pem=None, winrm_certificate_key_pem=None,
                 wsman_factory=None, pool_factory=None, powershell_factory=None):
        self.tenant = tenant or organization
        if not HAS_PYPSRP:
            raise ConfigurationError('the psrp transport needs the Python library pypsrp on the controller '
                                     '(pip install pypsrp)', tenant=self.tenant)
        missing = [name for name, value in (('server', server), ('app_id', app_id),
                                            ('certificate_thumbprint', certificate_thumbprint),
                                            ('organization', organization)) if not value]
        if missing:
            raise ConfigurationError('the psrp transport needs %s' % ', '.join(missing), tenant=self.tenant)
        if auth not in AUTH_PROTOCOLS:
            raise ConfigurationError('psrp auth must be one of %s, not %r' % (', '.join(AUTH_PROTOCOLS), auth),
                                     tenant=self.tenant)
        if environment not in EXCHANGE_ENVIRONMENTS.values():
            raise ConfigurationError('ExchangeEnvironmentName must be one of %s, not %r'
                                     % (', '.join(sorted(set(EXCHANGE_ENVIRONMENTS.values()))), environment),
                                     tenant=self.tenant)
        self.server = server
        self.port = port
        self.username = username
        self._password = password
        self.auth = auth
        self.ssl = ssl
        self.cert_validation = cert_validation
        self.connection_timeout = connection_timeout
        self.operation_timeout = operation_timeout
        self.configuration_name = configuration_name
        self.app_id = app_id
        self.certificate_thumbprint = certificate_thumbprint
        self.organization = organization
        self.environment = environment
        self.winrm_certificate_pem = winrm_certificate_pem
        self.winrm_certificate_key_pem = winrm_certificate_key_pem
        self._wsman_factory = wsman_factory or WSMan
        self._pool_factory = pool_factory or RunspacePool
        self._powershell_factory = powershell_factory or PowerShell
        self._wsman = None
        self._pool = None

    def __repr__(self):
        return ('PsrpTransport(server=%r, port=%r, username=%r, auth=%r, configuration_name=%r, organization=%r)'
                % (self.server, self.port, self.username, self.auth, self.configuration_name, self.organization))

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_traceback):
        self.close()

    @property
    def host(self):
        """``server:port``, as messages name the PowerShell host."""
        return '%s:%s' % (self.server, self.port)

    def invoke(self, cmdlet, parameters=None):
        """Run ``cmdlet`` with ``parameters`` (see :func:`cmdlet_parameters`); see :class:`Transport`.

        Raises NotFound, InvalidParameter, AccessDenied, Throttled or Transient from the cmdlet's first error
        record, AuthFailed when WinRM or Connect-ExchangeOnline refuses the credentials, Transient when the host
        cannot be reached, ConfigurationError when the host or the settings cannot work at all.
        """
        pool = self._connected_pool(cmdlet)
        pipeline = self._powershell_factory(pool)
        pipeline.add_cmdlet(cmdlet).add_parameters(cmdlet_parameters(parameters))
        output = self._run(pipeline, cmdlet, 'running %s' % cmdlet)
        failure = self._first_error(pipeline)
        if failure is not None:
            raise self._error(_cmdlet_error_class(failure), self._cmdlet_message(failure), cmdlet,
                              failure.exception_type)
        return InvokeResult(records=[to_record(item) for item in output or []], warnings=_warnings(pipeline))

    def close(self):
        """Close the pool and its connection; errors while closing are ignored (there is nothing left to do)."""
        pool, wsman = self._pool, self._wsman
        self._pool = self._wsman = None
        for resource in (pool, wsman):
            if resource is None:
                continue
            try:
                resource.close()
            except Exception:  # pylint: disable=broad-except
                pass

    # -- session ---------------------------------------------------------------------------------------------

    def _connected_pool(self, cmdlet):
        if self._pool is not None:
            return self._pool
        self._wsman = self._new_wsman(cmdlet)
        # Kept before opening so that a failed open still closes whatever part of the shell the host created.
        self._pool = self._pool_factory(self._wsman, configuration_name=self.configuration_name)
        self._call(self._pool.open, cmdlet, 'opening a PowerShell session')
        self._connect_exchange(self._pool, cmdlet)
        return self._pool

    def _new_wsman(self, cmdlet):
        options = dict(
            port=self.port,
            username=self.username,
            password=self._password,
            ssl=self.ssl,
            auth=self.auth,
            cert_validation=self.cert_validation,
            connection_timeout=self.connection_timeout,
            operation_timeout=self.operation_timeout,
            # A receive waits up to the operation timeout for output; the HTTP read must outlast it.
            read_timeout=self.operation_timeout + 10,
        )
        if self.auth == 'certificate':
            options.update(certificate_pem=self.winrm_certificate_pem,
                           certificate_key_pem=self.winrm_certificate_key_pem)
        try:
            return self._wsman_factory(self.server, **options)
        except (ValueError, ImportError) as exc:
            raise self._error(ConfigurationError, 'cannot use WinRM on %s: %s' % (self.host, _transport_detail(exc)),
                              cmdlet)

    def _connect_exchange(self, pool, cmdlet):
        pipeline = self._powershell_factory(pool)
        # Two statements, both commands: the module is loaded explicitly so a missing module is reported as such
        # rather than as an unknown Connect-ExchangeOnline.
        pipeline.add_cmdlet('Import-Module').add_parameters({'Name': EXCHANGE_MODULE}).add_statement()
        pipeline.add_cmdlet(CONNECT_CMDLET).add_parameters({
            'AppId': self.app_id,
            'CertificateThumbprint': self.certificate_thumbprint,
            'Organization': self.organization,
            'ExchangeEnvironmentName': self.environment,
            'ShowBanner': False,
        })
        self._run(pipeline, cmdlet, 'running %s' % CONNECT_CMDLET)
        failure = self._first_error(pipeline)
        if failure is None:
            return
        self._drop_pool()
        error_class = _connect_error_class(failure)
        if error_class is ConfigurationError:
            message = ('%s on PowerShell host %s (endpoint %s) failed: %s. Install the %s module for the PowerShell '
                       'that endpoint runs.' % (CONNECT_CMDLET, self.host, self.configuration_name, failure.message,
                                                EXCHANGE_MODULE))
        else:
            message = '%s on PowerShell host %s failed: %s' % (CONNECT_CMDLET, self.host, failure.message)
        raise self._error(error_class, message, cmdlet, failure.exception_type)

    def _drop_pool(self):
        # The pool may be half-open or broken; a retry must start from a new one and connect again.
        self.close()

    # -- pipelines -------------------------------------------------------------------------------------------

    def _run(self, pipeline, cmdlet, activity):
        output = self._call(pipeline.invoke, cmdlet, activity)
        closer = getattr(pipeline, 'close', None)
        if closer is not None:
            try:
                closer()
            except Exception:  # pylint: disable=broad-except
                pass  # only frees the pipeline on the host; the result is already in hand
        return output

    @staticmethod
    def _first_error(pipeline):
        records = list(getattr(pipeline.streams, 'error', None) or [])
        if records:
            return ErrorFacts(records[0])
        if getattr(pipeline, 'had_errors', False):
            return ErrorFacts(None)
        return None

    def _cmdlet_message(self, failure):
        if failure.has(('CommandNotFoundException',)):
            return ('%s. Exchange Online offers a session only the cmdlets the app\'s role allows: check the role '
                    'assigned to the app (and the cmdlet name).' % failure.message)
        return failure.message

    # -- errors ----------------------------------------------------------------------------------------------

    def _call(self, action, cmdlet, activity):
        """``action()``, with a failure of the remoting stack raised as a typed error and the pool dropped."""
        try:
            return action()
        except Exception as exc:  # pylint: disable=broad-except
            self._drop_pool()
            error = self._transport_error(exc, cmdlet, activity)
            if error is None:
                raise
            raise error

    def _transport_error(self, exc, cmdlet, activity):
        """The typed error for an exception from pypsrp, requests or the auth libraries; None for anything else
        (a bug, which should surface as itself)."""
        if isinstance(exc, ExoError):
            return exc.with_context(tenant=self.tenant, cmdlet=cmdlet)
        where = 'PowerShell host %s (%s, endpoint %s)' % (self.host, self.auth, self.configuration_name)
        detail = _transport_detail(exc)
        if isinstance(exc, AuthenticationError):
            return self._error(AuthFailed, 'WinRM refused the credentials of %s on %s: %s'
                               % (self.username or 'the current user', where, detail), cmdlet)
        if isinstance(exc, WinRMTransportError):
            if exc.code in (401, 403):
                return self._error(AuthFailed, 'WinRM on %s answered HTTP %s while %s: %s'
                                   % (where, exc.code, activity, detail), cmdlet)
            return self._error(Transient, 'WinRM on %s answered HTTP %s while %s: %s'
                               % (where, exc.code, activity, detail), cmdlet)
        if isinstance(exc, WSManFaultError):
            return self._error(self._fault_class(exc), 'WSMan fault from %s while %s: %s' % (where, activity, detail),
                               cmdlet)
        if isinstance(exc, requests.exceptions.SSLError):
            return self._error(ConfigurationError, 'TLS with %s failed while %s: %s. Check cert_validation (the CA '
                               'path) for the host\'s WinRM certificate.' % (where, activity, detail), cmdlet)
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                            requests.exceptions.MissingSchema)):
            return self._error(ConfigurationError, 'cannot use %s: %s' % (where, detail), cmdlet)
        if isinstance(exc, requests.exceptions.RequestException):
            return self._error(Transient, 'cannot reach %s while %s: %s' % (where, activity, detail), cmdlet)
        if type(exc).__module__.split('.', 1)[0] == 'spnego':
            # pyspnego (negotiate, kerberos, ntlm, credssp) fails before any HTTP answer: no ticket, bad NTLM hash.
            return self._error(AuthFailed, 'WinRM %s authentication of %s to %s failed: %s'
                               % (self.auth, self.username or 'the current user', where, detail), cmdlet)
        if isinstance(exc, (InvalidRunspacePoolStateError, InvalidPipelineStateError)):
            return self._error(Transient, 'the session on %s broke while %s: %s' % (where, activity, detail), cmdlet)
        if isinstance(exc, ImportError):
            return self._error(ConfigurationError, 'WinRM auth %s needs a library that is missing: %s'
                               % (self.auth, detail), cmdlet)
        if isinstance(exc, WinRMError):
            return self._error(ExoError, 'PowerShell remoting with %s failed while %s: %s'
                               % (where, activity, detail), cmdlet)
        return None

    @staticmethod
    def _fault_class(fault):
        reason = (fault.reason or '').lower()
        if fault.code in (5, 0x80070005) or 'access is denied' in reason:
            return AuthFailed
        if 'session configuration' in reason and 'cannot find' in reason:
            return ConfigurationError
        return Transient

    def _error(self, error_class, message, cmdlet, exception_type=None):
        return error_class(self._scrub(message), tenant=self.tenant, cmdlet=cmdlet, exception_type=exception_type)

    def _scrub(self, text):
        # Messages come from the host and from libraries; none should echo the WinRM password, but make sure.
        if self._password and self._password in text:
            text = text.replace(self._password, '********')
        return text


def _warnings(pipeline):
    return [str(getattr(record, 'message', None) or record) for record in getattr(pipeline.streams, 'warning', None) or []]
