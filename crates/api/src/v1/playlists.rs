//! Users' own playlists: create, change, add, remove and move tracks, delete, list mine.
//! (Reading any playlist is in `catalog`.)

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use medley_core::ids::PlaylistId;
use medley_service::library::playlists::{EntryEdit, PlaylistDetails, MAX_ADD};
use medley_service::library::Library;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::TimePage;
use super::objects::{edges, CursorEdge, PlaylistObject};
use super::shapes::{data, Connection, Data};
use super::users::VisibilityField;
use crate::body::Body;
use crate::extract::{Caller, IdPath};
use crate::fields::{Count, List, Name, Text};
use crate::params::{NoQuery, Query};
use crate::urls::Urls;
use crate::ApiError;

type Answer = Result<Response, ApiError>;
type Ids = List<String, 1, { MAX_ADD }>;

/// Create Playlist.
#[derive(Deserialize, ToSchema)]
pub struct NewPlaylist {
    #[schema(inline)]
    title: Name<200>,
    #[schema(inline)]
    description: Option<Text<1000>>,
    /// `PRIVATE` unless given.
    visibility: Option<VisibilityField>,
}

/// Update Playlist: what is given changes.
#[derive(Deserialize, ToSchema)]
pub struct PlaylistChange {
    #[schema(inline)]
    title: Option<Name<200>>,
    #[schema(inline)]
    description: Option<Text<1000>>,
    visibility: Option<VisibilityField>,
}

/// Add Tracks to Playlist.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddTracks {
    #[schema(inline)]
    track_ids: Ids,
    /// Add tracks the playlist already holds (or that are named twice); by default they are
    /// left out.
    add_duplicate_tracks: Option<bool>,
}

/// Remove entries, or move one: exactly one of the two.
#[derive(Deserialize, ToSchema)]
pub struct EditTracks {
    /// Entry ids (`entryId` of the playlist's track edges).
    #[schema(inline)]
    remove: Option<Ids>,
    #[serde(rename = "move")]
    move_to: Option<MoveEntry>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoveEntry {
    entry_id: String,
    /// The position it moves to, from 0.
    #[schema(inline)]
    to_index: Count,
}

impl From<NewPlaylist> for PlaylistDetails {
    fn from(b: NewPlaylist) -> Self {
        PlaylistDetails {
            title: Some(b.title.0),
            description: b.description.map(|d| d.0),
            visibility: b.visibility.map(Into::into),
        }
    }
}

impl From<PlaylistChange> for PlaylistDetails {
    fn from(b: PlaylistChange) -> Self {
        PlaylistDetails {
            title: b.title.map(|t| t.0),
            description: b.description.map(|d| d.0),
            visibility: b.visibility.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlaylistAnswer<'a> {
    playlist: PlaylistObject<'a>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TracksAddedAnswer<'a> {
    playlist: PlaylistObject<'a>,
    /// How many tracks it gained.
    tracks_added: usize,
    /// The ids of `trackIds` that name no track of the catalog: left out.
    not_found: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeletedAnswer<'a> {
    delete_playlist: Deleted<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct Deleted<'a> {
    id: &'a str,
}

#[derive(Serialize, ToSchema)]
pub struct MyPlaylistsAnswer<'a> {
    user: UserPlaylists<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct UserPlaylists<'a> {
    id: &'a str,
    name: &'a str,
    url: String,
    #[schema(inline)]
    playlists: Connection<CursorEdge<'a, PlaylistObject<'a>>>,
}

fn answer(urls: &Urls, pl: &medley_service::library::playlists::PlaylistRecord) -> Response {
    let playlist = PlaylistObject::of(urls, pl);
    data(PlaylistAnswer { playlist })
}

/// Create a playlist of the current user's
#[utoipa::path(post, path = "/v1/playlists", tag = "Playlists", operation_id = "playlists_create",
    security(("bearer" = ["music::library"], "apiKey" = [])),
    request_body = NewPlaylist,
    responses((status = 201, description = "The new playlist", body = Data<PlaylistAnswer>)))]
pub async fn create(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    Body(body): Body<NewPlaylist>,
) -> Answer {
    let pl = m.create_playlist(&p, body.into()).await?;
    Ok((StatusCode::CREATED, answer(&urls, &pl)).into_response())
}

/// Rename, describe or set the visibility of the current user's playlist
#[utoipa::path(put, path = "/v1/playlists/{id}", tag = "Playlists", operation_id = "playlists_update",
    security(("bearer" = ["music::library"], "apiKey" = [])),
    params(IdPath<PlaylistId>),
    request_body = PlaylistChange,
    responses((status = 200, description = "The playlist after the change", body = Data<PlaylistAnswer>)))]
