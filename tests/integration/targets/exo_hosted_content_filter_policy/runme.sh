#!/usr/bin/env bash
# exo_hosted_content_filter_policy against the emulator.
set -eux
source ../setup_emulator/run_target.sh
run_target content_filter_policy.yml "$@"
