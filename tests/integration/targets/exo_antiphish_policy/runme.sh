#!/usr/bin/env bash
# exo_antiphish_policy against the emulator: a tenant without Defender for Office 365 and one with it.
set -eux
source ../setup_emulator/run_target.sh
run_target antiphish_policy.yml "$@"
