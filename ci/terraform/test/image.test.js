'use strict';
// terraform/scripts/image.sh (build and push the image) in dry-run mode, which needs no Docker engine:
// the image name and tag it computes, and what it refuses. And every shell script of the repository
// passes `bash -n`/`sh -n` and shellcheck.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run } = require('../lib/run');
const { REPO, service, deployable } = require('./support');

const SCRIPT = path.join(REPO, 'terraform', 'scripts', 'image.sh');

function image(args, options = {}) {
  return run(options.script || SCRIPT, args, { env: { ...process.env, CHECKPOINT_DISABLE: '1' }, ...options });
}

function gitRevision(dir = REPO) {
  return run('git', ['-C', dir, 'rev-parse', '--short=12', 'HEAD']).stdout.trim();
}

test('dry run: builds and pushes cr.yandex/<registry>/<registry.repository>:<registry.image_tag> of the environment', () => {
  for (const env of deployable()) {
    const result = image([env, '--registry', 'crp0test0registry', '--dry-run']);
    assert.equal(result.status, 0, result.stderr);
    const { repository, image_tag: tag } = service().environments[env].registry;
    const name = `cr.yandex/crp0test0registry/${repository}:${tag}`;
    assert.deepEqual(result.stdout.trim().split('\n'), [
      `docker build --platform linux/amd64 --label org.opencontainers.image.revision=${gitRevision()} --label org.opencontainers.image.version=${tag} --tag ${name} ${REPO}`,
      `docker push ${name}`,
    ]);
  }
});

test('--git-revision tags the image with the commit; a tree with uncommitted changes is refused', () => {
  const result = image(['dev', '--registry', 'crp0test0registry', '--git-revision', '--allow-dirty', '--dry-run']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`--tag cr\\.yandex/crp0test0registry/finnhub-stream:${gitRevision()} `));
  assert.match(gitRevision(), /^[0-9a-f]{12}$/);

  // A clone of the committed tree, then one uncommitted change.
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'image-clone-'));
  assert.equal(run('git', ['clone', '-q', REPO, clone]).status, 0);
  const script = path.join(clone, 'terraform', 'scripts', 'image.sh');
  const clean = image(['dev', '--registry', 'crp0test0registry', '--git-revision', '--dry-run'], { script });
  assert.equal(clean.status, 0, clean.stderr);
  fs.appendFileSync(path.join(clone, 'pom.xml'), '\n');
  const dirty = image(['dev', '--registry', 'crp0test0registry', '--git-revision', '--dry-run'], { script });
  assert.equal(dirty.status, 1);
  assert.match(dirty.stderr, /uncommitted changes: the image would not match revision [0-9a-f]{12}\. Fix: commit them, or pass --allow-dirty/);
  assert.equal(dirty.stdout, '');
  fs.rmSync(clone, { recursive: true, force: true });
});

test('refuses an environment that is never deployed, a bad registry id, and unknown arguments', () => {
  const local = image(['local', '--registry', 'crp0test0registry', '--dry-run']);
  assert.equal(local.status, 1);
  assert.match(local.stderr, /environment "local" has no backend section in conf\/app\.json, so it is never deployed/);
  const bad = image(['dev', '--registry', 'cr.yandex/x', '--dry-run']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /"cr\.yandex\/x" is not a Container Registry id/);
  const usage = image(['dev', '--push-it']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /Usage: terraform\/scripts\/image\.sh ENV/);
  const unknown = image(['staging', '--registry', 'crp0test0registry', '--dry-run']);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr.replace(/\s+/g, ' '), /Environment "staging" is not in conf\/app\.json/);
});

test('without --registry the id comes from terraform output, and its absence says what to do', () => {
  // An empty terraform data directory: no state, so no registry_id output.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-data-'));
  const result = image(['dev', '--dry-run'], { env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_DATA_DIR: empty } });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /no --registry, and terraform output registry_id failed\. Fix: pass --registry <id>, or init terraform\/ for dev/);
  fs.rmSync(empty, { recursive: true, force: true });
});

test('every shell script passes the shell\'s own syntax check and shellcheck', () => {
  const listed = run('git', ['-C', REPO, 'ls-files', '--cached', '--others', '--exclude-standard']).stdout.split('\n');
  const scripts = listed.filter((f) => f && fs.existsSync(path.join(REPO, f)) && !f.includes('node_modules')
    && (f.endsWith('.sh') || /^#!.*\b(ba)?sh\b/.test(fs.readFileSync(path.join(REPO, f), 'utf8').split('\n')[0])));
  for (const required of ['terraform/scripts/image.sh', 'docker/entrypoint.sh', '.ci/run']) assert.ok(scripts.includes(required), required);
  for (const script of scripts) {
    const shell = /^#!.*\bbash\b/.test(fs.readFileSync(path.join(REPO, script), 'utf8')) ? 'bash' : 'sh';
    const syntax = run(shell, ['-n', script], { cwd: REPO });
    assert.equal(syntax.status, 0, `${shell} -n ${script}: ${syntax.stderr}`);
  }
  const lint = run('shellcheck', ['-x', ...scripts], { cwd: REPO });
  assert.equal(lint.status, 0, `shellcheck:\n${lint.stdout}${lint.stderr}`);
});
