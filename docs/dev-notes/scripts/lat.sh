#!/bin/bash
# latency (32 x 1 in flight, 64 B) for netty / before (/tmp/old-demo.jar) / after (/tmp/new-demo.jar), ROUNDS times (2)
VARIANTS=${VARIANTS:-"before=@/tmp/old-demo.jar;after=@/tmp/new-demo.jar"} ROUNDS=${ROUNDS:-2} \
  exec "$(dirname "$0")/cmp.sh" latency
