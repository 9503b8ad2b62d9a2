#!/usr/bin/env bash
# exo_config_info against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target config_info.yml "$@"
