//! Users' own playlists: create, change, add, remove and move tracks, delete, list mine.
//! (Reading any playlist is in `catalog`.)

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use medley_service::Medley;

use super::playback::data;
use crate::extract::{limit, param};
use crate::extract::{Caller, JsonBody};
use crate::ApiError;

type ApiResult = Result<Response, ApiError>;

pub async fn create(
    State(m): State<Medley>,
    Caller(p): Caller,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let answer = m.create_playlist(&p, &body).await?;
    Ok((StatusCode::CREATED, data(answer)).into_response())
}

/// Handlers that change `{id}` with a JSON body.
macro_rules! with_body {
    ($($name:ident => $method:ident),* $(,)?) => {$(
        pub async fn $name(
            State(m): State<Medley>,
            Caller(p): Caller,
            Path(id): Path<String>,
            JsonBody(body): JsonBody,
        ) -> ApiResult {
            Ok(data(m.$method(&p, &id, &body).await?))
        }
    )*};
}

with_body! {
    update => update_playlist,
    add_tracks => add_playlist_tracks,
    edit_tracks => edit_playlist_tracks,
}

pub async fn delete(
    State(m): State<Medley>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult {
    Ok(data(m.delete_playlist(&p, &id).await?))
}

pub async fn mine(
    State(m): State<Medley>,
    Caller(p): Caller,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    Ok(data(
        m.my_playlists(&p, limit(&q, 100)?, param(&q, "cursor")?)
            .await?,
    ))
}
