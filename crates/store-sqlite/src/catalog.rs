//! Catalog import and the reads behind playback: tracks, contexts, recommender candidates.

use async_trait::async_trait;
use medley_core::audio::AudioFormat;
use medley_core::catalog::{AlbumRef, ArtistRef, CatalogFile, TrackView};
use medley_core::ids::UserId;
use medley_store::{
    Artwork, Candidate, CatalogStore, ContextKind, ContextRef, ImportSummary, StoreError,
    StoreResult, TrackSignals, VoiceEntry, VoiceKind,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{backend, SqliteStore};

fn known(conn: &Connection, kind: &str, id: &str) -> bool {
    let table = match kind {
        "artist" => "artists",
        "album" => "albums",
        "track" => "tracks",
        _ => return false,
    };
    conn.query_row(
        &format!("SELECT 1 FROM {table} WHERE id = ?1"),
        [id],
        |_| Ok(()),
    )
    .optional()
    .ok()
    .flatten()
    .is_some()
}

fn import(conn: &Connection, file: &CatalogFile) -> rusqlite::Result<()> {
    let mut seed = rand_seed();
    let mut next_rnd = move || {
        seed = medley_core::rng::mix(seed.wrapping_add(0x9E37_79B9_7F4A_7C15));
        (seed >> 33) as i64
    };
    for a in &file.artists {
        conn.execute(
            "INSERT INTO artists (id, name, images) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, images = excluded.images",
            params![a.id, a.name, medley_store::images_json(&a.images)],
        )?;
    }
    for a in &file.albums {
        let year = a
            .release_date
            .as_deref()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse::<i32>().ok());
        conn.execute(
            "INSERT INTO albums (id, title, release_date, year, images, track_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, release_date = excluded.release_date,
               year = excluded.year, images = excluded.images, track_count = excluded.track_count",
            params![a.id, a.title, a.release_date, year, medley_store::images_json(&a.images), a.track_ids.len()],
        )?;
        conn.execute("DELETE FROM album_artists WHERE album_id = ?1", [&a.id])?;
        for (pos, artist) in a.artist_ids.iter().enumerate() {
            conn.execute(
                "INSERT INTO album_artists VALUES (?1, ?2, ?3)",
                params![a.id, pos, artist],
            )?;
        }
        conn.execute("DELETE FROM album_tracks WHERE album_id = ?1", [&a.id])?;
        let mut ins = conn.prepare_cached("INSERT INTO album_tracks VALUES (?1, ?2, ?3)")?;
        for (idx, t) in a.track_ids.iter().enumerate() {
            ins.execute(params![a.id, idx, t])?;
        }
    }
    {
        let mut upsert = conn.prepare_cached(
            "INSERT INTO tracks (id, title, isrc, duration, album_id, explicit, genre, file, rnd, audio,
                                 disc_number, track_number)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, isrc = excluded.isrc,
               duration = excluded.duration, album_id = excluded.album_id, explicit = excluded.explicit,
               genre = excluded.genre, file = excluded.file, audio = excluded.audio,
               disc_number = excluded.disc_number, track_number = excluded.track_number",
        )?;
        let mut del = conn.prepare_cached("DELETE FROM track_artists WHERE track_id = ?1")?;
        let mut ins = conn.prepare_cached("INSERT INTO track_artists VALUES (?1, ?2, ?3)")?;
        for t in &file.tracks {
            upsert.execute(params![
                t.id,
                t.title,
                t.isrc,
                t.duration,
                t.album_id,
                t.explicit,
                t.genre,
                t.file,
                next_rnd(),
                t.audio.as_ref().map(AudioFormat::encode),
                t.disc_number,
                t.track_number
            ])?;
            del.execute([&t.id])?;
            for (pos, artist) in t.artist_ids.iter().enumerate() {
                ins.execute(params![t.id, pos, artist])?;
            }
        }
    }
    for p in &file.playlists {
        conn.execute(
            "INSERT INTO playlists (id, title, track_count) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, track_count = excluded.track_count
             WHERE owner_id IS NULL",
            params![p.id, p.title, p.track_ids.len()],
        )?;
        let owned: bool = conn.query_row(
            "SELECT owner_id IS NOT NULL FROM playlists WHERE id = ?1",
            [&p.id],
            |r| r.get(0),
        )?;
        if owned {
            continue; // a user's playlist with this id: the catalog does not overwrite it
        }
        conn.execute(
            "DELETE FROM playlist_tracks WHERE playlist_id = ?1",
            [&p.id],
        )?;
        let mut ins = conn.prepare_cached(
            "INSERT INTO playlist_tracks (playlist_id, idx, track_id) VALUES (?1, ?2, ?3)",
        )?;
        for (idx, t) in p.track_ids.iter().enumerate() {
            ins.execute(params![p.id, idx, t])?;
        }
    }
    for s in &file.podcast_shows {
        conn.execute(
            "INSERT INTO podcast_shows (id, title) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title",
            params![s.id, s.title],
        )?;
    }
    Ok(())
}

