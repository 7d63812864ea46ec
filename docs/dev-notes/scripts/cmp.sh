#!/bin/bash
# cmp.sh WORKLOAD -- variants from VARIANTS="name=extra-flags;..." ; netty always first. ROUNDS, WARM, DUR
cd "$(dirname "$0")/../../.."; . scripts/find-jdk.sh >/dev/null
W=${1:-latency}; shift
FL="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
port=$((19000 + RANDOM % 500))
IFS=';' read -ra VS <<< "netty=;${VARIANTS:-loom=}"
for r in $(seq ${ROUNDS:-1}); do
for v in "${VS[@]}"; do
  name=${v%%=*}; extra=${v#*=}
  port=$((port+1))
  if [ $name = netty ]; then java $FL -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port $port > ${OUT_DIR:-/tmp}/cmp-$name.log 2>&1 &
  else jar=${LJAR:-demo/target/loomsocket-demo.jar}; if [[ $extra == @* ]]; then jar=${extra%% *}; jar=${jar#@}; extra=${extra#@$jar}; fi
    envs=""; if [[ $extra == *env:* ]]; then envs=$(echo "$extra" | grep -o "env:[^ ]*" | sed 's/^env://; s/,/ /g'); extra=$(echo "$extra" | sed 's/env:[^ ]*//'); fi
    env $envs java $FL $extra -jar $jar --host 127.0.0.1 --port $port > ${OUT_DIR:-/tmp}/cmp-$name.log 2>&1 & fi
  SP=$!
  for i in $(seq 60); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
  printf "%-10s " $name
  java -Xms256m -Xmx1g -XX:+UseParallelGC -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen $W --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup ${WARM:-4} --duration ${DUR:-6} "$@" 2>&1 | grep -E "^$W|^echo|^handshake|^latency|^idle" | sed "s/^$W: //"
  kill $SP; wait $SP 2>/dev/null
done; done
