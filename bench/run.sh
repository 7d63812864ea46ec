#!/usr/bin/env bash
# Runs every echo server in turn through the same workloads and prints one table.
#
#   bench/run.sh [--quick | --long] [--runs N] [--only netty,jetty,...] [--skip-build]
#
#   (default)  10 s warm-up + 10 s measured per workload, 10,000 idle connections (~14 min)
#   --quick    a 1-2 minute smoke: 1 s + 2 s per workload, 1,000 idle connections, no deflate rows
#   --long     the default, with 100,000 idle connections (needs `ulimit -n` above 100k)
#   --runs N   repeat the whole set N times; the table shows medians and the spread (min-max)
#   --only L   comma-separated servers: netty netty-deflate jetty java-websocket ws raw
#              loomsocket loomsocket-deflate loomsocket-deflate-ctx (15-bit deflate windows kept both ways)
#              netty-deflate-wb loomsocket-deflate-wb (the client also offers client_max_window_bits, as
#              browsers do, so a server may bound its window; Netty's client then uses JZlib below 15 bits)
#   --out NAME write bench/results/NAME.md and NAME.txt (to publish; bench/results/current.md is the
#              one the docs cite) instead of bench/results/logs/latest.md / latest.txt (not committed)
#
# Every JVM server runs as its own process with the same flags ($BENCH_JVM_FLAGS); the load
# generator (Netty's client codec, bench/src/main/java/io/loomsocket/bench/load) is another
# process on the same box. Results: bench/results/logs/latest.md (table) and latest.txt (raw lines).
set -euo pipefail
ARGS="$*"
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/find-jdk.sh

MODE=normal RUNS=1 ONLY="" SKIP_BUILD=0 NAME=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --long) MODE=long ;;
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --only) ONLY=${2:?--only needs a list}; shift ;;
    --out) NAME=${2:?--out needs a name}; shift ;;
    --skip-build) SKIP_BUILD=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

WARMUP=10 DURATION=10 HS_WARMUP=10 HS_DURATION=8 IDLE_N=10000 SETTLE=2
case $MODE in
  quick) WARMUP=1 DURATION=2 HS_WARMUP=1 HS_DURATION=2 IDLE_N=1000 SETTLE=1 ;;
  long) IDLE_N=100000 ;;
esac
# loomsocket's http.max_connections (default 10,000) must hold every idle connection of the run
LOOM_ENV="HTTP_MAX_CONNECTIONS=$((IDLE_N + 1000))"
# The same flags for every JVM server; the load generator gets its own, also fixed.
JVM_FLAGS=${BENCH_JVM_FLAGS:-"-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"}
CLIENT_FLAGS="-Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"

if [ "$MODE" = long ]; then
  want=$((IDLE_N + 2000))
  if [ "$(ulimit -n)" -lt "$want" ] && ! ulimit -n "$want" 2>/dev/null; then
    cap=$(( $(ulimit -n) - 1000 ))
    echo "run.sh: --long wants $IDLE_N idle connections, but the open-file limit is $(ulimit -n) (hard $(ulimit -Hn))" >&2
    echo "run.sh: and cannot be raised here; each server must hold them all, so idle is capped at $cap." >&2
    echo "run.sh: raise it first (e.g. 'ulimit -n 110000' as root, or LimitNOFILE) to measure 100k." >&2
    IDLE_N=$cap
  fi
fi

OUT=bench/results
mkdir -p "$OUT/logs"
if [ -n "$NAME" ]; then RES="$OUT/$NAME"; else RES="$OUT/logs/latest"; fi
RAW="$RES.txt"
: > "$RAW"
JAR=bench/target/loomsocket-bench.jar
LOOM_JAR=bench/target/loomsocket-demo.jar
LOOM_NOTE=""

