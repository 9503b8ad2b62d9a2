# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""After playbooks/audit.yml over the tenants inventory: every tenant was read, with the one MSP app from the
environment and one token per tenant, nothing was written, and a tenant's override reached the role (its connector
is looked up by the name its row gives, and no other tenant's is).

    check_calls.py READY_FILE CLIENT_ID EXPECTED_JSON
"""
import json
import ssl
import sys
import urllib.request


def admin(ready, path):
    context = ssl.create_default_context(cafile=ready['ca_file'])
    with urllib.request.urlopen(ready['admin_url'] + path, context=context, timeout=30) as answer:
        return json.load(answer)


def main():
    with open(sys.argv[1]) as handle:
        ready = json.load(handle)
    client_id = sys.argv[2]
    with open(sys.argv[3]) as handle:
        expected = json.load(handle)
    tenant_ids = sorted(tenant['tenant_id'] for tenant in ready['tenants'])
    calls = admin(ready, 'calls')['calls']
    tokens = admin(ready, 'tokens')['tokens']
    failures = []
    writes = [call['cmdlet'] for call in calls if call['write']]
    if writes:
        failures.append('the audit wrote: %s' % writes)
    if sorted(set(call['tenant'] for call in calls)) != tenant_ids:
        failures.append('tenants read: %s, expected %s' % (sorted(set(call['tenant'] for call in calls)), tenant_ids))
    # A read of what does not exist yet (the gateway connector, the safety-net rule) is answered 404.
    others = [call for call in calls if call.get('app') != client_id or call.get('status') not in (200, 404)]
    if others:
        failures.append('calls not made by the MSP app or failed: %s' % others[:3])
    for variables in expected['hosts'].values():
        name = variables.get('centralized_mailflow_connector_name')
        if not name:
            continue
        readers = sorted(set(call['tenant'] for call in calls if call['cmdlet'] == 'Get-InboundConnector'
                             and (call.get('parameters') or {}).get('Identity') == name))
        if readers != [variables['exo_tenant_id']]:
            failures.append('connector %r was looked up in %s, expected only %s' % (name, readers,
                                                                                    variables['exo_tenant_id']))
    issued = dict((entry['tenant'], entry['issued']) for entry in tokens if entry['client_id'] == client_id)
    if issued != dict((tenant_id, 1) for tenant_id in tenant_ids):
        failures.append('tokens issued per tenant: %s, expected one each' % issued)
    if failures:
        sys.exit('\n'.join(failures))
    print('audit: %d read calls over %d tenants, no write, one token per tenant' % (len(calls), len(tenant_ids)))


if __name__ == '__main__':
    main()
