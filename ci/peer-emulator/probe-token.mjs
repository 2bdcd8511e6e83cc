#!/usr/bin/env node
// Checks that the emulator refuses a WebSocket handshake without the right `?token=` with HTTP 401 and no
// upgrade (finnhub-protocol.md §2), so that the service streaming from it proves it sends its key there.
//
//   node probe-token.mjs ws://127.0.0.1:18190
import { WebSocket } from 'ws';

const base = process.argv[2];
if (!base) {
  console.error('usage: node probe-token.mjs ws://HOST:PORT');
  process.exit(2);
}

/** Resolves with the HTTP status of the handshake answer, 101 when the server upgraded. */
function handshakeStatus(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      resolve(res.statusCode);
    });
    ws.on('error', (err) => reject(err));
  });
}

let failed = false;
for (const [what, url] of [
  ['no token', `${base}/`],
  ['a wrong token', `${base}/?token=not-the-key`],
]) {
  const status = await handshakeStatus(url);
  const ok = status === 401;
  failed ||= !ok;
  console.log(`[probe] handshake with ${what}: HTTP ${status} (${ok ? 'ok' : 'expected 401'})`);
}
process.exit(failed ? 1 : 0);
