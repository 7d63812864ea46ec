#!/usr/bin/python3
"""Interop peer for permessage-deflate window sizes (RFC 7692 §7.1.2): Python websockets.

Usage: py_deflate_peer.py servers
         one echo server per configuration, each printing "LISTENING <config> <port>", then "READY";
         exits when stdin closes (or after 10 minutes)
       py_deflate_peer.py client URL
         for every configuration: connect to URL offering it, print "NEGOTIATED <config> <header>",
         echo the payloads (pings and a fragmented message in between), print PASS/FAIL lines,
         finally "RESULT ok=N fail=M"
A configuration is "<bits>-ctx" or "<bits>-noctx", bits 8..15: server_max_window_bits and
client_max_window_bits, with or without both *_no_context_takeover. zlib cannot compress raw
DEFLATE with an 8-bit window (zlib.h, deflateInit2), so Python's own compressor uses 9 where the
configuration says 8; the other side's 8 is kept.
"""
import asyncio
import random
import sys
import threading

import websockets
from websockets.extensions.permessage_deflate import (ClientPerMessageDeflateFactory,
                                                      ServerPerMessageDeflateFactory)

CONFIGS = ["%d-%s" % (b, c) for b in range(8, 16) for c in ("ctx", "noctx")]
SIZES = [0, 1, 125, 126, 127, 256, 257, 1000, 4096, 65535, 65536]
STEP_TIMEOUT = 20
results = []


def parse(config):
    bits, ctx = config.split("-")
    return int(bits), ctx == "ctx"


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)


def payloads(rnd):
    words = ["loom", "socket", '{"id":', '"room":"lobby"', "the", "of", "42", "true", "héllo", "✓"]
    for n in SIZES:
        parts, size = [], 0
        while size < n:
            w = rnd.choice(words) + " "
            parts.append(w)
            size += len(w.encode())
        b = "".join(parts).encode()[:n]
        while True:  # cut on a character boundary, pad with ASCII
            try:
                text = b.decode()
                break
            except UnicodeDecodeError:
                b = b[:-1]
        yield "text %d" % n, text + "a" * (n - len(b))
        yield "random %d" % n, rnd.randbytes(n)
        yield "repeat %d" % n, (b"abcabcabd" * (n // 9 + 1))[:n]


async def echo_handler(ws, path=None):
    try:
        async for msg in ws:
            await ws.send(msg)
    except websockets.ConnectionClosed:
        pass


async def servers():
    started = []
    for config in CONFIGS:
        bits, ctx = parse(config)
        ext = ServerPerMessageDeflateFactory(server_max_window_bits=max(bits, 9), client_max_window_bits=bits,
                                             server_no_context_takeover=not ctx, client_no_context_takeover=not ctx)
        srv = await websockets.serve(echo_handler, "127.0.0.1", 0, extensions=[ext], max_size=1 << 20,
                                     ping_interval=None)
        started.append(srv)
        print("LISTENING %s %d" % (config, srv.sockets[0].getsockname()[1]), flush=True)
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stdin_closed.set_result, None)),
                     daemon=True).start()
    await asyncio.wait_for(stdin_closed, 600)


async def client(url):
    rnd = random.Random(7692)
    for config in CONFIGS:
        bits, ctx = parse(config)
        ext = ClientPerMessageDeflateFactory(server_max_window_bits=bits, client_max_window_bits=max(bits, 9),
                                             server_no_context_takeover=not ctx, client_no_context_takeover=not ctx)
        try:
            async with websockets.connect(url, extensions=[ext], compression=None, max_size=1 << 20,
                                          ping_interval=None, open_timeout=STEP_TIMEOUT) as ws:
                print("NEGOTIATED %s %s" % (config, ws.response_headers.get("Sec-WebSocket-Extensions")), flush=True)
                for i, (name, msg) in enumerate(payloads(rnd)):
                    await ws.send(msg)
                    got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
                    check("%s %s" % (config, name), got == msg, "%d vs %d units" % (len(got), len(msg)))
                    if i % 8 == 0:
                        await asyncio.wait_for(await ws.ping(b"p%d" % i), STEP_TIMEOUT)
                parts = ["frag-", "ment-", "ed ✓ " * 300]
                await ws.send(parts)
                got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
                check("%s fragmented" % config, got == "".join(parts), "%d units" % len(got))
        except Exception as e:  # noqa: BLE001 - any failure of this configuration is reported
            check("%s connection" % config, False, repr(e))
    print("RESULT ok=%d fail=%d" % (results.count(True), results.count(False)), flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    try:
        if sys.argv[1] == "servers":
            asyncio.run(servers())
        else:
            sys.exit(asyncio.run(client(sys.argv[2])))
    except (asyncio.TimeoutError, KeyboardInterrupt):
        pass
