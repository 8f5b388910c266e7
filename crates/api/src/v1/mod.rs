//! The Amazon Music Web API v1 routes. Each route is declared once, on its handler
//! (`#[utoipa::path]`), and registered here: the router and the OpenAPI document
//! (`/openapi.json`) are both generated from that registration.

mod catalog;
mod notifications;
mod objects;
mod playback;
mod player;
mod playlists;
mod search;
pub mod shapes;
mod social;
mod users;

use utoipa_axum::router::OpenApiRouter;

/// Every v1 route, with the OpenAPI document of the typed ones.
pub fn routes() -> OpenApiRouter<crate::AppState> {
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
        .routes(routes!(playback::licence))
        .routes(routes!(playback::event))
        .routes(routes!(playback::events))
        .routes(routes!(notifications::notifications))
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
        .routes(routes!(catalog::browse_albums))
        .routes(routes!(catalog::browse_artists))
        .routes(routes!(catalog::browse_playlists))
        .routes(routes!(playlists::create))
        .routes(routes!(playlists::update, playlists::delete))
        .routes(routes!(playlists::add_tracks, playlists::edit_tracks))
        .routes(routes!(playlists::mine))
        .routes(routes!(social::library_tracks))
        .routes(routes!(
            social::add_library_track,
            social::remove_library_track
        ))
        .routes(routes!(social::my_followers))
        .routes(routes!(social::my_followed_users))
        .routes(routes!(social::my_followed_artists))
        .routes(routes!(social::my_followed_playlists))
        .routes(routes!(social::my_followed_shows))
        .routes(routes!(social::follow_user, social::unfollow_user))
        .routes(routes!(social::follow_artist, social::unfollow_artist))
        .routes(routes!(social::follow_playlist, social::unfollow_playlist))
        .routes(routes!(social::follow_show, social::unfollow_show))
        .routes(routes!(social::their_followers))
        .routes(routes!(social::their_followed_users_spec_path))
        .routes(routes!(social::their_followed_users))
        .routes(routes!(social::their_followed_artists))
        .routes(routes!(social::their_followed_playlists))
        .routes(routes!(social::their_followed_shows))
        .routes(routes!(search::tracks))
        .routes(routes!(search::albums))
        .routes(routes!(search::artists))
        .routes(routes!(search::playlists))
        .routes(routes!(search::podcast_shows))
        .routes(routes!(search::all))
}
