#!/bin/bash
# Writes a server config and a users file, creates CLICKHOUSE_DB on disk before the server starts (creating it
# with a query afterwards loses a race against Testcontainers' wait strategy), then becomes the server.
set -euo pipefail
user="${CLICKHOUSE_USER:-default}" password="${CLICKHOUSE_PASSWORD:-}" db="${CLICKHOUSE_DB:-default}"
root=/var/lib/clickhouse conf=/etc/clickhouse-server/standin
mkdir -p "$conf" "$root/metadata" "$root/data" "$root/tmp" "$root/user_files"
cat >"$conf/config.xml" <<XML
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>0.0.0.0</listen_host>
  <http_port>8123</http_port>
  <tcp_port>9000</tcp_port>
  <path>$root/</path>
  <tmp_path>$root/tmp/</tmp_path>
  <user_files_path>$root/user_files/</user_files_path>
  <users_config>$conf/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
XML
extra_user=""
if [[ "$user" != default ]]; then
  extra_user="<$user><password>$password</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></$user>"
fi
cat >"$conf/users.xml" <<XML
<yandex>
  <profiles><default/></profiles>
  <users>
    <default><password>$([[ "$user" == default ]] && printf '%s' "$password")</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default>
    $extra_user
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
if [[ "$db" != default && ! -f "$root/metadata/$db.sql" ]]; then
  mkdir -p "$root/metadata/$db" "$root/data/$db"
  printf 'ATTACH DATABASE %s\nENGINE = Ordinary\n' "$db" >"$root/metadata/$db.sql"
fi
exec clickhouse-server --config-file="$conf/config.xml"
