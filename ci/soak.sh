#!/usr/bin/env bash
# The reliability soak: the suite CI runs in its short form (ReliabilityIT), at soak scale: 200,000 trades per
# scenario at 5,000/s, ten disconnects/resets, 30 s silences and 401 storms, 5 MB frames, a two-minute broker
# outage. Starts Kafka and ClickHouse like ci/test.sh (it is ci/test.sh with only this test), prints the table
# and keeps it in target/reliability/table.md (the README's "Guarantees" table is a copy). About 25 minutes on
# 2 cores. Extra arguments go to Maven.
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
rm -rf target/reliability
status=0
bash ci/test.sh -Dit.test=ReliabilityIT -Dtest=ReliabilityTableTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dreliability.scale=soak "$@" || status=$?
log "reliability table ($(date -u +%Y-%m-%d), ci/soak.sh):"
cat target/reliability/table.md 2>/dev/null || log "no table: the suite did not run"
exit "$status"
