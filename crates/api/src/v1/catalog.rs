//! Catalog lookups (reference section 1.2): tracks, albums, artists, playlists, stations and
//! podcast shows.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use medley_service::Medley;

use super::playback::data;
use crate::extract::Caller;
use crate::extract::{limit, param};
use crate::ApiError;

type Params = Query<Vec<(String, String)>>;
type ApiResult = Result<Response, ApiError>;

/// Most edges a catalog list returns (reference 1.4: 1 to 100, default 100).
const MAX: u32 = 100;
/// Most related artists.
const MAX_RELATED: u32 = 20;

fn ids(q: &[(String, String)]) -> Result<&str, ApiError> {
    param(q, "ids")?.ok_or_else(|| ApiError::bad_request("ids is required"))
}

/// Handlers that look one thing up by `{id}`.
macro_rules! by_id {
    ($($name:ident => $method:ident),* $(,)?) => {$(
        pub async fn $name(State(m): State<Medley>, Caller(p): Caller, Path(id): Path<String>) -> ApiResult {
            Ok(data(m.$method(&p, &id).await?))
        }
    )*};
}

/// Handlers that look several things up by `?ids=`.
macro_rules! by_ids {
    ($($name:ident => $method:ident),* $(,)?) => {$(
        pub async fn $name(State(m): State<Medley>, Caller(p): Caller, Query(q): Params) -> ApiResult {
            Ok(data(m.$method(&p, ids(&q)?).await?))
        }
    )*};
}

/// Handlers for a paged list of `{id}`'s.
macro_rules! paged {
    ($($name:ident => $method:ident),* $(,)?) => {$(
        pub async fn $name(
            State(m): State<Medley>,
            Caller(p): Caller,
            Path(id): Path<String>,
            Query(q): Params,
        ) -> ApiResult {
            Ok(data(m.$method(&p, &id, limit(&q, MAX)?, param(&q, "cursor")?).await?))
        }
    )*};
}

by_id! {
    album => album_lookup,
    artist => artist_lookup,
    playlist => playlist_lookup,
    station => station_lookup,
    podcast_show => podcast_show_lookup,
}

by_ids! {
    tracks => tracks_lookup,
    albums => albums_lookup,
    artists => artists_lookup,
}

paged! {
    artist_albums => artist_albums,
    artist_tracks => artist_tracks,
    playlist_tracks => playlist_tracks,
}

/// `GET /v1/tracks/{id}?mediaType=AUDIO|VIDEO`: Medley's catalog is audio only.
pub async fn track(
    State(m): State<Medley>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(q): Params,
) -> ApiResult {
    match param(&q, "mediaType")? {
        None | Some("AUDIO") => {}
        Some("VIDEO") => return Err(ApiError::not_found(format!("no video of track '{id}'"))),
        Some(_) => return Err(ApiError::bad_request("mediaType must be AUDIO or VIDEO")),
    }
    Ok(data(m.track_lookup(&p, &id).await?))
}

pub async fn related_artists(
    State(m): State<Medley>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(q): Params,
) -> ApiResult {
    Ok(data(
        m.related_artists(&p, &id, limit(&q, MAX_RELATED)?).await?,
    ))
}
