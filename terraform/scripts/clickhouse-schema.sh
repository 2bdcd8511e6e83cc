#!/usr/bin/env bash
# Usage: terraform/scripts/clickhouse-schema.sh ENV [SQL]
#        terraform/scripts/clickhouse-schema.sh --dry-run SQL
#
# Creates the ClickHouse objects (trades table, materialized views, ...) in ENV's Managed ClickHouse: sends
# the statements of SQL, in order, over HTTPS (port 8443) as the schema user. SQL is a directory (its
# *.sql files in name order), one .sql file, or - for standard input (e.g. a schema rendered by another
# tool); by default clickhouse/cloud, or clickhouse/ if that does not exist. Host, database, user and
# password come from `terraform output` of the terraform/ working directory, which must be initialised for
# ENV (scripts/backend-config.sh). Run it after `terraform apply` and before the service produces its first
# trade: Data Transfer would otherwise create a plain table of its own. Re-running is safe when the
# statements are idempotent (CREATE ... IF NOT EXISTS), which they must be.
#
# Statements end with ';' outside quotes and comments. --dry-run prints them, one per paragraph, and
# sends nothing. The CA is CLICKHOUSE_CA_FILE (default ~/.clickhouse/root.crt):
#   mkdir -p ~/.clickhouse && curl -fsSL https://storage.yandexcloud.net/cloud-certs/RootCA.pem -o ~/.clickhouse/root.crt
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

dry_run=false
if [[ "${1:-}" == "--dry-run" ]]; then
  dry_run=true
  shift
  [[ $# -eq 1 ]] || usage
  env_name=""
  source_sql="$1"
else
  [[ $# -ge 1 && $# -le 2 && "$1" != -* ]] || usage
  env_name="$1"
  if [[ $# -eq 2 ]]; then
    source_sql="$2"
  elif [[ -d "$repo/clickhouse/cloud" ]]; then
    source_sql="$repo/clickhouse/cloud"
  else
    source_sql="$repo/clickhouse"
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
mkdir "$work/statements"

if [[ "$source_sql" == "-" ]]; then
  cat >"$work/stdin.sql"
  files=("$work/stdin.sql")
elif [[ -f "$source_sql" ]]; then
  files=("$source_sql")
elif [[ -d "$source_sql" ]]; then
  mapfile -t files < <(find "$source_sql" -maxdepth 1 -type f -name '*.sql' | LC_ALL=C sort)
  ((${#files[@]} > 0)) || { echo "clickhouse-schema: no .sql files in $source_sql" >&2; exit 2; }
else
  echo "clickhouse-schema: $source_sql: no such file or directory" >&2
  exit 2
fi

# Splits one SQL file into $work/statements/<file index>-<statement index>.sql. Knows '...' and "..." and `...`
# (with backslash and doubled-quote escapes), -- and # line comments and /* */ block comments; comments
# are dropped, blank statements skipped.
split_sql() {
  awk -v out="$work/statements" -v prefix="$2" '
    function emit(   s) {
      s = stmt
      gsub(/^[ \t\r\n]+|[ \t\r\n]+$/, "", s)
      if (s != "") { n++; f = sprintf("%s/%s-%04d.sql", out, prefix, n); printf "%s\n", s > f; close(f) }
      stmt = ""
    }
    {
      line = $0
      len = length(line)
      for (i = 1; i <= len; i++) {
        c = substr(line, i, 1)
        if (state == "block") {
          if (substr(line, i, 2) == "*/") { state = ""; i++ }
          continue
        }
        if (state != "") {
          stmt = stmt c
          if (c == "\\") { stmt = stmt substr(line, i + 1, 1); i++ }
          else if (c == state) {
            if (substr(line, i + 1, 1) == state) { stmt = stmt state; i++ } else state = ""
          }
          continue
        }
        if (substr(line, i, 2) == "--" || c == "#") break
        if (substr(line, i, 2) == "/*") { state = "block"; i++; continue }
        if (c == "'\''" || c == "\"" || c == "`") { state = c; stmt = stmt c; continue }
        if (c == ";") { emit(); continue }
        stmt = stmt c
      }
      if (state != "block") stmt = stmt "\n"
    }
    END {
      if (state != "" && state != "block") { printf "unterminated %s quote\n", state > "/dev/stderr"; exit 1 }
      emit()
    }
  ' "$1"
}

for index in "${!files[@]}"; do
  split_sql "${files[$index]}" "$(printf '%04d' "$index")" || { echo "clickhouse-schema: ${files[$index]}: cannot split" >&2; exit 1; }
done
mapfile -t statements < <(find "$work/statements" -name '*.sql' | LC_ALL=C sort)

if $dry_run; then
  for s in "${statements[@]}"; do
    cat "$s"
    echo
  done
  exit 0
fi

# Connection details from the state of ENV.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "$TF_CLI_CONFIG_FILE" ]]; then unset TF_CLI_CONFIG_FILE; fi
tf() { terraform -chdir="$repo/terraform" output -no-color -raw "$1"; }
state_env="$(tf environment)" || { echo "clickhouse-schema: no terraform outputs; run terraform apply for $env_name first" >&2; exit 1; }
if [[ "$state_env" != "$env_name" ]]; then
  echo "clickhouse-schema: terraform/ is initialised for \"$state_env\", not \"$env_name\". Fix: terraform -chdir=terraform init -reconfigure \$(terraform/scripts/backend-config.sh $env_name)" >&2
  exit 1
fi
host="$(tf clickhouse_host)"
database="$(tf clickhouse_database)"
ca="${CLICKHOUSE_CA_FILE:-$HOME/.clickhouse/root.crt}"
[[ -f "$ca" ]] || { echo "clickhouse-schema: CA file $ca not found; see the download command in this script's header" >&2; exit 2; }
# Credentials go to curl through a private file, never on a command line (ps would show them).
(
  umask 077
  printf 'X-ClickHouse-User: %s\nX-ClickHouse-Key: %s\n' "$(tf clickhouse_schema_user)" "$(tf clickhouse_schema_password)" >"$work/headers"
)

url="https://$host:8443/?database=$database"
echo "clickhouse-schema: ${#statements[@]} statement(s) from ${#files[@]} file(s) of $source_sql -> $host ($database)" >&2
for s in "${statements[@]}"; do
  file="${files[$((10#$(basename "$s" | cut -d- -f1)))]}"
  code="$(curl -sS --cacert "$ca" -H @"$work/headers" --data-binary @"$s" -o "$work/response" -w '%{http_code}' "$url")" || code="curl failed"
  if [[ "$code" != "200" ]]; then
    echo "clickhouse-schema: $(basename "$file"), statement $((10#$(basename "$s" .sql | cut -d- -f2))): HTTP $code" >&2
    head -c 2000 "$work/response" >&2 || true
    echo >&2
    exit 1
  fi
done
echo "clickhouse-schema: done" >&2
