#!/usr/bin/env bash
# exo_org_config against the emulator: idempotence, check mode, diff, errors, retries, and no secret in -vvv output.
set -eux

source ../setup_emulator/emulator.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
new_emulator_work
"$python" make_lab.py "$EMULATOR_WORK"
start_emulator "$EMULATOR_WORK/scenario.yml"

export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(dirname "$(dirname "$(dirname "$COLLECTION_ROOT")")")}
ansible-playbook -i "$EMULATOR_INVENTORY" -e "@$EMULATOR_WORK/lab-vars.json" org_config.yml "$@"

# The same tasks that carry secrets, at -vvv: neither the client secret, the key password nor a token may show.
log=$EMULATOR_WORK/vvv.log
ansible-playbook -vvv -i "$EMULATOR_INVENTORY" -e "@$EMULATOR_WORK/lab-vars.json" no_secret_in_output.yml >"$log" 2>&1 \
    || { cat "$log"; exit 1; }
grep -q 'reject_direct_send' "$log"  # the log is the real one
for secret in 'Adm1n~s3cret.value_9f8e7d' 'Wrong~s3cret.value_000' 'pem-pass-5f1c0a'; do
    if grep -qF -- "$secret" "$log"; then
        echo "a secret appears in the -vvv output" >&2
        exit 1
    fi
done
if grep -qE 'eyJ[A-Za-z0-9_-]{10,}\.eyJ' "$log"; then
    echo "an access token appears in the -vvv output" >&2
    exit 1
fi
