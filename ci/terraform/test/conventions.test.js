'use strict';
// The layout of the official Yandex modules: pinned provider range covered by the reference schema,
// partial S3 backend, typed and described variables with validation, described outputs, secrets sensitive.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { run } = require('../lib/run');
const { REPO, TERRAFORM_DIR, terraformFiles, schema } = require('./support');

// A tiny evaluator of Terraform version constraints (=, !=, >, >=, <, <=, ~>), enough to prove a range.
function satisfies(version, constraint) {
  const parse = (v) => v.split('.').map(Number);
  const cmp = (a, b) => {
    for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) - (b[i] || 0);
    return 0;
  };
  const v = parse(version);
  return constraint.split(',').every((part) => {
    const m = /^\s*(=|!=|>=|<=|>|<|~>)?\s*([0-9.]+)\s*$/.exec(part);
    assert.ok(m, `unreadable constraint ${constraint}`);
    const [, op = '=', raw] = m;
    const c = parse(raw);
    const d = cmp(v, c);
    switch (op) {
      case '=': return d === 0;
      case '!=': return d !== 0;
      case '>': return d > 0;
      case '>=': return d >= 0;
      case '<': return d < 0;
      case '<=': return d <= 0;
      default: {
        const upper = c.slice(0, Math.max(1, c.length - 1));
        upper[upper.length - 1] += 1;
        return d >= 0 && cmp(v, upper) < 0;
      }
    }
  });
}

async function terraformBlock() {
  const files = (await terraformFiles()).filter((f) => path.dirname(f.path) === TERRAFORM_DIR);
  const blocks = files.flatMap((f) => f.json.terraform || []);
  assert.equal(blocks.length, 1, 'one terraform block in the root module');
  return blocks[0];
}

async function rootBlocks(kind) {
  const files = (await terraformFiles()).filter((f) => path.dirname(f.path) === TERRAFORM_DIR);
  return files.flatMap((f) => Object.entries(f.json[kind] || {}).map(([name, [body]]) => ({ file: f.file, name, body })));
}

test('the yandex provider is pinned to a range the reference schema covers', async () => {
  const block = await terraformBlock();
  const yandex = block.required_providers[0].yandex;
  assert.equal(yandex.source, 'yandex-cloud/yandex');
  const version = schema().version;
  assert.ok(satisfies(version, yandex.version), `${yandex.version} excludes the schema's ${version}`);
  const [major, minor] = version.split('.').map(Number);
  assert.ok(!satisfies(`${major}.${minor + 1}.0`, yandex.version), `${yandex.version} admits ${major}.${minor + 1}.0, which the schema does not cover`);
  assert.ok(!satisfies(`${major}.${minor - 1}.0`, yandex.version), `${yandex.version} admits older providers`);
  assert.ok(block.required_providers[0].random.version, 'random is not pinned');
});

test('the S3 backend is partial: bucket, key and region come from scripts/backend-config.sh', async () => {
  const s3 = (await terraformBlock()).backend.s3[0];
  assert.deepEqual(s3.endpoints, { s3: 'https://storage.yandexcloud.net' });
  for (const key of ['bucket', 'key', 'region', 'access_key', 'secret_key']) assert.ok(!(key in s3), `backend sets ${key}`);
});

test('every variable is typed, described and validated; every output described; secret outputs sensitive', async () => {
  for (const { file, name, body } of await rootBlocks('variable')) {
    assert.ok(body.type, `${file}: variable ${name} has no type`);
    assert.ok(body.description && body.description.length > 20, `${file}: variable ${name} has no description`);
    assert.ok(body.validation, `${file}: variable ${name} has no validation`);
  }
  const token = (await rootBlocks('variable')).find((v) => v.name === 'finnhub_token');
  assert.equal(token.body.sensitive, true);
  assert.ok(!('default' in token.body), 'finnhub_token has a default');
  const secretOutputs = [];
  for (const { file, name, body } of await rootBlocks('output')) {
    assert.ok(body.description, `${file}: output ${name} has no description`);
    const secret = /random_password\.[a-z_]+(\[[^\]]*\])?\.result|var\.finnhub_token/.test(JSON.stringify(body.value));
    if (secret) {
      secretOutputs.push(name);
      assert.equal(body.sensitive, true, `${file}: output ${name} holds a secret but is not sensitive`);
    }
  }
  assert.deepEqual(secretOutputs, ['clickhouse_schema_password', 'datalens_clickhouse_password']);
});

test('terraform fmt -check -recursive finds nothing to change in the repository', () => {
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  const result = run('terraform', ['fmt', '-check', '-recursive', '-diff'], { cwd: REPO, env });
  assert.equal(result.status, 0, `terraform fmt would change:\n${result.stdout}${result.stderr}`);
});

test('the version evaluator itself', () => {
  assert.ok(satisfies('0.222.0', '~> 0.222.0'));
  assert.ok(satisfies('0.222.7', '~> 0.222.0'));
  assert.ok(!satisfies('0.223.0', '~> 0.222.0'));
  assert.ok(satisfies('0.223.0', '~> 0.222'));
  assert.ok(!satisfies('1.0.0', '~> 0.222'));
  assert.ok(satisfies('0.222.0', '>= 0.182'));
  assert.ok(!satisfies('0.222.0', '>= 0.182, < 0.200'));
});
