'use strict';
// Shared, memoised inputs of the tests: the parsed terraform/ files, the service's report, Terraform's
// resolution of each environment.
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

module.exports = { REPO, TERRAFORM_DIR, terraformFiles, service, terraform, environments, deployable, schema, variantConfig };
