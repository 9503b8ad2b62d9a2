#!/usr/bin/env bash
# exo_dkim_signing against the emulator (no DNS server: Exchange can never see the CNAMEs, so enabling is refused).
set -eux
source ../setup_emulator/run_target.sh
run_target dkim_signing.yml "$@"
