//! The Amazon Music Web API v1 routes. Each route is declared once, in `routes!` below: the
//! router and the OpenAPI document (`/openapi.json`) are both generated from that declaration.

mod playback;

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
    pub body: bool,
}

macro_rules! routes {
    ($( $method:ident $path:literal => $handler:ident {
        $summary:literal, ok $ok:literal, device $device:literal, limit $limit:expr, body $body:literal
    } )*) => {
        pub fn routes() -> Router<Medley> {
            Router::new() $( .route($path, axum::routing::$method(playback::$handler)) )*
        }

        pub const OPERATIONS: &[Operation] = &[ $( Operation {
            method: stringify!($method),
            path: $path,
            operation_id: stringify!($handler),
            summary: $summary,
            scope: "music::playback",
            ok: $ok,
            device: $device,
            limit: $limit,
            body: $body,
        } ),* ];
    };
}

routes! {
    post "/v1/playback/sessions" => create {
        "Create new session", ok 200, device true, limit None, body true
    }
    get "/v1/playback/sessions/active" => active {
        "Get active sessions", ok 200, device false, limit None, body false
    }
    get "/v1/playback/sessions/{sessionId}/current" => current {
        "Get current track", ok 200, device true, limit None, body false
    }
    get "/v1/playback/sessions/{sessionId}/next" => next {
        "Get next tracks", ok 200, device true, limit Some((1, 10, 10)), body false
    }
    get "/v1/playback/sessions/{sessionId}/previous" => previous {
        "Get previous tracks", ok 200, device true, limit Some((1, 10, 10)), body false
    }
    get "/v1/playback/sessions/{sessionId}/queue" => queue {
        "Get playback queue (reduced metadata)", ok 200, device true, limit Some((1, 10, 10)), body false
    }
    get "/v1/playback/sessions/{sessionId}/entities/{entityReferenceId}" => restore {
        "Restore playback session", ok 200, device true, limit Some((1, 10, 10)), body false
    }
    post "/v1/playback/sessions/{sessionId}/queue/next" => queue_next {
        "Queue next track", ok 201, device false, limit None, body true
    }
    post "/v1/playback/sessions/{sessionId}/queue/last" => queue_last {
        "Queue last track", ok 201, device false, limit None, body true
    }
    put "/v1/playback/sessions/{sessionId}/loop" => set_loop {
        "Set playback mode to loop", ok 200, device false, limit None, body true
    }
    put "/v1/playback/sessions/{sessionId}/shuffle" => set_shuffle {
        "Set playback mode to shuffle", ok 200, device false, limit None, body true
    }
    post "/v1/playback/event" => event {
        "Report single event", ok 201, device true, limit None, body true
    }
    post "/v1/playback/events" => events {
        "Report multiple events", ok 201, device true, limit None, body true
    }
}
