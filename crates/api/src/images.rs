//! `GET /media/images/{id}?style=SL500` (or the `amzn-image-style` header): cover art Medley
//! serves, resized to an Amazon image style.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use medley_service::media::Media;

use crate::params::Query;
use crate::ApiError;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Styled {
    /// SL500, SL160, SL110, SL75 or SL30 (the longest side in pixels), in any case.
    #[param(pattern = "^[\\t-\\r ]*[Ss][Ll](500|160|110|75|30)[\\t-\\r ]*$")]
    style: Option<String>,
}

/// Cover art, resized to an Amazon image style
#[utoipa::path(get, path = "/media/images/{id}", tag = "Media",
    params(
        ("id" = String, Path, description = "The artwork's id, from an image URL Medley handed out"),
        Styled,
        ("amzn-image-style" = Option<String>, Header, nullable = false, description = "The style, when the query names none",
            pattern = "^[\\t-\\r ]*[Ss][Ll](500|160|110|75|30)[\\t-\\r ]*$"),
    ),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 400, description = "Unknown style (BAD_REQUEST)", body = crate::error::ErrorBody),
        (status = 404, description = "No such artwork (RESOURCE_NOT_FOUND)", body = crate::error::ErrorBody),
    ))]
pub async fn image(
    State(m): State<Media>,
    Path(id): Path<String>,
    Query(q): Query<Styled>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let style = match q.style {
        Some(s) => Some(s),
        None => headers
            .get("amzn-image-style")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string()),
    };
    let picture = m.artwork_image(&id, style.as_deref()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, picture.mime.clone()),
            (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
        ],
        picture.bytes.clone(),
    )
        .into_response())
}
