'use strict';
// Runs the two resolvers of conf/app.json: real Terraform (terraform/scripts/resolve-config.sh, the
// provider-free config module on local state) and the service (dev.finnhubstream.ConfigReport).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { REPO } = require('./paths');

const CONFIG_FILE = path.join(REPO, 'conf', 'app.json');
// ConfigReport is in the tools' jar and runs on the service's classes, from the fat jar (pom.xml).
const JARS = ['finnhub-stream-fat.jar', 'finnhub-stream-tools.jar'].map((jar) => path.join(REPO, 'target', jar));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return result;
}

/** Terraform's outputs of the config module for env (values only), or throws with Terraform's message. */
function terraformResolve(env, configFile = CONFIG_FILE) {
  const result = run(path.join(REPO, 'terraform', 'scripts', 'resolve-config.sh'), [env, '--file', configFile]);
  if (result.status !== 0) {
    const error = new Error(`terraform could not resolve ${env}:\n${result.stderr}`);
    error.stderr = result.stderr;
    throw error;
  }
  const outputs = JSON.parse(result.stdout);
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** The service's report (see ConfigReport.java) for every environment of the file. */
function serviceReport(configFile = CONFIG_FILE) {
  const missing = JARS.filter((jar) => !fs.existsSync(jar));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: build the jars first (mvn -q -DskipTests package), or run ci/terraform-check.sh`);
  const result = run('java', ['-cp', JARS.join(path.delimiter), 'dev.finnhubstream.ConfigReport', '--file', configFile]);
  if (result.status !== 0) throw new Error(`ConfigReport failed (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function appJson(configFile = CONFIG_FILE) {
  return JSON.parse(fs.readFileSync(configFile, 'utf8'));
}

module.exports = { run, terraformResolve, serviceReport, appJson, CONFIG_FILE };
