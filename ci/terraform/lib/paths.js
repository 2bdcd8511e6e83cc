'use strict';
// Where things are: the repository, and the shared reference schema (a sibling of the repository on the
// build machines and in CI; override with YANDEX_PROVIDER_SCHEMA).
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..', '..');

function schemaFile() {
  if (process.env.YANDEX_PROVIDER_SCHEMA) return process.env.YANDEX_PROVIDER_SCHEMA;
  const candidates = [
    path.join(REPO, '..', 'shared', 'reference', 'yandex-provider-schema.json'),
    path.join(REPO, 'shared', 'reference', 'yandex-provider-schema.json'),
  ];
  return candidates.find((c) => fs.existsSync(c)) || candidates[0];
}

module.exports = { REPO, SCHEMA_FILE: schemaFile() };
