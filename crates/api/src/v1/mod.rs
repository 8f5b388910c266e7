//! The Amazon Music Web API v1 routes. Each route is declared once: the router and the OpenAPI
//! document (`/openapi.json`) are both generated from that declaration. Typed routes are
//! declared on their handlers (`#[utoipa::path]`, registered in `routes()`); the others, until
//! they are typed too, in the table of `table_routes!` below.

mod catalog;
mod objects;
mod playback;
mod player;
mod playlists;
mod search;
pub mod shapes;
mod social;
mod users;

use axum::Router;
use medley_service::Medley;
use utoipa_axum::router::OpenApiRouter;

/// Every v1 route, with the OpenAPI document of the typed ones.
pub fn routes() -> OpenApiRouter<Medley> {
    use utoipa_axum::routes;
    OpenApiRouter::new()
        .routes(routes!(player::recently_played))
        .routes(routes!(player::recently_played_spec_path))
        .routes(routes!(player::my_recent_entities))
        .routes(routes!(player::user_recent_entities))
        .routes(routes!(playback::create))
        .routes(routes!(playback::active))
        .routes(routes!(playback::current))
        .routes(routes!(playback::next))
        .routes(routes!(playback::previous))
        .routes(routes!(playback::queue))
        .routes(routes!(playback::restore))
        .routes(routes!(playback::queue_next))
        .routes(routes!(playback::queue_last))
        .routes(routes!(playback::set_loop))
        .routes(routes!(playback::set_shuffle))
        .routes(routes!(playback::event))
        .routes(routes!(playback::events))
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(users::user))
        .routes(routes!(users::users))
        .routes(routes!(catalog::track))
        .routes(routes!(catalog::tracks))
        .routes(routes!(catalog::album))
        .routes(routes!(catalog::albums))
        .routes(routes!(catalog::artist))
        .routes(routes!(catalog::artists))
        .routes(routes!(catalog::artist_albums))
        .routes(routes!(catalog::artist_tracks))
        .routes(routes!(catalog::related_artists))
        .routes(routes!(catalog::playlist))
        .routes(routes!(catalog::playlist_tracks))
        .routes(routes!(catalog::station))
        .routes(routes!(catalog::podcast_show))
        .routes(routes!(playlists::create))
        .routes(routes!(playlists::update, playlists::delete))
        .routes(routes!(playlists::add_tracks, playlists::edit_tracks))
        .routes(routes!(playlists::mine))
        .routes(routes!(search::tracks))
        .routes(routes!(search::albums))
        .routes(routes!(search::artists))
        .routes(routes!(search::playlists))
        .routes(routes!(search::podcast_shows))
        .routes(routes!(search::all))
        .merge(OpenApiRouter::from(table()))
}

/// What the OpenAPI document says about one route.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub operation_id: &'static str,
    /// The module that handles it: the document's tag.
    pub module: &'static str,
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

macro_rules! table_routes {
    ($( $method:ident $path:literal => $module:ident :: $handler:ident {
        $summary:literal, scope $scope:literal, ok $ok:literal, device $device:literal,
        limit $limit:expr, query $query:expr, body $body:literal
    } )*) => {
        fn table() -> Router<Medley> {
            Router::new() $( .route(
                $path,
                axum::routing::$method($module::$handler).layer(axum::middleware::from_fn(
                    |req, next| crate::extract::check_query(req, next, $limit, $query),
                )),
            ) )*
        }

        pub const OPERATIONS: &[Operation] = &[ $( Operation {
            method: stringify!($method),
            path: $path,
            operation_id: concat!(stringify!($module), "_", stringify!($handler)),
            module: stringify!($module),
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

const PAGE: &[&str] = &["cursor"];
const TRACK_IDS: &[&str] = &["cursor", "trackIds"];
const ARTIST_IDS: &[&str] = &["cursor", "artistIds"];
const PLAYLIST_IDS: &[&str] = &["cursor", "playlistIds"];

table_routes! {
    get "/v1/me/library/tracks" => social::library_tracks {
        "Get current user's library tracks (trackIds: check their like status)", scope "music::profile:read", ok 200, device false, limit Some((1, 100, 100)), query TRACK_IDS, body false
    }
    put "/v1/me/library/tracks/{id}" => social::add_library_track {
        "Add a track to the current user's library", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    delete "/v1/me/library/tracks/{id}" => social::remove_library_track {
        "Remove a track from the current user's library", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/me/followers" => social::my_followers {
        "Get current user's followers", scope "music::favorites:read", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/me/followed/users" => social::my_followed_users {
        "Get current user's followed users", scope "music::favorites:read", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/me/followed/artists" => social::my_followed_artists {
        "Get current user's followed artists", scope "music::favorites:read", ok 200, device false, limit Some((1, 100, 100)), query ARTIST_IDS, body false
    }
    get "/v1/me/followed/playlists" => social::my_followed_playlists {
        "Get current user's followed playlists", scope "music::favorites:read", ok 200, device false, limit Some((1, 100, 100)), query PLAYLIST_IDS, body false
    }
    get "/v1/me/followed/podcasts/shows" => social::my_followed_shows {
        "Get current user's followed podcast shows", scope "music::favorites:read", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    put "/v1/me/followed/users/{id}" => social::follow_user {
        "Follow a user", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    delete "/v1/me/followed/users/{id}" => social::unfollow_user {
        "Unfollow a user", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    put "/v1/me/followed/artists/{id}" => social::follow_artist {
        "Follow an artist", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    delete "/v1/me/followed/artists/{id}" => social::unfollow_artist {
        "Unfollow an artist", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    put "/v1/me/followed/playlists/{id}" => social::follow_playlist {
        "Follow a playlist", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    delete "/v1/me/followed/playlists/{id}" => social::unfollow_playlist {
        "Unfollow a playlist", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    put "/v1/me/followed/podcasts/shows/{id}" => social::follow_show {
        "Follow a podcast show", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    delete "/v1/me/followed/podcasts/shows/{id}" => social::unfollow_show {
        "Unfollow a podcast show", scope "music::favorites", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/users/{id}/followers" => social::their_followers {
        "Get user's followers", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/users/{id}/followed" => social::their_followed_users_spec_path {
        "Get user's followed users (the path of the spec's example)", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/users/{id}/followed/users" => social::their_followed_users {
        "Get user's followed users", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/users/{id}/followed/artists" => social::their_followed_artists {
        "Get user's followed artists", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query ARTIST_IDS, body false
    }
    get "/v1/users/{id}/followed/playlists" => social::their_followed_playlists {
        "Get user's followed playlists", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PLAYLIST_IDS, body false
    }
    get "/v1/users/{id}/followed/podcasts/shows" => social::their_followed_shows {
        "Get user's followed podcast shows", scope "music::catalog", ok 200, device false, limit Some((1, 36, 36)), query PAGE, body false
    }
}
