#!/usr/bin/env bash
# Usage: terraform/scripts/resolve-config.sh ENV [--file CONFIG_FILE] [--raw OUTPUT]
#
# Resolves conf/app.json for ENV with real Terraform: evaluates terraform/modules/config (no provider)
# with `terraform init` and `apply` on local state in a temporary directory, and prints its outputs
# (`terraform output -json`, or one output with --raw). Fails with Terraform's one-line reason when the
# file is invalid for ENV. Needs only the terraform binary; works offline.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 && "$1" != -* ]] || usage
env_name="$1"
shift
config="$repo/conf/app.json"
raw=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --file) config="${2:?--file needs a path}"; shift 2 ;;
    --raw) raw="${2:?--raw needs an output name}"; shift 2 ;;
    *) usage ;;
  esac
done
[[ -f "$config" ]] || { echo "resolve-config: $config: no such file" >&2; exit 2; }
config="$(cd "$(dirname "$config")" && pwd -P)/$(basename "$config")"
command -v terraform >/dev/null || { echo "resolve-config: terraform is not on PATH" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$repo"/terraform/modules/config/*.tf "$repo"/terraform/modules/config/keys.json "$work"/
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
# A TF_CLI_CONFIG_FILE naming a missing file only adds a warning to every command: drop it.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "$TF_CLI_CONFIG_FILE" ]]; then unset TF_CLI_CONFIG_FILE; fi
if ! terraform -chdir="$work" init -input=false -no-color >"$work/init.log" 2>&1; then
  cat "$work/init.log" >&2
  exit 1
fi
if ! terraform -chdir="$work" apply -auto-approve -input=false -no-color \
  -var "config_file=$config" -var "environment=$env_name" >"$work/apply.log" 2>&1; then
  # Terraform's error block, without the CLI-config warning noise.
  sed -n '/Error:/,$p' "$work/apply.log" >&2
  exit 1
fi
if [[ -n "$raw" ]]; then
  terraform -chdir="$work" output -no-color -raw "$raw"
else
  terraform -chdir="$work" output -no-color -json
fi
