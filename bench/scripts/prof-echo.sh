#!/bin/bash
# JFR profile of the server jar ($1, default bench/target/loomsocket-demo.jar) under 64 B echo; prints inclusive shares
. "$(dirname "$0")/lib.sh"
JAR=${1:-bench/target/loomsocket-demo.jar}; SIZE=${SIZE:-64}; BIN=${BIN-}
start_server $JAR 18821 /tmp/p.log -XX:StartFlightRecording=settings=profile,filename=/tmp/p.jfr || exit 1
$LOADGEN echo --url ws://127.0.0.1:18821/echo --server-pid $SP --connections 64 --inflight 16 --size $SIZE $BIN --warmup 3 --duration 10 2>&1 | grep '^echo'
jcmd $SP JFR.dump filename=/tmp/p.jfr >/dev/null; stop_server
jfr print --stack-depth 64 --events jdk.ExecutionSample /tmp/p.jfr > /tmp/p.txt
bench/scripts/jfr-top.py /tmp/p.txt \
  'loomsocket\.connection|loomsocket\.engine|Socket|[Pp]ark|ForkJoinPool\.runWorker|Flusher' 15
