#!/usr/bin/env bash
# Benchmarks the device loop (create, start, current, next, stop) against a real Medley on
# loopback: once on a 10-track album, once on a 100,000-track playlist.
# Usage: bench/run.sh [connections=32] [seconds=15]
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_EACH=${2:-15}
PORT=${MEDLEY_BENCH_PORT:-18080}

. bench/common.sh

$L gen-catalog --tracks 100000 --out "$DIR/bench.json"
"${M[@]}" catalog import "$DIR/bench.json"
KEY=$("${M[@]}" client add --name bench)
for i in $(seq 1 "$CONNECTIONS"); do
  U=$("${M[@]}" user add --name "bench$i")
  "${M[@]}" token issue --user "$U" --client "$KEY" --ttl 86400 >> "$DIR/tokens"
done

start_server "$PORT"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
for CONTEXT in mrn:1.0:catalog:album:asin:BAL0000000 mrn:1.0:catalog:playlist:asin:BENCHPL100K; do
  BEFORE=$(cpu_ticks)
  $L run --addr "127.0.0.1:$PORT" --api-key "$KEY" --tokens "$DIR/tokens" \
     --connections "$CONNECTIONS" --seconds "$SECONDS_EACH" --context "$CONTEXT" | tee "$DIR/run.txt"
  AFTER=$(cpu_ticks)
  N=$(awk '/^all/{print $2}' "$DIR/run.txt")
  echo "server CPU: $(( (AFTER - BEFORE) * 10 )) ms for $N requests = $(( (AFTER - BEFORE) * 10000 / N )) µs per request"
  echo
done
echo "server RSS: $(ps -o rss= -p "$SERVER") KiB"
