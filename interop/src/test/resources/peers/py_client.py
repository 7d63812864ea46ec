#!/usr/bin/python3
"""Interop driver: Python websockets (client) against a loomsocket echo server.

Usage: py_client.py ECHO_URL CLOSE_URL deflate|none MAX_SIZE
CLOSE_URL closes the connection with CODE and REASON when it receives the text "close CODE REASON".
Prints one line per check, "PASS name" or "FAIL name: detail", then "RESULT ok=N fail=M".
Exit status 0 only if every check passed. Each step has its own timeout (never hangs).
"""
import asyncio
import random
import sys

import websockets

STEP_TIMEOUT = 15
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)


def text_of(n):
    base = "héllo wörld ✓ 日本語 🎉 "  # 1-, 2-, 3- and 4-byte UTF-8 sequences
    s = (base * (n // len(base) + 1))
    # cut by UTF-8 bytes, never inside a character
    out, size = [], 0
    for ch in s:
        b = len(ch.encode("utf-8"))
        if size + b > n:
            break
        out.append(ch)
        size += b
    return "".join(out) + "a" * (n - size)


async def echo(ws, msg, name):
    await ws.send(msg)
    got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
    same_kind = isinstance(got, type(msg))
    check(name, same_kind and got == msg,
          "kind %s vs %s, %d vs %d units" % (type(got).__name__, type(msg).__name__, len(got), len(msg)))


async def main():
    url, close_url, compression, max_size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    comp = "deflate" if compression == "deflate" else None
    rnd = random.Random(6455)
    sizes = sorted({0, 1, 125, 126, 127, 65535, 65536, max_size})
    async with websockets.connect(url, compression=comp, max_size=max_size + 1024,
                                  open_timeout=STEP_TIMEOUT, close_timeout=STEP_TIMEOUT,
                                  ping_interval=None) as ws:
        ext = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        check("negotiated extensions=%r" % ext, ("permessage-deflate" in ext) == (comp is not None), ext)
        await echo(ws, "hello", "text ascii")
        await echo(ws, "héllo wörld ✓ 日本語 🎉", "text non-ascii")
        for n in sizes:
            await echo(ws, text_of(n), "text %d bytes" % n)
            block = bytes(rnd.getrandbits(8) for _ in range(min(n, 4096)))
            await echo(ws, (block * (n // 4096 + 1))[:n], "binary %d bytes" % n)
        # fragmented: websockets sends an iterable as one fragmented message (RFC 6455 §5.4)
        await ws.send(["frag-", "ment-", "ed ✓"])
        got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
        check("text fragmented x3", got == "frag-ment-ed ✓", repr(got))
        await ws.send([b"\x00\x01", b"", b"\xff" * 300])
        got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
        check("binary fragmented x3", got == b"\x00\x01" + b"\xff" * 300, "len %d" % len(got))
        waiter = await ws.ping(b"ping-payload")
        await asyncio.wait_for(waiter, STEP_TIMEOUT)
        check("ping -> pong", True)
        await ws.pong(b"unsolicited")
        await echo(ws, "after unsolicited pong", "unsolicited pong ignored")
        await ws.close(4001, "client bye ✓")
        # RFC 6455 §5.5.1: the peer "typically echos the status code"; the reason need not come back
        check("client close 4001 echoed", ws.close_code == 4001, "got %s %r" % (ws.close_code, ws.close_reason))
    async with websockets.connect(close_url, compression=comp, open_timeout=STEP_TIMEOUT,
                                  close_timeout=STEP_TIMEOUT, ping_interval=None) as ws:
        await ws.send("close 4002 server bye ✓")
        try:
            extra = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
            check("server close 4002", False, "unexpected message %r" % extra)
        except websockets.ConnectionClosed as e:
            check("server close 4002", e.rcvd is not None and e.rcvd.code == 4002 and e.rcvd.reason == "server bye ✓",
                  "got %r" % (e.rcvd,))


try:
    asyncio.run(asyncio.wait_for(main(), 120))
except Exception as e:  # any exception is a failed check, reported, never a hang
    check("driver", False, "%s: %s" % (type(e).__name__, e))
print("RESULT ok=%d fail=%d" % (results.count(True), results.count(False)), flush=True)
sys.exit(0 if results and all(results) else 1)