pub async fn update(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    IdPath(id): IdPath<PlaylistId>,
    Body(body): Body<PlaylistChange>,
) -> Answer {
    let pl = m.update_playlist(&p, &id, body.into()).await?;
    Ok(answer(&urls, &pl))
}

/// Add tracks to the current user's playlist
#[utoipa::path(put, path = "/v1/playlists/{id}/tracks", tag = "Playlists", operation_id = "playlists_add_tracks",
    security(("bearer" = ["music::library"], "apiKey" = [])),
    params(IdPath<PlaylistId>),
    request_body = AddTracks,
    responses((status = 200, description = "The playlist after the change, how many tracks it gained, and the ids it left out for naming no track", body = Data<TracksAddedAnswer>)))]
pub async fn add_tracks(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    IdPath(id): IdPath<PlaylistId>,
    Body(body): Body<AddTracks>,
) -> Answer {
    let duplicates = body.add_duplicate_tracks.unwrap_or(false);
    let (pl, tracks_added, not_found) = m
        .add_playlist_tracks(&p, &id, body.track_ids.0, duplicates)
        .await?;
    let playlist = PlaylistObject::of(&urls, &pl);
    Ok(data(TracksAddedAnswer {
        playlist,
        tracks_added,
        not_found,
    }))
}

/// Remove entries from, or move an entry in, the current user's playlist
#[utoipa::path(patch, path = "/v1/playlists/{id}/tracks", tag = "Playlists", operation_id = "playlists_edit_tracks",
    security(("bearer" = ["music::library"], "apiKey" = [])),
    params(IdPath<PlaylistId>),
    request_body = EditTracks,
    responses(
        (status = 200, description = "The playlist after the change", body = Data<PlaylistAnswer>),
        (status = 409, description = "The entry to move is not in the playlist (now) (CONFLICT)", body = crate::error::ErrorBody),
    ))]
pub async fn edit_tracks(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    IdPath(id): IdPath<PlaylistId>,
    Body(body): Body<EditTracks>,
) -> Answer {
    let edit = match (body.remove, body.move_to) {
        (Some(ids), None) => EntryEdit::Remove(ids.0),
        (None, Some(mv)) => EntryEdit::Move {
            entry_id: mv.entry_id,
            to: u32::try_from(mv.to_index.0).unwrap_or(u32::MAX),
        },
        _ => {
            return Err(ApiError::bad_request(
                "give either remove (entry ids) or move {entryId, toIndex}",
            ))
        }
    };
    let pl = m.edit_playlist_tracks(&p, &id, edit).await?;
    Ok(answer(&urls, &pl))
}

/// Delete the current user's playlist
#[utoipa::path(delete, path = "/v1/playlists/{id}", tag = "Playlists", operation_id = "playlists_delete",
    security(("bearer" = ["music::library"], "apiKey" = [])),
    params(IdPath<PlaylistId>),
    responses((status = 200, description = "The id of the deleted playlist", body = Data<DeletedAnswer>)))]
pub async fn delete(
    State(m): State<Library>,
    Caller(p): Caller,
    _: NoQuery,
    IdPath(id): IdPath<PlaylistId>,
) -> Answer {
    m.delete_playlist(&p, &id).await?;
    Ok(data(DeletedAnswer {
        delete_playlist: Deleted { id: id.as_str() },
    }))
}

/// Get current user's playlists
#[utoipa::path(get, path = "/v1/me/playlists", tag = "Playlists", operation_id = "playlists_mine",
    security(("bearer" = ["music::library:read"], "apiKey" = [])),
    params(TimePage),
    responses((status = 200, description = "The caller's playlists, newest first", body = Data<MyPlaylistsAnswer>)))]
pub async fn mine(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    Query(q): Query<TimePage>,
) -> Answer {
    let (limit, cursor) = q.page();
    let page = m.my_playlists(&p, limit, cursor).await?;
    Ok(data(MyPlaylistsAnswer {
        user: UserPlaylists {
            id: p.user.id.as_str(),
            name: &p.user.name,
            url: urls.item("users", p.user.id.as_str()),
            playlists: edges(&page, |pl| PlaylistObject::of(&urls, pl)),
        },
    }))
}
