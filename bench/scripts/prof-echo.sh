#!/bin/bash
# JFR profile of the server jar ($1, default bench/target/loomsocket-demo.jar) under 64 B echo; prints inclusive shares
. "$(dirname "$0")/lib.sh"
JAR=${1:-bench/target/loomsocket-demo.jar}; SIZE=${SIZE:-64}; BIN=${BIN-}
start_server $JAR 18821 /tmp/p.log -XX:StartFlightRecording=settings=profile,filename=/tmp/p.jfr || exit 1
$LOADGEN echo --url ws://127.0.0.1:18821/echo --server-pid $SP --connections 64 --inflight 16 --size $SIZE $BIN --warmup 3 --duration 10 2>&1 | grep '^echo'
jcmd $SP JFR.dump filename=/tmp/p.jfr >/dev/null; stop_server
jfr print --stack-depth 64 --events jdk.ExecutionSample /tmp/p.jfr > /tmp/p.txt
python3 - <<'PY'
import re,collections
ev=open('/tmp/p.txt').read().split('jdk.ExecutionSample')[1:]
inc=collections.Counter(); top=collections.Counter(); n=0
for e in ev:
    frames=re.findall(r'^\s+(\S+?)\(',e,re.M)
    if not frames: continue
    n+=1; top[frames[0]]+=1
    for f in set(frames): inc[f]+=1
print('samples',n)
for k,v in inc.most_common(80):
    if 'loomsocket.connection' in k or 'loomsocket.engine' in k or 'Socket' in k or 'park' in k.lower() or 'ForkJoinPool.runWorker' in k or 'Flusher' in k:
        print(f"{v:5d} {100*v/n:5.1f}% {k}")
print('--- top frames')
for k,v in top.most_common(15): print(f"{v:5d} {100*v/n:5.1f}% {k}")
PY
