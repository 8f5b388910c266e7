//! Catalog reads for browsing: whole albums, artists, playlists and shows (one read for any
//! number), context entries a page at a time, the catalog by name, an artist's albums.

use std::collections::HashMap;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use medley_core::catalog::ArtistRef;
use medley_core::ids::{AlbumId, ArtistId, PlaylistId, ShowId};
use medley_store::{
    AlbumRecord, ArtistRecord, BrowseStore, ContextRef, NamedKind, PlaylistRecord,
    PodcastShowRecord, StoreResult, Visibility,
};
use tokio_postgres::Row;

use crate::catalog::context_table;
use crate::{big, pg, rows, small, PgStore};
use medley_store::images_from_json as images_from;

/// The found items in the order of `ids` (an id asked twice answered twice), unknown ids
/// left out.
pub(crate) fn in_order<T: Clone>(ids: &[String], found: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
    let by_id: HashMap<String, T> = found.into_iter().map(|t| (id(&t).to_string(), t)).collect();
    ids.iter().filter_map(|i| by_id.get(i).cloned()).collect()
}

pub(crate) const PLAYLIST_COLUMNS: &str = "p.id, p.title, p.track_count, p.duration,
    p.owner_id, p.description, p.visibility, p.created_ms, p.updated_ms, p.version";

pub(crate) fn playlist_row(r: &Row) -> PlaylistRecord {
    let visibility: String = r.get(6);
    PlaylistRecord {
        id: crate::stored_id(r, 0),
        title: r.get(1),
        track_count: small(r.get(2)),
        duration: small(r.get(3)),
        owner_id: r
            .get::<_, Option<String>>(4)
            .map(medley_core::ids::UserId::stored),
        description: r.get(5),
        visibility: Visibility::parse(&visibility),
        created_ms: r.get(7),
        updated_ms: r.get(8),
        version: r.get(9),
    }
}

pub(crate) async fn owned_playlists<C: GenericClient>(
    c: &C,
    owner: &str,
    before: Option<(i64, String)>,
    limit: u32,
) -> Result<Vec<PlaylistRecord>, tokio_postgres::Error> {
    let (ms, id) = before.unwrap_or((i64::MAX, String::new()));
    let found = rows(
        c,
        &format!(
            "SELECT {PLAYLIST_COLUMNS} FROM playlists p WHERE p.owner_id = $1
               AND (p.created_ms, p.id) < ($2, $3) ORDER BY p.created_ms DESC, p.id DESC LIMIT $4"
        ),
        &[&owner, &ms, &id, &big(limit)],
    )
    .await?;
    Ok(found.iter().map(playlist_row).collect())
}

#[async_trait]
impl BrowseStore for PgStore {
    async fn albums(&self, ids: &[AlbumId]) -> StoreResult<Vec<AlbumRecord>> {
        let ids = &medley_core::ids::strings(ids);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT a.id, a.title, a.release_date, a.images, a.track_count,
                    coalesce(sum(t.duration), 0)::int8, coalesce(bool_or(t.explicit), false)
             FROM albums a LEFT JOIN album_tracks at ON at.album_id = a.id
             LEFT JOIN tracks t ON t.id = at.track_id
             WHERE a.id = ANY($1) GROUP BY a.id",
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let credits = rows(
            &c,
            "SELECT aa.album_id, ar.id, ar.name FROM album_artists aa
             JOIN artists ar ON ar.id = aa.artist_id
             WHERE aa.album_id = ANY($1) ORDER BY aa.album_id, aa.pos",
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let mut artists: HashMap<String, Vec<ArtistRef>> = HashMap::new();
        for r in credits {
            artists.entry(r.get(0)).or_default().push(ArtistRef {
                id: r.get(1),
                name: r.get(2),
            });
        }
        let albums = found
            .iter()
            .map(|r| {
                let id: String = r.get(0);
                AlbumRecord {
                    artists: artists.remove(&id).unwrap_or_default(),
                    id: AlbumId::stored(id),
                    title: r.get(1),
                    release_date: r.get(2),
                    images: images_from(r.get(3)),
                    track_count: small(r.get(4)),
                    duration: small(r.get(5)),
                    explicit: r.get(6),
                }
            })
            .collect();
        Ok(in_order(ids, albums, |a| a.id.as_str()))
    }

    async fn artists(&self, ids: &[ArtistId]) -> StoreResult<Vec<ArtistRecord>> {
        let ids = &medley_core::ids::strings(ids);
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT id, name, images, track_count FROM artists WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let artists = found
            .iter()
            .map(|r| ArtistRecord {
                id: crate::stored_id(r, 0),
                name: r.get(1),
                images: images_from(r.get(2)),
                track_count: small(r.get(3)),
            })
            .collect();
        Ok(in_order(ids, artists, |a| a.id.as_str()))
    }

    async fn playlists(&self, ids: &[PlaylistId]) -> StoreResult<Vec<PlaylistRecord>> {
        let ids = &medley_core::ids::strings(ids);
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!("SELECT {PLAYLIST_COLUMNS} FROM playlists p WHERE p.id = ANY($1)"),
            &[&ids],
        )
        .await
        .map_err(pg)?;
        Ok(in_order(
            ids,
            found.iter().map(playlist_row).collect(),
            |p| p.id.as_str(),
        ))
    }

    async fn podcast_shows(&self, ids: &[ShowId]) -> StoreResult<Vec<PodcastShowRecord>> {
        let ids = &medley_core::ids::strings(ids);
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT id, title FROM podcast_shows WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let shows = found
            .iter()
            .map(|r| PodcastShowRecord {
                id: crate::stored_id(r, 0),
                title: r.get(1),
            })
            .collect();
        Ok(in_order(ids, shows, |s| s.id.as_str()))
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
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!(
                "SELECT idx, track_id FROM {table} WHERE {key} = $1 AND idx >= $2 ORDER BY idx LIMIT $3"
            ),
            &[&ctx.id, &from, &big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| (small(r.get(0)), r.get(1))).collect())
    }

    async fn by_name(
        &self,
        kind: NamedKind,
        after: Option<(String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>> {
        let (table, name, only) = match kind {
            NamedKind::Album => ("albums", "title", "track_count > 0"),
            NamedKind::Artist => ("artists", "name", "track_count > 0"),
            NamedKind::Playlist => ("playlists", "title", "owner_id IS NULL AND track_count > 0"),
        };
        // Case folded, then by id: the order of the `*_by_name` indexes.
        let sql = format!(
            "SELECT {name}, id FROM {table} WHERE {only}
               AND (lower({name}) COLLATE \"C\", id) > (lower($1) COLLATE \"C\", $2)
             ORDER BY lower({name}) COLLATE \"C\", id LIMIT $3"
        );
        let (after_name, after_id) = after.unwrap_or_default();
        let c = self.client().await?;
        let found = rows(&c, &sql, &[&after_name, &after_id, &big(limit)])
            .await
            .map_err(pg)?;
        Ok(found.iter().map(|r| (r.get(0), r.get(1))).collect())
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
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT coalesce(a.release_date, ''), a.id FROM albums a
             WHERE a.id IN (SELECT album_id FROM artist_albums WHERE artist_id = $1)
               AND (coalesce(a.release_date, ''), a.id) < ($2, $3)
             ORDER BY coalesce(a.release_date, '') DESC, a.id DESC LIMIT $4",
            &[&artist_id, &date, &id, &big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
