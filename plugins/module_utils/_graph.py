# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft Graph for the monitoring side: Advanced Hunting (``POST /v1.0/security/runHuntingQuery``).

Private to this collection; may change without notice.

The Graph client shares the REST transport's HTTPS, token and retry handling (``_rest.JsonApi``) and the token
cache; a Graph token has another scope (``https://graph.microsoft.com/.default``), so it is a separate cache entry.
Graph errors (``{"error": {"code", "message", "innerError"}}``) map to the same typed errors as Exchange's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

from ansible_collections.exoguard.mailflow.plugins.module_utils._auth import TokenCache, TokenProvider, credential_from
from ansible_collections.exoguard.mailflow.plugins.module_utils._client import _cloud
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    AccessDenied, ConfigurationError, Transient, error_from_response)
from ansible_collections.exoguard.mailflow.plugins.module_utils._rest import JsonApi, _retry_after
from ansible_collections.exoguard.mailflow.plugins.module_utils._retry import RetryPolicy

HUNTING_OPERATION = 'runHuntingQuery'
HUNTING_PERMISSION_HINT = ('the app needs the Microsoft Graph application permission ThreatHunting.Read.All with admin '
                           'consent, and the tenant Microsoft Defender for Office 365 Plan 2 (or Microsoft 365 E5 / '
                           'Defender XDR) for the EmailEvents table')


class GraphClient(JsonApi):
    """Runs Advanced Hunting queries on one tenant through Microsoft Graph."""

    url_option = 'graph_url'

    @property
    def hunting_url(self):
        return '%s/v1.0/security/runHuntingQuery' % self.base_url

    def run_hunting_query(self, query, timespan=None):
        """Run ``query`` (KQL) and return ``(schema, rows)``: ``schema`` a list of ``{name, type}``, ``rows`` a list
        of dicts keyed by column name. Raises a typed error from ``_errors``."""
        document = {'Query': query}
        if timespan:
            document['Timespan'] = timespan
        body = json.dumps(document).encode('utf-8')
        answer = self._retry.run(lambda: self._post(body), repeatable=True)
        schema = answer.get('schema') or answer.get('Schema') or []
        rows = answer.get('results') or answer.get('Results') or []
        return ([{'name': column.get('name') or column.get('Name'), 'type': column.get('type') or column.get('Type')}
                 for column in schema if isinstance(column, dict)], rows)

    def _post(self, body):
        status, payload, headers, request_id = self._request(self.hunting_url, body, HUNTING_OPERATION, True)
        if 200 <= status < 300:
            try:
                answer = json.loads(payload.decode('utf-8'))
            except ValueError:
                answer = None
            if not isinstance(answer, dict) or not isinstance(answer.get('results', answer.get('Results', [])), list):
                raise Transient('HTTP %s with an answer that is not a hunting result' % status, tenant=self.tenant,
                                cmdlet=HUNTING_OPERATION, status=status, request_id=request_id)
            return answer
        error = error_from_response(status, payload, tenant=self.tenant, cmdlet=HUNTING_OPERATION,
                                    request_id=request_id, retry_after=_retry_after(headers.get('Retry-After')))
        if isinstance(error, AccessDenied) or status == 403:
            error.message = '%s (%s)' % (error.message, HUNTING_PERMISSION_HINT)
        raise error


def graph_client_from_options(options, connection_factory=None):
    """A :class:`GraphClient` for the collection's connection options (``graph_url`` replaces the cloud's host)."""
    cloud = _cloud(options)
    tenant = options.get('tenant_id') or options.get('organization')
    retries = options.get('retries')
    timeout = options.get('timeout') or 60
    validate_certs = options.get('validate_certs', True) is not False
    credential = credential_from(options.get('client_secret'), options.get('certificate_path'),
                                 options.get('certificate_password'))
    tokens = TokenProvider(
        tenant, options.get('client_id'), credential, options.get('login_url') or cloud.login_url, cloud.graph_scope,
        cache=TokenCache(options.get('token_cache_dir')), ca_path=options.get('ca_path'),
        validate_certs=validate_certs, timeout=timeout)
    return GraphClient(options.get('graph_url') or cloud.graph_url, tenant, tokens,
                       retry_policy=RetryPolicy(retries=3 if retries is None else retries),
                       ca_path=options.get('ca_path'), validate_certs=validate_certs, timeout=timeout,
                       connection_factory=connection_factory)


