#!/usr/bin/env bash
# Builds every example against the installed loomsocket artifacts (as a user's project would,
# by coordinates) and runs it: the echo server answered by the client program, and the group
# chat with two clients in one room. ./test.sh runs it after `mvn install`.
#   examples/run.sh [extra Maven arguments, e.g. -Dmaven.repo.local=...]
set -euo pipefail
cd "$(dirname "$0")"
. ../scripts/find-jdk.sh
mvn_args=(-B -ntp -q -Dstyle.color=never "$@")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
passed=0; failed=0
pass() { echo "examples: PASS $1"; passed=$((passed + 1)); }
fail() { echo "examples: FAIL $1" >&2; failed=$((failed + 1)); }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {   # port, log: up to 90 s for a server started with exec:java
  for _ in $(seq 1 180); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "examples: nothing listens on port $1; its log:" >&2; cat "$2" >&2; return 1
}
# Maven's console prints colour resets even with -B; the check reads the program's text only.
client() { (cd client && mvn "${mvn_args[@]}" exec:java -Dexec.args="$*" 2>>"$work/client.log") | sed -u 's/\x1b\[[0-9;]*m//g'; }

for ex in echo-server group-chat client; do
  echo "examples: building $ex"
  (cd "$ex" && mvn "${mvn_args[@]}" compile)
done

# The echo server, and the client program against it.
port=$(free_port)
(cd echo-server && PORT=$port exec mvn "${mvn_args[@]}" exec:java) >"$work/echo.log" 2>&1 &
pids+=($!)
wait_port "$port" "$work/echo.log"
out=$(client "ws://127.0.0.1:$port/echo" hello wörld)
if [ "$out" = $'hello\nwörld' ]; then pass "echo-server echoes the client's messages"; else fail "echo-server: client printed '$out'"; cat "$work/client.log" >&2; fi
page=$(curl -s "http://127.0.0.1:$port/")
case "$page" in hello*) pass "echo-server answers plain HTTP" ;; *) fail "echo-server: GET / gave '$page'" ;; esac
# Pebble logs through SLF4J: the server's artifacts bring a provider, so a user's server has no
# "no providers" warning and its log lines reach java.util.logging like loomsocket's own.
if grep -q 'SLF4J' "$work/echo.log"; then fail "echo-server: SLF4J complains: $(grep SLF4J "$work/echo.log" | head -1)"; else pass "echo-server logs without SLF4J warnings"; fi

# The group chat: a member that joined first sees the messages of one that joined later.
port=$(free_port)
(cd group-chat && PORT=$port exec mvn "${mvn_args[@]}" exec:java) >"$work/chat.log" 2>&1 &
pids+=($!)
wait_port "$port" "$work/chat.log"
client "ws://127.0.0.1:$port/chat/lobby" --expect 3 alice-here >"$work/alice.out" &
alice=$!
for _ in $(seq 1 120); do grep -q alice-here "$work/alice.out" && break; sleep 0.5; done
bob=$(client "ws://127.0.0.1:$port/chat/lobby" hi there)
wait "$alice" || true
if [ "$bob" = $'hi\nthere' ] && [ "$(cat "$work/alice.out")" = $'alice-here\nhi\nthere' ]; then
  pass "group-chat relays to every member of the room"
else
  fail "group-chat: bob printed '$bob', alice printed '$(cat "$work/alice.out")'"; cat "$work/client.log" >&2
fi

echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ]
