# shellcheck shell=bash
# Start the Exchange Online emulator for one integration target and write an inventory for its tenants.
# Source it from a target's runme.sh, then call:  start_emulator SCENARIO.yml
# It sets COLLECTION_ROOT, EMULATOR_WORK, EMULATOR_READY, EMULATOR_INVENTORY and EMULATOR_ADMIN_URL, isolates the
# token cache in EMULATOR_WORK, and stops the emulator and removes EMULATOR_WORK when the target's shell exits.
# A target that must write files before the emulator starts (certificates, the scenario) sets EMULATOR_WORK first
# with new_emulator_work.

collection_root() {
    # ansible-test points ANSIBLE_COLLECTIONS_PATH at the tree that holds this collection; elsewhere walk up.
    local base dir
    for base in ${ANSIBLE_COLLECTIONS_PATH//:/ }; do
        if [[ -f $base/ansible_collections/exoguard/mailflow/galaxy.yml ]]; then
            echo "$base/ansible_collections/exoguard/mailflow"
            return
        fi
    done
    dir=$(pwd)
    while [[ $dir != / ]]; do
        if [[ -f $dir/galaxy.yml && -d $dir/tests/emulator ]]; then
            echo "$dir"
            return
        fi
        dir=$(dirname "$dir")
    done
    echo "cannot find the exoguard.mailflow collection root" >&2
    return 1
}

stop_emulator() {
    if [[ -n ${EMULATOR_PID:-} ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -TERM "$EMULATOR_PID"
        wait "$EMULATOR_PID" || true
    fi
    rm -rf "${EMULATOR_WORK:?}"
}

new_emulator_work() {
    EMULATOR_WORK=$(mktemp -d)
    trap stop_emulator EXIT
}

start_emulator() {
    local scenario=$1 python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
    COLLECTION_ROOT=$(collection_root)
    [[ -n ${EMULATOR_WORK:-} ]] || new_emulator_work
    EMULATOR_READY=$EMULATOR_WORK/ready.json
    EMULATOR_INVENTORY=$EMULATOR_WORK/inventory.yml
    export EXO_TOKEN_CACHE_DIR=$EMULATOR_WORK/tokens
    "$python" "$COLLECTION_ROOT/tests/emulator/exo-emulator" --scenario "$scenario" --ready-file "$EMULATOR_READY" \
        >"$EMULATOR_WORK/emulator.log" 2>&1 &
    EMULATOR_PID=$!
    trap stop_emulator EXIT
    for _ in $(seq 300); do
        [[ -s $EMULATOR_READY ]] && break
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            cat "$EMULATOR_WORK/emulator.log" >&2
            return 1
        fi
        sleep 0.1
    done
    [[ -s $EMULATOR_READY ]] || { echo "emulator not ready after 30 s" >&2; return 1; }
    "$python" "$COLLECTION_ROOT/scripts/lab_inventory.py" "$EMULATOR_READY" "$EMULATOR_INVENTORY"
    EMULATOR_ADMIN_URL=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin_url"])' "$EMULATOR_READY")
    export COLLECTION_ROOT EMULATOR_WORK EMULATOR_READY EMULATOR_INVENTORY EMULATOR_ADMIN_URL
}
