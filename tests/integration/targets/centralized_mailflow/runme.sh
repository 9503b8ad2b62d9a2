#!/usr/bin/env bash
# The centralized_mailflow role end to end on the emulator (with BIND for SPF and DKIM): phases one by one, a second
# run with no change, an audit of a fresh tenant, rollback to the first snapshot, preflight blocking phase 3, ten
# tenants at once with one whose credentials are wrong (and again, unchanged), the quarantine action, a gateway known
# only by its certificate, an IP allow list emptied, connectors for legitimate Direct Send senders, and rollback
# without a snapshot.
set -eux -o pipefail
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
source ../setup_bind/lab.sh
start_lab

export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(dirname "$(dirname "$(dirname "$COLLECTION_ROOT")")")}
export EXOGUARD_SNAPSHOT_DIR=$EMULATOR_WORK/snapshots
playbooks=$COLLECTION_ROOT/playbooks
set +x  # the TSIG secret stays out of the trace
cat >"$EMULATOR_WORK/role-vars.yml" <<VARS
centralized_mailflow_seg_ip_addresses: [192.0.2.0/24, 198.51.100.10]
centralized_mailflow_dns_provider: rfc2136
centralized_mailflow_dns_server: "$BIND_SERVER"
centralized_mailflow_dns_port: $BIND_PORT
centralized_mailflow_dns_key_name: "$BIND_KEY_NAME"
centralized_mailflow_dns_key_secret: "$BIND_KEY_SECRET"
centralized_mailflow_dns_key_algorithm: "$BIND_KEY_ALGORITHM"
centralized_mailflow_dns_nameservers: ["$BIND_SERVER:$BIND_PORT"]
centralized_mailflow_spf: {ip4: [192.0.2.0/24], include: [spf.protection.outlook.com], all: "-all"}
centralized_mailflow_dmarc: {p: quarantine}
centralized_mailflow_verify_smtp_host: "$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["smtp_host"])' "$EMULATOR_READY")"
centralized_mailflow_verify_smtp_port: $("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["smtp_port"])' "$EMULATOR_READY")
centralized_mailflow_verify_ca_path: "$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["ca_file"])' "$EMULATOR_READY")"
centralized_mailflow_verify_attacker_ip: 203.0.113.66
centralized_mailflow_verify_gateway_ip: 192.0.2.25
VARS
set -x
run() {
    ansible-playbook -i "$EMULATOR_INVENTORY" -e "@$EMULATOR_WORK/role-vars.yml" "$@"
}
recap_changed() {  # the PLAY RECAP's changed= for host $2 in log $1
    sed -n "s/^$2 *: .*changed=\([0-9]*\).*/\1/p" "$1"
}

# Every tenant's untouched state, for check.yml to tell what a phase changed from what it must leave alone.
run check.yml -e expect=baseline

# An audit of a fresh tenant reports every control as drift and writes nothing.
run --limit t01lab.onmicrosoft.com "$playbooks/audit.yml" | tee "$EMULATOR_WORK/audit.log"
"$python" changed_tasks.py "$EMULATOR_WORK/audit.log" t01lab.onmicrosoft.com >"$EMULATOR_WORK/audit.changed"
# (The DKIM CNAMEs are not among them: Exchange names its selectors only once the signing configuration exists.)
diff -u - "$EMULATOR_WORK/audit.changed" <<'CONTROLS'
Anti-phishing policy - spoof intelligence, honour DMARC, quarantine what fails authentication
Anti-spam policy
Block Direct Send (own-domain spoofs straight to Exchange Online get 550 5.7.68)
DKIM signing configuration of each domain (a new one is created disabled, to publish its CNAMEs first)
Enable DKIM signing
SPF and DMARC of each protected domain (audit only unless records are given and a DNS provider is set)
Safety-net rule - reject external mail that did not come through the gateway
The gateway connector, restricted to the gateway's IP addresses
CONTROLS
run --limit t01lab.onmicrosoft.com check.yml -e expect=audit

# Phases one by one: after each, the tenant is what that phase promises and nothing else.
# The role's own verify tag probes the front door at the outcome each phase promises (the attack matrix's P1-P3).
for phase in 1 2 3 4; do
    run --limit t01lab.onmicrosoft.com "$playbooks/harden.yml" -e centralized_mailflow_phase=$phase
    run --limit t01lab.onmicrosoft.com check.yml -e expect=phase -e phase=$phase
    run --limit t01lab.onmicrosoft.com "$playbooks/harden.yml" --tags verify -e centralized_mailflow_phase=$phase \
        | tee "$EMULATOR_WORK/verify-$phase.log"
    grep -q 'is configured for phase' "$EMULATOR_WORK/verify-$phase.log"
    [[ $(grep -c 'Skipped P' "$EMULATOR_WORK/verify-$phase.log" || true) == 0 ]]
    run --limit t01lab.onmicrosoft.com check.yml -e expect=no_writes
done

# The whole role again: nothing changes and nothing is written.
run --limit t01lab.onmicrosoft.com "$playbooks/harden.yml" | tee "$EMULATOR_WORK/again.log"
[[ $(recap_changed "$EMULATOR_WORK/again.log" t01lab.onmicrosoft.com) == 0 ]]
run --limit t01lab.onmicrosoft.com check.yml -e expect=no_writes

# Each run wrote its snapshot as <snapshot dir>/<tenant>/<UTC timestamp>.json, before any change of that run.
ls "$EXOGUARD_SNAPSHOT_DIR/t01lab.onmicrosoft.com" >"$EMULATOR_WORK/snapshots.list"
[[ $(grep -Ecv '^[0-9]{8}T[0-9]{12}Z\.json$' "$EMULATOR_WORK/snapshots.list") == 0 ]]
[[ $(wc -l <"$EMULATOR_WORK/snapshots.list") == 5 ]]  # phases 1-4 and the run again

# Rollback to the first snapshot (taken before phase 1) gives back exactly that state.
run --limit t01lab.onmicrosoft.com "$playbooks/rollback.yml" -e centralized_mailflow_rollback_snapshot=earliest
run --limit t01lab.onmicrosoft.com "$playbooks/snapshot.yml"
"$python" compare_snapshots.py "$EXOGUARD_SNAPSHOT_DIR/t01lab.onmicrosoft.com"
# ... and the front door accepts all three probes again, as before any change (playbooks/verify.yml: the verify tag alone).
run --limit t01lab.onmicrosoft.com "$playbooks/verify.yml" -e centralized_mailflow_phase=0 \
    | tee "$EMULATOR_WORK/verify-rollback.log"
[[ $(grep -c 'expect accepted))$' "$EMULATOR_WORK/verify-rollback.log") == 3 ]]

# Preflight: t02's SPF lists 203.0.113.25, so phase 3 is refused until that sender is acknowledged.
if run --limit t02lab.onmicrosoft.com "$playbooks/harden.yml" -e centralized_mailflow_phase=3 >"$EMULATOR_WORK/blocked.log"; then
    echo "phase 3 ran although SPF lists an unacknowledged sender" >&2
    exit 1
fi
grep -q 'ip4:203.0.113.25' "$EMULATOR_WORK/blocked.log"
run --limit t02lab.onmicrosoft.com check.yml -e expect=phase -e phase=2
run --limit t02lab.onmicrosoft.com "$playbooks/harden.yml" -e centralized_mailflow_phase=3 \
    -e '{"centralized_mailflow_direct_send_sources_acknowledged": ["ip4:203.0.113.25"]}'
run --limit t02lab.onmicrosoft.com check.yml -e expect=phase -e phase=3

# Ten tenants in one run with five forks; t11's secret is wrong, so it fails alone.
cat >"$EMULATOR_WORK/wrong.yml" <<'WRONG'
all:
  children:
    tenants:
      hosts:
        t11lab.onmicrosoft.com:
          exo_client_secret: not-the-secret
WRONG
if ansible-playbook -i "$EMULATOR_INVENTORY" -i "$EMULATOR_WORK/wrong.yml" -e "@$EMULATOR_WORK/role-vars.yml" -f 5 \
        --limit '~t(0[2-9]|1[01])lab' "$playbooks/harden.yml" -e centralized_mailflow_phase=2 | tee "$EMULATOR_WORK/fleet.log"; then
    echo "the run with a wrong secret did not fail" >&2
    exit 1
fi
grep -Eq '^t11lab\.onmicrosoft\.com +: .*failed=1' "$EMULATOR_WORK/fleet.log"
[[ $(grep -Ec '^t(0[2-9]|10)lab\.onmicrosoft\.com +: .*failed=0' "$EMULATOR_WORK/fleet.log") == 9 ]]
run --limit '~t(0[3-9]|10)lab' check.yml -e expect=phase -e phase=2
# ... and the fleet again: no change and no write on any tenant.
run -f 5 --limit '~t(0[2-9]|10)lab' "$playbooks/harden.yml" -e centralized_mailflow_phase=2 | tee "$EMULATOR_WORK/fleet-again.log"
[[ $(grep -Ec '^t(0[2-9]|10)lab\.onmicrosoft\.com +: .*changed=0 .*failed=0' "$EMULATOR_WORK/fleet-again.log") == 9 ]]
run --limit '~t(0[2-9]|10)lab' check.yml -e expect=no_writes

# The safety net as a quarantine instead of a reject: the reject action goes, and comes back when switched back.
run --limit t03lab.onmicrosoft.com "$playbooks/harden.yml" -e centralized_mailflow_phase=2 -e centralized_mailflow_rule_action=quarantine
run --limit t03lab.onmicrosoft.com check.yml -e expect=phase -e phase=2 -e rule_action=quarantine
run --limit t03lab.onmicrosoft.com "$playbooks/harden.yml" -e centralized_mailflow_phase=2
run --limit t03lab.onmicrosoft.com check.yml -e expect=phase -e phase=2

# A gateway known only by its TLS certificate (t12): no safety-net rule (its exceptions are IPs) and no skip
# listing; the "(TLS)" connector restricted to the certificate, then RejectDirectSend. SPF's gateway range is then
# an unknown sender to preflight, acknowledged here.
cat >"$EMULATOR_WORK/certificate-only.yml" <<'CERTIFICATE'
centralized_mailflow_seg_ip_addresses: []
centralized_mailflow_seg_certificate_name: "*.gw.lab.example"
centralized_mailflow_direct_send_sources_acknowledged: ["ip4:192.0.2.0/24"]
gateway: []
certificate: "*.gw.lab.example"
CERTIFICATE
run --limit t12lab.onmicrosoft.com -e "@$EMULATOR_WORK/certificate-only.yml" "$playbooks/harden.yml" \
    | tee "$EMULATOR_WORK/certificate-only.log"
grep -q 'No gateway IP addresses: the safety-net rule (phases 1 and 4) and Enhanced Filtering are skipped' \
    "$EMULATOR_WORK/certificate-only.log"
run --limit t12lab.onmicrosoft.com -e "@$EMULATOR_WORK/certificate-only.yml" check.yml -e expect=phase -e phase=4
run --limit t12lab.onmicrosoft.com -e "@$EMULATOR_WORK/certificate-only.yml" "$playbooks/harden.yml" \
    | tee "$EMULATOR_WORK/certificate-only-again.log"
[[ $(recap_changed "$EMULATOR_WORK/certificate-only-again.log" t12lab.onmicrosoft.com) == 0 ]]
run --limit t12lab.onmicrosoft.com -e "@$EMULATOR_WORK/certificate-only.yml" check.yml -e expect=no_writes
# Rollback without a snapshot, in reverse order: the certificate restriction dropped, Direct Send accepted again.
run --limit t12lab.onmicrosoft.com -e "@$EMULATOR_WORK/certificate-only.yml" "$playbooks/rollback.yml"
run --limit t12lab.onmicrosoft.com -e "@$EMULATOR_WORK/certificate-only.yml" check.yml -e expect=rolled_back

# t13 drifted (a connection-filter IP allow list) and has a scanner that sends straight to Exchange Online: phase 4
# empties the allow list and gives the scanner its own connector before RejectDirectSend.
cat >"$EMULATOR_WORK/scanner.yml" <<'SCANNER'
centralized_mailflow_direct_send_connectors:
  - {name: Office scanner, sender_ip_addresses: [203.0.113.40]}
direct_send_connectors:
  - {name: Office scanner, sender_ip_addresses: [203.0.113.40]}
SCANNER
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" "$playbooks/harden.yml"
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" check.yml -e expect=phase -e phase=4
# One phase back: rollback --tags phase3 turns RejectDirectSend off and nothing else; phase 4 back is phase 3's
# run (the rule to Audit).
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" "$playbooks/rollback.yml" --tags phase3
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" check.yml -e expect=rolled_back -e '{"undone": [3]}'
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" "$playbooks/harden.yml" -e centralized_mailflow_phase=3 \
    --tags phase1
run --limit t13lab.onmicrosoft.com check.yml -e expect=rule -e rule_mode=Audit
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" "$playbooks/harden.yml"
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" check.yml -e expect=phase -e phase=4
# Rollback without a snapshot: rule disabled, connector restriction dropped, RejectDirectSend off - nothing else.
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" "$playbooks/rollback.yml"
run --limit t13lab.onmicrosoft.com -e "@$EMULATOR_WORK/scanner.yml" check.yml -e expect=rolled_back
