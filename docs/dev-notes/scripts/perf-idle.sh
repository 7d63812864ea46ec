#!/bin/bash
# usage: perf-idle.sh CP PORT N  -> starts loomsocket demo from classpath CP, opens N idle, histogram+NMT
cd /work/main; . scripts/find-jdk.sh >/dev/null
CP=$1; PORT=$2; N=$3; OUT=/tmp/perf-$PORT
mkdir -p $OUT
java -Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -XX:NativeMemoryTracking=summary -cp $CP io.loomsocket.demo.DemoApp --host 127.0.0.1 --port $PORT > $OUT/server.log 2>&1 &
SP=$!
echo $SP > $OUT/pid
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.3; done
sleep 1
java -Xmx1g -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP --n $N --settle 30 > $OUT/idle.log 2>&1 &
LP=$!
sleep 25
jcmd $SP GC.class_histogram > $OUT/histo.txt 2>&1
jcmd $SP VM.native_memory summary > $OUT/nmt.txt 2>&1
grep VmRSS /proc/$SP/status
wait $LP
cat $OUT/idle.log | tail -5
kill $SP
