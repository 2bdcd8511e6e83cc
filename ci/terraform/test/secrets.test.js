'use strict';
// No literal secret in any .tf, committed .tfvars or conf/app.json.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { load } = require('../lib/hcl');
const { hclProblems, tfvarsProblems, configProblems } = require('../lib/secrets');
const { run, CONFIG_FILE } = require('../lib/run');
const { REPO, terraformFiles } = require('./support');

/** Files git would commit: tracked plus untracked-but-not-ignored (a fresh clone has only the former). */
function candidateFiles(pattern) {
  const result = run('git', ['-C', REPO, 'ls-files', '--cached', '--others', '--exclude-standard']);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter((f) => pattern.test(f) && !f.includes('/test/fixtures/') && fs.existsSync(path.join(REPO, f)));
}

test('no literal secret in any .tf file', async () => {
  const tracked = candidateFiles(/\.tf$/);
  assert.ok(tracked.some((f) => f.startsWith('terraform/')), 'no .tf file found');
  const problems = [];
  for (const f of tracked) problems.push(...hclProblems(await load(path.join(REPO, f), f)));
  assert.deepEqual(problems, []);
});

test('no committed .tfvars assigns a secret', async () => {
  const secretVariables = new Set();
  for (const f of await terraformFiles()) {
    for (const [name, [v]] of Object.entries(f.json.variable || {})) if (v.sensitive === true) secretVariables.add(name);
  }
  assert.ok(secretVariables.has('finnhub_token'), 'finnhub_token must be a sensitive variable');
  const problems = [];
  for (const f of candidateFiles(/\.tfvars$/)) problems.push(...tfvarsProblems(await load(path.join(REPO, f), f), secretVariables));
  assert.deepEqual(problems, []);
  // *.tfvars are git-ignored: a file holding the token cannot be committed by accident.
  const ignored = run('git', ['-C', REPO, 'check-ignore', '-q', 'terraform/prod.tfvars']);
  assert.equal(ignored.status, 0, 'terraform/*.tfvars is not git-ignored');
});

test('no secret in conf/app.json', () => {
  assert.deepEqual(configProblems('conf/app.json', fs.readFileSync(CONFIG_FILE, 'utf8')), []);
});

test('the scanner catches literal passwords, secret defaults, tokens in tfvars and credential shapes', async () => {
  const file = await load(path.join(__dirname, 'fixtures', 'secrets', 'leaky.tf'), 'leaky.tf');
  assert.deepEqual(hclProblems(file).sort(), [
    'leaky.tf:6: looks like a Yandex Cloud IAM token',
    'leaky.tf: resource.yandex_mdb_kafka_user.u.password is set to a literal; a secret must come from a variable, random_password or Lockbox',
    'leaky.tf: resource.yandex_lockbox_secret_version.v.entries.text_value is set to a literal; a secret must come from a variable, random_password or Lockbox',
    'leaky.tf: provider.yandex.token is set to a literal; a secret must come from a variable, random_password or Lockbox',
    'leaky.tf: variable api_token looks like a secret but is not sensitive = true',
    'leaky.tf: variable api_token is secret and has a default value; supply it at apply time',
  ].sort());
  const tfvars = await load(path.join(__dirname, 'fixtures', 'secrets', 'prod.tfvars'), 'prod.tfvars');
  assert.deepEqual(tfvarsProblems(tfvars, new Set(['finnhub_token'])), ['prod.tfvars: assigns the secret finnhub_token']);
  assert.deepEqual(configProblems('app.json', JSON.stringify({ common: { finnhub: { url: 'wss://ws.finnhub.io/?token=abcdef123456', api_key: 'x' } } })), [
    'app.json:1: looks like a token in a URL',
    'app.json: common.finnhub.api_key looks like a secret key',
  ]);
});
