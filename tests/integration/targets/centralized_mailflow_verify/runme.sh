#!/usr/bin/env bash
# The issue's attack matrix through the role's own verify tag (playbooks/harden.yml --tags verify) on one tenant, row
# by row: before any change, phases 1-4 (hunting asked at phase 4), the connector restriction lifted by hand (refused
# at expect=phase, probed at expect=state: the safety net alone fails P2 with the rule's own code 5.7.900), a hole in
# the safety net as well (monitoring contradicts: the verify fails), after rollback, a certificate-only gateway at
# phase 2, and probes that cannot reach port 25 (skipped, not failed).
# check.yml then checks each row against its verify report and what the emulator recorded of that run (SMTP door,
# call log).
set -eux -o pipefail
source ../setup_emulator/emulator.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
start_emulator scenario.yml

export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(dirname "$(dirname "$(dirname "$COLLECTION_ROOT")")")}
export EXOGUARD_SNAPSHOT_DIR=$EMULATOR_WORK/snapshots
playbooks=$COLLECTION_ROOT/playbooks
tenant=verifylab.onmicrosoft.com

run() {
    ansible-playbook -i "$EMULATOR_INVENTORY" -e @role-vars.yml "$@"
}
harden() {  # harden PHASE: the role up to PHASE (no DNS in this lab: antispoof is left out)
    run "$playbooks/harden.yml" --skip-tags antispoof -e centralized_mailflow_phase="$1"
}
records() {  # records reset | records save ROW: the emulator's call log and SMTP records of one verify run
    "$python" lab.py "$EMULATOR_READY" "$@"
}
verify() {  # verify ROW [ansible-playbook args]: the verify tag alone, its output in verify-ROW.log, its records saved
    local row=$1 status=0
    shift
    records reset
    run "$playbooks/harden.yml" --tags verify -e centralized_mailflow_verify_report_dir="$EMULATOR_WORK/reports/$row" "$@" \
        | tee "$EMULATOR_WORK/verify-$row.log" || status=$?
    records save "$row"
    return $status
}
"$python" lab.py "$EMULATOR_READY" certificate  # the gateway's client certificate, for the certificate-only row

# Port 25 unreachable: every probe is reported as skipped and the verify does not fail.
closed_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
verify unreachable -e centralized_mailflow_phase=0 -e centralized_mailflow_verify_smtp_port="$closed_port"
[[ $(grep -c 'Skipped P' "$EMULATOR_WORK/verify-unreachable.log") == 3 ]]
for probe in P1 P2 P3; do grep -q "Skipped $probe .*unreachable" "$EMULATOR_WORK/verify-unreachable.log"; done

# Before any change: all three accepted, no rule event.
verify before -e centralized_mailflow_phase=0
grep -q "$tenant is configured for phase 0" "$EMULATOR_WORK/verify-before.log"
[[ $(grep -c 'expect accepted))$' "$EMULATOR_WORK/verify-before.log") == 3 ]]

# Phases 1-4, each hardened by the role and then verified at its own phase; hunting asked once, at phase 4.
for phase in 1 2 3 4; do
    hunting=()
    [[ $phase != 4 ]] || hunting=(-e centralized_mailflow_verify_hunting=true)
    harden $phase
    verify phase$phase -e centralized_mailflow_phase=$phase "${hunting[@]}"
    grep -q "$tenant is configured for phase $phase" "$EMULATOR_WORK/verify-phase$phase.log"
done
grep -q 'Message trace: P1 Delivered, safety-net rule event; P2 Delivered, safety-net rule event; P3 Delivered"' \
    "$EMULATOR_WORK/verify-phase1.log"
grep -q '"blocked_by_sender_ip": {' "$EMULATOR_WORK/verify-phase4.log"
grep -q '"direct_send_attempts": "not asked"' "$EMULATOR_WORK/verify-phase3.log"

# Phase 4, then someone lifts the connector restriction by hand. At expect=phase the verify refuses before probing ...
run drift.yml -e change=lift
if verify refused -e centralized_mailflow_phase=4; then
    echo "verify at expect=phase passed a tenant whose connector restriction was lifted" >&2
    exit 1
fi
grep -q "is not at phase 4: neither 'From Secure Email Gateway' restricted to the gateway's IP addresses" \
    "$EMULATOR_WORK/verify-refused.log"
# ... and at expect=state it probes what is configured, warns of the drift, and finds P2 failed by the safety net.
verify lifted -e centralized_mailflow_phase=4 -e centralized_mailflow_verify_expect=state
grep -q "WARNING: $tenant is not configured as phase 4 says" "$EMULATOR_WORK/verify-lifted.log"
grep -q "Message trace: P2 Failed by the safety-net rule (5.7.900); P3 Delivered\"" "$EMULATOR_WORK/verify-lifted.log"
# A hole in the safety net too (the attacker's address exempted): P2 is delivered, and monitoring contradicts the
# expectation, so the verify fails - after showing the summary and writing its report.
run drift.yml -e change=hole
if verify hole -e centralized_mailflow_phase=4 -e centralized_mailflow_verify_expect=state; then
    echo "verify passed although the safety-net rule let P2 through" >&2
    exit 1
fi
grep -q "Monitoring contradicts the expectation: P2 (exoguard.mailflow probe verify-.*-P2) is Delivered; the safety-net rule" \
    "$EMULATOR_WORK/verify-hole.log"

# After rollback (reverse order): the rule disabled, no restriction, RejectDirectSend off - all accepted again.
run "$playbooks/rollback.yml"
verify rollback -e centralized_mailflow_phase=0
grep -q "$tenant is configured for phase 0" "$EMULATOR_WORK/verify-rollback.log"
[[ $(grep -c 'expect accepted))$' "$EMULATOR_WORK/verify-rollback.log") == 3 ]]

# A gateway known by its certificate only: phase 2 is the "(TLS)" connector restricted by certificate, no rule; P3
# presents the gateway's certificate (no gateway IP).
run drift.yml -e change=certificate_only
verify certificate -e centralized_mailflow_phase=2 -e "{\"centralized_mailflow_seg_ip_addresses\": [],
    \"centralized_mailflow_seg_certificate_name\": \"seg.verify-lab.example\", \"centralized_mailflow_verify_gateway_ip\": \"\",
    \"centralized_mailflow_verify_gateway_certificate\": \"$EMULATOR_WORK/seg.pem\",
    \"centralized_mailflow_verify_gateway_key\": \"$EMULATOR_WORK/seg.key\"}"
grep -q "$tenant is configured for phase 2" "$EMULATOR_WORK/verify-certificate.log"

# Every row against its verify report and what the emulator recorded of it.
run check.yml
echo "centralized_mailflow_verify: ${SECONDS}s"
