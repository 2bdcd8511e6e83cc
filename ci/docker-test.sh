#!/usr/bin/env bash
# The Testcontainers path of the integration tests, and the service's image built and run (CONTRIBUTING.md#tests):
# a Docker engine (started here, and stopped by its PID afterwards, when none answers), the images (built locally
# under their official names when this script had to start the engine: such a machine reaches no registry), then
# `mvn verify` with KAFKA_BOOTSTRAP_SERVERS and CLICKHOUSE_URL unset, so that TestServices starts the broker and
# ClickHouse as containers. ci/test.sh runs it after the full run on the native services.
#
# Usage: ci/docker-test.sh [MAVEN ARGS...]   e.g. -Dit.test=PipelineIT to run another selection
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

# At least the end-to-end pipeline, ClickHouse through its Kafka engine, the broker outages (the container is
# killed and started again), and the image.
IT_TESTS="PipelineIT,ClickHousePipelineIT,GracefulShutdownIT,ReliabilityIT#brokerKill9,ServiceImageIT"

started_engine=false
if ! ci/docker.sh status 2>/dev/null; then
  ci/docker.sh start
  started_engine=true
fi
cleanup() {
  if $started_engine; then ci/docker.sh stop || true; fi
}
trap cleanup EXIT

settings=()
if $started_engine; then
  # A machine without a registry (containers.md in the project's reference notes): every image is a local build,
  # Ryuk (Testcontainers' clean-up container) cannot be pulled, and the machine's /.dockerenv makes Testcontainers
  # believe it runs inside a container and look for a gateway with an image it cannot pull either.
  ci/docker.sh images
  settings=(TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost)
  offline=(-Dit.image.offline=true)
else
  offline=()
fi

log "running the integration tests with Testcontainers: ${*:-$IT_TESTS}"
t0=$SECONDS
args=("$@")
((${#args[@]} > 0)) || args=("-Dit.test=$IT_TESTS")
env -u KAFKA_BOOTSTRAP_SERVERS -u CLICKHOUSE_URL "${settings[@]}" \
  mvn -B -ntp verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.services.required=true "${offline[@]}" "${args[@]}"
log "Testcontainers run took $((SECONDS - t0)) s"
