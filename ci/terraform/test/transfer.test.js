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

test('one Kafka source endpoint per stream (trades, gaps), its JSON parser schema built from the stream\'s fields, field by field', async () => {
  const files = await terraformFiles();
  const locals = Object.assign({}, ...files.flatMap((f) => [].concat(f.json.locals || [])));
  const streams = locals.transfer_streams;
  assert.deepEqual(Object.keys(streams).sort(), ['gaps', 'trades']);
  assert.equal(streams.trades.fields, '${tolist(module.config.transfer_fields)}');
  assert.equal(streams.trades.table, '${local.cfg.clickhouse.table}');
  assert.equal(streams.gaps.table, 'feed_gaps');
  const endpoints = Object.fromEntries(files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_endpoint || {})));
  const source = endpoints.kafka_source[0];
  assert.equal(source.for_each, '${local.transfer_streams}');
  const kafka = source.settings[0].kafka_source[0];
  assert.deepEqual(kafka.topic_names, ['${yandex_mdb_kafka_topic.this[each.key].name}']);
  const schemaBlock = kafka.parser[0].json_parser[0].data_schema[0];
  assert.ok(!('json_fields' in schemaBlock), 'the deprecated json_fields string is used');
  const fields = schemaBlock.fields[0];
  assert.deepEqual(Object.keys(fields), ['dynamic'], 'fields written by hand next to the generated ones');
  const [dynamic] = fields.dynamic.fields;
  assert.equal(dynamic.for_each, '${each.value.fields}');
  const iterator = dynamic.iterator ? dynamic.iterator.replace(/^\$\{|\}$/g, '') : 'fields';
  assert.deepEqual(dynamic.content[0], {
    name: `\${${iterator}.value.name}`,
    type: `\${${iterator}.value.type}`,
    key: `\${${iterator}.value.key}`,
    required: `\${${iterator}.value.required}`,
  });
});

test('each stream\'s ClickHouse target writes into its pre-created table and never drops it; the trades\' state is moved, not recreated', async () => {
  const files = await terraformFiles();
  const endpoints = Object.fromEntries(files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_endpoint || {})));
  const target = endpoints.clickhouse_target[0];
  assert.equal(target.for_each, '${local.transfer_streams}');
  const settings = target.settings[0].clickhouse_target[0];
  assert.equal(settings.cleanup_policy, 'CLICKHOUSE_CLEANUP_POLICY_DISABLED');
  assert.deepEqual(settings.alt_names, [{ from_name: '${yandex_mdb_kafka_topic.this[each.key].name}', to_name: '${each.value.table}' }]);
  const transfers = Object.fromEntries(files.flatMap((f) => Object.entries((f.json.resource || {}).yandex_datatransfer_transfer || {})));
  assert.deepEqual(Object.keys(transfers), ['kafka_to_clickhouse']);
  const [transfer] = transfers.kafka_to_clickhouse;
  assert.equal(transfer.for_each, '${local.transfer_streams}');
  assert.equal(transfer.source_id, '${yandex_datatransfer_endpoint.kafka_source[each.key].id}');
  assert.equal(transfer.target_id, '${yandex_datatransfer_endpoint.clickhouse_target[each.key].id}');
  assert.equal(transfer.type, 'INCREMENT_ONLY');
  assert.equal(transfer.on_create_activate_mode, 'sync_activate');
  const moved = files.flatMap((f) => [].concat(f.json.moved || []));
  assert.deepEqual(moved.map((m) => m.to).sort(), ['${yandex_datatransfer_endpoint.clickhouse_target["trades"]}',
    '${yandex_datatransfer_endpoint.kafka_source["trades"]}', '${yandex_datatransfer_transfer.kafka_to_clickhouse["trades"]}']);
});

test('feed gaps: the gap transfer\'s parser fields are the writer columns of feed_gaps in modern.sql, in order', async () => {
  const files = await terraformFiles();
  const locals = Object.assign({}, ...files.flatMap((f) => [].concat(f.json.locals || [])));
  const sql = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'tools', 'resources', 'clickhouse', 'modern.sql'), 'utf8');
  const table = sql.slice(sql.indexOf('CREATE TABLE IF NOT EXISTS ${database}.feed_gaps'));
  const columns = table.slice(table.indexOf('(') + 1, table.indexOf('\n)')).split('\n').map((l) => l.trim()).filter(Boolean)
    .filter((l) => !l.includes('MATERIALIZED')).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(locals.gap_transfer_fields.map((f) => f.name), columns);
  assert.equal(locals.gap_transfer_fields.find((f) => f.name === 'symbols').type, 'ANY', 'an array, as JSON text');
});
