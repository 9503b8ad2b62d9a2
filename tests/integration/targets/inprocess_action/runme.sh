#!/usr/bin/env bash
# The action plugins run the modules in the controller's worker; EXOGUARD_IN_PROCESS=false runs them as modules.
# The same tasks run both ways against one emulator state and must give the same results (argument errors,
# module_defaults, check mode, diff, no_log masking, EXO_* fallbacks from the task's environment, failures), and
# -vvv shows which path ran: no AnsiballZ in process, AnsiballZ for every task on the module path.
set -eux
source ../setup_emulator/emulator.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
start_emulator scenario.yml
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$(dirname "$(dirname "$(dirname "$COLLECTION_ROOT")")")}

for path in in_process module; do
    in_process=true
    [[ $path == module ]] && in_process=false
    EXOGUARD_IN_PROCESS=$in_process ansible-playbook -vvv -i "$EMULATOR_INVENTORY" tasks.yml \
        -e "results_file=$EMULATOR_WORK/$path.json" "$@" >"$EMULATOR_WORK/$path.log" 2>&1 \
        || { cat "$EMULATOR_WORK/$path.log"; exit 1; }
done

# Which path ran: only the module path packages modules.
if grep -q 'AnsiballZ_exo_' "$EMULATOR_WORK/in_process.log"; then
    echo "a module was executed although the task runs in process" >&2
    exit 1
fi
grep -q 'AnsiballZ_exo_org_config.py' "$EMULATOR_WORK/module.log"

# Nothing secret in either log. On the module path, Ansible's own -vvv line of the command that starts the module
# shows the task's environment (EXO_CLIENT_SECRET=...); in process there is no such command.
secrets=(-e 'In~pr0cess.secret_value_31' -e 'Wr0ng~secret.value_00')
if grep -F "${secrets[@]}" "$EMULATOR_WORK/in_process.log" \
        || grep -v "EXEC /bin/sh -c 'EXO_" "$EMULATOR_WORK/module.log" | grep -F "${secrets[@]}"; then
    echo "a secret appears in the -vvv output" >&2
    exit 1
fi

"$python" compare_results.py "$EMULATOR_WORK/in_process.json" "$EMULATOR_WORK/module.json"
