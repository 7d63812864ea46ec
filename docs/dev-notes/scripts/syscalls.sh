#!/bin/bash
# syscalls.sh netty|loom WORKLOAD-ARGS : syscall counts of the server during 5 s of the workload
cd "$(dirname "$0")/../../.."; . scripts/find-jdk.sh >/dev/null
FL="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED $EXTRA"
which=$1; shift; W=$1; shift
port=$((19600 + RANDOM % 300))
if [ $which = netty ]; then java $FL -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port $port > ${OUT_DIR:-/tmp}/sc-$which.log 2>&1 &
else java $FL -jar ${JAR:-demo/target/loomsocket-demo.jar} --host 127.0.0.1 --port $port > ${OUT_DIR:-/tmp}/sc-$which.log 2>&1 & fi
SP=$!
for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
java -Xms256m -Xmx1g -XX:+UseParallelGC -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen $W --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup 4 --duration 8 "$@" 2>&1 | grep -E "^$W" &
LP=$!
sleep 6
perf stat -e 'syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_readv,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,context-switches' -p $SP -- sleep 5 2>&1 | grep -E "syscalls|context" 
wait $LP
kill $SP; wait $SP 2>/dev/null
