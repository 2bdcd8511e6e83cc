#!/usr/bin/env node
// An independent Finnhub WebSocket emulator, written from the protocol description
// (/work/shared/reference/finnhub-protocol.md §2-§4), not from the project's Java emulator, so that the
// service is checked against a second reading of the protocol.
//
//   node emulator.mjs --port 18190 --token T --trades 3000 --sent-file sent.jsonl --done-file done.json
//
// What it does, as Finnhub does:
//   - the token travels only as the `?token=` query parameter of the upgrade request on path `/`; a missing
//     or wrong token gets `HTTP/1.1 401 Unauthorized` and no upgrade;
//   - `{"type":"subscribe","symbol":"..."}` / `{"type":"unsubscribe",...}` frames, one symbol each, never
//     acknowledged; trades are sent only for the symbols a connection is subscribed to;
//   - trade frames `{"data":[...],"type":"trade"}` (data before type) carrying several trades of several
//     symbols, `c` absent / `[]` / a list, `v` 0 / fractional (sometimes in exponent form) / integer-looking,
//     identical prints repeated in the same millisecond;
//   - `{"type":"ping"}` every --ping-ms to every connection, before, during and after the trades.
// After --trades trades it sends only pings. Every trade whose frame was handed to the socket is appended,
// exactly as serialized in that frame, to --sent-file (one JSON object per line); when all are sent it
// writes --done-file (totals and what the trades covered) atomically.
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer, WebSocket } from 'ws';

const { values: opts } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    token: { type: 'string' },
    trades: { type: 'string', default: '3000' },
    'sent-file': { type: 'string' },
    'done-file': { type: 'string' },
    'frame-ms': { type: 'string', default: '20' },
    'ping-ms': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '20240101' },
  },
});
for (const required of ['port', 'token', 'sent-file', 'done-file']) {
  if (!opts[required]) {
    console.error(`[peer-emulator] --${required} is required`);
    process.exit(2);
  }
}
const TOTAL = Number(opts.trades);
const FRAME_MS = Number(opts['frame-ms']);
const PING_MS = Number(opts['ping-ms']);
// Stop generating for a connection whose socket is not draining (a paused reader), like TCP would.
const MAX_BUFFERED_BYTES = 1 << 20;
const MAX_TRADES_PER_FRAME = 8;

const log = (msg) => console.log(`[peer-emulator] ${new Date().toISOString()} ${msg}`);

// mulberry32: a small seeded PRNG, so a failing run can be replayed with the same --seed.
let seed = Number(opts.seed) >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randomInt = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (items) => items[Math.floor(random() * items.length)];
const roundTo = (x, decimals) => Math.round(x * 10 ** decimals) / 10 ** decimals;

// --- Trades ----------------------------------------------------------------------------------------

const FX_BROKERS = new Set(['OANDA', 'IC MARKETS', 'FXCM', 'FOREX', 'FHFX']);
const CONDITION_CODES = ['1', '8', '12', '24', '37'];

/** US equities are bare tickers, crypto and forex are EXCHANGE:PAIR (§7). */
function assetClass(symbol) {
  const colon = symbol.indexOf(':');
  if (colon < 0) return 'equity';
  return FX_BROKERS.has(symbol.slice(0, colon)) ? 'fx' : 'crypto';
}

const lastPrice = new Map();
const lastTs = new Map();

function nextPrice(symbol, cls) {
  const start = { equity: 100 + random() * 300, crypto: 20000 + random() * 50000, fx: 0.8 + random() * 0.6 };
  const previous = lastPrice.get(symbol) ?? start[cls];
  const price = roundTo(previous * (1 + (random() - 0.5) / 500), cls === 'fx' ? 5 : 2);
  lastPrice.set(symbol, price);
  return price;
}

/** Volume per class (§4.1): equities whole, crypto fractional, FX mostly 0 (price-only updates). */
function nextVolume(cls) {
  const r = random();
  if (cls === 'equity') return r < 0.05 ? 0 : pick([1, 5, 100, 250, 1000]);
  if (cls === 'crypto') {
    if (r < 0.05) return randomInt(1, 3); // a whole coin still arrives integer-looking
    if (r < 0.15) return roundTo(random() * 9e-7 + 1e-8, 10); // below 1e-6: JSON.stringify writes 5.3e-7
    return roundTo(random() * 2, 6);
  }
  return r < 0.9 ? 0 : roundTo(random() * 1e6, 0);
}

/** Conditions (§4.1): a list for US equities, sometimes `[]`; usually absent for crypto and FX. */
function nextConditions(cls) {
  const r = random();
  if (cls === 'equity') {
    if (r < 0.7) return Array.from({ length: randomInt(1, 4) }, () => pick(CONDITION_CODES));
    return r < 0.9 ? [] : undefined;
  }
  return r < 0.8 ? undefined : [];
}

/** A trade element with Finnhub's key order (c, p, s, t, v); `c` left out, not null, when absent. */
function nextTrade(symbol, now) {
  const cls = assetClass(symbol);
  // Finnhub's `t` lags the wall clock a little and never goes backwards per symbol.
  const t = Math.max(lastTs.get(symbol) ?? 0, now - randomInt(0, 40));
  lastTs.set(symbol, t);
  const trade = {};
  const c = nextConditions(cls);
  if (c !== undefined) trade.c = c;
  trade.p = nextPrice(symbol, cls);
  trade.s = symbol;
  trade.t = t;
  trade.v = nextVolume(cls);
  return trade;
}

// --- What was sent, and what it covered -----------------------------------------------------------

