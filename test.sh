#!/usr/bin/env bash
# Runs every test of loomsocket: the unit tests first, then the integration tests (conformance,
# interop with real peers: Python websockets, Node ws, Chromium, Redis), installing those peers
# first when they are missing. docs/testing.md says which test is which.
#   ./test.sh            the whole suite
#   ./test.sh --unit     the unit tests only (-Punit): no peers, no sockets, no examples
#   ./test.sh --long     also the long fuzz and soak runs (minutes to hours)
#   extra arguments go to Maven, e.g. ./test.sh -pl engine -Dtest=FrameParserTest
# A whole run then builds and runs examples/ against the artifacts it installed.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
args=()
unit=false
for a in "$@"; do
  case "$a" in
    --long) args+=("-Dloomsocket.long=true") ;;
    --unit) args+=("-Punit"); unit=true ;;
    *) args+=("$a") ;;
  esac
done
if [ "$unit" = false ]; then
  scripts/install-peers.sh
fi
echo "JDK: $JAVA_HOME"
mvn -B -ntp ${args[@]+"${args[@]}"} install
# The examples use the installed artifacts by coordinates, as a user's project does; a run that
# builds only some modules (-pl, -Dtest) or only the unit tests skips them.
partial=$unit; repo=()
for a in ${args[@]+"${args[@]}"}; do
  case "$a" in
    -pl|--projects|-pl=*|--projects=*|-Dtest=*|-rf|--resume-from) partial=true ;;
    -Dmaven.repo.local=*) repo+=("$a") ;;
  esac
done
if [ "$partial" = false ]; then
  examples/run.sh ${repo[@]+"${repo[@]}"}
fi
