# shellcheck shell=bash
# The usual body of a target's runme.sh: start the emulator on the target's scenario.yml and run its playbook.
#   source ../setup_emulator/run_target.sh   (after set -eux), then:  run_target PLAYBOOK [ansible-playbook args]
source ../setup_emulator/emulator.sh

run_target() {
    local playbook=$1
    shift
    start_emulator scenario.yml
    ansible-playbook -i "$EMULATOR_INVENTORY" "$playbook" "$@"
}
