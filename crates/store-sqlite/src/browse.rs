//! Catalog reads for browsing: whole albums, artists, playlists and shows, context entries a
//! page at a time, an artist's albums.

use async_trait::async_trait;
use medley_core::catalog::ArtistRef;
use medley_core::ids::{AlbumId, ArtistId, Id, PlaylistId, ShowId};
use medley_store::{
    AlbumRecord, ArtistRecord, BrowseStore, ContextRef, NamedKind, PlaylistRecord,
    PodcastShowRecord, StoreResult, Visibility,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::catalog::context_table;
use crate::SqliteStore;
use medley_core::ids::UserId;
use medley_store::images_from_json as images_from;

/// Runs `one` for each id, keeping the order asked and leaving out unknown ids.
fn each<I: Id, T>(
    conn: &Connection,
    ids: &[I],
    one: impl Fn(&Connection, &str) -> rusqlite::Result<Option<T>>,
) -> rusqlite::Result<Vec<T>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(x) = one(conn, id.as_str())? {
            out.push(x);
        }
    }
    Ok(out)
}

fn album(conn: &Connection, id: &str) -> rusqlite::Result<Option<AlbumRecord>> {
    let Some(mut a) = conn
        .prepare_cached(
            "SELECT a.id, a.title, a.release_date, a.images, a.track_count,
                    coalesce(sum(t.duration), 0), coalesce(max(t.explicit), 0)
             FROM albums a LEFT JOIN album_tracks at ON at.album_id = a.id
             LEFT JOIN tracks t ON t.id = at.track_id
             WHERE a.id = ?1 GROUP BY a.id",
        )?
        .query_row([id], |r| {
            Ok(AlbumRecord {
                id: crate::stored_id(r, 0)?,
                title: r.get(1)?,
                release_date: r.get(2)?,
                images: images_from(&r.get::<_, String>(3)?),
                artists: Vec::new(),
                track_count: r.get(4)?,
                duration: r.get(5)?,
                explicit: r.get(6)?,
            })
        })
        .optional()?
    else {
        return Ok(None);
    };
    a.artists = conn
        .prepare_cached(
            "SELECT ar.id, ar.name FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id
             WHERE aa.album_id = ?1 ORDER BY aa.pos",
        )?
        .query_map([id], |r| {
            Ok(ArtistRef {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(a))
}

fn artist(conn: &Connection, id: &str) -> rusqlite::Result<Option<ArtistRecord>> {
    conn.prepare_cached("SELECT id, name, images, track_count FROM artists WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(ArtistRecord {
                id: crate::stored_id(r, 0)?,
                name: r.get(1)?,
                images: images_from(&r.get::<_, String>(2)?),
                track_count: r.get(3)?,
            })
        })
        .optional()
}

const PLAYLIST_COLUMNS: &str = "p.id, p.title, p.track_count, p.duration,
    p.owner_id, p.description, p.visibility, p.created_ms, p.updated_ms, p.version";

pub(crate) fn playlist_row(r: &rusqlite::Row) -> rusqlite::Result<PlaylistRecord> {
    let visibility: String = r.get(6)?;
    Ok(PlaylistRecord {
        id: crate::stored_id(r, 0)?,
        title: r.get(1)?,
        track_count: r.get(2)?,
        duration: r.get(3)?,
        owner_id: r.get::<_, Option<String>>(4)?.map(UserId::stored),
        description: r.get(5)?,
        visibility: Visibility::parse(&visibility),
        created_ms: r.get(7)?,
        updated_ms: r.get(8)?,
        version: r.get(9)?,
    })
}

pub(crate) fn playlist(conn: &Connection, id: &str) -> rusqlite::Result<Option<PlaylistRecord>> {
    conn.prepare_cached(&format!(
        "SELECT {PLAYLIST_COLUMNS} FROM playlists p WHERE p.id = ?1"
    ))?
    .query_row([id], playlist_row)
    .optional()
}

