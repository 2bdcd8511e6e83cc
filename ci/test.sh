#!/usr/bin/env bash
# The test command: starts the real services the tests need (a Kafka broker from Maven Central jars),
# runs `mvn verify` (unit tests, then the fat jar, then the integration tests against the broker),
# and stops what it started. Extra arguments go to Maven, e.g. ci/test.sh -Dit.test=PipelineIT
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

started_kafka=false
if ! ci/kafka.sh status >/dev/null 2>&1; then
  ci/kafka.sh start >/dev/null
  started_kafka=true
fi
cleanup() {
  # Leave a broker the developer started themselves running; stop the one we started.
  if $started_kafka; then ci/kafka.sh stop || true; fi
}
trap cleanup EXIT

export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-19092}"
log "running mvn verify against Kafka at $KAFKA_BOOTSTRAP_SERVERS"
mvn -B -ntp verify "$@"

# Terraform: offline checks of terraform/ against the provider schema and conf/app.json (no broker needed).
log "checking terraform/ (ci/terraform-check.sh)"
bash ci/terraform-check.sh
