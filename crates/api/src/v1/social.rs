//! User V1.0: follows, followers and the library. Every list answers
//! `{"user": {id, name, url, <list>: {pageInfo, edgeCount, edges}}}`, newest first.

use axum::extract::State;
use axum::response::Response;
use medley_core::ids::{ArtistId, PlaylistId, ShowId, TrackId, UserId};
use medley_service::accounts::Principal;
use medley_service::library::social::{Followable, Relation, RelationList, Target};
use medley_service::library::Library;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::shapes::{data, Connection, Data};
use crate::extract::{Caller, IdPath};
use crate::params::{id_filter, Limit, NoQuery, Query, TimeCursor};
use crate::urls::Urls;
use crate::ApiError;

type Answer = Result<Response, ApiError>;

/// A user another refers to; `name` is null where their profile is private.
#[derive(Serialize, ToSchema)]
pub struct UserNode {
    id: String,
    name: Option<String>,
    url: String,
}

/// An artist or playlist followed.
#[derive(Serialize, ToSchema)]
pub struct NamedNode {
    id: String,
    name: String,
    url: String,
}

/// A podcast show followed, or a track added to the library.
#[derive(Serialize, ToSchema)]
pub struct TitledNode {
    id: String,
    title: String,
    url: String,
}

/// A track in the library list.
#[derive(Serialize, ToSchema)]
pub struct IdNode {
    id: String,
}

#[derive(Serialize, ToSchema)]
pub struct NodeEdge<N> {
    node: N,
}

/// Medley keeps no uploads or purchases: both are always false.
#[derive(Serialize, ToSchema)]
pub struct LibraryEdge {
    uploaded: bool,
    purchased: bool,
    node: IdNode,
}

fn user_node(urls: &Urls, t: Target) -> UserNode {
    UserNode {
        url: urls.item("users", &t.id),
        id: t.id,
        name: t.label,
    }
}

fn named(urls: &Urls, collection: &str, t: Target) -> NamedNode {
    NamedNode {
        url: urls.item(collection, &t.id),
        id: t.id,
        name: t.label.unwrap_or_default(),
    }
}

fn titled(urls: &Urls, collection: &str, t: Target) -> TitledNode {
    TitledNode {
        url: urls.item(collection, &t.id),
        id: t.id,
        title: t.label.unwrap_or_default(),
    }
}

/// The answer of each list: `Answer { user: Owner { …, key: Connection<Edge> } }`.
macro_rules! list_answers {
    ($( $answer:ident, $owner:ident { $key:ident: $edge:ty } )*) => { $(
        #[derive(Serialize, ToSchema)]
        pub struct $answer {
            user: $owner,
        }

        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $owner {
            id: String,
            name: Option<String>,
            url: String,
            #[schema(inline)]
            $key: Connection<$edge>,
        }

        impl $answer {
            fn of(urls: &Urls, list: RelationList, edge: impl FnMut(Target) -> $edge) -> Self {
                let owner = list.owner;
                $answer {
                    user: $owner {
                        url: urls.item("users", &owner.id),
                        id: owner.id,
                        name: owner.label,
                        $key: Connection::of(list.page, edge),
                    },
                }
            }
        }
    )* };
}

list_answers! {
    FollowersAnswer, FollowersOwner { followers: NodeEdge<UserNode> }
    FollowedUsersAnswer, FollowedUsersOwner { followed_users: NodeEdge<UserNode> }
    FollowedArtistsAnswer, FollowedArtistsOwner { followed_artists: NodeEdge<NamedNode> }
    FollowedPlaylistsAnswer, FollowedPlaylistsOwner { followed_playlists: NodeEdge<NamedNode> }
    FollowedShowsAnswer, FollowedShowsOwner { followed_podcast_shows: NodeEdge<TitledNode> }
    LibraryTracksAnswer, LibraryTracksOwner { library_tracks: LibraryEdge }
}

/// A list's answer for its relation.
fn list_answer(urls: &Urls, rel: Relation, followers: bool, list: RelationList) -> Response {
    fn edge<N>(node: N) -> NodeEdge<N> {
        NodeEdge { node }
    }
    if followers {
        return data(FollowersAnswer::of(urls, list, |t| {
            edge(user_node(urls, t))
        }));
    }
    match rel {
        Relation::User => data(FollowedUsersAnswer::of(urls, list, |t| {
            edge(user_node(urls, t))
        })),
        Relation::Artist => data(FollowedArtistsAnswer::of(urls, list, |t| {
            edge(named(urls, "artists", t))
        })),
        Relation::Playlist => data(FollowedPlaylistsAnswer::of(urls, list, |t| {
            edge(named(urls, "playlists", t))
        })),
        Relation::PodcastShow => data(FollowedShowsAnswer::of(urls, list, |t| {
            edge(titled(urls, "podcasts/shows", t))
        })),
        Relation::LibraryTrack => data(LibraryTracksAnswer::of(urls, list, |t| LibraryEdge {
            uploaded: false,
            purchased: false,
            node: IdNode { id: t.id },
        })),
    }
}