/// Drops the tracks whose files lie under `root` but are not in `keep` (files removed since
/// the last scan), the albums that leaves empty, and scanned artists left with nothing.
/// Returns how many tracks went.
fn retire_missing(conn: &Connection, root: &str, keep: &[String]) -> rusqlite::Result<usize> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS scan_keep (id TEXT PRIMARY KEY); DELETE FROM scan_keep;",
    )?;
    {
        let mut ins = conn.prepare_cached("INSERT OR IGNORE INTO scan_keep VALUES (?1)")?;
        for id in keep {
            ins.execute([id])?;
        }
    }
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let gone: Vec<String> = conn
        .prepare(
            "SELECT id FROM tracks WHERE substr(file, 1, length(?1)) = ?1 AND id NOT IN (SELECT id FROM scan_keep)",
        )?
        .query_map([&prefix], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &gone {
        conn.execute("DELETE FROM tracks WHERE id = ?1", [id])?;
        conn.execute("DELETE FROM track_artists WHERE track_id = ?1", [id])?;
        let albums: Vec<String> = conn
            .prepare_cached("SELECT DISTINCT album_id FROM album_tracks WHERE track_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for album in albums {
            // Keep the album's entries dense: contexts index them by position.
            conn.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS scan_album (idx INTEGER, track_id TEXT); DELETE FROM scan_album;",
            )?;
            conn.execute(
                "INSERT INTO scan_album SELECT row_number() OVER (ORDER BY idx) - 1, track_id
                 FROM album_tracks WHERE album_id = ?1 AND track_id <> ?2",
                params![album, id],
            )?;
            conn.execute("DELETE FROM album_tracks WHERE album_id = ?1", [&album])?;
            conn.execute(
                "INSERT INTO album_tracks SELECT ?1, idx, track_id FROM scan_album",
                [&album],
            )?;
            conn.execute(
                "UPDATE albums SET track_count = (SELECT count(*) FROM album_tracks WHERE album_id = ?1) WHERE id = ?1",
                [&album],
            )?;
        }
    }
    conn.execute_batch(
        "DELETE FROM album_artists WHERE album_id IN (SELECT id FROM albums WHERE track_count = 0 AND id LIKE 'MAL%');
         DELETE FROM albums WHERE track_count = 0 AND id LIKE 'MAL%';
         DELETE FROM artists WHERE id LIKE 'MAR%'
           AND id NOT IN (SELECT artist_id FROM track_artists)
           AND id NOT IN (SELECT artist_id FROM album_artists);",
    )?;
    Ok(gone.len())
}

/// Data derived from the catalog: track years from their albums, each artist's tracks in
/// release order, and the search index.
/// A playlist's duration from its entries (in an `UPDATE playlists`): imports and edits store
/// it, so reading a playlist never sums them.
pub(crate) const PLAYLIST_DURATION: &str = "(SELECT coalesce(sum(t.duration), 0)
    FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id WHERE pt.playlist_id = playlists.id)";

