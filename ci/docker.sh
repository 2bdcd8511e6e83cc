#!/usr/bin/env bash
# A Docker engine for the Testcontainers tests and the image test, on a machine that has none running and no
# registry to pull from (CONTRIBUTING.md, "Where the integration tests get Kafka and ClickHouse"). With an engine
# already running (a laptop), `start` and `stop` leave it alone; `images` is only for machines without a registry
# (a laptop pulls the official images instead).
#
# Usage: ci/docker.sh start    install Debian's docker.io (and mmdebstrap) if needed, start dockerd unless an
#                              engine answers; its PID goes to $WORK_DIR/docker/dockerd.pid
#        ci/docker.sh images   build, unless present, local stand-ins tagged with the official names of every
#                              image the tests use: the Kafka and ClickHouse images (pom.xml's testcontainers.*
#                              properties) and the Dockerfile's build and runtime base images
#        ci/docker.sh stop     remove the containers left behind, stop the dockerd this script started (by PID)
#        ci/docker.sh status   whether an engine answers
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DDIR="$WORK_DIR/docker"
PIDFILE="$DDIR/dockerd.pid"
DOCKERD_LOG="$DDIR/dockerd.log"
# Every stand-in starts from this image: Debian bookworm with JRE 17, built by mmdebstrap from Debian's packages.
BASE_IMAGE=local/jre:bookworm

engine_answers() {
  docker info >/dev/null 2>&1
}

cmd_start() {
  if engine_answers; then
    log "a Docker engine answers already; using it"
    return 0
  fi
  apt_install docker.io mmdebstrap
  mkdir -p "$DDIR"
  # No init system here: the package cannot start the daemon, so start it ourselves, in its own session.
  setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  log "dockerd starting (pid $(<"$PIDFILE")), log: $DOCKERD_LOG"
  local deadline=$((SECONDS + 60))
  until engine_answers; do
    if ! pid_alive "$(<"$PIDFILE")" || ((SECONDS >= deadline)); then
      log "dockerd did not come up; last lines of its log:"
      tail -n 30 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  log "Docker engine ready"
}

cmd_stop() {
  if ! is_running "$PIDFILE" dockerd; then
    rm -f "$PIDFILE"
    log "no dockerd started by this script is running; leaving the engine alone"
    return 0
  fi
  local left
  left="$(docker ps -aq)"
  if [[ -n "$left" ]]; then
    log "removing $(wc -w <<<"$left") leftover container(s)"
    # shellcheck disable=SC2086 # a list of ids
    docker rm -f $left >/dev/null || true
  fi
  stop_pidfile "$PIDFILE" dockerd 60 dockerd
}

cmd_status() {
  if engine_answers; then
    log "Docker engine answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
    return 0
  fi
  log "no Docker engine answers"
  return 1
}

present() {
  docker image inspect "$1" >/dev/null 2>&1
}

# pom_property NAME: a property of pom.xml, where the test image names are declared once.
pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$REPO/pom.xml" | head -n 1
}

# dockerfile_arg NAME: the default of an ARG of the project's Dockerfile (its base images).
dockerfile_arg() {
  sed -n "s/^ARG $1=\(.*\)/\1/p" "$REPO/Dockerfile" | head -n 1
}

build_base() {
  present "$BASE_IMAGE" && return 0
  local tar="$DDIR/jre.tar"
  log "building $BASE_IMAGE with mmdebstrap (Debian bookworm, JRE 17; about 1-3 minutes)"
  mkdir -p "$DDIR"
  rm -f "$tar"
  # Not piped into docker import: a failing mmdebstrap would then import an empty image without a word.
  # Only /usr/share/doc is left out: excluding man pages breaks the JRE's postinst. "$1" is mmdebstrap's, not ours.
  # shellcheck disable=SC2016
  mmdebstrap --quiet --variant=apt \
    --include=openjdk-17-jre-headless,ca-certificates,tzdata,passwd \
    --aptopt='Apt::Install-Recommends "false"' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$tar" http://deb.debian.org/debian >&2
  docker import "$tar" "$BASE_IMAGE" >/dev/null
  rm -f "$tar"
}

# build_standin NAME DIR: docker build DIR, tagged NAME, unless NAME is present.
build_standin() {
  local name="$1" dir="$2"
  present "$name" && return 0
  log "building $name (a local stand-in from $dir)"
  # The legacy builder's deprecation notice on stderr is noise here; the output is shown when the build fails.
  docker build -q -t "$name" "$dir" >"$DDIR/build.log" 2>&1 || { cat "$DDIR/build.log" >&2; exit 1; }
}

build_kafka() {
  local name="$1" ctx
  present "$name" && return 0
  ctx="$DDIR/kafka-context"
  rm -rf "$ctx"
  mkdir -p "$ctx/libs"
  cp "$REPO/ci/docker/kafka/Dockerfile" "$REPO/ci/docker/kafka/run" "$REPO/ci/kafka/log4j2.properties" "$ctx/"
  # The same broker jars ci/kafka.sh runs.
  mvn -B -q -ntp -f "$REPO/ci/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$ctx/libs" >&2
  build_standin "$name" "$ctx"
  rm -rf "$ctx"
}

# build_maven NAME: the build-stage stand-in, with the host's own certificate authorities (see its Dockerfile).
build_maven() {
  local name="$1" ctx
  present "$name" && return 0
  ctx="$DDIR/maven-context"
  rm -rf "$ctx"
  mkdir -p "$ctx/host-ca"
  cp "$REPO/ci/docker/maven/Dockerfile" "$ctx/"
  find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$ctx/host-ca/" \; 2>/dev/null || true
  build_standin "$name" "$ctx"
  rm -rf "$ctx"
}

cmd_images() {
  engine_answers || { log "no Docker engine answers: run ci/docker.sh start first"; exit 1; }
  local kafka clickhouse build runtime
  kafka="$(pom_property testcontainers.kafka.image)"
  clickhouse="$(pom_property testcontainers.clickhouse.image)"
  build="$(dockerfile_arg BUILD_IMAGE)"
  runtime="$(dockerfile_arg RUNTIME_IMAGE)"
  if present "$kafka" && present "$clickhouse" && present "$build" && present "$runtime"; then
    log "images present: $kafka, $clickhouse, $build, $runtime"
    return 0
  fi
  build_base
  build_kafka "$kafka"
  build_standin "$clickhouse" "$REPO/ci/docker/clickhouse"
  build_maven "$build"
  # The runtime stand-in is the base itself: a JRE 17 on a Debian with bash, useradd and keytool, which is what
  # the Dockerfile's final stage uses of the official image.
  present "$runtime" || docker tag "$BASE_IMAGE" "$runtime"
  log "images ready: $kafka, $clickhouse, $build, $runtime"
}

usage() {
  sed -n '6,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  start) cmd_start ;;
  images) cmd_images ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
