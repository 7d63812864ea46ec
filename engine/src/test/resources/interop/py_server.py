# Python websockets echo server for the engine's client; prints its port, runs until killed.
import asyncio
import websockets

async def echo(ws):
    async for m in ws:
        await ws.send(m)

async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=2 ** 22, subprotocols=["chat"]) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()

asyncio.run(main())
