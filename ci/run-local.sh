#!/usr/bin/env bash
# The run command: brings up the local pipeline and shows trades landing in Kafka.
#   - a Kafka broker (ci/kafka.sh, from Maven Central jars, no Docker);
#   - the project's Finnhub emulator on ws://127.0.0.1:18090, unless FINNHUB_TOKEN is set, in which
#     case the service connects to the real wss://ws.finnhub.io with that key;
#   - the service itself, built as a fat jar and run with `java -jar` in environment `local`.
# Then it prints the first trades from the topic and follows the service log until Ctrl-C.
#
#   ci/run-local.sh            run until Ctrl-C
#   ci/run-local.sh --smoke    check that trades arrive, then stop everything (used by CI)
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

SMOKE=false
[[ "${1:-}" == "--smoke" ]] && SMOKE=true

EMULATOR_PORT="${EMULATOR_PORT:-18090}"
HTTP_PORT="${HTTP_PORT:-8080}"
TOPIC="${KAFKA_TOPIC:-finnhub_trades}"
RUN_DIR="$WORK_DIR/run"
JAR="$REPO/target/finnhub-stream-fat.jar"
mkdir -p "$RUN_DIR"

started_kafka=false
if ! ci/kafka.sh status >/dev/null 2>&1; then
  ci/kafka.sh start >/dev/null
  started_kafka=true
fi

if [[ ! -f "$JAR" ]] || [[ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]]; then
  log "building the fat jar (mvn package, tests skipped here: ci/test.sh runs them)"
  mvn -B -q -ntp -DskipTests package
fi

cleanup() {
  stop_pidfile "$RUN_DIR/service.pid" "service" 30 "finnhub-stream-fat.jar" || true
  stop_pidfile "$RUN_DIR/emulator.pid" "emulator" 10 "FinnhubEmulator" || true
  if $started_kafka; then
    if $SMOKE; then ci/kafka.sh stop || true; else log "Kafka keeps running; stop it with ci/kafka.sh stop"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export APP_ENV=local
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-19092}"
export KAFKA_TOPIC="$TOPIC"
export HTTP_PORT
if [[ -n "${FINNHUB_TOKEN:-}" ]]; then
  export FINNHUB_URL="wss://ws.finnhub.io"
  log "FINNHUB_TOKEN is set: streaming from the real Finnhub"
else
  # A token only the emulator knows: the service sends it exactly as it would a real key.
  export FINNHUB_TOKEN="local-emulator-token"
  export FINNHUB_URL="ws://127.0.0.1:$EMULATOR_PORT"
  log "FINNHUB_TOKEN is not set: starting the Finnhub emulator on $FINNHUB_URL"
  setsid nohup java -Xmx256m -cp "$JAR" dev.finnhubstream.emulator.FinnhubEmulator \
    --port "$EMULATOR_PORT" --token "$FINNHUB_TOKEN" --rate "${EMULATOR_RATE:-50}" --ping-ms 30000 \
    >"$RUN_DIR/emulator.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/emulator.pid"
  wait_for_port 127.0.0.1 "$EMULATOR_PORT" 30 || { tail -20 "$RUN_DIR/emulator.log" >&2; exit 1; }
fi

log "starting the service (java -jar target/finnhub-stream-fat.jar, APP_ENV=local), log in $RUN_DIR/service.log"
setsid nohup java -Xmx256m -jar "$JAR" >"$RUN_DIR/service.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/service.pid"
if ! wait_for_port 127.0.0.1 "$HTTP_PORT" 60; then
  log "the service did not come up; its log:"
  tail -40 "$RUN_DIR/service.log" >&2
  exit 1
fi

log "service up: status at http://127.0.0.1:$HTTP_PORT/status ; trades land in Kafka topic $TOPIC"
log "first trades in $TOPIC (key<TAB>value):"
# A fresh consumer group from the earliest offset: on a reused broker this shows older trades first.
if ! timeout 60 ci/kafka.sh consume "$TOPIC" 5; then
  log "no trades reached $TOPIC within 60 s; service log:"
  tail -40 "$RUN_DIR/service.log" >&2
  exit 1
fi

if $SMOKE; then
  status="$(exec 3<>/dev/tcp/127.0.0.1/"$HTTP_PORT"; printf 'GET /status HTTP/1.0\r\nHost: x\r\n\r\n' >&3; cat <&3)"
  printf '%s\n' "${status##*$'\r\n\r\n'}"
  if grep -q -F -- "$FINNHUB_TOKEN" "$RUN_DIR/service.log" - <<<"$status"; then
    log "the token appeared in the log or /status"; exit 1
  fi
  log "smoke check passed"
  exit 0
fi

log "following the service log; Ctrl-C stops the service and the emulator"
tail -n 0 -f "$RUN_DIR/service.log"
