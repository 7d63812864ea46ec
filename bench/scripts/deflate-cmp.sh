#!/bin/bash
# Same-run comparison of permessage-deflate builds:
# echo SIZE (default 16 KiB) binary with permessage-deflate, 64 connections x 16 in flight, one server at a time;
# MODE=latency: 32 connections x 1 in flight, SIZE (default 64) bytes of text, as run.sh's latency row.
#   DEFLATE_JARS="before=/path/a.jar after=/path/b.jar ctx=/path/b.jar+WEBSOCKET_COMPRESSION_WINDOW_BITS=15" \
#     ROUNDS=2 WARM=5 DUR=10 bench/scripts/deflate-cmp.sh
# Servers: netty-deflate (bench's NettyEchoServer --deflate) and each loomsocket demo jar
# (permessage-deflate on by default there; the client's offer switches it on), with the settings
# given as environment variables after '+'. LOADGEN_ARGS go to every load generator run (e.g.
# "--deflate-offer-window-bits"). Rounds alternate the servers so a busy minute hits one round,
# not one server. Prints LoadGen's RESULT lines.
. "$(dirname "$0")/lib.sh"
MODE=${MODE:-echo}
if [ "$MODE" = latency ]; then SIZE=${SIZE:-64}; SHAPE="--connections 32"; else SIZE=${SIZE:-16384}; SHAPE="--connections 64 --inflight 16 --binary"; fi
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
    r=$($LOADGEN $MODE --url ws://127.0.0.1:$port/echo --server-pid $SP --deflate $SHAPE \
        --size $SIZE --warmup ${WARM:-5} --duration ${DUR:-10} ${LOADGEN_ARGS:-} 2>&1 | grep '^RESULT')
    echo "round=$round server=$name ${r#RESULT }"
    stop_server
  done
done
