//! Migrations, applied in order on open; `PRAGMA user_version` records how many ran.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE artists (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, images TEXT NOT NULL DEFAULT '[]',
    track_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE albums (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, release_date TEXT, year INTEGER,
    images TEXT NOT NULL DEFAULT '[]', track_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE album_artists (album_id TEXT NOT NULL, pos INTEGER NOT NULL, artist_id TEXT NOT NULL,
    PRIMARY KEY (album_id, pos)) WITHOUT ROWID;
CREATE TABLE album_tracks (album_id TEXT NOT NULL, idx INTEGER NOT NULL, track_id TEXT NOT NULL,
    PRIMARY KEY (album_id, idx)) WITHOUT ROWID;
CREATE INDEX album_tracks_track ON album_tracks (album_id, track_id);
CREATE TABLE tracks (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, isrc TEXT, duration INTEGER NOT NULL,
    album_id TEXT, explicit INTEGER NOT NULL DEFAULT 0, genre TEXT, year INTEGER, file TEXT,
    rnd INTEGER NOT NULL);
CREATE INDEX tracks_genre ON tracks (genre, rnd);
CREATE INDEX tracks_year ON tracks (year, rnd);
CREATE INDEX tracks_rnd ON tracks (rnd);
CREATE TABLE track_artists (track_id TEXT NOT NULL, pos INTEGER NOT NULL, artist_id TEXT NOT NULL,
    PRIMARY KEY (track_id, pos)) WITHOUT ROWID;
CREATE INDEX track_artists_artist ON track_artists (artist_id, track_id);
CREATE TABLE artist_tracks (artist_id TEXT NOT NULL, idx INTEGER NOT NULL, track_id TEXT NOT NULL,
    PRIMARY KEY (artist_id, idx)) WITHOUT ROWID;
CREATE INDEX artist_tracks_track ON artist_tracks (artist_id, track_id);
CREATE TABLE playlists (id TEXT PRIMARY KEY, title TEXT NOT NULL, track_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE playlist_tracks (playlist_id TEXT NOT NULL, idx INTEGER NOT NULL, track_id TEXT NOT NULL,
    PRIMARY KEY (playlist_id, idx)) WITHOUT ROWID;
CREATE INDEX playlist_tracks_track ON playlist_tracks (playlist_id, track_id);
CREATE TABLE podcast_shows (id TEXT PRIMARY KEY, title TEXT NOT NULL);

CREATE TABLE users (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL, max_streams INTEGER NOT NULL,
    visibility TEXT NOT NULL, playback_visibility TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE clients (api_key TEXT PRIMARY KEY, name TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),
    client_key TEXT NOT NULL REFERENCES clients (api_key), scopes TEXT NOT NULL,
    expires_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, device_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, version INTEGER NOT NULL,
    body TEXT NOT NULL);
CREATE INDEX sessions_user ON sessions (user_id, updated_ms);
CREATE TABLE session_tracks (session_id TEXT NOT NULL, idx INTEGER NOT NULL, track_id TEXT NOT NULL,
    PRIMARY KEY (session_id, idx)) WITHOUT ROWID;
CREATE INDEX session_tracks_track ON session_tracks (session_id, track_id);
CREATE TABLE user_streams (user_id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
-- Every playback event; start events are also the listening history (the plays view).
CREATE TABLE events (
    id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT NOT NULL,
    entity_ref TEXT NOT NULL, track_id TEXT NOT NULL, kind TEXT NOT NULL,
    user_skip INTEGER NOT NULL, device_id TEXT NOT NULL, received_ms INTEGER NOT NULL,
    source_type TEXT, source_id TEXT, body TEXT NOT NULL);
CREATE INDEX events_skips ON events (user_id, received_ms) WHERE user_skip = 1;
CREATE INDEX events_plays_user ON events (user_id, received_ms) WHERE kind = 'start';
CREATE INDEX events_plays_track ON events (track_id, received_ms) WHERE kind = 'start';
CREATE VIEW plays AS
    SELECT id, user_id, track_id, session_id, source_type, source_id, received_ms AS played_ms
    FROM events WHERE kind = 'start';
"#,
    r#"
-- The distinct things a user played (the session's album, playlist, artist or station, or the
-- track itself), with the latest time: the recently played entities.
CREATE TABLE recent_entities (
    user_id TEXT NOT NULL, source_type TEXT NOT NULL, source_id TEXT NOT NULL,
    played_ms INTEGER NOT NULL, PRIMARY KEY (user_id, source_type, source_id)) WITHOUT ROWID;
CREATE INDEX recent_entities_time ON recent_entities (user_id, played_ms, source_type, source_id);
INSERT INTO recent_entities (user_id, source_type, source_id, played_ms)
    SELECT user_id, source_type, source_id, max(received_ms) FROM events
    WHERE kind = 'start' AND source_type IS NOT NULL GROUP BY user_id, source_type, source_id;
"#,
    r#"
-- Who follows what: users, artists, playlists, podcast shows, and the tracks in a library.
CREATE TABLE relations (
    user_id TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL, created_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind, target_id)) WITHOUT ROWID;
CREATE INDEX relations_by_time ON relations (user_id, kind, created_ms, target_id);
CREATE INDEX relations_by_target ON relations (kind, target_id, created_ms, user_id);
"#,
    // 4: per-installation secrets (the key that signs media URLs).
    r#"
CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
"#,
    // 5: an artist's albums.
    r#"
CREATE INDEX album_artists_artist ON album_artists (artist_id, album_id);
"#,
    // 6: users' own playlists (catalog playlists have no owner), and ids for their entries.
    r#"
ALTER TABLE playlists ADD COLUMN owner_id TEXT;
ALTER TABLE playlists ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE playlists ADD COLUMN visibility TEXT NOT NULL DEFAULT 'PUBLIC';
ALTER TABLE playlists ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE playlists ADD COLUMN updated_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX playlists_owner ON playlists (owner_id, created_ms, id) WHERE owner_id IS NOT NULL;
ALTER TABLE playlist_tracks ADD COLUMN entry_id TEXT;
"#,
    // 7: search (one full-text index over every kind of catalog item, each kind a block of
    // rowids in order of name length; its vocabulary for typo tolerance) and play counts for
    // popularity.
    concat!(
        r#"
CREATE TABLE search_docs (
    rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, item_id TEXT NOT NULL, UNIQUE (kind, item_id));
CREATE TABLE search_kinds (kind TEXT PRIMARY KEY, lo INTEGER NOT NULL, hi INTEGER NOT NULL);
CREATE VIRTUAL TABLE search_index USING fts5 (
    name, artist, album, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
CREATE VIRTUAL TABLE search_vocab USING fts5vocab (search_index, 'row');
CREATE TABLE search_terms (term TEXT PRIMARY KEY, len INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX search_terms_len ON search_terms (len, term);
CREATE INDEX tracks_isrc ON tracks (isrc) WHERE isrc IS NOT NULL;
CREATE INDEX tracks_album ON tracks (album_id, id);
CREATE INDEX tracks_genre_id ON tracks (genre, id);
CREATE TABLE play_counts (track_id TEXT PRIMARY KEY, plays INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO play_counts SELECT track_id, count(*) FROM events WHERE kind = 'start' GROUP BY track_id;
"#,
        crate::search::reindex_sql!()
    ),
    // 8: where scanned albums' cover art comes from.
    r#"
CREATE TABLE artwork (id TEXT PRIMARY KEY, source TEXT NOT NULL, embedded INTEGER NOT NULL) WITHOUT ROWID;
"#,
    // 9: what each track's audio file holds (`AudioFormat::encode`), for quality selection.
    r#"
ALTER TABLE tracks ADD COLUMN audio TEXT;
"#,
    // 10: a playlist's duration kept with it (reading a playlist costs the same at any size),
    // and versions of users' playlists, each version's entries kept as a track list that
    // sessions play (`PlaylistRecord::snapshot`).
    r#"
ALTER TABLE playlists ADD COLUMN duration INTEGER NOT NULL DEFAULT 0;
ALTER TABLE playlists ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE playlists SET duration = (SELECT coalesce(sum(t.duration), 0)
    FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id WHERE pt.playlist_id = playlists.id);
INSERT INTO session_tracks (session_id, idx, track_id)
    SELECT pt.playlist_id || '@0', pt.idx, pt.track_id
    FROM playlist_tracks pt JOIN playlists p ON p.id = pt.playlist_id WHERE p.owner_id IS NOT NULL;
"#,
    // 11: until when a user has a live stream (the latest end of their streams), so that
    // counting the live streams reads only the users who have one.
    r#"
ALTER TABLE user_streams ADD COLUMN live_until INTEGER NOT NULL DEFAULT 0;
UPDATE user_streams SET live_until = coalesce(
    (SELECT max(json_extract(s.value, '$.ends_ms')) FROM json_each(body, '$.streams') s), 0);
CREATE INDEX user_streams_live ON user_streams (live_until);
"#,
    // 12: sign-in: users' password hashes (argon2id, PHC strings; none: cannot sign in), and
    // OAuth clients' redirect URIs and secret hashes.
    r#"
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE INDEX users_login ON users (lower(name)) WHERE password_hash IS NOT NULL;
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN secret_hash TEXT;
"#,
    // 13: OAuth: grants (a user's link of a client, renewed by its refresh token), the access
    // tokens issued under each, and authorization codes waiting to be exchanged.
    r#"
CREATE TABLE grants (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),
    client_key TEXT NOT NULL REFERENCES clients (api_key), scopes TEXT NOT NULL,
    refresh_hash TEXT UNIQUE, created_ms INTEGER NOT NULL, revoked_ms INTEGER);
CREATE INDEX grants_user ON grants (user_id, created_ms);
ALTER TABLE tokens ADD COLUMN grant_id TEXT REFERENCES grants (id);
CREATE TABLE auth_codes (
    hash TEXT PRIMARY KEY, client_key TEXT NOT NULL, user_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, scopes TEXT NOT NULL, challenge TEXT, challenge_method TEXT,
    expires_ms INTEGER NOT NULL);
"#,
    // 14: code-based linking: devices' codes, waiting for a user to enter them.
    r#"
CREATE TABLE device_codes (
    hash TEXT PRIMARY KEY, user_code TEXT NOT NULL UNIQUE, client_key TEXT NOT NULL,
    scopes TEXT NOT NULL, expires_ms INTEGER NOT NULL, interval_s INTEGER NOT NULL,
    polled_ms INTEGER NOT NULL, user_id TEXT);
"#,
    // 15: the catalog's genres, kept at import, so that finding one by name reads a short
    // list rather than every track.
    concat!(
        "CREATE TABLE genres (name TEXT PRIMARY KEY, track_count INTEGER NOT NULL) WITHOUT ROWID;",
        crate::catalog::genres_sql!()
    ),
    // 16: a mark of the latest revocation (one row, its seq growing with each), which running
    // processes read once a second to drop the tokens they cached.
    r#"
CREATE TABLE revocations (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL);
"#,
    // 17: the catalog by name, a page at a time (the web player's library).
    r#"
CREATE INDEX albums_by_name ON albums (title COLLATE NOCASE, id) WHERE track_count > 0;
CREATE INDEX artists_by_name ON artists (name COLLATE NOCASE, id) WHERE track_count > 0;
CREATE INDEX playlists_by_name ON playlists (title COLLATE NOCASE, id)
    WHERE owner_id IS NULL AND track_count > 0;
"#,
    // 18: sign-ins to the account page, so that whichever process a browser reaches knows
    // them; the token buckets of rate limits several processes count together; failed
    // sign-ins, by the hash of what they count against.
    r#"
CREATE TABLE web_sessions (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,
    expires_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX web_sessions_expiry ON web_sessions (expires_ms);
CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, at_ms INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE INDEX rate_buckets_age ON rate_buckets (at_ms);
CREATE TABLE sign_in_failures (key TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at_ms);
CREATE INDEX sign_in_failures_age ON sign_in_failures (at_ms);
"#,
    // 19: the row `/readyz` writes to learn whether writes succeed again after failing.
    "CREATE TABLE readiness (id INTEGER PRIMARY KEY CHECK (id = 1), probes INTEGER NOT NULL);",
    // 20: the albums each artist appears on, as album artist or on any of its tracks (an
    // artist's page), derived at import like `artist_tracks`.
    r#"
CREATE TABLE artist_albums (artist_id TEXT NOT NULL, album_id TEXT NOT NULL,
    PRIMARY KEY (artist_id, album_id)) WITHOUT ROWID;
INSERT INTO artist_albums (artist_id, album_id)
  SELECT artist_id, album_id FROM album_artists
  UNION SELECT ta.artist_id, t.album_id FROM track_artists ta JOIN tracks t ON t.id = ta.track_id
    WHERE t.album_id IS NOT NULL;
"#,
    // 21: a track's disc and number on its album, as tagged (disc headings).
    "ALTER TABLE tracks ADD COLUMN disc_number INTEGER;
     ALTER TABLE tracks ADD COLUMN track_number INTEGER;",
    // 22: links a person can tell apart (a label, the browser that signed in, which a new
    // sign-in from it replaces), and the refresh tokens a rotation retired, so that a stolen
    // one used after the real one ends the link.
    r#"
ALTER TABLE grants ADD COLUMN label TEXT;
ALTER TABLE grants ADD COLUMN browser TEXT;
CREATE INDEX grants_browser ON grants (user_id, client_key, browser) WHERE browser IS NOT NULL;
ALTER TABLE auth_codes ADD COLUMN label TEXT;
ALTER TABLE auth_codes ADD COLUMN browser TEXT;
CREATE TABLE retired_refresh (hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL,
    retired_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX retired_refresh_grant ON retired_refresh (grant_id, retired_ms);
"#,
    // 23: who runs the house (the admin page).
    "ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;",
];

/// Applies pending migrations; safe when several processes open the same file at once.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(sql) = MIGRATIONS.get(done) else {
            return tx.commit();
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", done + 1)?;
        tx.commit()?;
    }
}
