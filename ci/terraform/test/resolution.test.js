'use strict';
// Real Terraform (the provider-free config module, terraform init/apply on local state) must resolve
// conf/app.json exactly as the service does, for every environment.
const test = require('node:test');
const assert = require('node:assert/strict');
const { terraformResolve, serviceReport } = require('../lib/run');
const { service, terraform, environments, variantConfig } = require('./support');

for (const env of environments()) {
  test(`environment ${env}: Terraform's resolution equals the service's`, () => {
    assert.deepEqual(terraform(env).sections, service().environments[env]);
  });
}

test('the environments Terraform deploys are the ones with a backend section, and local is not one', () => {
  const deployable = environments().filter((env) => terraform(env).deployable);
  assert.deepEqual(deployable, environments().filter((env) => 'backend' in service().environments[env]));
  assert.ok(!deployable.includes('local'));
  assert.ok(deployable.length >= 2, `expected dev and prod, got ${deployable}`);
});

test('both resolvers merge one level deep, drop "$" comments and take sections found only in the environment', () => {
  const file = variantConfig((app) => {
    // A nested object in an environment replaces the common one whole (no deep merge)...
    app.environments.dev.network = { $comment: 'only zone a in dev', subnets: { 'ru-central1-a': '10.20.1.0/24' } };
    // ...a section present only in the environment is taken as is...
    delete app.common.registry;
    app.environments.dev.registry = { repository: 'r', image_tag: '1.2.3' };
    app.environments.prod.registry = { repository: 'r', image_tag: '1.2.3' };
    app.environments.local.registry = { repository: 'r', image_tag: 'dev' };
    // ...and "$" keys are comments at any level of a section.
    app.common.kafka.$why = 'comment';
  });
  const report = serviceReport(file);
  for (const env of ['local', 'dev', 'prod']) {
    assert.deepEqual(terraformResolve(env, file).sections, report.environments[env], env);
  }
  const dev = report.environments.dev;
  assert.deepEqual(dev.network, { subnets: { 'ru-central1-a': '10.20.1.0/24' } });
  assert.equal(Object.keys(report.environments.prod.network.subnets).length, 3);
  assert.ok(!('$why' in dev.kafka));
});

test('Terraform refuses an environment the file does not have, naming the known ones', () => {
  assert.throws(() => terraformResolve('staging'), (e) => /Environment "staging" is not in conf\/app\.json\. Fix: use one of dev, local, prod/.test(e.stderr.replace(/\s+/g, ' ')));
});
