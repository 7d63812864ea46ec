#!/bin/bash
# latency (32 x 1 in flight, 64 B) for netty / before (/tmp/old-demo.jar) / after (/tmp/new-demo.jar), ROUNDS times
cd /work/main; . scripts/find-jdk.sh >/dev/null
FL="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
port=18950
for r in $(seq ${ROUNDS:-2}); do
for s in ${SERVERS:-netty before after}; do
  port=$((port+1))
  case $s in
    netty) java $FL -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port $port > /tmp/lat-$s.log 2>&1 & ;;
    before) java $FL -jar /tmp/old-demo.jar --host 127.0.0.1 --port $port > /tmp/lat-$s.log 2>&1 & ;;
    after) java $FL -jar /tmp/new-demo.jar --host 127.0.0.1 --port $port > /tmp/lat-$s.log 2>&1 & ;;
  esac
  SP=$!
  for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
  printf "%-7s " $s
  java -Xmx1g -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen latency --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup ${WARM:-4} --duration ${DUR:-6} 2>&1 | grep '^latency' | sed 's/^latency: //'
  kill $SP; wait $SP 2>/dev/null
done; done
