#!/usr/bin/env bash
# DKIM end to end: a configuration created disabled in the emulator, its two CNAMEs published with dns_auth_records
# (RFC 2136 to a real BIND 9), then enabled; the emulator checks the CNAMEs on that BIND before it says Status: Valid.
set -eux
source ../setup_emulator/emulator.sh
source ../setup_bind/bind.sh

new_emulator_work
start_bind dkim-lab.example
trap 'stop_bind; stop_emulator' EXIT

# The scenario names BIND as the DNS server Exchange asks, so it is written once BIND has its port.
cat >"$EMULATOR_WORK/scenario.yml" <<SCENARIO
dns_server: "$BIND_SERVER:$BIND_PORT"
tenants:
  - tenant_id: 0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b
    organization: dkimlab.onmicrosoft.com
    accepted_domains: [dkim-lab.example, dkimlab.onmicrosoft.com]
    apps:
      - client_id: 1f2a3b4c-5d6e-4f7a-9b8c-0d1e2f3a4b5c
        client_secret: dkim-end-to-end-secret
        role: Exchange Administrator
SCENARIO
start_emulator "$EMULATOR_WORK/scenario.yml"
trap 'stop_bind; stop_emulator' EXIT  # start_emulator set its own

ansible-playbook -i "$EMULATOR_INVENTORY" dkim_end_to_end.yml "$@"
