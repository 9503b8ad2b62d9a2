#!/usr/bin/env bash
# smtp_probe against the emulator's SMTP door.
set -eux
source ../setup_emulator/run_target.sh
run_target smtp_probe.yml "$@"
