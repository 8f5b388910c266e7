//! Catalog lookups (reference section 1.2): tracks, albums, artists (their albums, tracks and
//! related artists), playlists and their tracks, stations and podcast shows.

use axum::extract::State;
use axum::response::Response;
use medley_core::ids::{AlbumId, ArtistId, PlaylistId, ShowId, StationId, TrackId};
use medley_service::library::Library;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::objects::{
    edges, AlbumObject, ArtistObject, CursorEdge, PlaylistObject, PodcastShowObject, StationObject,
    TrackObject,
};
use super::shapes::{data, Connection, Data};
use crate::extract::{Caller, IdPath};
use crate::params::{id_list, IndexCursor, Limit, NamedCursor, NoQuery, Query, TimeCursor};
use crate::urls::Urls;
use crate::ApiError;

type Answer = Result<Response, ApiError>;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdsQuery {
    /// Comma-separated ids, at most 100; unknown ones are left out.
    #[param(pattern = "[^,\\s]")]
    ids: String,
}

macro_rules! page_queries {
    ($($(#[$doc:meta])* $name:ident($cursor:ident);)*) => {$(
        $(#[$doc])*
        #[derive(Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            #[serde(default)]
            #[param(inline)]
            limit: Limit<1, 100, 100>,
            #[param(inline)]
            cursor: Option<$cursor>,
        }

        impl $name {
            /// The limit and the cursor.
            pub fn page(&self) -> (u32, Option<&str>) {
                (self.limit.0, self.cursor.as_ref().map($cursor::as_str))
            }
        }
    )*};
}

page_queries! {
    /// `?limit=&cursor=` of a list by name.
    NamedPage(NamedCursor);
    /// `?limit=&cursor=` of a numbered list.
    IndexPage(IndexCursor);
    /// `?limit=&cursor=` of a list by time.
    TimePage(TimeCursor);
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RelatedQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 20, 20>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// `AUDIO` (the default) or `VIDEO`, which Medley has none of.
    #[param(inline)]
    media_type: Option<MediaType>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaType {
    Audio,
    Video,
}

/// The answers: `{"track": …}`, `{"albums": […]}`, ….
macro_rules! answers {
    ($($name:ident { $key:ident: $ty:ty })*) => {$(
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name<'a> {
            $key: $ty,
        }
    )*};
}

answers! {
    TrackAnswer { track: TrackObject<'a> }
    TracksAnswer { tracks: Vec<TrackObject<'a>> }
    AlbumAnswer { album: AlbumObject<'a> }
    AlbumsAnswer { albums: Vec<AlbumObject<'a>> }
    ArtistAnswer { artist: ArtistObject<'a> }
    ArtistsAnswer { artists: Vec<ArtistObject<'a>> }
    ArtistListAnswer { artist: ArtistWithList<'a> }
    PlaylistAnswer { playlist: PlaylistObject<'a> }
    PlaylistTracksAnswer { playlist: PlaylistWithTracks<'a> }
    StationAnswer { station: StationObject<'a> }
    PodcastShowAnswer { podcast_show: PodcastShowObject<'a> }
    AlbumPageAnswer { albums: Connection<CursorEdge<'a, AlbumObject<'a>>> }
    ArtistPageAnswer { artists: Connection<CursorEdge<'a, ArtistObject<'a>>> }
    PlaylistPageAnswer { playlists: Connection<CursorEdge<'a, PlaylistObject<'a>>> }
}

/// An artist with one of its lists.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtistWithList<'a> {
    #[serde(flatten)]
    artist: ArtistObject<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    albums: Option<Connection<CursorEdge<'a, AlbumObject<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    tracks: Option<Connection<CursorEdge<'a, TrackObject<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    related_artists: Option<Connection<CursorEdge<'a, ArtistObject<'a>>>>,
}

impl<'a> ArtistWithList<'a> {
    fn of(urls: &Urls, artist: &'a medley_service::library::browse::ArtistRecord) -> Self {
        ArtistWithList {
            artist: ArtistObject::of(urls, artist),
            albums: None,
            tracks: None,
            related_artists: None,
        }
    }
}

/// A playlist with a page of its tracks.
#[derive(Serialize, ToSchema)]
pub struct PlaylistWithTracks<'a> {
    #[serde(flatten)]
    playlist: PlaylistObject<'a>,
    #[schema(inline)]
    tracks: Connection<CursorEdge<'a, TrackObject<'a>>>,
}

impl<'a> PlaylistWithTracks<'a> {
    pub fn of(urls: &Urls, p: &'a medley_service::library::playlists::PlaylistTracks) -> Self {
        PlaylistWithTracks {
            playlist: PlaylistObject::of(urls, &p.playlist),
            tracks: edges(&p.page, |t| TrackObject::of(urls, t)),
        }
    }
}

/// Get track
#[utoipa::path(get, path = "/v1/tracks/{id}", tag = "Catalog", operation_id = "catalog_track",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<TrackId>, TrackQuery),
    responses((status = 200, description = "The track", body = Data<TrackAnswer>)))]
pub async fn track(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    IdPath(id): IdPath<TrackId>,
    Query(q): Query<TrackQuery>,
) -> Answer {
    if let Some(MediaType::Video) = q.media_type {
        return Err(ApiError::not_found(format!("no video of track '{id}'")));
    }
    let t = m.track_lookup(&id).await?;
    let track = TrackObject::of(&urls, &t);
    Ok(data(TrackAnswer { track }))
}

/// Get multiple tracks
#[utoipa::path(get, path = "/v1/tracks", tag = "Catalog", operation_id = "catalog_tracks",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdsQuery),
    responses((status = 200, description = "The tracks found, in the order asked", body = Data<TracksAnswer>)))]
pub async fn tracks(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<IdsQuery>,
) -> Answer {
    let found = m.tracks_lookup(&id_list::<TrackId>("ids", &q.ids)?).await?;
    let tracks = found.iter().map(|t| TrackObject::of(&urls, t)).collect();
    Ok(data(TracksAnswer { tracks }))
}

/// Get album
#[utoipa::path(get, path = "/v1/albums/{id}", tag = "Catalog", operation_id = "catalog_album",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<AlbumId>),
    responses((status = 200, description = "The album, with its tracks in order", body = Data<AlbumAnswer>)))]
pub async fn album(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    _: NoQuery,
    IdPath(id): IdPath<AlbumId>,
) -> Answer {
    let a = m.album_lookup(&id).await?;
    let album = AlbumObject::of(&urls, &a);
    Ok(data(AlbumAnswer { album }))
}

/// Get multiple albums
#[utoipa::path(get, path = "/v1/albums", tag = "Catalog", operation_id = "catalog_albums",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdsQuery),
    responses((status = 200, description = "The albums found, in the order asked", body = Data<AlbumsAnswer>)))]
pub async fn albums(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<IdsQuery>,
) -> Answer {
    let found = m.albums_lookup(&id_list::<AlbumId>("ids", &q.ids)?).await?;
    let albums = found.iter().map(|a| AlbumObject::of(&urls, a)).collect();
    Ok(data(AlbumsAnswer { albums }))
}

/// Get artist
#[utoipa::path(get, path = "/v1/artists/{id}", tag = "Catalog", operation_id = "catalog_artist",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<ArtistId>),
    responses((status = 200, description = "The artist", body = Data<ArtistAnswer>)))]
