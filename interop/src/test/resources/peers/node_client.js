// Interop driver: Node's ws (client) against a loomsocket echo server.
// Usage: node node_client.js ECHO_URL CLOSE_URL deflate|none MAX_SIZE   (NODE_PATH must hold ws)
// CLOSE_URL closes the connection with CODE and REASON when it receives the text "close CODE REASON".
// Prints "PASS name" / "FAIL name: detail" per check, then "RESULT ok=N fail=M"; exit 0 only if all passed.
'use strict';
const WebSocket = require('ws');
const STEP_TIMEOUT_MS = 15000;
const [url, closeUrl, compression, maxSizeArg] = process.argv.slice(2);
const maxSize = parseInt(maxSizeArg, 10);
const deflate = compression === 'deflate';
const results = [];

function check(name, ok, detail) {
  results.push(!!ok);
  console.log((ok ? 'PASS ' : 'FAIL ') + name + (ok ? '' : ': ' + detail));
}

function withTimeout(promise, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error('timeout: ' + what)), STEP_TIMEOUT_MS); })])
    .finally(() => clearTimeout(t));
}

// a queue of received messages so that no message is lost between awaits
function open(u) {
  const ws = new WebSocket(u, { perMessageDeflate: deflate, maxPayload: maxSize + 1024, handshakeTimeout: STEP_TIMEOUT_MS });
  const queue = [], waiters = [];
  ws.on('message', (data, isBinary) => {
    const m = { data: Buffer.from(data), isBinary };
    if (waiters.length) waiters.shift()(m); else queue.push(m);
  });
  ws.next = (what) => withTimeout(new Promise((res) => { if (queue.length) res(queue.shift()); else waiters.push(res); }), what);
  ws.closed = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString('utf8') })));
  ws.on('error', (e) => console.log('# error ' + e.message));
  return withTimeout(new Promise((res, rej) => { ws.once('open', () => res(ws)); ws.once('error', rej); }), 'open ' + u);
}

function textOf(n) {
  const base = Buffer.from('héllo wörld ✓ 日本語 🎉 ', 'utf8');
  const out = Buffer.alloc(n, 0x61);
  // copy whole characters only: stop before a partial one
  let i = 0;
  while (i < n) {
    const s = base.toString('utf8');
    const chunk = Buffer.from(s, 'utf8');
    let j = 0;
    while (j < chunk.length && i < n) {
      const b = chunk[j];
      const len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      if (i + len > n) { i = n; break; }
      chunk.copy(out, i, j, j + len); i += len; j += len;
    }
  }
  return out.toString('utf8');
}

async function echo(ws, data, binary, name) {
  ws.send(data, { binary });
  const m = await ws.next(name);
  const want = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  check(name, m.isBinary === binary && m.data.equals(want),
    `binary=${m.isBinary} len ${m.data.length} vs ${want.length}`);
}

async function main() {
  const ws = await open(url);
  const ext = ws.extensions || '';
  check(`negotiated extensions=${JSON.stringify(ext)}`, ext.includes('permessage-deflate') === deflate, ext);
  await echo(ws, 'hello', false, 'text ascii');
  await echo(ws, 'héllo wörld ✓ 日本語 🎉', false, 'text non-ascii');
  let seed = 7692;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed & 0xff; };
  for (const n of [...new Set([0, 1, 125, 126, 127, 65535, 65536, maxSize])].sort((a, b) => a - b)) {
    await echo(ws, textOf(n), false, `text ${n} bytes`);
    const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = rnd();
    await echo(ws, b, true, `binary ${n} bytes`);
  }
  // fragmented text with a 3-byte character split across fragments (RFC 6455 §5.4, §5.6)
  const check3 = Buffer.from('frag ✓ ment', 'utf8');
  ws.send(check3.subarray(0, 6), { binary: false, fin: false });
  ws.send(check3.subarray(6, 7), { binary: false, fin: false });
  ws.send(check3.subarray(7), { binary: false, fin: true });
  let m = await ws.next('fragmented text');
  check('text fragmented, char split', !m.isBinary && m.data.equals(check3), m.data.toString());
  ws.send(Buffer.from([1, 2, 3]), { binary: true, fin: false });
  ws.send(Buffer.from([4, 5]), { binary: true, fin: true });
  m = await ws.next('fragmented binary');
  check('binary fragmented x2', m.isBinary && m.data.equals(Buffer.from([1, 2, 3, 4, 5])), m.data.toString('hex'));
  const pong = withTimeout(new Promise((res) => ws.once('pong', res)), 'pong');
  ws.ping(Buffer.from('ping-payload'));
  const p = await pong;
  check('ping -> pong', p.toString() === 'ping-payload', p.toString());
  ws.pong(Buffer.from('unsolicited'));
  await echo(ws, 'after unsolicited pong', false, 'unsolicited pong ignored');
  ws.close(4001, 'client bye ✓');
  const c = await withTimeout(ws.closed, 'close');
  // RFC 6455 §5.5.1: the peer "typically echos the status code"; the reason need not come back
  check('client close 4001 echoed', c.code === 4001, `${c.code} ${c.reason}`);

  const ws2 = await open(closeUrl);
  ws2.send('close 4002 server bye ✓');
  const c2 = await withTimeout(ws2.closed, 'server close');
  check('server close 4002', c2.code === 4002 && c2.reason === 'server bye ✓', `${c2.code} ${c2.reason}`);
}

const overall = setTimeout(() => { check('driver', false, 'overall timeout'); finish(); }, 120000);
function finish() {
  clearTimeout(overall);
  const ok = results.filter((r) => r).length, fail = results.length - ok;
  console.log(`RESULT ok=${ok} fail=${fail}`);
  process.exit(fail === 0 && ok > 0 ? 0 : 1);
}
main().catch((e) => check('driver', false, e.stack || String(e))).finally(finish);
