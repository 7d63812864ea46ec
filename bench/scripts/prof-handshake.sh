#!/bin/bash
# prof-handshake.sh [JAR]: JFR profile of a server (a demo jar, default demo/target/loomsocket-demo.jar,
# or netty) under the handshake workload (16 concurrent connect+upgrade+echo+close); writes
# $OUT_DIR/prof-hs.jfr (recorded after the warm-up) and prints the CPU samples' top frames and the allocation samples' weight by
# allocating frame (the first frame below the JDK's own, with the allocated type).
. "$(dirname "$0")/lib.sh"
JAR=${1:-demo/target/loomsocket-demo.jar}; out=${OUT_DIR:-/tmp}
port=$((19600 + RANDOM % 300))
start_server "$JAR" $port $out/prof-hs.log -XX:StartFlightRecording=settings=profile,+jdk.ExecutionSample#period=${PERIOD:-2ms},delay=$((${WARM:-4} + 2))s,filename=$out/prof-hs.jfr || exit 1
$LOADGEN handshake --url ws://127.0.0.1:$port/echo --server-pid $SP --concurrency 16 --warmup ${WARM:-4} --duration ${DUR:-10} 2>&1 | grep '^handshake'
jcmd $SP JFR.dump filename=$out/prof-hs.jfr >/dev/null; stop_server
jfr print --stack-depth 64 --events jdk.ExecutionSample $out/prof-hs.jfr > $out/prof-hs-cpu.txt
bench/scripts/jfr-top.py $out/prof-hs-cpu.txt 'loomsocket|netty' ${TOP:-25}
jfr print --json --stack-depth 30 --events jdk.ObjectAllocationSample $out/prof-hs.jfr | python3 -c '
import json, sys, collections
top = int(sys.argv[1])
by_site, by_type, total = collections.Counter(), collections.Counter(), 0
for e in json.load(sys.stdin)["recording"]["events"]:
    v = e["values"]; w = v["weight"]; total += w
    frames = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in (v.get("stackTrace") or {}).get("frames", [])]
    site = next((f for f in frames if not f.startswith(("java/", "jdk/", "sun/"))), frames[0] if frames else "?")
    first = frames[0] if frames else "?"
    by_site[(site, first, v["objectClass"]["name"])] += w
    by_type[v["objectClass"]["name"]] += w
print(f"--- allocation samples: {total / 2**20:.0f} MiB sampled weight")
for (site, first, cls), w in by_site.most_common(top):
    print(f"{100 * w / total:5.1f}% {site}  <- {first}  [{cls}]")
' ${TOP:-25}
