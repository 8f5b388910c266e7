//! Catalog lookups (reference section 1): tracks, albums, artists (their albums, tracks and
//! related artists), playlists and their tracks, stations and podcast shows, as domain values;
//! the api crate shapes them as the Web API's objects.

use std::sync::Arc;

use medley_core::catalog::{Image, TrackView};
use medley_core::mrn::{ItemKind, Mrn};
use medley_core::recommend::{self, Seed};
pub use medley_store::{AlbumRecord, ArtistRecord, PodcastShowRecord};
use medley_store::{ContextKind, ContextRef, NamedKind, PlaylistEntry};

use crate::library::candidates::CandidateQuery;

use medley_core::ids::{self, parse_all, AlbumId, ArtistId, Id, ShowId, StationId, TrackId};

use super::Library;
use crate::paging::{bad_cursor, cursor_of, open_cursor, shape, Page};
use crate::{ServiceError, ServiceResult};

/// A catalog track, with its album's release date.
#[derive(Clone, Debug)]
pub struct CatalogTrack {
    pub view: Arc<TrackView>,
    pub release_date: Option<String>,
}

impl CatalogTrack {
    /// The qualities its file streams in: none without a file, SD, and HD from a lossless one.
    pub fn qualities(&self) -> &'static [&'static str] {
        let t = &self.view;
        let lossless = matches!(
            t.file.as_deref().and_then(|f| f.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase()),
            Some(e) if e == "flac" || e == "wav"
        );
        match (&t.file, lossless) {
            (None, _) => &[],
            (Some(_), false) => &["SD"],
            (Some(_), true) => &["SD", "HD"],
        }
    }
}

/// An album; its tracks, in order, where the answer lists them.
#[derive(Clone, Debug)]
pub struct CatalogAlbum {
    pub record: AlbumRecord,
    pub tracks: Option<Vec<Arc<TrackView>>>,
}

/// An item of a list, with the cursor that resumes after it and, in a user's playlist, the id
/// of its entry (what removing and moving name).
#[derive(Clone, Debug)]
pub struct Edge<T> {
    pub cursor: String,
    pub entry_id: Option<String>,
    pub node: T,
}

impl<T> Edge<T> {
    pub fn new(cursor: String, node: T) -> Self {
        Edge {
            cursor,
            entry_id: None,
            node,
        }
    }
}

/// An artist with a page of one of its lists.
#[derive(Clone, Debug)]
pub struct ArtistList<T> {
    pub artist: ArtistRecord,
    pub page: Page<Edge<T>>,
}

/// A station, named by the catalog item it is seeded from.
#[derive(Clone, Debug)]
pub struct Station {
    pub id: String,
    pub name: String,
    pub seed: ItemKind,
    pub images: Vec<Image>,
}

/// The cursor of a numbered list (index, entry or track id): the index.
pub(crate) fn index_cursor(cursor: Option<&str>) -> ServiceResult<Option<u32>> {
    let Some(c) = cursor else { return Ok(None) };
    let [idx, _] = open_cursor(c, shape::INDEX)?;
    // An index past any list's end is a page past its end.
    let idx: u64 = idx.parse().map_err(|_| bad_cursor())?;
    Ok(Some(idx.min(u32::MAX as u64) as u32))
}

/// The one item a lookup by id found, or 404 naming it.
pub(crate) fn found<T>(mut items: Vec<T>, id: &impl Id) -> ServiceResult<T> {
    items.pop().ok_or_else(|| not_found(id))
}

pub use crate::error::not_found;

