# Python websockets client against the engine's server: echo round trips, fragments, close.
import asyncio, random, sys
import websockets

async def main(uri):
    async with websockets.connect(uri, max_size=2 ** 22, subprotocols=["soap", "chat"], compression="deflate") as ws:
        assert ws.subprotocol == "chat", ws.subprotocol
        rnd = random.Random(1)
        msgs = ["", "Hello", "é€😀" * 1000, b"\x00\x01" * 5, rnd.randbytes(70000), "x" * 200000, b""]
        for m in msgs:
            await ws.send(m)
            r = await ws.recv()
            assert r == m, (type(m), len(m), type(r), len(r))
        await ws.send(iter(["frag", "mented ", "€"]))  # fragmented text
        assert await ws.recv() == "fragmented €"
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        print("EXTENSIONS", [type(e).__name__ for e in ws.extensions], flush=True)
        await ws.close(4000, "bye")
        print("CLOSED", ws.close_code, ws.close_reason, flush=True)

asyncio.run(main(sys.argv[1]))
