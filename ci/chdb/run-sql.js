#!/usr/bin/env node
// Runs SQL on an embedded modern ClickHouse (chdb) for the Java tests: they render the modern schema,
// then hand it here with their fixture inserts and the queries whose results they assert on.
//
//   node ci/chdb/run-sql.js <job.json>
//   job.json: {"statements": ["CREATE ...", "INSERT ..."], "queries": {"name": "SELECT ..."}}
//   stdout:   {"version": "26.x", "results": {"name": [{column: value, ...}, ...]}}
//
// Statements run in order in one session (tables persist between them); a failing statement stops the
// run with exit code 1 and the statement on stderr. Run it from an empty working directory: chdb reads
// a config.xml from the working directory if one is there.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { Session } = require("chdb");

function main() {
  const jobFile = process.argv[2];
  if (!jobFile) {
    console.error("usage: run-sql.js <job.json>");
    process.exit(2);
  }
  const job = JSON.parse(fs.readFileSync(jobFile, "utf8"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chdb-"));
  const session = new Session(dir);
  try {
    for (const sql of job.statements || []) {
      try {
        session.query(sql, "CSV");
      } catch (e) {
        console.error(`statement failed: ${e.message}\n${sql}`);
        process.exitCode = 1;
        return;
      }
    }
    const results = {};
    for (const [name, sql] of Object.entries(job.queries || {})) {
      // JSONEachRow with 64-bit integers as numbers, one object per line.
      const text = session.query(sql + " SETTINGS output_format_json_quote_64bit_integers = 0", "JSONEachRow");
      results[name] = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
    }
    const version = session.query("SELECT version()", "TSVRaw").trim();
    process.stdout.write(JSON.stringify({ version, results }));
  } finally {
    session.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
