// Interop peer for permessage-deflate window sizes (RFC 7692 §7.1.2): Node's ws.
// Usage: node node_deflate_peer.js servers      (NODE_PATH must hold ws)
//          one echo server per configuration, each printing "LISTENING <config> <port>", then "READY";
//          exits when stdin closes (or after 10 minutes)
//        node node_deflate_peer.js client URL
//          for every configuration: connect offering it, print "NEGOTIATED <config> <header>", echo the
//          payloads (pings and a fragmented message in between), print PASS/FAIL lines, then
//          "RESULT ok=N fail=M"
// A configuration is "<bits>-ctx" or "<bits>-noctx", bits 8..15: serverMaxWindowBits and
// clientMaxWindowBits, with or without both no-context-takeover flags. The last three payloads repeat a
// message 400 bytes later: within a 9-bit window, beyond an 8-bit one.
'use strict';
const WebSocket = require('ws');
const STEP_TIMEOUT_MS = 20000;
const CONFIGS = [];
for (let b = 8; b <= 15; b++) for (const c of ['ctx', 'noctx']) CONFIGS.push(b + '-' + c);
const SIZES = [0, 1, 125, 126, 127, 256, 257, 1000, 4096, 65535, 65536];

function options(config) {
  const [bits, ctx] = config.split('-');
  const b = parseInt(bits, 10);
  const noCtx = ctx === 'noctx';
  return { serverMaxWindowBits: b, clientMaxWindowBits: b, serverNoContextTakeover: noCtx, clientNoContextTakeover: noCtx, threshold: 0 };
}

function withTimeout(promise, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error('timeout: ' + what)), STEP_TIMEOUT_MS); })])
    .finally(() => clearTimeout(t));
}

let seed = 7692;
function rnd() { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; }

function* payloads() {
  const words = ['loom', 'socket', '{"id":', '"room":"lobby"', 'the', 'of', '42', 'true', 'héllo', '✓'];
  for (const n of SIZES) {
    let s = '';
    for (let size = 0; size < n; ) { const w = words[rnd() % words.length] + ' '; s += w; size += Buffer.byteLength(w); }
    let b = Buffer.from(s).subarray(0, n);
    let text = b.toString('utf8');
    while (Buffer.byteLength(text) > n || text.endsWith('\ufffd')) { b = b.subarray(0, b.length - 1); text = b.toString('utf8'); }
    yield ['text ' + n, text + 'a'.repeat(n - Buffer.byteLength(text)), false];
    const r = Buffer.alloc(n);
    for (let i = 0; i < n; i++) r[i] = rnd() & 0xff;
    yield ['random ' + n, r, true];
    const rep = Buffer.alloc(n);
    for (let i = 0; i < n; i++) rep[i] = 'abcabcabd'.charCodeAt(i % 9);
    yield ['repeat ' + n, rep, true];
  }
  // a message repeated 400 bytes later: a compressor with a 512-byte window refers back to it
  const t = Buffer.alloc(200);
  for (let i = 0; i < 200; i++) t[i] = 97 + (rnd() % 26);
  const r = Buffer.alloc(200);
  for (let i = 0; i < 200; i++) r[i] = rnd() & 0xff;
  yield ['back-reference 1', t, true];
  yield ['back-reference 2', r, true];
  yield ['back-reference 3', t, true];
}

function servers() {
  let pending = CONFIGS.length;
  for (const config of CONFIGS) {
    const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: options(config), maxPayload: 1 << 20 });
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('error', () => {});
    });
    wss.on('listening', () => {
      console.log('LISTENING ' + config + ' ' + wss.address().port);
      if (--pending === 0) console.log('READY');
    });
  }
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  setTimeout(() => process.exit(0), 600000).unref();
}

async function client(url) {
  const results = [];
  const check = (name, ok, detail) => { results.push(!!ok); console.log((ok ? 'PASS ' : 'FAIL ') + name + (ok ? '' : ': ' + detail)); };
  for (const config of CONFIGS) {
    try {
      const ws = new WebSocket(url, { perMessageDeflate: options(config), maxPayload: 1 << 20, handshakeTimeout: STEP_TIMEOUT_MS });
      const queue = [], waiters = [];
      ws.on('message', (data, isBinary) => { const m = { data: Buffer.from(data), isBinary }; if (waiters.length) waiters.shift()(m); else queue.push(m); });
      ws.on('error', (e) => console.log('# error ' + e.message));
      const next = (what) => withTimeout(new Promise((res) => { if (queue.length) res(queue.shift()); else waiters.push(res); }), what);
      const upgrade = await withTimeout(new Promise((res, rej) => { ws.once('upgrade', (r) => res(r)); ws.once('error', rej); }), 'upgrade');
      await withTimeout(new Promise((res, rej) => { if (ws.readyState === WebSocket.OPEN) res(); else { ws.once('open', res); ws.once('error', rej); } }), 'open');
      console.log('NEGOTIATED ' + config + ' ' + upgrade.headers['sec-websocket-extensions']);
      let i = 0;
      for (const [name, msg, binary] of payloads()) {
        ws.send(msg, { binary, compress: true });
        const got = await next(config + ' ' + name);
        const same = got.isBinary === binary && (binary ? got.data.equals(msg) : got.data.toString('utf8') === msg);
        check(config + ' ' + name, same, got.data.length + ' bytes back');
        if (i++ % 8 === 0) {
          ws.ping(Buffer.from('p' + i));
          await withTimeout(new Promise((res) => ws.once('pong', res)), 'pong');
        }
      }
      const parts = ['frag-', 'ment-', 'ed ✓ '.repeat(300)];
      parts.forEach((p, k) => ws.send(Buffer.from(p, 'utf8'), { binary: false, compress: true, fin: k === parts.length - 1 }));
      const got = await next(config + ' fragmented');
      check(config + ' fragmented', !got.isBinary && got.data.toString('utf8') === parts.join(''), got.data.length + ' bytes');
      ws.close(1000);
      await withTimeout(new Promise((res) => ws.once('close', res)), 'close');
    } catch (e) {
      check(config + ' connection', false, e.message);
    }
  }
  const ok = results.filter((x) => x).length;
  console.log('RESULT ok=' + ok + ' fail=' + (results.length - ok));
  process.exit(ok === results.length ? 0 : 1);
}

if (process.argv[2] === 'servers') servers(); else client(process.argv[3]);
