#!/usr/bin/env bash
# Benchmarks the device loop (create, start, current, next, stop) against a real Medley on
# loopback: on a 10-track album and on a 100,000-track playlist. Each context gets a fresh
# server on a fresh copy of the same store, so neither inherits the other's history. With
# MEDLEY_DATABASE_URL=postgres://… (an empty database) it runs on PostgreSQL, where both
# contexts share the one database.
# Usage: bench/run.sh [connections=32] [seconds=15]
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-32}
SECONDS_EACH=${2:-15}
PORT=${MEDLEY_BENCH_PORT:-18080}

. bench/common.sh

BASE=$DIR/base
mkdir -p "$BASE"
B=(target/release/medley --data-dir "$BASE")
$L gen-catalog --tracks 100000 --out "$DIR/bench.json"
"${B[@]}" catalog import "$DIR/bench.json"
KEY=$("${B[@]}" client add --name bench)
for i in $(seq 1 "$CONNECTIONS"); do
  U=$("${B[@]}" user add --name "bench$i")
  "${B[@]}" token issue --user "$U" --client "$KEY" --ttl 86400 >> "$DIR/tokens"
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
for CONTEXT in mrn:1.0:catalog:album:asin:BAL0000000 mrn:1.0:catalog:playlist:asin:BENCHPL100K; do
  rm -rf "$DIR/run"
  cp -r "$BASE" "$DIR/run"
  M=(target/release/medley --data-dir "$DIR/run")
  start_server "$PORT"
  BEFORE=$(cpu_ticks)
  $L run --addr "127.0.0.1:$PORT" --api-key "$KEY" --tokens "$DIR/tokens" \
     --connections "$CONNECTIONS" --seconds "$SECONDS_EACH" --context "$CONTEXT" | tee "$DIR/run.txt"
  AFTER=$(cpu_ticks)
  N=$(awk '/^all/{print $2}' "$DIR/run.txt")
  echo "server CPU: $(( (AFTER - BEFORE) * 10 )) ms for $N requests = $(( (AFTER - BEFORE) * 10000 / N )) µs per request"
  echo "server RSS: $(ps -o rss= -p "$SERVER") KiB"
  echo
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=
done
