#!/usr/bin/env bash
# Usage: terraform/scripts/backend-config.sh ENV
#
# Prints the -backend-config flags (one per line) that point terraform init at ENV's state, from the
# backend section of conf/app.json as Terraform resolves it. A backend block cannot read the file,
# hence this script:
#   terraform -chdir=terraform init -reconfigure $(terraform/scripts/backend-config.sh dev)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
[[ $# -eq 1 && "$1" != -* ]] || { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

flags="$("$here/resolve-config.sh" "$1" --raw backend_config)"
if [[ -z "$flags" ]]; then
  echo "backend-config: environment \"$1\" has no backend section in conf/app.json, so Terraform does not deploy it" >&2
  exit 1
fi
printf '%s\n' "$flags"
