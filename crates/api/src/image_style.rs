//! `amzn-image-style` on an API request shapes the image URLs of its answer: image loaders fetch
//! those URLs without the header, so the size has to be in the URL itself. A handler's `Urls`
//! carry the style its request asked for.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use medley_media::artwork::style;
use std::convert::Infallible;

use crate::urls::Urls;
use crate::AppState;

/// The image style a request asks its answer in, if it is one Medley knows (the media routes
/// read the header themselves).
fn asked(parts: &Parts) -> Option<&'static str> {
    if parts.uri.path().starts_with("/media/") {
        return None;
    }
    parts
        .headers
        .get("amzn-image-style")
        .and_then(|v| v.to_str().ok())
        .and_then(style)
}

impl FromRequestParts<AppState> for Urls {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Urls, Infallible> {
        Ok(state.urls().styled(asked(parts)))
    }
}
