# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""App-only tokens for Exchange Online: clouds, credentials and an on-disk token cache shared by forks.

Private to this collection; may change without notice.

A playbook runs many tasks against one tenant, each in its own process. The cache lets all of them share one token:
a file per (login host, tenant, app, scope, credential fingerprint), readable only by its owner, written under an
exclusive lock so concurrent forks ask for one token between them. The fingerprint is a hash of the secret or
certificate, so a rotated credential gets a new token at once and the cache never holds the credential itself.
msal is imported only when a token must actually be requested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import errno
import hashlib
import json
import os
import re
import tempfile
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX; the cache then works without a lock
    fcntl = None

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import AuthFailed, ConfigurationError, Transient


class Cloud:
    """Where one Microsoft cloud signs in and serves the Exchange admin API and Microsoft Graph."""

    def __init__(self, name, login_url, api_url, psrp_environment, graph_url='https://graph.microsoft.com'):
        self.name = name
        self.login_url = login_url
        self.api_url = api_url
        self.psrp_environment = psrp_environment
        self.graph_url = graph_url

    @property
    def scope(self):
        """The token scope is the API's own host, also when requests go through an overriding ``api_url``."""
        return self.api_url.rstrip('/') + '/.default'

    @property
    def graph_scope(self):
        """The scope of a Graph token; like ``scope``, the cloud's own host whatever ``graph_url`` says."""
        return self.graph_url.rstrip('/') + '/.default'


CLOUDS = {
    'commercial': Cloud('commercial', 'https://login.microsoftonline.com', 'https://outlook.office365.com', 'O365Default'),
    'gcc': Cloud('gcc', 'https://login.microsoftonline.com', 'https://outlook.office365.com', 'O365Default'),
    'gcchigh': Cloud('gcchigh', 'https://login.microsoftonline.us', 'https://outlook.office365.us', 'O365USGovGCCHigh',
                     graph_url='https://graph.microsoft.us'),
    'dod': Cloud('dod', 'https://login.microsoftonline.us', 'https://outlook-dod.office365.us', 'O365USGovDoD',
                 graph_url='https://dod-graph.microsoft.us'),
}

_PEM_BLOCK = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----\s+(.*?)-----END \1-----', re.DOTALL)


def _fingerprint(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode('utf-8'))
        digest.update(b'\0')
    return digest.hexdigest()


class ClientSecret:
    """An app's client secret. Its repr never shows the secret."""

    def __init__(self, secret):
        if not secret:
            raise ConfigurationError('client_secret is empty: give the secret value (not its ID) or use certificate_path')
        self._secret = secret
        self.fingerprint = _fingerprint('secret', secret)

    def msal_credential(self):
        return self._secret

    def __repr__(self):
        return 'ClientSecret(<hidden>)'


class Certificate:
    """A PEM file holding the app's certificate and its private key (optionally encrypted with a password)."""

    def __init__(self, path, password=None):
        try:
            with open(os.path.expanduser(path), 'rb') as handle:
                pem = handle.read()
        except (IOError, OSError) as error:
            raise ConfigurationError('certificate_path %s cannot be read: %s' % (path, error.strerror or error))
        blocks = dict((kind, body) for kind, body in _PEM_BLOCK.findall(pem.decode('ascii', 'replace')))
        if 'CERTIFICATE' not in blocks:
            raise ConfigurationError('certificate_path %s holds no certificate: it must be a PEM file with the '
                                     'certificate and its private key' % path)
        key_kinds = [kind for kind in blocks if kind.endswith('PRIVATE KEY')]
        if not key_kinds:
            raise ConfigurationError('certificate_path %s holds no private key: append the key to the certificate '
                                     'in the same PEM file' % path)
        der = base64.b64decode(''.join(blocks['CERTIFICATE'].split()))
        self.path = path
        self.thumbprint = hashlib.sha1(der).hexdigest().upper()
        self._pem = pem
        self._password = password
        self.fingerprint = _fingerprint('certificate', pem, password or '')

    def msal_credential(self):
        credential = {'private_key': self._pem.decode('ascii'), 'thumbprint': self.thumbprint}
        if self._password:
            credential['passphrase'] = self._password
        return credential

    def __repr__(self):
        return 'Certificate(%r, thumbprint=%s)' % (self.path, self.thumbprint)


def credential_from(client_secret=None, certificate_path=None, certificate_password=None):
    if certificate_path:
        return Certificate(certificate_path, certificate_password)
    if client_secret:
        return ClientSecret(client_secret)
    raise ConfigurationError('no credential: set client_secret (or EXO_CLIENT_SECRET) or certificate_path '
                             '(or EXO_CERTIFICATE_PATH)')


def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'exoguard.mailflow', 'tokens')