fn derive(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "UPDATE tracks SET year = (SELECT year FROM albums WHERE albums.id = tracks.album_id);
         DELETE FROM artist_tracks;
         INSERT INTO artist_tracks (artist_id, idx, track_id)
           SELECT ta.artist_id,
                  row_number() OVER (PARTITION BY ta.artist_id
                      ORDER BY al.release_date IS NULL, al.release_date, t.album_id,
                               (SELECT min(idx) FROM album_tracks x WHERE x.album_id = t.album_id AND x.track_id = t.id),
                               t.title, t.id) - 1,
                  ta.track_id
           FROM (SELECT DISTINCT artist_id, track_id FROM track_artists) ta
           JOIN tracks t ON t.id = ta.track_id
           LEFT JOIN albums al ON al.id = t.album_id;
         UPDATE artists SET track_count = (SELECT count(*) FROM artist_tracks WHERE artist_id = artists.id);
         DELETE FROM artist_albums;
         INSERT INTO artist_albums (artist_id, album_id)
           SELECT artist_id, album_id FROM album_artists
           UNION SELECT ta.artist_id, t.album_id FROM track_artists ta JOIN tracks t ON t.id = ta.track_id
             WHERE t.album_id IS NOT NULL;",
    )?;
    conn.execute(
        &format!("UPDATE playlists SET duration = {PLAYLIST_DURATION}"),
        [],
    )?;
    conn.execute_batch(crate::search::reindex_sql!())?;
    conn.execute_batch(genres_sql!())?;
    Ok(())
}

/// Rebuilds the list of genres from the tracks.
macro_rules! genres_sql {
    () => {
        "DELETE FROM genres;
INSERT INTO genres SELECT genre, count(*) FROM tracks WHERE genre IS NOT NULL AND genre <> '' GROUP BY genre;"
    };
}
pub(crate) use genres_sql;

fn rand_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    medley_core::rng::mix(t.as_nanos() as u64 ^ std::process::id() as u64)
}

/// `(table, key column)` of a stored context's entries.
pub(crate) fn context_table(kind: ContextKind) -> Option<(&'static str, &'static str)> {
    match kind {
        ContextKind::Album => Some(("album_tracks", "album_id")),
        ContextKind::Playlist => Some(("playlist_tracks", "playlist_id")),
        ContextKind::Artist => Some(("artist_tracks", "artist_id")),
        ContextKind::TrackList => Some(("session_tracks", "session_id")),
        ContextKind::Track => None,
    }
}

