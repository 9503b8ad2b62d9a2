#!/usr/bin/env bash
# exo_transport_rule against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target transport_rule.yml "$@"