/// `?limit=&cursor=` of the lists, and the ids whose status the caller checks.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 100, 100>,
    #[param(inline)]
    cursor: Option<TimeCursor>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TrackIdsQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 100, 100>,
    #[param(inline)]
    cursor: Option<TimeCursor>,
    /// Comma-separated track ids: the list holds only those of them in the library.
    track_ids: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ArtistIdsQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 100, 100>,
    #[param(inline)]
    cursor: Option<TimeCursor>,
    /// Comma-separated artist ids: the list holds only those of them followed.
    artist_ids: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PlaylistIdsQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 100, 100>,
    #[param(inline)]
    cursor: Option<TimeCursor>,
    /// Comma-separated playlist ids: the list holds only those of them followed.
    playlist_ids: Option<String>,
}

/// Another user's podcast shows page by 36 (User V1).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShowsQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 36, 36>,
    #[param(inline)]
    cursor: Option<TimeCursor>,
}

/// What every list query gives: limit, cursor, and the ids to check (the parameter's name
/// and its list).
trait Listing {
    fn parts(&self) -> (u32, Option<&str>, Option<(&'static str, &str)>);
}

impl Listing for ListQuery {
    fn parts(&self) -> (u32, Option<&str>, Option<(&'static str, &str)>) {
        (
            self.limit.0,
            self.cursor.as_ref().map(TimeCursor::as_str),
            None,
        )
    }
}

impl Listing for ShowsQuery {
    fn parts(&self) -> (u32, Option<&str>, Option<(&'static str, &str)>) {
        (
            self.limit.0,
            self.cursor.as_ref().map(TimeCursor::as_str),
            None,
        )
    }
}

impl Listing for TrackIdsQuery {
    fn parts(&self) -> (u32, Option<&str>, Option<(&'static str, &str)>) {
        let only = self.track_ids.as_deref().map(|l| ("trackIds", l));
        (
            self.limit.0,
            self.cursor.as_ref().map(TimeCursor::as_str),
            only,
        )
    }
}

impl Listing for ArtistIdsQuery {
    fn parts(&self) -> (u32, Option<&str>, Option<(&'static str, &str)>) {
        let only = self.artist_ids.as_deref().map(|l| ("artistIds", l));
        (
            self.limit.0,
            self.cursor.as_ref().map(TimeCursor::as_str),
            only,
        )
    }
}

impl Listing for PlaylistIdsQuery {
    fn parts(&self) -> (u32, Option<&str>, Option<(&'static str, &str)>) {
        let only = self.playlist_ids.as_deref().map(|l| ("playlistIds", l));
        (
            self.limit.0,
            self.cursor.as_ref().map(TimeCursor::as_str),
            only,
        )
    }
}

/// The follows of the caller (`user` None) or of another user, as the query asks.
async fn relations<I: Followable>(
    m: Library,
    urls: Urls,
    p: Principal,
    user: Option<&UserId>,
    q: impl Listing,
) -> Answer {
    let (limit, cursor, only) = q.parts();
    let only = match only {
        Some((name, list)) => id_filter::<I>(name, Some(list))?,
        None => None,
    };
    let list = m
        .relations(&p, user, only.as_deref(), limit, cursor)
        .await?;
    Ok(list_answer(&urls, I::RELATION, false, list))
}

/// Get current user's followers
#[utoipa::path(get, path = "/v1/me/followers", tag = "Library and follows", operation_id = "social_my_followers",
    security(("bearer" = ["music::favorites:read"], "apiKey" = [])),
    params(ListQuery),
    responses((status = 200, description = "The users who follow the caller, newest first", body = Data<FollowersAnswer>)))]
pub async fn my_followers(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    Query(q): Query<ListQuery>,
) -> Answer {
    let list = m
        .followers(
            &p,
            None,
            q.limit.0,
            q.cursor.as_ref().map(TimeCursor::as_str),
        )
        .await?;
    Ok(list_answer(&urls, Relation::User, true, list))
}

/// Get user's followers
#[utoipa::path(get, path = "/v1/users/{id}/followers", tag = "Library and follows", operation_id = "social_their_followers",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<UserId>, ListQuery),
    responses((status = 200, description = "The users who follow them, newest first", body = Data<FollowersAnswer>)))]
pub async fn their_followers(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    IdPath(id): IdPath<UserId>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let list = m
        .followers(
            &p,
            Some(&id),
            q.limit.0,
            q.cursor.as_ref().map(TimeCursor::as_str),
        )
        .await?;
    Ok(list_answer(&urls, Relation::User, true, list))
}

/// Handlers for the caller's lists.
macro_rules! my_lists {
    ($( $name:ident $path:literal $summary:literal $scope:literal, $query:ty, $answer:ty => $id:ty; )*) => { $(
        #[doc = $summary]
        #[utoipa::path(get, path = $path, tag = "Library and follows", operation_id = concat!("social_", stringify!($name)),
            security(("bearer" = [$scope], "apiKey" = [])),
            params($query),
            responses((status = 200, description = "Newest first", body = Data<$answer>)))]
        pub async fn $name(
            State(m): State<Library>,
            urls: Urls,
            Caller(p): Caller,
            Query(q): Query<$query>,
        ) -> Answer {
            relations::<$id>(m, urls, p, None, q).await
        }
    )* };
}

my_lists! {
    library_tracks "/v1/me/library/tracks" "Get current user's library tracks (trackIds: check their like status)"
        "music::profile:read", TrackIdsQuery, LibraryTracksAnswer => TrackId;
    my_followed_users "/v1/me/followed/users" "Get current user's followed users"
        "music::favorites:read", ListQuery, FollowedUsersAnswer => UserId;
    my_followed_artists "/v1/me/followed/artists" "Get current user's followed artists"
        "music::favorites:read", ArtistIdsQuery, FollowedArtistsAnswer => ArtistId;
    my_followed_playlists "/v1/me/followed/playlists" "Get current user's followed playlists"
        "music::favorites:read", PlaylistIdsQuery, FollowedPlaylistsAnswer => PlaylistId;
    my_followed_shows "/v1/me/followed/podcasts/shows" "Get current user's followed podcast shows"
        "music::favorites:read", ListQuery, FollowedShowsAnswer => ShowId;
}

/// Handlers for another user's lists.
macro_rules! their_lists {
    ($( $name:ident $path:literal $summary:literal, $query:ty, $answer:ty => $id:ty; )*) => { $(
        #[doc = $summary]
        #[utoipa::path(get, path = $path, tag = "Library and follows", operation_id = concat!("social_", stringify!($name)),
            security(("bearer" = ["music::catalog"], "apiKey" = [])),
            params(IdPath<UserId>, $query),
            responses((status = 200, description = "Newest first", body = Data<$answer>)))]
        pub async fn $name(
            State(m): State<Library>,
            urls: Urls,
            Caller(p): Caller,
            IdPath(id): IdPath<UserId>,
            Query(q): Query<$query>,
        ) -> Answer {
            relations::<$id>(m, urls, p, Some(&id), q).await
        }
    )* };
}

