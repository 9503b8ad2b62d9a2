# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance report's lab: six tenants, each in a state the report must show, with a DNS domain each.

    make_lab.py DIR zones               -> writes the zone records, prints the start_bind arguments (zone=file ...)
    make_lab.py DIR scenario HOST:PORT  -> DIR/scenario.yml for the emulator (DKIM CNAMEs looked up at HOST:PORT)
    make_lab.py DIR inventory           -> DIR/lab.yml (role and host variables, the TSIG key from the BIND_*
                                           environment) and DIR/drift.yml (drifted's weakened DNS, for prepare.yml)

The tenants (the expected report is in test_report.py):
  hardened   hardened to phase 4 before the audit: every control compliant
  drifted    hardened, then RejectDirectSend turned off and its SPF and DMARC records weakened
  phase2     at phase 2: rule and connector drift, later phases not applicable; shares an app with certonly
  certonly   a gateway known only by its certificate: no safety-net rule or skip listing (not applicable)
  badcreds   a wrong client secret: every control an error
  throttled  every API call answered 429: every control an error
"""
import json
import os
import sys

GATEWAY = ['192.0.2.0/24', '198.51.100.10']
#: One multi-tenant app (an MSP's) consented in two tenants: its tokens must still be one per tenant.
SHARED_APP = '5a5a5a5a-0000-4000-8000-00000000a000'
TENANTS = ['hardened', 'drifted', 'phase2', 'certonly', 'badcreds', 'throttled']
GATEWAY_SPF = 'v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com -all'


def tenant(name):
    number = TENANTS.index(name) + 1
    return {'name': name, 'organization': '%slab.onmicrosoft.com' % name, 'domain': '%s-lab.example' % name,
            'tenant_id': '5c5c5c5c-0000-4000-8000-0000000000%02d' % number,
            'client_id': SHARED_APP if name in ('phase2', 'certonly') else '5b5b5b5b-0000-4000-8000-0000000000%02d' % number,
            'client_secret': 'report-lab-secret-%s' % ('shared' if name in ('phase2', 'certonly') else name)}


def zones(directory):
    exchange = os.path.join(directory, 'spf.protection.outlook.com.records')
    with open(exchange, 'w') as handle:
        handle.write('@ 300 IN TXT "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 -all"\n')
    arguments = ['spf.protection.outlook.com=%s' % exchange]
    for name in TENANTS:
        lab = tenant(name)
        spf = 'v=spf1 include:spf.protection.outlook.com -all' if name == 'certonly' else GATEWAY_SPF
        path = os.path.join(directory, lab['domain'] + '.records')
        with open(path, 'w') as handle:
            handle.write('@ 300 IN TXT "%s"\n' % spf)
        arguments.append('%s=%s' % (lab['domain'], path))
    print(' '.join(arguments))


def scenario(directory, dns_server):
    tenants = []
    for name in TENANTS:
        lab = tenant(name)
        tenants.append({'tenant_id': lab['tenant_id'], 'organization': lab['organization'],
                        'accepted_domains': [lab['domain'], lab['organization']],
                        'apps': [{'client_id': lab['client_id'], 'client_secret': lab['client_secret'],
                                  'role': 'Exchange Administrator'}]})
    with open(os.path.join(directory, 'scenario.yml'), 'w') as handle:
        json.dump({'dns_server': dns_server, 'tenants': tenants}, handle, indent=1)


def inventory(directory):
    server, port = os.environ['BIND_SERVER'], int(os.environ['BIND_PORT'])
    role = {
        'centralized_mailflow_seg_ip_addresses': GATEWAY,
        'centralized_mailflow_dns_provider': 'rfc2136',
        'centralized_mailflow_dns_server': server,
        'centralized_mailflow_dns_port': port,
        'centralized_mailflow_dns_key_name': os.environ['BIND_KEY_NAME'],
        'centralized_mailflow_dns_key_secret': os.environ['BIND_KEY_SECRET'],
        'centralized_mailflow_dns_key_algorithm': os.environ['BIND_KEY_ALGORITHM'],
        'centralized_mailflow_dns_nameservers': ['%s:%d' % (server, port)],
        'centralized_mailflow_spf': {'ip4': ['192.0.2.0/24'], 'include': ['spf.protection.outlook.com'], 'all': '-all'},
        'centralized_mailflow_dmarc': {'p': 'reject'},
    }
    hosts = {
        tenant('phase2')['organization']: {'centralized_mailflow_phase': 2},
        tenant('certonly')['organization']: {
            'centralized_mailflow_seg_ip_addresses': [],
            'centralized_mailflow_seg_certificate_name': '*.gw.lab.example',
            'centralized_mailflow_spf': {'include': ['spf.protection.outlook.com'], 'all': '-all'}},
        tenant('badcreds')['organization']: {'exo_client_secret': 'not-the-secret-of-badcreds'},
    }
    write(os.path.join(directory, 'lab.yml'), {'all': {'vars': role, 'children': {'tenants': {'hosts': hosts}}}})
    # drifted's DNS, weakened behind the role's back (the audit's desired records stay those of lab.yml).
    drifted = tenant('drifted')
    write(os.path.join(directory, 'drift.yml'), {'dns_drift': {
        'domain': drifted['domain'], 'provider': 'rfc2136', 'server': server, 'port': port,
        'key_name': os.environ['BIND_KEY_NAME'], 'key_secret': os.environ['BIND_KEY_SECRET'],
        'key_algorithm': os.environ['BIND_KEY_ALGORITHM'], 'nameservers': ['%s:%d' % (server, port)],
        'spf_record': 'v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com ~all', 'dmarc': {'p': 'none'}}})


def write(path, document):
    with open(path, 'w') as handle:
        json.dump(document, handle, indent=1)
    os.chmod(path, 0o600)


def main():
    directory, what = sys.argv[1], sys.argv[2]
    if what == 'zones':
        zones(directory)
    elif what == 'scenario':
        scenario(directory, sys.argv[3])
    else:
        inventory(directory)


if __name__ == '__main__':
    main()
