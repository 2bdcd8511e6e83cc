#!/bin/sh
# The image's entrypoint. Refuses to start without APP_ENV (the image would otherwise run the "local"
# environment, which points at 127.0.0.1), then becomes the JVM (exec: signals reach it directly).
# With RUN_SECONDS set (the serverless runtime, where every run must end before the platform's execution
# timeout) it stops the service with SIGTERM after that many seconds, so the Kafka producer flushes, and
# exits 0; a SIGTERM from outside is passed on as usual.
set -eu

fail() {
  echo "Invalid configuration, not starting: $1" >&2
  exit 15
}

[ -n "${APP_ENV:-}" ] || fail "APP_ENV: not set. Fix: pass APP_ENV=<an environment of conf/app.json, e.g. dev or prod>"

if [ -z "${RUN_SECONDS:-}" ]; then
  # JAVA_OPTS is a list of JVM flags: split on blanks on purpose.
  # shellcheck disable=SC2086
  exec java ${JAVA_OPTS:-} -jar finnhub-stream.jar "$@"
fi

case "$RUN_SECONDS" in
  '' | *[!0-9]* | 0) fail "RUN_SECONDS: \"$RUN_SECONDS\" is not a positive number of seconds. Fix: unset it, or set the run length, e.g. 3240" ;;
esac
grace="${STOP_GRACE_SECONDS:-30}"

# shellcheck disable=SC2086
timeout --signal=TERM --kill-after="$grace" "$RUN_SECONDS" java ${JAVA_OPTS:-} -jar finnhub-stream.jar "$@" &
service=$!
trap 'kill -TERM "$service" 2>/dev/null || true' TERM INT
status=0
wait "$service" || status=$?
# A trapped signal interrupts wait before the service has stopped: wait until it has.
while kill -0 "$service" 2>/dev/null; do
  status=0
  wait "$service" || status=$?
done
if [ "$status" -eq 124 ]; then
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) INFO  entrypoint - run limit RUN_SECONDS=$RUN_SECONDS reached, service stopped"
  exit 0
fi
exit "$status"
