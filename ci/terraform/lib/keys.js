'use strict';
// Dead and phantom keys of conf/app.json. A key is read by the service when ConfigReport says the service
// asked for it, and by Terraform when a .tf file reads local.cfg.<section>.<key>.
const path = require('path');
const { strings } = require('./hcl');

const READ = /\blocal\.cfg\.([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?/g;

/**
 * The keys the .tf files read, as {section: Set(key)}, and problems: in the root module every read must
 * name a key (local.cfg.<section>.<key>), so that this check sees it; whole sections and [..] indexing
 * are reserved to the config module, which resolves the file generically.
 */
function terraformReads(files) {
  const reads = {};
  const problems = [];
  for (const file of files) {
    const generic = file.file.split(path.sep).includes('modules');
    for (const [value] of strings(file.json)) {
      if (typeof value !== 'string' || !value.includes('local.cfg')) continue;
      for (const m of value.matchAll(READ)) {
        if (!m[2]) {
          if (!generic) problems.push(`${file.file}: reads the whole section local.cfg.${m[1]}; read its keys one by one`);
          continue;
        }
        (reads[m[1]] = reads[m[1]] || new Set()).add(m[2]);
      }
      if (!generic && /\blocal\.cfg\s*\[/.test(value)) problems.push(`${file.file}: indexes local.cfg[...]; read local.cfg.<section>.<key>`);
    }
  }
  return { reads, problems };
}

/** Every (scope, section, key) of the file: common and each environment; "$" comments skipped. */
function fileKeys(app) {
  const out = [];
  const scopes = [['common', app.common || {}], ...Object.entries(app.environments || {}).map(([e, v]) => [`environments.${e}`, v])];
  for (const [scope, sections] of scopes) {
    for (const [section, body] of Object.entries(sections)) {
      for (const key of Object.keys(body || {})) if (!key.startsWith('$')) out.push({ scope, section, key });
    }
  }
  return out;
}

/**
 * Problems, each one line:
 *  - dead: a key in the file that neither the service nor Terraform reads;
 *  - phantom: a key Terraform reads that some deployed environment lacks, or a service-section key
 *    Terraform reads that the service does not declare (the service would refuse it);
 *  - a key the service declares that nobody reads;
 *  - Terraform's declared list (terraform_reads of the config module) differing from what the .tf read.
 */
function keyProblems({ app, report, tfReads, declaredTfReads, deployable }) {
  const problems = [];
  const serviceSections = report.service_sections;
  const infra = new Set(report.infrastructure_sections);
  const serviceRead = (s, k) => (report.service_keys_read[s] || []).includes(k);
  // Infrastructure keys the project's own tools read (the ClickHouse schema tool), as ConfigReport lists them.
  const toolRead = (s, k) => ((report.tool_keys_read || {})[s] || []).includes(k);
  const tfRead = (s, k) => (tfReads[s] || new Set()).has(k);

  for (const { scope, section, key } of fileKeys(app)) {
    const where = `${scope}.${section}.${key}`;
    if (serviceSections[section]) {
      if (!serviceRead(section, key) && !tfRead(section, key)) problems.push(`${where}: dead key, read by neither the service nor Terraform`);
    } else if (infra.has(section)) {
      if (!tfRead(section, key) && !toolRead(section, key)) problems.push(`${where}: dead key, neither Terraform nor a project tool reads it`);
    } else {
      problems.push(`${scope}.${section}: unknown section`);
    }
  }
  for (const [section, keys] of Object.entries(tfReads)) {
    for (const key of keys) {
      if (!serviceSections[section] && !infra.has(section)) {
        problems.push(`local.cfg.${section}.${key}: Terraform reads a section the service does not know`);
        continue;
      }
      if (serviceSections[section] && !serviceSections[section].includes(key)) {
        problems.push(`${section}.${key}: Terraform reads it, but the service does not declare it (it would refuse the key)`);
      }
      for (const env of deployable) {
        const resolved = report.environments[env][section] || {};
        if (!(key in resolved)) problems.push(`${section}.${key}: Terraform reads it, but environment ${env} does not have it (phantom key)`);
      }
    }
  }
  for (const [section, keys] of Object.entries(serviceSections)) {
    for (const key of keys) {
      if (!serviceRead(section, key) && !tfRead(section, key)) problems.push(`${section}.${key}: declared by the service, read by nobody`);
    }
  }
  const sections = new Set([...Object.keys(tfReads), ...Object.keys(declaredTfReads)]);
  for (const section of sections) {
    const used = [...(tfReads[section] || [])].sort();
    const declared = [...(declaredTfReads[section] || [])].sort();
    if (JSON.stringify(used) !== JSON.stringify(declared)) {
      problems.push(`terraform_reads.${section} in terraform/modules/config/main.tf is ${JSON.stringify(declared)} but the .tf files read ${JSON.stringify(used)}`);
    }
  }
  return problems;
}

module.exports = { terraformReads, fileKeys, keyProblems };
