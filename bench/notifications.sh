#!/usr/bin/env bash
# What open notification streams cost the server: STREAMS streams of GET
# /v1/playback/notifications (USERS users, a token each, several streams per user) held idle
# for HOLD seconds, with the server's RSS before, while they are open and after, and the CPU it
# spends on them (heartbeats every 15 s, token checks) while they idle.
# Usage: bench/notifications.sh [streams=2000] [users=100] [hold=45]
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS=${1:-2000}
USERS=${2:-100}
HOLD=${3:-45}
PORT=${MEDLEY_BENCH_PORT:-18083}

. bench/common.sh

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
KEY=$("${M[@]}" client add --name bench)
for i in $(seq 1 "$USERS"); do
  U=$("${M[@]}" user add --name "listener$i")
  "${M[@]}" token issue --user "$U" --client "$KEY" --ttl 86400 >> "$DIR/tokens"
done
printf 'rate_limit_per_sec = 0\nmax_connections = %d\n' $(( STREAMS + 100 )) > "$DIR/bench.toml"
start_server "$PORT" --config "$DIR/bench.toml"
rss() { ps -o rss= -p "$SERVER" | tr -d ' '; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
echo "server RSS before: $(rss) KiB"
$L listen --addr "127.0.0.1:$PORT" --api-key "$KEY" --tokens "$DIR/tokens" --streams "$STREAMS" \
  --seconds "$HOLD" > "$DIR/listen.txt" &
CLIENT=$!
# Let them all connect, then measure the idle window.
sleep 10
T0=$(cpu_ticks); START=$(date +%s%N)
PEAK=0
while kill -0 "$CLIENT" 2>/dev/null; do
  R=$(rss); [ "$R" -gt "$PEAK" ] && PEAK=$R
  sleep 0.5
done
T1=$(cpu_ticks); MS=$(( ($(date +%s%N) - START) / 1000000 ))
wait "$CLIENT"
cat "$DIR/listen.txt"
echo "server RSS with the streams open (peak): $PEAK KiB"
awk -v t=$(( T1 - T0 )) -v ms="$MS" 'BEGIN { printf "server CPU while they idled: %d ms in %d ms (%.2f %% of one core)\n", t * 10, ms, t * 1000 / ms }'
sleep 3
echo "server RSS after they closed: $(rss) KiB"
