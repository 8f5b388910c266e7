#!/usr/bin/env bash
# The Alexa catalog export of a large library: a TRACKS-track catalog (loadgen gen-catalog,
# plays on the first tenth of it through the history projection's play counts), exported by
# `medley alexa catalogs --out DIR` twice into the same folder (the first export, then one
# that compares every entity with what the folder remembers), with wall time, peak memory
# and the files' sizes.
# Usage: bench/alexa_catalogs.sh [tracks=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
TRACKS=${1:-100000}

. bench/common.sh

$L gen-catalog --tracks "$TRACKS" --out "$DIR/bench.json"
"${M[@]}" catalog import "$DIR/bench.json"
# Listening history, as start events leave it: play counts for every tenth track.
sqlite3 "$DIR/medley.db" "INSERT INTO play_counts SELECT id, 1 + abs(random() % 500) FROM tracks WHERE rowid % 10 = 0" 2>/dev/null \
  || echo "(sqlite3 not installed: exporting without plays)"
for RUN in "first export" "second export"; do
  START=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$DIR/rss" "${M[@]}" alexa catalogs --out "$DIR/catalogs" > "$DIR/printed"
  MS=$(( ($(date +%s%N) - START) / 1000000 ))
  echo "$RUN: $MS ms, peak RSS $(cat "$DIR/rss") KiB"
done
cat "$DIR/printed"
du -k "$DIR/catalogs"/*.json "$DIR/catalogs"/*.jsonl | sed 's/^/KiB /'
