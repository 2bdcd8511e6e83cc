#!/usr/bin/env node
// Runs SQL on an embedded modern ClickHouse (chdb) for the Java tests: they render the modern schema,
// then hand it here with their fixture inserts and the queries whose results they assert on.
//
//   node ci/chdb/run-sql.js <job.json>
//   job.json: {"statements": ["CREATE ...", "INSERT ..."], "queries": {"name": "SELECT ..."}}
//   stdout:   {"version": "26.x", "results": {"name": [{column: value, ...}, ...]}}
//
// Optional, for benchmarks: "timeStatements": true adds "statementMs": [ms per statement]; "timed":
// {"name": "SELECT ..."} with "repeat": n runs each query n times after the others and adds "timings":
// {"name": {"ms": [n durations], "rows": rows of the last run}}.
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
    const statementMs = [];
    for (const sql of job.statements || []) {
      const started = process.hrtime.bigint();
      try {
        session.query(sql, "CSV");
        statementMs.push(Number(process.hrtime.bigint() - started) / 1e6);
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
    const timings = {};
    for (let i = 0; i < (job.repeat || 1); i++) {
      for (const [name, sql] of Object.entries(job.timed || {})) {
        const started = process.hrtime.bigint();
        const text = session.query(sql, "TSV");
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const t = timings[name] || (timings[name] = { ms: [], rows: 0 });
        t.ms.push(ms);
        t.rows = text.split("\n").filter((l) => l !== "").length;
      }
    }
    const version = session.query("SELECT version()", "TSVRaw").trim();
    const out = { version, results };
    if (job.timeStatements) out.statementMs = statementMs;
    if (job.timed) out.timings = timings;
    process.stdout.write(JSON.stringify(out));
  } finally {
    session.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
