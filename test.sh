#!/usr/bin/env bash
# Runs every test of loomsocket: unit, conformance, interop with real peers (Python websockets,
# Node ws, Chromium, Redis), installing those peers first when they are missing.
#   ./test.sh            the whole suite
#   ./test.sh --long     also the long fuzz and soak runs (minutes to hours)
#   extra arguments go to Maven, e.g. ./test.sh -pl engine -Dtest=FrameParserTest
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
args=()
for a in "$@"; do
  case "$a" in
    --long) args+=("-Dloomsocket.long=true") ;;
    *) args+=("$a") ;;
  esac
done
scripts/install-peers.sh
echo "JDK: $JAVA_HOME"
exec mvn -B -ntp ${args[@]+"${args[@]}"} install
