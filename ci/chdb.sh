#!/usr/bin/env bash
# Modern ClickHouse, embedded: the npm package chdb (ClickHouse 26.x, ~540 MB), used by the tests to run
# src/tools/resources/clickhouse/modern.sql, the schema Managed ClickHouse gets.
#
# Usage: ci/chdb.sh install        npm install into ci/chdb/node_modules (git-ignored), skipped when up to date
#        ci/chdb.sh run JOB.json   run a job with ci/chdb/run-sql.js (see that file)
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHDB_DIR="$REPO/ci/chdb"
# Written after a successful install; an install newer than the lock file is reused as is.
STAMP="$CHDB_DIR/node_modules/.installed"

cmd_install() {
  if [[ -f "$STAMP" && ! "$CHDB_DIR/package-lock.json" -nt "$STAMP" ]]; then
    return 0
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  log "installing chdb with npm (first run downloads ~540 MB)"
  # `npm install`, not `npm ci`: npm ci rejects this lock file for leaving out the other platforms'
  # optional native packages of chdb. The lock file still pins every version.
  (cd "$CHDB_DIR" && npm install --no-audit --no-fund --loglevel=error >&2)
  touch "$STAMP"
}

case "${1:-}" in
  install) cmd_install ;;
  run)
    cmd_install
    job="$(cd "$(dirname "${2:?usage: chdb.sh run JOB.json}")" && pwd -P)/$(basename "$2")"
    # An empty working directory: chdb would read a config.xml found in the current one.
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    (cd "$scratch" && node "$CHDB_DIR/run-sql.js" "$job")
    ;;
  *)
    sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
