//! Front-end files embedded at build time (`build.rs`): the API reference page's and the web
//! player's, served with their content type and caching, or a clear 503 when the build had no
//! npm to make them.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// An embedded file, by its name in the build's output folder.
macro_rules! asset {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name)).as_slice()
    };
}
pub(crate) use asset;

/// A day: for files whose names change when they do not (a library's), or that the page asks
/// for again anyway.
pub const DAY: &str = "public, max-age=86400";

/// The file, or 503 with `missing` when the build could not make the front end.
pub fn serve(
    built: bool,
    missing: &str,
    content_type: &'static str,
    cache: &'static str,
    body: &'static [u8],
) -> Response {
    if !built {
        return ApiError::unavailable(missing).into_response();
    }
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, cache)], body).into_response()
}
