#!/bin/bash
# cmp.sh WORKLOAD [LoadGen options...]: Netty, then each loomsocket variant, one server at a time,
# ROUNDS times (default 1), WARM s warm-up (4) + DUR s measured (6), PAUSE s between servers (0;
# 60 for handshakes, whose TIME_WAIT sockets otherwise slow the next run).
#   VARIANTS="name=[@JAR] [env:K=V,K2=V2] [JVM flags];name2=..."  (default: loom= with the demo jar)
# e.g. VARIANTS="pm1=;pm2=-Djdk.pollerMode=2" cmp.sh latency
. "$(dirname "$0")/lib.sh"
W=${1:-latency}; shift
port=$((19000 + RANDOM % 500))
IFS=';' read -ra VS <<< "netty=;${VARIANTS:-loom=}"
for r in $(seq ${ROUNDS:-1}); do
for v in "${VS[@]}"; do
  name=${v%%=*}; extra=${v#*=}
  port=$((port+1))
  if [ $name = netty ]; then
    start_server netty $port ${OUT_DIR:-/tmp}/cmp-$name.log || continue
  else
    jar=${LJAR:-demo/target/loomsocket-demo.jar}
    if [[ $extra == @* ]]; then jar=${extra%% *}; jar=${jar#@}; extra=${extra#@$jar}; fi
    SERVER_ENV=""
    if [[ $extra == *env:* ]]; then
      SERVER_ENV=$(echo "$extra" | grep -o "env:[^ ]*" | sed 's/^env://; s/,/ /g')
      extra=$(echo "$extra" | sed 's/env:[^ ]*//')
    fi
    start_server $jar $port ${OUT_DIR:-/tmp}/cmp-$name.log $extra || continue
  fi
  printf "%-10s " $name
  $LOADGEN $W --url ws://127.0.0.1:$port/echo --server-pid $SP --warmup ${WARM:-4} --duration ${DUR:-6} "$@" 2>&1 \
    | grep -E "^$W|^echo|^handshake|^latency|^idle" | sed "s/^$W: //"
  stop_server
  sleep ${PAUSE:-0}
done; done
