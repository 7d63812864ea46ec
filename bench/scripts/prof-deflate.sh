#!/bin/bash
# JFR profiles of both sides of the permessage-deflate echo: the server ($1: netty, or a loomsocket
# demo jar, default bench/target/loomsocket-demo.jar; $SERVER_ARGS / $SERVER_ENV as in lib.sh) and
# the load generator, SIZE bytes (default 16384) binary, 64 connections x 16 in flight.
# Prints the echo line and, per side, the top self frames and inclusive shares of named frames.
#   SIZE=16384 bench/scripts/prof-deflate.sh netty
#   SERVER_ENV="WEBSOCKET_COMPRESSION_CLIENT_WINDOW_BITS=15" bench/scripts/prof-deflate.sh
. "$(dirname "$0")/lib.sh"
SERVER=${1:-bench/target/loomsocket-demo.jar}; SIZE=${SIZE:-16384}; MODE=${MODE:-echo}
OUTD=${OUT_DIR:-/tmp}
[ "$SERVER" = netty ] && SERVER_ARGS="--deflate $SERVER_ARGS"
start_server "$SERVER" 18831 "$OUTD/pd-server.log" -XX:StartFlightRecording=settings=profile,filename="$OUTD/pd-server.jfr" || exit 1
LOADGEN=${LOADGEN/java /java -XX:StartFlightRecording=settings=profile,filename=$OUTD/pd-client.jfr }
ARGS="--connections 64 --inflight 16 --size $SIZE --binary"
[ "$MODE" = latency ] && ARGS="--connections 32 --size $SIZE"
$LOADGEN $MODE --url ws://127.0.0.1:18831/echo --server-pid $SP --deflate $ARGS \
  --warmup ${WARM:-5} --duration ${DUR:-10} ${LOADGEN_ARGS:-} 2>&1 | grep -E "^$MODE|^echo|^latency|RESULT"
jcmd $SP JFR.dump filename="$OUTD/pd-server.jfr" >/dev/null; stop_server
for side in server client; do
  jfr print --stack-depth 64 --events jdk.ExecutionSample,jdk.NativeMethodSample "$OUTD/pd-$side.jfr" > "$OUTD/pd-$side.txt"
  echo "=== $side"
  bench/scripts/jfr-top.py "$OUTD/pd-$side.txt" \
    'Deflat|Inflat|deflat|inflat|Window|arraycopy|copyOf|Socket|write|read|park|compress|Encoder|Decoder|Assembler' 18
done
