//! `/docs`: the API reference page, Swagger UI rendering `/openapi.json`. Its assets come from
//! the npm registry and are embedded at build time (`build.rs`); nothing loads from elsewhere.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};

use crate::assets::{asset, serve, DAY};
use crate::ApiError;

fn answer(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    serve(
        asset!("complete") == b"yes",
        "this build of Medley has no API reference page (building it needs npm); /openapi.json has the document",
        content_type,
        cache,
        body,
    )
}

pub async fn page() -> Response {
    answer("text/html; charset=utf-8", "no-cache", asset!("index.html"))
}

pub async fn file(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "swagger-ui-bundle.js" => answer("text/javascript", DAY, asset!("swagger-ui-bundle.js")),
        "swagger-ui.css" => answer("text/css", DAY, asset!("swagger-ui.css")),
        "reference.js" => answer("text/javascript", "no-cache", asset!("reference.js")),
        _ => ApiError::not_found("no such file of the API reference").into_response(),
    }
}
