#!/bin/bash
# syscalls.sh netty|loom WORKLOAD [LoadGen options...]: syscall counts of the server (JAR, default
# the demo jar; EXTRA JVM flags) during 5 s of the workload, after a 4 s warm-up
. "$(dirname "$0")/lib.sh"
which=$1; shift; W=$1; shift
port=$((19600 + RANDOM % 300))
server=netty; [ $which = netty ] || server=${JAR:-demo/target/loomsocket-demo.jar}
start_server $server $port ${OUT_DIR:-/tmp}/sc-$which.log $EXTRA || exit 1
$LOADGEN $W --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup 4 --duration 8 "$@" 2>&1 | grep -E "^$W" &
LP=$!
sleep 6
perf stat -e 'syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_readv,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,context-switches' -p $SP -- sleep 5 2>&1 | grep -E "syscalls|context"
wait $LP
stop_server
