#!/bin/bash
# same-run echo comparison: netty, loomsocket before (/tmp/old-demo.jar = 6cf37e3), after (bench/target/loomsocket-demo.jar)
# usage: SIZE=64 BIN= cmp2.sh   |  SIZE=16384 BIN=--binary cmp2.sh
VARIANTS=${VARIANTS:-"before=@/tmp/old-demo.jar;after=@bench/target/loomsocket-demo.jar"} WARM=${WARM:-3} DUR=${DUR:-8} \
  exec "$(dirname "$0")/cmp.sh" echo --connections 64 --inflight 16 --size ${SIZE:-64} ${BIN-}
