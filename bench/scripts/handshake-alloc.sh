#!/bin/bash
# handshake-alloc.sh NAME JAR|netty: the handshake workload (16 concurrent connect+upgrade+echo+close,
# WARM s warm-up (6) + DUR s measured (8)) against one server, and the bytes the server allocates
# per handshake, from JFR's per-thread allocation counters sampled every second (all threads
# summed: virtual threads allocate through their carriers). Unlike handshakes/s, this figure
# hardly moves when other processes load the box.
. "$(dirname "$0")/lib.sh"
name=${1:?name}; jar=${2:?JAR or netty}
port=$((19300 + RANDOM % 300))
jfr=${OUT_DIR:-/tmp}/alloc-$name.jfr
rm -f "$jfr"
start_server "$jar" $port ${OUT_DIR:-/tmp}/alloc-$name.log \
  "-XX:StartFlightRecording=filename=$jfr,settings=default,+jdk.ThreadAllocationStatistics#period=1s,dumponexit=true" || exit 1
out=$($LOADGEN handshake --url ws://127.0.0.1:$port/echo --server-pid $SP --concurrency 16 --warmup ${WARM:-6} --duration ${DUR:-8} 2>&1 | grep -E "^handshake")
sleep 0.5
stop_server
echo "$name $out"
jfr print --json --events jdk.ThreadAllocationStatistics "$jfr" | python3 -c '
import json, sys, re, collections
name, out, dur = sys.argv[1], sys.argv[2], int(sys.argv[3])
ticks = collections.defaultdict(dict)
for e in json.load(sys.stdin)["recording"]["events"]:
    v = e["values"]
    ticks[v["startTime"][:19]][str((v.get("thread") or {}).get("javaThreadId"))] = v["allocated"]
last, total = {}, []
for t in sorted(ticks):
    last.update(ticks[t]); total.append(sum(last.values()))
rate = float(re.search(r"(\d+) cycles/s", out).group(1))
end = len(total) - 2  # the last whole second before the server stopped
start = max(0, end - dur)
print(f"{name}: {(total[end] - total[start]) / (rate * (end - start)) / 1024:.1f} KiB allocated per handshake")
' "$name" "$out" "${DUR:-8}"
