'use strict';
// The Data Transfer parser fields equal the record fields the service writes: the endpoint's schema is a
// dynamic block over the config module's transfer_fields, which Terraform derives from record.fields.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { service, terraform, deployable, terraformFiles } = require('./support');

// Data Transfer column types for the record's logical types (reference clickhouse.md §8.2-8.3): text as
// UTF8, the millisecond timestamps as INT64 (DATETIME would read them as seconds), arrays as ANY (JSON).
const EXPECTED_TYPES = { string: 'UTF8', int64: 'INT64', int32: 'INT32', float64: 'DOUBLE', 'array<string>': 'ANY' };

test('in every deployed environment the parser fields are the written fields, in order, with their keys and types', () => {
  const written = service().written_fields;
  assert.ok(written.length >= 8);
  for (const env of deployable()) {
    const expected = written.map((f) => ({ name: f.name, type: EXPECTED_TYPES[f.type], key: f.key, required: true }));
    assert.deepEqual(terraform(env).transfer_fields, expected, env);
    // ...and the service's record.fields for that environment are the written fields too.
    assert.deepEqual(service().environments[env].record.fields, written, env);
  }
});

test('the Kafka source endpoint builds its JSON parser schema from transfer_fields, field by field', async () => {
  const files = await terraformFiles();
  const endpoints = files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_endpoint || {}));
  const sources = endpoints.filter(([, [body]]) => body.settings && body.settings[0].kafka_source
    && body.settings[0].kafka_source[0].topic_names[0].includes('["trades"]'));
  assert.equal(sources.length, 1, 'one Kafka source endpoint for trades');
  const source = sources[0][1][0].settings[0].kafka_source[0];
  assert.deepEqual(source.topic_names, ['${yandex_mdb_kafka_topic.this["trades"].name}']);
  const parser = source.parser[0].json_parser[0];
  const schemaBlock = parser.data_schema[0];
  assert.ok(!('json_fields' in schemaBlock), 'the deprecated json_fields string is used');
  const fields = schemaBlock.fields[0];
  assert.deepEqual(Object.keys(fields), ['dynamic'], 'fields written by hand next to the generated ones');
  const [dynamic] = fields.dynamic.fields;
  assert.equal(dynamic.for_each, '${module.config.transfer_fields}');
  const iterator = dynamic.iterator ? dynamic.iterator.replace(/^\$\{|\}$/g, '') : 'fields';
  assert.deepEqual(dynamic.content[0], {
    name: `\${${iterator}.value.name}`,
    type: `\${${iterator}.value.type}`,
    key: `\${${iterator}.value.key}`,
    required: `\${${iterator}.value.required}`,
  });
});

test('the ClickHouse target writes into clickhouse.table of the pre-created schema and never drops it', async () => {
  const files = await terraformFiles();
  const endpoints = files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_endpoint || {}));
  const target = endpoints.find(([name]) => name === 'clickhouse_target')[1][0].settings[0].clickhouse_target[0];
  assert.equal(target.cleanup_policy, 'CLICKHOUSE_CLEANUP_POLICY_DISABLED');
  assert.deepEqual(target.alt_names, [{ from_name: '${yandex_mdb_kafka_topic.this["trades"].name}', to_name: '${local.cfg.clickhouse.table}' }]);
  const transfers = files.flatMap((f) => Object.values((f.json.resource || {}).yandex_datatransfer_transfer || {}));
  assert.equal(transfers.length, 2, 'trades and feed gaps');
  for (const [transfer] of transfers) {
    assert.equal(transfer.type, 'INCREMENT_ONLY');
    assert.equal(transfer.on_create_activate_mode, 'sync_activate');
  }
});

test('feed gaps: the gap topic is read by a transfer of its own into feed_gaps, whose parser fields are the table\'s columns', async () => {
  const files = await terraformFiles();
  const endpoints = files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_endpoint || {}));
  const source = endpoints.find(([name]) => name === 'kafka_gap_source')[1][0].settings[0].kafka_source[0];
  assert.deepEqual(source.topic_names, ['${yandex_mdb_kafka_topic.this["gaps"].name}']);
  const target = endpoints.find(([name]) => name === 'clickhouse_gap_target')[1][0].settings[0].clickhouse_target[0];
  assert.equal(target.cleanup_policy, 'CLICKHOUSE_CLEANUP_POLICY_DISABLED');
  assert.deepEqual(target.alt_names, [{ from_name: '${yandex_mdb_kafka_topic.this["gaps"].name}', to_name: 'feed_gaps' }]);
  const transfer = files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_transfer || {}))
    .find(([name]) => name === 'gaps_to_clickhouse')[1][0];
  assert.equal(transfer.source_id, '${yandex_datatransfer_endpoint.kafka_gap_source.id}');
  assert.equal(transfer.target_id, '${yandex_datatransfer_endpoint.clickhouse_gap_target.id}');
  // The parser's fields, in order, are feed_gaps' writer columns in modern.sql (all but the MATERIALIZED one).
  const locals = files.flatMap((f) => [].concat(f.json.locals || [])).find((l) => l.gap_transfer_fields);
  const sql = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'tools', 'resources', 'clickhouse', 'modern.sql'), 'utf8');
  const table = sql.slice(sql.indexOf('CREATE TABLE IF NOT EXISTS ${database}.feed_gaps'));
  const columns = table.slice(table.indexOf('(') + 1, table.indexOf('\n)')).split('\n').map((l) => l.trim()).filter(Boolean)
    .filter((l) => !l.includes('MATERIALIZED')).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(locals.gap_transfer_fields.map((f) => f.name), columns);
});
