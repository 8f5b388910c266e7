//! Catalog lookups (reference section 1): tracks, albums, artists (their albums, tracks and
//! related artists), playlists and their tracks, stations and podcast shows, shaped as the Web
//! API's objects. Every playable object carries `mrn`, the id to play it by.

use std::sync::Arc;

use medley_core::catalog::{Image, TrackView};
use medley_core::mrn::{ItemKind, Mrn};
use medley_core::recommend::{self, Seed};
use medley_store::{
    AlbumRecord, ArtistRecord, CandidateQuery, ContextKind, ContextRef, PlaylistEntry,
};
use serde_json::{json, Value};

use crate::accounts::Principal;
use crate::paging::{bad_cursor, comma_list, connection, cursor_of, open_cursor};
use crate::{Medley, ServiceError, ServiceResult};

/// Most ids a multiple lookup takes.
pub const MAX_IDS: usize = 100;

pub(crate) const SCOPE: &str = "music::catalog";

pub(crate) fn mrn(kind: ItemKind, id: &str) -> String {
    Mrn {
        kind,
        id: id.to_string(),
    }
    .to_string()
}

/// A title without its trailing bracketed note ("… [Explicit]", "… (Remastered)").
fn short_title(title: &str) -> &str {
    let t = title.trim_end();
    for (open, close) in [('[', ']'), ('(', ')')] {
        if t.ends_with(close) {
            if let Some(i) = t.rfind(open) {
                let head = t[..i].trim_end();
                if !head.is_empty() {
                    return head;
                }
            }
        }
    }
    t
}

fn parental(explicit: bool) -> Value {
    json!({"isKidFriendly": !explicit, "hasExplicitLanguage": explicit})
}

/// Medley sells and downloads nothing; everything in the catalog plays.
fn eligibility() -> Value {
    json!({"isDownloadable": false, "isPurchaseable": false, "isPreviewable": false,
           "isPrimeEligible": true})
}

/// The cursor of a numbered list (index, entry or track id): the index.
pub(crate) fn index_cursor(cursor: Option<&str>) -> ServiceResult<Option<u32>> {
    let Some(c) = cursor else { return Ok(None) };
    let [idx, _] = open_cursor(c)?;
    idx.parse().map(Some).map_err(|_| bad_cursor())
}

/// The one item a lookup by id found, or 404 naming it.
pub(crate) fn found<T>(mut items: Vec<T>, noun: &str, id: &str) -> ServiceResult<T> {
    items
        .pop()
        .ok_or_else(|| ServiceError::NotFound(format!("no {noun} '{id}'")))
}

