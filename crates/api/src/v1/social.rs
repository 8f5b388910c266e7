//! User V1.0 handlers for follows, followers and the library.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use medley_service::social::Relation;
use medley_service::Medley;

use super::playback::data;
use crate::extract::Caller;
use crate::extract::{limit, param};
use crate::ApiError;

type Params = Query<Vec<(String, String)>>;
type ApiResult = Result<Response, ApiError>;

/// Most edges a list returns; another user's podcast shows page by 36 (User V1).
const MAX: u32 = 100;
const MAX_THEIR_SHOWS: u32 = 36;

async fn mine(
    m: Medley,
    p: medley_service::accounts::Principal,
    rel: Relation,
    filter: Option<&str>,
    q: &[(String, String)],
) -> ApiResult {
    let only = match filter {
        Some(name) => param(q, name)?,
        None => None,
    };
    Ok(data(
        m.my_relations(&p, rel, only, limit(q, MAX)?, param(q, "cursor")?)
            .await?,
    ))
}

async fn theirs(
    m: Medley,
    p: medley_service::accounts::Principal,
    id: &str,
    rel: Relation,
    filter: Option<&str>,
    max: u32,
    q: &[(String, String)],
) -> ApiResult {
    let only = match filter {
        Some(name) => param(q, name)?,
        None => None,
    };
    Ok(data(
        m.their_relations(&p, id, rel, only, limit(q, max)?, param(q, "cursor")?)
            .await?,
    ))
}

pub async fn my_followers(
    State(m): State<Medley>,
    Caller(p): Caller,
    Query(q): Params,
) -> ApiResult {
    Ok(data(
        m.followers(&p, None, limit(&q, MAX)?, param(&q, "cursor")?)
            .await?,
    ))
}

pub async fn their_followers(
    State(m): State<Medley>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(q): Params,
) -> ApiResult {
    Ok(data(
        m.followers(&p, Some(&id), limit(&q, MAX)?, param(&q, "cursor")?)
            .await?,
    ))
}

/// Handlers for the caller's lists: `name => relation, filter parameter`.
macro_rules! my_lists {
    ($( $name:ident => $rel:expr, $filter:expr; )*) => { $(
        pub async fn $name(State(m): State<Medley>, Caller(p): Caller, Query(q): Params) -> ApiResult {
            mine(m, p, $rel, $filter, &q).await
        }
    )* };
}

my_lists! {
    library_tracks => Relation::LibraryTrack, Some("trackIds");
    my_followed_users => Relation::User, None;
    my_followed_artists => Relation::Artist, Some("artistIds");
    my_followed_playlists => Relation::Playlist, Some("playlistIds");
    my_followed_shows => Relation::PodcastShow, None;
}

/// Handlers for another user's lists: `name => relation, filter parameter, largest page`.
macro_rules! their_lists {
    ($( $name:ident => $rel:expr, $filter:expr, $max:expr; )*) => { $(
        pub async fn $name(
            State(m): State<Medley>,
            Caller(p): Caller,
            Path(id): Path<String>,
            Query(q): Params,
        ) -> ApiResult {
            theirs(m, p, &id, $rel, $filter, $max, &q).await
        }
    )* };
}

their_lists! {
    their_followed_users => Relation::User, None, MAX;
    // The path of the spec's example, `/v1/users/{id}/followed`: the same list.
    their_followed_users_spec_path => Relation::User, None, MAX;
    their_followed_artists => Relation::Artist, Some("artistIds"), MAX;
    their_followed_playlists => Relation::Playlist, Some("playlistIds"), MAX;
    their_followed_shows => Relation::PodcastShow, None, MAX_THEIR_SHOWS;
}

async fn set(
    m: Medley,
    p: medley_service::accounts::Principal,
    rel: Relation,
    id: &str,
    on: bool,
) -> ApiResult {
    Ok(data(m.set_relation(&p, rel, id, on).await?))
}

macro_rules! follow_handlers {
    ($( $put:ident, $delete:ident => $rel:expr; )*) => { $(
        pub async fn $put(State(m): State<Medley>, Caller(p): Caller, Path(id): Path<String>) -> ApiResult {
            set(m, p, $rel, &id, true).await
        }
        pub async fn $delete(State(m): State<Medley>, Caller(p): Caller, Path(id): Path<String>) -> ApiResult {
            set(m, p, $rel, &id, false).await
        }
    )* };
}

follow_handlers! {
    follow_user, unfollow_user => Relation::User;
    follow_artist, unfollow_artist => Relation::Artist;
    follow_playlist, unfollow_playlist => Relation::Playlist;
    follow_show, unfollow_show => Relation::PodcastShow;
    add_library_track, remove_library_track => Relation::LibraryTrack;
}
