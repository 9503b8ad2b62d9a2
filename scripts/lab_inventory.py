#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write an Ansible inventory (YAML) for the tenants of a running emulator, from its ready file.

One host per tenant, named by its organization, with the inventory variables of DESIGN.md (exo_tenant_id,
exo_client_id, exo_client_secret or exo_certificate_path, exo_api_url, exo_login_url, exo_graph_url, exo_ca_path, ...) for the
tenant's first Exchange Administrator app. Every app of the tenant is also listed in `emulator_apps`, so tests can
sign in as a reader or a role-less app; `emulator_admin_url` is where the admin API answers.

    scripts/lab_inventory.py READY_FILE [OUTPUT]
"""
import json
import sys

import yaml


def host_vars(tenant, ready, python):
    apps = tenant.get('apps') or []
    admin = next((app for app in apps if app.get('role') == 'Exchange Administrator'), apps[0] if apps else {})
    variables = {
        'ansible_connection': 'local',
        'ansible_python_interpreter': python,
        'exo_tenant_id': tenant['tenant_id'],
        'exo_organization': tenant['organization'],
        'exo_client_id': admin.get('client_id'),
        'exo_api_url': ready['api_url'],
        'exo_login_url': ready['login_url'],
        'exo_ca_path': ready['ca_file'],
        'exo_accepted_domains': tenant.get('accepted_domains') or [],
        'emulator_apps': apps,
    }
    if ready.get('graph_url'):
        variables['exo_graph_url'] = ready['graph_url']
    if admin.get('client_secret'):
        variables['exo_client_secret'] = admin['client_secret']
    elif admin.get('certificate'):
        variables['exo_certificate_path'] = admin['certificate']
    return variables


def inventory(ready, python=sys.executable):
    hosts = dict((tenant['organization'], host_vars(tenant, ready, python)) for tenant in ready['tenants'])
    return {'all': {
        'vars': {'emulator_admin_url': ready['admin_url'], 'emulator_ca_file': ready['ca_file'],
                 'emulator_smtp_host': ready.get('smtp_host'), 'emulator_smtp_port': ready.get('smtp_port')},
        'children': {'tenants': {'hosts': hosts}},
    }}


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    with open(argv[1]) as handle:
        ready = json.load(handle)
    text = yaml.safe_dump(inventory(ready), default_flow_style=False, sort_keys=True)
    if len(argv) == 3:
        with open(argv[2], 'w') as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


if __name__ == '__main__':
    main(sys.argv)
