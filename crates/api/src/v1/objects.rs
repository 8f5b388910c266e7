//! The catalog's objects as the Web API shows them (reference section 1): tracks, albums,
//! artists, playlists, stations and podcast shows, each with its link and, where it plays,
//! the `mrn` to play it by; and the edges of the lists they come in.

use medley_core::catalog::{ArtistRef as CoreArtistRef, Image as CoreImage, TrackView};
use medley_core::ids::UserId;
use medley_core::mrn::{ItemKind, Mrn};
use medley_core::text::short_title;
use medley_service::library::browse::{
    ArtistRecord, CatalogAlbum, CatalogTrack, Edge, PodcastShowRecord, Station,
};
use medley_service::library::playlists::PlaylistRecord;
use medley_service::paging::Page;
use serde::Serialize;
use utoipa::ToSchema;

use super::shapes::{Connection, PageInfo};
use crate::urls::Urls;

fn mrn(kind: ItemKind, id: &str) -> String {
    Mrn {
        kind,
        id: id.to_string(),
    }
    .to_string()
}

/// An item of a list, with the cursor that resumes after it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CursorEdge<'a, N> {
    cursor: &'a str,
    /// In a user's playlist: the entry's id, which removing and moving name.
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_id: Option<&'a str>,
    node: N,
}

/// A page of edges, each node made by `node` from the item it borrows.
pub fn edges<'a, T, N>(
    page: &'a Page<Edge<T>>,
    mut node: impl FnMut(&'a T) -> N,
) -> Connection<CursorEdge<'a, N>> {
    let edges: Vec<_> = page
        .items
        .iter()
        .map(|e| CursorEdge {
            cursor: &e.cursor,
            entry_id: e.entry_id.as_deref(),
            node: node(&e.node),
        })
        .collect();
    Connection {
        page_info: PageInfo {
            has_next_page: page.next.is_some(),
            token: page.next.clone(),
        },
        edge_count: edges.len(),
        edges,
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogImage {
    url: String,
    /// `PRIMARY` (cover art) or `PROFILE` (an artist's picture).
    image_type: &'static str,
}

fn images(urls: &Urls, images: &[CoreImage], image_type: &'static str) -> Vec<CatalogImage> {
    images
        .iter()
        .map(|i| CatalogImage {
            url: urls.image(&i.url),
            image_type,
        })
        .collect()
}

/// An item another refers to: its id, title or name, and link.
#[derive(Serialize, ToSchema)]
pub struct Linked<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    url: String,
}

fn artists<'a>(urls: &Urls, artists: &'a [CoreArtistRef]) -> Vec<Linked<'a>> {
    artists
        .iter()
        .map(|a| Linked {
            id: &a.id,
            title: None,
            name: Some(&a.name),
            url: urls.item("artists", &a.id),
        })
        .collect()
}

fn titled<'a>(urls: &Urls, collection: &str, id: &'a str, title: &'a str) -> Linked<'a> {
    Linked {
        id,
        title: Some(title),
        name: None,
        url: urls.item(collection, id),
    }
}

/// Medley sells and downloads nothing; everything in the catalog plays.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Eligibility {
    is_downloadable: bool,
    is_purchaseable: bool,
    is_previewable: bool,
    is_prime_eligible: bool,
}

const ELIGIBILITY: Eligibility = Eligibility {
    is_downloadable: false,
    is_purchaseable: false,
    is_previewable: false,
    is_prime_eligible: true,
};

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParentalSettings {
    is_kid_friendly: bool,
    has_explicit_language: bool,
}

fn parental(explicit: bool) -> ParentalSettings {
    ParentalSettings {
        is_kid_friendly: !explicit,
        has_explicit_language: explicit,
    }
}

