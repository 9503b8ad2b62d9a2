#!/usr/bin/env bash
# exo_historical_search against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target exo_historical_search.yml "$@"
