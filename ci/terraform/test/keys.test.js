'use strict';
// Every key in conf/app.json is read by the service or by Terraform, and every key they read exists.
const test = require('node:test');
const assert = require('node:assert/strict');
const { terraformReads, keyProblems } = require('../lib/keys');
const { appJson } = require('../lib/run');
const { terraformFiles, service, terraform, deployable } = require('./support');

async function inputs() {
  const { reads, problems } = terraformReads(await terraformFiles());
  const declared = terraform('dev').terraform_reads;
  return { app: appJson(), report: service(), tfReads: reads, declaredTfReads: declared, deployable: deployable(), readProblems: problems };
}

test('no dead and no phantom keys in conf/app.json', async () => {
  const input = await inputs();
  assert.deepEqual(input.readProblems, []);
  assert.deepEqual(keyProblems(input), []);
});

test('Terraform reads the service sections it shares: topics, the producer user, the record, the status port', async () => {
  const { tfReads } = await inputs();
  for (const key of ['topic', 'dead_letter_topic', 'gap_topic', 'partitions', 'replication_factor', 'retention_ms', 'username']) {
    assert.ok(tfReads.kafka.has(key), `kafka.${key}`);
  }
  assert.ok(tfReads.record.has('fields'));
  assert.ok(tfReads.http.has('port'));
});

test('the check finds a dead key, a phantom key and an undeclared service key', async () => {
  const input = await inputs();
  const app = structuredClone(input.app);
  app.common.clickhouse.shards = 2; // nobody reads it
  app.environments.dev.finnhub = { pings: true }; // nor this
  const tfReads = { ...input.tfReads, registry: new Set([...input.tfReads.registry, 'retention']), kafka: new Set([...input.tfReads.kafka, 'acks']) };
  const problems = keyProblems({ ...input, app, tfReads });
  assert.ok(problems.includes('common.clickhouse.shards: dead key, neither Terraform nor a project tool reads it'), problems.join('\n'));
  assert.ok(problems.includes('environments.dev.finnhub.pings: dead key, read by neither the service nor Terraform'));
  assert.ok(problems.includes('registry.retention: Terraform reads it, but environment dev does not have it (phantom key)'));
  assert.ok(problems.includes('kafka.acks: Terraform reads it, but the service does not declare it (it would refuse the key)'));
  assert.ok(problems.some((p) => p.startsWith('terraform_reads.registry in terraform/modules/config/main.tf')));
});

test('the root module may not hide reads behind whole sections', () => {
  const file = { file: 'terraform/x.tf', json: { locals: [{ a: '${local.cfg.network}', b: '${local.cfg["kafka"].topic}', c: '${local.cfg.kafka.topic}' }] } };
  const { reads, problems } = terraformReads([file]);
  assert.deepEqual([...reads.kafka], ['topic']);
  assert.equal(problems.length, 2);
});
