#!/usr/bin/env bash
# defender_hunting_query against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target defender_hunting_query.yml "$@"
