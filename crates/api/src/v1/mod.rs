//! The Amazon Music Web API v1 routes; each route is registered here once.

mod playback;

use axum::routing::{get, post, put};
use axum::Router;
use medley_service::Medley;

pub fn routes() -> Router<Medley> {
    Router::new()
        .route("/v1/playback/sessions", post(playback::create))
        .route("/v1/playback/sessions/active", get(playback::active))
        .route(
            "/v1/playback/sessions/{session_id}/current",
            get(playback::current),
        )
        .route(
            "/v1/playback/sessions/{session_id}/next",
            get(playback::next),
        )
        .route(
            "/v1/playback/sessions/{session_id}/previous",
            get(playback::previous),
        )
        .route(
            "/v1/playback/sessions/{session_id}/queue",
            get(playback::queue),
        )
        .route(
            "/v1/playback/sessions/{session_id}/entities/{entity_reference_id}",
            get(playback::restore),
        )
        .route(
            "/v1/playback/sessions/{session_id}/queue/next",
            post(playback::queue_next),
        )
        .route(
            "/v1/playback/sessions/{session_id}/queue/last",
            post(playback::queue_last),
        )
        .route(
            "/v1/playback/sessions/{session_id}/loop",
            put(playback::set_loop),
        )
        .route(
            "/v1/playback/sessions/{session_id}/shuffle",
            put(playback::set_shuffle),
        )
        .route("/v1/playback/event", post(playback::event))
        .route("/v1/playback/events", post(playback::events))
}
