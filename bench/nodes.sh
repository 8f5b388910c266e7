#!/usr/bin/env bash
# Benchmarks the device loop (create, start, current, next, stop) on PostgreSQL with one node
# and with two nodes over the same database, in one run: on a 10-track album and on a
# 100,000-track playlist. With two nodes, half the connections go to each node (each from a
# load generator of its own) and their figures add up. Needs MEDLEY_DATABASE_URL naming an
# empty PostgreSQL database.
# Usage: MEDLEY_DATABASE_URL=postgres://… bench/nodes.sh [connections=32] [seconds=15]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${MEDLEY_DATABASE_URL:?name an empty PostgreSQL database}"
CONNECTIONS=${1:-32}
SECONDS_EACH=${2:-15}
PORT=${MEDLEY_BENCH_PORT:-18080}

. bench/common.sh

N=(target/release/medley --data-dir "$DIR/node")
$L gen-catalog --tracks 100000 --out "$DIR/bench.json"
"${N[@]}" catalog import "$DIR/bench.json"
KEY=$("${N[@]}" client add --name bench)
for i in $(seq 1 "$CONNECTIONS"); do
  U=$("${N[@]}" user add --name "bench$i")
  "${N[@]}" token issue --user "$U" --client "$KEY" --ttl 86400 >> "$DIR/tokens"
done
HALF=$(( CONNECTIONS / 2 ))
head -n "$HALF" "$DIR/tokens" > "$DIR/tokens-0"
tail -n +"$(( HALF + 1 ))" "$DIR/tokens" > "$DIR/tokens-1"

PIDS=()
start_node() { # start_node I: node I on PORT+I, its own data dir
  local i=$1
  mkdir -p "$DIR/node-$i"
  target/release/medley --data-dir "$DIR/node-$i" serve --bind "127.0.0.1:$(( PORT + i ))" \
    2> "$DIR/node-$i.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "listening" "$DIR/node-$i.log" && return; sleep 0.1; done
  echo "node $i did not start" >&2
  return 1
}
stop_nodes() {
  for p in "${PIDS[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_nodes 2>/dev/null; cleanup' EXIT
cpu_ticks() { local t=0; for p in "${PIDS[@]}"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo $t; }
for CONTEXT in mrn:1.0:catalog:album:asin:BAL0000000 mrn:1.0:catalog:playlist:asin:BENCHPL100K; do
  for NODES in 1 2; do
    for i in $(seq 0 $(( NODES - 1 ))); do start_node "$i"; done
    BEFORE=$(cpu_ticks)
    if [ "$NODES" = 1 ]; then
      $L run --addr "127.0.0.1:$PORT" --api-key "$KEY" --tokens "$DIR/tokens" \
        --connections "$CONNECTIONS" --seconds "$SECONDS_EACH" --context "$CONTEXT" > "$DIR/run-0.txt"
    else
      LOADS=()
      for i in 0 1; do
        $L run --addr "127.0.0.1:$(( PORT + i ))" --api-key "$KEY" --tokens "$DIR/tokens-$i" \
          --connections "$HALF" --seconds "$SECONDS_EACH" --context "$CONTEXT" > "$DIR/run-$i.txt" &
        LOADS+=($!)
      done
      wait "${LOADS[@]}"
    fi
    AFTER=$(cpu_ticks)
    echo "== $NODES node(s), $CONTEXT"
    for i in $(seq 0 $(( NODES - 1 ))); do sed 's/^/  /' "$DIR/run-$i.txt"; done
    TOTAL=$(cat $(seq -f "$DIR/run-%g.txt" 0 $(( NODES - 1 ))) | awk '/^all/{n += $2; r += $3} END {print n, r}')
    set -- $TOTAL
    echo "all nodes: $1 requests, $2 req/s; server CPU $(( (AFTER - BEFORE) * 10000 / $1 )) µs per request"
    echo
    stop_nodes
  done
done
