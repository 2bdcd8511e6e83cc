#!/usr/bin/env bash
# Offline checks of terraform/ (no cloud, no provider download), run by ci/test.sh:
#   terraform fmt; every .tf parsed by HashiCorp's HCL parser and checked against the Yandex provider
#   schema; conf/app.json resolved by real Terraform and by the service for every environment and
#   compared; dead and phantom keys; literal secrets; Data Transfer parser fields against the written
#   record; the operator scripts; the runtime (one per environment, serverless runs never overlapping, the
#   VM's container spec); the image script in dry-run mode; shellcheck of every shell script. The tests are
#   ci/terraform/test/*.test.js (node --test).
# Needs terraform (1.11 on the build machines), node/npm, and the jars (ConfigReport runs from the tools'
# jar on the service's fat jar; both built here if missing or older than their sources).
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

# The shell scripts' lint (shellcheck, below) and jq (terraform/scripts/image.sh) come from Debian's packages.
if ! command -v shellcheck >/dev/null || ! command -v jq >/dev/null; then
  apt_install shellcheck jq
fi
for tool in terraform node npm java jq shellcheck; do
  command -v "$tool" >/dev/null || { log "terraform-check: $tool is not installed"; exit 1; }
done
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# A TF_CLI_CONFIG_FILE naming a missing file only adds a warning to every terraform command.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "$TF_CLI_CONFIG_FILE" ]]; then unset TF_CLI_CONFIG_FILE; fi

# A copy of the shared reference schema (provider 0.222.0) is kept in the repository, so the check runs on
# any clone, wherever it sits; YANDEX_PROVIDER_SCHEMA points elsewhere, e.g. at a newer extraction.
schema="${YANDEX_PROVIDER_SCHEMA:-$REPO/ci/terraform/yandex-provider-schema.json}"
[[ -f "$schema" ]] || { log "terraform-check: provider schema $schema not found (set YANDEX_PROVIDER_SCHEMA)"; exit 1; }
export YANDEX_PROVIDER_SCHEMA="$schema"

log "terraform-check: $(terraform version | head -1), node $(node --version)"
(cd ci/terraform && npm ci --no-audit --no-fund --loglevel=error)

build_jars

terraform fmt -check -recursive
node ci/terraform/check-schema.js terraform "$schema"
(cd ci/terraform && node --test)
