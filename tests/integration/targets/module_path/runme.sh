#!/usr/bin/env bash
# The module path: a representative subset of the targets (a singleton, a lifecycle resource with extra parameters,
# an info module, DNS) run again as modules, so both execution paths pass the same tests. The aliases set
# EXOGUARD_IN_PROCESS=false; `make integration-module-path` runs this target.
set -eux
[[ ${EXOGUARD_IN_PROCESS:-} == false ]]
for target in exo_org_config exo_transport_rule exo_config_info dns_auth_records; do
    (cd "../$target" && ./runme.sh "$@")
done
