# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.exoguard.mailflow.plugins.module_utils._client import ExoClient
from ansible_collections.exoguard.mailflow.plugins.module_utils._engine import BOOLEAN, Property, Resource
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import AccessDenied
from ansible_collections.exoguard.mailflow.plugins.module_utils._runner import run_resource
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport

SECRET = 'runner-secret-value'


class OrgConfig(Resource):
    get_cmdlet = 'Get-OrganizationConfig'
    set_cmdlet = 'Set-OrganizationConfig'
    return_key = 'config'
    properties = (Property('reject_direct_send', 'RejectDirectSend', BOOLEAN),)


class Tenant(Transport):
    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, reject=False, refuse_writes=False):
        self.record = {'Name': 'contoso.onmicrosoft.com', 'RejectDirectSend': reject}
        self.refuse_writes = refuse_writes
        self.closed = False

    def invoke(self, cmdlet, parameters):
        if cmdlet.startswith('Set-'):
            if self.refuse_writes:
                raise AccessDenied("The user isn't allowed to run %s." % cmdlet, tenant=self.tenant, cmdlet=cmdlet,
                                   status=401, exception_type='CmdletAccessDeniedException')
            self.record.update(parameters)
            return InvokeResult([], ['The settings are applied within 30 minutes.'])
        return InvokeResult([dict(self.record)])

    def close(self):
        self.closed = True


def run(tenant, **kwargs):
    options = {'client_secret': SECRET, 'reject_direct_send': True}
    return run_resource(OrgConfig(), options, client_factory=lambda opts: ExoClient(tenant), **kwargs)


def test_result_carries_changed_and_the_record_and_closes_the_transport():
    tenant = Tenant()
    result, warnings = run(tenant)
    assert result == {'changed': True, 'config': {'Name': 'contoso.onmicrosoft.com', 'RejectDirectSend': True}}
    assert tenant.closed is True
    assert warnings == ['The settings are applied within 30 minutes.']


def test_diff_only_when_asked():
    result, _warnings = run(Tenant(), diff=True)
    assert result['diff'] == {'before': {'reject_direct_send': False}, 'after': {'reject_direct_send': True}}


def test_check_mode_result_shows_the_record_as_it_would_be():
    tenant = Tenant()
    result, warnings = run(tenant, check_mode=True)
    assert result['changed'] is True
    assert result['config']['RejectDirectSend'] is True
    assert tenant.record['RejectDirectSend'] is False
    assert warnings == []


def test_a_typed_error_becomes_a_failed_result_with_its_parts_and_no_secret():
    result, _warnings = run(Tenant(refuse_writes=True))
    assert result['failed'] is True
    assert result['msg'].startswith("Access denied: The user isn't allowed to run Set-OrganizationConfig.")
    assert result['error']['type'] == 'AccessDenied'
    assert result['error']['cmdlet'] == 'Set-OrganizationConfig'
    assert result['error']['tenant'] == 'contoso.onmicrosoft.com'
    assert result['error']['http_status'] == 401
    assert SECRET not in repr(result)


def test_a_client_that_cannot_be_built_fails_cleanly():
    def no_client(options):
        from ansible_collections.exoguard.mailflow.plugins.module_utils._auth import credential_from
        return credential_from()

    result, warnings = run_resource(OrgConfig(), {'reject_direct_send': True}, client_factory=no_client)
    assert result['failed'] is True
    assert 'client_secret' in result['msg']
    assert warnings == []
