#!/usr/bin/env bash
# dns_auth_records against a real BIND 9 primary with a TSIG key: create, idempotence (no UPDATE sent), change,
# remove, check mode, other TXT records kept, refused and broken updates, audit-only, and no secret at -vvv.
set -eux

source ../setup_bind/bind.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
start_bind auth.test=auth.test.zone vendor.test=vendor.test.zone
work=$(mktemp -d)
trap 'stop_bind; rm -rf "$work"' EXIT

export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(cd ../../../../../.. && pwd)}
cat >"$work/inventory" <<INVENTORY
localhost ansible_connection=local ansible_python_interpreter=$python
INVENTORY
cat >"$work/vars.json" <<VARS
{"bind_helper": "$(cd ../setup_bind && pwd)/bind_server.py", "bind_python": "$python"}
VARS

ansible-playbook -i "$work/inventory" -e "@$work/vars.json" dns_auth_records.yml "$@"

# Tasks that carry the TSIG secret (a good one and a wrong one), at -vvv: neither may show.
wrong_secret=$("$python" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
log=$work/vvv.log
WRONG_SECRET=$wrong_secret ansible-playbook -vvv -i "$work/inventory" no_secret_in_output.yml >"$log" 2>&1 \
    || { cat "$log"; exit 1; }
grep -q 'dns_auth_records' "$log"  # the log is the real one
grep -q 'TSIG authentication failed' "$log"  # and holds the failure
for secret in "$BIND_KEY_SECRET" "$wrong_secret"; do
    if grep -qF -- "$secret" "$log"; then
        echo "a TSIG secret appears in the -vvv output" >&2
        exit 1
    fi
done
