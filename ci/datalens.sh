#!/usr/bin/env bash
# Builds an environment's DataLens dashboard (workbook, ClickHouse connection, charts, dashboard) from
# src/tools/resources/datalens with dev.finnhubstream.datalens.DataLensTool, fed by Terraform's outputs.
#
# Usage: ci/datalens.sh plan|apply|destroy|export ENV [--rotate-password] [--definitions DIR] [--to DIR]
#   plan     print what apply would create or update; changes nothing
#   apply    create or update what differs (--rotate-password: also send the password when nothing else changed)
#   destroy  delete the dashboard, charts and connection, then the workbook if nothing else is in it
#   export   write the workbook's charts and dashboard in the files' shape (--to DIR, default target/datalens-export/ENV)
# Needs: terraform/ initialised for ENV and applied with datalens.enabled (the outputs datalens_clickhouse and
# datalens_clickhouse_password), and YC_TOKEN=$(yc iam create-token) (or a VM whose service account may use
# DataLens). The password goes from Terraform's state to the tool through the environment only: never a file,
# never the command line.
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

usage() { sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 2 ]] || usage
command_name="$1"
env_name="$2"
shift 2
case "$command_name" in plan | apply | destroy | export) ;; *) usage ;; esac

build_jars

tf() { terraform -chdir="$REPO/terraform" "$@"; }
state_env="$(tf output -raw environment 2>/dev/null || true)"
if [[ "$state_env" != "$env_name" ]]; then
  log "terraform/ holds the state of environment \"${state_env:-none}\", not $env_name: run terraform -chdir=terraform init -reconfigure \$(terraform/scripts/backend-config.sh $env_name) first"
  exit 1
fi
if [[ "$command_name" == plan || "$command_name" == apply ]]; then
  DATALENS_CLICKHOUSE="$(tf output -json datalens_clickhouse)"
  export DATALENS_CLICKHOUSE
fi
if [[ "$command_name" == apply ]]; then
  DATALENS_CLICKHOUSE_PASSWORD="$(tf output -raw datalens_clickhouse_password)"
  export DATALENS_CLICKHOUSE_PASSWORD
fi
exec java -cp "$FAT_JAR:$TOOLS_JAR" dev.finnhubstream.datalens.DataLensTool "$command_name" "$env_name" "$@"
