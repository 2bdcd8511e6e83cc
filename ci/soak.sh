#!/usr/bin/env bash
# The reliability soak: the suite CI runs in its short form (ReliabilityIT), at soak scale: 200,000 trades per
# scenario at 5,000/s, ten disconnects/resets, 30 s silences and 401 storms, 5 MB frames, a two-minute broker
# outage; with the bad-input and secrets checks, 3,000,000 fuzzed frames (FUZZ_TRIES). Starts Kafka and
# ClickHouse like ci/test.sh (it is ci/test.sh with only these tests), prints the table and keeps it in
# target/reliability/table.md (the table in docs/reliability.md is a copy). About 30 minutes on 2 cores.
# Extra arguments go to Maven.
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
rm -rf target/reliability
status=0
# The fault scenarios at soak scale, and the bad-input and secrets checks with ten times CI's fuzzed frames.
bash ci/test.sh -Dit.test=ReliabilityIT,HostileInputIT,ConfigFuzzIT \
  -Dtest=ReliabilityTableTest,FrameFuzzTest,ConfigFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dreliability.scale=soak -Dfuzz.tries="${FUZZ_TRIES:-3000000}" "$@" || status=$?
log "reliability table ($(date -u +%Y-%m-%d), ci/soak.sh):"
cat target/reliability/table.md 2>/dev/null || log "no table: the suite did not run"
exit "$status"