impl Library {
    /// A station MRN names the catalog item it is seeded from: an artist, album, playlist or track.
    pub(crate) async fn station_seed(&self, mrn: &Mrn) -> ServiceResult<Mrn> {
        for kind in [
            ItemKind::Artist,
            ItemKind::Album,
            ItemKind::Playlist,
            ItemKind::Track,
        ] {
            let ctx = match ContextKind::of_container(kind) {
                Some(k) => ContextRef {
                    kind: k,
                    id: mrn.id.clone(),
                },
                None => ContextRef {
                    kind: ContextKind::Track,
                    id: mrn.id.clone(),
                },
            };
            if self.store.context_len(&ctx).await?.unwrap_or(0) > 0 {
                return Ok(Mrn {
                    kind,
                    id: mrn.id.clone(),
                });
            }
        }
        Err(ServiceError::NotFound(format!("no station '{}'", mrn.id)))
    }

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
        self.tracks.get(&ids).await
    }

    /// A track that stands for an album, playlist or artist (its first), or the track itself.
    pub(crate) async fn sample_track(
        &self,
        kind: ItemKind,
        id: &str,
    ) -> ServiceResult<Option<Arc<TrackView>>> {
        Ok(match medley_store::ContextKind::of_container(kind) {
            Some(ctx) => self.context_head(ctx, id, 1).await?.pop(),
            None => self.tracks.get(&[id.to_string()]).await?.pop(),
        })
    }

    /// Catalog tracks for ids, in order, unknown ones left out.
    pub(crate) async fn catalog_tracks(&self, ids: &[String]) -> ServiceResult<Vec<CatalogTrack>> {
        let tracks = self.tracks.get(ids).await?;
        let album_ids: Vec<String> = tracks
            .iter()
            .filter_map(|t| t.album.as_ref().map(|a| a.id.clone()))
            .collect();
        let albums = self.store.albums(&parse_all(&album_ids)).await?;
        Ok(tracks
            .into_iter()
            .map(|t| {
                let release_date = t
                    .album
                    .as_ref()
                    .and_then(|a| albums.iter().find(|x| x.id.as_str() == a.id))
                    .and_then(|a| a.release_date.clone());
                CatalogTrack {
                    view: t,
                    release_date,
                }
            })
            .collect())
    }

    pub(crate) async fn catalog_album(
        &self,
        a: AlbumRecord,
        with_tracks: bool,
    ) -> ServiceResult<CatalogAlbum> {
        let tracks = if with_tracks {
            Some(
                self.context_head(ContextKind::Album, a.id.as_str(), a.track_count)
                    .await?,
            )
        } else {
            None
        };
        Ok(CatalogAlbum { record: a, tracks })
    }

    pub async fn track_lookup(&self, id: &TrackId) -> ServiceResult<CatalogTrack> {
        found(
            self.catalog_tracks(&ids::strings(std::slice::from_ref(id)))
                .await?,
            id,
        )
    }

    /// The tracks of `ids` that exist, in the order asked.
    pub async fn tracks_lookup(&self, ids: &[TrackId]) -> ServiceResult<Vec<CatalogTrack>> {
        self.catalog_tracks(&ids::strings(ids)).await
    }

    pub async fn album_lookup(&self, id: &AlbumId) -> ServiceResult<CatalogAlbum> {
        let a = found(self.store.albums(std::slice::from_ref(id)).await?, id)?;
        self.catalog_album(a, true).await
    }

    pub async fn albums_lookup(&self, ids: &[AlbumId]) -> ServiceResult<Vec<CatalogAlbum>> {
        let mut out = Vec::new();
        for a in self.store.albums(ids).await? {
            out.push(self.catalog_album(a, true).await?);
        }
        Ok(out)
    }

    pub async fn artist_lookup(&self, id: &ArtistId) -> ServiceResult<ArtistRecord> {
        found(self.store.artists(std::slice::from_ref(id)).await?, id)
    }

    pub async fn artists_lookup(&self, ids: &[ArtistId]) -> ServiceResult<Vec<ArtistRecord>> {
        Ok(self.store.artists(ids).await?)
    }

    /// A page of the catalog's albums, artists or playlists by name, each record (`load`ed by
    /// its ids; one gone since is left out) with its cursor.
    async fn named_page<T, F, Fut>(
        &self,
        kind: NamedKind,
        limit: u32,
        cursor: Option<&str>,
        load: F,
        id: fn(&T) -> &str,
    ) -> ServiceResult<Page<Edge<T>>>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: std::future::Future<Output = medley_store::StoreResult<Vec<T>>>,
    {
        let after = cursor
            .map(|c| open_cursor(c, shape::NAMED))
            .transpose()?
            .map(|[name, id]| (name, id));
        let mut rows = self.store.by_name(kind, after, limit + 1).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = more
            .then(|| rows.last().map(|(n, id)| cursor_of(shape::NAMED, [n, id])))
            .flatten();
        let ids = rows.iter().map(|(_, id)| id.clone()).collect();
        let mut by_id: std::collections::HashMap<String, T> = load(ids)
            .await?
            .into_iter()
            .map(|r| (id(&r).to_string(), r))
            .collect();
        let items = rows
            .iter()
            .filter_map(|(n, i)| {
                by_id
                    .remove(i)
                    .map(|r| Edge::new(cursor_of(shape::NAMED, [n, i]), r))
            })
            .collect();
        Ok(Page { items, next })
    }

    /// The catalog's albums by title, a page at a time (the web player's library).
    pub async fn catalog_albums_by_name(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Page<Edge<CatalogAlbum>>> {
        let store = self.store.clone();
        let load = |ids: Vec<String>| async move { store.albums(&parse_all(&ids)).await };
        let page = self
            .named_page(NamedKind::Album, limit, cursor, load, |a| a.id.as_str())
            .await?;
        let mut items = Vec::with_capacity(page.items.len());
        for e in page.items {
            items.push(Edge::new(
                e.cursor,
                self.catalog_album(e.node, false).await?,
            ));
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// The catalog's artists by name, a page at a time.
    pub async fn catalog_artists_by_name(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Page<Edge<ArtistRecord>>> {
        let store = self.store.clone();
        let load = |ids: Vec<String>| async move { store.artists(&parse_all(&ids)).await };
        self.named_page(NamedKind::Artist, limit, cursor, load, |a| a.id.as_str())
            .await
    }

    /// The catalog's playlists by title, a page at a time.
    pub async fn catalog_playlists_by_name(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Page<Edge<medley_store::PlaylistRecord>>> {
        let store = self.store.clone();
        let load = |ids: Vec<String>| async move { store.playlists(&parse_all(&ids)).await };
        self.named_page(NamedKind::Playlist, limit, cursor, load, |p| p.id.as_str())
            .await
    }

    pub async fn artist_albums(
        &self,
        id: &ArtistId,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<ArtistList<CatalogAlbum>> {
        let artist = self.artist_lookup(id).await?;
        let after = match cursor {
            None => None,
            Some(c) => {
                let [date, album] = open_cursor(c, shape::NAMED)?;
                Some((date, album))
            }
        };
        let mut rows = self.store.artist_albums(id, after, limit + 1).await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let ids: Vec<String> = rows.iter().map(|(_, a)| a.clone()).collect();
        let mut items = Vec::new();
        for (a, (date, _)) in self
            .store
            .albums(&parse_all(&ids))
            .await?
            .into_iter()
            .zip(&rows)
        {
            let cursor = cursor_of(shape::NAMED, [date, a.id.as_str()]);
            items.push(Edge::new(cursor, self.catalog_album(a, false).await?));
        }
        let next = more
            .then(|| rows.last().map(|(d, a)| cursor_of(shape::NAMED, [d, a])))
            .flatten();
        Ok(ArtistList {
            artist,
            page: Page { items, next },
        })
    }

    /// A page of an album's, playlist's or artist's tracks.
    async fn context_page(
        &self,
        kind: ContextKind,
        id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Page<Edge<CatalogTrack>>> {
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
    /// follow); cursors hold the index and the entry's (or track's) id.
    pub(crate) async fn track_page(
        &self,
        mut rows: Vec<PlaylistEntry>,
        limit: u32,
    ) -> ServiceResult<Page<Edge<CatalogTrack>>> {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let ids: Vec<String> = rows.iter().map(|e| e.track_id.clone()).collect();
        let tracks = self.catalog_tracks(&ids).await?;
        let key = |e: &PlaylistEntry| {
            cursor_of(
                shape::INDEX,
                [
                    &e.index.to_string(),
                    e.entry_id.as_deref().unwrap_or(&e.track_id),
                ],
            )
        };
        let items = rows
            .iter()
            .filter_map(|e| {
                let node = tracks.iter().find(|t| t.view.id == e.track_id)?;
                Some(Edge {
                    cursor: key(e),
                    entry_id: e.entry_id.clone(),
                    node: node.clone(),
                })
            })
            .collect();
        let next = more.then(|| rows.last().map(key)).flatten();
        Ok(Page { items, next })
    }

    pub async fn artist_tracks(
        &self,
        id: &ArtistId,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<ArtistList<CatalogTrack>> {
        let artist = self.artist_lookup(id).await?;
        let page = self
            .context_page(ContextKind::Artist, id.as_str(), limit, cursor)
            .await?;
        Ok(ArtistList { artist, page })
    }

    /// Artists like this one, from the recommender's signals: shared genres and eras of their
    /// tracks, and people who play both.
    pub async fn related_artists(
        &self,
        id: &ArtistId,
        limit: u32,
    ) -> ServiceResult<ArtistList<ArtistRecord>> {
        let artist = self.artist_lookup(id).await?;
        let id = id.as_str();
        let tracks = self.context_head(ContextKind::Artist, id, 20).await?;
        let own: Vec<String> = tracks.iter().map(|t| t.id.clone()).collect();
        let mut seed = Seed::of_tracks(&tracks);
        seed.artists.insert(id.to_string());
        let candidates = self
            .candidates(&CandidateQuery {
                user_id: None,
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
        let items = self
            .store
            .artists(&parse_all(&related))
            .await?
            .into_iter()
            .map(|a| Edge::new(a.id.to_string(), a))
            .collect();
        Ok(ArtistList {
            artist,
            page: Page { items, next: None },
        })
    }

    /// A station is named by the catalog item it is seeded from (an artist, album, playlist
    /// or track), as station MRNs are.
    pub async fn station_lookup(&self, id: &StationId) -> ServiceResult<Station> {
        let id = id.as_str();
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
        let images = self
            .sample_track(seed.kind, id)
            .await?
            .map(|t| t.images.clone())
            .unwrap_or_default();
        Ok(Station {
            id: id.to_string(),
            name: format!("{name} Station"),
            seed: seed.kind,
            images,
        })
    }

    pub async fn podcast_show_lookup(&self, id: &ShowId) -> ServiceResult<PodcastShowRecord> {
        found(
            self.store.podcast_shows(std::slice::from_ref(id)).await?,
            id,
        )
    }
}
