#!/usr/bin/env bash
# The compliance report from a real audit: six tenants in different states (hardened, drifted, at phase 2, a
# certificate-only gateway, wrong credentials, throttled out) audited in one run with the
# exoguard.mailflow.compliance_report callback; test_report.py then checks the JSON (against its schema), the JUnit
# XML, the HTML page in headless Chromium (screenshot in tests/output/compliance_report/), that no secret is in any
# report file, and that every API call carried a token of its own tenant.
set -eux -o pipefail
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
source ../setup_bind/lab.sh
start_lab
"$python" make_lab.py "$EMULATOR_WORK" inventory

export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(dirname "$(dirname "$(dirname "$COLLECTION_ROOT")")")}
export EXOGUARD_SNAPSHOT_DIR=$EMULATOR_WORK/snapshots
playbooks=$COLLECTION_ROOT/playbooks
run() {
    ansible-playbook -i "$EMULATOR_INVENTORY" -i "$EMULATOR_WORK/lab.yml" "$@"
}

# Two tenants hardened (the callback is not enabled yet: the report is the audit's), then one drifted and one
# throttled behind the role's back.
run -f 6 --limit 'hardenedlab.onmicrosoft.com,driftedlab.onmicrosoft.com' "$playbooks/harden.yml"
run prepare.yml -e "@$EMULATOR_WORK/drift.yml"

# The audit: the two broken tenants fail alone, the other four complete.
export EXOGUARD_REPORT_DIR=$EMULATOR_WORK/reports
if ANSIBLE_CALLBACKS_ENABLED=exoguard.mailflow.compliance_report run -f 6 "$playbooks/audit.yml" | tee "$EMULATOR_WORK/audit.log"; then
    echo "the audit with a tenant whose credentials are wrong did not fail" >&2
    exit 1
fi
grep -Eq '^(badcreds|throttled)lab\.onmicrosoft\.com +: .*failed=1' "$EMULATOR_WORK/audit.log"
[[ $(grep -Ec '^(hardened|drifted|phase2|certonly)lab\.onmicrosoft\.com +: .*failed=0' "$EMULATOR_WORK/audit.log") == 4 ]]
grep -q "^Compliance report (6 tenants; .*): $EXOGUARD_REPORT_DIR/compliance-report.html$" "$EMULATOR_WORK/audit.log"

output=$COLLECTION_ROOT/tests/output/compliance_report
mkdir -p "$output"
cp "$EXOGUARD_REPORT_DIR"/compliance-report.* "$output/"
REPORT_OUTPUT=$output "$python" -m pytest -p no:cacheprovider -q test_report.py
echo "compliance report and screenshot: $output"
