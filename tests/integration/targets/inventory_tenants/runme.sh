#!/usr/bin/env bash
# The exoguard.mailflow.tenants inventory over the emulator's tenants, as an MSP runs it from AWX: the tenants file
# and its gateway profiles give the hosts (ansible-inventory --list checked for hosts, variables and groups), a bad
# row fails with its file, line and field, and playbooks/audit.yml runs over the inventory with the one multi-tenant
# app's credentials in the EXO_* environment variables (what the AWX credential type injects), reading every tenant
# and writing nothing.
set -eux -o pipefail
source ../setup_emulator/emulator.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
here=$(pwd)

start_emulator scenario.yml
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(dirname "$(dirname "$(dirname "$COLLECTION_ROOT")")")}
export EXOGUARD_SNAPSHOT_DIR=$EMULATOR_WORK/snapshots
# A tenants file that does not parse must fail the run, not leave an empty inventory.
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true
"$python" make_inventory.py "$EMULATOR_READY" "$EMULATOR_WORK"
inventory=$EMULATOR_WORK/inventory/lab.tenants.yml

# The inventory: one host per tenant, the profiles' variables, the override, the groups.
ansible-inventory -i "$inventory" --list >"$EMULATOR_WORK/inventory.json"
"$python" check_inventory.py "$EMULATOR_WORK/inventory.json" "$EMULATOR_WORK/expected.json"
ansible-inventory -i "$inventory" --graph tenants

# A bad row: the run fails and says where.
if ansible-inventory -i "$EMULATOR_WORK/inventory/bad.tenants.yml" --list >/dev/null 2>"$EMULATOR_WORK/bad.log"; then
    echo "a tenants file with a bad tenant ID was accepted" >&2
    exit 1
fi
grep -F "$EMULATOR_WORK/tenants/bad.csv:3: tenant_id: 'contoso' is not a GUID" "$EMULATOR_WORK/bad.log"

# The MSP app's credentials come from the environment, never from the inventory.
set +x
client_id=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["tenants"][0]["apps"][0]["client_id"])' "$EMULATOR_READY")
EXO_CLIENT_ID=$client_id
EXO_CLIENT_SECRET=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["tenants"][0]["apps"][0]["client_secret"])' "$EMULATOR_READY")
export EXO_CLIENT_ID EXO_CLIENT_SECRET
set -x

# An audit over the whole inventory (the lab has no DNS: no antispoof tag), from another directory, as AWX runs it.
cd "$EMULATOR_WORK"
ansible-playbook -i "$inventory" "$COLLECTION_ROOT/playbooks/audit.yml" --skip-tags antispoof -f 3 | tee audit.log
cd "$here"
# Every tenant completed, each with drift to report, and the audit names the controls.
for tenant in contosoinv fabrikaminv tailspininv; do
    grep -Eq "^$tenant\.onmicrosoft\.com +: ok=[0-9]+ +changed=[1-9][0-9]* .*failed=0" "$EMULATOR_WORK/audit.log"
done
grep -q 'Block Direct Send' "$EMULATOR_WORK/audit.log"
"$python" check_calls.py "$EMULATOR_READY" "$client_id" "$EMULATOR_WORK/expected.json"
