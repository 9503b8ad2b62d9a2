#!/usr/bin/env bash
# The attack matrix end to end on the emulator: P1/P2/P3 probed with smtp_probe at every phase of the
# rollout (each phase applied with the collection's own modules), then message trace and Advanced Hunting.
set -eux
source ../setup_emulator/run_target.sh
run_target attack_matrix.yml "$@"
