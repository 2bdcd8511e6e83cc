#!/usr/bin/env node
'use strict';
// Usage: node check-schema.js [TERRAFORM_DIR] [SCHEMA_JSON]
// Parses every .tf file with HashiCorp's HCL parser and checks it against the provider schema; prints
// one line per problem (file:line: path: message) and exits 1 if there is any.
const fs = require('fs');
const path = require('path');
const { loadDir } = require('./lib/hcl');
const { checkFiles, format } = require('./lib/schema-check');
const { REPO, SCHEMA_FILE } = require('./lib/paths');

(async () => {
  const dir = path.resolve(process.argv[2] || path.join(REPO, 'terraform'));
  const schema = JSON.parse(fs.readFileSync(process.argv[3] || SCHEMA_FILE, 'utf8'));
  const files = await loadDir(dir, REPO);
  const problems = checkFiles(files, schema);
  for (const p of problems) console.log(format(p));
  console.log(`${files.length} file(s) checked against ${schema.provider} ${schema.version}: ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
})().catch((e) => {
  console.error(e.message || e);
  process.exit(2);
});
