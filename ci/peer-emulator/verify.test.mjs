// The checker must fail for every way the service could get delivery wrong; a checker that always says
// OK would make ci/check-peer-emulator.sh worthless. Each case below takes a faithful delivery of a small
// set of sent trades, breaks it in one way, and expects verify.mjs to exit 1 and name the problem.
//
//   node --test ci/peer-emulator/     (run from the repository root, where conf/app.json is)
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONFIG = join(HERE, '..', '..', 'conf', 'app.json');
const SYMBOLS = 'AAPL, BINANCE:BTCUSDT, IC MARKETS:1';

// Every shape the coverage check asks for, including an identical print sent twice.
const SENT = [
  '{"c":["1","24"],"p":129.58,"s":"AAPL","t":1672348887666,"v":100}',
  '{"c":["1","24"],"p":129.58,"s":"AAPL","t":1672348887666,"v":100}',
  '{"c":[],"p":129.57,"s":"AAPL","t":1672348887667,"v":1}',
  '{"p":7296.89,"s":"BINANCE:BTCUSDT","t":1672348887667,"v":0.011467}',
  '{"p":7296.9,"s":"BINANCE:BTCUSDT","t":1672348887668,"v":5.3e-7}',
  '{"p":0.91441,"s":"IC MARKETS:1","t":1672348887669,"v":0}',
];
const DONE = {
  sent: SENT.length, frames: 2, connections: 1, rejected_handshakes: 2,
  subscribed: ['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1'], multi_symbol_frames: 1, identical_repeats: 1,
  c_absent: 3, c_empty: 1, c_list: 2, v_zero: 1, v_fractional: 2, v_integer: 3, v_exponent_form: 1,
  by_symbol: { AAPL: 3, 'BINANCE:BTCUSDT': 2, 'IC MARKETS:1': 1 },
};

/** The record docs/design.md documents for a sent trade, as the service writes it (Java's double text, `[]` for no c). */
function record(trade, index) {
  const value = {
    symbol: trade.s, trade_ts_ms: trade.t, price: trade.p, volume: trade.v, conditions: trade.c ?? [],
    received_at_ms: trade.t + 20, ingest_id: `run1abc-${index + 1}-0`, schema_version: 1,
  };
  // Java writes 100.0 where JS writes 100, and 5.3E-7 for 5.3e-7: the checker must compare numbers, not text.
  const javaText = JSON.stringify(value)
    .replace(/"(price|volume)":(-?\d+)(?=[,}])/g, '"$1":$2.0')
    .replace(/("(?:price|volume)":-?[\d.]+)e/g, '$1E');
  return `${trade.s}\t${javaText}`;
}
const faithful = () => SENT.map((line, i) => record(JSON.parse(line), i));

/** Runs verify.mjs on the given Kafka reads; returns its exit code and output. */
function verify(records, reread = records, done = DONE) {
  const dir = mkdtempSync(join(tmpdir(), 'verify-test-'));
  const file = (name, lines) => {
    writeFileSync(join(dir, name), lines.map((l) => l + '\n').join(''));
    return join(dir, name);
  };
  writeFileSync(join(dir, 'done.json'), JSON.stringify(done));
  const run = spawnSync(process.execPath, [join(HERE, 'verify.mjs'),
    '--sent', file('sent.jsonl', SENT), '--done', join(dir, 'done.json'), '--records', file('records.tsv', records),
    '--reread', file('reread.tsv', reread), '--symbols', SYMBOLS, '--config', CONFIG], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout + run.stderr };
}

/** Asserts verify fails and names the problem. */
function assertFails(result, expected) {
  assert.equal(result.code, 1, result.out);
  assert.match(result.out, expected);
}

/** Replaces one field of the record on line i, as raw text. */
const withRaw = (records, i, from, to) => records.map((r, j) => (j === i ? r.replace(from, to) : r));

test('a faithful delivery passes', () => {
  const result = verify(faithful());
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /in Kafka 6 .* missing 0 \| duplicated 0/);
});

test('a lost trade fails', () => {
  assertFails(verify(faithful().slice(1)), /sent trades missing from Kafka: 1/);
});

test('an identical print delivered once instead of twice fails (no deduplication on content)', () => {
  const records = faithful();
  assertFails(verify(records.filter((_, i) => i !== 1)), /missing 1 /);
});

test('a trade delivered twice fails, even with a fresh ingest_id', () => {
  const records = faithful();
  const again = records[3].replace('run1abc-4-0', 'run1abc-99-0');
  assertFails(verify([...records, again]), /sent trades in Kafka more than once: 1/);
});

test('records found beyond those sent by the second read fail', () => {
  const records = faithful();
  assertFails(verify(records, [...records, records[0].replace('run1abc-1-0', 'run1abc-7-0')]),
    /records beyond those sent/);
});

test('a reused ingest_id fails', () => {
  assertFails(verify(withRaw(faithful(), 2, 'run1abc-3-0', 'run1abc-1-0')), /ingest_id used more than once: 1/);
});

test('a changed value fails as one missing and one unexpected trade', () => {
  const result = verify(withRaw(faithful(), 3, '"volume":0.011467', '"volume":0.011468'));
  assertFails(result, /missing 1 \| duplicated 0 \| unexpected 1/);
});

test('absent conditions written as null instead of [] fail', () => {
  assertFails(verify(withRaw(faithful(), 5, '"conditions":[]', '"conditions":null')), /wrong type \[conditions\]/);
});

test('an integer field written as a double fails', () => {
  assertFails(verify(withRaw(faithful(), 0, '"trade_ts_ms":1672348887666', '"trade_ts_ms":1672348887666.0')),
    /not integer text \[trade_ts_ms\]/);
});

test('an extra or a missing field fails', () => {
  assertFails(verify(withRaw(faithful(), 0, '"schema_version":1', '"schema_version":1,"exchange":"US"')),
    /extra \[exchange\]/);
  assertFails(verify(withRaw(faithful(), 0, /,"received_at_ms":\d+/, '')), /missing \[received_at_ms\]/);
});

test('a record keyed by anything but its symbol fails', () => {
  assertFails(verify(withRaw(faithful(), 5, /^IC MARKETS:1\t/, 'IC\t')), /key is not their symbol: 1/);
});

test('a configured symbol the emulator never sent fails, since the check would prove nothing about it', () => {
  const done = { ...DONE, subscribed: ['AAPL', 'BINANCE:BTCUSDT'] };
  assertFails(verify(faithful(), faithful(), done), /never got a subscribe for.*: 1/);
});
