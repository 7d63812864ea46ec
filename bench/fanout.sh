#!/usr/bin/env bash
# The chat fan-out against the anchor: Django Channels (the tutorial's chat consumer on
# channels_redis, served by Daphne) and loomsocket's demo chat, both on one Redis, with one and
# with two server processes. R receivers and one sender in one room, M messages of 64 B
# (LoadGen chat-fanout): deliveries/s, delivery latency p50/p99, lost, duplicated, reordered.
#
#   bench/fanout.sh [--receivers "1000 10000"] [--messages 1000] [--window 1] [--only channels,loomsocket]
#                   [--skip-build] [--out NAME]
#
# Channels is measured at the receiver counts up to 1,000 only unless --channels-max says more
# (at 10,000 it needs minutes per run). Debian packages: python3-django-channels python3-daphne
# python3-channels-redis redis-server (installed here when missing). The table goes to stdout and
# to bench/results/logs/fanout.md (or bench/results/NAME.md with --out).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh >/dev/null
RECEIVERS="1000 10000" MESSAGES=1000 WINDOW=1 ONLY="channels,loomsocket" SKIP_BUILD=0 NAME="" CHANNELS_MAX=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --receivers) RECEIVERS=${2:?}; shift ;;
    --messages) MESSAGES=${2:?}; shift ;;
    --window) WINDOW=${2:?}; shift ;;
    --only) ONLY=${2:?}; shift ;;
    --channels-max) CHANNELS_MAX=${2:?}; shift ;;
    --skip-build) SKIP_BUILD=1 ;;
    --out) NAME=${2:?}; shift ;;
    *) echo "fanout.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

need=()
for p in python3-django-channels python3-daphne python3-channels-redis redis-server; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ $SKIP_BUILD = 0 ]; then
  echo "== building: mvn -Pbench -pl bench -am package -DskipTests"
  mvn -B -q -ntp -Pbench -pl bench -am package -DskipTests
  # run loomsocket from a copy (as run.sh does): a later build may rewrite demo/target while we measure
  cp demo/target/loomsocket-demo.jar bench/target/loomsocket-demo.jar
fi

OUT=bench/results
mkdir -p "$OUT/logs"
if [ -n "$NAME" ]; then RES="$OUT/$NAME"; else RES="$OUT/logs/fanout"; fi
: > "$RES.txt"
JAR=bench/target/loomsocket-bench.jar
LOOM_JAR=bench/target/loomsocket-demo.jar
FLAGS="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
LOADGEN=("$JAVA_HOME/bin/java" -Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -cp "$JAR" io.loomsocket.bench.load.LoadGen)

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 120); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.5; done; echo "fanout.sh: nothing on port $1 (see $2)" >&2; return 1; }

pids=()
cleanup() { for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no > "$OUT/logs/fanout-redis.log" 2>&1 &
pids+=($!)
wait_port "$REDIS_PORT" "$OUT/logs/fanout-redis.log"
REDIS="redis://127.0.0.1:$REDIS_PORT/0"
# one secret key for the demo's processes: the login made on the first is valid on the second
SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')

# start NAME INDEX: one server process, its pid in pids and its port in STARTED_PORT (not called in
# $(...): a subshell would lose the pid, and the process would outlive the run)
start() {
  local server=$1 i=$2 port log
  port=$(free_port)
  log="$OUT/logs/fanout-$server-$i.log"
  case "$server" in
    channels)
      (cd bench/peers/channels-chat && CHANNELS_REDIS_URL=$REDIS exec /usr/bin/python3 -m daphne -v 0 -b 127.0.0.1 -p "$port" chatbench.asgi:application) > "$log" 2>&1 & ;;
    loomsocket)
      SECRET_KEY=$SECRET_KEY CHANNEL_LAYER=$REDIS HTTP_MAX_CONNECTIONS=19500 "$JAVA_HOME/bin/java" $FLAGS -jar "$LOOM_JAR" --host 127.0.0.1 --port "$port" > "$log" 2>&1 & ;;
  esac
  pids+=($!)
  wait_port "$port" "$log"
  STARTED_PORT=$port
}

# The room's WebSocket URL on PORT for SERVER (Channels' consumer takes the user from the query).
room_url() { case "$1" in channels) echo "ws://127.0.0.1:$2/chat/bench?user=bench" ;; *) echo "ws://127.0.0.1:$2/chat/bench" ;; esac; }

# A session cookie for the demo's chat when it asks for a login (POST /login/ with the CSRF token).
login_cookie() {
  local port=$1 jar
  jar=$(mktemp)
  if curl -s -o /dev/null -w '%{http_code}' -c "$jar" "http://127.0.0.1:$port/login/" | grep -q 200; then
    local csrf
    csrf=$(awk '$6 == "csrftoken" { print $7 }' "$jar")
    curl -s -o /dev/null -b "$jar" -c "$jar" -H "Referer: http://127.0.0.1:$port/login/" \
      --data "username=bench&csrfmiddlewaretoken=$csrf" "http://127.0.0.1:$port/login/"
    awk '$6 == "sessionid" { print "sessionid=" $7 }' "$jar"
  fi
  rm -f "$jar"
}

for server in ${ONLY//,/ }; do
  for procs in 1 2; do
    for r in $RECEIVERS; do
      if [ "$server" = channels ] && [ "$r" -gt "$CHANNELS_MAX" ]; then continue; fi
      before=${#pids[@]}
      urls=()
      for i in $(seq "$procs"); do
        start "$server" "$i"
        urls+=("$(room_url "$server" "$STARTED_PORT")")
      done
      joined=$(IFS=,; echo "${urls[*]}")
      cookie=()
      if [ "$server" = loomsocket ]; then
        c=$(login_cookie "$(echo "${urls[0]}" | sed -E 's|.*:([0-9]+)/.*|\1|')")
        [ -n "$c" ] && cookie=(--cookie "$c")
      fi
      echo "== $server, $procs process(es), $r receivers"
      line=$("${LOADGEN[@]}" chat-fanout --urls "$joined" --receivers "$r" --messages "$MESSAGES" --window "$WINDOW" \
               ${cookie[@]+"${cookie[@]}"} 2>>"$OUT/logs/fanout-loadgen.log" | tee /dev/stderr | grep '^RESULT' || true)
      echo "server=$server processes=$procs $line" >> "$RES.txt"
      for p in "${pids[@]:$before}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
      pids=("${pids[@]:0:$before}")
      redis-cli -p "$REDIS_PORT" flushall >/dev/null
    done
  done
done

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`bench/fanout.sh --receivers \"$RECEIVERS\" --messages $MESSAGES --window $WINDOW\`"
  echo "on $(nproc) cores shared by the servers, Redis and the load generator (load average before: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  echo "| server | processes | receivers | deliveries/s | latency p50 / p99 ms | lost | duplicated | reordered |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  while read -r l; do
    get() { echo "$l" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
    if echo "$l" | grep -q 'mode=chat-fanout'; then
      printf '| %s | %s | %s | %.0f | %.1f / %.1f | %s | %s | %s |\n' "$(get server)" "$(get processes)" "$(get receivers)" \
        "$(get deliveries_per_s)" "$(echo "$(get p50_us) / 1000" | bc -l)" "$(echo "$(get p99_us) / 1000" | bc -l)" \
        "$(get lost)" "$(get duplicated)" "$(get reordered)"
    else
      echo "| $(get server) | $(get processes) | — | failed (see bench/results/logs/) | | | | |"
    fi
  done < "$RES.txt"
} > "$RES.md"
cat "$RES.md"
