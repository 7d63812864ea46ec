#!/bin/bash
# idle-warm.sh [JAR | netty]: idle cost on a server that has run a while. Two rounds of 5,000 idle
# WebSockets (opened, held, closed) warm the server up (JIT-compiled frames, grown heap), then
# 19,000 are held at once (two client processes under the 20,000 open-file limit) and the RSS
# growth per connection is printed, with the heap layout and the parked stacks' size.
. "$(dirname "$0")/lib.sh"
PORT=${PORT:-18993}; OUT=${OUT_DIR:-/tmp}/idle-warm; mkdir -p $OUT
SERVER_ENV="HTTP_MAX_CONNECTIONS=19500" start_server ${1:-demo/target/loomsocket-demo.jar} $PORT $OUT/server.log || exit 1
LOAD="$LOADGEN idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP"
for round in 1 2; do $LOAD --n 5000 --settle 2 | grep '^idle'; sleep 3; done
$LOAD --n 19000 --per-process 9500 --settle 20 | grep '^idle' &
LP=$!
sleep 25
jcmd $SP GC.class_histogram | grep -E "StackChunk|Total" | awk '{print "   histogram:", $0}'
wait $LP
jcmd $SP GC.heap_info | grep -E "PSYoung|ParOld"
stop_server
