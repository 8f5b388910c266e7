//! The Amazon Music Web API v1 routes. Each route is declared once, in `routes!` below: the
//! router and the OpenAPI document (`/openapi.json`) are both generated from that declaration.

mod playback;
mod player;
mod users;

use axum::Router;
use medley_service::Medley;

/// What the OpenAPI document says about one route.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub scope: &'static str,
    /// Status of a successful answer.
    pub ok: u16,
    /// `X-Amzn-Device-Id` is required (the spec's example sends it).
    pub device: bool,
    /// `?limit=` bounds and default, where the endpoint takes one.
    pub limit: Option<(u32, u32, u32)>,
    /// Other query parameters (all optional strings).
    pub query: &'static [&'static str],
    pub body: bool,
}

macro_rules! routes {
    ($( $method:ident $path:literal => $module:ident :: $handler:ident {
        $summary:literal, scope $scope:literal, ok $ok:literal, device $device:literal,
        limit $limit:expr, query $query:expr, body $body:literal
    } )*) => {
        pub fn routes() -> Router<Medley> {
            Router::new() $( .route($path, axum::routing::$method($module::$handler)) )*
        }

        pub const OPERATIONS: &[Operation] = &[ $( Operation {
            method: stringify!($method),
            path: $path,
            operation_id: concat!(stringify!($module), "_", stringify!($handler)),
            summary: $summary,
            scope: $scope,
            ok: $ok,
            device: $device,
            limit: $limit,
            query: $query,
            body: $body,
        } ),* ];
    };
}

const PLAYER_HISTORY: &[&str] = &["cursor"];
const USER_IDS: &[&str] = &["ids"];
const ENTITY_HISTORY: &[&str] = &["cursor", "entityTypes"];

routes! {
    post "/v1/playback/sessions" => playback::create {
        "Create new session", scope "music::playback", ok 200, device true, limit None, query &[], body true
    }
    get "/v1/playback/sessions/active" => playback::active {
        "Get active sessions", scope "music::playback", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/playback/sessions/{sessionId}/current" => playback::current {
        "Get current track", scope "music::playback", ok 200, device true, limit None, query &[], body false
    }
    get "/v1/playback/sessions/{sessionId}/next" => playback::next {
        "Get next tracks", scope "music::playback", ok 200, device true, limit Some((1, 10, 10)), query &[], body false
    }
    get "/v1/playback/sessions/{sessionId}/previous" => playback::previous {
        "Get previous tracks", scope "music::playback", ok 200, device true, limit Some((1, 10, 10)), query &[], body false
    }
    get "/v1/playback/sessions/{sessionId}/queue" => playback::queue {
        "Get playback queue (reduced metadata)", scope "music::playback", ok 200, device true, limit Some((1, 10, 10)), query &[], body false
    }
    get "/v1/playback/sessions/{sessionId}/entities/{entityReferenceId}" => playback::restore {
        "Restore playback session", scope "music::playback", ok 200, device true, limit Some((1, 10, 10)), query &[], body false
    }
    post "/v1/playback/sessions/{sessionId}/queue/next" => playback::queue_next {
        "Queue next track", scope "music::playback", ok 201, device false, limit None, query &[], body true
    }
    post "/v1/playback/sessions/{sessionId}/queue/last" => playback::queue_last {
        "Queue last track", scope "music::playback", ok 201, device false, limit None, query &[], body true
    }
    put "/v1/playback/sessions/{sessionId}/loop" => playback::set_loop {
        "Set playback mode to loop", scope "music::playback", ok 200, device false, limit None, query &[], body true
    }
    put "/v1/playback/sessions/{sessionId}/shuffle" => playback::set_shuffle {
        "Set playback mode to shuffle", scope "music::playback", ok 200, device false, limit None, query &[], body true
    }
    post "/v1/playback/event" => playback::event {
        "Report single event", scope "music::playback", ok 201, device true, limit None, query &[], body true
    }
    post "/v1/playback/events" => playback::events {
        "Report multiple events", scope "music::playback", ok 201, device true, limit None, query &[], body true
    }
    get "/v1/player/recentlyPlayed" => player::recently_played {
        "Get current user's recently played tracks", scope "music::history", ok 200, device false, limit Some((1, 60, 60)), query PLAYER_HISTORY, body false
    }
    get "/player/recentlyPlayed" => player::recently_played {
        "Get current user's recently played tracks (the path of the spec's example)", scope "music::history", ok 200, device false, limit Some((1, 60, 60)), query PLAYER_HISTORY, body false
    }
    get "/v1/me/recentlyPlayedEntities" => player::my_recent_entities {
        "Get current user's recently played entities", scope "music::history", ok 200, device false, limit Some((1, 100, 100)), query ENTITY_HISTORY, body false
    }
    get "/v1/me" => users::me {
        "Get current user", scope "music::profile", ok 200, device false, limit None, query &[], body false
    }
    put "/v1/me" => users::update_me {
        "Update current user", scope "music::profile", ok 200, device false, limit None, query &[], body true
    }
    get "/v1/users/{id}" => users::user {
        "Get user", scope "music::catalog", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/users" => users::users {
        "Get multiple users (ids: at most 100)", scope "music::catalog", ok 200, device false, limit None, query USER_IDS, body false
    }
    get "/v1/users/{id}/recentlyPlayedEntities" => player::user_recent_entities {
        "Get user's recently played entities", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query ENTITY_HISTORY, body false
    }
}
