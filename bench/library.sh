#!/usr/bin/env bash
# Importing an audio library: FILES tagged WAV files (medley-loadgen gen-library: 200 ms tones,
# ID3v2 tags, ten per album folder), scanned by `medley catalog import FOLDER` twice (the
# first import, then a re-scan of the unchanged folder), with wall time and peak memory.
# Usage: bench/library.sh [files=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-20000}

. bench/common.sh

$L gen-library --files "$FILES" --out "$DIR/music"
for RUN in "first import" "re-scan"; do
  START=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$DIR/rss" "${M[@]}" catalog import "$DIR/music"
  MS=$(( ($(date +%s%N) - START) / 1000000 ))
  echo "$RUN: $MS ms, $(( FILES * 1000 / (MS > 0 ? MS : 1) )) files/s, peak RSS $(cat "$DIR/rss") KiB"
done
