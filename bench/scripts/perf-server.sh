#!/bin/bash
# perf-server.sh netty|loom WORKLOAD [LoadGen options...]: `perf record` of the server (JAR, default
# the demo jar) for 5 s after WARM s (4) of the workload; JIT frames named through a perf map
. "$(dirname "$0")/lib.sh"
which=$1; shift; W=$1; shift
port=$((19600 + RANDOM % 300))
server=netty; [ $which = netty ] || server=${JAR:-demo/target/loomsocket-demo.jar}
start_server $server $port ${OUT_DIR:-/tmp}/perf-$which.log \
  -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit || exit 1
$LOADGEN $W --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup ${WARM:-4} --duration 8 "$@" 2>&1 | grep -E "^$W" &
LP=$!
sleep $(( ${WARM:-4} + 2 ))
perf record -F 999 -g -p $SP -o ${OUT_DIR:-/tmp}/perf-$which.data -- sleep 5 2>/dev/null >/dev/null
wait $LP
stop_server
perf report -i ${OUT_DIR:-/tmp}/perf-$which.data --no-children --sort dso --stdio 2>/dev/null | grep -v "^#" | grep -v "^$" | head -12