fn track_view(conn: &Connection, id: &str) -> rusqlite::Result<Option<TrackView>> {
    let mut st = conn.prepare_cached(
        "SELECT t.id, t.title, t.isrc, t.duration, t.album_id, a.title, a.images, t.genre, t.file, t.explicit, t.year, t.audio,
                t.disc_number, t.track_number
         FROM tracks t LEFT JOIN albums a ON a.id = t.album_id WHERE t.id = ?1",
    )?;
    let Some(mut view) = st
        .query_row([id], |r| {
            let album_id: Option<String> = r.get(4)?;
            let album_title: Option<String> = r.get(5)?;
            Ok(TrackView {
                id: r.get(0)?,
                title: r.get(1)?,
                isrc: r.get(2)?,
                duration: r.get(3)?,
                album: album_id
                    .zip(album_title)
                    .map(|(id, title)| AlbumRef { id, title }),
                artists: Vec::new(),
                images: medley_store::images_from_json(
                    &r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                ),
                genre: r.get(7)?,
                disc_number: r.get(12)?,
                track_number: r.get(13)?,
                file: r.get(8)?,
                explicit: r.get(9)?,
                year: r.get(10)?,
                audio: r
                    .get::<_, Option<String>>(11)?
                    .as_deref()
                    .and_then(AudioFormat::decode),
            })
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut st = conn.prepare_cached(
        "SELECT ar.id, ar.name, ar.images FROM track_artists ta JOIN artists ar ON ar.id = ta.artist_id
         WHERE ta.track_id = ?1 ORDER BY ta.pos",
    )?;
    let mut artist_images = Vec::new();
    view.artists = st
        .query_map([id], |r| {
            if artist_images.is_empty() {
                artist_images = medley_store::images_from_json(&r.get::<_, String>(2)?);
            }
            Ok(ArtistRef {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if view.images.is_empty() {
        view.images = artist_images;
    }
    Ok(Some(view))
}

fn candidate_features(conn: &Connection, id: &str) -> rusqlite::Result<Option<Candidate>> {
    let mut st = conn.prepare_cached("SELECT t.genre, t.year FROM tracks t WHERE t.id = ?1")?;
    let Some((genre, year)) = st
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    else {
        return Ok(None);
    };
    let mut st = conn
        .prepare_cached("SELECT artist_id FROM track_artists WHERE track_id = ?1 ORDER BY pos")?;
    let artist_ids = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Candidate {
        track_id: id.to_string(),
        artist_ids,
        genre,
        year,
        co_plays: 0,
        user_plays: 0,
    }))
}

/// Tracks of a genre (`?1`), in random order starting at pivot `?2`, at most `?3`.
const GENRE_SAMPLE: &str =
    "SELECT id FROM (SELECT id FROM (SELECT id FROM tracks WHERE genre = ?1 AND rnd >= ?2 ORDER BY rnd LIMIT ?3)
      UNION ALL SELECT id FROM (SELECT id FROM tracks WHERE genre = ?1 AND rnd < ?2 ORDER BY rnd LIMIT ?3)) LIMIT ?3";

/// Tracks of the whole catalog from pivot `?1` on in random (`rnd`) order, wrapping around to
/// the start, at most `?2`.
const CATALOG_SAMPLE: &str =
    "SELECT id FROM (SELECT id, 0 AS pass, rnd FROM (SELECT id, rnd FROM tracks WHERE rnd >= ?1 ORDER BY rnd LIMIT ?2)
      UNION ALL SELECT id, 1, rnd FROM (SELECT id, rnd FROM tracks WHERE rnd < ?1 ORDER BY rnd LIMIT ?2))
     ORDER BY pass, rnd LIMIT ?2";

fn signal_tracks(conn: &Connection, q: &TrackSignals) -> rusqlite::Result<Vec<String>> {
    let per = q.per as i64;
    let pivot = (q.pivot >> 1) as i64;
    let mut ids: Vec<String> = Vec::new();
    let mut collect = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<()> {
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map(p, |r| r.get::<_, String>(0))?;
        for r in rows {
            ids.push(r?);
        }
        Ok(())
    };
    for artist in &q.artist_ids {
        collect(
            "SELECT track_id FROM track_artists WHERE artist_id = ?1 LIMIT ?2",
            &[artist, &per],
        )?;
    }
    for genre in &q.genres {
        collect(GENRE_SAMPLE, &[genre, &pivot, &per])?;
    }
    for year in &q.years {
        collect(
            "SELECT id FROM tracks WHERE year BETWEEN ?1 - 3 AND ?1 + 3 AND rnd >= ?2 ORDER BY year, rnd LIMIT ?3",
            &[year, &pivot, &per],
        )?;
    }
    collect(CATALOG_SAMPLE, &[&pivot, &per])?;
    Ok(ids)
}

fn listeners(
    conn: &Connection,
    tracks: &[String],
    except: &str,
    recent: u32,
    max: u32,
) -> rusqlite::Result<Vec<UserId>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT user_id FROM (SELECT user_id FROM plays WHERE track_id = ?1 AND user_id <> ?2
         ORDER BY played_ms DESC LIMIT ?3) LIMIT ?4",
    )?;
    let mut out = Vec::new();
    for t in tracks {
        for u in st.query_map(params![t, except, recent, max], |r| crate::stored_id(r, 0))? {
            out.push(u?);
        }
    }
    Ok(out)
}

