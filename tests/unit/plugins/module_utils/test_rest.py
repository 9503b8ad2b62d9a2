# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    AccessDenied, AuthFailed, InvalidParameter, NotFound, Throttled, Transient)
from ansible_collections.exoguard.mailflow.plugins.module_utils._rest import RestTransport, anchor_mailbox
from ansible_collections.exoguard.mailflow.plugins.module_utils._retry import RetryPolicy

TENANT = '11111111-1111-1111-1111-111111111111'


def envelope(records=(), warnings=(), next_link=None):
    document = {'@odata.context': 'https://outlook.office365.com/adminapi/beta/%s/$metadata#Collection(Exchange.GenericHashTable)' % TENANT,
                'adminapi.warnings@odata.type': '#Collection(String)', '@adminapi.warnings': list(warnings),
                'value': list(records)}
    if next_link:
        document['@odata.nextLink'] = next_link
    return 200, document, {}


class Response:
    def __init__(self, status, document, headers):
        self.status = status
        if isinstance(document, bytes):
            self._body = document
        else:
            self._body = json.dumps(document).encode('utf-8') if document is not None else b''
        self._headers = headers

    def read(self):
        return self._body

    def getheaders(self):
        return list(self._headers.items())


class Server:
    """Scripted answers; each entry is (status, document, headers) or an exception to raise."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        self.connections = 0

    def connect(self):
        self.connections += 1
        return Connection(self)


class Connection:
    def __init__(self, server):
        self.server = server
        self.pending = None

    def request(self, method, path, body=None, headers=None):
        self.server.requests.append({'method': method, 'path': path, 'body': json.loads(body), 'headers': headers})
        answer = self.server.answers.pop(0)
        if isinstance(answer, tuple) and answer[0] == 'raise-on-send':
            raise answer[1]
        self.pending = answer

    def getresponse(self):
        if isinstance(self.pending, Exception):
            raise self.pending
        return Response(*self.pending)

    def close(self):
        pass


class Tokens:
    def __init__(self):
        self.refreshes = 0
        self.issued = 0

    def token(self, refresh=False):
        self.refreshes += int(refresh)
        self.issued += 1
        return 'token-%d' % self.issued


def transport(server, retries=3, sleeps=None, **kwargs):
    sleeps = sleeps if sleeps is not None else []
    policy = RetryPolicy(retries=retries, sleep=sleeps.append, jitter=lambda low, high: high)
    return RestTransport('https://outlook.office365.com', TENANT, Tokens(), retry_policy=policy,
                         connection_factory=server.connect, list_cmdlets=frozenset(['Get-InboundConnector']), **kwargs)


def test_request_has_the_protocol_headers_and_body():
    server = Server([envelope([{'RejectDirectSend': False}])])
    result = transport(server).invoke('Get-OrganizationConfig', {})
    sent = server.requests[0]
    assert sent['method'] == 'POST'
    assert sent['path'] == '/adminapi/beta/%s/InvokeCommand' % TENANT
    assert sent['body'] == {'CmdletInput': {'CmdletName': 'Get-OrganizationConfig', 'Parameters': {}}}
    headers = sent['headers']
    assert headers['X-ResponseFormat'] == 'json'
    assert headers['Authorization'] == 'Bearer token-1'
    assert headers['X-AnchorMailbox'] == 'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@' + TENANT
    assert len(headers['client-request-id']) == 36
    assert result.records == [{'RejectDirectSend': False}]


def test_anchor_uses_the_organization_when_the_tenant_is_a_domain():
    assert anchor_mailbox('contoso.onmicrosoft.com') == 'UPN:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com'


def test_list_cmdlets_ask_for_every_record_and_follow_next_links():
    next_link = 'https://outlook.office365.com/adminapi/beta/%s/InvokeCommand?$skiptoken=abc' % TENANT
    server = Server([envelope([{'Name': 'a', 'Priority@data.type': 'System.Int32', 'Priority': 0}], next_link=next_link),
                     envelope([{'Name': 'b'}])])
    result = transport(server).invoke('Get-InboundConnector', {})
    assert server.requests[0]['body']['CmdletInput']['Parameters'] == {'ResultSize': 'Unlimited'}
    assert server.requests[1]['path'] == '/adminapi/beta/%s/InvokeCommand?$skiptoken=abc' % TENANT
    assert server.requests[1]['body'] == server.requests[0]['body']
    assert server.requests[1]['headers']['X-AnchorMailbox'] == server.requests[0]['headers']['X-AnchorMailbox']
    assert result.records == [{'Name': 'a', 'Priority': 0}, {'Name': 'b'}]


def test_a_result_size_given_by_the_caller_is_kept():
    server = Server([envelope()])
    transport(server).invoke('Get-InboundConnector', {'ResultSize': 5})
    assert server.requests[0]['body']['CmdletInput']['Parameters'] == {'ResultSize': 5}


def test_expired_pagination_is_a_clear_fatal_error():
    next_link = 'https://outlook.office365.com/adminapi/beta/%s/InvokeCommand?$skiptoken=old' % TENANT
    expired = {'error': {'code': 'BadRequest', 'message': 'Expired or Invalid pagination request. Default Expiry time is 00:30:00'}}
    server = Server([envelope([{'Name': 'a'}], next_link=next_link), (400, expired, {})])
    with pytest.raises(InvalidParameter) as caught:
        transport(server).invoke('Get-InboundConnector', {})
    assert 'expired' in str(caught.value)
    assert len(server.requests) == 2


def test_warnings_are_returned():
    server = Server([envelope(warnings=['The command completed successfully but no settings have been modified.'])])
    result = transport(server).invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    assert result.warnings == ['The command completed successfully but no settings have been modified.']


def test_429_waits_retry_after_then_succeeds():
    sleeps = []
    server = Server([(429, {'error': {'code': 'TooManyRequests', 'message': 'slow'}}, {'Retry-After': '2'}),
                     envelope([{'x': 1}])])
    assert transport(server, sleeps=sleeps).invoke('Get-OrganizationConfig', {}).records == [{'x': 1}]
    assert sleeps == [2.0]


def test_503_on_every_try_fails_after_retries_plus_one_attempts_naming_tenant_and_cmdlet():
    server = Server([(503, {'error': {'code': 'ServiceUnavailable', 'message': 'Service Unavailable'}}, {})] * 5)
    with pytest.raises(Transient) as caught:
        transport(server, retries=2).invoke('Get-OrganizationConfig', {})
    assert len(server.requests) == 3
    text = str(caught.value)
    assert TENANT in text and 'Get-OrganizationConfig' in text and 'gave up after 3 attempts' in text


def test_transient_exception_names_are_retried():
    transient = {'error': {'code': 'InternalServerError', 'message': 'x', 'innererror': {'internalexception': {
        'message': 'AD is busy', 'type': 'Microsoft.Exchange.Data.Directory.ADTransientException'}}}}
    server = Server([(500, transient, {}), envelope([{'ok': True}])])
    assert transport(server).invoke('Get-OrganizationConfig', {}).records == [{'ok': True}]


def test_a_create_whose_answer_was_lost_is_not_sent_again():
    server = Server([http.client.RemoteDisconnected('closed'), envelope([{'Name': 'x'}])])
    with pytest.raises(Transient) as caught:
        transport(server).invoke('New-InboundConnector', {'Name': 'x', 'SenderDomains': ['*']})
    assert len(server.requests) == 1
    assert 'after the request was sent' in str(caught.value)


def test_a_read_whose_answer_was_lost_is_retried_on_a_new_connection():
    server = Server([ConnectionResetError('reset'), envelope([{'ok': 1}])])
    assert transport(server).invoke('Get-OrganizationConfig', {}).records == [{'ok': 1}]
    assert server.connections == 2


def test_a_stale_kept_alive_connection_is_reopened_for_a_read_without_counting_as_a_retry():
    server = Server([envelope([{'Name': 'first'}]), http.client.RemoteDisconnected('idle close'), envelope([{'Name': 'x'}])])
    rest = transport(server, retries=0)
    rest.invoke('Get-OrganizationConfig', {})
    assert rest.invoke('Get-InboundConnector', {'Identity': 'x'}).records == [{'Name': 'x'}]
    assert server.connections == 2


def test_a_create_goes_on_a_fresh_connection_so_a_lost_answer_is_never_resent():
    server = Server([envelope([]), http.client.RemoteDisconnected('answer lost'), envelope([{'Name': 'x'}])])
    rest = transport(server)
    rest.invoke('Get-InboundConnector', {'Identity': 'x'})
    with pytest.raises(Transient) as caught:
        rest.invoke('New-InboundConnector', {'Name': 'x'})
    assert server.connections == 2
    assert [request['body']['CmdletInput']['CmdletName'] for request in server.requests] == [
        'Get-InboundConnector', 'New-InboundConnector']
    assert caught.value.not_processed is False


def test_a_401_gets_one_fresh_token_then_succeeds():
    server = Server([(401, None, {}), envelope([{'ok': 1}])])
    rest = transport(server)
    assert rest.invoke('Get-OrganizationConfig', {}).records == [{'ok': 1}]
    assert rest._tokens.refreshes == 1
    assert server.requests[1]['headers']['Authorization'] == 'Bearer token-2'


def test_a_401_after_a_fresh_token_is_an_authentication_error():
    server = Server([(401, None, {}), (401, None, {})])
    with pytest.raises(AuthFailed):
        transport(server).invoke('Get-OrganizationConfig', {})


def test_a_read_only_app_gets_a_clear_permission_error_on_a_write():
    text = ("Ex5E8EA4|Microsoft.Exchange.Configuration.Authorization.CmdletAccessDeniedException|The user isn't "
            "allowed to run Set-OrganizationConfig.")
    denied = {'error': {'code': 'Forbidden', 'message': 'Error executing cmdlet', 'details': [{'message': text}]}}
    server = Server([(403, denied, {})])
    with pytest.raises(AccessDenied) as caught:
        transport(server).invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    assert "isn't allowed to run Set-OrganizationConfig" in str(caught.value)
    assert len(server.requests) == 1


def test_not_found_is_typed():
    text = ("Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation "
            "couldn't be performed because object 'x' couldn't be found on 'DC1.PROD.OUTLOOK.COM'.")
    missing = {'error': {'code': 'NotFound', 'message': 'Error executing cmdlet', 'details': [{'message': text}]}}
    with pytest.raises(NotFound):
        transport(Server([(404, missing, {})])).invoke('Get-InboundConnector', {'Identity': 'x'})


def test_a_success_that_is_not_an_envelope_is_a_failure():
    with pytest.raises(Transient):
        transport(Server([(200, b'<html>proxy login</html>', {})] * 4)).invoke('Get-OrganizationConfig', {})


def test_throttling_that_never_ends_is_typed_throttled():
    server = Server([(429, {'error': {'code': 'TooManyRequests', 'message': 'slow'}}, {'Retry-After': '0'})] * 2)
    with pytest.raises(Throttled):
        transport(server, retries=1).invoke('Get-OrganizationConfig', {})


def test_the_token_never_appears_in_an_error():
    server = Server([(400, {'error': {'code': 'BadRequest', 'message': 'bad'}}, {})])
    with pytest.raises(InvalidParameter) as caught:
        transport(server).invoke('Set-OrganizationConfig', {'RejectDirectSend': 'yes'})
    assert 'token-' not in str(caught.value) and 'token-' not in repr(caught.value.__dict__)


def test_api_url_must_be_https():
    with pytest.raises(Exception) as caught:
        RestTransport('http://outlook.office365.com', TENANT, Tokens())
    assert 'api_url' in str(caught.value)
