//! Migrations, applied in order at connect; `medley_schema` records how many ran. Ids and the
//! keys pages are ordered by use the "C" collation, so that they sort by code point on every
//! server, as cursors expect, whatever the database's locale.

use deadpool_postgres::Object;
use medley_store::StoreResult;

use crate::pg;

/// Which lock (`pg_advisory_xact_lock`) migrations hold, so that nodes starting together
/// apply them once.
const MIGRATION_LOCK: i64 = 0x6d65_646c_6579;

const ID: &str = r#"TEXT COLLATE "C""#;

fn migrations() -> Vec<String> {
    vec![
        format!(
            r#"
CREATE TABLE artists (
    id {ID} PRIMARY KEY, name TEXT NOT NULL, images TEXT NOT NULL DEFAULT '[]',
    track_count BIGINT NOT NULL DEFAULT 0);
CREATE INDEX artists_by_name ON artists ((lower(name) COLLATE "C"), id) WHERE track_count > 0;
CREATE TABLE albums (
    id {ID} PRIMARY KEY, title TEXT NOT NULL, release_date {ID}, year INTEGER,
    images TEXT NOT NULL DEFAULT '[]', track_count BIGINT NOT NULL DEFAULT 0);
CREATE INDEX albums_by_name ON albums ((lower(title) COLLATE "C"), id) WHERE track_count > 0;
CREATE TABLE album_artists (album_id {ID} NOT NULL, pos INTEGER NOT NULL, artist_id {ID} NOT NULL,
    PRIMARY KEY (album_id, pos));
CREATE INDEX album_artists_artist ON album_artists (artist_id, album_id);
CREATE TABLE album_tracks (album_id {ID} NOT NULL, idx BIGINT NOT NULL, track_id {ID} NOT NULL,
    PRIMARY KEY (album_id, idx));
CREATE INDEX album_tracks_track ON album_tracks (album_id, track_id);
CREATE INDEX album_tracks_of_track ON album_tracks (track_id);
CREATE TABLE tracks (
    id {ID} PRIMARY KEY, title TEXT NOT NULL, isrc TEXT, duration BIGINT NOT NULL,
    album_id {ID}, explicit BOOLEAN NOT NULL DEFAULT false, genre {ID}, year INTEGER, file TEXT,
    audio TEXT, rnd BIGINT NOT NULL);
CREATE INDEX tracks_genre ON tracks (genre, rnd);
CREATE INDEX tracks_year ON tracks (year, rnd);
CREATE INDEX tracks_rnd ON tracks (rnd);
CREATE INDEX tracks_isrc ON tracks (isrc) WHERE isrc IS NOT NULL;
CREATE INDEX tracks_album ON tracks (album_id, id);
CREATE TABLE track_artists (track_id {ID} NOT NULL, pos INTEGER NOT NULL, artist_id {ID} NOT NULL,
    PRIMARY KEY (track_id, pos));
CREATE INDEX track_artists_artist ON track_artists (artist_id, track_id);
CREATE TABLE artist_tracks (artist_id {ID} NOT NULL, idx BIGINT NOT NULL, track_id {ID} NOT NULL,
    PRIMARY KEY (artist_id, idx));
CREATE INDEX artist_tracks_track ON artist_tracks (artist_id, track_id);
CREATE TABLE playlists (
    id {ID} PRIMARY KEY, title TEXT NOT NULL, track_count BIGINT NOT NULL DEFAULT 0,
    owner_id {ID}, description TEXT NOT NULL DEFAULT '', visibility TEXT NOT NULL DEFAULT 'PUBLIC',
    created_ms BIGINT NOT NULL DEFAULT 0, updated_ms BIGINT NOT NULL DEFAULT 0,
    duration BIGINT NOT NULL DEFAULT 0, version BIGINT NOT NULL DEFAULT 0);
CREATE INDEX playlists_owner ON playlists (owner_id, created_ms, id) WHERE owner_id IS NOT NULL;
CREATE INDEX playlists_by_name ON playlists ((lower(title) COLLATE "C"), id)
    WHERE owner_id IS NULL AND track_count > 0;
CREATE TABLE playlist_tracks (playlist_id {ID} NOT NULL, idx BIGINT NOT NULL,
    track_id {ID} NOT NULL, entry_id {ID}, PRIMARY KEY (playlist_id, idx));
CREATE INDEX playlist_tracks_track ON playlist_tracks (playlist_id, track_id);
CREATE TABLE podcast_shows (id {ID} PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE genres (name {ID} PRIMARY KEY, track_count BIGINT NOT NULL);
CREATE TABLE artwork (id {ID} PRIMARY KEY, source TEXT NOT NULL, embedded BOOLEAN NOT NULL);

CREATE TABLE users (
    id {ID} PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL, max_streams BIGINT NOT NULL,
    visibility TEXT NOT NULL, playback_visibility TEXT NOT NULL, created_ms BIGINT NOT NULL,
    password_hash TEXT);
CREATE INDEX users_login ON users (lower(name)) WHERE password_hash IS NOT NULL;
CREATE TABLE clients (
    api_key {ID} PRIMARY KEY, name TEXT NOT NULL, created_ms BIGINT NOT NULL,
    redirect_uris TEXT NOT NULL DEFAULT '[]', secret_hash TEXT);
CREATE TABLE grants (
    id {ID} PRIMARY KEY, user_id {ID} NOT NULL REFERENCES users (id),
    client_key {ID} NOT NULL REFERENCES clients (api_key), scopes TEXT NOT NULL,
    refresh_hash TEXT UNIQUE, created_ms BIGINT NOT NULL, revoked_ms BIGINT);
CREATE INDEX grants_user ON grants (user_id, created_ms);
CREATE TABLE tokens (
    hash {ID} PRIMARY KEY, user_id {ID} NOT NULL REFERENCES users (id),
    client_key {ID} NOT NULL REFERENCES clients (api_key), scopes TEXT NOT NULL,
    expires_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL, grant_id {ID} REFERENCES grants (id));
CREATE INDEX tokens_user ON tokens (user_id, client_key);
CREATE TABLE auth_codes (
    hash {ID} PRIMARY KEY, client_key {ID} NOT NULL, user_id {ID} NOT NULL,
    redirect_uri TEXT NOT NULL, scopes TEXT NOT NULL, challenge TEXT, challenge_method TEXT,
    expires_ms BIGINT NOT NULL);
CREATE TABLE device_codes (
    hash {ID} PRIMARY KEY, user_code {ID} NOT NULL UNIQUE, client_key {ID} NOT NULL,
    scopes TEXT NOT NULL, expires_ms BIGINT NOT NULL, interval_s BIGINT NOT NULL,
    polled_ms BIGINT NOT NULL, user_id {ID});
-- The mark of the latest revocation: one row whose seq grows with each.
CREATE TABLE revocations (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL);
INSERT INTO revocations VALUES (true, 0, 0);
CREATE TABLE secrets (name {ID} PRIMARY KEY, value BYTEA NOT NULL);

CREATE TABLE sessions (
    id {ID} PRIMARY KEY, user_id {ID} NOT NULL, device_id {ID} NOT NULL,
    created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, version BIGINT NOT NULL,
    body TEXT NOT NULL);
CREATE INDEX sessions_user ON sessions (user_id, updated_ms);
CREATE INDEX sessions_updated ON sessions (updated_ms);
CREATE TABLE session_tracks (session_id {ID} NOT NULL, idx BIGINT NOT NULL, track_id {ID} NOT NULL,
    PRIMARY KEY (session_id, idx));
CREATE INDEX session_tracks_track ON session_tracks (session_id, track_id);
CREATE TABLE user_streams (user_id {ID} PRIMARY KEY, version BIGINT NOT NULL, body TEXT NOT NULL,
    live_until BIGINT NOT NULL DEFAULT 0);
CREATE INDEX user_streams_live ON user_streams (live_until);
-- Every playback event; start events are also the listening history (the plays view).
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY, user_id {ID} NOT NULL, session_id {ID} NOT NULL,
    entity_ref {ID} NOT NULL, track_id {ID} NOT NULL, kind TEXT NOT NULL,
    user_skip BOOLEAN NOT NULL, device_id {ID} NOT NULL, received_ms BIGINT NOT NULL,
    source_type {ID}, source_id {ID}, body TEXT NOT NULL);
CREATE INDEX events_skips ON events (user_id, received_ms) WHERE user_skip;
CREATE INDEX events_plays_user ON events (user_id, received_ms, id) WHERE kind = 'start';
CREATE INDEX events_plays_track ON events (track_id, received_ms) WHERE kind = 'start';
CREATE VIEW plays AS
    SELECT id, user_id, track_id, session_id, source_type, source_id, received_ms AS played_ms
    FROM events WHERE kind = 'start';
CREATE TABLE recent_entities (
    user_id {ID} NOT NULL, source_type {ID} NOT NULL, source_id {ID} NOT NULL,
    played_ms BIGINT NOT NULL, PRIMARY KEY (user_id, source_type, source_id));
CREATE INDEX recent_entities_time ON recent_entities (user_id, played_ms, source_type, source_id);
CREATE TABLE play_counts (track_id {ID} PRIMARY KEY, plays BIGINT NOT NULL);
CREATE TABLE relations (
    user_id {ID} NOT NULL, kind {ID} NOT NULL, target_id {ID} NOT NULL, created_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, target_id));
CREATE INDEX relations_by_time ON relations (user_id, kind, created_ms, target_id);
CREATE INDEX relations_by_target ON relations (kind, target_id, created_ms, user_id);

-- Search: every catalog item's text (as shown, and folded into `doc`), each kind in order of
-- name length (`ord`); the index's vocabulary, for near spellings.
CREATE TABLE search_docs (
    kind {ID} NOT NULL, item_id {ID} NOT NULL, ord BIGINT NOT NULL, name TEXT NOT NULL,
    artist TEXT NOT NULL, album TEXT NOT NULL, doc tsvector NOT NULL,
    PRIMARY KEY (kind, item_id));
CREATE INDEX search_docs_order ON search_docs (kind, ord);
CREATE INDEX search_docs_doc ON search_docs USING gin (doc);
CREATE TABLE search_terms (term {ID} PRIMARY KEY, len INTEGER NOT NULL);
CREATE INDEX search_terms_len ON search_terms (len);
"#
        ),
        // Sign-ins to the account page, so that whichever node a browser reaches knows them;
        // the token buckets of the rate limits every node counts together; failed sign-ins,
        // by the hash of what they count against.
        format!(
            r#"
CREATE TABLE web_sessions (hash {ID} PRIMARY KEY, user_id {ID} NOT NULL,
    expires_ms BIGINT NOT NULL);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_ms);
CREATE TABLE rate_buckets (key {ID} PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL,
    at_ms BIGINT NOT NULL);
CREATE INDEX rate_buckets_age ON rate_buckets (at_ms);
CREATE TABLE sign_in_failures (key {ID} NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at_ms);
CREATE INDEX sign_in_failures_age ON sign_in_failures (at_ms);
"#
        ),
        // The albums each artist appears on, as album artist or on any of its tracks (an
        // artist's page), derived at import like `artist_tracks`.
        format!(
            r#"
CREATE TABLE artist_albums (artist_id {ID} NOT NULL, album_id {ID} NOT NULL,
    PRIMARY KEY (artist_id, album_id));
INSERT INTO artist_albums (artist_id, album_id)
  SELECT artist_id, album_id FROM album_artists
  UNION SELECT ta.artist_id, t.album_id FROM track_artists ta JOIN tracks t ON t.id = ta.track_id
    WHERE t.album_id IS NOT NULL;
"#
        ),
        // A track's disc and number on its album, as tagged (disc headings).
        "ALTER TABLE tracks ADD COLUMN disc_number INTEGER, ADD COLUMN track_number INTEGER;"
            .to_string(),
        // Links a person can tell apart (a label, the browser that signed in, which a new
        // sign-in from it replaces), and the refresh tokens a rotation retired, so that a
        // stolen one used after the real one ends the link.
        format!(
            r#"
ALTER TABLE grants ADD COLUMN label TEXT, ADD COLUMN browser {ID};
CREATE INDEX grants_browser ON grants (user_id, client_key, browser) WHERE browser IS NOT NULL;
ALTER TABLE auth_codes ADD COLUMN label TEXT, ADD COLUMN browser {ID};
CREATE TABLE retired_refresh (hash {ID} PRIMARY KEY, grant_id {ID} NOT NULL,
    retired_ms BIGINT NOT NULL);
CREATE INDEX retired_refresh_grant ON retired_refresh (grant_id, retired_ms);
"#
        ),
        // Who runs the house (the admin page).
        "ALTER TABLE users ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false;".to_string(),
    ]
}

/// Applies pending migrations, each in a transaction of its own.
pub async fn migrate(c: &mut Object) -> StoreResult<()> {
    for (i, sql) in migrations().iter().enumerate() {
        let tx = c.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(pg)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS medley_schema (version INTEGER NOT NULL)")
            .await
            .map_err(pg)?;
        let done: i64 = tx
            .query_one("SELECT count(*) FROM medley_schema", &[])
            .await
            .map_err(pg)?
            .get(0);
        if done as usize > i {
            continue;
        }
        tx.batch_execute(sql).await.map_err(pg)?;
        tx.execute("INSERT INTO medley_schema VALUES ($1)", &[&(i as i32 + 1)])
            .await
            .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
    }
    Ok(())
}
