#!/bin/bash
# idle-histo.sh [JAR]: where the live heap of an idle WebSocket goes, class by class. The server is
# warmed up like idle-warm.sh does (two rounds of WARM idle WebSockets opened, held and closed),
# then its live heap is taken with no connection (GC.class_histogram runs a full GC first, so it
# counts live objects only) and again while N (default 5,000) idle WebSockets are held; the
# difference per class, divided by N, is printed in bytes per connection: the TOP (15) largest
# classes, the rest, and the total. The two histograms and the diff are kept in $OUT_DIR/idle-histo.
# ROUNDS (2) warm-up rounds; EXTRA_FLAGS are added to the server's JVM flags. A parked view's frames
# are interpreted (about 4x larger) if it parked before its methods were compiled, so the StackChunk
# row moves from run to run: compare it over several runs, the other rows hold still. DUMP=1 also
# takes a heap dump of the held server and prints the parked stacks' sizes (hprof-owners.py, whose
# full table, every object by the field that holds it, is left in owners.txt).
. "$(dirname "$0")/lib.sh"
N=${N:-5000}; WARM=${WARM:-5000}; TOP=${TOP:-15}
PORT=${PORT:-$((18600 + RANDOM % 300))}; OUT=${OUT_DIR:-/tmp}/idle-histo; mkdir -p $OUT
JAR=${1:-demo/target/loomsocket-demo.jar}
SERVER_ENV="HTTP_MAX_CONNECTIONS=19500" start_server "$JAR" $PORT $OUT/server.log $EXTRA_FLAGS || exit 1
LOAD="$LOADGEN idle --url ws://127.0.0.1:$PORT/echo --server-pid $SP"
for round in $(seq ${ROUNDS:-2}); do $LOAD --n $WARM --settle 2 | grep '^idle'; sleep 3; done
jcmd $SP GC.class_histogram > $OUT/histo-0.txt
$LOAD --n $N --per-process 9500 --settle 20 > $OUT/load.log 2>&1 &
LP=$!
sleep ${PROBE_AT:-15}
jcmd $SP GC.class_histogram > $OUT/histo-$N.txt
# DUMP=1: a heap dump too, for hprof-owners.py (who holds each class's objects, the parked stacks' sizes)
[ -n "$DUMP" ] && rm -f $OUT/held.hprof && jcmd $SP GC.heap_dump $OUT/held.hprof > /dev/null
wait $LP
grep '^idle' $OUT/load.log
stop_server
# histogram rows: "num: #instances #bytes class (module)"; the diff per class over N connections
awk -v n=$N -v top=$TOP '
  FNR == 1 { file++ }
  $1 ~ /^[0-9]+:$/ { key = $4; if (file == 1) { b0[key] += $3; i0[key] += $2 } else { b1[key] += $3; i1[key] += $2 }; seen[key] = 1 }
  END {
    for (k in seen) { d = b1[k] - b0[k]; if (d != 0) printf "%d %d %s\n", d, i1[k] - i0[k], k }
  }' $OUT/histo-0.txt $OUT/histo-$N.txt | sort -k1,1nr > $OUT/diff.txt
awk -v n=$N -v top=$TOP '
  { total += $1; if (NR <= top) printf "%10.1f B %8.2f objects  %s\n", $1 / n, $2 / n, $3; else rest += $1 }
  END { printf "%10.1f B                   (the rest, %d classes)\n", rest / n, (NR > top ? NR - top : 0)
        printf "%10.1f B                   total per idle WebSocket (N=%d)\n", total / n, n }' $OUT/diff.txt
[ -n "$DUMP" ] && python3 bench/scripts/hprof-owners.py $OUT/held.hprof $N > $OUT/owners.txt && tail -1 $OUT/owners.txt
