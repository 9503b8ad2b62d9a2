# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Exchange Online client: one object a resource talks to, whatever the transport.

Private to this collection; may change without notice.

``client_from_options`` turns the collection's connection options (a plain dict, as a module or an action plugin has
them after argument validation) into a client. Nothing here depends on AnsibleModule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.exoguard.mailflow.plugins.module_utils._auth import (
    CLOUDS, TokenCache, TokenProvider, credential_from)
from ansible_collections.exoguard.mailflow.plugins.module_utils._cmdlet_table import LIST_CMDLETS, PARAMETERS
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, NotFound
from ansible_collections.exoguard.mailflow.plugins.module_utils._retry import RetryPolicy
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import creates


class ExoClient:
    """Runs cmdlets on one tenant and keeps what Exchange warned about.

    ``calls`` lists ``(cmdlet, parameters)`` in order, for results and tests; ``warnings`` collects
    ``@adminapi.warnings`` lines, each once. ``retry_policy`` wraps each call, for transports that do not retry
    by themselves (the REST transport retries per page, inside its paging loop).
    """

    def __init__(self, transport, tenant=None, retry_policy=None):
        self.transport = transport
        self.tenant = tenant or transport.tenant
        self.calls = []
        self.warnings = []
        self._retry = retry_policy

    def invoke(self, cmdlet, parameters=None):
        """Run ``cmdlet`` and return its records (a list of dicts). Raises a typed error from ``_errors``."""
        parameters = dict(parameters or {})
        self.calls.append((cmdlet, parameters))
        if self._retry is None:
            result = self.transport.invoke(cmdlet, parameters)
        else:
            result = self._retry.run(lambda: self.transport.invoke(cmdlet, parameters),
                                     repeatable=not creates(cmdlet))
        for warning in result.warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
        return result.records

    def get_optional(self, cmdlet, parameters=None):
        """The one record ``cmdlet`` returns, or None when Exchange says the object does not exist.

        Only a not-found error means absent: any other failure propagates. Several records for one identity is
        an error, not a guess.
        """
        try:
            records = self.invoke(cmdlet, parameters)
        except NotFound:
            return None
        if len(records) > 1:
            raise ConfigurationError('%d objects match %r; name one exactly' % (len(records), parameters),
                                     tenant=self.tenant, cmdlet=cmdlet)
        return records[0] if records else None

    def close(self):
        self.transport.close()


def _cloud(options):
    name = options.get('cloud') or 'commercial'
    if name not in CLOUDS:
        raise ConfigurationError('cloud %r is not one of %s' % (name, ', '.join(sorted(CLOUDS))))
    return CLOUDS[name]


def client_from_options(options):
    """An :class:`ExoClient` for the connection options (the keys of the ``connection`` doc fragment)."""
    cloud = _cloud(options)
    tenant = options.get('tenant_id') or options.get('organization')
    retries = options.get('retries')
    retry_policy = RetryPolicy(retries=3 if retries is None else retries)
    timeout = options.get('timeout') or 60
    validate_certs = options.get('validate_certs', True) is not False
    if (options.get('transport') or 'rest') == 'psrp':
        from ansible_collections.exoguard.mailflow.plugins.module_utils._psrp import PsrpTransport
        transport = _psrp_transport(PsrpTransport, options, cloud, tenant, timeout)
        return ExoClient(transport, tenant, retry_policy=retry_policy)
    from ansible_collections.exoguard.mailflow.plugins.module_utils._rest import RestTransport
    credential = credential_from(options.get('client_secret'), options.get('certificate_path'),
                                 options.get('certificate_password'))
    tokens = TokenProvider(
        tenant, options.get('client_id'), credential, options.get('login_url') or cloud.login_url, cloud.scope,
        cache=TokenCache(options.get('token_cache_dir')), ca_path=options.get('ca_path'),
        validate_certs=validate_certs, timeout=timeout)
    transport = RestTransport(
        options.get('api_url') or cloud.api_url, tenant, tokens, organization=options.get('organization'),
        retry_policy=retry_policy, ca_path=options.get('ca_path'), validate_certs=validate_certs,
        timeout=timeout, list_cmdlets=LIST_CMDLETS)
    return ExoClient(transport, tenant)


def _psrp_transport(transport_class, options, cloud, tenant, timeout):
    if not options.get('psrp_server'):
        raise ConfigurationError('transport psrp needs psrp_server: the Windows host with PowerShell 7 and the '
                                 'ExchangeOnlineManagement module')
    thumbprint = options.get('psrp_certificate_thumbprint')
    if not thumbprint and options.get('certificate_path'):
        thumbprint = credential_from(certificate_path=options['certificate_path'],
                                     certificate_password=options.get('certificate_password')).thumbprint
    if not thumbprint:
        raise ConfigurationError('transport psrp signs in with a certificate in the PowerShell host\'s store: set '
                                 'psrp_certificate_thumbprint (or certificate_path to compute it)')
    if not options.get('organization'):
        raise ConfigurationError('transport psrp needs organization (<name>.onmicrosoft.com) for Connect-ExchangeOnline')
    return transport_class(
        server=options['psrp_server'], port=options.get('psrp_port') or 5986,
        username=options.get('psrp_username'), password=options.get('psrp_password'),
        auth=options.get('psrp_auth') or 'negotiate',
        cert_validation=(options.get('ca_path') or True) if options.get('validate_certs', True) is not False else False,
        connection_timeout=timeout, operation_timeout=timeout,
        configuration_name=options.get('psrp_configuration_name') or 'PowerShell.7',
        app_id=options.get('client_id'), certificate_thumbprint=thumbprint, organization=options['organization'],
        tenant=tenant, environment=cloud.psrp_environment)


def cmdlet_parameters(cmdlet):
    """The Exchange Online parameters of ``cmdlet`` with their .NET types, from Microsoft's reference."""
    return PARAMETERS.get(cmdlet, {})
