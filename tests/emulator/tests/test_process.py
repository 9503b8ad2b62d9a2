# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator as a process: command line, ready file, global latency, SIGTERM, bad scenarios."""

import json
import os
import subprocess
import sys
import time

import requests

from emulator_lab import APPS, CONTOSO, EMULATOR, EXCHANGE_SCOPE, start_emulator, stop_emulator

SMALL_SCENARIO = {'tenants': [{'tenant_id': CONTOSO, 'organization': 'contoso.onmicrosoft.com', 'accepted_domains': ['contoso.com'],
                               'apps': [APPS['admin']]}]}


def test_latency_then_sigterm_exits_zero(tmp_path):
    scenario = tmp_path / 'scenario.json'
    scenario.write_text(json.dumps(SMALL_SCENARIO))  # JSON is YAML
    ready = tmp_path / 'ready.json'
    process, info = start_emulator(scenario, ready, '--latency-ms', '300')
    try:
        assert set(info) >= {'api_url', 'login_url', 'admin_url', 'graph_url', 'smtp_host', 'smtp_port', 'ca_file', 'tenants'}
        assert info['tenants'][0]['apps'][0] == {'client_id': APPS['admin']['client_id'], 'client_secret': 'admin-secret',
                                                 'role': 'Exchange Administrator', 'consented': True}
        assert [name for name in os.listdir(tmp_path) if name.startswith('.ready-')] == []
        http = requests.Session()
        http.verify = info['ca_file']
        http.trust_env = False
        token = http.post('%s/%s/oauth2/v2.0/token' % (info['login_url'], CONTOSO),
                          data={'client_id': APPS['admin']['client_id'], 'client_secret': 'admin-secret',
                                'grant_type': 'client_credentials', 'scope': EXCHANGE_SCOPE}).json()['access_token']
        started = time.monotonic()
        response = http.post('%s/adminapi/beta/%s/InvokeCommand' % (info['api_url'], CONTOSO),
                             json={'CmdletInput': {'CmdletName': 'Get-OrganizationConfig', 'Parameters': {}}},
                             headers={'Authorization': 'Bearer ' + token, 'X-ResponseFormat': 'json'})
        assert response.status_code == 200
        assert time.monotonic() - started >= 0.3
    finally:
        assert stop_emulator(process) == 0
    assert not os.path.exists(info['ca_file'])


def _run_with(tmp_path, document):
    scenario = tmp_path / 'scenario.yml'
    scenario.write_text(document)
    return subprocess.run([sys.executable, EMULATOR, '--scenario', str(scenario), '--ready-file', str(tmp_path / 'ready.json')],
                          capture_output=True, text=True, timeout=60, check=False)


def test_scenario_with_a_typo_is_refused_before_ready(tmp_path):
    result = _run_with(tmp_path, 'tenants:\n  - tenant_id: %s\n    organisation: contoso.onmicrosoft.com\n' % CONTOSO)
    assert result.returncode == 2
    assert 'organisation' in result.stderr
    assert not (tmp_path / 'ready.json').exists()


def test_scenario_with_a_bad_role_is_refused(tmp_path):
    result = _run_with(tmp_path, json.dumps({'tenants': [{'tenant_id': CONTOSO, 'organization': 'contoso.onmicrosoft.com',
                                                          'apps': [dict(APPS['admin'], role='Owner')]}]}))
    assert result.returncode == 2
    assert 'Owner' in result.stderr


def test_scenario_state_of_the_wrong_shape_is_refused(tmp_path):
    result = _run_with(tmp_path, json.dumps({'tenants': [{'tenant_id': CONTOSO, 'organization': 'contoso.onmicrosoft.com',
                                                          'apps': [APPS['admin']], 'state': {'transport_rules': {'Name': 'x'}}}]}))
    assert result.returncode == 2
    assert 'transport_rules' in result.stderr
