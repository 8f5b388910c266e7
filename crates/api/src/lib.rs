//! Medley's HTTP surface: one router registering every route once, extractors for auth and
//! device headers, and one error type that renders DESIGN.md 2.4.

pub mod alexa;
mod error;
mod extract;
mod images;
mod media;
mod openapi;
mod v1;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use medley_service::Medley;

pub use error::ApiError;

/// Request bodies above this are refused with 413 PAYLOAD_TOO_LARGE.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router(medley: Medley) -> Router {
    Router::new()
        .merge(v1::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi_json))
        .route("/alexa", axum::routing::post(alexa::directive))
        .route("/media/tracks/{id}", get(media::track))
        .route("/media/images/{id}", get(images::image))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(request_id))
        .with_state(medley)
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi::document())
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(axum::extract::State(m): axum::extract::State<Medley>) -> Response {
    match m.store.has_users().await {
        Ok(_) => Json(serde_json::json!({"status": "ready"})).into_response(),
        Err(e) => ApiError::unavailable(format!("store not ready: {e}")).into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// Gives every request an id: on its log lines, in the `x-amzn-requestid` response header, and
/// as the `reference` of an error body.
async fn request_id(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4();
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let start = std::time::Instant::now();
    let mut res = error::REQUEST_ID
        .scope(
            id,
            tracing::Instrument::instrument(next.run(req), span.clone()),
        )
        .await;
    let _g = span.enter();
    tracing::debug!(
        status = res.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
        "done"
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&id.to_string()) {
        res.headers_mut().insert("x-amzn-requestid", v);
    }
    res
}
