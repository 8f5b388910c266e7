#!/usr/bin/env bash
# DASH: a library of 4-minute stereo FLAC files (half 24-bit/96 kHz, half 16-bit/44.1 kHz, made
# by ffmpeg). For each file on a cold cache, over loopback: the manifest, then the time to the
# first segment (init and 1.m4s, which start the encode) of Opus 192 and of FLAC at the file's
# own resolution, and to the last segment (which waits for the encode to reach it); the same
# for Clear Key (encrypted as served). Then the cached segments served from several
# connections, clear and encrypted, and the server's RSS.
# Needs ffmpeg. Usage: bench/dash.sh [files=4] [seconds=3] [connections=4]
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-4}
SECONDS_EACH=${2:-3}
CONNECTIONS=${3:-4}
LENGTH=240
PORT=${MEDLEY_BENCH_PORT:-18085}

. bench/common.sh

flac_library "$FILES" "$LENGTH" "$PORT"
H=(-H "x-api-key: $KEY" -H "Authorization: Bearer $TOKEN" -H "X-Amzn-Device-Id: bench"
   -H "X-Amzn-Audio-Device-Capability: STD_RES,HI_FI,HI_RES")

# manifest TRACK DRM: the manifest URL a HI_RES device sending that DRM type gets.
manifest() {
  curl -s "${H[@]}" -H "X-Amzn-Audio-DRMType: $2" -X POST "$B/v1/playback/sessions" \
    -d '{"playParams": {"id": "mrn:1.0:catalog:track:asin:'"$1"'"}}' \
    | jq -r '.data.entities[0].track.playbackInformation.url'
}
# segment MANIFEST REP NAME: the URL of a segment of the manifest's presentation.
segment() { echo "${1%manifest.mpd*}$2/$3?${1#*\?}"; }
ms() { awk '{printf "%.0f", $1 * 1000}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
LAST=$(( (LENGTH + 3) / 4 ))

for DRM in NONE CLEARKEY; do
  for REP in opus192 flac; do
    : > "$DIR/first"
    : > "$DIR/last"
    for ID in $IDS; do
      U=$(manifest "$ID" "$DRM")
      # A 16-bit file has no FLAC above 16 bits: its flac16 is its own resolution.
      R=$REP
      curl -s "$U" | grep -q "id=\"$R\"" || R=flac16
      START=$(date +%s%N)
      curl -sf -o /dev/null "$(segment "$U" "$R" init.mp4)"
      curl -sf -o /dev/null "$(segment "$U" "$R" 1.m4s)"
      echo "$(( ($(date +%s%N) - START) / 1000000 ))" >> "$DIR/first"
      curl -sf -o /dev/null -w '%{time_total}\n' "$(segment "$U" "$R" "$LAST.m4s")" | ms >> "$DIR/last"
      echo >> "$DIR/last"
    done
    echo "$DRM $REP (flac16 of the 16-bit files), $FILES files of $LENGTH s, cold: init + first segment p50 $(median < "$DIR/first") ms," \
      "then segment $LAST (the encode's end) p50 $(grep . "$DIR/last" | median) ms"
    # The next pass starts cold again.
    rm -f "$DIR"/transcoded/*
  done
done
echo "server RSS after the encodes: $(ps -o rss= -p "$SERVER") KiB"

set -- $IDS
P=(--addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$TOKEN" --seconds "$SECONDS_EACH" --connections "$CONNECTIONS")
for DRM in NONE CLEARKEY; do
  U=$(manifest "$1" "$DRM")
  for REP in opus192 flac; do
    S=$(segment "$U" "$REP" 2.m4s)
    curl -sf -o /dev/null "$(segment "$U" "$REP" "$LAST.m4s")"   # the whole encode, cached
    echo "$DRM $REP cached segment ($(curl -s -o /dev/null -w '%{size_download}' "$S") bytes):"
    $L get "${P[@]}" --path "${S#"$B"}"
  done
done
echo "server RSS: $(ps -o rss= -p "$SERVER") KiB; cache: $(du -sk "$DIR/transcoded" | cut -f1) KiB"
