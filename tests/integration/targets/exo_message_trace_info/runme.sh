#!/usr/bin/env bash
# exo_message_trace_info against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target exo_message_trace_info.yml "$@"
