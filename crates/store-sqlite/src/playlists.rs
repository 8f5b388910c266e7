//! Users' own playlists: create, edit (details, append, remove, move), delete, list. Entries
//! keep a dense 0-based `idx`; every edit that changes them renumbers in the same transaction.

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_store::{
    playlist_version, PlaylistEdit, PlaylistEntry, PlaylistRecord, PlaylistStore, StoreResult,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::browse::owned_playlists;
use crate::catalog::PLAYLIST_DURATION;
use crate::{backend, taken, SqliteStore};

/// Entry ids in order, for a user's playlist.
fn entry_ids(conn: &Connection, id: &str) -> rusqlite::Result<Vec<(String, String)>> {
    conn.prepare_cached(
        "SELECT coalesce(entry_id, ''), track_id FROM playlist_tracks WHERE playlist_id = ?1 ORDER BY idx",
    )?
    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Rewrites a playlist's entries in the given order as its next version, and stores that
/// version's track list for the sessions that will play it.
fn write_entries(
    conn: &Connection,
    id: &str,
    entries: &[(String, String)],
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM playlist_tracks WHERE playlist_id = ?1", [id])?;
    let version: i64 = conn.query_row(
        "UPDATE playlists SET track_count = ?2, version = version + 1 WHERE id = ?1 RETURNING version",
        params![id, entries.len()],
        |r| r.get(0),
    )?;
    let list = playlist_version(id, version).id;
    let mut ins = conn.prepare_cached(
        "INSERT INTO playlist_tracks (playlist_id, idx, track_id, entry_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut snap = conn.prepare_cached(
        "INSERT INTO session_tracks (session_id, idx, track_id) VALUES (?1, ?2, ?3)",
    )?;
    for (idx, (entry, track)) in entries.iter().enumerate() {
        ins.execute(params![id, idx, track, entry])?;
        snap.execute(params![list, idx, track])?;
    }
    conn.execute(
        &format!("UPDATE playlists SET duration = {PLAYLIST_DURATION} WHERE id = ?1"),
        [id],
    )?;
    Ok(())
}

fn edit(conn: &Connection, id: &str, e: &PlaylistEdit, now_ms: i64) -> rusqlite::Result<bool> {
    let owned: Option<bool> = conn
        .query_row(
            "SELECT owner_id IS NOT NULL FROM playlists WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    if owned != Some(true) {
        return Ok(false);
    }
    match e {
        PlaylistEdit::Details {
            title,
            description,
            visibility,
        } => {
            conn.execute(
                "UPDATE playlists SET title = coalesce(?2, title), description = coalesce(?3, description),
                   visibility = coalesce(?4, visibility) WHERE id = ?1",
                params![id, title, description, visibility.as_ref().map(|v| v.as_str())],
            )?;
        }
        _ => {
            if let Some(entries) = e.entries_after(entry_ids(conn, id)?) {
                write_entries(conn, id, &entries)?;
            }
        }
    }
    conn.execute(
        "UPDATE playlists SET updated_ms = max(updated_ms, ?2) WHERE id = ?1",
        params![id, now_ms],
    )?;
    Ok(true)
}

#[async_trait]
impl PlaylistStore for SqliteStore {
    async fn create_playlist(&self, p: &PlaylistRecord) -> StoreResult<()> {
        let p = p.clone();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO playlists (id, title, track_count, owner_id, description, visibility, created_ms, updated_ms)
                 VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?6)",
                params![p.id.as_str(), p.title, p.owner_id.as_ref().map(UserId::as_str), p.description, p.visibility.as_str(), p.created_ms],
            )
            .map_err(|e| taken(e, format!("playlist '{}'", p.id)))?;
            Ok(())
        })
        .await
    }

    async fn edit_playlist(
        &self,
        id: &medley_core::ids::PlaylistId,
        e: &PlaylistEdit,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let id = id.as_str();
        let (id, e) = (id.to_string(), e.clone());
        self.write(move |conn| edit(conn, &id, &e, now_ms).map_err(backend))
            .await
    }

    async fn delete_playlist(&self, id: &medley_core::ids::PlaylistId) -> StoreResult<bool> {
        let id = id.as_str();
        let id = id.to_string();
        self.write(move |conn| {
            let n = conn
                .execute(
                    "DELETE FROM playlists WHERE id = ?1 AND owner_id IS NOT NULL",
                    [&id],
                )
                .map_err(backend)?;
            if n > 0 {
                conn.execute("DELETE FROM playlist_tracks WHERE playlist_id = ?1", [&id])
                    .map_err(backend)?;
            }
            Ok(n > 0)
        })
        .await
    }

    async fn user_playlists(
        &self,
        owner_id: &UserId,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<PlaylistRecord>> {
        let owner_id = owner_id.as_str();
        self.read(|conn| owned_playlists(conn, owner_id, before, limit))
    }

    async fn playlist_entries(
        &self,
        id: &medley_core::ids::PlaylistId,
        after: Option<u32>,
        limit: u32,
    ) -> StoreResult<Vec<PlaylistEntry>> {
        let id = id.as_str();
        let id = id.to_owned();
        let from = after.map_or(0, |a| a as i64 + 1);
        self.scan(move |conn| {
            conn.prepare_cached(
                "SELECT idx, entry_id, track_id FROM playlist_tracks
                 WHERE playlist_id = ?1 AND idx >= ?2 ORDER BY idx LIMIT ?3",
            )?
            .query_map(params![id, from, limit], |r| {
                Ok(PlaylistEntry {
                    index: r.get(0)?,
                    entry_id: r.get(1)?,
                    track_id: r.get(2)?,
                })
            })?
            .collect()
        })
        .await
    }
}
