'use strict';
// The config module refuses, before any cloud call, what would fail or misbehave in the cloud; each
// refusal names the key and the fix.
const test = require('node:test');
const assert = require('node:assert/strict');
const { refusal } = require('./support');

test('a typo in a key Terraform owns is caught in every environment, not only the one deployed', () => {
  const message = refusal('dev', (app) => { app.environments.prod.clickhouse.presett = 's2.small'; });
  assert.match(message, /Unknown key\(s\) in conf\/app\.json: environments\.prod\.clickhouse\.presett\. Fix: rename or remove them/);
});

test('a key Terraform needs, missing for a deployed environment, is named with where to add it', () => {
  const message = refusal('prod', (app) => { delete app.environments.prod.yc.folder_id; });
  assert.match(message, /Missing for environment "prod": yc\.folder_id\. Fix: add them to common\.<section> or environments\.prod\.<section>/);
});

test('values that cannot work in the cloud are refused with the key and the fix', () => {
  const message = refusal('dev', (app) => {
    app.environments.dev.kafka.replication_factor = 3;
    app.environments.dev.kafka.security_protocol = 'PLAINTEXT';
    app.environments.dev.clickhouse = { public_access: true };
    app.environments.dev.kafka_cluster.zones = ['ru-central1-b'];
    app.common.network.subnets['ru-central1-b'] = '10.10.2/24';
  });
  assert.match(message, /kafka\.replication_factor: 3 exceeds the 1 broker\(s\) of kafka_cluster/);
  assert.match(message, /kafka\.security_protocol: Managed Kafka takes SASL_SSL/);
  assert.match(message, /clickhouse\.public_access: true, but clickhouse\.admin_cidrs is empty/);
  assert.match(message, /kafka_cluster\.zones: must include yc\.zone \(ru-central1-a\)/);
  assert.match(message, /network\.subnets: .* holds an invalid IPv4 CIDR/);
});

test('a record field type with no Data Transfer column type is refused', () => {
  const message = refusal('dev', (app) => { app.common.record.fields.push({ name: 'x', type: 'decimal', key: false }); });
  assert.match(message, /record\.fields uses type\(s\) decimal that have no Data Transfer column type/);
});