pub async fn artist(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    _: NoQuery,
    IdPath(id): IdPath<ArtistId>,
) -> Answer {
    let a = m.artist_lookup(&id).await?;
    let artist = ArtistObject::of(&urls, &a);
    Ok(data(ArtistAnswer { artist }))
}

/// Get multiple artists
#[utoipa::path(get, path = "/v1/artists", tag = "Catalog", operation_id = "catalog_artists",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdsQuery),
    responses((status = 200, description = "The artists found, in the order asked", body = Data<ArtistsAnswer>)))]
pub async fn artists(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<IdsQuery>,
) -> Answer {
    let found = m
        .artists_lookup(&id_list::<ArtistId>("ids", &q.ids)?)
        .await?;
    let artists = found.iter().map(|a| ArtistObject::of(&urls, a)).collect();
    Ok(data(ArtistsAnswer { artists }))
}

/// Get artist's albums, newest first
#[utoipa::path(get, path = "/v1/artists/{id}/albums", tag = "Catalog", operation_id = "catalog_artist_albums",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<ArtistId>, NamedPage),
    responses((status = 200, description = "The artist, with a page of its albums in `albums`", body = Data<ArtistListAnswer>)))]
pub async fn artist_albums(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    IdPath(id): IdPath<ArtistId>,
    Query(q): Query<NamedPage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let list = m.artist_albums(&id, limit, cursor).await?;
    let mut artist = ArtistWithList::of(&urls, &list.artist);
    artist.albums = Some(edges(&list.page, |a| AlbumObject::of(&urls, a)));
    Ok(data(ArtistListAnswer { artist }))
}

/// Get artist's tracks
#[utoipa::path(get, path = "/v1/artists/{id}/tracks", tag = "Catalog", operation_id = "catalog_artist_tracks",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<ArtistId>, IndexPage),
    responses((status = 200, description = "The artist, with a page of its tracks in `tracks`", body = Data<ArtistListAnswer>)))]
pub async fn artist_tracks(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    IdPath(id): IdPath<ArtistId>,
    Query(q): Query<IndexPage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let list = m.artist_tracks(&id, limit, cursor).await?;
    let mut artist = ArtistWithList::of(&urls, &list.artist);
    artist.tracks = Some(edges(&list.page, |t| TrackObject::of(&urls, t)));
    Ok(data(ArtistListAnswer { artist }))
}

/// Get related artists
#[utoipa::path(get, path = "/v1/artists/{id}/relatedArtists", tag = "Catalog", operation_id = "catalog_related_artists",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<ArtistId>, RelatedQuery),
    responses((status = 200, description = "The artist, with artists like it in `relatedArtists`", body = Data<ArtistListAnswer>)))]
