'use strict';
// Shared, memoised inputs of the tests: the parsed terraform/ files, the service's report, Terraform's
// resolution of each environment.
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { loadDir } = require('../lib/hcl');
const { REPO, SCHEMA_FILE } = require('../lib/paths');
const { terraformResolve, serviceReport, appJson } = require('../lib/run');

const TERRAFORM_DIR = path.join(REPO, 'terraform');
let files;
let report;
const resolutions = new Map();

async function terraformFiles() {
  files = files || (await loadDir(TERRAFORM_DIR, REPO));
  return files;
}

function service() {
  report = report || serviceReport();
  return report;
}

function terraform(env) {
  if (!resolutions.has(env)) resolutions.set(env, terraformResolve(env));
  return resolutions.get(env);
}

function environments() {
  return Object.keys(appJson().environments).sort();
}

/** The environments Terraform deploys (those with a backend section), as Terraform itself decides. */
function deployable() {
  return environments().filter((env) => terraform(env).deployable);
}

function schema() {
  return JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
}

/** Writes a variant of conf/app.json to a temporary file and returns its path. */
function variantConfig(edit) {
  const app = appJson();
  edit(app);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-json-'));
  const file = path.join(dir, 'app.json');
  fs.writeFileSync(file, JSON.stringify(app, null, 2));
  return file;
}

/** Terraform's refusal of a variant of conf/app.json for env, whitespace collapsed; fails if it is accepted. */
function refusal(env, edit) {
  const file = variantConfig(edit);
  try {
    terraformResolve(env, file);
  } catch (e) {
    return e.stderr.replace(/\s+/g, ' ');
  }
  return assert.fail('Terraform accepted the invalid file');
}

/** The environment for running terraform directly: no update check, no warning about a missing CLI config. */
function terraformEnv() {
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  return env;
}

module.exports = { REPO, TERRAFORM_DIR, terraformFiles, service, terraform, environments, deployable, schema, variantConfig, refusal, terraformEnv };