const stats = {
  sent: 0,
  frames: 0,
  connections: 0,
  rejected_handshakes: 0,
  subscribed: [],
  multi_symbol_frames: 0,
  identical_repeats: 0,
  c_absent: 0,
  c_empty: 0,
  c_list: 0,
  v_zero: 0,
  v_fractional: 0,
  v_integer: 0,
  v_exponent_form: 0,
  by_symbol: {},
};
let reserved = 0; // trades in frames handed to a socket, not yet confirmed written
let done = false;

function countCoverage(trade, text) {
  if (trade.c === undefined) stats.c_absent++;
  else if (trade.c.length === 0) stats.c_empty++;
  else stats.c_list++;
  if (trade.v === 0) stats.v_zero++;
  else if (Number.isInteger(trade.v)) stats.v_integer++;
  else stats.v_fractional++;
  if (/"v":[0-9.]+e/.test(text)) stats.v_exponent_form++;
  stats.by_symbol[trade.s] = (stats.by_symbol[trade.s] ?? 0) + 1;
}

function recordSent(trades, texts) {
  appendFileSync(opts['sent-file'], texts.map((t) => t + '\n').join(''));
  trades.forEach((trade, i) => countCoverage(trade, texts[i]));
  stats.sent += trades.length;
  stats.frames++;
  if (new Set(trades.map((t) => t.s)).size > 1) stats.multi_symbol_frames++;
  if (stats.sent === TOTAL && !done) {
    done = true;
    const tmp = `${opts['done-file']}.tmp`;
    writeFileSync(tmp, JSON.stringify(stats, null, 1) + '\n');
    renameSync(tmp, opts['done-file']);
    log(`sent all ${TOTAL} trades in ${stats.frames} frames; only pings from now on`);
  }
}

function sendTradeFrame(ws, symbols) {
  const budget = TOTAL - stats.sent - reserved;
  if (budget <= 0 || symbols.length === 0 || ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
  const now = Date.now();
  const trades = [];
  const wanted = Math.min(budget, randomInt(1, MAX_TRADES_PER_FRAME));
  while (trades.length < wanted) {
    const previous = trades[trades.length - 1];
    if (previous && random() < 0.12) {
      trades.push({ ...previous }); // the same print again: same symbol, millisecond, price, size, conditions
      stats.identical_repeats++;
    } else {
      trades.push(nextTrade(pick(symbols), now));
    }
  }
  const frame = JSON.stringify({ data: trades, type: 'trade' });
  const texts = trades.map((t) => JSON.stringify(t));
  reserved += trades.length;
  ws.send(frame, (err) => {
    reserved -= trades.length;
    if (err) {
      log(`a frame of ${trades.length} trades was not sent (${err.message}); they go out again later`);
      return;
    }
    recordSent(trades, texts);
  });
}

// --- Server ---------------------------------------------------------------------------------------

const wss = new WebSocketServer({ noServer: true });
const subscriptions = new Map(); // ws -> Set of symbols, in subscription order

function rejectUpgrade(socket, status, reason) {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

const server = createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' }).end('WebSocket only\n');
});

server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://emulator');
  if (url.pathname !== '/') {
    rejectUpgrade(socket, 404, 'Not Found');
    return;
  }
  if (url.searchParams.get('token') !== opts.token) {
    stats.rejected_handshakes++;
    log(`handshake without the right ?token= rejected with 401 (${stats.rejected_handshakes} so far)`);
    rejectUpgrade(socket, 401, 'Unauthorized');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
});

wss.on('connection', (ws) => {
  stats.connections++;
  const id = stats.connections;
  const symbols = new Set();
  subscriptions.set(ws, symbols);
  log(`connection ${id} open`);
  ws.on('message', (data, isBinary) => {
    let msg;
    try {
      msg = JSON.parse(isBinary ? Buffer.from(data).toString('utf8') : data.toString());
    } catch {
      log(`connection ${id}: ignored a frame that is not JSON`);
      return;
    }
    if (msg?.type === 'subscribe' && typeof msg.symbol === 'string') {
      symbols.add(msg.symbol); // Finnhub sends no acknowledgement
      if (!stats.subscribed.includes(msg.symbol)) stats.subscribed.push(msg.symbol);
      log(`connection ${id}: subscribe ${JSON.stringify(msg.symbol)}`);
    } else if (msg?.type === 'unsubscribe' && typeof msg.symbol === 'string') {
      symbols.delete(msg.symbol);
      log(`connection ${id}: unsubscribe ${JSON.stringify(msg.symbol)}`);
    } else {
      log(`connection ${id}: ignored frame of type ${JSON.stringify(msg?.type)}`);
    }
  });
  ws.on('close', (code) => {
    subscriptions.delete(ws);
    log(`connection ${id} closed (${code})`);
  });
  ws.on('error', (err) => log(`connection ${id} error: ${err.message}`));
});

const tradeTimer = setInterval(() => {
  for (const [ws, symbols] of subscriptions) {
    if (ws.readyState === WebSocket.OPEN) sendTradeFrame(ws, [...symbols]);
  }
}, FRAME_MS);

const pingTimer = setInterval(() => {
  for (const ws of subscriptions.keys()) {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
  }
}, PING_MS);

function shutdown(signal) {
  log(`${signal}: closing (${stats.sent}/${TOTAL} trades sent)`);
  clearInterval(tradeTimer);
  clearInterval(pingTimer);
  for (const ws of subscriptions.keys()) ws.close(1001, 'going away');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

writeFileSync(opts['sent-file'], '');
server.on('error', (err) => {
  log(`cannot serve on ${opts.host}:${opts.port}: ${err.message}`);
  process.exit(1);
});
server.listen(Number(opts.port), opts.host, () => {
  log(`listening on ws://${opts.host}:${opts.port}, ${TOTAL} trades to send, a frame every ${FRAME_MS} ms, ` +
    `ping every ${PING_MS} ms`);
});
