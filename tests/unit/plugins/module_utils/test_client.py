# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.exoguard.mailflow.plugins.module_utils._client import ExoClient, client_from_options
from ansible_collections.exoguard.mailflow.plugins.module_utils._errors import ConfigurationError, NotFound, Transient
from ansible_collections.exoguard.mailflow.plugins.module_utils._rest import RestTransport
from ansible_collections.exoguard.mailflow.plugins.module_utils._transport import InvokeResult, Transport

BASE = {'tenant_id': 'contoso.onmicrosoft.com', 'client_id': 'app', 'client_secret': 's3cret', 'retries': 2}


class Scripted(Transport):
    tenant = 'contoso.onmicrosoft.com'

    def __init__(self, *answers):
        self.answers = list(answers)

    def invoke(self, cmdlet, parameters):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_rest_is_the_default_transport_with_the_clouds_hosts(tmp_path):
    client = client_from_options(dict(BASE, cloud='gcchigh', token_cache_dir=str(tmp_path)))
    assert isinstance(client.transport, RestTransport)
    assert client.transport.api_url == 'https://outlook.office365.us'
    assert client.transport._tokens.scope == 'https://outlook.office365.us/.default'
    assert client.transport._tokens.login_url == 'https://login.microsoftonline.us'
    assert client.transport._retry.attempts == 3


def test_overrides_replace_hosts_but_not_the_scope(tmp_path):
    client = client_from_options(dict(BASE, api_url='https://127.0.0.1:8443', login_url='https://127.0.0.1:8443/',
                                      token_cache_dir=str(tmp_path)))
    assert client.transport.invoke_url == 'https://127.0.0.1:8443/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand'
    assert client.transport._tokens.scope == 'https://outlook.office365.com/.default'


def test_unknown_cloud_is_refused():
    with pytest.raises(ConfigurationError) as caught:
        client_from_options(dict(BASE, cloud='mars'))
    assert 'cloud' in str(caught.value)


def test_psrp_needs_its_server_and_a_certificate_thumbprint():
    with pytest.raises(ConfigurationError) as caught:
        client_from_options(dict(BASE, transport='psrp'))
    assert 'psrp_server' in str(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        client_from_options(dict(BASE, transport='psrp', psrp_server='jump.example', organization='contoso.onmicrosoft.com'))
    assert 'psrp_certificate_thumbprint' in str(caught.value)


def test_missing_client_id_names_the_option(tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        client_from_options(dict(BASE, client_id=None, token_cache_dir=str(tmp_path)))
    assert 'client_id' in str(caught.value)


def test_get_optional_treats_only_not_found_as_absent():
    client = ExoClient(Scripted(NotFound('gone')))
    assert client.get_optional('Get-InboundConnector', {'Identity': 'x'}) is None


def test_get_optional_refuses_to_guess_between_several_objects():
    client = ExoClient(Scripted(InvokeResult([{'Name': 'a'}, {'Name': 'b'}])))
    with pytest.raises(ConfigurationError):
        client.get_optional('Get-InboundConnector', {'Identity': 'x'})


def test_warnings_are_kept_once_each():
    client = ExoClient(Scripted(InvokeResult([], ['w1']), InvokeResult([], ['w1', 'w2'])))
    client.invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    client.invoke('Set-OrganizationConfig', {'RejectDirectSend': True})
    assert client.warnings == ['w1', 'w2']
    assert [call[0] for call in client.calls] == ['Set-OrganizationConfig'] * 2


def test_psrp_transport_is_built_from_the_options_and_retried_by_the_client(monkeypatch):
    from ansible_collections.exoguard.mailflow.plugins.module_utils import _psrp
    built = {}

    class FakePsrp(Scripted):
        def __init__(self, **kwargs):
            built.update(kwargs)
            super(FakePsrp, self).__init__(Transient('WinRM dropped'), InvokeResult([{'RejectDirectSend': True}]))

    monkeypatch.setattr(_psrp, 'PsrpTransport', FakePsrp)
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    client = client_from_options(dict(BASE, transport='psrp', psrp_server='jump.example', cloud='dod',
                                      organization='contoso.onmicrosoft.com', psrp_certificate_thumbprint='AB12'))
    assert client.invoke('Get-OrganizationConfig') == [{'RejectDirectSend': True}]
    assert built['server'] == 'jump.example'
    assert built['environment'] == 'O365USGovDoD'
    assert built['certificate_thumbprint'] == 'AB12'
    assert built['app_id'] == 'app'
    assert built['organization'] == 'contoso.onmicrosoft.com'