fn latest_plays(
    conn: &Connection,
    users: &[UserId],
    per_user: u32,
) -> rusqlite::Result<Vec<(UserId, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT track_id FROM plays WHERE user_id = ?1 ORDER BY played_ms DESC LIMIT ?2",
    )?;
    let mut out = Vec::new();
    for u in users {
        for t in st.query_map(params![u.as_str(), per_user], |r| r.get::<_, String>(0))? {
            out.push((u.clone(), t?));
        }
    }
    Ok(out)
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn import_catalog(&self, file: CatalogFile) -> StoreResult<ImportSummary> {
        self.write(move |conn| {
            file.validate(&|kind, id| known(conn, kind, id))
                .map_err(StoreError::Invalid)?;
            import(conn, &file).map_err(backend)?;
            derive(conn).map_err(backend)?;
            Ok(ImportSummary::of(&file))
        })
        .await
    }

    async fn import_scan(
        &self,
        file: CatalogFile,
        root: Option<&str>,
        keep: &[String],
        artwork: &[Artwork],
    ) -> StoreResult<ImportSummary> {
        let (root, also, artwork) = (root.map(String::from), keep.to_vec(), artwork.to_vec());
        self.write(move |conn| {
            file.validate(&|kind, id| known(conn, kind, id))
                .map_err(StoreError::Invalid)?;
            import(conn, &file).map_err(backend)?;
            let mut art = conn
                .prepare_cached("INSERT OR REPLACE INTO artwork VALUES (?1, ?2, ?3)")
                .map_err(backend)?;
            for a in &artwork {
                art.execute(params![a.id, a.source, a.embedded])
                    .map_err(backend)?;
            }
            let mut retired = 0;
            if let Some(root) = &root {
                let mut keep: Vec<String> = file.tracks.iter().map(|t| t.id.clone()).collect();
                keep.extend(also);
                retired = retire_missing(conn, root, &keep).map_err(backend)?;
            }
            derive(conn).map_err(backend)?;
            Ok(ImportSummary {
                retired,
                ..ImportSummary::of(&file)
            })
        })
        .await
    }

    async fn tracks_under(&self, root: &str) -> StoreResult<u64> {
        let prefix = format!("{}/", root.trim_end_matches('/'));
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT count(*) FROM tracks WHERE substr(file, 1, length(?1)) = ?1",
            )?
            .query_row([&prefix], |r| r.get(0))
        })
    }

    async fn artwork(&self, id: &str) -> StoreResult<Option<Artwork>> {
        self.read(|conn| {
            conn.prepare_cached("SELECT id, source, embedded FROM artwork WHERE id = ?1")?
                .query_row([id], |r| {
                    Ok(Artwork {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        embedded: r.get(2)?,
                    })
                })
                .optional()
        })
    }

    async fn tracks(&self, ids: &[String]) -> StoreResult<Vec<TrackView>> {
        self.read(|conn| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(v) = track_view(conn, id)? {
                    out.push(v);
                }
            }
            Ok(out)
        })
    }

    async fn context_len(&self, ctx: &ContextRef) -> StoreResult<Option<u32>> {
        self.read(|conn| {
            let sql = match ctx.kind {
                ContextKind::Album => "SELECT track_count FROM albums WHERE id = ?1",
                ContextKind::Playlist => "SELECT track_count FROM playlists WHERE id = ?1",
                ContextKind::Artist => "SELECT track_count FROM artists WHERE id = ?1",
                // The last index alone (a min/max lookup), never a count over the list.
                ContextKind::TrackList => {
                    "SELECT max(idx) + 1 FROM session_tracks WHERE session_id = ?1"
                }
                ContextKind::Track => "SELECT 1 FROM tracks WHERE id = ?1",
            };
            Ok(conn
                .prepare_cached(sql)?
                .query_row([&ctx.id], |r| r.get::<_, Option<u32>>(0))
                .optional()?
                .flatten())
        })
    }

    async fn context_tracks(
        &self,
        ctx: &ContextRef,
        indices: &[u32],
    ) -> StoreResult<Vec<Option<String>>> {
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok(indices
                .iter()
                .map(|i| (*i == 0).then(|| ctx.id.clone()))
                .collect());
        };
        self.read(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT track_id FROM {table} WHERE {key} = ?1 AND idx = ?2"
            ))?;
            indices
                .iter()
                .map(|i| st.query_row(params![ctx.id, i], |r| r.get(0)).optional())
                .collect()
        })
    }

    async fn context_index_of(&self, ctx: &ContextRef, track_id: &str) -> StoreResult<Option<u32>> {
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok((ctx.id == track_id).then_some(0));
        };
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT min(idx) FROM {table} WHERE {key} = ?1 AND track_id = ?2"
            ))?
            .query_row(params![ctx.id, track_id], |r| r.get(0))
        })
    }

    async fn context_artists(
        &self,
        ctx: &ContextRef,
        max: u32,
    ) -> StoreResult<Option<Vec<String>>> {
        let ctx = ctx.to_owned();
        let Some(len) = self.context_len(&ctx).await? else {
            return Ok(None);
        };
        if len > max {
            return Ok(None);
        }
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok(Some(vec![String::new()]));
        };
        self.scan(move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT c.idx, coalesce((SELECT artist_id FROM track_artists ta WHERE ta.track_id = c.track_id ORDER BY pos LIMIT 1), '')
                 FROM {table} c WHERE c.{key} = ?1 ORDER BY c.idx"
            ))?;
            let rows = st.query_map([&ctx.id], |r| r.get::<_, String>(1))?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
        }).await
    }

    async fn item_titles(&self, items: &[(String, String)]) -> StoreResult<Vec<Option<String>>> {
        self.read(|conn| {
            items
                .iter()
                .map(|(kind, id)| {
                    let sql = match kind.as_str() {
                        "ALBUM" => "SELECT title FROM albums WHERE id = ?1",
                        "PLAYLIST" => "SELECT title FROM playlists WHERE id = ?1",
                        "ARTIST" => "SELECT name FROM artists WHERE id = ?1",
                        "TRACK" => "SELECT title FROM tracks WHERE id = ?1",
                        "PODCAST_SHOW" => "SELECT title FROM podcast_shows WHERE id = ?1",
                        _ => return Ok(None),
                    };
                    conn.prepare_cached(sql)?
                        .query_row([id], |r| r.get(0))
                        .optional()
                })
                .collect()
        })
    }

    async fn genre_tracks(&self, genre: &str, pivot: u64, limit: u32) -> StoreResult<Vec<String>> {
        let pivot = (pivot >> 1) as i64;
        self.read(|conn| {
            conn.prepare_cached(GENRE_SAMPLE)?
                .query_map(params![genre, pivot, limit], |r| r.get(0))?
                .collect()
        })
    }

    async fn voice_entries(
        &self,
        kind: VoiceKind,
        after: &str,
        limit: u32,
    ) -> StoreResult<Vec<VoiceEntry>> {
        let after = after.to_string();
        self.read(move |conn| crate::voice_catalog::page(conn, kind, &after, limit))
    }

    async fn genres(&self) -> StoreResult<Vec<String>> {
        self.read(|conn| {
            conn.prepare_cached("SELECT name FROM genres ORDER BY name")?
                .query_map([], |r| r.get(0))?
                .collect()
        })
    }

    async fn sample_tracks(&self, pivot: u64, limit: u32) -> StoreResult<Vec<String>> {
        let pivot = (pivot >> 1) as i64;
        self.read(|conn| {
            conn.prepare_cached(CATALOG_SAMPLE)?
                .query_map(params![pivot, limit], |r| r.get(0))?
                .collect()
        })
    }

    async fn signal_tracks(&self, signals: &TrackSignals) -> StoreResult<Vec<String>> {
        let signals = signals.clone();
        self.scan(move |conn| signal_tracks(conn, &signals)).await
    }

    async fn listeners(
        &self,
        tracks: &[String],
        except: Option<&UserId>,
        recent: u32,
        max: u32,
    ) -> StoreResult<Vec<UserId>> {
        // Bounded index probes (a few hundred rows at most): read here, like a lookup.
        self.read(|conn| listeners(conn, tracks, except.map_or("", UserId::as_str), recent, max))
    }

    async fn latest_plays(
        &self,
        users: &[UserId],
        per_user: u32,
    ) -> StoreResult<Vec<(UserId, String)>> {
        self.read(|conn| latest_plays(conn, users, per_user))
    }

    async fn track_features(&self, ids: &[String]) -> StoreResult<Vec<Candidate>> {
        let ids = ids.to_vec();
        self.scan(move |conn| {
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Some(c) = candidate_features(conn, id)? {
                    out.push(c);
                }
            }
            Ok(out)
        })
        .await
    }
}
