#!/usr/bin/env bash
# The test command: starts the real services the tests need (a Kafka broker from Maven Central jars,
# ClickHouse 18.16 from Debian; it installs chdb and Chromium too, and ci/terraform-check.sh shellcheck and jq),
# runs `mvn verify` (unit tests, then the jars, then the integration tests against the broker),
# and stops what it started; then the Terraform checks, then ci/docker-test.sh (a Docker engine, the integration
# tests through Testcontainers and the service's image built and run).
# Extra arguments go to Maven, e.g. ci/test.sh -Dit.test=PipelineIT, and skip the Docker part.
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

started_kafka=false
started_clickhouse=false
if ! ci/kafka.sh status >/dev/null 2>&1; then
  ci/kafka.sh start >/dev/null
  started_kafka=true
fi
cleanup() {
  # Leave a broker the developer started themselves running; stop the one we started.
  if $started_kafka; then ci/kafka.sh stop || true; fi
  if $started_clickhouse; then ci/clickhouse.sh stop || true; fi
}
trap cleanup EXIT
# ClickHouse 18.16, Chromium for the dashboard and status-page tests, the Prometheus text parser for the /metrics
# test (one apt-get update for all), chdb for the modern schema.
apt_install clickhouse-server clickhouse-client chromium python3-prometheus-client
if ! ci/clickhouse.sh status >/dev/null 2>&1; then
  ci/clickhouse.sh start >/dev/null
  started_clickhouse=true
fi
ci/chdb.sh install

export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-19092}"
export CLICKHOUSE_URL="http://127.0.0.1:${CLICKHOUSE_HTTP_PORT:-18123}"
log "running mvn verify against Kafka at $KAFKA_BOOTSTRAP_SERVERS and ClickHouse at $CLICKHOUSE_URL"
# A full run starts the reliability table afresh and prints it at the end (docs/reliability.md).
[[ $# -eq 0 ]] && rm -rf target/reliability
mvn -B -ntp verify "$@"
if [[ $# -eq 0 && -f target/reliability/table.md ]]; then
  log "reliability table (target/reliability/table.md):"
  cat target/reliability/table.md >&2
fi

# The native services are done with: free their memory for the containers below.
cleanup
started_kafka=false
started_clickhouse=false

# Terraform: offline checks of terraform/ against the provider schema and conf/app.json (no broker needed).
log "checking terraform/ (ci/terraform-check.sh)"
bash ci/terraform-check.sh

# The same integration tests where Testcontainers provides the services, and the image (a full run only).
if [[ $# -eq 0 ]]; then
  bash ci/docker-test.sh
fi
