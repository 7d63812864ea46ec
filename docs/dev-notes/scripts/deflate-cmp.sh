#!/bin/bash
# Same-run comparison for issue 6's permessage-deflate row (deflate-perf branch):
# echo 16 KiB binary with permessage-deflate, 64 connections x 16 in flight, one server at a time.
#   DEFLATE_JARS="before=/path/a.jar after=/path/b.jar ctx=/path/b.jar,/path/settings.properties" \
#     ROUNDS=2 WARM=5 DUR=10 /work/notes/deflate-cmp.sh
# Servers: netty-deflate (bench's NettyEchoServer --deflate) and each loomsocket demo jar
# (permessage-deflate on by default there; the client's offer switches it on). Rounds alternate
# the servers so a busy minute hits one round, not one server. Prints LoadGen's RESULT lines.
BENCH=${BENCH_JAR:-/tmp/dp/bench.jar}
. /work/wt-deflate/scripts/find-jdk.sh >/dev/null
FL="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
CL="-Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
SIZE=${SIZE:-16384}
port=18950
for round in $(seq ${ROUNDS:-1}); do
  for entry in netty=netty $DEFLATE_JARS; do
    name=${entry%%=*}; jar=${entry#*=}; extra=""
    case $jar in *,*) extra="--settings ${jar#*,}"; jar=${jar%%,*} ;; esac
    port=$((port+1))
    if [ "$jar" = netty ]; then
      java $FL -cp $BENCH io.loomsocket.bench.peers.NettyEchoServer --port $port --deflate > /tmp/dp/cmp-$name.log 2>&1 &
    else
      java $FL -jar $jar --host 127.0.0.1 --port $port $extra > /tmp/dp/cmp-$name.log 2>&1 &
    fi
    SP=$!
    for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
    r=$(java $CL -jar $BENCH echo --url ws://127.0.0.1:$port/echo --server-pid $SP --deflate --connections 64 --inflight 16 \
        --size $SIZE --binary --warmup ${WARM:-5} --duration ${DUR:-10} 2>&1 | grep '^RESULT')
    echo "round=$round server=$name $r"
    kill $SP; wait $SP 2>/dev/null
  done
done
