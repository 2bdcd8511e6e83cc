'use strict';
// Several instances (ha.enabled): the coordination topic and the service user's consumer permission on it, the
// instance group's size, deploy policy and zones, and the refusal of HA on the serverless runtime. The config
// module decides (module.config.ha, evaluated by real Terraform); the root module's expressions that use it are
// evaluated by real Terraform too, on the module's resolved outputs (they need no provider).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run, terraformResolve } = require('../lib/run');
const { terraformFiles, terraform, deployable, variantConfig, refusal, terraformEnv } = require('./support');

async function resource(type, name) {
  const files = await terraformFiles();
  const found = files.flatMap((f) => (((f.json.resource || {})[type] || {})[name] || []));
  assert.equal(found.length, 1, `${type}.${name}`);
  return found[0];
}

/**
 * Evaluates root-module expressions ("${...}" as hcl2json gives them) that read only module.config, with real
 * Terraform on the module's resolved outputs; returns {name: value}.
 */
function evaluate(resolved, expressions) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ha-eval-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(resolved));
  const outputs = Object.entries(expressions).map(([name, expression]) => {
    const m = /^\$\{([\s\S]*)\}$/.exec(expression);
    assert.ok(m, `${name}: ${expression} is not an expression`);
    assert.doesNotMatch(m[1].replace(/module\.config\.[a-z_.]+/g, ''), /\b(local|var|module|resource|data)\.|yandex_/, `${name}: ${expression} reads more than module.config`);
    return `output "${name}" {\n  value = ${m[1].replace(/module\.config\./g, 'local.config.')}\n}\n`;
  });
  fs.writeFileSync(path.join(dir, 'main.tf'), `locals {\n  config = jsondecode(file("\${path.module}/config.json"))\n}\n${outputs.join('')}`);
  const env = terraformEnv();
  try {
    for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
      const r = run('terraform', args, { cwd: dir, env });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    const out = JSON.parse(run('terraform', ['output', '-json'], { cwd: dir, env }).stdout);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What the root module makes of module.config for one resolution: topic count, group size, policy, zones, HA_ENABLED. */
async function shape(resolved) {
  const topic = await resource('yandex_mdb_kafka_topic', 'key_slots');
  const group = await resource('yandex_compute_instance_group', 'service');
  const files = await terraformFiles();
  const runtime = files.find((f) => f.file.endsWith(path.join('terraform', 'runtime.tf')));
  return evaluate(resolved, {
    topic_count: topic.count,
    size: group.scale_policy[0].fixed_scale[0].size,
    max_expansion: String(group.deploy_policy[0].max_expansion),
    zones: group.allocation_policy[0].zones,
    ha_enabled_variable: runtime.json.locals[0].service_environment.HA_ENABLED,
  });
}

function withHa(edit = () => {}) {
  return variantConfig((app) => {
    Object.assign(app.common.ha, { enabled: true, instances: 3, slots: 8 });
    edit(app);
  });
}

test('the coordination topic: ha.topic with ha.slots partitions, replicated like the trades topic, counted by module.config.ha.enabled', async () => {
  const topic = await resource('yandex_mdb_kafka_topic', 'key_slots');
  const trades = await resource('yandex_mdb_kafka_topic', 'this');
  assert.equal(topic.count, '${module.config.ha.enabled ? 1 : 0}');
  assert.equal(topic.name, '${local.cfg.ha.topic}');
  assert.equal(topic.partitions, '${local.cfg.ha.slots}');
  assert.equal(topic.replication_factor, trades.replication_factor);
  assert.equal(topic.topic_config[0].min_insync_replicas, trades.topic_config[0].min_insync_replicas);
  assert.equal(topic.topic_config[0].cleanup_policy, 'CLEANUP_POLICY_DELETE');
  assert.ok(topic.topic_config[0].retention_ms <= 24 * 3600 * 1000, 'it stays empty: a short retention');
});

test('the service user consumes the coordination topic (its consumer group) and produces to the trades and dead-letter topics only', async () => {
  const user = await resource('yandex_mdb_kafka_user', 'producer');
  assert.equal(user.permission, undefined, 'permissions come from the topics, in dynamic blocks');
  const byTopics = Object.fromEntries(user.dynamic.permission.map((p) => [p.for_each, p.content[0]]));
  assert.deepEqual(byTopics, {
    '${yandex_mdb_kafka_topic.this}': { role: 'ACCESS_ROLE_PRODUCER', topic_name: '${permission.value.name}' },
    '${yandex_mdb_kafka_topic.key_slots}': { role: 'ACCESS_ROLE_CONSUMER', topic_name: '${permission.value.name}' },
  });
  // The Data Transfer user gets nothing on it.
  const transfer = await resource('yandex_mdb_kafka_user', 'transfer');
  assert.doesNotMatch(JSON.stringify(transfer), /key_slots/);
});

test('without HA (every committed environment): no coordination topic, one VM in yc.zone, max_expansion 0, HA_ENABLED false', async () => {
  for (const env of deployable()) {
    const resolved = terraform(env);
    assert.equal(resolved.sections.ha.enabled, false, `${env}: the committed file keeps HA off`);
    assert.deepEqual(resolved.ha, { enabled: false, instance_group: { size: 1, max_expansion: 0, zones: [resolved.sections.yc.zone] } }, env);
    assert.deepEqual(await shape(resolved), { topic_count: 0, size: 1, max_expansion: 0, zones: [resolved.sections.yc.zone], ha_enabled_variable: 'false' }, env);
  }
  // local is never deployed, whatever its ha section says.
  assert.equal(terraform('local').ha.enabled, false);
});

test('with HA: the coordination topic, ha.instances VMs over every zone with a subnet, max_expansion 1, HA_ENABLED true', async () => {
  for (const env of ['dev', 'prod']) {
    const resolved = terraformResolve(env, withHa());
    const zones = Object.keys(resolved.sections.network.subnets).sort();
    assert.equal(resolved.sections.ha.slots, 8);
    assert.deepEqual(resolved.ha, { enabled: true, instance_group: { size: 3, max_expansion: 1, zones } }, env);
    assert.deepEqual(await shape(resolved), { topic_count: 1, size: 3, max_expansion: 1, zones, ha_enabled_variable: 'true' }, env);
  }
  // Every zone the group may place a VM in has the VM's subnet.
  const group = await resource('yandex_compute_instance_group', 'service');
  assert.equal(group.instance_template[0].network_interface[0].subnet_ids, '${[for zone in module.config.ha.instance_group.zones : yandex_vpc_subnet.this[zone].id]}');
  assert.equal(group.deploy_policy[0].max_unavailable, 1);
  // An environment may turn it on alone.
  const prodOnly = terraformResolve('prod', variantConfig((app) => { app.environments.prod.ha = { enabled: true }; }));
  assert.deepEqual(prodOnly.ha.instance_group, { size: 2, max_expansion: 1, zones: ['ru-central1-a', 'ru-central1-b', 'ru-central1-d'] });
  assert.equal(terraformResolve('dev', variantConfig((app) => { app.environments.prod.ha = { enabled: true }; })).ha.enabled, false);
});

test('HA on the serverless runtime is refused with the key and the fix', () => {
  const message = refusal('dev', (app) => {
    app.common.ha.enabled = true;
    app.environments.dev.runtime = { kind: 'serverless_container' };
  });
  assert.match(message, /ha\.enabled: true, but runtime\.kind is serverless_container, whose runs are timed one-shot containers that cannot hold keys as members of a consumer group\. Fix: use runtime\.kind instance_group for several instances, or set ha\.enabled to false/);
  // Without HA the serverless runtime is fine, and so is HA on the instance group.
  const serverless = terraformResolve('dev', variantConfig((app) => { app.environments.dev.runtime = { kind: 'serverless_container' }; }));
  assert.deepEqual(serverless.runtime_count, { instance_group: 0, serverless_container: 1 });
  assert.equal(serverless.ha.enabled, false);
});

test('ha.instances outside 1..10 is refused with the key and the fix', () => {
  for (const instances of [0, 11, 1.5]) {
    const message = refusal('dev', (app) => { app.common.ha.instances = instances; });
    assert.match(message, new RegExp(`ha\\.instances: ${String(instances).replace('.', '\\.')} is not a whole number in 1\\.\\.10\\. Fix: the number of VMs to run with ha\\.enabled`));
  }
});
