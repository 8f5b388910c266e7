#!/usr/bin/env bash
# All the tests, on both backends: the workspace on the embedded SQLite store, then again on
# PostgreSQL, in a fresh database made for this run (and dropped after it) on the server that
# MEDLEY_TEST_PG names (by default postgres://postgres@127.0.0.1:5432/postgres). Without a
# reachable server the PostgreSQL run is skipped, saying so (MEDLEY_REQUIRE_POSTGRES=1 makes
# that a failure). Arguments go to both `cargo test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== the tests on SQLite" >&2
cargo test --workspace --locked "$@"

ADMIN=${MEDLEY_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
if ! command -v psql >/dev/null 2>&1 || ! psql "$ADMIN" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  if [ "${MEDLEY_REQUIRE_POSTGRES:-}" = 1 ]; then
    echo "no PostgreSQL server answers at $ADMIN (or psql is missing)" >&2
    exit 1
  fi
  echo "skipped the tests on PostgreSQL: no server answers at $ADMIN (set MEDLEY_TEST_PG)" >&2
  exit 0
fi
DB="medley_test_$(date +%s)_$$"
psql "$ADMIN" -qc "CREATE DATABASE $DB"
trap 'psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
echo "== the tests on PostgreSQL (database $DB)" >&2
MEDLEY_TEST_DATABASE_URL="${ADMIN%/*}/$DB" cargo test --workspace --locked "$@"
