'use strict';
// The runtime (terraform/runtime.tf): one per environment, never two; the serverless schedule never lets
// two runs overlap; a runtime switch destroys the old runtime before creating the new one; the VM's
// container spec runs the image with its settings, no secret values, and ships its logs.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const yaml = require('js-yaml');
const { run, terraformResolve } = require('../lib/run');
const { REPO, terraformFiles, service, terraform, deployable, variantConfig, refusal, terraformEnv } = require('./support');

const RUNTIMES = ['instance_group', 'serverless_container'];
// Resource types that run or start the service: each must belong to exactly one runtime.
const RUNNERS = ['yandex_compute_instance_group', 'yandex_compute_instance', 'yandex_serverless_container', 'yandex_function_trigger'];

/** Every resource and data block of the root module: {kind, type, name, body, file}. */
async function rootBlocks() {
  const files = (await terraformFiles()).filter((f) => path.dirname(f.path) === path.join(REPO, 'terraform'));
  const out = [];
  for (const f of files) {
    for (const kind of ['resource', 'data']) {
      for (const [type, byName] of Object.entries(f.json[kind] || {})) {
        for (const [name, [body]] of Object.entries(byName)) out.push({ kind, type, name, body, file: f.file });
      }
    }
  }
  return out;
}

/** The runtime a block's count/for_each is gated on, or null. */
function gate(body) {
  const expression = JSON.stringify([body.count, body.for_each]);
  const found = RUNTIMES.filter((r) => expression.includes(`module.config.runtime_count.${r}`));
  return found.length === 1 ? found[0] : found.length === 0 ? null : 'both';
}

test('every deployed environment runs exactly one runtime, the one runtime.kind names', () => {
  for (const env of deployable()) {
    const counts = terraform(env).runtime_count;
    assert.deepEqual(Object.keys(counts).sort(), RUNTIMES);
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 1, `${env}: ${JSON.stringify(counts)}`);
    assert.equal(counts[service().environments[env].runtime.kind], 1, env);
  }
  assert.deepEqual(Object.values(terraform('local').runtime_count), [0, 0], 'local is never deployed');
});

test('two runtimes at once, or an unknown one, are refused with the key and the fix', () => {
  for (const kind of ['instance_group,serverless_container', 'both', 'kubernetes']) {
    const message = refusal('dev', (app) => { app.environments.dev.runtime = { kind }; });
    assert.match(message, new RegExp(`runtime\\.kind: "${kind}" is not a runtime\\. Fix: use one of instance_group, serverless_container`));
  }
});

test('the serverless interval must exceed the execution timeout, so two runs never overlap', () => {
  const message = refusal('prod', (app) => {
    app.environments.prod.runtime = { kind: 'serverless_container', serverless_interval_minutes: 30, serverless_execution_timeout_s: 1800 };
  });
  assert.match(message, /runtime\.serverless_interval_minutes: 30 min does not exceed runtime\.serverless_execution_timeout_s \(1800 s\), so two runs could overlap with one Finnhub key\. Fix: raise the interval or lower the timeout/);
  // Checked whatever the kind: a setting that cannot work is refused before anyone switches to it.
  assert.match(refusal('dev', (app) => { app.common.runtime.serverless_execution_timeout_s = 3600; }), /does not exceed runtime\.serverless_execution_timeout_s \(3600 s\)/);
  // ...and one second less is accepted.
  const ok = variantConfig((app) => { app.common.runtime.serverless_execution_timeout_s = 3599; app.common.runtime.serverless_stop_before_timeout_s = 59; });
  assert.equal(terraformResolve('dev', ok).serverless_run.run_seconds, 3540);
});