/// A catalog track.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Track)]
pub struct TrackObject<'a> {
    /// `Track`, in search results (which mix types).
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<&'static str>,
    id: &'a str,
    global_asin: &'a str,
    title: &'a str,
    short_title: &'a str,
    /// Seconds.
    duration: u32,
    url: String,
    /// Plays it: `playParams.id` of Create New Session.
    mrn: String,
    album: Option<Linked<'a>>,
    release_date: Option<&'a str>,
    isrc: Option<&'a str>,
    genre: Option<&'a str>,
    /// Medley's: which disc of its album the track is on, as tagged; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    disc_number: Option<u32>,
    /// Medley's: the track's number on its disc, as tagged; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    track_number: Option<u32>,
    artists: Vec<Linked<'a>>,
    images: Vec<CatalogImage>,
    /// `SD`, and `HD` where the file is lossless; empty without a file.
    audio_qualities: &'static [&'static str],
    eligibility: Eligibility,
    parental_settings: ParentalSettings,
}

impl<'a> TrackObject<'a> {
    pub fn of(urls: &Urls, t: &'a CatalogTrack) -> TrackObject<'a> {
        let v: &'a TrackView = &t.view;
        TrackObject {
            type_: None,
            id: &v.id,
            global_asin: &v.id,
            title: &v.title,
            short_title: short_title(&v.title),
            duration: v.duration,
            url: urls.item("tracks", &v.id),
            mrn: mrn(ItemKind::Track, &v.id),
            album: v
                .album
                .as_ref()
                .map(|a| titled(urls, "albums", &a.id, &a.title)),
            release_date: t.release_date.as_deref(),
            isrc: v.isrc.as_deref(),
            genre: v.genre.as_deref(),
            disc_number: v.disc_number,
            track_number: v.track_number,
            artists: artists(urls, &v.artists),
            images: images(urls, &v.images, "PRIMARY"),
            audio_qualities: t.qualities(),
            eligibility: ELIGIBILITY,
            parental_settings: parental(v.explicit),
        }
    }
}

/// A catalog album; `tracks` on the album's own lookups.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Album)]
pub struct AlbumObject<'a> {
    /// `Album`, in search results (which mix types).
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<&'static str>,
    id: &'a str,
    global_asin: &'a str,
    title: &'a str,
    short_title: &'a str,
    /// Seconds, all tracks together.
    duration: u32,
    url: String,
    mrn: String,
    release_date: Option<&'a str>,
    /// Always empty: Medley serves every market.
    available_markets: Vec<&'static str>,
    artists: Vec<Linked<'a>>,
    eligibility: Eligibility,
    parental_settings: ParentalSettings,
    track_count: u32,
    images: Vec<CatalogImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tracks: Option<Vec<AlbumTrack<'a>>>,
}

/// A track in its album's list: a link, and where it sits.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlbumTrack<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    /// Medley's: which disc the track is on, as tagged; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    disc_number: Option<u32>,
    /// Medley's: the track's number on its disc, as tagged; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    track_number: Option<u32>,
}

impl<'a> AlbumObject<'a> {
    pub fn of(urls: &Urls, album: &'a CatalogAlbum) -> AlbumObject<'a> {
        let a = &album.record;
        AlbumObject {
            type_: None,
            id: a.id.as_str(),
            global_asin: a.id.as_str(),
            title: &a.title,
            short_title: short_title(&a.title),
            duration: a.duration,
            url: urls.item("albums", a.id.as_str()),
            mrn: mrn(ItemKind::Album, a.id.as_str()),
            release_date: a.release_date.as_deref(),
            available_markets: Vec::new(),
            artists: artists(urls, &a.artists),
            eligibility: ELIGIBILITY,
            parental_settings: parental(a.explicit),
            track_count: a.track_count,
            images: images(urls, &a.images, "PRIMARY"),
            tracks: album.tracks.as_ref().map(|tracks| {
                tracks
                    .iter()
                    .map(|t| AlbumTrack {
                        id: &t.id,
                        title: &t.title,
                        url: urls.item("tracks", &t.id),
                        disc_number: t.disc_number,
                        track_number: t.track_number,
                    })
                    .collect()
            }),
        }
    }
}

/// A catalog artist.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Artist)]
pub struct ArtistObject<'a> {
    /// `Artist`, in search results (which mix types).
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<&'static str>,
    id: &'a str,
    global_asin: &'a str,
    name: &'a str,
    url: String,
    mrn: String,
    images: Vec<CatalogImage>,
}

