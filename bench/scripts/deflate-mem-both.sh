#!/bin/bash
# deflate-mem-both.sh [N]: like deflate-mem.sh, but the clients are Python websockets (Debian's
# python3-websockets), whose default offer "permessage-deflate; client_max_window_bits" lets a
# server keep context in both directions (the bench's Netty client offers no window bits, so
# loomsocket asks it for client_no_context_takeover). N connections each send one 1 KiB message
# of words, get its echo and are held; the server's RSS growth per connection is printed for
# Netty's deflate echo server and the loomsocket demo jar with its defaults, after a first round
# of N connections opened and closed (JIT, heap growth).
. "$(dirname "$0")/lib.sh"
N=${1:-2000}; PORT=${PORT:-18996}; OUT=${OUT_DIR:-/tmp}/deflate-mem-both; mkdir -p $OUT
JAR=${JAR:-demo/target/loomsocket-demo.jar}
cat > $OUT/clients.py <<'PY'
import asyncio, random, sys, websockets
async def main(url, n):
    words = ["loom", "socket", '{"id":', '"type":"chat"', '"room":"lobby"', "the", "of", "hello", "42", "true"]
    rnd = random.Random(42)
    msg = ""
    while len(msg) < 1024:
        msg += rnd.choice(words) + " "
    msg = msg[:1024]
    conns, ext = [], None
    for i in range(0, n, 100):
        batch = await asyncio.gather(*[websockets.connect(url, ping_interval=None, max_size=1 << 20) for _ in range(min(100, n - i))])
        for ws in batch:
            await ws.send(msg)
            assert await ws.recv() == msg
        conns += batch
    print("OPEN %d %s" % (len(conns), conns[0].response_headers.get("Sec-WebSocket-Extensions")), flush=True)
    sys.stdin.readline()
    for ws in conns:
        await ws.close()
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
PY
run() { # name
  local rss0 rss1
  coproc PYC { /usr/bin/python3 $OUT/clients.py ws://127.0.0.1:$PORT/echo $N 2>&1; } # a first round warms the server up
  read -r line <&"${PYC[0]}"; echo >&"${PYC[1]}"; wait $PYC_PID 2>/dev/null
  sleep 4; rss0=$(awk '/VmRSS/ {print $2}' /proc/$SP/status)
  coproc PYC { /usr/bin/python3 $OUT/clients.py ws://127.0.0.1:$PORT/echo $N 2>&1; }
  read -r line <&"${PYC[0]}"
  sleep 3; rss1=$(awk '/VmRSS/ {print $2}' /proc/$SP/status)
  echo "$1: $line; server RSS $rss0 -> $rss1 KiB: $(( (rss1 - rss0) * 100 / N )) / 100 KiB per connection"
  echo >&"${PYC[1]}"; wait $PYC_PID 2>/dev/null
  stop_server
}
SERVER_ARGS=--deflate start_server netty $PORT $OUT/netty.log && run netty-deflate
start_server $JAR $PORT $OUT/loom.log && run loomsocket-defaults
