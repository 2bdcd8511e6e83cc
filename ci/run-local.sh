#!/usr/bin/env bash
# The run command: brings up the whole local pipeline and shows trades landing in Kafka and ClickHouse.
#   - a Kafka broker (ci/kafka.sh, from Maven Central jars, no Docker);
#   - ClickHouse 18.16 (ci/clickhouse.sh) with the local schema (ci/clickhouse-schema.sh): its Kafka
#     engine reads the topic, as Data Transfer does in the cloud;
#   - the project's Finnhub emulator (target/finnhub-stream-tools.jar) on ws://127.0.0.1:18090, unless
#     FINNHUB_TOKEN is set, in which case the service connects to the real wss://ws.finnhub.io with that key;
#   - the service itself, built as a fat jar and run with `java -jar` in environment `local`.
# Then it prints this run's first trades from the topic, waits for them in ClickHouse, prints the dashboard URL
# and a query to try, and follows the service log until Ctrl-C.
#
#   ci/run-local.sh            run until Ctrl-C
#   ci/run-local.sh --smoke    check that this run's trades arrive, then stop everything (used by CI)
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

SMOKE=false
[[ "${1:-}" == "--smoke" ]] && SMOKE=true

EMULATOR_PORT="${EMULATOR_PORT:-18090}"
HTTP_PORT="${HTTP_PORT:-8080}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-18123}"
TOPIC="${KAFKA_TOPIC:-finnhub_trades}"
RUN_DIR="$WORK_DIR/run"
mkdir -p "$RUN_DIR"

started_kafka=false
if ! ci/kafka.sh status >/dev/null 2>&1; then
  ci/kafka.sh start >/dev/null
  started_kafka=true
fi
started_clickhouse=false
if ! ci/clickhouse.sh status >/dev/null 2>&1; then
  ci/clickhouse.sh start >/dev/null
  started_clickhouse=true
fi

build_jars

cleanup() {
  stop_pidfile "$RUN_DIR/service.pid" "service" 30 "finnhub-stream-fat.jar" || true
  stop_pidfile "$RUN_DIR/emulator.pid" "emulator" 10 "FinnhubEmulator" || true
  if $started_kafka; then
    if $SMOKE; then ci/kafka.sh stop || true; else log "Kafka keeps running; stop it with ci/kafka.sh stop"; fi
  fi
  if $started_clickhouse; then
    if $SMOKE; then ci/clickhouse.sh stop || true; else log "ClickHouse keeps running; stop it with ci/clickhouse.sh stop"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export APP_ENV=local
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-19092}"
export KAFKA_TOPIC="$TOPIC"
export HTTP_PORT
# The service's dashboard reads this ClickHouse.
export CLICKHOUSE_URL="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"
# Before the service writes: tables and views first, then the Kafka engine's consumer (idempotent).
# The topic first: ClickHouse 18.16's Kafka engine only notices a topic created after it subscribed at its next
# metadata refresh, minutes later. (The service would create it too, with the same settings.)
ci/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:${KAFKA_PORT:-19092}" \
  --create --if-not-exists --topic "$TOPIC" --partitions 3 --replication-factor 1 >/dev/null
ci/clickhouse-schema.sh local
if [[ -n "${FINNHUB_TOKEN:-}" ]]; then
  export FINNHUB_URL="wss://ws.finnhub.io"
  log "FINNHUB_TOKEN is set: streaming from the real Finnhub"
else
  # A token only the emulator knows: the service sends it exactly as it would a real key.
  export FINNHUB_TOKEN="local-emulator-token"
  export FINNHUB_URL="ws://127.0.0.1:$EMULATOR_PORT"
  log "FINNHUB_TOKEN is not set: starting the Finnhub emulator on $FINNHUB_URL"
  setsid nohup java -Xmx256m -cp "$FAT_JAR:$TOOLS_JAR" dev.finnhubstream.emulator.FinnhubEmulator \
    --port "$EMULATOR_PORT" --token "$FINNHUB_TOKEN" --rate "${EMULATOR_RATE:-50}" --ping-ms 30000 \
    >"$RUN_DIR/emulator.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/emulator.pid"
  wait_for_port 127.0.0.1 "$EMULATOR_PORT" 30 || { tail -20 "$RUN_DIR/emulator.log" >&2; exit 1; }
fi

