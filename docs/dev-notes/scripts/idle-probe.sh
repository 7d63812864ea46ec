#!/bin/bash
# idle-probe.sh PORT N [extra server jvm flags...] -> RSS, heap, thread dump of the demo with N idle
cd "$(dirname "$0")/../../.."; . scripts/find-jdk.sh >/dev/null
PORT=$1; N=$2; shift 2
OUT=${OUT_DIR:-/tmp}/idle-$PORT; mkdir -p $OUT; rm -f $OUT/*
java -Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED "$@" -jar ${JAR:-demo/target/loomsocket-demo.jar} --host 127.0.0.1 --port $PORT > $OUT/server.log 2>&1 &
SP=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.3; done
sleep 1
java -Xms256m -Xmx1g -XX:+UseParallelGC -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP --n $N --settle 12 > $OUT/idle.log 2>&1 &
LP=$!
sleep ${PROBE_AT:-10}
[ -n "$DUMP" ] && jcmd $SP Thread.dump_to_file -format=text $OUT/threads.txt >/dev/null
jcmd $SP GC.heap_info > $OUT/heap.txt
[ -n "$HISTO" ] && jcmd $SP GC.class_histogram > $OUT/histo.txt
wait $LP
tail -2 $OUT/idle.log
kill $SP; wait $SP 2>/dev/null
