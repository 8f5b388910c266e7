#!/usr/bin/env bash
# Transcoding: a library of 4-minute stereo FLAC files (half 24-bit/96 kHz, half 16-bit/44.1
# kHz, made by ffmpeg), each rendition fetched cold over loopback (time to first byte, time to
# the whole file, how many times faster than real time), two cold encodes at once, then the
# cached renditions and the originals served from several connections, and the server's RSS.
# Needs ffmpeg. Usage: bench/transcode.sh [files=6] [seconds=3] [connections=4]
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-6}
SECONDS_EACH=${2:-3}
CONNECTIONS=${3:-4}
LENGTH=240
PORT=${MEDLEY_BENCH_PORT:-18084}

. bench/common.sh

flac_library "$FILES" "$LENGTH" "$PORT"
H=(-H "x-api-key: $KEY" -H "Authorization: Bearer $TOKEN" -H "X-Amzn-Device-Id: bench")

# url TRACK CAPABILITY: the file URL a device with that capability gets (bench/dash.sh has DASH).
url() {
  curl -s "${H[@]}" -H "X-Amzn-Audio-Device-Capability: $2" -H "X-Medley-Protocol: PROGRESSIVE" \
    -X POST "$B/v1/playback/sessions" \
    -d '{"playParams": {"id": "mrn:1.0:catalog:track:asin:'"$1"'"}}' \
    | jq -r '.data.entities[0].track.playbackInformation.url'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for CAP in STD_RES HI_FI; do
  : > "$DIR/times"
  for ID in $IDS; do
    U=$(url "$ID" "$CAP")
    case "$U" in *as=original*) continue ;; esac
    curl -s -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}\n' "$U" >> "$DIR/times"
  done
  N=$(wc -l < "$DIR/times")
  echo "$CAP cold, $N files of $LENGTH s: first byte p50 $(cut -d' ' -f1 "$DIR/times" | median) s," \
    "whole file p50 $(cut -d' ' -f2 "$DIR/times" | median) s" \
    "($(cut -d' ' -f2 "$DIR/times" | median | awk -v l=$LENGTH '{printf "%.0f", l / $1}')x real time)," \
    "size p50 $(cut -d' ' -f3 "$DIR/times" | median) bytes"
done

# Two cold encodes at once: the Alexa (MP3) renditions of two files, on two cores.
set -- $IDS
speaker() {
  curl -s -X POST "$B/alexa" -d '{"header": {"namespace": "Alexa.Media.Playback", "name": "Initiate",
    "messageId": "m1", "payloadVersion": "1.0"}, "payload": {"requestContext": {"user": {"id": "x",
    "accessToken": "'"$TOKEN"'"}}, "contentId": "mrn:1.0:catalog:track:asin:'"$1"'"}}' \
    | jq -r .payload.playbackMethod.firstItem.stream.uri
}
A=$(speaker "$1")
C=$(speaker "$2")
START=$(date +%s%N)
curl -s -o /dev/null "$A" &
P1=$!
curl -s -o /dev/null "$C" &
wait "$P1" $!
echo "two cold MP3 encodes at once: $(( ($(date +%s%N) - START) / 1000000 )) ms for both"
echo "server RSS after the encodes: $(ps -o rss= -p "$SERVER") KiB"

P=(--addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$TOKEN" --seconds "$SECONDS_EACH" --connections "$CONNECTIONS")
ORIGINAL=$(url "$1" "STD_RES,HI_FI,HI_RES")
OPUS=$(url "$1" STD_RES)
echo "cached Opus rendition ($(curl -s -o /dev/null -w '%{size_download}' "$OPUS") bytes):"
$L get "${P[@]}" --path "${OPUS#"$B"}"
echo "original FLAC ($(curl -s -o /dev/null -w '%{size_download}' "$ORIGINAL") bytes):"
$L get "${P[@]}" --path "${ORIGINAL#"$B"}"
echo "server RSS: $(ps -o rss= -p "$SERVER") KiB; cache: $(du -sk "$DIR/transcoded" | cut -f1) KiB"
