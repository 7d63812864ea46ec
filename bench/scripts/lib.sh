# Sourced by the measuring scripts here: the repository root as working directory, a JDK, the
# bench's server and load-generator flags, and starting/stopping one server.
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. scripts/find-jdk.sh >/dev/null
SERVER_FLAGS="-Xms256m -Xmx2g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED"
LOADGEN="java -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.load.LoadGen"

# start_server netty|JAR PORT LOG [extra JVM flags...]: starts Netty's echo peer or a loomsocket
# demo jar (with $SERVER_ENV, e.g. "HTTP_MAX_CONNECTIONS=19500", in its environment, and
# $SERVER_ARGS, e.g. "--deflate" for Netty, after its own arguments), sets SP to its pid and
# returns once the port answers.
start_server() {
  local server=$1 port=$2 log=$3
  shift 3
  if [ "$server" = netty ]; then
    java $SERVER_FLAGS "$@" -cp bench/target/loomsocket-bench.jar io.loomsocket.bench.peers.NettyEchoServer --port "$port" $SERVER_ARGS > "$log" 2>&1 &
  else
    env $SERVER_ENV java $SERVER_FLAGS "$@" -jar "$server" --host 127.0.0.1 --port "$port" $SERVER_ARGS > "$log" 2>&1 &
  fi
  SP=$!
  for _ in $(seq 60); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.5; done
  echo "start_server: $server did not open port $port (see $log)" >&2
  return 1
}

stop_server() {
  kill "$SP" 2>/dev/null
  wait "$SP" 2>/dev/null
}
