#!/usr/bin/env bash
# Counts the instructions the server executes per request under valgrind's callgrind: the
# device loop (create, start, current, next, stop) on the 10-track album or the 100,000-track
# playlist, a track search, an album lookup, or an artist's related artists (the recommender's
# candidates). Unlike req/s or CPU time this does not move
# with the machine's noise, so two commits compare on one run each. Needs valgrind (Debian:
# valgrind).
# Usage: bench/instructions.sh [album|playlist|search|lookup|related] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO=${1:-album}
case $SCENARIO in
  album) CONTEXT=mrn:1.0:catalog:album:asin:BAL0000000 ;;
  playlist) CONTEXT=mrn:1.0:catalog:playlist:asin:BENCHPL100K ;;
  search | lookup | related) ;;
  *) echo "scenario: album, playlist, search, lookup or related" >&2; exit 2 ;;
esac
SECONDS_EACH=${2:-20}
PORT=${MEDLEY_BENCH_PORT:-18081}

. bench/common.sh

$L gen-catalog --tracks 100000 --out "$DIR/bench.json"
"${M[@]}" catalog import "$DIR/bench.json"
KEY=$("${M[@]}" client add --name bench)
for i in 1 2 3 4; do
  U=$("${M[@]}" user add --name "bench$i")
  "${M[@]}" token issue --user "$U" --client "$KEY" --ttl 86400 >> "$DIR/tokens"
done

echo "rate_limit_per_sec = 0" > "$DIR/bench.toml"
# Instrumentation is off until the server has warmed up (caches filled, statements prepared).
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$DIR/callgrind.out" \
  "${M[@]}" --config "$DIR/bench.toml" serve --bind "127.0.0.1:$PORT" 2> "$DIR/server.log" &
SERVER=$!
for _ in $(seq 1 600); do grep -q listening "$DIR/server.log" && break; sleep 0.2; done
load() {
  local token
  token=$(head -1 "$DIR/tokens")
  case $SCENARIO in
    album | playlist)
      $L run --addr "127.0.0.1:$PORT" --api-key "$KEY" --tokens "$DIR/tokens" \
         --connections 4 --seconds "$1" --context "$CONTEXT" ;;
    search)
      $L get --addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$token" --connections 4 \
         --seconds "$1" --path /v1/search/tracks \
         --body '{"searchFilters": [{"query": "midnight"}], "limit": 20}' ;;
    lookup)
      $L get --addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$token" --connections 4 \
         --seconds "$1" --path /v1/albums/BAL0000000 ;;
    related)
      $L get --addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$token" --connections 4 \
         --seconds "$1" --path "/v1/artists/BAR0000001/relatedArtists?limit=10" ;;
  esac
}
load 5 > /dev/null
callgrind_control --instr=on "$SERVER" > /dev/null
load "$SECONDS_EACH" | tee "$DIR/run.txt"
callgrind_control --instr=off "$SERVER" > /dev/null
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=
# The loop prints a table ending in "all <requests>"; a single path, "| <n> requests |".
N=$(awk '/^all/{print $2} / requests \|/{for (i = 1; i < NF; i++) if ($(i + 1) == "requests") print $i}' "$DIR/run.txt")
IR=$(callgrind_annotate "$DIR/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !n++ {gsub(",", "", $1); print $1}')
echo "server instructions: $IR for $N requests = $(( IR / N )) per request"
if [ -n "${MEDLEY_BENCH_KEEP:-}" ]; then
  cp "$DIR/callgrind.out" "$MEDLEY_BENCH_KEEP"
  echo "profile kept in $MEDLEY_BENCH_KEEP (callgrind_annotate --inclusive=yes $MEDLEY_BENCH_KEEP)"
fi
