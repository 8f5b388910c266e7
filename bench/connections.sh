#!/usr/bin/env bash
# What idle and slow clients cost the server: 2,000 keep-alive connections that make one request
# and go idle, plus 300 that send a header line every two seconds and never finish. Reports
# when the server closed them and its RSS before, at the peak, and after they are gone.
# Usage: bench/connections.sh [idle=2000] [slow=300] [seconds=75]
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${1:-2000}
SLOW=${2:-300}
HOLD=${3:-75}
PORT=${MEDLEY_BENCH_PORT:-18082}

. bench/common.sh

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
start_server "$PORT"
rss() { ps -o rss= -p "$SERVER" | tr -d ' '; }
echo "server RSS before: $(rss) KiB"
$L sockets --addr "127.0.0.1:$PORT" --idle "$IDLE" --slow "$SLOW" --seconds "$HOLD" > "$DIR/sockets.txt" &
CLIENT=$!
PEAK=0
while kill -0 "$CLIENT" 2>/dev/null; do
  R=$(rss); [ "$R" -gt "$PEAK" ] && PEAK=$R
  sleep 0.5
done
wait "$CLIENT"
cat "$DIR/sockets.txt"
echo "server RSS at the peak: $PEAK KiB"
sleep 5
echo "server RSS 5 s after the clients left: $(rss) KiB"
