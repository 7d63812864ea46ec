#!/bin/bash
# same-run echo comparison: netty, loomsocket before (/tmp/old-demo.jar = 6cf37e3), after (bench/target/loomsocket-demo.jar)
# usage: SIZE=64 BIN= cmp2.sh   |  SIZE=16384 BIN=--binary cmp2.sh
cd /work/main; . scripts/find-jdk.sh >/dev/null
FL="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
SIZE=${SIZE:-64}; BIN=${BIN-}
port=18930
for s in ${SERVERS:-netty before after}; do
  port=$((port+1))
  case $s in
    netty) java $FL -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port $port > /tmp/cmp-$s.log 2>&1 & ;;
    exp) java $FL -jar /tmp/exp-demo.jar --host 127.0.0.1 --port $port > /tmp/cmp-$s.log 2>&1 & ;;
    before) java $FL -jar /tmp/old-demo.jar --host 127.0.0.1 --port $port > /tmp/cmp-$s.log 2>&1 & ;;
    after) java $FL -jar bench/target/loomsocket-demo.jar --host 127.0.0.1 --port $port > /tmp/cmp-$s.log 2>&1 & ;;
  esac
  SP=$!
  for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
  printf "%-7s " $s
  java -Xmx1g -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen echo --url ws://127.0.0.1:$port/echo --server-pid $SP --connections 64 --inflight 16 --size $SIZE $BIN --warmup ${WARM:-3} --duration ${DUR:-8} 2>&1 | grep '^echo' | sed 's/^echo: 64 conns x 16 in flight, //'
  kill $SP; wait $SP 2>/dev/null
done