test('other runtime values that cannot work are refused with the key and the fix', () => {
  const message = refusal('dev', (app) => {
    Object.assign(app.common.runtime, {
      serverless_interval_minutes: 45,
      serverless_execution_timeout_s: 7200,
      serverless_stop_before_timeout_s: 5,
      serverless_memory_mb: 300,
      vm_disk_gb: 20,
      vm_core_fraction: 30,
      log_retention_hours: 0,
      metrics_cidrs: ['0.0.0.0/0'],
    });
    app.common.registry.image_tag = 'latest';
  });
  for (const expected of [
    /runtime\.serverless_interval_minutes: 45 does not divide an hour or a day evenly/,
    /runtime\.serverless_execution_timeout_s: 7200 is outside 120\.\.3600/,
    /runtime\.serverless_stop_before_timeout_s: 5 leaves a run of 7195 s\. Fix: at least 10 s/,
    /runtime\.serverless_memory_mb: 300 must be a multiple of 128/,
    /runtime\.vm_disk_gb: 20 is below the Container Optimized Image's 30 GB/,
    /runtime\.vm_core_fraction, runtime\.serverless_core_fraction: use 20, 50 or 100/,
    /runtime\.log_retention_hours: 0 is outside 1\.\.744/,
    /runtime\.metrics_cidrs: 0\.0\.0\.0\/0 opens the status endpoint to the internet/,
    /registry\.image_tag: "latest" is not a fixed image tag/,
  ]) assert.match(message, expected);
  // Serverless Containers in a network need a subnet in every zone.
  const zones = refusal('dev', (app) => {
    app.environments.dev.runtime = { kind: 'serverless_container' };
    app.environments.dev.network = { subnets: { 'ru-central1-a': '10.10.1.0/24' } };
  });
  assert.match(zones, /network\.subnets: Serverless Containers in a network need a subnet in every zone/);
});

test('the serverless schedule: a cron that fires every interval, and runs that end before the timeout', () => {
  const cases = [[15, '*/15 * ? * * *'], [60, '0 * ? * * *'], [120, '0 */2 ? * * *'], [1440, '0 */24 ? * * *']];
  for (const [minutes, cron] of cases) {
    const file = variantConfig((app) => {
      app.environments.dev.runtime = { kind: 'serverless_container', serverless_interval_minutes: minutes, serverless_execution_timeout_s: Math.min(3300, minutes * 60 - 60) };
    });
    const resolved = terraformResolve('dev', file);
    assert.deepEqual(resolved.runtime_count, { instance_group: 0, serverless_container: 1 });
    assert.equal(resolved.serverless_run.cron, cron);
    const { execution_timeout: timeout, run_seconds: runSeconds } = resolved.serverless_run;
    assert.ok(minutes * 60 > timeout && runSeconds === timeout - 60, JSON.stringify(resolved.serverless_run));
  }
});

test('every resource that runs or starts the service is gated on exactly one runtime, one runner per runtime', async () => {
  const blocks = await rootBlocks();
  const runners = blocks.filter((b) => b.kind === 'resource' && RUNNERS.includes(b.type));
  for (const b of runners) {
    assert.ok(RUNTIMES.includes(gate(b.body)), `${b.type}.${b.name} is not gated on one runtime: count = ${b.body.count}`);
    assert.equal(b.body.count, `\${module.config.runtime_count.${gate(b.body)}}`, `${b.type}.${b.name}`);
  }
  const byRuntime = Object.fromEntries(RUNTIMES.map((r) => [r, runners.filter((b) => gate(b.body) === r).map((b) => b.type).sort()]));
  assert.deepEqual(byRuntime, {
    instance_group: ['yandex_compute_instance_group'],
    serverless_container: ['yandex_function_trigger', 'yandex_serverless_container'],
  });
  // The rest of runtime.tf is either shared by both runtimes or gated on one.
  const inRuntimeFile = blocks.filter((b) => b.file.endsWith('runtime.tf'));
  const shared = inRuntimeFile.filter((b) => gate(b.body) === null).map((b) => `${b.type}.${b.name}`);
  assert.deepEqual(shared.sort(), ['yandex_logging_group.service', 'yandex_resourcemanager_folder_iam_member.runtime_logging']);
  assert.ok(!inRuntimeFile.some((b) => gate(b.body) === 'both'));
});

test('without HA the instance group never runs two VMs: size 1, no expansion while healing or updating, health on /health', async () => {
  const group = (await rootBlocks()).find((b) => b.type === 'yandex_compute_instance_group').body;
  // Size, expansion and zones come from the config module (ha.test.js evaluates them with and without HA).
  assert.equal(group.scale_policy[0].fixed_scale[0].size, '${module.config.ha.instance_group.size}');
  assert.equal(group.deploy_policy[0].max_expansion, '${module.config.ha.instance_group.max_expansion}');
  assert.equal(group.allocation_policy[0].zones, '${module.config.ha.instance_group.zones}');
  for (const env of deployable()) {
    if (!terraform(env).ha.enabled) assert.deepEqual(terraform(env).ha.instance_group, { size: 1, max_expansion: 0, zones: [terraform(env).sections.yc.zone] }, env);
  }
  assert.equal(group.deploy_policy[0].max_unavailable, 1);
  const check = group.health_check[0];
  assert.deepEqual(check.http_options[0], { port: '${local.cfg.http.port}', path: '/health' });
  assert.ok(check.unhealthy_threshold * check.interval >= 120, 'a slow GC pause must not cost a VM');
  const template = group.instance_template[0];
  assert.equal(template.metadata['docker-compose'], '${module.container_spec.docker_compose}');
  assert.equal(template.service_account_id, '${yandex_iam_service_account.runtime.id}');
  assert.equal(template.metadata_options[0].gce_http_token, 1, 'the service needs the IAM token endpoint');
});