# -- the guidance's hunting queries as presets ---------------------------------------------------------------------

PRESETS = ('direct_send_attempts', 'not_from_gateway', 'attempts_by_sender_ip')
_COLUMNS = ('Timestamp', 'NetworkMessageId', 'SenderMailFromAddress', 'SenderFromAddress', 'RecipientEmailAddress',
            'SenderIPv4', 'DeliveryAction', 'AdditionalFields')


def _kql_string(value):
    return '"%s"' % re.sub(r'(["\\])', r'\\\1', str(value))


def _gateway_filter(gateway_ips):
    """A KQL condition true when ``SenderIPv4`` is none of the gateway's addresses (single addresses or CIDR)."""
    addresses, ranges = [], []
    for value in gateway_ips:
        try:
            network = ipaddress.ip_network(str(value).strip(), strict=False)
        except ValueError:
            raise ConfigurationError('gateway_ips: %r is not an IP address or CIDR block' % (value,))
        if network.version != 4:
            raise ConfigurationError('gateway_ips: %r is IPv6; EmailEvents.SenderIPv4 holds IPv4 addresses' % (value,))
        if network.prefixlen == 32:
            addresses.append(str(network.network_address))
        else:
            ranges.append(str(network))
    conditions = []
    if addresses:
        conditions.append('SenderIPv4 !in (%s)' % ', '.join(_kql_string(address) for address in addresses))
    if ranges:
        conditions.append('not(ipv4_is_in_any_range(SenderIPv4, %s))' % ', '.join(_kql_string(cidr) for cidr in ranges))
    return ' and '.join(conditions)


def preset_query(preset, days=7, gateway_ips=None):
    """The KQL text of a named preset over ``EmailEvents`` for the last ``days`` days.

    - ``direct_send_attempts``: mail refused with ``5.7.68`` (RejectDirectSend), one row per attempt;
    - ``not_from_gateway``: inbound mail whose ``SenderIPv4`` is not a gateway address (needs ``gateway_ips``);
    - ``attempts_by_sender_ip``: attempts refused at the front door (``5.7.68`` or ``5.7.51``), counted per sender IP.
    """
    if preset not in PRESETS:
        raise ConfigurationError('preset: %r is not one of %s' % (preset, ', '.join(PRESETS)))
    if not isinstance(days, int) or not 1 <= days <= 30:
        raise ConfigurationError('days: %r is out of range; Advanced Hunting keeps 30 days, give 1 to 30' % (days,))
    lines = ['EmailEvents', '| where Timestamp > ago(%dd)' % days]
    if preset == 'direct_send_attempts':
        lines += ['| where AdditionalFields has "5.7.68"', '| project %s' % ', '.join(_COLUMNS)]
    elif preset == 'not_from_gateway':
        if not gateway_ips:
            raise ConfigurationError('gateway_ips: preset not_from_gateway needs the gateway\'s IP addresses')
        lines += ['| where EmailDirection == "Inbound"', '| where %s' % _gateway_filter(gateway_ips),
                  '| project %s' % ', '.join(_COLUMNS)]
    else:
        lines += ['| where AdditionalFields has "5.7.68" or AdditionalFields has "5.7.51"',
                  '| summarize count() by SenderIPv4']
    return '\n'.join(lines)


def hunting_task(client, options, check_mode):
    """The ``defender_hunting_query`` task: run the preset's query or the user's KQL; rows and schema. A read, so
    check mode runs it too."""
    if options.get('query'):
        query = options['query']
    else:
        query = preset_query(options.get('preset'), days=options.get('days') or 7, gateway_ips=options.get('gateway_ips'))
    schema, rows = client.run_hunting_query(query)
    return {'changed': False, 'query': query, 'schema': schema, 'rows': rows, 'row_count': len(rows)}
