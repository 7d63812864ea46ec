#!/usr/bin/python3
"""Interop peer: Python websockets echo server for the loomsocket client.

Usage: py_echo_server.py deflate|none MAX_SIZE
Binds 127.0.0.1 on a free port and prints "LISTENING <port>". Echoes every message (text as
text, binary as binary). A text message "close CODE REASON" makes it close with that code and
reason instead. A text message "frag" makes it send the text
"frag-ment-ed ✓" in three frames. A text message "ping PAYLOAD" makes it ping and, once the pong came, send
"pong PAYLOAD". Exits when stdin closes (the test ended) or after 10 minutes at most.
"""
import asyncio
import sys
import threading

import websockets


async def handler(ws, path=None):
    try:
        async for msg in ws:
            if isinstance(msg, str) and msg.startswith("close "):
                _, code, reason = msg.split(" ", 2)
                await ws.close(int(code), reason)
                return
            if isinstance(msg, str) and msg.startswith("ping "):
                waiter = await ws.ping(msg[5:].encode())
                await asyncio.wait_for(waiter, 10)
                await ws.send("pong " + msg[5:])
                continue
            if msg == "frag":  # one text message in three frames (RFC 6455 §5.4)
                await ws.send(["frag-", "ment-", "ed ✓"])
                continue
            await ws.send(msg)
    except websockets.ConnectionClosed:
        pass


async def main():
    comp = "deflate" if sys.argv[1] == "deflate" else None
    max_size = int(sys.argv[2])
    async with websockets.serve(handler, "127.0.0.1", 0, compression=comp, max_size=max_size,
                                ping_interval=None, close_timeout=10) as server:
        port = server.sockets[0].getsockname()[1]
        print("LISTENING %d" % port, flush=True)
        loop = asyncio.get_running_loop()
        stdin_closed = loop.create_future()

        def watch_stdin():
            sys.stdin.read()
            loop.call_soon_threadsafe(stdin_closed.set_result, None)

        threading.Thread(target=watch_stdin, daemon=True).start()
        await asyncio.wait_for(stdin_closed, 600)


try:
    asyncio.run(main())
except (asyncio.TimeoutError, KeyboardInterrupt):
    pass
