#!/usr/bin/env node
// Compares what the peer emulator sent with what reached Kafka, against the record contract in docs/design.md
// ("The Kafka record"). Exit 0 only if every sent trade is in Kafka exactly once, as the documented record.
//
//   node verify.mjs --sent sent.jsonl --done done.json --records records.tsv --reread reread.tsv \
//                   --symbols 'AAPL, BINANCE:BTCUSDT, IC MARKETS:1' [--config conf/app.json]
//
// --records and --reread are `ci/kafka.sh consume` outputs (key TAB value per line): the first read stopped
// after as many records as were sent, the second asked for more and must have found no more.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    sent: { type: 'string' },
    done: { type: 'string' },
    records: { type: 'string' },
    reread: { type: 'string' },
    symbols: { type: 'string' },
    config: { type: 'string', default: 'conf/app.json' },
  },
});
for (const required of ['sent', 'done', 'records', 'reread', 'symbols']) {
  if (!opts[required]) {
    console.error(`[verify] --${required} is required`);
    process.exit(2);
  }
}

const lines = (file) => readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
const problems = [];
const MAX_EXAMPLES = 5;
/** Records one kind of problem, with its count and a few examples. */
function problem(what, examples) {
  if (examples.length === 0) return;
  problems.push(`${what}: ${examples.length}`);
  for (const e of examples.slice(0, MAX_EXAMPLES)) problems.push(`    e.g. ${e}`);
}

// The record contract comes from its one definition, record.fields in conf/app.json (environment local,
// merged one level deep like every section). Integer fields are also checked in the raw text, so that
// 1.7E12 or 1672348887666.0 (a double where an integer is promised) fails.
const TYPE_CHECKS = {
  string: (v) => typeof v === 'string',
  int32: (v) => Number.isInteger(v) && Math.abs(v) <= 2 ** 31,
  int64: Number.isSafeInteger,
  float64: Number.isFinite,
  'array<string>': (v) => Array.isArray(v) && v.every((c) => typeof c === 'string'),
};
const config = JSON.parse(readFileSync(opts.config, 'utf8'));
const recordSection = { ...config.common?.record, ...config.environments?.local?.record };
const FIELDS = recordSection.fields.map((f) => f.name);
const unknownTypes = recordSection.fields.filter((f) => !TYPE_CHECKS[f.type]).map((f) => `${f.name}: ${f.type}`);
if (unknownTypes.length) {
  console.error(`[verify] record.fields in ${opts.config} has types this checker does not know: ${unknownTypes}`);
  process.exit(2);
}
const INTEGER_FIELDS = recordSection.fields.filter((f) => f.type.startsWith('int')).map((f) => f.name);
// What docs/design.md says beyond the JSON types.
const MEANING = {
  symbol: (v) => v.length > 0,
  ingest_id: (v) => /^\S+-\d+-\d+$/.test(v),
  schema_version: (v) => v === 1,
};
const CONTRACT = Object.fromEntries(recordSection.fields.map((f) =>
  [f.name, (v) => TYPE_CHECKS[f.type](v) && (MEANING[f.name]?.(v) ?? true)]));

/** The identity of a trade for matching: everything Finnhub sent, with absent `c` read as `[]`. */
const tradeKey = (symbol, t, p, v, c) => JSON.stringify([symbol, t, p, v, c]);

// --- What the emulator sent -------------------------------------------------------------------------

const done = JSON.parse(readFileSync(opts.done, 'utf8'));
const sentLines = lines(opts.sent);
const sent = new Map();
for (const line of sentLines) {
  const trade = JSON.parse(line);
  const key = tradeKey(trade.s, trade.t, trade.p, trade.v, trade.c ?? []);
  sent.set(key, (sent.get(key) ?? 0) + 1);
}
if (sentLines.length !== done.sent) {
  problem('emulator bookkeeping', [`sent file has ${sentLines.length} trades, done file says ${done.sent}`]);
}

// The check proves nothing about a case the emulator never produced: insist each one was exercised.
const expectedSymbols = opts.symbols.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
problem(
  'configured symbols the emulator never got a subscribe for, or sent no trade of',
  expectedSymbols.filter((s) => !done.subscribed.includes(s) || !done.by_symbol[s]).map((s) => JSON.stringify(s)),
);
problem(
  'symbols subscribed that were not configured (split or trimmed wrongly?)',
  done.subscribed.filter((s) => !expectedSymbols.includes(s)).map((s) => JSON.stringify(s)),
);
const COVERAGE = ['c_absent', 'c_empty', 'c_list', 'v_zero', 'v_fractional', 'v_integer', 'v_exponent_form',
  'multi_symbol_frames', 'identical_repeats'];
