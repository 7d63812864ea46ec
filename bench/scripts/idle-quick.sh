#!/bin/bash
# idle-quick.sh JAR...: live heap per idle WebSocket, small and fast (idle-warm.sh is the full
# run): per jar, 1,000 WebSockets opened and closed, then N (default 2,000) held; the difference
# of GC.class_histogram's totals (live objects, after a full GC) divided by N.
. "$(dirname "$0")/lib.sh"
N=${N:-2000}; OUT=${OUT_DIR:-/tmp}
for jar in "$@"; do
  port=$((18100 + RANDOM % 500))
  start_server "$jar" $port $OUT/idle-quick-server.log || continue
  LOAD="$LOADGEN idle --url ws://127.0.0.1:$port/echo --server-pid $SP"
  $LOAD --n 1000 --settle 1 > /dev/null 2>&1; sleep 2
  base=$(jcmd $SP GC.class_histogram | awk '/^Total/{print $3}')
  $LOAD --n $N --settle 12 > $OUT/idle-quick-load.log 2>&1 &
  LP=$!
  sleep 10
  held=$(jcmd $SP GC.class_histogram | awk '/^Total/{print $3}')
  wait $LP
  echo "$jar: live heap per idle WebSocket $(( (held - base) / N )) B (N=$N; $(grep '^idle' $OUT/idle-quick-load.log | head -1))"
  stop_server
done
