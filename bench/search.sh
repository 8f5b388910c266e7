#!/usr/bin/env bash
# Search at scale: a 100,000-track word-based catalog (loadgen gen-catalog), then a set of
# queries over loopback, each for a few seconds from several connections: a common word, a
# two-letter prefix, several words across fields, a typo, an exact ISRC, a sorted search and
# the search across types.
# Usage: bench/search.sh [tracks=100000] [seconds=5] [connections=8]
set -euo pipefail
cd "$(dirname "$0")/.."
TRACKS=${1:-100000}
SECONDS_EACH=${2:-5}
CONNECTIONS=${3:-8}
PORT=${MEDLEY_BENCH_PORT:-18082}

. bench/common.sh

$L gen-catalog --tracks "$TRACKS" --out "$DIR/bench.json"
START=$(date +%s%N)
"${M[@]}" catalog import "$DIR/bench.json"
echo "import (with indexing): $(( ($(date +%s%N) - START) / 1000000 )) ms"
KEY=$("${M[@]}" client add --name bench)
USER=$("${M[@]}" user add --name searcher)
TOKEN=$("${M[@]}" token issue --user "$USER" --client "$KEY" --ttl 86400)
echo "rate_limit_per_sec = 0" > "$DIR/bench.toml"
start_server "$PORT" --config "$DIR/bench.toml"

S=(--addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$TOKEN" --seconds "$SECONDS_EACH" --connections "$CONNECTIONS")
for BODY in \
  '{"searchFilters": [{"query": "midnight"}], "limit": 20}' \
  '{"searchFilters": [{"query": "mi"}], "limit": 20}' \
  '{"searchFilters": [{"query": "velvet harbor storm"}], "limit": 20}' \
  '{"searchFilters": [{"query": "midnigth rievr"}], "limit": 20}' \
  '{"searchFilters": [{"query": "QZBEN0054321"}], "limit": 20}' \
  '{"searchFilters": [{"field": "artistName", "query": "silver"}], "sortBy": "popularity", "limit": 20}' \
  '{"searchFilters": [{"field": "isrc", "query": "QZBEN0054321"}], "limit": 20}' \
  '{"searchFilters": [{"field": "categoryId", "query": "Rock"}], "limit": 20}'; do
  $L get "${S[@]}" --path /v1/search/tracks --body "$BODY"
done
$L get "${S[@]}" --path "/v1/search?query=golden%20river&limit=10"
echo "server RSS: $(ps -o rss= -p "$SERVER") KiB"
