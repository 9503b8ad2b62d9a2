# shellcheck shell=bash
# A target's lab: BIND serving the zones and the emulator serving the tenants that the target's make_lab.py writes
# (make_lab.py DIR zones prints start_bind's zone=file arguments; make_lab.py DIR scenario HOST:PORT writes
# DIR/scenario.yml with that DNS server).
#   source ../setup_bind/lab.sh   (after set -eux), then:  start_lab
source ../setup_emulator/emulator.sh
source ../setup_bind/bind.sh

start_lab() {
    local lab_python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
    new_emulator_work
    # shellcheck disable=SC2046  # one argument per zone
    start_bind $("$lab_python" make_lab.py "$EMULATOR_WORK" zones)
    "$lab_python" make_lab.py "$EMULATOR_WORK" scenario "$BIND_SERVER:$BIND_PORT"
    start_emulator "$EMULATOR_WORK/scenario.yml"
    trap 'stop_bind; stop_emulator' EXIT
}
