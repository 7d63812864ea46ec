#!/bin/bash
# deflate-mem.sh [N] [WARM]: server RSS per connection with permessage-deflate after one compressed
# message each way (the load generator's idle workload with --deflate --warm WARM, default 1024
# bytes of the bench words): Netty's deflate echo server, then the loomsocket demo jar with its
# defaults (context takeover both ways, 12-bit windows), with 15-bit windows, and without context
# takeover. Each server first holds and drops N connections once (JIT, heap growth), then N are
# measured. Prints one "idle:" line per server.
. "$(dirname "$0")/lib.sh"
N=${1:-3000}; WARM=${2:-1024}; PORT=${PORT:-18995}; OUT=${OUT_DIR:-/tmp}/deflate-mem; mkdir -p $OUT
JAR=${JAR:-demo/target/loomsocket-demo.jar}
run() { # name
  local LOAD="$LOADGEN idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP --deflate --warm $WARM --n $N --settle 3"
  $LOAD > /dev/null
  sleep 2
  echo "$1: $($LOAD | grep '^idle')"
  stop_server
}
SERVER_ARGS=--deflate start_server netty $PORT $OUT/netty.log && run netty-deflate
start_server $JAR $PORT $OUT/loom.log && run loomsocket-defaults
SERVER_ENV="WEBSOCKET_COMPRESSION_WINDOW_BITS=15 WEBSOCKET_COMPRESSION_CLIENT_WINDOW_BITS=15" start_server $JAR $PORT $OUT/loom15.log && run loomsocket-15-bit-windows
SERVER_ENV="WEBSOCKET_COMPRESSION_CONTEXT_TAKEOVER=false WEBSOCKET_COMPRESSION_CLIENT_CONTEXT_TAKEOVER=false" start_server $JAR $PORT $OUT/loomnoctx.log && run loomsocket-no-context
