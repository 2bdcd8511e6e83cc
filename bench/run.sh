#!/usr/bin/env bash
# The delivery benchmark (docs/benchmarks.md): on a local broker, the service fed by the emulator at full
# speed (rate, with sent = in Kafka checked), Kafka's own ProducerPerformance with the same payloads and
# settings (and the ratio), latency at a fixed rate (LogAppendTime − Finnhub t, acknowledgement − receive, and
# ProducerPerformance at that rate as the floor),
# peak heap and RSS of the service, the service side by side with the Camel route of bench/camel (full speed
# and 40,000 trades/s: rate, CPU per trade, RSS, append latency, counts), then the JMH benchmark of frame
# parse + record serialization. Prints medians of several runs and writes them to target/bench/results.md.
#
#   bench/run.sh              BENCH_RUNS (3) runs of BENCH_TRADES (3,000,000) trades, then JMH
#   BENCH_PEER=none bench/run.sh   the same without the Camel route
#   bench/run.sh --sweep      one run per linger.ms / batch.size pair: the measurement behind the defaults
#   bench/run.sh --cost       cost at the real load instead (CostAtLoadBenchmark): CPU, RSS, heap and threads at
#                             60 trades/s on one key and 3,000 trades/s on 60 keys, start-up time to the first
#                             trade in Kafka; BENCH_RUNS (3) runs, medians in target/bench/cost.md; ~10 min
#
# Honours KAFKA_PORT / KAFKA_CONTROLLER_PORT / WORK_DIR like ci/kafka.sh; starts the broker if it is not
# running (and stops it afterwards). Takes about 2 minutes per run on a 2-core machine.
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../ci/lib.sh"
cd "$REPO"

# A broker someone else started keeps running afterwards; one started here is stopped.
kafka_was_running=true
ci/kafka.sh status >/dev/null 2>&1 || { kafka_was_running=false; ci/kafka.sh start >/dev/null; }
trap '$kafka_was_running || ci/kafka.sh stop || true' EXIT
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-19092}"

log "building the fat jar and the benchmark classes (mvn -Pbench package)"
mvn -B -q -ntp -Pbench -DskipTests package
mvn -B -q -ntp -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
# target/test-classes holds the benchmark and the emulator, which it runs in-process (a test source too, pom.xml).
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
mkdir -p target/bench
if [[ "${1:-}" == "--cost" ]]; then
  shift
  java -Xmx1g -cp "$CP" dev.finnhubstream.bench.CostAtLoadBenchmark --bootstrap "$KAFKA_BOOTSTRAP_SERVERS" \
    --runs "${BENCH_RUNS:-3}" "$@"
  exit
fi

peer="${BENCH_PEER:-camel}"
if [[ "$peer" == camel ]]; then
  # Its own project and jar: Camel 4.17 runs on Vert.x 4, the service on Vert.x 5.
  log "building the Camel route (mvn -f bench/camel/pom.xml package)"
  mvn -B -q -ntp -f bench/camel/pom.xml package
fi

java -Xmx1g -cp "$CP" dev.finnhubstream.bench.DeliveryBenchmark --bootstrap "$KAFKA_BOOTSTRAP_SERVERS" \
  --runs "${BENCH_RUNS:-3}" --trades "${BENCH_TRADES:-3000000}" --peer "$peer" "$@"

if [[ " $* " != *" --sweep "* ]]; then
  log "JMH: Finnhub frame parse + Kafka record serialization, ns per trade"
  java -cp "$CP" org.openjdk.jmh.Main ParseSerializeBenchmark -f 1 -wi 3 -w 1s -i 5 -r 2s \
    -rf text -rff target/bench/jmh.txt
  log "JMH results in target/bench/jmh.txt"
fi
