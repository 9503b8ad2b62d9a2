#!/usr/bin/env bash
# exo_skiplist against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target skiplist.yml "$@"
