#!/usr/bin/env bash
# The module path: every other target that runs this collection's modules or role, run again as modules, so both
# execution paths pass the same tests. The aliases set EXOGUARD_IN_PROCESS=false; `make integration-module-path` runs
# this target.
# The targets are those of the collection that have a runme.sh (the setup_* helpers have none), except:
#   module_path              this target
#   inprocess_action         already runs its tasks on both paths, setting EXOGUARD_IN_PROCESS itself for each run
#   dns_auth_records_corpus  pytest calling the SPF/DMARC audit's module_utils directly: no task, so no path to choose
# ansible-test copies into its work directory only the targets that this one's aliases name (needs/target/...), so a
# new target must be named there as well; the run fails, saying so, when one is not.
# Every target runs even when one fails; the failed ones are listed at the end.
set -eux -o pipefail
[[ ${EXOGUARD_IN_PROCESS:-} == false ]]
excluded=(module_path inprocess_action dns_auth_records_corpus)

source ../setup_emulator/emulator.sh
# The collection's own targets directory (not ansible-test's copy, which holds only what the aliases name).
all_targets=$(collection_root)/tests/integration/targets
targets=()
for runme in "$all_targets"/*/runme.sh; do
    target=$(basename "$(dirname "$runme")")
    [[ " ${excluded[*]} " == *" $target "* ]] || targets+=("$target")
done
(( ${#targets[@]} > 0 ))
for target in "${targets[@]}"; do
    if [[ ! -x ../$target/runme.sh ]]; then
        echo "target $target is not in ansible-test's copy: add needs/target/$target to module_path/aliases" >&2
        exit 1
    fi
done

failed=()
for target in "${targets[@]}"; do
    start=$SECONDS
    (cd "../$target" && ./runme.sh "$@") || failed+=("$target")
    echo "module_path: $target $((SECONDS - start))s"
done
echo "module_path: ${#targets[@]} targets in ${SECONDS}s"
if (( ${#failed[@]} )); then
    echo "module_path: failed on the module path: ${failed[*]}" >&2
    exit 1
fi
