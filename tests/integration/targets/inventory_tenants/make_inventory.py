# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the MSP's inventory for the emulator's tenants into DIR, as a user would lay it out in a project:

    DIR/inventory/lab.tenants.yml   the plugin configuration: gateway profiles (with the emulator's URLs and CA)
    DIR/tenants/customers.csv       one row per tenant, no credential in it
    DIR/inventory/bad.tenants.yml   the same configuration over DIR/tenants/bad.csv, whose third line is wrong
    DIR/expected.json               what ansible-inventory must show, for check_inventory.py

    make_inventory.py READY_FILE DIR
"""
import csv
import json
import os
import sys

import yaml

GATEWAY_IPS = ['192.0.2.0/24', '198.51.100.10']
# tenant number -> (display name, gateway profile, phase, overrides)
ROWS = {
    0: ('Contoso, Ltd', 'lab_seg', '1', {}),
    1: ('Fabrikam', 'lab_seg', '3', {'centralized_mailflow_connector_name': 'From the Fabrikam gateway'}),
    2: ('Tailspin Toys', 'lab_seg_tls', '', {}),
}


def profiles(ready):
    emulator = {'exo_api_url': ready['api_url'], 'exo_login_url': ready['login_url'], 'exo_ca_path': ready['ca_file']}
    if ready.get('graph_url'):
        emulator['exo_graph_url'] = ready['graph_url']
    # The lab has no DNS: the SPF preflight is left out (and the audit skips the antispoof tag).
    emulator['centralized_mailflow_preflight_spf'] = False
    return {
        'lab_seg': dict(emulator, centralized_mailflow_seg_ip_addresses=GATEWAY_IPS),
        'lab_seg_tls': dict(emulator, centralized_mailflow_seg_certificate_name='*.gw.lab.example',
                            centralized_mailflow_phase=2),
    }


def write_config(path, tenants_file, gateway_profiles):
    config = {
        'plugin': 'exoguard.mailflow.tenants',
        'tenants_file': tenants_file,
        'gateway_profiles': gateway_profiles,
        'keyed_groups': [{'key': "exo_cloud | default('commercial')", 'prefix': 'cloud'}],
        'groups': {'pilot': 'centralized_mailflow_phase | int < 2'},
    }
    with open(path, 'w') as handle:
        yaml.safe_dump(config, handle, default_flow_style=False, sort_keys=False)


def write_tenants(path, ready):
    columns = ['tenant_id', 'organization', 'display_name', 'gateway_profile', 'phase',
               'centralized_mailflow_connector_name']
    with open(path, 'w', newline='') as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for number, tenant in enumerate(ready['tenants']):
            display_name, profile, phase, overrides = ROWS[number]
            writer.writerow([tenant['tenant_id'], tenant['organization'], display_name, profile, phase,
                             overrides.get('centralized_mailflow_connector_name', '')])


def expected(ready, gateway_profiles):
    hosts = {}
    for number, tenant in enumerate(ready['tenants']):
        display_name, profile, phase, overrides = ROWS[number]
        variables = dict(gateway_profiles[profile], **overrides)
        variables.update({
            'ansible_connection': 'local',
            'ansible_python_interpreter': '{{ ansible_playbook_python }}',
            'exo_tenant_id': tenant['tenant_id'],
            'exo_organization': tenant['organization'],
            'exo_display_name': display_name,
            'exo_gateway_profile': profile,
            'centralized_mailflow_phase': int(phase) if phase else gateway_profiles[profile]['centralized_mailflow_phase'],
        })
        hosts[tenant['organization']] = variables
    return {'hosts': hosts, 'secrets': sorted(set(app['client_secret'] for tenant in ready['tenants']
                                                  for app in tenant['apps'] if app.get('client_secret')))}


def main():
    with open(sys.argv[1]) as handle:
        ready = json.load(handle)
    directory = sys.argv[2]
    for folder in ('inventory', 'tenants'):
        os.makedirs(os.path.join(directory, folder), exist_ok=True)
    gateway_profiles = profiles(ready)
    write_config(os.path.join(directory, 'inventory', 'lab.tenants.yml'), '../tenants/customers.csv', gateway_profiles)
    write_tenants(os.path.join(directory, 'tenants', 'customers.csv'), ready)
    write_config(os.path.join(directory, 'inventory', 'bad.tenants.yml'), '../tenants/bad.csv', gateway_profiles)
    with open(os.path.join(directory, 'tenants', 'bad.csv'), 'w') as handle:
        handle.write('tenant_id,organization,gateway_profile,phase\n'
                     '%s,%s,lab_seg,1\n' % (ready['tenants'][0]['tenant_id'], ready['tenants'][0]['organization'])
                     + 'contoso,fabrikaminv.onmicrosoft.com,lab_seg,1\n')
    with open(os.path.join(directory, 'expected.json'), 'w') as handle:
        json.dump(expected(ready, gateway_profiles), handle, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
