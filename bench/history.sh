#!/usr/bin/env bash
# Recently played with a long history: one user with 1,000,000 plays (and 2,000 distinct
# entities), then the first page and a deep page of both history endpoints, GET over loopback.
# Usage: bench/history.sh [plays=1000000] [seconds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
PLAYS=${1:-1000000}
SECONDS_EACH=${2:-5}
PORT=${MEDLEY_BENCH_PORT:-18081}

. bench/common.sh

"${M[@]}" catalog import crates/service/demo/catalog.json
KEY=$("${M[@]}" client add --name bench)
USER=$("${M[@]}" user add --name listener)
TOKEN=$("${M[@]}" token issue --user "$USER" --client "$KEY" --ttl 86400)

# Seed the history straight into the store (the server is not running yet): what a year of
# start events through the Playback API would have written.
python3 - "$DIR/medley.db" "$USER" "$PLAYS" <<'PY'
import sqlite3, sys
db, user, plays = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = sqlite3.connect(db)
tracks = [r[0] for r in c.execute("SELECT id FROM tracks ORDER BY id")]
t0 = 1_700_000_000_000
rows = ((user, "bench-session", "bench-entity", tracks[i % len(tracks)], "start", 0, "bench",
         t0 + i * 1000, "ALBUM", "AL%04d" % (i % 2000), "{}") for i in range(plays))
c.executemany("""INSERT INTO events (user_id, session_id, entity_ref, track_id, kind, user_skip,
                 device_id, received_ms, source_type, source_id, body)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
c.execute("""INSERT INTO recent_entities (user_id, source_type, source_id, played_ms)
             SELECT user_id, source_type, source_id, max(received_ms) FROM events
             WHERE user_id = ? GROUP BY source_type, source_id""", (user,))
c.commit()
print(f"seeded {plays} plays for {user}")
PY

# One token drives all connections here, so the per-token rate limit is off for this run.
echo "rate_limit_per_sec = 0" > "$DIR/bench.toml"
start_server "$PORT" --config "$DIR/bench.toml"

# A cursor as Medley makes them (docs/api.md, "Paging"): v1. and the base64url of its fields.
cursor() { python3 -c 'import base64, sys; print("v1." + base64.urlsafe_b64encode("\x1f".join(sys.argv[1:]).encode()).decode().rstrip("="))' "$@"; }
# A deep page: the cursor of the play 90% of the way back (ids are in insertion order).
DEEP_ID=$(( PLAYS / 10 ))
DEEP=$(cursor $(( 1700000000000 + (DEEP_ID - 1) * 1000 )) "$DEEP_ID")
DEEP_ENTITY=$(cursor $(( 1700000000000 + (PLAYS - 2000 + 100) * 1000 )) ALBUM AL0100)
for P in "/player/recentlyPlayed?limit=60" "/player/recentlyPlayed?limit=60&cursor=$DEEP" \
         "/v1/me/recentlyPlayedEntities?limit=100" "/v1/me/recentlyPlayedEntities?limit=100&cursor=$DEEP_ENTITY"; do
  $L get --addr "127.0.0.1:$PORT" --api-key "$KEY" --token "$TOKEN" --path "$P" --seconds "$SECONDS_EACH"
done
