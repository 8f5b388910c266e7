# Sourced by the bench scripts: release binaries, a throw-away data dir that is removed on
# exit (with the server, if one was started), and a way to start the server and wait for it.
cargo build --release -q -p medley -p medley-loadgen
DIR=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
M=(target/release/medley --data-dir "$DIR")
L=target/release/medley-loadgen

# start_server PORT [medley options…]: serves on 127.0.0.1:PORT until the script exits.
start_server() {
  local port=$1
  shift
  "${M[@]}" "$@" serve --bind "127.0.0.1:$port" 2> "$DIR/server.log" &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q "listening" "$DIR/server.log" && return; sleep 0.1; done
  echo "the server did not start" >&2
  return 1
}
