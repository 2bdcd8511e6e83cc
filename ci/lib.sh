#!/usr/bin/env bash
# Shared helpers for ci/*.sh. Source it; do not execute it.
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Absolute path of the repository, derived from this file's location so scripts work from any cwd.
repo_root() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
}

REPO="$(repo_root)"
# Scratch space for local services (git-ignored). Overridable, e.g. to run two stacks side by side.
WORK_DIR="${WORK_DIR:-$REPO/.work}"

# What `mvn package` builds (pom.xml): the service's fat jar, and the jar of the Finnhub emulator and the
# command-line tools, which run on the service's classes: java -cp "$FAT_JAR:$TOOLS_JAR" <main class>.
FAT_JAR="$REPO/target/finnhub-stream-fat.jar"
TOOLS_JAR="$REPO/target/finnhub-stream-tools.jar"

# Diagnostics go to stderr so stdout stays machine-readable (e.g. KAFKA_BOOTSTRAP_SERVERS=...).
log() {
  printf '[ci] %s\n' "$*" >&2
}

# True once HOST:PORT accepts a TCP connection. Uses bash's /dev/tcp: no nc/curl needed.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_for_port HOST PORT TIMEOUT_S: returns 0 as soon as the port accepts connections, 1 on timeout.
wait_for_port() {
  local host="$1" port="$2" timeout="$3"
  local deadline=$((SECONDS + timeout))
  until port_open "$host" "$port"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# pid_alive PID: true while the process, or any of its threads, still runs. `kill -0` alone is not
# enough: a dead daemon stays a zombie until PID 1 reaps it (slow on these machines), and a killed JVM's
# main thread turns zombie while other threads are still exiting and still hold its sockets.
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local status
  status="$(cat "/proc/$1/status" 2>/dev/null)" || return 1
  [[ -n "$status" ]] || return 0 # no /proc details: trust kill -0
  [[ "$status" != *$'State:\tZ'* ]] && return 0
  [[ "$status" =~ Threads:[[:space:]]+([0-9]+) ]] && ((BASH_REMATCH[1] > 1))
}

# is_running PIDFILE [MATCH]: true if the pidfile names a live process whose command line contains
# MATCH (when given), so a stale pidfile whose pid was reused by something else reads as "not running".
is_running() {
  local pidfile="$1" match="${2:-}" pid cmdline
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  [[ -n "$match" ]] || return 0
  # No `| grep -q` here: under pipefail an early-exiting grep can fail the pipeline with SIGPIPE.
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$match"* ]]
}

# stop_pidfile PIDFILE NAME TIMEOUT_S [MATCH]: SIGTERM, wait up to TIMEOUT_S for a clean exit, then
# SIGKILL. Idempotent: a missing pidfile or dead process is fine. Removes the pidfile.
stop_pidfile() {
  local pidfile="$1" name="$2" timeout="$3" match="${4:-}" pid deadline
  if ! is_running "$pidfile" "$match"; then
    rm -f "$pidfile"
    log "$name is not running"
    return 0
  fi
  pid="$(<"$pidfile")"
  log "stopping $name (pid $pid, SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$name did not exit within ${timeout}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.5
  done
  # Observe the final exit so callers can rely on the process (and its ports) being gone.
  while pid_alive "$pid"; do sleep 0.2; done
  rm -f "$pidfile"
  log "$name stopped"
}

# build_jars: runs `mvn package` (tests skipped: ci/test.sh runs them) when either jar is missing or older
# than what goes into it (src/main, src/emulator, src/tools, pom.xml). Maven's output goes to stderr, so
# the caller's stdout stays its own.
build_jars() {
  local jar
  for jar in "$FAT_JAR" "$TOOLS_JAR"; do
    if [[ ! -f "$jar" ]] ||
      [[ -n "$(find "$REPO/src/main" "$REPO/src/emulator" "$REPO/src/tools" "$REPO/pom.xml" -newer "$jar" -print -quit)" ]]; then
      log "building the jars (mvn package, tests skipped)"
      (cd "$REPO" && mvn -B -q -ntp -DskipTests package >&2)
      return
    fi
  done
}

# apt_install PKG...: installs the Debian packages that are missing, running `apt-get update` at most
# once per shell (the package lists on a fresh machine are empty or stale). No-op when all are there.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == "install ok installed" ]] || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  # DPkg::Lock::Timeout: wait for another apt run on the machine instead of failing at once.
  if [[ -z "${APT_UPDATED:-}" ]]; then
    log "apt-get update (once), for: ${missing[*]}"
    "${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=600 update >&2
    APT_UPDATED=1
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -q -y -o DPkg::Lock::Timeout=600 install "${missing[@]}" >&2
}

# await_started NAME PIDFILE TIMEOUT_S CHECK_CMD LOGS_CMD: waits until CHECK_CMD succeeds for a service
# just started in the background. If its process dies (bad config, port taken...) or TIMEOUT_S passes,
# runs LOGS_CMD to show why and exits 1. Liveness only: right after the fork the child may not have
# exec'd its program yet, so its command line cannot be matched.
await_started() {
  local name="$1" pidfile="$2" timeout="$3" check="$4" logs="$5"
  local deadline=$((SECONDS + timeout))
  until "$check"; do
    if ! pid_alive "$(<"$pidfile")"; then
      log "$name exited during startup"
      "$logs"
      rm -f "$pidfile"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name not ready after ${timeout}s"
      "$logs"
      exit 1
    fi
    sleep 0.5
  done
}

# await_ports_free HOST PORT...: gives a service that is just exiting up to 10 s to release its ports,
# then exits 1 naming them: they belong to a process these scripts did not start.
await_ports_free() {
  local host="$1" port deadline=$((SECONDS + 10))
  shift
  for port in "$@"; do
    while port_open "$host" "$port"; do
      if ((SECONDS >= deadline)); then
        log "port $port is in use by a process not started by this script"
        exit 1
      fi
      sleep 0.5
    done
  done
}
