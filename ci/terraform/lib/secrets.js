'use strict';
// Literal secrets in .tf, .tfvars and conf/app.json. Two nets: names (an argument or key called like a
// secret must hold a reference, never a literal) and shapes (values that look like Yandex Cloud
// credentials or private keys, wherever they are).
const SECRET_NAME = /(password|passwd|token|secret|private_key|access_key|api_key|credential)/i;
// Arguments whose literal value is the secret itself even though the name does not say so.
const SECRET_ARGUMENTS = new Set(['raw', 'text_value']);
// Provider switches whose names sound secret: metadata_options.*_http_token (1 = on, 2 = off).
const SWITCHES = new Set(['gce_http_token', 'aws_v1_http_token', 'aws_v2_http_token']);
const SECRET_SHAPES = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bt1\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/, 'a Yandex Cloud IAM token'],
  [/\bAQVN[A-Za-z0-9_-]{30,}/, 'a Yandex Cloud API key'],
  [/\bYCA[JM][A-Za-z0-9_-]{20,}/, 'a Yandex Cloud static access key'],
  [/\by[0-3]_[A-Za-z0-9_-]{40,}/, 'a Yandex OAuth token'],
  [/[?&]token=[^&\s"'$]{6,}/, 'a token in a URL'],
];

const isLiteral = (v) => (typeof v === 'string' && !v.includes('${') && v !== '') || typeof v === 'number';

function shapeProblems(file, text) {
  const problems = [];
  text.split('\n').forEach((line, index) => {
    for (const [re, what] of SECRET_SHAPES) if (re.test(line)) problems.push(`${file}:${index + 1}: looks like ${what}`);
  });
  return problems;
}

/** Problems in one parsed .tf/.tfvars file ({file, text, json}). */
function hclProblems(file) {
  const problems = shapeProblems(file.file, file.text);
  const walk = (node, where) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, where));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const path = [...where, key];
      if ((SECRET_NAME.test(key) || SECRET_ARGUMENTS.has(key)) && !SWITCHES.has(key) && isLiteral(value) && !where.includes('variable') && !where.includes('output')) {
        problems.push(`${file.file}: ${path.join('.')} is set to a literal; a secret must come from a variable, random_password or Lockbox`);
      }
      walk(value, path);
    }
  };
  walk(file.json, []);
  for (const [name, [variable]] of Object.entries(file.json.variable || {})) {
    const secretish = SECRET_NAME.test(name);
    if (secretish && variable.sensitive !== true) problems.push(`${file.file}: variable ${name} looks like a secret but is not sensitive = true`);
    if ((secretish || variable.sensitive === true) && 'default' in variable && variable.default !== null) {
      problems.push(`${file.file}: variable ${name} is secret and has a default value; supply it at apply time`);
    }
  }
  return problems;
}

/** Problems in a .tfvars file: it may not assign any secret variable of the root module. */
function tfvarsProblems(file, secretVariables) {
  const problems = shapeProblems(file.file, file.text);
  for (const [name, value] of Object.entries(file.json)) {
    if ((secretVariables.has(name) || SECRET_NAME.test(name)) && isLiteral(value)) problems.push(`${file.file}: assigns the secret ${name}`);
  }
  return problems;
}

/** Problems in conf/app.json: secret-like keys at any depth, and secret-shaped values. */
function configProblems(fileName, text) {
  const problems = shapeProblems(fileName, text);
  const walk = (node, where) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, [...where, String(i)]));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith('$') && SECRET_NAME.test(key)) problems.push(`${fileName}: ${[...where, key].join('.')} looks like a secret key`);
      walk(value, [...where, key]);
    }
  };
  walk(JSON.parse(text), []);
  return problems;
}

module.exports = { hclProblems, tfvarsProblems, configProblems, SECRET_NAME };
