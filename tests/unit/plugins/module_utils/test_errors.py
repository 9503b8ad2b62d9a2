# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import (
    AccessDenied, AuthFailed, ExoError, InvalidParameter, NotFound, Throttled, Transient, error_from_response,
    parse_error_body)

NOT_FOUND_TEXT = ("Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation "
                  "couldn't be performed because object 'From SEG' couldn't be found on 'AM0PR01A001DC01.PROD.OUTLOOK.COM'.")
NOT_FOUND = {"error": {"code": "NotFound", "message": "Error executing cmdlet",
                       "details": [{"code": "Context", "target": "", "message": NOT_FOUND_TEXT}]}}

TRANSFORMATION_TEXT = ("Cannot process argument transformation on parameter 'ConnectorType'. Cannot convert value "
                       "\"Parnter\" to type \"TenantConnectorType\".")
BAD_ENUM = {"error": {
    "code": "BadRequest", "message": "Invalid Operation",
    "details": [{"code": "Context", "target": "",
                 "message": "Ex1F2E3D|System.Management.Automation.ParameterBindingException|short text"}],
    "innererror": {"message": "inner text", "type": "System.Management.Automation.ParameterBindingException",
                   "internalexception": {"message": TRANSFORMATION_TEXT,
                                         "type": "System.Management.Automation.ParameterTransformationException"}}}}
ACCESS_DENIED_TEXT = ("Ex5E8EA4|Microsoft.Exchange.Configuration.Authorization.CmdletAccessDeniedException|The user "
                      "isn't assigned to any management roles.")


def body(document):
    return json.dumps(document).encode('utf-8')


def test_message_comes_from_internalexception_first():
    message, exception_type, code = parse_error_body(body(BAD_ENUM))
    assert message.startswith("Cannot process argument transformation on parameter 'ConnectorType'")
    assert exception_type == 'ParameterTransformationException'
    assert code == 'BadRequest'


def test_message_falls_back_to_details_without_its_prefix():
    message, exception_type, _code = parse_error_body(body(NOT_FOUND))
    assert message.startswith("The operation couldn't be performed because object 'From SEG'")
    assert not message.startswith('Ex6F9304')
    assert exception_type == 'ManagementObjectNotFoundException'


def test_message_falls_back_to_error_message():
    message, exception_type, _code = parse_error_body(body({"error": {"code": "Unauthorized",
                                                                      "message": "User is not allowed to call Get-Mailbox"}}))
    assert message == 'User is not allowed to call Get-Mailbox'
    assert exception_type is None


@pytest.mark.parametrize('raw', [b'\x00' * 16, b'', b'<html>bad gateway</html>', b'[]', b'{"value": []}'])
def test_a_body_that_is_not_the_envelope_gives_nothing(raw):
    assert parse_error_body(raw) == (None, None, None)


@pytest.mark.parametrize('status, document, expected', [
    (404, NOT_FOUND, NotFound),
    (400, BAD_ENUM, InvalidParameter),
    (429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, Throttled),
    (500, {"error": {"code": "InternalServerError", "message": "x", "innererror": {"internalexception": {
        "message": "Active Directory operation failed", "type": "Microsoft.Exchange.Data.Directory.ADTransientException"}}}},
     Transient),
    (400, {"error": {"code": "BadRequest", "message": "DCOverloadedException: the domain controller is busy"}}, Transient),
    (503, {"error": {"code": "ServiceUnavailable", "message": "down"}}, Transient),
    (504, None, Transient),
    (403, {"error": {"code": "Forbidden", "message": "x", "details": [{"message": ACCESS_DENIED_TEXT}]}}, AccessDenied),
    (401, {"error": {"code": "Unauthorized", "message": "User is not allowed to call Set-OrganizationConfig"}}, AccessDenied),
    (401, None, AuthFailed),
])
def test_errors_are_typed_by_status_and_exception(status, document, expected):
    error = error_from_response(status, body(document) if document else b'', tenant='contoso.onmicrosoft.com',
                                cmdlet='Get-InboundConnector')
    assert type(error).__name__ == expected.__name__


def test_403_with_nul_body_says_the_app_lacks_a_role():
    error = error_from_response(403, b'\x00' * 16, tenant='contoso.onmicrosoft.com', cmdlet='Get-OrganizationConfig')
    assert isinstance(error, AccessDenied)
    assert 'no Exchange role' in str(error)
    assert 'Exchange Administrator' in str(error)


def test_user_reads_exchange_sentence_with_tenant_and_cmdlet():
    error = error_from_response(404, body(NOT_FOUND), tenant='contoso.onmicrosoft.com', cmdlet='Get-InboundConnector',
                                request_id='abc')
    text = str(error)
    assert "object 'From SEG' couldn't be found" in text
    assert 'Get-InboundConnector on contoso.onmicrosoft.com' in text
    assert 'client-request-id abc' in text


def test_throttled_error_keeps_retry_after_and_counts_as_not_processed():
    error = error_from_response(429, b'{}', retry_after=7.0)
    assert isinstance(error, Throttled)
    assert error.retry_after == 7.0
    assert error.not_processed is True


def test_attempts_are_named_when_more_than_one():
    error = Transient('HTTP 503', tenant='t', cmdlet='Get-OrganizationConfig')
    error.attempts = 4
    assert str(error).endswith('gave up after 4 attempts')
    assert isinstance(error, ExoError)


def test_a_detail_without_its_code_still_loses_its_prefix():
    text = "|System.Management.Automation.AmbiguousParameterSetException|Parameter set cannot be resolved."
    document = {"error": {"code": "BadRequest", "message": "Invalid Operation", "details": [{"message": text}]}}
    message, exception_type, _code = parse_error_body(body(document))
    assert message == 'Parameter set cannot be resolved.'
    assert exception_type == 'AmbiguousParameterSetException'
