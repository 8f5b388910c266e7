//! Search (reference section 1.2): by type with filters, and across types.

use axum::extract::{Query, State};
use axum::response::Response;
use medley_service::search::{SearchKind, ALL_DEFAULT, ALL_MAX};
use medley_service::Medley;

use super::playback::data;
use crate::extract::param;
use crate::extract::{bounded_limit, Caller, JsonBody};
use crate::ApiError;

type ApiResult = Result<Response, ApiError>;

/// Handlers for `POST /v1/search/<type>`.
macro_rules! by_kind {
    ($($name:ident => $kind:expr),* $(,)?) => {$(
        pub async fn $name(State(m): State<Medley>, Caller(p): Caller, JsonBody(body): JsonBody) -> ApiResult {
            Ok(data(m.search(&p, $kind, &body).await?))
        }
    )*};
}

by_kind! {
    tracks => SearchKind::Track,
    albums => SearchKind::Album,
    artists => SearchKind::Artist,
    playlists => SearchKind::Playlist,
    podcast_shows => SearchKind::PodcastShow,
}

pub async fn all(
    State(m): State<Medley>,
    Caller(p): Caller,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let limit = match param(&q, "limit")? {
        None => ALL_DEFAULT,
        Some(v) => bounded_limit(v.parse::<i64>().ok(), ALL_MAX as usize)? as u32,
    };
    Ok(data(m.search_all(&p, param(&q, "query")?, limit).await?))
}
