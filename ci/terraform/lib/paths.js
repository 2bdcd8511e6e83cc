'use strict';
// Where things are: the repository, and the provider schema (the repository's copy of the shared reference
// schema, ci/terraform/yandex-provider-schema.json; override with YANDEX_PROVIDER_SCHEMA).
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..', '..');

function schemaFile() {
  if (process.env.YANDEX_PROVIDER_SCHEMA) return process.env.YANDEX_PROVIDER_SCHEMA;
  const candidates = [
    path.join(REPO, 'ci', 'terraform', 'yandex-provider-schema.json'),
    path.join(REPO, '..', 'shared', 'reference', 'yandex-provider-schema.json'),
    path.join(REPO, 'shared', 'reference', 'yandex-provider-schema.json'),
  ];
  return candidates.find((c) => fs.existsSync(c)) || candidates[0];
}

module.exports = { REPO, SCHEMA_FILE: schemaFile() };
