#!/bin/bash
# idle-warm.sh [JAR | netty]: idle cost on a server that has run a while. Two rounds of 5,000 idle
# WebSockets (opened, held, closed) warm the server up (JIT-compiled frames, grown heap), then
# 19,000 are held at once (two client processes under the 20,000 open-file limit) and the RSS
# growth per connection is printed, with the heap layout and the parked stacks' size.
cd "$(dirname "$0")/../../.."; . scripts/find-jdk.sh >/dev/null
PORT=${PORT:-18993}; OUT=${OUT_DIR:-/tmp}/idle-warm; mkdir -p $OUT
FLAGS="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
if [ "${1:-}" = netty ]; then
  java $FLAGS -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port $PORT > $OUT/server.log 2>&1 &
else
  HTTP_MAX_CONNECTIONS=19500 java $FLAGS -jar ${1:-demo/target/loomsocket-demo.jar} --host 127.0.0.1 --port $PORT > $OUT/server.log 2>&1 &
fi
SP=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.3; done
LOAD="java -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP"
for round in 1 2; do $LOAD --n 5000 --settle 2 | grep '^idle'; sleep 3; done
$LOAD --n 19000 --per-process 9500 --settle 20 | grep '^idle' &
LP=$!
sleep 25
jcmd $SP GC.class_histogram | grep -E "StackChunk|Total" | awk '{print "   histogram:", $0}'
wait $LP
jcmd $SP GC.heap_info | grep -E "PSYoung|ParOld"
kill $SP
