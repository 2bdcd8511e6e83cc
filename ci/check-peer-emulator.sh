#!/usr/bin/env bash
# Proves the fat jar against a Finnhub emulator it was not built with: an independent Node.js server
# (ci/peer-emulator/emulator.mjs, written from the protocol description) sends a fixed number of trades;
# the service, started with `java -jar target/finnhub-stream-fat.jar` and configured only through its
# documented environment variables, must put every one of them in Kafka exactly once, as the documented
# JSON record (checked by ci/peer-emulator/verify.mjs, whose own tests run first).
#
#   ci/check-peer-emulator.sh
#
# Environment (defaults in brackets):
#   KAFKA_PORT, KAFKA_CONTROLLER_PORT  the broker (ci/kafka.sh) [19092, 19093]; started and stopped here
#                                      unless already running
#   PEER_EMULATOR_PORT                 the Node emulator [18190]
#   HTTP_PORT                          the service's status endpoint [18180]
#   PEER_TRADES                        trades the emulator sends before it sends only pings [3000]
#   PEER_SEED                          the emulator's random seed, to replay a run [a new one each run]
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

KAFKA_PORT="${KAFKA_PORT:-19092}"
PEER_EMULATOR_PORT="${PEER_EMULATOR_PORT:-18190}"
HTTP_PORT="${HTTP_PORT:-18180}"
PEER_TRADES="${PEER_TRADES:-3000}"
PEER_SEED="${PEER_SEED:-$RANDOM$RANDOM}"
# Comma-separated with blanks around the commas, as docs/configuration.md allows; `IC MARKETS:1` keeps its inner space.
SYMBOLS='AAPL, TSLA, BINANCE:BTCUSDT, OANDA:EUR_USD, IC MARKETS:1'
# Characters a URL query must encode: the service has to send the key intact as `?token=`.
TOKEN='peer-check+key/1=&x'
TOPIC="peer_check_$(date +%s)_$$"
EMULATOR_DIR="$REPO/ci/peer-emulator"
RUN_DIR="$WORK_DIR/peer-check"
SENT="$RUN_DIR/sent.jsonl"
DONE="$RUN_DIR/done.json"
SEND_TIMEOUT_S=300
READ_TIMEOUT_S=300

# Node.js for the emulator; Debian's own package is enough (the scripts need Node 18+).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [[ $EUID -ne 0 ]]; then
    log "node and npm are needed; install them (apt-get install nodejs npm) and run again"
    exit 1
  fi
  log "installing Node.js (apt-get install nodejs npm)"
  apt-get update -q >&2 && apt-get install -y -q --no-install-recommends nodejs npm >&2
