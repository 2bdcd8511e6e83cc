'use strict';
// Every .tf file parsed by HashiCorp's HCL parser and checked against the provider schema; the checker
// itself must report each kind of mistake with file, line and name.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { loadDir } = require('../lib/hcl');
const { checkFiles, format } = require('../lib/schema-check');
const { REPO, terraformFiles, schema } = require('./support');

test('terraform/ matches the Yandex provider schema', async () => {
  const files = await terraformFiles();
  assert.ok(files.length >= 10, `expected the terraform/ files, found ${files.length}`);
  const problems = checkFiles(files, schema()).map(format);
  assert.deepEqual(problems, []);
});

test('terraform/ declares the resources the issue asks for, and no deprecated ones', async () => {
  const files = await terraformFiles();
  const types = new Set(files.flatMap((f) => Object.keys(f.json.resource || {})));
  for (const type of [
    'yandex_vpc_network', 'yandex_vpc_subnet', 'yandex_vpc_security_group', 'yandex_iam_service_account',
    'yandex_mdb_kafka_cluster', 'yandex_mdb_kafka_topic', 'yandex_mdb_kafka_user',
    'yandex_mdb_clickhouse_cluster_v2', 'yandex_mdb_clickhouse_database', 'yandex_mdb_clickhouse_user',
    'yandex_datatransfer_endpoint', 'yandex_datatransfer_transfer', 'yandex_lockbox_secret',
    'yandex_lockbox_secret_version', 'yandex_container_registry', 'random_password',
  ]) assert.ok(types.has(type), `no ${type}`);
  assert.ok(!types.has('yandex_mdb_clickhouse_cluster'), 'the deprecated v1 ClickHouse cluster is used');
});

test('the checker reports every kind of mistake with file, line and name', async () => {
  const dir = path.join(__dirname, 'fixtures', 'schema-errors');
  const problems = checkFiles(await loadDir(dir, REPO), schema()).map(format);
  const file = 'ci/terraform/test/fixtures/schema-errors/bad.tf';
  const r = 'resource.';
  const expected = [
    `${file}:8: ${r}yandex_mdb_clickhouse_cluster_v2.attribute_as_block.hosts.h2: missing required attribute "type"`,
    `${file}:9: ${r}yandex_mdb_clickhouse_cluster_v2.attribute_as_block.hosts.h1.fqdn: "fqdn" is read-only (set by the provider)`,
    `${file}:12: ${r}yandex_mdb_clickhouse_cluster_v2.attribute_as_block.clickhouse: "clickhouse" is an attribute, not a block: write clickhouse = { ... }`,
    `${file}:17: ${r}yandex_mdb_clickhouse_cluster_v2.attribute_as_block.maintenance_window: "maintenance_window" is a block, not an attribute: write maintenance_window { ... }`,
    `${file}:22: ${r}yandex_mdb_clickhouse_cluster.deprecated_v1: deprecated resource: The \`yandex_mdb_clickhouse_cluster\` resource is deprecated and will be removed in a future version. Use \`yandex_mdb_clickhouse_cluster_v2\` instead.`,
    `${file}:22: ${r}yandex_mdb_clickhouse_cluster.deprecated_v1: missing required argument "environment"`,
    `${file}:22: ${r}yandex_mdb_clickhouse_cluster.deprecated_v1: missing required argument "network_id"`,
    `${file}:22: ${r}yandex_mdb_clickhouse_cluster.deprecated_v1: missing required block "host" (at least 1)`,
    `${file}:26: ${r}yandex_mdb_kafka_topic.missing_required: missing required argument "partitions"`,
    `${file}:26: ${r}yandex_mdb_kafka_topic.missing_required: missing required argument "replication_factor"`,
    `${file}:29: ${r}yandex_mdb_kafka_topic.missing_required.partitionz: unknown argument or block "partitionz" (did you mean "partitions"?)`,
    `${file}:32: ${r}yandex_mdb_kafka_cluster.missing_block: missing required block "config" (at least 1)`,
    `${file}:40: ${r}yandex_datatransfer_endpoint.deprecated_field.settings.kafka_source.topic_name: deprecated: Please use \`topic_names\` instead`,
    `${file}:44: ${r}yandex_datatransfer_endpoint.deprecated_field.settings.kafka_source.parser.json_parser.data_schema.json_fields: deprecated: Please use \`fields\` instead`,
    `${file}:45: ${r}yandex_datatransfer_endpoint.deprecated_field.settings.kafka_source.parser.json_parser.data_schema.fields: conflicts with "json_fields"`,
    `${file}:46: ${r}yandex_datatransfer_endpoint.deprecated_field.settings.kafka_source.parser.json_parser.data_schema.fields.fieldz: unknown argument or block "fieldz" (did you mean "fields"?)`,
    `${file}:63: ${r}yandex_vpc_subnet.list_block_as_attribute.dhcp_options: "dhcp_options" is a block, not an attribute: write dhcp_options { ... }`,
    `${file}:68: ${r}yandex_serverless_containr.unknown_type: unknown resource type "yandex_serverless_containr" (did you mean "yandex_serverless_container"?)`,
    `${file}:73: yandex_vpc_subnet.list_block_as_attribute.cidr: yandex_vpc_subnet has no attribute "cidr"`,
    `${file}:74: yandex_vpc_subnet.nowhere: reference to undeclared resource yandex_vpc_subnet.nowhere`,
    `${file}:78: var.nope: undeclared variable "nope"`,
    `${file}:79: local.nope: undeclared local value "nope"`,
  ];
  assert.deepEqual(problems, expected);
});