test('a runtime switch destroys the old runtime before creating the new one, in both directions', async () => {
  // The real resources: the serverless container (and through it the trigger) depends on the instance group.
  const blocks = await rootBlocks();
  const container = blocks.find((b) => b.type === 'yandex_serverless_container').body;
  assert.ok(container.depends_on.includes('${yandex_compute_instance_group.service}'), 'the container must depend on the instance group');
  const trigger = blocks.find((b) => b.type === 'yandex_function_trigger').body;
  assert.match(JSON.stringify(trigger.container), /yandex_serverless_container\.service\[0\]\.id/);

  // What Terraform does with that shape, shown with stand-ins of the two runtimes (terraform_data with the
  // same count gating and dependency) whose provisioners record creation and destruction.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-switch-'));
  const log = path.join(dir, 'events.log');
  const standIn = (name, extra) => `
resource "terraform_data" "${name}" {
  count = var.kind == "${name}" ? 1 : 0
  input = "${name}"
  ${extra}
  provisioner "local-exec" {
    command = "echo create-${name} >> events.log"
  }
  provisioner "local-exec" {
    when    = destroy
    command = "echo destroy-${name} >> events.log"
  }
}`;
  fs.writeFileSync(path.join(dir, 'main.tf'), `variable "kind" { type = string }
${standIn('instance_group', '')}
${standIn('serverless_container', 'depends_on = [terraform_data.instance_group]')}
`);
  const env = terraformEnv();
  const tf = (...args) => {
    const r = run('terraform', args, { cwd: dir, env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  };
  const events = () => fs.readFileSync(log, 'utf8').trim().split('\n');
  tf('init', '-input=false');
  tf('apply', '-auto-approve', '-input=false', '-var', 'kind=instance_group');
  fs.writeFileSync(log, '');
  tf('apply', '-auto-approve', '-input=false', '-var', 'kind=serverless_container');
  assert.deepEqual(events(), ['destroy-instance_group', 'create-serverless_container']);
  fs.writeFileSync(log, '');
  tf('apply', '-auto-approve', '-input=false', '-var', 'kind=instance_group');
  assert.deepEqual(events(), ['destroy-serverless_container', 'create-instance_group']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the VM runs the image with the service settings and Lockbox references, never a secret value', async () => {
  const blocks = await rootBlocks();
  const files = (await terraformFiles()).filter((f) => f.file.endsWith(path.join('terraform', 'runtime.tf')));
  const spec = files[0].json.module.container_spec[0];
  assert.equal(spec.environment, '${merge(local.service_environment, { LOCKBOX_SECRETS = local.lockbox_secret_references })}');
  const locals = files[0].json.locals[0];
  // VARIABLE=<secret id>@<version id>, the format config/LockboxSecrets.java reads.
  assert.match(locals.lockbox_secret_references, /\$\{secret\.key\}=\$\{yandex_lockbox_secret\.this\[name\]\.id\}@\$\{yandex_lockbox_secret_version\.this\[name\]\.id\}/);
  assert.doesNotMatch(JSON.stringify(locals.service_environment), /random_password|finnhub_token/);
  // The serverless container gets the secrets natively, one per Lockbox secret, as the same variables.
  const container = blocks.find((b) => b.type === 'yandex_serverless_container').body;
  assert.equal(container.dynamic.secrets[0].for_each, '${local.lockbox_secrets}');
  assert.equal(container.dynamic.secrets[0].content[0].environment_variable, '${secrets.value.key}');
  assert.equal(container.runtime[0].type, 'task');
});

/** Renders terraform/modules/container-spec with real Terraform (it needs no provider). */
function renderContainerSpec(vars) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'container-spec-'));
  for (const f of fs.readdirSync(path.join(REPO, 'terraform', 'modules', 'container-spec'))) {
    if (f.endsWith('.tf')) fs.copyFileSync(path.join(REPO, 'terraform', 'modules', 'container-spec', f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, 'terraform.tfvars.json'), JSON.stringify(vars));
  const env = terraformEnv();
  for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
    const r = run('terraform', args, { cwd: dir, env });
    if (r.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return { error: r.stdout + r.stderr };
    }
  }
  const out = JSON.parse(run('terraform', ['output', '-json'], { cwd: dir, env }).stdout);
  fs.rmSync(dir, { recursive: true, force: true });
  return { compose: out.docker_compose.value, userData: out.user_data.value };
}