fi
if [[ ! -d "$EMULATOR_DIR/node_modules" || "$EMULATOR_DIR/package-lock.json" -nt "$EMULATOR_DIR/node_modules" ]]; then
  log "installing the emulator's pinned dependencies (npm ci)"
  (cd "$EMULATOR_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# The checker first proves it can fail: each way of getting delivery wrong must be reported.
log "self-test of the checker (node --test ci/peer-emulator/verify.test.mjs)"
node --test --test-reporter=dot "$EMULATOR_DIR/verify.test.mjs" >&2

build_jars

started_kafka=false
if ! ci/kafka.sh status >/dev/null 2>&1; then
  ci/kafka.sh start >/dev/null
  started_kafka=true
fi
passed=false
cleanup() {
  stop_pidfile "$RUN_DIR/service.pid" service 30 finnhub-stream-fat.jar || true
  stop_pidfile "$RUN_DIR/emulator.pid" "peer emulator" 10 emulator.mjs || true
  if $passed; then
    ci/kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --delete --topic "$TOPIC" >/dev/null 2>&1 || true
  else
    log "kept for inspection: $RUN_DIR (logs, sent trades, records) and topic $TOPIC"
  fi
  if $started_kafka; then ci/kafka.sh stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of an earlier run would mix into this one's files; stop them first.
stop_pidfile "$RUN_DIR/service.pid" service 30 finnhub-stream-fat.jar
stop_pidfile "$RUN_DIR/emulator.pid" "peer emulator" 10 emulator.mjs
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"

# show_log NAME FILE: the end of a log, for a failure message.
show_log() {
  log "last 30 lines of the $1 log ($2):"
  tail -n 30 "$2" >&2 || true
}

log "starting the Node.js peer emulator on ws://127.0.0.1:$PEER_EMULATOR_PORT ($PEER_TRADES trades, seed $PEER_SEED)"
setsid nohup node "$EMULATOR_DIR/emulator.mjs" --port "$PEER_EMULATOR_PORT" --token "$TOKEN" \
  --trades "$PEER_TRADES" --seed "$PEER_SEED" --sent-file "$SENT" --done-file "$DONE" \
  >"$RUN_DIR/emulator.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/emulator.pid"
if ! wait_for_port 127.0.0.1 "$PEER_EMULATOR_PORT" 30; then
  show_log emulator "$RUN_DIR/emulator.log"
  exit 1
fi
node "$EMULATOR_DIR/probe-token.mjs" "ws://127.0.0.1:$PEER_EMULATOR_PORT" >&2

# The service gets a clean environment holding only its documented overrides (docs/config-reference.md, "Environment
# variables"): nothing inherited from the caller can configure it.
log "starting java -jar target/finnhub-stream-fat.jar, topic $TOPIC, log in $RUN_DIR/service.log"
setsid nohup env -i PATH="$PATH" HOME="$HOME" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
  APP_ENV=local \
  FINNHUB_URL="ws://127.0.0.1:$PEER_EMULATOR_PORT" \
  FINNHUB_TOKEN="$TOKEN" \
  FINNHUB_SYMBOLS="$SYMBOLS" \
  KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
  KAFKA_TOPIC="$TOPIC" \
  HTTP_PORT="$HTTP_PORT" \
  java -Xmx256m -jar "$FAT_JAR" >"$RUN_DIR/service.log" 2>&1 </dev/null &
echo $! >"$RUN_DIR/service.pid"

log "waiting for the emulator to send all $PEER_TRADES trades (at most ${SEND_TIMEOUT_S}s)"
deadline=$((SECONDS + SEND_TIMEOUT_S))
until [[ -f "$DONE" ]]; do
  for name in service emulator; do
    if ! is_running "$RUN_DIR/$name.pid"; then
      log "the $name exited before all trades were sent"
      show_log "$name" "$RUN_DIR/$name.log"
      exit 1
    fi
  done
  if ((SECONDS >= deadline)); then
    log "the emulator sent $(wc -l <"$SENT") of $PEER_TRADES trades in ${SEND_TIMEOUT_S}s"
    show_log emulator "$RUN_DIR/emulator.log"
    show_log service "$RUN_DIR/service.log"
    exit 1
  fi
  sleep 1
done
sent_count="$(wc -l <"$SENT")"

# read_topic SECONDS MAX FILE: `ci/kafka.sh consume` under `timeout`, into FILE. On a timeout the script's
# bash dies at once while the consumer JVM finishes its shutdown on its own; wait for the whole process
# group (timeout makes its own) to be gone, so that FILE is complete when this returns. Returns timeout's code.
read_topic() {
  local seconds="$1" max="$2" file="$3" pid rc=0
  timeout "$seconds" ci/kafka.sh consume "$TOPIC" "$max" >"$file" &
  pid=$!
  wait "$pid" || rc=$?
  while kill -0 -- "-$pid" 2>/dev/null; do sleep 0.2; done
  return "$rc"
}

log "reading $sent_count records back from $TOPIC (at most ${READ_TIMEOUT_S}s)"
rc=0
read_topic "$READ_TIMEOUT_S" "$sent_count" "$RUN_DIR/records.tsv" || rc=$?
if ((rc == 124)); then
  log "only $(wc -l <"$RUN_DIR/records.tsv") records within ${READ_TIMEOUT_S}s"
elif ((rc != 0)); then
  log "the consumer failed (exit $rc)"
  exit 1
fi

# Nothing beyond them: ask for more than were sent; the read can only end by its timeout. A read that has
# not even caught up with the first one proves nothing, so it is retried with a longer timeout.
for reread_timeout_s in 20 60 180; do
  log "reading again, up to $((sent_count + 1000)) records for ${reread_timeout_s}s, to find any beyond $sent_count"
  read_topic "$reread_timeout_s" $((sent_count + 1000)) "$RUN_DIR/reread.tsv" || true
  (($(wc -l <"$RUN_DIR/reread.tsv") >= $(wc -l <"$RUN_DIR/records.tsv"))) && break
done

if grep -q -F -- "$TOKEN" "$RUN_DIR/service.log"; then
  log "the token appeared in the service log"
  exit 1
fi

node "$EMULATOR_DIR/verify.mjs" --sent "$SENT" --done "$DONE" --records "$RUN_DIR/records.tsv" \
  --reread "$RUN_DIR/reread.tsv" --symbols "$SYMBOLS" --config conf/app.json
passed=true
