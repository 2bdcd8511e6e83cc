'use strict';
// Loads .tf files: HashiCorp's parser (@cdktf/hcl2json) for the structure, lib/locate.js for lines.
const fs = require('fs');
const path = require('path');
const { parse } = require('@cdktf/hcl2json');
const { scan } = require('./locate');

/** Every .tf file under dir (recursively; .terraform and node_modules skipped), sorted. */
function tfFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.terraform' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tfFiles(p));
    else if (entry.name.endsWith('.tf')) out.push(p);
  }
  return out.sort();
}

/** Parses one file: {file, text, json, items}. Throws with the file name on a syntax error. */
async function load(file, displayName = file) {
  const text = fs.readFileSync(file, 'utf8');
  let json;
  try {
    json = await parse(displayName, text);
  } catch (e) {
    throw new Error(`${displayName}: HCL parse error: ${e.message || e}`);
  }
  return { file: displayName, path: file, text, json, items: scan(text) };
}

async function loadDir(dir, relativeTo = process.cwd()) {
  const files = [];
  for (const f of tfFiles(dir)) files.push(await load(f, path.relative(relativeTo, f)));
  return files;
}

/** Every string value in a parsed JSON tree (attribute values and expressions), with the path to it. */
function* strings(node, where = []) {
  if (typeof node === 'string') yield [node, where];
  else if (Array.isArray(node)) for (let k = 0; k < node.length; k++) yield* strings(node[k], [...where, k]);
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) yield* strings(v, [...where, k]);
}

module.exports = { tfFiles, load, loadDir, strings };
