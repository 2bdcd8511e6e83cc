'use strict';
// The DataLens part of the stack: ClickHouse open to DataLens, a read-only user whose password never leaves
// Terraform's state but through a sensitive output, and the outputs ci/datalens.sh hands the DataLens tool.
// Everything is gated by datalens.enabled, the one key Terraform reads from the datalens section.
const test = require('node:test');
const assert = require('node:assert/strict');
const { terraformFiles, service, deployable } = require('./support');

async function blocks(kind, type) {
  const files = await terraformFiles();
  return Object.fromEntries(files.flatMap((f) => Object.entries(((f.json[kind] || {})[type]) || {}).map(([name, [body]]) => [name, body])));
}

test('the ClickHouse cluster is open to DataLens exactly where datalens.enabled', async () => {
  const cluster = (await blocks('resource', 'yandex_mdb_clickhouse_cluster_v2')).this;
  assert.equal(cluster.access.data_lens, '${local.cfg.datalens.enabled}');
  assert.equal(cluster.access.data_transfer, true);
});

test('datalens_reader: one read-only user and a generated password, both counted by datalens.enabled', async () => {
  const users = await blocks('resource', 'yandex_mdb_clickhouse_user');
  const reader = users.datalens_reader;
  assert.ok(reader, 'no yandex_mdb_clickhouse_user.datalens_reader');
  assert.equal(reader.count, '${local.cfg.datalens.enabled ? 1 : 0}');
  assert.equal(reader.name, 'datalens_reader');
  assert.equal(reader.password, '${random_password.datalens_reader[0].result}');
  assert.deepEqual(reader.settings, [{ readonly: 2 }], 'readonly = 2: no writes, and the connection readonly (2) must not exceed it');
  assert.deepEqual(reader.permission, [{ database_name: '${yandex_mdb_clickhouse_database.this.name}' }]);
  const password = (await blocks('resource', 'random_password')).datalens_reader;
  assert.equal(password.count, '${local.cfg.datalens.enabled ? 1 : 0}');
  assert.ok(password.length >= 32);
});

test('the outputs give the tool the host, port, database, user, cluster and folder; the password only as a sensitive output', async () => {
  const files = await terraformFiles();
  const all = Object.fromEntries(files.flatMap((f) => Object.entries(f.json.output || {}).map(([n, [b]]) => [n, b])));
  const connection = all.datalens_clickhouse;
  assert.ok(connection, 'no output datalens_clickhouse');
  assert.notEqual(connection.sensitive, true, 'the connection facts are not secret; the tool reads them with terraform output -json');
  for (const key of ['host', 'port', 'database', 'username', 'cluster_id', 'folder_id']) {
    assert.match(JSON.stringify(connection.value), new RegExp(`\\b${key}\\b`), `datalens_clickhouse lacks ${key}`);
  }
  assert.doesNotMatch(JSON.stringify(connection.value), /random_password/);
  const password = all.datalens_clickhouse_password;
  assert.equal(password.sensitive, true);
  assert.equal(password.value, '${one(random_password.datalens_reader[*].result)}');
});

test('every deployed environment resolves datalens.enabled, and the service side accepts its datalens section', () => {
  for (const env of deployable()) {
    assert.equal(typeof service().environments[env].datalens.enabled, 'boolean', env);
  }
});