if [ $SKIP_BUILD = 0 ]; then
  # -DskipTests, not -Dmaven.test.skip: the demo's tests depend on the channels module's test-jar
  echo "== building: mvn -Pbench -pl bench -am package -DskipTests"
  if mvn -B -q -ntp -Pbench -pl bench -am package -DskipTests > "$OUT/logs/build.log" 2>&1; then
    # run loomsocket from a copy: another build may rewrite demo/target while we measure
    cp demo/target/loomsocket-demo.jar "$LOOM_JAR"
  else
    rm -f "$LOOM_JAR"
    LOOM_NOTE="loomsocket skipped: its modules did not build (bench/results/logs/build.log)"
    echo "== $LOOM_NOTE; building the peers alone"
    mvn -B -q -ntp -Pbench -Dbench.noLoomsocket -pl bench package -DskipTests -Dmaven.test.skip=true > "$OUT/logs/build-peers.log" 2>&1 \
      || { echo "run.sh: the bench module itself did not build; see $OUT/logs/build-peers.log" >&2; exit 1; }
  fi
fi
[ -f "$JAR" ] || { echo "run.sh: $JAR is missing (run without --skip-build)" >&2; exit 1; }
if [ ! -f build/node_modules/ws/package.json ]; then scripts/install-peers.sh || true; fi

