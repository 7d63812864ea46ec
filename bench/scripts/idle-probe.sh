#!/bin/bash
# idle-probe.sh PORT N [extra server JVM flags...]: the demo (JAR) with N idle WebSockets; after
# PROBE_AT s (10) its heap layout, and with DUMP=1 / HISTO=1 a thread dump / class histogram
. "$(dirname "$0")/lib.sh"
PORT=$1; N=$2; shift 2
OUT=${OUT_DIR:-/tmp}/idle-$PORT; mkdir -p $OUT; rm -f $OUT/*
start_server ${JAR:-demo/target/loomsocket-demo.jar} $PORT $OUT/server.log "$@" || exit 1
sleep 1
$LOADGEN idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP --n $N --settle 12 > $OUT/idle.log 2>&1 &
LP=$!
sleep ${PROBE_AT:-10}
[ -n "$DUMP" ] && jcmd $SP Thread.dump_to_file -format=text $OUT/threads.txt >/dev/null
jcmd $SP GC.heap_info > $OUT/heap.txt
[ -n "$HISTO" ] && jcmd $SP GC.class_histogram > $OUT/histo.txt
wait $LP
tail -2 $OUT/idle.log
stop_server