impl<'a> ArtistObject<'a> {
    pub fn of(urls: &Urls, a: &'a ArtistRecord) -> ArtistObject<'a> {
        ArtistObject {
            type_: None,
            id: a.id.as_str(),
            global_asin: a.id.as_str(),
            name: &a.name,
            url: urls.item("artists", a.id.as_str()),
            mrn: mrn(ItemKind::Artist, a.id.as_str()),
            images: images(urls, &a.images, "PROFILE"),
        }
    }
}

/// Who made a playlist: a user's id, or `medley` for the catalog's.
#[derive(Serialize, ToSchema)]
pub struct Curator<'a> {
    id: &'a str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistEligibility {
    playback: PlaylistPlayback,
    is_downloadable: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistPlayback {
    can_play_on_demand: bool,
    /// Always `INLINE`.
    shuffle_type: &'static str,
}

/// A playlist, the catalog's or a user's.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Playlist)]
pub struct PlaylistObject<'a> {
    /// `Playlist`, in search results (which mix types).
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<&'static str>,
    id: &'a str,
    title: &'a str,
    description: &'a str,
    url: String,
    mrn: String,
    curator: Curator<'a>,
    /// Seconds, all tracks together.
    duration: u32,
    track_count: u32,
    /// Always empty.
    images: Vec<CatalogImage>,
    /// `PUBLIC` or `PRIVATE` (only its owner sees a private one).
    visibility: &'static str,
    eligibility: PlaylistEligibility,
}

impl<'a> PlaylistObject<'a> {
    pub fn of(urls: &Urls, pl: &'a PlaylistRecord) -> PlaylistObject<'a> {
        PlaylistObject {
            type_: None,
            id: pl.id.as_str(),
            title: &pl.title,
            description: &pl.description,
            url: urls.item("playlists", pl.id.as_str()),
            mrn: mrn(ItemKind::Playlist, pl.id.as_str()),
            curator: Curator {
                id: pl.owner_id.as_ref().map_or("medley", UserId::as_str),
            },
            duration: pl.duration,
            track_count: pl.track_count,
            images: Vec::new(),
            visibility: pl.visibility.as_str(),
            eligibility: PlaylistEligibility {
                playback: PlaylistPlayback {
                    can_play_on_demand: true,
                    shuffle_type: "INLINE",
                },
                is_downloadable: false,
            },
        }
    }
}

/// What a station is seeded from.
#[derive(Serialize, ToSchema)]
pub struct Seed<'a> {
    /// `ARTIST`, `ALBUM`, `PLAYLIST` or `TRACK`.
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
}

/// A station; its id is the id of the item it is seeded from.
#[derive(Serialize, ToSchema)]
#[schema(as = Station)]
pub struct StationObject<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    mrn: String,
    seed: Seed<'a>,
    images: Vec<CatalogImage>,
}

impl<'a> StationObject<'a> {
    pub fn of(urls: &Urls, s: &'a Station) -> StationObject<'a> {
        StationObject {
            id: &s.id,
            name: &s.name,
            url: urls.item("stations", &s.id),
            mrn: mrn(ItemKind::Station, &s.id),
            seed: Seed {
                kind: s.seed.source_type(),
                id: &s.id,
            },
            images: images(urls, &s.images, "PRIMARY"),
        }
    }
}

/// A podcast show. Medley's catalog holds shows, not their episodes yet.
#[derive(Serialize, ToSchema)]
#[schema(as = PodcastShow)]
pub struct PodcastShowObject<'a> {
    /// `PodcastShow`, in search results (which mix types).
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<&'static str>,
    id: &'a str,
    title: &'a str,
    /// Always empty.
    description: &'static str,
    url: String,
    /// Always an empty list.
    #[schema(value_type = Object)]
    episodes: Connection<()>,
}

impl<'a> PodcastShowObject<'a> {
    pub fn of(urls: &Urls, s: &'a PodcastShowRecord) -> PodcastShowObject<'a> {
        PodcastShowObject {
            type_: None,
            id: s.id.as_str(),
            title: &s.title,
            description: "",
            url: urls.item("podcasts/shows", s.id.as_str()),
            episodes: Connection::of(
                Page {
                    items: Vec::new(),
                    next: None,
                },
                |()| (),
            ),
        }
    }
}
