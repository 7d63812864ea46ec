#!/usr/bin/env bash
# Builds what it needs and runs the demo server in the foreground (default port 8000).
#   ./demo.sh [--port N] [--settings FILE]
set -euo pipefail
cd "$(dirname "$0")"
. scripts/find-jdk.sh
jar=demo/target/loomsocket-demo.jar
newest_src=$(find pom.xml */pom.xml engine core server client channels demo -path '*/target' -prune -o -type f -newer "$jar" -print -quit 2>/dev/null || true)
if [ ! -f "$jar" ] || [ -n "$newest_src" ]; then
  echo "Building the demo (first run takes a minute)..."
  mvn -B -q -ntp -DskipTests -pl demo -am install
fi
exec "$JAVA_HOME/bin/java" -jar "$jar" "$@"
