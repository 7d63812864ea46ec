package io.loomsocket.interop.matrix;

import io.loomsocket.interop.browser.Chromium;
import java.util.List;

/**
 * Headless Chromium's own WebSocket (the browser API) against our server, run as JavaScript in a
 * page. Chromium offers permessage-deflate; the browser API has no ping and no fragmented send,
 * so those checks are not made (Chromium answers the server's pings by itself).
 */
public final class ChromiumClientDriver {

    private ChromiumClientDriver() {}

    /** Runs in the page: every check as "PASS name" / "FAIL name: detail" lines. */
    static final String SCRIPT = """
        const [echoUrl, closeUrl, sizes, done] = arguments;
        const lines = [];
        const check = (name, ok, detail) => lines.push((ok ? 'PASS ' : 'FAIL ') + name + (ok ? '' : ': ' + detail));
        const text = (n) => {
          const base = 'héllo wörld ✓ 日本語 🎉 ';
          const enc = new TextEncoder();
          let s = '', size = 0;
          outer: for (;;) for (const ch of base) {
            const len = enc.encode(ch).length;
            if (size + len > n) break outer;
            s += ch; size += len;
          }
          return s + 'a'.repeat(n - size);
        };
        const open = (url) => new Promise((res, rej) => {
          const ws = new WebSocket(url);
          ws.binaryType = 'arraybuffer';
          ws.queue = []; ws.waiters = [];
          ws.onmessage = (e) => { if (ws.waiters.length) ws.waiters.shift()(e.data); else ws.queue.push(e.data); };
          ws.closed = new Promise((r) => { ws.onclose = (e) => r(e); });
          ws.next = () => new Promise((r, j) => {
            if (ws.queue.length) return r(ws.queue.shift());
            const t = setTimeout(() => j(new Error('no message within 15 s')), 15000);
            ws.waiters.push((d) => { clearTimeout(t); r(d); });
          });
          ws.onopen = () => res(ws);
          ws.onerror = () => rej(new Error('error opening ' + url));
        });
        const sameBytes = (a, b) => a.byteLength === b.byteLength && new Uint8Array(a).every((v, i) => v === b[i]);
        (async () => {
          const ws = await open(echoUrl);
          check('negotiated extensions=' + JSON.stringify(ws.extensions), ws.extensions.includes('permessage-deflate'), ws.extensions);
          for (const [t, name] of [['hello', 'text ascii'], ['héllo wörld ✓ 日本語 🎉', 'text non-ascii']]) {
            ws.send(t); const got = await ws.next(); check(name, got === t, String(got).length);
          }
          for (const n of sizes) {
            const t = text(n); ws.send(t); let got = await ws.next();
            check('text ' + n + ' bytes', got === t, typeof got + ' ' + (got.length ?? got.byteLength));
            const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >> 7)) & 0xff;
            ws.send(b); got = await ws.next();
            check('binary ' + n + ' bytes', got instanceof ArrayBuffer && sameBytes(got, b), typeof got);
          }
          // the server runs with 200 ms keepalive pings: Chromium must answer them by itself
          await new Promise((r) => setTimeout(r, 1500));
          ws.send('after 1.5 s of server pings');
          const after = await ws.next();
          check('ping -> pong (server keepalive pings, answered by the browser)', after === 'after 1.5 s of server pings', String(after));
          ws.close(4001, 'client bye ✓');
          const c = await ws.closed;
          check('client close 4001 echoed', c.code === 4001 && c.wasClean, c.code + ' ' + c.reason + ' clean=' + c.wasClean);
          const ws2 = await open(closeUrl);
          ws2.send('close 4002 server bye ✓');
          const c2 = await ws2.closed;
          check('server close 4002', c2.code === 4002 && c2.reason === 'server bye ✓' && c2.wasClean, c2.code + ' ' + c2.reason);
        })().catch((e) => check('driver', false, String(e))).finally(() => done(lines));
        """;

    /** Loads {@code pageUrl} (any page of the server: same origin, no network) and runs the script there. */
    @SuppressWarnings("unchecked")
    public static Checks run(String pageUrl, String echo, String close, int maxSize) {
        Checks checks;
        try (Chromium chromium = new Chromium()) {
            chromium.driver().get(pageUrl);
            List<Long> sizes = java.util.stream.IntStream.of(Checks.sizes(maxSize)).mapToObj(i -> (long) i).toList();
            Object result = chromium.driver().executeAsyncScript(SCRIPT, echo, close, sizes);
            checks = Checks.of((List<String>) result);
        } catch (Exception e) {
            checks = new Checks();
            checks.fail("driver", e);
        }
        return checks;
    }
}
