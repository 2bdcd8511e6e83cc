#!/usr/bin/env bash
# Applies the ClickHouse schema of an environment, rendered from conf/app.json by SchemaTool
# (src/tools/resources/clickhouse/local.sql or modern.sql, as clickhouse.schema says).
#
# Usage: ci/clickhouse-schema.sh [ENV] [--print]
#   ENV      local (default): the server of ci/clickhouse.sh, reading Kafka at KAFKA_BOOTSTRAP_SERVERS
#                             (default 127.0.0.1:$KAFKA_PORT, or kafka.bootstrap_servers of the config)
#            dev, prod:       Managed ClickHouse over TLS: CLICKHOUSE_HOST, CLICKHOUSE_USER,
#                             CLICKHOUSE_PASSWORD (secret, from the environment only), optional
#                             CLICKHOUSE_PORT (9440) and CLICKHOUSE_CA_FILE (the Yandex root CA)
#   --print  print the statements instead of applying them
# Re-running is safe: every object is created if missing (see the head of each .sql file).
set -euo pipefail
# shellcheck source=ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"

ENV_NAME=local
PRINT=false
for arg in "$@"; do
  case "$arg" in
    --print) PRINT=true ;;
    -h | --help)
      sed -n '5,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
    *) ENV_NAME="$arg" ;;
  esac
done

build_jars

if [[ "$ENV_NAME" == local && -z "${KAFKA_BOOTSTRAP_SERVERS:-}" && -n "${KAFKA_PORT:-}" ]]; then
  export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
fi
sql="$(java -cp "$FAT_JAR:$TOOLS_JAR" dev.finnhubstream.clickhouse.SchemaTool "$ENV_NAME")"

if $PRINT; then
  printf '%s\n' "$sql"
  exit 0
fi

if [[ "$ENV_NAME" == local ]]; then
  log "applying the local schema to the server of ci/clickhouse.sh"
  "$REPO/ci/clickhouse.sh" client --multiquery <<<"$sql"
  log "schema applied"
  exit 0
fi

: "${CLICKHOUSE_HOST:?set CLICKHOUSE_HOST to the Managed ClickHouse host}"
: "${CLICKHOUSE_USER:?set CLICKHOUSE_USER}"
: "${CLICKHOUSE_PASSWORD:?set CLICKHOUSE_PASSWORD (never put it in conf/app.json)}"
command -v clickhouse-client >/dev/null || apt_install clickhouse-client
# The password goes through a private client config file, never the command line (visible in ps).
client_config="$(mktemp)"
trap 'rm -f "$client_config"' EXIT
chmod 600 "$client_config"
xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }
{
  echo "<config>"
  echo "  <user>$(xml_escape <<<"$CLICKHOUSE_USER")</user>"
  echo "  <password>$(xml_escape <<<"$CLICKHOUSE_PASSWORD")</password>"
  if [[ -n "${CLICKHOUSE_CA_FILE:-}" ]]; then
    echo "  <openSSL><client><caConfig>$CLICKHOUSE_CA_FILE</caConfig><verificationMode>strict</verificationMode></client></openSSL>"
  fi
  echo "</config>"
} >"$client_config"
log "applying the $ENV_NAME schema to $CLICKHOUSE_HOST"
clickhouse-client --config-file "$client_config" --host "$CLICKHOUSE_HOST" --port "${CLICKHOUSE_PORT:-9440}" --secure \
  --multiquery <<<"$sql"
log "schema applied"