problem('trade shapes the emulator did not exercise (raise --trades)', COVERAGE.filter((k) => !(done[k] > 0)));

// --- What Kafka holds ---------------------------------------------------------------------------------

const recordLines = lines(opts.records);
const rereadLines = lines(opts.reread);
const received = new Map();
const ingestIds = new Map();
const badRecords = [];
const keyMismatches = [];
const lags = [];
for (const line of recordLines) {
  const tab = line.indexOf('\t');
  const key = tab < 0 ? null : line.slice(0, tab);
  const raw = tab < 0 ? line : line.slice(tab + 1);
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    badRecords.push(`not JSON: ${raw}`);
    continue;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    badRecords.push(`not a JSON object: ${raw}`);
    continue;
  }
  const names = Object.keys(value);
  const missing = FIELDS.filter((f) => !names.includes(f));
  const extra = names.filter((f) => !FIELDS.includes(f));
  const wrongType = FIELDS.filter((f) => names.includes(f) && !CONTRACT[f](value[f]));
  const notIntegerText = INTEGER_FIELDS.filter((f) => !new RegExp(`"${f}":-?\\d+[,}]`).test(raw));
  if (missing.length || extra.length || wrongType.length || notIntegerText.length) {
    badRecords.push(`missing [${missing}] extra [${extra}] wrong type [${wrongType}] not integer text ` +
      `[${notIntegerText}]: ${raw}`);
    continue;
  }
  if (key !== value.symbol) keyMismatches.push(`key ${JSON.stringify(key)} for ${raw}`);
  const k = tradeKey(value.symbol, value.trade_ts_ms, value.price, value.volume, value.conditions);
  received.set(k, (received.get(k) ?? 0) + 1);
  ingestIds.set(value.ingest_id, (ingestIds.get(value.ingest_id) ?? 0) + 1);
  lags.push(value.received_at_ms - value.trade_ts_ms);
}

// Multiset comparison: identical prints are distinct trades, so each must arrive as often as it was sent.
const missingTrades = [];
const duplicatedTrades = [];
const unexpectedTrades = [];
for (const [k, n] of sent) {
  const got = received.get(k) ?? 0;
  for (let i = got; i < n; i++) missingTrades.push(k);
  for (let i = n; i < got; i++) duplicatedTrades.push(k);
}
for (const [k, got] of received) {
  if (!sent.has(k)) for (let i = 0; i < got; i++) unexpectedTrades.push(k);
}
const reusedIds = [...ingestIds].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);

problem('records in the first read, expected as many as sent', recordLines.length === sentLines.length ? []
  : [`${recordLines.length} read, ${sentLines.length} sent`]);
problem('records beyond those sent (second read)', rereadLines.length === sentLines.length ? []
  : [`second read found ${rereadLines.length} records, ${sentLines.length} sent`]);
problem('records that break the contract', badRecords);
problem('records whose key is not their symbol', keyMismatches);
problem('sent trades missing from Kafka', missingTrades);
problem('sent trades in Kafka more than once', duplicatedTrades);
problem('records matching no sent trade', unexpectedTrades);
problem('ingest_id used more than once', reusedIds);

lags.sort((a, b) => a - b);
const lag = lags.length ? `feed lag (received_at_ms - trade_ts_ms) median ${lags[lags.length >> 1]} ms, ` +
  `max ${lags[lags.length - 1]} ms` : 'no records';
console.log(`sent ${sentLines.length} trades over ${done.connections} connection(s) in ${done.frames} frames ` +
  `(${done.multi_symbol_frames} with several symbols, ${done.identical_repeats} identical repeats; ` +
  `c absent/[]/list ${done.c_absent}/${done.c_empty}/${done.c_list}; ` +
  `v 0/fractional/integer ${done.v_zero}/${done.v_fractional}/${done.v_integer}) for ` +
  `${Object.entries(done.by_symbol).map(([s, n]) => `${s}=${n}`).join(', ')}`);
console.log(`in Kafka ${recordLines.length} (second read ${rereadLines.length}) | missing ${missingTrades.length}` +
  ` | duplicated ${duplicatedTrades.length} | unexpected ${unexpectedTrades.length} | bad records ` +
  `${badRecords.length + keyMismatches.length} | reused ingest_id ${reusedIds.length} | ${lag}`);
if (problems.length) {
  console.log('FAILED:');
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log('OK: every trade the peer emulator sent is in Kafka exactly once, as the documented record');
