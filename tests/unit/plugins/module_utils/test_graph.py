# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    AccessDenied, AuthFailed, ConfigurationError, InvalidParameter, Throttled, Transient)
from ansible_collections.exoguard.mailflow.plugins.module_utils._graph import (
    GraphClient, graph_client_from_options, hunting_task, preset_query)
from ansible_collections.exoguard.mailflow.plugins.module_utils._retry import RetryPolicy
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_task

TENANT = '11111111-1111-1111-1111-111111111111'
BASE = {'tenant_id': TENANT, 'client_id': 'app', 'client_secret': 's3cret-value', 'retries': 2}


class Response:
    def __init__(self, status, document, headers=None):
        self.status = status
        self._body = json.dumps(document).encode('utf-8') if not isinstance(document, bytes) else document
        self._headers = headers or {}

    def read(self):
        return self._body

    def getheaders(self):
        return list(self._headers.items())


class Server:
    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []

    def connect(self):
        return self

    def request(self, method, path, body=None, headers=None):
        self.requests.append({'method': method, 'path': path, 'body': json.loads(body), 'headers': headers})

    def getresponse(self):
        return Response(*self.answers.pop(0))

    def close(self):
        pass


class Tokens:
    def __init__(self):
        self.refreshes = 0

    def token(self, refresh=False):
        self.refreshes += int(refresh)
        return 'graph-token'


def graph(server, retries=2, sleeps=None):
    policy = RetryPolicy(retries=retries, sleep=(sleeps if sleeps is not None else []).append,
                         jitter=lambda low, high: high)
    return GraphClient('https://graph.microsoft.com', TENANT, Tokens(), retry_policy=policy,
                       connection_factory=server.connect)


def graph_error(status, code, message):
    return (status, {'error': {'code': code, 'message': message,
                               'innerError': {'date': '2026-07-24T12:00:00', 'request-id': 'r', 'client-request-id': 'c'}}})


RESULT = {'schema': [{'name': 'SenderIPv4', 'type': 'String'}, {'name': 'count_', 'type': 'Int64'}],
          'results': [{'SenderIPv4': '203.0.113.50', 'count_': 3}]}


def test_a_query_is_posted_to_run_hunting_query_and_answers_rows_and_schema():
    server = Server([(200, RESULT)])
    schema, rows = graph(server).run_hunting_query('EmailEvents | take 1')
    sent = server.requests[0]
    assert (sent['method'], sent['path']) == ('POST', '/v1.0/security/runHuntingQuery')
    assert sent['body'] == {'Query': 'EmailEvents | take 1'}
    assert sent['headers']['Authorization'] == 'Bearer graph-token'
    assert 'X-AnchorMailbox' not in sent['headers']
    assert schema == RESULT['schema'] and rows == RESULT['results']


@pytest.mark.parametrize('answer, error_type, words', [
    (graph_error(400, 'BadRequest', "Query could not be parsed at 'summarise'"), InvalidParameter, "could not be parsed"),
    (graph_error(403, 'Forbidden', 'Insufficient privileges to complete the operation.'), AccessDenied,
     'ThreatHunting.Read.All'),
    (graph_error(401, 'InvalidAuthenticationToken', 'Access token validation failure.'), AuthFailed, 'validation failure'),
])
def test_graph_errors_map_to_typed_errors_with_graphs_sentence(answer, error_type, words):
    server = Server([answer, answer])
    with pytest.raises(error_type) as caught:
        graph(server).run_hunting_query('EmailEvents')
    assert words in str(caught.value)
    assert 'runHuntingQuery on %s' % TENANT in str(caught.value)


def test_throttling_waits_as_told_then_gives_up_as_throttled():
    throttled = graph_error(429, 'TooManyRequests', 'Too many requests.')
    server = Server([throttled + ({'Retry-After': '7'},)] * 3)
    sleeps = []
    with pytest.raises(Throttled) as caught:
        graph(server, retries=2, sleeps=sleeps).run_hunting_query('EmailEvents')
    assert sleeps == [7.0, 7.0]
    assert caught.value.attempts == 3


def test_a_passing_server_error_is_retried():
    server = Server([graph_error(503, 'ServiceUnavailable', 'busy'), (200, RESULT)])
    _schema, rows = graph(server).run_hunting_query('EmailEvents')
    assert rows == RESULT['results'] and len(server.requests) == 2