const SPEC_VARS = {
  image: 'cr.yandex/crp0test/finnhub-stream:0.1.0',
  environment: { APP_ENV: 'dev', KAFKA_BOOTSTRAP_SERVERS: 'rc1a-x.mdb.yandexcloud.net:9091', KAFKA_USERNAME: 'ingest_producer', LOCKBOX_SECRETS: 'FINNHUB_TOKEN=e6q1@e6q2' },
  http_port: 8080,
  log_group_id: 'e23loggroup',
  log_agent_image: 'cr.yandex/yc/fluent-bit-plugin-yandex:v1.0.3-fluent-bit-1.8.6',
};

test('the COI docker-compose runs the service always, publishes its port and sends its output to the log agent', () => {
  const { compose, userData, error } = renderContainerSpec(SPEC_VARS);
  assert.equal(error, undefined, error);
  const spec = yaml.load(compose);
  const serviceSpec = spec.services['finnhub-stream'];
  assert.equal(serviceSpec.image, SPEC_VARS.image);
  assert.equal(serviceSpec.restart, 'always');
  assert.deepEqual(serviceSpec.environment, SPEC_VARS.environment);
  assert.deepEqual(serviceSpec.ports, ['8080:8080']);
  assert.equal(serviceSpec.logging.driver, 'fluentd');
  assert.equal(serviceSpec.logging.options['fluentd-async'], 'true', 'the service must start even while the agent is down');
  const agent = spec.services['log-agent'];
  assert.equal(agent.image, SPEC_VARS.log_agent_image);
  assert.deepEqual(agent.ports, ['127.0.0.1:24224:24224'], 'the agent listens on loopback only');
  assert.equal(serviceSpec.logging.options['fluentd-address'], 'localhost:24224');

  assert.ok(userData.startsWith('#cloud-config\n'));
  const files = Object.fromEntries(yaml.load(userData).write_files.map((f) => [f.path, f.content]));
  for (const volume of agent.volumes) assert.ok(files[volume.split(':')[0]], `${volume}: written by cloud-config`);
  const conf = files['/etc/fluentbit/fluentbit.conf'];
  assert.match(conf, /Name\s+yc-logging/);
  assert.match(conf, /group_id\s+e23loggroup/);
  assert.match(conf, /authorization\s+instance-service-account/);
  assert.match(conf, new RegExp(`Match\\s+${serviceSpec.logging.options.tag}\\b`));
});

test('the log agent reads the level out of the service\'s log lines, as logback.xml writes them', () => {
  const { userData } = renderContainerSpec(SPEC_VARS);
  const parsers = yaml.load(userData).write_files.find((f) => f.path.endsWith('parsers.conf')).content;
  const regex = new RegExp(/^\s*Regex\s+(.*)$/m.exec(parsers)[1]);
  // The pattern this parser is written for; a change to logback.xml must revisit the parser.
  const logback = fs.readFileSync(path.join(REPO, 'src', 'main', 'resources', 'logback.xml'), 'utf8');
  assert.match(logback, /<pattern>%d\{yyyy-MM-dd'T'HH:mm:ss\.SSSXXX\} %-5level \[%thread\] %logger\{36\} - %msg%n<\/pattern>/);
  const lines = {
    '2026-01-02T03:04:05.678Z INFO  [vert.x-eventloop-thread-1] d.f.ingest.FinnhubWebSocketVerticle - key-1 connected': 'INFO',
    '2026-01-02T03:04:05.678+03:00 WARN  [main] dev.finnhubstream.MainVerticle - x - y': 'WARN',
    '2026-01-02T03:04:05.678Z ERROR [kafka-producer-network-thread | producer-1] d.f.sink.KafkaWriterVerticle - send failed': 'ERROR',
  };
  for (const [line, level] of Object.entries(lines)) assert.equal(regex.exec(line)?.groups.level, level, line);
  assert.equal(regex.exec('\tat dev.finnhubstream.MainVerticle.start(MainVerticle.java:42)'), null, 'stack lines keep the default level');
});

test('the container spec refuses secret values in the VM metadata', () => {
  const { error } = renderContainerSpec({ ...SPEC_VARS, environment: { APP_ENV: 'dev', FINNHUB_TOKEN: 'x' } });
  assert.match(error.replace(/[│\s]+/g, ' '), /must not hold FINNHUB_TOKEN or KAFKA_PASSWORD/);
});
