'use strict';
// The operator scripts: backend flags generated from conf/app.json, and the SQL splitter of the
// ClickHouse schema step.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run } = require('../lib/run');
const { REPO, service, deployable } = require('./support');

const script = (name) => path.join(REPO, 'terraform', 'scripts', name);

test('backend-config.sh prints the -backend-config flags of each deployed environment, as the service resolves them', () => {
  for (const env of deployable()) {
    const result = run(script('backend-config.sh'), [env]);
    assert.equal(result.status, 0, result.stderr);
    const backend = service().environments[env].backend;
    assert.deepEqual(result.stdout.trim().split('\n'), [
      `-backend-config=bucket=${backend.bucket}`,
      `-backend-config=key=${backend.key}`,
      `-backend-config=region=${backend.region}`,
    ]);
  }
});

test('backend-config.sh refuses an environment Terraform does not deploy', () => {
  const result = run(script('backend-config.sh'), ['local']);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /environment "local" has no backend section/);
});

test('clickhouse-schema.sh splits the files of a directory into statements, in name order', () => {
  const result = run(script('clickhouse-schema.sh'), ['--dry-run', path.join(__dirname, 'fixtures', 'sql')]);
  assert.equal(result.status, 0, result.stderr);
  const statements = result.stdout.split('\n\n').map((s) => s.trim()).filter(Boolean);
  assert.deepEqual(statements, [
    "CREATE TABLE IF NOT EXISTS trades\n(\n    symbol String DEFAULT 'a;b',\n    note   String COMMENT 'it''s; fine'\n)\nENGINE = ReplacingMergeTree ORDER BY symbol",
    'CREATE VIEW IF NOT EXISTS v AS SELECT "odd;name", `x;y` FROM trades WHERE symbol = \'x\\\';y\'',
    'SELECT 1',
  ]);
});

test('clickhouse-schema.sh also takes one file, or a schema rendered by another tool on standard input', () => {
  const file = run(script('clickhouse-schema.sh'), ['--dry-run', path.join(__dirname, 'fixtures', 'sql', '020_last.sql')]);
  assert.equal(file.stdout.trim(), 'SELECT 1');
  const stdin = run(script('clickhouse-schema.sh'), ['--dry-run', '-'], { input: 'CREATE DATABASE IF NOT EXISTS market;\nSELECT 2;' });
  assert.equal(stdin.status, 0, stdin.stderr);
  assert.deepEqual(stdin.stdout.trim().split('\n\n'), ['CREATE DATABASE IF NOT EXISTS market', 'SELECT 2']);
});

test('clickhouse-schema.sh refuses a directory without .sql files and an unterminated quote', () => {
  const empty = run(script('clickhouse-schema.sh'), ['--dry-run', path.join(__dirname, 'fixtures', 'secrets')]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /no \.sql files/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-'));
  fs.writeFileSync(path.join(dir, 'a.sql'), "SELECT 'oops;\n");
  const broken = run(script('clickhouse-schema.sh'), ['--dry-run', dir]);
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /a\.sql: cannot split/);
});