pub async fn related_artists(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    IdPath(id): IdPath<ArtistId>,
    Query(q): Query<RelatedQuery>,
) -> Answer {
    let list = m.related_artists(&id, q.limit.0).await?;
    let mut artist = ArtistWithList::of(&urls, &list.artist);
    artist.related_artists = Some(edges(&list.page, |a| ArtistObject::of(&urls, a)));
    Ok(data(ArtistListAnswer { artist }))
}

/// Get playlist
#[utoipa::path(get, path = "/v1/playlists/{id}", tag = "Catalog", operation_id = "catalog_playlist",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<PlaylistId>),
    responses((status = 200, description = "The playlist (the catalog's, the caller's, or a public one)", body = Data<PlaylistAnswer>)))]
pub async fn playlist(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    IdPath(id): IdPath<PlaylistId>,
) -> Answer {
    let pl = m.playlist_lookup(&p, &id).await?;
    let playlist = PlaylistObject::of(&urls, &pl);
    Ok(data(PlaylistAnswer { playlist }))
}

/// Get playlist's tracks
#[utoipa::path(get, path = "/v1/playlists/{id}/tracks", tag = "Catalog", operation_id = "catalog_playlist_tracks",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<PlaylistId>, IndexPage),
    responses((status = 200, description = "The playlist, with a page of its tracks in `tracks`", body = Data<PlaylistTracksAnswer>)))]
pub async fn playlist_tracks(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    IdPath(id): IdPath<PlaylistId>,
    Query(q): Query<IndexPage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let list = m.playlist_tracks(&p, &id, limit, cursor).await?;
    let playlist = PlaylistWithTracks::of(&urls, &list);
    Ok(data(PlaylistTracksAnswer { playlist }))
}

/// Get station
///
/// A station's id is the id of the item it is seeded from (an artist, album, playlist or track).
#[utoipa::path(get, path = "/v1/stations/{id}", tag = "Catalog", operation_id = "catalog_station",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<StationId>),
    responses((status = 200, description = "The station", body = Data<StationAnswer>)))]
pub async fn station(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    _: NoQuery,
    IdPath(id): IdPath<StationId>,
) -> Answer {
    let s = m.station_lookup(&id).await?;
    let station = StationObject::of(&urls, &s);
    Ok(data(StationAnswer { station }))
}

/// Get podcast show
#[utoipa::path(get, path = "/v1/podcasts/shows/{id}", tag = "Catalog", operation_id = "catalog_podcast_show",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<ShowId>),
    responses((status = 200, description = "The podcast show", body = Data<PodcastShowAnswer>)))]
pub async fn podcast_show(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    _: NoQuery,
    IdPath(id): IdPath<ShowId>,
) -> Answer {
    let s = m.podcast_show_lookup(&id).await?;
    let podcast_show = PodcastShowObject::of(&urls, &s);
    Ok(data(PodcastShowAnswer { podcast_show }))
}

/// The whole catalog's albums by title, a page at a time (Medley's extension)
#[utoipa::path(get, path = "/v1/catalog/albums", tag = "Catalog", operation_id = "catalog_browse_albums",
    description = "Medley's extension of the Web API, for a library view: every album with tracks, by title (case aside) then id, a page at a time. A page costs the same however deep in the catalog it is.",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(NamedPage),
    responses((status = 200, description = "A page of albums in `albums`", body = Data<AlbumPageAnswer>)))]
pub async fn browse_albums(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<NamedPage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let page = m.catalog_albums_by_name(limit, cursor).await?;
    Ok(data(AlbumPageAnswer {
        albums: edges(&page, |a| AlbumObject::of(&urls, a)),
    }))
}

/// The whole catalog's artists by name, a page at a time (Medley's extension)
#[utoipa::path(get, path = "/v1/catalog/artists", tag = "Catalog", operation_id = "catalog_browse_artists",
    description = "Medley's extension of the Web API, for a library view: every artist with tracks, by name (case aside) then id, a page at a time.",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(NamedPage),
    responses((status = 200, description = "A page of artists in `artists`", body = Data<ArtistPageAnswer>)))]
pub async fn browse_artists(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<NamedPage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let page = m.catalog_artists_by_name(limit, cursor).await?;
    Ok(data(ArtistPageAnswer {
        artists: edges(&page, |a| ArtistObject::of(&urls, a)),
    }))
}

/// The catalog's playlists by title, a page at a time (Medley's extension)
#[utoipa::path(get, path = "/v1/catalog/playlists", tag = "Catalog", operation_id = "catalog_browse_playlists",
    description = "Medley's extension of the Web API, for a library view: the catalog's playlists with tracks, by title (case aside) then id, a page at a time. A user's own playlists are at /v1/me/playlists.",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(NamedPage),
    responses((status = 200, description = "A page of playlists in `playlists`", body = Data<PlaylistPageAnswer>)))]
pub async fn browse_playlists(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<NamedPage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let page = m.catalog_playlists_by_name(limit, cursor).await?;
    Ok(data(PlaylistPageAnswer {
        playlists: edges(&page, |p| PlaylistObject::of(&urls, p)),
    }))
}
