#!/usr/bin/env bash
# exo_inbound_connector against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target inbound_connector.yml "$@"
