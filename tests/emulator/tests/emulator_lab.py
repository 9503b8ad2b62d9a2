# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The test scenario and a client that talks to a running emulator as the collection will: msal for tokens,
HTTPS with the emulator's CA, InvokeCommand bodies, the admin API."""

import json
import os
import signal
import subprocess
import sys
import time

import msal
import requests

EMULATOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'exo-emulator')
EXCHANGE_SCOPE = 'https://outlook.office365.com/.default'
GRAPH_SCOPE = 'https://graph.microsoft.com/.default'

CONTOSO = '11111111-1111-4111-8111-111111111111'
CONTOSO_DOMAINS = ['contoso.com', 'contoso.onmicrosoft.com', 'mail.contoso.com', 'contoso.net', 'contoso.org']
FABRIKAM = '33333333-3333-4333-8333-333333333333'
APPS = {
    'admin': {'client_id': '22222222-2222-4222-8222-000000000001', 'client_secret': 'admin-secret', 'role': 'Exchange Administrator'},
    'admin_cert': {'client_id': '22222222-2222-4222-8222-000000000002', 'role': 'Exchange Administrator'},
    'reader': {'client_id': '22222222-2222-4222-8222-000000000003', 'client_secret': 'reader-secret', 'role': 'Global Reader'},
    'security_reader': {'client_id': '22222222-2222-4222-8222-000000000004', 'client_secret': 'sec-secret', 'role': 'Security Reader'},
    'no_role': {'client_id': '22222222-2222-4222-8222-000000000005', 'client_secret': 'norole-secret', 'role': 'none'},
    'no_consent': {'client_id': '22222222-2222-4222-8222-000000000006', 'client_secret': 'noconsent-secret',
                   'role': 'Exchange Administrator', 'consented': False},
    'short_lived': {'client_id': '22222222-2222-4222-8222-000000000007', 'client_secret': 'short-secret',
                    'role': 'Exchange Administrator', 'token_lifetime_seconds': 1},
}
FABRIKAM_ADMIN = {'client_id': '44444444-4444-4444-8444-000000000001', 'client_secret': 'fabrikam-secret', 'role': 'Exchange Administrator'}


def wait_for_ready_file(process, path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError('the emulator exited with %s before it was ready: %s' % (process.returncode, process.stderr.read()))
        try:
            with open(path, encoding='utf-8') as handle:
                return json.load(handle)
        except (OSError, ValueError):
            time.sleep(0.05)
    raise AssertionError('the emulator did not become ready in %s s' % timeout)


def start_emulator(scenario_path, ready_path, *extra):
    process = subprocess.Popen([sys.executable, EMULATOR, '--scenario', str(scenario_path), '--ready-file', str(ready_path)] + list(extra),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return process, wait_for_ready_file(process, ready_path)


def stop_emulator(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=15)
    finally:
        if process.stderr:
            process.stderr.close()


class Lab:
    """A client of one running emulator."""

    def __init__(self, info, app_certificate):
        self.info = info
        self.app_certificate = app_certificate
        self.http = requests.Session()
        self.http.verify = info['ca_file']
        self.http.trust_env = False

    def tenant(self, tenant_id=CONTOSO):
        return next(tenant for tenant in self.info['tenants'] if tenant['tenant_id'] == tenant_id)

    def app(self, name, tenant_id=CONTOSO):
        wanted = APPS[name]['client_id'] if name in APPS else name
        return next(app for app in self.tenant(tenant_id)['apps'] if app['client_id'] == wanted)

    def msal_app(self, name, tenant_segment=CONTOSO, tenant_id=CONTOSO):
        app = self.app(name, tenant_id)
        credential = app.get('client_secret')
        if name == 'admin_cert':
            credential = self.app_certificate
        return msal.ConfidentialClientApplication(app['client_id'], client_credential=credential,
                                                  authority='%s/%s' % (self.info['login_url'], tenant_segment),
                                                  instance_discovery=False, http_client=self.http)

    def token(self, name='admin', scope=EXCHANGE_SCOPE, tenant_id=CONTOSO):
        result = self.msal_app(name, tenant_id, tenant_id).acquire_token_for_client([scope])
        assert 'access_token' in result, result
        return result['access_token']

    def token_request(self, form, tenant_segment=CONTOSO):
        return self.http.post('%s/%s/oauth2/v2.0/token' % (self.info['login_url'], tenant_segment), data=form)

    def invoke_url(self, tenant_segment=CONTOSO):
        return '%s/adminapi/beta/%s/InvokeCommand' % (self.info['api_url'], tenant_segment)

    def invoke(self, cmdlet, parameters=None, token=None, tenant_segment=CONTOSO, json_format=True, headers=None, url=None):
        all_headers = {'Authorization': 'Bearer ' + (token or self.token()), 'X-AnchorMailbox': 'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@'
                       + CONTOSO}
        if json_format:
            all_headers['X-ResponseFormat'] = 'json'
        all_headers.update(headers or {})
        body = {'CmdletInput': {'CmdletName': cmdlet, 'Parameters': {} if parameters is None else parameters}}
        return self.http.post(url or self.invoke_url(tenant_segment), json=body, headers=all_headers, timeout=30)

    def admin(self, method, path, document=None):
        response = self.http.request(method, self.info['admin_url'] + path, json=document, timeout=30)
        return response

    def state(self, tenant_id=CONTOSO):
        return self.admin('GET', 'tenants/%s/state' % tenant_id).json()


def scenario_document(certificate_path):
    """The session's scenario: Contoso with an app per role and credential kind, Fabrikam with RejectDirectSend on."""
    contoso_apps = []
    for name, app in APPS.items():
        entry = dict(app)
        if name == 'admin_cert':
            entry['certificate'] = os.path.basename(certificate_path)  # relative to the scenario file
        contoso_apps.append(entry)
    return {
        'tenants': [
            {'tenant_id': CONTOSO, 'organization': 'contoso.onmicrosoft.com',
             'accepted_domains': CONTOSO_DOMAINS,
             'apps': contoso_apps},
            {'tenant_id': FABRIKAM, 'organization': 'fabrikam.onmicrosoft.com', 'accepted_domains': ['fabrikam.com'],
             'apps': [FABRIKAM_ADMIN],
             'state': {'organization_config': {'RejectDirectSend': True},
                       'inbound_connectors': [{'Name': 'From SEG', 'ConnectorType': 'Partner', 'SenderDomains': ['smtp:*;1'],
                                               'SenderIPAddresses': []}]}},
        ],
    }