# name | command (PORT is replaced) | load generator flags
server_line() {
  case "$1" in
    netty)              echo "java $JVM_FLAGS -cp $JAR io.loomsocket.bench.peers.NettyEchoServer --port PORT|" ;;
    netty-deflate)      echo "java $JVM_FLAGS -cp $JAR io.loomsocket.bench.peers.NettyEchoServer --port PORT --deflate|--deflate" ;;
    jetty)              echo "java $JVM_FLAGS -cp $JAR io.loomsocket.bench.peers.JettyEchoServer --port PORT|" ;;
    java-websocket)     echo "java $JVM_FLAGS -cp $JAR io.loomsocket.bench.peers.JavaWebSocketEchoServer --port PORT|" ;;
    ws)                 echo "node bench/peers/ws-echo.js --port PORT|" ;;
    raw)                echo "java $JVM_FLAGS -cp $JAR io.loomsocket.bench.peers.RawEchoServer --port PORT|--raw" ;;
    loomsocket)         echo "env $LOOM_ENV java $JVM_FLAGS -jar $LOOM_JAR --host 127.0.0.1 --port PORT|" ;;
    # websocket.compression is on by default (notes/core-api.md): the client's offer decides
    loomsocket-deflate) echo "env $LOOM_ENV java $JVM_FLAGS -jar $LOOM_JAR --host 127.0.0.1 --port PORT|--deflate" ;;
    netty-deflate-wb)   echo "java $JVM_FLAGS -cp $JAR io.loomsocket.bench.peers.NettyEchoServer --port PORT --deflate|--deflate --deflate-window-bits" ;;
    loomsocket-deflate-wb) echo "env $LOOM_ENV java $JVM_FLAGS -jar $LOOM_JAR --host 127.0.0.1 --port PORT|--deflate --deflate-window-bits" ;;
    # memory for speed: 15-bit deflate windows kept both ways, as Netty's server does by default
    # (the default keeps 12-bit ones, and lets a client that offers no window bits keep 15)
    loomsocket-deflate-ctx) echo "env $LOOM_ENV WEBSOCKET_COMPRESSION_WINDOW_BITS=15 WEBSOCKET_COMPRESSION_CLIENT_WINDOW_BITS=15 java $JVM_FLAGS -jar $LOOM_JAR --host 127.0.0.1 --port PORT|--deflate" ;;
  esac
}
ALL="netty netty-deflate jetty java-websocket ws raw loomsocket loomsocket-deflate loomsocket-deflate-ctx"
[ "$MODE" = quick ] && ALL="netty jetty java-websocket ws raw loomsocket"
SERVERS=${ONLY//,/ }
SERVERS=${SERVERS:-$ALL}
for s in $SERVERS; do [ -n "$(server_line "$s")" ] || { echo "run.sh: unknown server $s" >&2; exit 2; }; done

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
open_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
wait_closed() { # pid fds-before: until the server has let go of the idle sockets (at most 60 s)
  for _ in $(seq 300); do
    [ "$(open_fds "$1")" -le $(($2 + 64)) ] && return 0
    sleep 0.2
  done
  echo "   (the server still holds $(open_fds "$1") files 60 s after the idle clients left)"
}
SERVER_PID=""
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT

loadgen() { # workload server run extra-flags...
  local w=$1 s=$2 r=$3; shift 3
  local log="$OUT/logs/$s-$w.log"
  echo "   $w: $*" > "$log"
  if java $CLIENT_FLAGS -jar "$JAR" "$w" "$@" >> "$log" 2>&1; then
    grep -v '^RESULT' "$log" | grep -E "^$w|^idle|^handshake|^echo|^latency|error" | sed 's/^/   /' || true
    grep '^RESULT' "$log" | sed "s/^RESULT/RESULT server=$s run=$r/" >> "$RAW"
  else
    echo "   $w FAILED (see $log):"; tail -3 "$log" | sed 's/^/     /'
    echo "FAILED server=$s run=$r mode=$w" >> "$RAW"
  fi
}

START=$(date +%s)
echo "== client and server share this box's $(nproc) cores; the load generator is a separate JVM (Netty client, $(java -version 2>&1 | head -1))"
echo "== server JVM flags: $JVM_FLAGS"
for run in $(seq "$RUNS"); do
  port=18080
  for s in $SERVERS; do
    if [[ $s == loomsocket* ]] && [ ! -f "$LOOM_JAR" ]; then
      msg=${LOOM_NOTE:-"loomsocket skipped: $LOOM_JAR was not built"}
      echo "== $s: $msg"; echo "SKIPPED server=$s run=$run why=${msg// /_}" >> "$RAW"; continue
    fi
    while ! port_free $port; do port=$((port + 1)); done
    IFS='|' read -r cmd flags <<< "$(server_line "$s")"
    cmd=${cmd//PORT/$port}
    echo "== [$run/$RUNS] $s on port $port: $cmd"
    $cmd > "$OUT/logs/$s-server.log" 2>&1 &
    SERVER_PID=$!
    ready=0
    for _ in $(seq 150); do
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
      if ! port_free $port; then ready=1; break; fi
      sleep 0.2
    done
    if [ $ready = 0 ]; then
      echo "   $s did not start; see $OUT/logs/$s-server.log"; tail -3 "$OUT/logs/$s-server.log" | sed 's/^/     /'
      echo "FAILED server=$s run=$run mode=start" >> "$RAW"; stop_server; port=$((port + 1)); continue
    fi
    url="ws://127.0.0.1:$port/echo"
    common=(--url "$url" --server-pid "$SERVER_PID" $flags)
    # idle first, on the fresh process: what N new connections cost a server that just started
    fds0=$(open_fds "$SERVER_PID")
    loadgen idle "$s" "$run" "${common[@]}" --n "$IDLE_N" --settle "$SETTLE"
    wait_closed "$SERVER_PID" "$fds0"
    loadgen echo "$s" "$run" "${common[@]}" --connections 64 --inflight 16 --size 64 --warmup "$WARMUP" --duration "$DURATION"
    loadgen echo "$s" "$run" "${common[@]}" --connections 64 --inflight 16 --size 16384 --binary --warmup "$WARMUP" --duration "$DURATION"
    loadgen latency "$s" "$run" "${common[@]}" --connections 32 --size 64 --warmup "$WARMUP" --duration "$DURATION"
    loadgen handshake "$s" "$run" "${common[@]}" --concurrency 16 --warmup "$HS_WARMUP" --duration "$HS_DURATION"
    stop_server
    port=$((port + 1))
  done
done
ELAPSED=$(( $(date +%s) - START ))

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bench/run.sh${ARGS:+ $ARGS}\` in ${ELAPSED} s."
  echo "Client and server share this box's $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); one server at a time."
  echo "Server JVM flags: \`$JVM_FLAGS\`; $(java -version 2>&1 | head -1); Node $(node --version 2>/dev/null || echo missing)."
  echo "Workloads: echo 64 B text and 16 KiB binary (64 connections x 16 in flight), latency (32 x 1 in flight, 64 B),"
  echo "$IDLE_N idle connections on the freshly started server, handshakes (16 concurrent connect+upgrade+echo+close);"
  echo "${WARMUP} s warm-up + ${DURATION} s measured each (handshakes ${HS_WARMUP} s + ${HS_DURATION} s)."
  [ -n "$LOOM_NOTE" ] && echo "$LOOM_NOTE."
  echo
  java -cp "$JAR" io.loomsocket.bench.report.Report "$RAW"
} > "$RES.md"
echo
cat "$RES.md"
