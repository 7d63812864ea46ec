#!/bin/bash
# Same-run comparison of permessage-deflate builds:
# echo SIZE (default 16 KiB) binary with permessage-deflate, 64 connections x 16 in flight, one server at a time.
#   DEFLATE_JARS="before=/path/a.jar after=/path/b.jar ctx=/path/b.jar+WEBSOCKET_COMPRESSION_WINDOW_BITS=15" \
#     ROUNDS=2 WARM=5 DUR=10 bench/scripts/deflate-cmp.sh
# Servers: netty-deflate (bench's NettyEchoServer --deflate) and each loomsocket demo jar
# (permessage-deflate on by default there; the client's offer switches it on), with the settings
# given as environment variables after '+'. LOADGEN_ARGS go to every load generator run (e.g.
# "--deflate-offer-window-bits"). Rounds alternate the servers so a busy minute hits one round,
# not one server. Prints LoadGen's RESULT lines.
. "$(dirname "$0")/lib.sh"
SIZE=${SIZE:-16384}
port=18950
for round in $(seq ${ROUNDS:-1}); do
  for entry in netty=netty ${DEFLATE_JARS:-after=demo/target/loomsocket-demo.jar}; do
    name=${entry%%=*}; jar=${entry#*=}
    SERVER_ENV=""
    SERVER_ARGS=""
    case $jar in
      netty) SERVER_ARGS="--deflate" ;;
      *+*) SERVER_ENV=$(echo "${jar#*+}" | tr '+' ' '); jar=${jar%%+*} ;;
    esac
    port=$((port+1))
    start_server $jar $port ${OUT_DIR:-/tmp}/cmp-$name.log || continue
    r=$($LOADGEN echo --url ws://127.0.0.1:$port/echo --server-pid $SP --deflate --connections 64 --inflight 16 \
        --size $SIZE --binary --warmup ${WARM:-5} --duration ${DUR:-10} ${LOADGEN_ARGS:-} 2>&1 | grep '^RESULT')
    echo "round=$round server=$name ${r#RESULT mode=echo connections=64 inflight=16 }"
    stop_server
  done
done