def test_an_answer_that_is_not_a_result_is_transient():
    server = Server([(200, b'<html>proxy</html>')] * 3)
    with pytest.raises(Transient):
        graph(server).run_hunting_query('EmailEvents')


@pytest.mark.parametrize('cloud, host', [('commercial', 'https://graph.microsoft.com'), ('gcc', 'https://graph.microsoft.com'),
                                         ('gcchigh', 'https://graph.microsoft.us'), ('dod', 'https://dod-graph.microsoft.us')])
def test_each_cloud_has_its_graph_host_and_scope(tmp_path, cloud, host):
    client = graph_client_from_options(dict(BASE, cloud=cloud, token_cache_dir=str(tmp_path)))
    assert client.hunting_url == host + '/v1.0/security/runHuntingQuery'
    assert client._tokens.scope == host + '/.default'


def test_graph_url_replaces_the_host_but_not_the_scope_and_the_token_is_cached_apart(tmp_path):
    from ansible_collections.exoguard.mailflow.plugins.module_utils._client import client_from_options
    options = dict(BASE, graph_url='https://127.0.0.1:8443/', api_url='https://127.0.0.1:8443', token_cache_dir=str(tmp_path))
    client = graph_client_from_options(options)
    assert client.hunting_url == 'https://127.0.0.1:8443/v1.0/security/runHuntingQuery'
    assert client._tokens.scope == 'https://graph.microsoft.com/.default'
    assert client._tokens.key != client_from_options(options).transport._tokens.key


def test_graph_url_must_be_https():
    with pytest.raises(ConfigurationError) as caught:
        graph_client_from_options(dict(BASE, graph_url='http://graph.example'))
    assert 'graph_url' in str(caught.value)


def test_direct_send_preset_looks_for_5_7_68():
    assert preset_query('direct_send_attempts', days=3) == (
        'EmailEvents\n| where Timestamp > ago(3d)\n| where AdditionalFields has "5.7.68"\n'
        '| project Timestamp, NetworkMessageId, SenderMailFromAddress, SenderFromAddress, RecipientEmailAddress, '
        'SenderIPv4, DeliveryAction, AdditionalFields')


def test_not_from_gateway_preset_excludes_addresses_and_ranges():
    query = preset_query('not_from_gateway', days=7, gateway_ips=['198.51.100.10', '192.0.2.0/28', '198.51.100.11/32'])
    assert '| where EmailDirection == "Inbound"' in query
    assert ('| where SenderIPv4 !in ("198.51.100.10", "198.51.100.11") and '
            'not(ipv4_is_in_any_range(SenderIPv4, "192.0.2.0/28"))') in query


def test_attempts_by_sender_ip_counts_both_front_door_refusals():
    query = preset_query('attempts_by_sender_ip', days=7)
    assert query.endswith('| where AdditionalFields has "5.7.68" or AdditionalFields has "5.7.51"\n'
                          '| summarize count() by SenderIPv4')


@pytest.mark.parametrize('preset, extra, option', [
    ('not_from_gateway', {}, 'gateway_ips'),
    ('not_from_gateway', {'gateway_ips': ['2001:db8::1']}, 'gateway_ips'),
    ('not_from_gateway', {'gateway_ips': ['nope']}, 'gateway_ips'),
    ('direct_send_attempts', {'days': 31}, 'days'),
    ('everything', {}, 'preset'),
])
def test_unusable_preset_input_is_refused_naming_the_option(preset, extra, option):
    with pytest.raises(ConfigurationError) as caught:
        preset_query(preset, **extra)
    assert str(caught.value).startswith('Configuration error: %s:' % option)


def test_the_task_returns_rows_and_never_a_secret():
    server = Server([(200, RESULT)])
    result, warnings = run_task(hunting_task, dict(BASE, preset='attempts_by_sender_ip', days=7), False,
                                client_factory=lambda options: graph(server))
    assert result['rows'] == RESULT['results'] and result['row_count'] == 1 and result['changed'] is False
    assert result['query'].startswith('EmailEvents')
    assert 's3cret-value' not in json.dumps(result) and warnings == []


def test_a_failed_query_is_a_failed_result_with_its_parts():
    server = Server([graph_error(400, 'BadRequest', 'Syntax error')])
    result, _warnings = run_task(hunting_task, dict(BASE, query='EmailEvents | bogus'), False,
                                 client_factory=lambda options: graph(server))
    assert result['failed'] is True
    assert result['error']['type'] == 'InvalidParameter' and result['error']['http_status'] == 400