their_lists! {
    their_followed_users "/v1/users/{id}/followed/users" "Get user's followed users",
        ListQuery, FollowedUsersAnswer => UserId;
    their_followed_users_spec_path "/v1/users/{id}/followed" "Get user's followed users (the path of the spec's example)",
        ListQuery, FollowedUsersAnswer => UserId;
    their_followed_artists "/v1/users/{id}/followed/artists" "Get user's followed artists",
        ArtistIdsQuery, FollowedArtistsAnswer => ArtistId;
    their_followed_playlists "/v1/users/{id}/followed/playlists" "Get user's followed playlists",
        PlaylistIdsQuery, FollowedPlaylistsAnswer => PlaylistId;
    their_followed_shows "/v1/users/{id}/followed/podcasts/shows" "Get user's followed podcast shows",
        ShowsQuery, FollowedShowsAnswer => ShowId;
}

/// `FOLLOW` or `UNFOLLOW`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FollowState {
    Follow,
    Unfollow,
}

/// The answer of a follow or unfollow: `Answer { key: Change { noun: Node, followState } }`.
macro_rules! follow_answers {
    ($( $answer:ident, $change:ident { $key:ident, $noun:ident: $node:ty } )*) => { $(
        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $answer {
            $key: $change,
        }

        #[derive(Serialize, ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $change {
            $noun: $node,
            follow_state: FollowState,
        }
    )* };
}

follow_answers! {
    FollowUserAnswer, UserFollow { follow_user, user: UserNode }
    UnfollowUserAnswer, UserUnfollow { unfollow_user, user: UserNode }
    // User V1 names both of an artist's answers followArtist.
    FollowArtistAnswer, ArtistFollow { follow_artist, artist: NamedNode }
    FollowPlaylistAnswer, PlaylistFollow { follow_playlist, playlist: NamedNode }
    UnfollowPlaylistAnswer, PlaylistUnfollow { unfollow_playlist, playlist: NamedNode }
    FollowShowAnswer, ShowFollow { follow_podcast_show, podcast_show: TitledNode }
    UnfollowShowAnswer, ShowUnfollow { unfollow_podcast_show, podcast_show: TitledNode }
}

