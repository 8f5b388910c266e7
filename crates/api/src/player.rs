//! `/` and `/web/…`: Medley's web player, a page and the bundle (`web/`, built into the binary by
//! `build.rs`) that signs in through Medley's own OAuth flow and uses the Web API as any client
//! does.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};

use crate::assets::{asset, serve};
use crate::ApiError;

fn answer(content_type: &'static str, body: &'static [u8]) -> Response {
    // The bundle's name does not change with its contents: browsers ask again each time.
    serve(
        asset!("player-complete") == b"yes",
        "this build of Medley has no web player (building it needs Node.js with npm); the API works without it",
        content_type,
        "no-cache",
        body,
    )
}

pub async fn page() -> Response {
    answer("text/html; charset=utf-8", asset!("player-index.html"))
}

pub async fn file(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "app.js" => answer("text/javascript", asset!("player-app.js")),
        "app.css" => answer("text/css", asset!("player-app.css")),
        _ => ApiError::not_found("no such file of the web player").into_response(),
    }
}