class TokenCache:
    """Tokens on disk, one 0600 file per key in a 0700 directory, with a lock file per key."""

    #: A token is used only while it has at least this many seconds left, so it cannot expire mid-task.
    MIN_LIFETIME = 300

    def __init__(self, directory=None, clock=time.time):
        self.directory = directory or default_cache_dir()
        self._clock = clock

    def _ensure_directory(self):
        try:
            os.makedirs(self.directory, 0o700)
        except OSError as error:
            if error.errno != errno.EEXIST:
                raise ConfigurationError('token cache directory %s cannot be created: %s'
                                         % (self.directory, error.strerror))

    def _path(self, key, suffix):
        return os.path.join(self.directory, key + suffix)

    def lock(self, key):
        """A context manager holding the key's exclusive lock."""
        self._ensure_directory()
        return _FileLock(self._path(key, '.lock'))

    def get(self, key):
        """The cached access token for ``key`` if it is still good, else None."""
        try:
            with open(self._path(key, '.json')) as handle:
                entry = json.load(handle)
        except (IOError, OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get('expires_on', 0) - self.MIN_LIFETIME <= self._clock():
            return None
        return entry.get('access_token')

    def put(self, key, access_token, expires_in):
        self._ensure_directory()
        entry = {'access_token': access_token, 'expires_on': int(self._clock() + int(expires_in))}
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix='.' + key[:8])
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, 'w') as stream:
                json.dump(entry, stream)
            os.rename(temporary, self._path(key, '.json'))
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def forget(self, key):
        try:
            os.unlink(self._path(key, '.json'))
        except OSError:
            pass


class _FileLock:
    def __init__(self, path):
        self._path = path
        self._handle = None

    def __enter__(self):
        self._handle = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            fcntl.flock(self._handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info):
        if fcntl is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        os.close(self._handle)
        self._handle = None


class TokenProvider:
    """App-only access tokens for one tenant, app and scope, through the shared cache.

    ``token()`` returns a bearer token; ``token(refresh=True)`` drops the cached one first (after the API refused it).
    Raises :class:`AuthFailed` when the identity platform refuses the credential, :class:`Transient` when it cannot
    be reached.
    """

    def __init__(self, tenant, client_id, credential, login_url, scope, cache=None, ca_path=None,
                 validate_certs=True, timeout=30):
        if not tenant:
            raise ConfigurationError('tenant_id is not set (or EXO_TENANT_ID): give the tenant GUID or '
                                     '<name>.onmicrosoft.com')
        if not client_id:
            raise ConfigurationError('client_id is not set (or EXO_CLIENT_ID): give the application (client) ID '
                                     'of the app registration')
        self.tenant = tenant
        self.client_id = client_id
        self.credential = credential
        self.login_url = login_url.rstrip('/')
        self.scope = scope
        self.cache = cache or TokenCache()
        self.ca_path = ca_path
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.key = _fingerprint(self.login_url, tenant.lower(), client_id.lower(), scope, credential.fingerprint)
        #: Token requests this provider sent to the identity platform (cache misses).
        self.requests = 0

    def token(self, refresh=False):
        with self.cache.lock(self.key):
            if refresh:
                self.cache.forget(self.key)
            else:
                cached = self.cache.get(self.key)
                if cached:
                    return cached
            access_token, expires_in = self._request_token()
            self.cache.put(self.key, access_token, expires_in)
            return access_token

    def _request_token(self):
        self.requests += 1
        try:
            import msal
            import requests
        except ImportError:
            raise ConfigurationError('the Python libraries msal and requests are required: pip install msal requests')
        session = requests.Session()
        if self.ca_path or not self.validate_certs:
            # requests lets REQUESTS_CA_BUNDLE from the environment override session.verify; an explicit choice
            # must win, so the environment is not trusted for verification, but its proxies still are.
            session.trust_env = False
            session.proxies.update(requests.utils.get_environ_proxies(self.login_url))
            session.verify = self.ca_path if self.validate_certs and self.ca_path else self.validate_certs
        authority = '%s/%s' % (self.login_url, self.tenant)
        try:
            app = msal.ConfidentialClientApplication(
                self.client_id, client_credential=self.credential.msal_credential(), authority=authority,
                instance_discovery=False, http_client=session, timeout=self.timeout, token_cache=msal.TokenCache())
            result = app.acquire_token_for_client(scopes=[self.scope])
        except requests.exceptions.RequestException as error:
            raise Transient('the identity platform at %s cannot be reached: %s' % (self.login_url, type(error).__name__),
                            tenant=self.tenant, cmdlet='token request')
        except ValueError as error:
            # msal raises ValueError for an unusable credential (bad key, wrong passphrase) and for a discovery
            # document it cannot use (unknown tenant); its text names neither secret nor key material.
            raise AuthFailed(_first_line(str(error)), tenant=self.tenant, cmdlet='token request')
        finally:
            session.close()
        if 'access_token' not in result:
            description = result.get('error_description') or result.get('error') or 'no token in the answer'
            raise AuthFailed('%s (app %s)' % (_first_line(description), self.client_id), tenant=self.tenant,
                             cmdlet='token request')
        return result['access_token'], result.get('expires_in', 3599)


def _first_line(text):
    return (text or '').strip().splitlines()[0] if text and text.strip() else text
