# Sourced by the bench scripts: release binaries, a throw-away data dir that is removed on
# exit (with the server, if one was started), and a way to start the server and wait for it.
cargo build --release -q -p medley -p medley-loadgen
DIR=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
M=(target/release/medley --data-dir "$DIR")
L=target/release/medley-loadgen

# start_server PORT [medley options…]: serves on 127.0.0.1:PORT until the script exits.
start_server() {
  local port=$1
  shift
  "${M[@]}" "$@" serve --bind "127.0.0.1:$port" 2> "$DIR/server.log" &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q "listening" "$DIR/server.log" && return; sleep 0.1; done
  echo "the server did not start" >&2
  return 1
}

# flac_library FILES LENGTH PORT: FILES stereo FLAC files of LENGTH seconds (odd ones 24-bit/96
# kHz, even ones 16-bit/44.1 kHz, made by ffmpeg) imported, a client, a user and its TOKEN,
# and the server on PORT without rate limits; sets KEY, TOKEN, B (its URL) and IDS (the tracks).
flac_library() {
  local files=$1 length=$2 port=$3 i rate fmt
  mkdir -p "$DIR/music"
  for i in $(seq 1 "$files"); do
    if (( i % 2 )); then rate=96000 fmt=s32; else rate=44100 fmt=s16; fi
    ffmpeg -nostdin -loglevel error -f lavfi \
      -i "sine=frequency=$((200 + 40 * i)):sample_rate=$rate:duration=$length" -ac 2 -c:a flac \
      -sample_fmt "$fmt" -metadata title="Bench $i" -metadata artist="Bench" -metadata album="Bench" \
      -metadata track="$i" "$DIR/music/$(printf %02d "$i").flac"
  done
  "${M[@]}" catalog import "$DIR/music"
  KEY=$("${M[@]}" client add --name bench)
  local user
  user=$("${M[@]}" user add --name listener)
  TOKEN=$("${M[@]}" token issue --user "$user" --client "$KEY" --ttl 86400)
  echo "rate_limit_per_sec = 0" > "$DIR/bench.toml"
  start_server "$port" --config "$DIR/bench.toml"
  B="http://127.0.0.1:$port"
  IDS=$(curl -s -H "x-api-key: $KEY" -H "Authorization: Bearer $TOKEN" -H "X-Amzn-Device-Id: bench" \
    "$B/v1/search?query=bench&limit=50" \
    | jq -r '.. | objects | select(.mrn? // "" | startswith("mrn:1.0:catalog:track")) | .id' | sort -u)
}
