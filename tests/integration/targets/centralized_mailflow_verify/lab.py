# -*- coding: utf-8 -*-
# Copyright (c) 2026, exoguard.mailflow contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab side of runme.sh, over the emulator's admin API (READY is its ready file; files go to $EMULATOR_WORK):

    lab.py READY certificate   the gateway's TLS client certificate and key from the emulator's CA (seg.pem, seg.key)
    lab.py READY reset         forget the call log and the tenant's SMTP records
    lab.py READY save ROW      write both to records/ROW.json (for check.yml), then forget them
"""
import json
import os
import ssl
import sys
import urllib.request

GATEWAY_NAME = 'seg.verify-lab.example'


def main():
    with open(sys.argv[1]) as handle:
        ready = json.load(handle)
    what = sys.argv[2]
    work = os.environ['EMULATOR_WORK']
    context = ssl.create_default_context(cafile=ready['ca_file'])

    def call(path, method='GET', body=None):
        data = json.dumps(body).encode('utf-8') if body is not None else None
        request = urllib.request.Request(ready['admin_url'] + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=context) as answer:
            return json.load(answer)

    if what == 'certificate':
        issued = call('smtp/client-certificates', 'POST', {'common_name': GATEWAY_NAME, 'dns_names': [GATEWAY_NAME]})
        for name, key in (('seg.pem', 'certificate'), ('seg.key', 'private_key')):
            path = os.path.join(work, name)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as handle:
                handle.write(issued[key])
        return
    paths = {'calls': 'calls', 'door': 'tenants/%s/messages' % ready['tenants'][0]['tenant_id']}
    if what == 'save':
        records = {'calls': call(paths['calls'])['calls'], 'door': call(paths['door'])}
        os.makedirs(os.path.join(work, 'records'), exist_ok=True)
        with open(os.path.join(work, 'records', sys.argv[3] + '.json'), 'w') as handle:
            json.dump(records, handle)
    for path in paths.values():
        call(path, 'DELETE')


if __name__ == '__main__':
    main()
