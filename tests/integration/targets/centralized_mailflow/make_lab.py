# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the role's lab into DIR: zone files for BIND (one domain per tenant, with SPF), the emulator scenario
(`dns_server` from argv), and the role's variables.

    make_lab.py DIR zones          -> prints the start_bind arguments (zone=file ...)
    make_lab.py DIR scenario HOST:PORT
"""
import json
import os
import sys

TENANTS = 13
GATEWAY = ['192.0.2.0/24', '198.51.100.10']
#: t02's SPF lists a sender that is neither the gateway nor Exchange Online: preflight must stop phase 3 for it.
UNKNOWN_SENDER = 'ip4:203.0.113.25'
#: t13 has drifted: a connection-filter IP allow list the role must empty (allowed IPs skip spoof checks).
ALLOW_LIST = {13: ['198.51.100.0/24', '203.0.113.5']}


def tenant(number):
    return {'name': 't%02d' % number, 'domain': 't%02d-lab.example' % number,
            'organization': 't%02dlab.onmicrosoft.com' % number,
            'tenant_id': '7a7a7a7a-0000-4000-8000-0000000000%02d' % number,
            'client_id': '7b7b7b7b-0000-4000-8000-0000000000%02d' % number}


def zones(directory):
    # Exchange Online's own SPF include, served locally: the lab has no internet.
    exchange = os.path.join(directory, 'spf.protection.outlook.com.records')
    with open(exchange, 'w') as handle:
        handle.write('@ 300 IN TXT "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 -all"\n')
    arguments = ['spf.protection.outlook.com=%s' % exchange]
    for number in range(1, TENANTS + 1):
        lab = tenant(number)
        extra = ' ' + UNKNOWN_SENDER if number == 2 else ''
        path = os.path.join(directory, lab['domain'] + '.records')
        with open(path, 'w') as handle:
            handle.write('@ 300 IN TXT "v=spf1 ip4:192.0.2.0/24 include:spf.protection.outlook.com%s -all"\n' % extra)
            handle.write('@ 300 IN TXT "google-site-verification=lab"\n')
        arguments.append('%s=%s' % (lab['domain'], path))
    print(' '.join(arguments))


def scenario(directory, dns_server):
    tenants = []
    for number in range(1, TENANTS + 1):
        lab = tenant(number)
        entry = {'tenant_id': lab['tenant_id'], 'organization': lab['organization'],
                 'accepted_domains': [lab['domain'], lab['organization']],
                 'apps': [{'client_id': lab['client_id'], 'client_secret': 'lab-secret-%s' % lab['name'],
                           'role': 'Exchange Administrator'}]}
        if number in ALLOW_LIST:
            entry['state'] = {'hosted_connection_filter_policies': [{'Name': 'Default',
                                                                     'IPAllowList': ALLOW_LIST[number]}]}
        tenants.append(entry)
    with open(os.path.join(directory, 'scenario.yml'), 'w') as handle:
        json.dump({'dns_server': dns_server, 'tenants': tenants}, handle, indent=1)


def main():
    directory, what = sys.argv[1], sys.argv[2]
    if what == 'zones':
        zones(directory)
    else:
        scenario(directory, sys.argv[3])


if __name__ == '__main__':
    main()
