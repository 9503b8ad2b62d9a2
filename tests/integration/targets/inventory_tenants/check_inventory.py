# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the output of `ansible-inventory --list` over the tenants inventory against make_inventory.py's expectation:
one host per tenant with exactly the expected variables (plain values, as AWX imports them), the groups by gateway
profile and phase under `tenants`, the constructed groups, and no secret anywhere.

    check_inventory.py INVENTORY_JSON EXPECTED_JSON
"""
import json
import sys


def main():
    with open(sys.argv[1]) as handle:
        text = handle.read()
    inventory = json.loads(text)
    with open(sys.argv[2]) as handle:
        expected = json.load(handle)
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    hostvars = inventory['_meta']['hostvars']
    check(sorted(hostvars) == sorted(expected['hosts']), 'hosts: %s' % sorted(hostvars))
    for host, variables in expected['hosts'].items():
        check(hostvars.get(host) == variables, '%s has %s, expected %s' % (host, hostvars.get(host), variables))

    def hosts_of(group):
        return sorted(inventory.get(group, {}).get('hosts', []))

    contoso, fabrikam, tailspin = sorted(expected['hosts'])
    check(hosts_of('tenants') == [contoso, fabrikam, tailspin], 'tenants: %s' % hosts_of('tenants'))
    check(sorted(inventory['tenants'].get('children', [])) == ['gateway_lab_seg', 'gateway_lab_seg_tls', 'phase_1',
                                                               'phase_2', 'phase_3'],
          'children of tenants: %s' % inventory['tenants'].get('children'))
    for group, hosts in (('gateway_lab_seg', [contoso, fabrikam]), ('gateway_lab_seg_tls', [tailspin]),
                         ('phase_1', [contoso]), ('phase_2', [tailspin]), ('phase_3', [fabrikam]),
                         ('pilot', [contoso]), ('cloud_commercial', [contoso, fabrikam, tailspin])):
        check(hosts_of(group) == hosts, '%s: %s, expected %s' % (group, hosts_of(group), hosts))
    check('__ansible_unsafe' not in text, 'values are wrapped as unsafe, which AWX imports as dictionaries')
    for secret in expected['secrets']:
        check(secret not in text, 'a client secret is in the inventory')
    if failures:
        sys.exit('\n'.join(failures))
    print('inventory: %d tenants, groups %s' % (len(hostvars), ', '.join(sorted(set(inventory) - {'_meta'}))))


if __name__ == '__main__':
    main()