log "starting the service (java -jar target/finnhub-stream-fat.jar, APP_ENV=local), log in $RUN_DIR/service.log"
setsid nohup java -Xmx256m -jar "$FAT_JAR" >"$RUN_DIR/service.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/service.pid"
if ! wait_for_port 127.0.0.1 "$HTTP_PORT" 60; then
  log "the service did not come up; its log:"
  tail -40 "$RUN_DIR/service.log" >&2
  exit 1
fi

log "service up: status at http://127.0.0.1:$HTTP_PORT/status ; trades land in Kafka topic $TOPIC"
# A reused machine keeps earlier runs' trades in the topic and in ClickHouse, so the checks below look for this
# run's only: the service logs its run id at start, and every trade's ingest_id is "<run id>-<frame>-<index>".
[[ "$(<"$RUN_DIR/service.log")" =~ run\ id\ ([0-9a-z]+), ]] || { log "no run id in $RUN_DIR/service.log"; exit 1; }
RUN_ID="${BASH_REMATCH[1]}"
log "first trades of this run (run id $RUN_ID) in $TOPIC (key<TAB>value):"
# A fresh consumer group reads from the earliest offset; grep keeps this run's records and stops at the fifth,
# and the consumer ends at its next write into the closed pipe (it says so on stderr, hence the separate log).
mapfile -t first_trades < <(timeout 60 ci/kafka.sh consume "$TOPIC" 2>"$RUN_DIR/consumer.log" |
  grep -m 5 -F -- "\"ingest_id\":\"$RUN_ID-")
if ((${#first_trades[@]} < 5)); then
  log "${#first_trades[@]} of this run's trades reached $TOPIC within 60 s, not 5; consumer log $RUN_DIR/consumer.log; service log:"
  tail -40 "$RUN_DIR/service.log" >&2
  exit 1
fi
printf '%s\n' "${first_trades[@]}"

http_get() {
  local response
  response="$(exec 3<>/dev/tcp/127.0.0.1/"$HTTP_PORT"; printf 'GET %s HTTP/1.0\r\nHost: x\r\n\r\n' "$1" >&3; cat <&3)"
  printf '%s\n' "${response##*$'\r\n\r\n'}"
}
status="$(http_get /status)"
# The database the dashboard reads: clickhouse.database of conf/app.json, as /status reports it.
[[ "$status" =~ \"dashboard\":\{[^}]*\"database\":\"([a-z0-9_]+)\" ]] || { log "no dashboard in /status: $status"; exit 1; }
DB="${BASH_REMATCH[1]}"
THIS_RUN="ingest_id LIKE '$RUN_ID-%'" # the run id is [0-9a-z]+: nothing to escape
deadline=$((SECONDS + 60))
until [[ "$(ci/clickhouse.sh client -q "SELECT count() FROM $DB.trades WHERE $THIS_RUN" 2>/dev/null || echo 0)" -gt 0 ]]; do
  if ((SECONDS >= deadline)); then
    log "no trades of this run reached ClickHouse table $DB.trades within 60 s; server errors:"
    tail -20 "$WORK_DIR/clickhouse/clickhouse-server.err.log" >&2 || true
    exit 1
  fi
  sleep 1
done
log "trades are landing in ClickHouse: $(ci/clickhouse.sh client -q "SELECT count() FROM $DB.trades FINAL WHERE $THIS_RUN") of this run so far in $DB.trades"
log "dashboard: http://127.0.0.1:$HTTP_PORT/dashboard ; live status page: http://127.0.0.1:$HTTP_PORT/"
log "a query to try:"
printf '  ci/clickhouse.sh client -q "SELECT symbol, minute, open, high, low, close, round(volume, 6) AS volume, trades FROM %s.ohlcv_1m_bars ORDER BY minute DESC, symbol LIMIT 10 FORMAT PrettyCompact"\n' "$DB" >&2
ci/clickhouse.sh client -q "SELECT symbol, minute, open, high, low, close, round(volume, 6) AS volume, trades FROM $DB.ohlcv_1m_bars ORDER BY minute DESC, symbol LIMIT 10 FORMAT PrettyCompact"

if $SMOKE; then
  latest="$(http_get /dashboard/api/latest)"
  [[ "$latest" == *'"symbol"'* ]] || { log "the dashboard shows no latest prices: $latest"; exit 1; }
  printf '%s\n' "$status"
  if grep -q -F -- "$FINNHUB_TOKEN" "$RUN_DIR/service.log" - <<<"$status$latest"; then
    log "the token appeared in the log or /status"; exit 1
  fi
  log "smoke check passed"
  exit 0
fi

log "following the service log; Ctrl-C stops the service and the emulator"
tail -n 0 -f "$RUN_DIR/service.log"
