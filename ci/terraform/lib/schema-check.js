'use strict';
// Checks parsed .tf files against the Yandex provider schema (yandex-provider-schema.json, see its .md):
// unknown resource/data types, unknown arguments and blocks, missing required ones, attribute written as
// block or the reverse, deprecated resources and fields, read-only fields set, too many blocks, conflicting
// fields, references to attributes a resource does not have, and undeclared variables, locals and module
// outputs. Each problem: file, line, path, message.
const fs = require('fs');
const path = require('path');
const { lineOfKey } = require('./locate');
const { strings } = require('./hcl');

const META = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);
const EXTRA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'extra-schema.json'), 'utf8'));

function closest(name, candidates) {
  let best = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

function distance(a, b) {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

const isExpression = (v) => typeof v === 'string' && v.includes('${');
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

class Checker {
  constructor(schema) {
    this.schema = schema;
    this.problems = [];
  }

  report(file, line, where, message) {
    this.problems.push({ file: file.file, line, path: where.join('.'), message });
  }

  entry(kind, type) {
    const table = kind === 'resource' ? this.schema.resources : this.schema.data_sources;
    if (table[type]) return table[type];
    const extra = kind === 'resource' ? EXTRA.resources : EXTRA.data_sources;
    return extra[type];
  }

  checkFiles(files) {
    const declared = new Map(); // "type.name" -> kind
    for (const file of files) {
      for (const kind of ['resource', 'data']) {
        for (const [type, byName] of Object.entries(file.json[kind] || {})) {
          for (const name of Object.keys(byName)) declared.set(`${kind === 'data' ? 'data.' : ''}${type}.${name}`, type);
        }
      }
    }
    for (const file of files) this.checkFile(file, files, declared);
    this.checkNames(files);
    return this.problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.path.localeCompare(b.path));
  }

  checkFile(file, files, declared) {
    for (const kind of ['resource', 'data']) {
      for (const [type, byName] of Object.entries(file.json[kind] || {})) {
        for (const [name, bodies] of Object.entries(byName)) {
          const item = file.items.find((x) => x.kind === 'block' && x.name === kind && x.labels[0] === type && x.labels[1] === name);
          const line = item ? item.line : 1;
          const where = [kind, type, name];
          const entry = this.entry(kind === 'data' ? 'data' : 'resource', type);
          if (!entry) {
            const known = Object.keys(kind === 'resource' ? this.schema.resources : this.schema.data_sources);
            const guess = closest(type, known);
            this.report(file, line, where, `unknown ${kind === 'data' ? 'data source' : 'resource'} type "${type}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
            continue;
          }
          if (entry.deprecated) this.report(file, line, where, `deprecated ${kind === 'data' ? 'data source' : 'resource'}: ${entry.deprecated}`);
          bodies.forEach((body) => this.checkBody(file, body, entry, item ? item.body : undefined, line, where, true));
        }
      }
    }
    for (const [name, bodies] of Object.entries(file.json.provider || {})) {
      const item = file.items.find((x) => x.kind === 'block' && x.name === 'provider' && x.labels[0] === name);
      if (name !== 'yandex') continue; // random and the built-in provider take no configuration here
      bodies.forEach((body) => {
        const rest = { ...body };
        delete rest.alias;
        this.checkBody(file, rest, this.schema.provider_config, item ? item.body : undefined, item ? item.line : 1, ['provider', name], false);
      });
    }
    for (const [name, bodies] of Object.entries(file.json.module || {})) {
      const item = file.items.find((x) => x.kind === 'block' && x.name === 'module' && x.labels[0] === name);
      bodies.forEach((body) => this.checkModule(file, files, body, item, ['module', name]));
    }
    this.checkReferences(file, declared);
  }

  // A local module's inputs must be its declared variables, and its required variables must be set.
  checkModule(file, files, body, item, where) {
    const source = body.source;
    if (typeof source !== 'string' || !source.startsWith('.')) return;
    const dir = path.normalize(path.join(path.dirname(file.file), source));
    const variables = {};
    for (const f of files.filter((x) => path.dirname(x.file) === dir)) Object.assign(variables, f.json.variable || {});
    if (Object.keys(variables).length === 0) {
      this.report(file, item ? item.line : 1, where, `module source ${source} has no variables (not found at ${dir})`);
      return;
    }
    const moduleMeta = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);
    for (const name of Object.keys(body)) {
      if (moduleMeta.has(name)) continue;
      if (!variables[name]) this.report(file, this.lineOf(file, item, name), [...where, name], `module has no variable "${name}"`);
    }
    for (const [name, [declaration]] of Object.entries(variables)) {
      if (!('default' in declaration) && !(name in body)) this.report(file, item ? item.line : 1, where, `missing required module input "${name}"`);
    }
  }

  lineOf(file, item, name, index = 0) {
    if (!item || !item.body) return item ? item.line : 1;
    const matches = item.body.filter((x) => x.name === name);
    return (matches[index] || matches[0] || item).line;
  }

  /**
   * body: parsed JSON of one block body; schema: {attributes, blocks}; items: the locator's items of the
   * same body (for lines and exact syntax), may be undefined.
   */
  checkBody(file, body, schema, items, line, where, topLevel) {
    const attributes = schema.attributes || {};
    const blocks = schema.blocks || {};
    const present = new Set();
    const blockCounts = {};
    const itemsNamed = (name) => (items || []).filter((x) => x.name === name);

    for (const [name, value] of Object.entries(body)) {
      if (topLevel && META.has(name)) continue;
      if (name === 'dynamic' && isObject(value)) {
        for (const [blockName, dynamics] of Object.entries(value)) {
          const dynItems = (items || []).filter((x) => x.kind === 'block' && x.name === 'dynamic' && x.labels[0] === blockName);
          dynamics.forEach((dyn, index) => {
            const dynItem = dynItems[index];
            const dynLine = dynItem ? dynItem.line : line;
            const w = [...where, blockName];
            if (attributes[blockName]) {
              this.report(file, dynLine, w, `"${blockName}" is an attribute, and dynamic generates blocks: write ${blockName} = [for ...]`);
              return;
            }
            const block = blocks[blockName];
            if (!block) {
              this.unknown(file, dynLine, w, blockName, attributes, blocks);
              return;
            }
            if (block.deprecated) this.report(file, dynLine, w, `deprecated block: ${block.deprecated}`);
            present.add(blockName);
            blockCounts[blockName] = Infinity; // unknown until plan: satisfies min_items, never exceeds max
            const content = dyn.content && dyn.content[0];
            const contentItem = dynItem && dynItem.body.find((x) => x.kind === 'block' && x.name === 'content');
            if (!content) this.report(file, dynLine, w, 'dynamic block without content');
            else this.checkBody(file, content, block, contentItem && contentItem.body, contentItem ? contentItem.line : dynLine, w, false);
          });
        }
        continue;
      }
      const named = itemsNamed(name);
      const itemLine = named.length ? named[0].line : lineOfKey(file.text, undefined, name) || line;
      const syntax = named.length ? named[0].kind : undefined;
      const w = [...where, name];
      const attribute = attributes[name];
      const block = blocks[name];
      if (!attribute && !block) {
        this.unknown(file, itemLine, w, name, attributes, blocks);
        continue;
      }
      present.add(name);
      if (attribute) {
        const hcl = attribute.hcl || `${name} = ...`;
        if (syntax === 'block' || (syntax === undefined && Array.isArray(value) && attribute.nested && ['single', 'map'].includes(attribute.nested.nesting))) {
          this.report(file, itemLine, w, `"${name}" is an attribute, not a block: write ${hcl}`);
          continue;
        }
        if (attribute.computed && !attribute.optional && !attribute.required) this.report(file, itemLine, w, `"${name}" is read-only (set by the provider)`);
        if (attribute.deprecated) this.report(file, itemLine, w, `deprecated: ${attribute.deprecated}`);
        if (attribute.nested && !isExpression(value)) this.checkNested(file, value, attribute.nested, named[0], itemLine, w);
        continue;
      }
      if (syntax === 'attribute' || (syntax === undefined && !Array.isArray(value))) {
        this.report(file, itemLine, w, `"${name}" is a block, not an attribute: write ${name} { ... }`);
        continue;
      }
      if (block.deprecated) this.report(file, itemLine, w, `deprecated block: ${block.deprecated}`);
      const bodies = Array.isArray(value) ? value : [value];
      blockCounts[name] = (blockCounts[name] || 0) + bodies.length;
      bodies.forEach((b, index) => {
        const blockItem = named.filter((x) => x.kind === 'block')[index];
        this.checkBody(file, b, block, blockItem && blockItem.body, blockItem ? blockItem.line : itemLine, w, false);
      });
    }

    for (const [name, attribute] of Object.entries(attributes)) {
      if (attribute.required && !present.has(name)) this.report(file, line, where, `missing required argument "${name}"`);
    }
    for (const [name, block] of Object.entries(blocks)) {
      const count = blockCounts[name] || 0;
      if (block.min_items > 0 && count < block.min_items) this.report(file, line, where, `missing required block "${name}" (at least ${block.min_items})`);
      if (block.max_items != null && count !== Infinity && count > block.max_items) this.report(file, this.lineOf(file, { line, body: items }, name, block.max_items), [...where, name], `at most ${block.max_items} "${name}" block(s) allowed, found ${count}`);
    }
    for (const name of present) {
      const field = attributes[name] || blocks[name];
      for (const other of field.conflicts_with || []) {
        const sibling = other.split('.').pop();
        // Each pair once, on the first name in alphabetical order.
        if (present.has(sibling) && sibling > name) this.report(file, this.lineOf(file, { line, body: items }, name), [...where, name], `conflicts with "${sibling}"`);
      }
    }
  }

  // A nested attribute's value by its nesting: single (one object), map (objects by key), list/set.
  checkNested(file, value, nested, item, line, where) {
    const name = where[where.length - 1];
    const keyLine = (key) => lineOfKey(file.text, item, key) || line;
    const visit = (obj, w) => {
      if (!isObject(obj)) return;
      for (const [key, v] of Object.entries(obj)) {
        const a = nested.attributes[key];
        if (!a) {
          const guess = closest(key, Object.keys(nested.attributes));
          this.report(file, keyLine(key), [...w, key], `unknown attribute "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
          continue;
        }
        if (a.computed && !a.optional && !a.required) this.report(file, keyLine(key), [...w, key], `"${key}" is read-only (set by the provider)`);
        if (a.deprecated) this.report(file, keyLine(key), [...w, key], `deprecated: ${a.deprecated}`);
        if (a.nested && !isExpression(v)) this.checkNested(file, v, a.nested, item, line, [...w, key]);
      }
      for (const [key, a] of Object.entries(nested.attributes)) {
        if (a.required && !(key in obj)) this.report(file, line, w, `missing required attribute "${key}"`);
      }
    };
    if (nested.nesting === 'single') {
      if (isObject(value)) visit(value, where);
      else this.report(file, line, where, `write ${name} = { ... } (one object)`);
    } else if (nested.nesting === 'map') {
      if (isObject(value)) for (const [k, v] of Object.entries(value)) visit(v, [...where, k]);
      else this.report(file, line, where, `write ${name} = { key = { ... }, ... } (objects by key)`);
    } else if (Array.isArray(value)) {
      value.forEach((v, k) => visit(v, [...where, k]));
    } else {
      this.report(file, line, where, `write ${name} = [{ ... }, ...] (a list of objects)`);
    }
  }

  unknown(file, line, where, name, attributes, blocks) {
    const guess = closest(name, [...Object.keys(attributes), ...Object.keys(blocks)]);
    this.report(file, line, where, `unknown argument or block "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
  }

  // References such as yandex_mdb_kafka_cluster.this.host must name a declared resource and one of its
  // attributes or blocks (computed ones included).
  checkReferences(file, declared) {
    const re = /\b(data\.)?((?:yandex|random|terraform)_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]*\])?(?:\.([A-Za-z_][A-Za-z0-9_]*))?/g;
    const seen = new Set();
    for (const [value] of strings(file.json)) {
      if (!isExpression(value)) continue;
      for (const m of value.matchAll(re)) {
        const [, data, type, name, , attr] = m;
        const key = `${data || ''}${type}.${name}`;
        if (seen.has(key + '.' + attr)) continue;
        seen.add(key + '.' + attr);
        const line = lineOfMatch(file.text, m[0]);
        if (!declared.has(key)) {
          this.report(file, line, [key], `reference to undeclared ${data ? 'data source' : 'resource'} ${key}`);
          continue;
        }
        const entry = this.entry(data ? 'data' : 'resource', type);
        if (!entry || !attr) continue;
        const known = new Set([...Object.keys(entry.attributes || {}), ...Object.keys(entry.blocks || {}), 'id']);
        if (!known.has(attr)) this.report(file, line, [key, attr], `${type} has no attribute "${attr}"`);
      }
    }
  }
}

// var.X, local.X and module.M.X must be declared in the same module (what terraform validate would
// catch, had we a provider to validate with).
Checker.prototype.checkNames = function checkNames(files) {
  const byDir = new Map();
  for (const f of files) {
    const dir = path.dirname(f.file);
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir).push(f);
  }
  for (const [dir, group] of byDir) {
    const variables = new Set(group.flatMap((f) => Object.keys(f.json.variable || {})));
    const locals = new Set(group.flatMap((f) => (f.json.locals || []).flatMap((l) => Object.keys(l))));
    const modules = new Map();
    for (const f of group) {
      for (const [name, [body]] of Object.entries(f.json.module || {})) {
        const moduleDir = typeof body.source === 'string' && body.source.startsWith('.') ? path.normalize(path.join(dir, body.source)) : null;
        const outputs = moduleDir ? files.filter((x) => path.dirname(x.file) === moduleDir).flatMap((x) => Object.keys(x.json.output || {})) : null;
        modules.set(name, outputs && outputs.length ? new Set(outputs) : null);
      }
    }
    for (const file of group) {
      const seen = new Set();
      for (const [value] of strings(file.json)) {
        if (!isExpression(value)) continue;
        for (const m of value.matchAll(/\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)|\bmodule\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?/g)) {
          if (seen.has(m[0])) continue;
          seen.add(m[0]);
          const line = lineOfMatch(file.text, m[0]);
          if (m[1] === 'var' && !variables.has(m[2])) this.report(file, line, [m[0]], `undeclared variable "${m[2]}"`);
          if (m[1] === 'local' && !locals.has(m[2])) this.report(file, line, [m[0]], `undeclared local value "${m[2]}"`);
          if (m[3] && !modules.has(m[3])) this.report(file, line, [m[0]], `undeclared module "${m[3]}"`);
          else if (m[3] && m[4] && modules.get(m[3]) && !modules.get(m[3]).has(m[4])) this.report(file, line, [m[0]], `module ${m[3]} has no output "${m[4]}"`);
        }
      }
    }
  }
};

function lineOfMatch(text, fragment) {
  const idx = text.indexOf(fragment);
  return idx < 0 ? 1 : (text.slice(0, idx).match(/\n/g) || []).length + 1;
}

function checkFiles(files, schema) {
  return new Checker(schema).checkFiles(files);
}

function format(problem) {
  return `${problem.file}:${problem.line}: ${problem.path}: ${problem.message}`;
}

module.exports = { checkFiles, format, closest };
