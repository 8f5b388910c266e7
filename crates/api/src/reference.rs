//! `/docs`: the API reference page, Swagger UI rendering `/openapi.json`. Its assets come from
//! the npm registry and are embedded at build time (`build.rs`); nothing loads from elsewhere.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::ApiError;

macro_rules! asset {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name)).as_slice()
    };
}

/// Whether the build found the assets (it needs npm the first time).
fn built() -> bool {
    asset!("complete") == b"yes"
}

fn answer(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    if !built() {
        return ApiError::unavailable(
            "this build of Medley has no API reference page (building it needs npm); /openapi.json has the document",
        )
        .into_response();
    }
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, cache)], body).into_response()
}

pub async fn page() -> Response {
    answer("text/html; charset=utf-8", "no-cache", asset!("index.html"))
}

pub async fn file(Path(name): Path<String>) -> Response {
    const DAY: &str = "public, max-age=86400";
    match name.as_str() {
        "swagger-ui-bundle.js" => answer("text/javascript", DAY, asset!("swagger-ui-bundle.js")),
        "swagger-ui.css" => answer("text/css", DAY, asset!("swagger-ui.css")),
        "reference.js" => answer("text/javascript", "no-cache", asset!("reference.js")),
        _ => ApiError::not_found("no such file of the API reference").into_response(),
    }
}