/// `{"libraryTrack": {"track": …, "inLibrary": …}}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LibraryTrackAnswer {
    library_track: LibraryChange,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LibraryChange {
    track: TitledNode,
    in_library: bool,
}

/// The answer of setting (`on`) or clearing a relation.
fn change_answer(urls: &Urls, rel: Relation, on: bool, t: Target) -> Response {
    let state = if on {
        FollowState::Follow
    } else {
        FollowState::Unfollow
    };
    match (rel, on) {
        (Relation::User, true) => data(FollowUserAnswer {
            follow_user: UserFollow {
                user: user_node(urls, t),
                follow_state: state,
            },
        }),
        (Relation::User, false) => data(UnfollowUserAnswer {
            unfollow_user: UserUnfollow {
                user: user_node(urls, t),
                follow_state: state,
            },
        }),
        (Relation::Artist, _) => data(FollowArtistAnswer {
            follow_artist: ArtistFollow {
                artist: named(urls, "artists", t),
                follow_state: state,
            },
        }),
        (Relation::Playlist, true) => data(FollowPlaylistAnswer {
            follow_playlist: PlaylistFollow {
                playlist: named(urls, "playlists", t),
                follow_state: state,
            },
        }),
        (Relation::Playlist, false) => data(UnfollowPlaylistAnswer {
            unfollow_playlist: PlaylistUnfollow {
                playlist: named(urls, "playlists", t),
                follow_state: state,
            },
        }),
        (Relation::PodcastShow, true) => data(FollowShowAnswer {
            follow_podcast_show: ShowFollow {
                podcast_show: titled(urls, "podcasts/shows", t),
                follow_state: state,
            },
        }),
        (Relation::PodcastShow, false) => data(UnfollowShowAnswer {
            unfollow_podcast_show: ShowUnfollow {
                podcast_show: titled(urls, "podcasts/shows", t),
                follow_state: state,
            },
        }),
        (Relation::LibraryTrack, _) => data(LibraryTrackAnswer {
            library_track: LibraryChange {
                track: titled(urls, "tracks", t),
                in_library: on,
            },
        }),
    }
}

/// Handlers that set or clear a relation to `{id}`.
macro_rules! changes {
    ($( $name:ident $method:ident $path:literal $summary:literal, $answer:ty => $id:ty, $on:literal; )*) => { $(
        #[doc = $summary]
        #[utoipa::path($method, path = $path, tag = "Library and follows", operation_id = concat!("social_", stringify!($name)),
            security(("bearer" = ["music::favorites"], "apiKey" = [])),
            params(IdPath<$id>),
            responses((status = 200, description = "What changed (doing it twice changes nothing more)", body = Data<$answer>)))]
        pub async fn $name(
            State(m): State<Library>,
            urls: Urls,
            Caller(p): Caller,
            _: NoQuery,
            IdPath(id): IdPath<$id>,
        ) -> Answer {
            let target = m.set_relation(&p, &id, $on).await?;
            Ok(change_answer(&urls, <$id>::RELATION, $on, target))
        }
    )* };
}

changes! {
    follow_user put "/v1/me/followed/users/{id}" "Follow a user", FollowUserAnswer => UserId, true;
    unfollow_user delete "/v1/me/followed/users/{id}" "Unfollow a user", UnfollowUserAnswer => UserId, false;
    follow_artist put "/v1/me/followed/artists/{id}" "Follow an artist", FollowArtistAnswer => ArtistId, true;
    unfollow_artist delete "/v1/me/followed/artists/{id}" "Unfollow an artist", FollowArtistAnswer => ArtistId, false;
    follow_playlist put "/v1/me/followed/playlists/{id}" "Follow a playlist", FollowPlaylistAnswer => PlaylistId, true;
    unfollow_playlist delete "/v1/me/followed/playlists/{id}" "Unfollow a playlist", UnfollowPlaylistAnswer => PlaylistId, false;
    follow_show put "/v1/me/followed/podcasts/shows/{id}" "Follow a podcast show", FollowShowAnswer => ShowId, true;
    unfollow_show delete "/v1/me/followed/podcasts/shows/{id}" "Unfollow a podcast show", UnfollowShowAnswer => ShowId, false;
    add_library_track put "/v1/me/library/tracks/{id}" "Add a track to the current user's library", LibraryTrackAnswer => TrackId, true;
    remove_library_track delete "/v1/me/library/tracks/{id}" "Remove a track from the current user's library", LibraryTrackAnswer => TrackId, false;
}
