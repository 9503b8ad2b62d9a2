#!/usr/bin/env bash
# exo_connection_filter_policy against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target connection_filter_policy.yml "$@"
