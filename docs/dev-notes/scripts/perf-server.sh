#!/bin/bash
# perf-server.sh netty|loom WORKLOAD-ARGS... : perf profile of the server process during a workload
cd "$(dirname "$0")/../../.."; . scripts/find-jdk.sh >/dev/null
FL="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"
which=$1; shift; W=$1; shift
port=$((19600 + RANDOM % 300))
if [ $which = netty ]; then java $FL -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port $port > ${OUT_DIR:-/tmp}/perf-$which.log 2>&1 &
else java $FL -jar ${JAR:-demo/target/loomsocket-demo.jar} --host 127.0.0.1 --port $port > ${OUT_DIR:-/tmp}/perf-$which.log 2>&1 & fi
SP=$!
for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
java -Xms256m -Xmx1g -XX:+UseParallelGC -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen $W --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup ${WARM:-4} --duration 8 "$@" 2>&1 | grep -E "^$W" &
LP=$!
sleep $(( ${WARM:-4} + 2 ))
perf record -F 999 -g -p $SP -o ${OUT_DIR:-/tmp}/perf-$which.data -- sleep 5 2>/dev/null >/dev/null
wait $LP
kill $SP; wait $SP 2>/dev/null
perf report -i ${OUT_DIR:-/tmp}/perf-$which.data --no-children --sort dso --stdio 2>/dev/null | grep -v "^#" | grep -v "^$" | head -12