fn ids_param(ids: &str) -> ServiceResult<Vec<String>> {
    let ids = comma_list(Some(ids));
    if ids.is_empty() {
        return Err(ServiceError::BadRequest(
            "ids must name at least one id".into(),
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(ServiceError::BadRequest(format!(
            "ids takes at most {MAX_IDS} ids, not {}",
            ids.len()
        )));
    }
    Ok(ids)
}

impl Medley {
    /// The first `n` tracks of an album, playlist or artist.
    pub(crate) async fn context_head(
        &self,
        kind: ContextKind,
        id: &str,
        n: u32,
    ) -> ServiceResult<Vec<Arc<TrackView>>> {
        let ctx = ContextRef {
            kind,
            id: id.to_string(),
        };
        let ids: Vec<String> = self
            .store
            .context_entries(&ctx, None, n)
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        self.tracks(&ids).await
    }

    fn images(&self, images: &[Image], kind: &str) -> Value {
        images
            .iter()
            .map(|i| json!({"url": self.image_url(&i.url), "imageType": kind}))
            .collect()
    }

    /// A track that stands for an album, playlist or artist (its first), or the track itself.
    pub(crate) async fn sample_track(
        &self,
        kind: ItemKind,
        id: &str,
    ) -> ServiceResult<Option<Arc<TrackView>>> {
        Ok(match medley_store::ContextKind::of_container(kind) {
            Some(ctx) => self.context_head(ctx, id, 1).await?.pop(),
            None => self.tracks(&[id.to_string()]).await?.pop(),
        })
    }

    pub(crate) fn link(&self, path: &str, id: &str) -> String {
        format!("{}/v1/{path}/{id}", self.settings.public_url)
    }

    fn artist_refs(&self, artists: &[medley_core::catalog::ArtistRef]) -> Value {
        artists
            .iter()
            .map(|a| json!({"id": a.id, "name": a.name, "url": self.link("artists", &a.id)}))
            .collect()
    }

    pub(crate) fn track_object(&self, t: &TrackView, release_date: Option<&str>) -> Value {
        let lossless = matches!(
            t.file.as_deref().and_then(|f| f.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase()),
            Some(e) if e == "flac" || e == "wav"
        );
        let qualities: &[&str] = match (&t.file, lossless) {
            (None, _) => &[],
            (Some(_), false) => &["SD"],
            (Some(_), true) => &["SD", "HD"],
        };
        json!({
            "id": t.id,
            "globalAsin": t.id,
            "title": t.title,
            "shortTitle": short_title(&t.title),
            "duration": t.duration,
            "url": self.link("tracks", &t.id),
            "mrn": mrn(ItemKind::Track, &t.id),
            "album": t.album.as_ref().map(|a| json!({"id": a.id, "title": a.title, "url": self.link("albums", &a.id)})),
            "releaseDate": release_date,
            "isrc": t.isrc,
            "genre": t.genre,
            "artists": self.artist_refs(&t.artists),
            "images": self.images(&t.images, "PRIMARY"),
            "audioQualities": qualities,
            "eligibility": eligibility(),
            "parentalSettings": parental(t.explicit),
        })
    }

    /// Track objects for ids, in order, unknown ones left out.
    pub(crate) async fn track_objects(&self, ids: &[String]) -> ServiceResult<Vec<Value>> {
        let tracks = self.tracks(ids).await?;
        let album_ids: Vec<String> = tracks
            .iter()
            .filter_map(|t| t.album.as_ref().map(|a| a.id.clone()))
            .collect();
        let albums = self.store.albums(&album_ids).await?;
        Ok(tracks
            .iter()
            .map(|t| {
                let date = t
                    .album
                    .as_ref()
                    .and_then(|a| albums.iter().find(|x| x.id == a.id))
                    .and_then(|a| a.release_date.as_deref());
                self.track_object(t, date)
            })
            .collect())
    }

    pub(crate) async fn album_object(
        &self,
        a: &AlbumRecord,
        with_tracks: bool,
    ) -> ServiceResult<Value> {
        let mut album = json!({
            "id": a.id,
            "globalAsin": a.id,
            "title": a.title,
            "shortTitle": short_title(&a.title),
            "duration": a.duration,
            "url": self.link("albums", &a.id),
            "mrn": mrn(ItemKind::Album, &a.id),
            "releaseDate": a.release_date,
            "availableMarkets": [],
            "artists": self.artist_refs(&a.artists),
            "eligibility": eligibility(),
            "parentalSettings": parental(a.explicit),
            "trackCount": a.track_count,
            "images": self.images(&a.images, "PRIMARY"),
        });
        if with_tracks {
            let tracks = self
                .context_head(ContextKind::Album, &a.id, a.track_count)
                .await?;
            album["tracks"] = tracks
                .iter()
                .map(|t| json!({"id": t.id, "title": t.title, "url": self.link("tracks", &t.id)}))
                .collect();
        }
        Ok(album)
    }

    pub(crate) fn artist_object(&self, a: &ArtistRecord) -> Value {
        json!({
            "id": a.id,
            "globalAsin": a.id,
            "name": a.name,
            "url": self.link("artists", &a.id),
            "mrn": mrn(ItemKind::Artist, &a.id),
            "images": self.images(&a.images, "PROFILE"),
        })
    }

    pub async fn track_lookup(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let track = found(self.track_objects(&[id.to_string()]).await?, "track", id)?;
        Ok(json!({ "track": track }))
    }

    pub async fn tracks_lookup(&self, p: &Principal, ids: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        Ok(json!({ "tracks": self.track_objects(&ids_param(ids)?).await? }))
    }

    pub async fn album_lookup(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let a = found(self.store.albums(&[id.to_string()]).await?, "album", id)?;
        Ok(json!({ "album": self.album_object(&a, true).await? }))
    }

    pub async fn albums_lookup(&self, p: &Principal, ids: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let mut out = Vec::new();
        for a in self.store.albums(&ids_param(ids)?).await? {
            out.push(self.album_object(&a, true).await?);
        }
        Ok(json!({ "albums": out }))
    }

    async fn artist_record(&self, id: &str) -> ServiceResult<ArtistRecord> {
        found(self.store.artists(&[id.to_string()]).await?, "artist", id)
    }

    pub async fn artist_lookup(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        Ok(json!({ "artist": self.artist_object(&self.artist_record(id).await?) }))
    }

    pub async fn artists_lookup(&self, p: &Principal, ids: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let artists = self.store.artists(&ids_param(ids)?).await?;
        let out: Vec<Value> = artists.iter().map(|a| self.artist_object(a)).collect();
        Ok(json!({ "artists": out }))
    }

    /// `{"artist": {…, key: connection}}`.
    fn artist_with(&self, a: &ArtistRecord, key: &str, list: Value) -> Value {
        let mut artist = self.artist_object(a);
        artist[key] = list;
        json!({ "artist": artist })
    }

    pub async fn artist_albums(
        &self,
        p: &Principal,
        id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let artist = self.artist_record(id).await?;
        let after = match cursor {
            None => None,
            Some(c) => {
                let [date, album] = open_cursor(c)?;
                Some((date, album))
            }
        };
        let mut rows = self.store.artist_albums(id, after, limit + 1).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let ids: Vec<String> = rows.iter().map(|(_, a)| a.clone()).collect();
        let mut edges = Vec::new();
        for (a, (date, _)) in self.store.albums(&ids).await?.iter().zip(&rows) {
            edges.push(json!({
                "cursor": cursor_of([date, &a.id]),
                "node": self.album_object(a, false).await?,
            }));
        }
        let token = more
            .then(|| rows.last().map(|(d, a)| cursor_of([d, a])))
            .flatten();
        Ok(self.artist_with(&artist, "albums", connection(edges, token)))
    }

    /// A page of an album's, playlist's or artist's tracks as a connection.
    async fn context_page(
        &self,
        kind: ContextKind,
        id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        let ctx = ContextRef {
            kind,
            id: id.to_string(),
        };
        let rows = self
            .store
            .context_entries(&ctx, index_cursor(cursor)?, limit + 1)
            .await?
            .into_iter()
            .map(|(index, track_id)| PlaylistEntry {
                index,
                entry_id: None,
                track_id,
            })
            .collect();
        self.track_page(rows, limit).await
    }

    /// A page of numbered track entries (fetched one past `limit`, to know whether more
    /// follow) as a connection; cursors are `<index>:<entry or track id>`.
    pub(crate) async fn track_page(
        &self,
        mut rows: Vec<PlaylistEntry>,
        limit: u32,
    ) -> ServiceResult<Value> {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let ids: Vec<String> = rows.iter().map(|e| e.track_id.clone()).collect();
        let tracks = self.track_objects(&ids).await?;
        let key = |e: &PlaylistEntry| {
            cursor_of([
                &e.index.to_string(),
                e.entry_id.as_deref().unwrap_or(&e.track_id),
            ])
        };
        let edges: Vec<Value> = rows
            .iter()
            .filter_map(|e| {
                let node = tracks.iter().find(|t| t["id"] == e.track_id.as_str())?;
                let mut edge = json!({"cursor": key(e), "node": node});
                if let Some(entry) = &e.entry_id {
                    edge["entryId"] = json!(entry);
                }
                Some(edge)
            })
            .collect();
        let token = more.then(|| rows.last().map(key)).flatten();
        Ok(connection(edges, token))
    }

    pub async fn artist_tracks(
        &self,
        p: &Principal,
        id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let artist = self.artist_record(id).await?;
        let page = self
            .context_page(ContextKind::Artist, id, limit, cursor)
            .await?;
        Ok(self.artist_with(&artist, "tracks", page))
    }

    /// Artists like this one, from the recommender's signals: shared genres and eras of their
    /// tracks, and people who play both.
    pub async fn related_artists(
        &self,
        p: &Principal,
        id: &str,
        limit: u32,
    ) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let artist = self.artist_record(id).await?;
        let tracks = self.context_head(ContextKind::Artist, id, 20).await?;
        let own: Vec<String> = tracks.iter().map(|t| t.id.clone()).collect();
        let mut seed = Seed::of_tracks(&tracks);
        seed.artists.insert(id.to_string());
        let candidates = self
            .store
            .candidates(&CandidateQuery {
                user_id: String::new(),
                artist_ids: Vec::new(),
                genres: seed.genres.iter().cloned().collect(),
                years: seed.years.clone(),
                seed_tracks: own,
                // A fixed pivot: the same artist gets the same neighbours.
                pivot: 0,
                per_signal: 100,
            })
            .await?;
        let related = recommend::related_artists(&candidates, &seed, limit as usize);
        let artists = self.store.artists(&related).await?;
        let edges: Vec<Value> = artists
            .iter()
            .map(|a| json!({"cursor": a.id, "node": self.artist_object(a)}))
            .collect();
        Ok(self.artist_with(&artist, "relatedArtists", connection(edges, None)))
    }

    /// A station is named by the catalog item it is seeded from (an artist, album, playlist
    /// or track), as station MRNs are.
    pub async fn station_lookup(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let seed = self
            .station_seed(&Mrn {
                kind: ItemKind::Station,
                id: id.to_string(),
            })
            .await?;
        let name = self
            .store
            .item_title(seed.kind.source_type(), id)
            .await?
            .unwrap_or_default();
        let art = self
            .sample_track(seed.kind, id)
            .await?
            .map(|t| t.images.clone())
            .unwrap_or_default();
        Ok(json!({ "station": {
            "id": id,
            "name": format!("{name} Station"),
            "url": self.link("stations", id),
            "mrn": mrn(ItemKind::Station, id),
            "seed": {"type": seed.kind.source_type(), "id": id},
            "images": self.images(&art, "PRIMARY"),
        }}))
    }

    pub async fn podcast_show_lookup(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let show = found(
            self.store.podcast_shows(&[id.to_string()]).await?,
            "podcast show",
            id,
        )?;
        Ok(json!({ "podcastShow": self.podcast_show_object(&show) }))
    }

    pub(crate) fn podcast_show_object(&self, show: &medley_store::PodcastShowRecord) -> Value {
        json!({
            "id": show.id,
            "title": show.title,
            "description": "",
            "url": self.link("podcasts/shows", &show.id),
            // Medley's catalog holds shows, not their episodes yet.
            "episodes": connection(Vec::new(), None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::short_title;

    #[test]
    fn short_titles_drop_the_trailing_note() {
        assert_eq!(
            short_title("The New Abnormal [Explicit]"),
            "The New Abnormal"
        );
        assert_eq!(short_title("Song (Remastered 2011)"), "Song");
        assert_eq!(short_title("[Untitled]"), "[Untitled]");
        assert_eq!(short_title("Plain"), "Plain");
    }
}