/// A user's playlists, newest first, after the `(created_ms, id)` cursor.
pub(crate) fn owned_playlists(
    conn: &Connection,
    owner: &str,
    before: Option<(i64, String)>,
    limit: u32,
) -> rusqlite::Result<Vec<PlaylistRecord>> {
    let (ms, id) = before.unwrap_or((i64::MAX, String::new()));
    conn.prepare_cached(&format!(
        "SELECT {PLAYLIST_COLUMNS} FROM playlists p WHERE p.owner_id = ?1
           AND (p.created_ms, p.id) < (?2, ?3) ORDER BY p.created_ms DESC, p.id DESC LIMIT ?4"
    ))?
    .query_map(params![owner, ms, id, limit], playlist_row)?
    .collect()
}

fn show(conn: &Connection, id: &str) -> rusqlite::Result<Option<PodcastShowRecord>> {
    conn.prepare_cached("SELECT id, title FROM podcast_shows WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(PodcastShowRecord {
                id: crate::stored_id(r, 0)?,
                title: r.get(1)?,
            })
        })
        .optional()
}

#[async_trait]
impl BrowseStore for SqliteStore {
    async fn albums(&self, ids: &[AlbumId]) -> StoreResult<Vec<AlbumRecord>> {
        self.read(|conn| each(conn, ids, album))
    }

    async fn artists(&self, ids: &[ArtistId]) -> StoreResult<Vec<ArtistRecord>> {
        self.read(|conn| each(conn, ids, artist))
    }

    async fn playlists(&self, ids: &[PlaylistId]) -> StoreResult<Vec<PlaylistRecord>> {
        self.read(|conn| each(conn, ids, playlist))
    }

    async fn podcast_shows(&self, ids: &[ShowId]) -> StoreResult<Vec<PodcastShowRecord>> {
        self.read(|conn| each(conn, ids, show))
    }

    async fn context_entries(
        &self,
        ctx: &ContextRef,
        after: Option<u32>,
        limit: u32,
    ) -> StoreResult<Vec<(u32, String)>> {
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok(if after.is_none() && limit > 0 {
                vec![(0, ctx.id.clone())]
            } else {
                Vec::new()
            });
        };
        let from = after.map_or(0, |a| a as i64 + 1);
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT idx, track_id FROM {table} WHERE {key} = ?1 AND idx >= ?2 ORDER BY idx LIMIT ?3"
            ))?
            .query_map(params![ctx.id, from, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
        })
    }

    async fn by_name(
        &self,
        kind: NamedKind,
        after: Option<(String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>> {
        let sql = match kind {
            NamedKind::Album => {
                "SELECT title, id FROM albums WHERE track_count > 0
                   AND title >= ?1 COLLATE NOCASE AND NOT (title = ?1 COLLATE NOCASE AND id <= ?2)
                 ORDER BY title COLLATE NOCASE, id LIMIT ?3"
            }
            NamedKind::Artist => {
                "SELECT name, id FROM artists WHERE track_count > 0
                   AND name >= ?1 COLLATE NOCASE AND NOT (name = ?1 COLLATE NOCASE AND id <= ?2)
                 ORDER BY name COLLATE NOCASE, id LIMIT ?3"
            }
            NamedKind::Playlist => {
                "SELECT title, id FROM playlists WHERE owner_id IS NULL AND track_count > 0
                   AND title >= ?1 COLLATE NOCASE AND NOT (title = ?1 COLLATE NOCASE AND id <= ?2)
                 ORDER BY title COLLATE NOCASE, id LIMIT ?3"
            }
        };
        // Before every name: the empty one with the empty id. (The bound is a range start the
        // index seeks to, not a row value, which SQLite would scan up to.)
        let (name, id) = after.unwrap_or_default();
        self.read(|conn| {
            conn.prepare_cached(sql)?
                .query_map(params![name, id, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    async fn artist_albums(
        &self,
        artist_id: &medley_core::ids::ArtistId,
        after: Option<(String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>> {
        let artist_id = artist_id.as_str();
        // Newest first: descending (release date, id), with undated albums ("") last.
        let (date, id) = after.unwrap_or_else(|| ("\u{10FFFF}".into(), String::new()));
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT coalesce(a.release_date, ''), a.id FROM albums a
                 WHERE a.id IN (SELECT album_id FROM artist_albums WHERE artist_id = ?1)
                   AND (coalesce(a.release_date, ''), a.id) < (?2, ?3)
                 ORDER BY coalesce(a.release_date, '') DESC, a.id DESC LIMIT ?4",
            )?
            .query_map(params![artist_id, date, id, limit], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect()
        })
    }
}
