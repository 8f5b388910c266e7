//! The Amazon Music Web API v1 routes. Each route is declared once: the router and the OpenAPI
//! document (`/openapi.json`) are both generated from that declaration. Typed routes are
//! declared on their handlers (`#[utoipa::path]`, registered in `routes()`); the others, until
//! they are typed too, in the table of `table_routes!` below.

mod catalog;
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
const IDS: &[&str] = &["ids"];
const QUERY: &[&str] = &["query"];
const MEDIA_TYPE: &[&str] = &["mediaType"];

table_routes! {
    get "/v1/tracks/{id}" => catalog::track {
        "Get track (mediaType: AUDIO, the default, or VIDEO, which Medley has none of)", scope "music::catalog", ok 200, device false, limit None, query MEDIA_TYPE, body false
    }
    get "/v1/tracks" => catalog::tracks {
        "Get multiple tracks (ids: at most 100)", scope "music::catalog", ok 200, device false, limit None, query IDS, body false
    }
    get "/v1/albums/{id}" => catalog::album {
        "Get album, with its tracks in order", scope "music::catalog", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/albums" => catalog::albums {
        "Get multiple albums (ids: at most 100)", scope "music::catalog", ok 200, device false, limit None, query IDS, body false
    }
    get "/v1/artists/{id}" => catalog::artist {
        "Get artist", scope "music::catalog", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/artists" => catalog::artists {
        "Get multiple artists (ids: at most 100)", scope "music::catalog", ok 200, device false, limit None, query IDS, body false
    }
    get "/v1/artists/{id}/albums" => catalog::artist_albums {
        "Get artist's albums, newest first", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/artists/{id}/tracks" => catalog::artist_tracks {
        "Get artist's tracks", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/artists/{id}/relatedArtists" => catalog::related_artists {
        "Get related artists", scope "music::catalog", ok 200, device false, limit Some((1, 20, 20)), query &[], body false
    }
    get "/v1/playlists/{id}" => catalog::playlist {
        "Get playlist", scope "music::catalog", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/playlists/{id}/tracks" => catalog::playlist_tracks {
        "Get playlist's tracks", scope "music::catalog", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    post "/v1/playlists" => playlists::create {
        "Create a playlist of the current user's (title, description, visibility: PRIVATE unless PUBLIC)", scope "music::library", ok 201, device false, limit None, query &[], body true
    }
    put "/v1/playlists/{id}" => playlists::update {
        "Rename, describe or set the visibility of the current user's playlist", scope "music::library", ok 200, device false, limit None, query &[], body true
    }
    delete "/v1/playlists/{id}" => playlists::delete {
        "Delete the current user's playlist", scope "music::library", ok 200, device false, limit None, query &[], body false
    }
    put "/v1/playlists/{id}/tracks" => playlists::add_tracks {
        "Add tracks to the current user's playlist (trackIds, addDuplicateTracks)", scope "music::library", ok 200, device false, limit None, query &[], body true
    }
    patch "/v1/playlists/{id}/tracks" => playlists::edit_tracks {
        "Remove entries from, or move an entry in, the current user's playlist", scope "music::library", ok 200, device false, limit None, query &[], body true
    }
    get "/v1/me/playlists" => playlists::mine {
        "Get current user's playlists", scope "music::library:read", ok 200, device false, limit Some((1, 100, 100)), query PAGE, body false
    }
    get "/v1/stations/{id}" => catalog::station {
        "Get station (its id is the id of the item it is seeded from)", scope "music::catalog", ok 200, device false, limit None, query &[], body false
    }
    get "/v1/podcasts/shows/{id}" => catalog::podcast_show {
        "Get podcast show", scope "music::catalog", ok 200, device false, limit None, query &[], body false
    }
    post "/v1/search/tracks" => search::tracks {
        "Search tracks (searchFilters, limit, token, sortBy)", scope "music::catalog", ok 200, device false, limit None, query &[], body true
    }
    post "/v1/search/albums" => search::albums {
        "Search albums", scope "music::catalog", ok 200, device false, limit None, query &[], body true
    }
    post "/v1/search/artists" => search::artists {
        "Search artists", scope "music::catalog", ok 200, device false, limit None, query &[], body true
    }
    post "/v1/search/playlists" => search::playlists {
        "Search playlists", scope "music::catalog", ok 200, device false, limit None, query &[], body true
    }
    post "/v1/search/podcastShows" => search::podcast_shows {
        "Search podcast shows", scope "music::catalog", ok 200, device false, limit None, query &[], body true
    }
    get "/v1/search" => search::all {
        "Search across types: top hits, then each type", scope "music::catalog", ok 200, device false, limit Some((1, 50, 10)), query QUERY, body false
    }
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
