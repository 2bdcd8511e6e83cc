'use strict';
// The Data Transfer parser fields equal the record fields the service writes: the endpoint's schema is a
// dynamic block over the config module's transfer_fields, which Terraform derives from record.fields.
const test = require('node:test');
const assert = require('node:assert/strict');
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
  const sources = endpoints.filter(([, [body]]) => body.settings && body.settings[0].kafka_source);
  assert.equal(sources.length, 1, 'one Kafka source endpoint');
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
  const endpoints = files.flatMap((f) => Object.values((f.json.resource || {}).yandex_datatransfer_endpoint || {}));
  const target = endpoints.map(([b]) => b.settings[0].clickhouse_target).find(Boolean)[0];
  assert.equal(target.cleanup_policy, 'CLICKHOUSE_CLEANUP_POLICY_DISABLED');
  assert.deepEqual(target.alt_names, [{ from_name: '${yandex_mdb_kafka_topic.this["trades"].name}', to_name: '${local.cfg.clickhouse.table}' }]);
  const transfers = files.flatMap((f) => Object.values((f.json.resource || {}).yandex_datatransfer_transfer || {}));
  assert.equal(transfers.length, 1);
  assert.equal(transfers[0][0].type, 'INCREMENT_ONLY');
  assert.equal(transfers[0][0].on_create_activate_mode, 'sync_activate');
});
