//! Users' own playlists: create, edit (details, append, remove, move), delete, list. Entries
//! keep a dense 0-based `idx`; an edit locks the playlist's row, so edits from two nodes
//! apply one after the other.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use medley_core::ids::UserId;
use medley_store::{
    playlist_version, PlaylistEdit, PlaylistEntry, PlaylistRecord, PlaylistStore, StoreResult,
};

use crate::browse::owned_playlists;
use crate::catalog::PLAYLIST_DURATION;
use crate::{big, exec, pg, row_opt, rows, small, taken, PgStore};

async fn entry_ids(
    tx: &Transaction<'_>,
    id: &str,
) -> Result<Vec<(String, String)>, tokio_postgres::Error> {
    let found = rows(
        tx,
        "SELECT coalesce(entry_id, ''), track_id FROM playlist_tracks WHERE playlist_id = $1 ORDER BY idx",
        &[&id],
    )
    .await?;
    Ok(found.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Rewrites a playlist's entries in the given order as its next version, and stores that
/// version's track list for the sessions that will play it.
async fn write_entries(
    tx: &Transaction<'_>,
    id: &str,
    entries: &[(String, String)],
) -> Result<(), tokio_postgres::Error> {
    exec(
        tx,
        "DELETE FROM playlist_tracks WHERE playlist_id = $1",
        &[&id],
    )
    .await?;
    let version: i64 = row_opt(
        tx,
        "UPDATE playlists SET track_count = $2, version = version + 1 WHERE id = $1 RETURNING version",
        &[&id, &(entries.len() as i64)],
    )
    .await?
    .map_or(0, |r| r.get(0));
    let list = playlist_version(id, version).id;
    let idx: Vec<i64> = (0..entries.len() as i64).collect();
    let (entry, track): (Vec<String>, Vec<String>) = entries.iter().cloned().unzip();
    exec(
        tx,
        "INSERT INTO playlist_tracks (playlist_id, idx, track_id, entry_id)
         SELECT $1, i, t, e FROM unnest($2::int8[], $3::text[], $4::text[]) AS u (i, t, e)",
        &[&id, &idx, &track, &entry],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO session_tracks (session_id, idx, track_id)
         SELECT $1, i, t FROM unnest($2::int8[], $3::text[]) AS u (i, t)",
        &[&list, &idx, &track],
    )
    .await?;
    exec(
        tx,
        &format!("UPDATE playlists SET duration = {PLAYLIST_DURATION} WHERE id = $1"),
        &[&id],
    )
    .await?;
    Ok(())
}

async fn edit(
    tx: &Transaction<'_>,
    id: &str,
    e: &PlaylistEdit,
    now_ms: i64,
) -> Result<bool, tokio_postgres::Error> {
    let owned = row_opt(
        tx,
        "SELECT owner_id IS NOT NULL FROM playlists WHERE id = $1 FOR UPDATE",
        &[&id],
    )
    .await?
    .map(|r| r.get::<_, bool>(0));
    if owned != Some(true) {
        return Ok(false);
    }
    match e {
        PlaylistEdit::Details {
            title,
            description,
            visibility,
        } => {
            exec(
                tx,
                "UPDATE playlists SET title = coalesce($2, title), description = coalesce($3, description),
                   visibility = coalesce($4, visibility) WHERE id = $1",
                &[&id, title, description, &visibility.as_ref().map(|v| v.as_str())],
            )
            .await?;
        }
        _ => {
            if let Some(entries) = e.entries_after(entry_ids(tx, id).await?) {
                write_entries(tx, id, &entries).await?;
            }
        }
    }
    exec(
        tx,
        "UPDATE playlists SET updated_ms = greatest(updated_ms, $2) WHERE id = $1",
        &[&id, &now_ms],
    )
    .await?;
    Ok(true)
}

#[async_trait]
impl PlaylistStore for PgStore {
    async fn create_playlist(&self, p: &PlaylistRecord) -> StoreResult<()> {
        let c = self.writer().await?;
        exec(
            &*c,
            "INSERT INTO playlists (id, title, track_count, owner_id, description, visibility, created_ms, updated_ms)
             VALUES ($1, $2, 0, $3, $4, $5, $6, $6)",
            &[&p.id.as_str(), &p.title, &p.owner_id.as_ref().map(medley_core::ids::UserId::as_str), &p.description, &p.visibility.as_str(), &p.created_ms],
        )
        .await
        .map_err(|e| taken(e, format!("playlist '{}'", p.id)))?;
        Ok(())
    }

    async fn edit_playlist(
        &self,
        id: &medley_core::ids::PlaylistId,
        e: &PlaylistEdit,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let id = id.as_str();
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let done = edit(&tx, id, e, now_ms).await.map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(done)
    }

    async fn delete_playlist(&self, id: &medley_core::ids::PlaylistId) -> StoreResult<bool> {
        let id = id.as_str();
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let n = exec(
            &tx,
            "DELETE FROM playlists WHERE id = $1 AND owner_id IS NOT NULL",
            &[&id],
        )
        .await
        .map_err(pg)?;
        if n > 0 {
            exec(
                &tx,
                "DELETE FROM playlist_tracks WHERE playlist_id = $1",
                &[&id],
            )
            .await
            .map_err(pg)?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(n > 0)
    }

    async fn user_playlists(
        &self,
        owner_id: &UserId,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<PlaylistRecord>> {
        let owner_id = owner_id.as_str();
        let c = self.client().await?;
        owned_playlists(&c, owner_id, before, limit)
            .await
            .map_err(pg)
    }

    async fn playlist_entries(
        &self,
        id: &medley_core::ids::PlaylistId,
        after: Option<u32>,
        limit: u32,
    ) -> StoreResult<Vec<PlaylistEntry>> {
        let id = id.as_str();
        let from = after.map_or(0, |a| a as i64 + 1);
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT idx, entry_id, track_id FROM playlist_tracks
             WHERE playlist_id = $1 AND idx >= $2 ORDER BY idx LIMIT $3",
            &[&id, &from, &big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found
            .iter()
            .map(|r| PlaylistEntry {
                index: small(r.get(0)),
                entry_id: r.get(1),
                track_id: r.get(2),
            })
            .collect())
    }
}
