//! Player V1.0: recently played tracks and entities, as typed queries and answers.

use axum::extract::State;
use axum::Json;
use medley_core::ids::UserId;
use medley_service::library::history::{History, HistoryOwner, ItemKind, PlayedItem, PlayedTrack};
use medley_service::library::Library;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::shapes::{Connection, Data};
use crate::extract::{Caller, IdPath};
use crate::params::{EntityCursor, Limit, PlayCursor, Query};
use crate::urls::Urls;
use crate::ApiError;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TracksQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 60, 60>,
    #[param(inline)]
    cursor: Option<PlayCursor>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct EntitiesQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 100, 100>,
    #[param(inline)]
    cursor: Option<EntityCursor>,
    #[param(inline)]
    entity_types: Option<EntityTypes>,
}

/// `?entityTypes=`: a comma list of the spec's entity types, in any case.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct EntityTypes(String);

impl utoipa::PartialSchema for EntityTypes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        // Each name in any case: `[Aa][Ll][Bb][Uu][Mm]`.
        let any_case = |name: &str| -> String {
            name.chars()
                .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()))
                .collect()
        };
        let names: Vec<String> = ENTITY_TYPES.iter().map(|(n, _)| any_case(n)).collect();
        let item = format!("\\s*({})?\\s*", names.join("|"));
        let what = "Comma-separated: Album, Artist, Category, Playlist, PodcastEpisode, PodcastShow, Station, Track, User (any case).";
        crate::fields::patterned(format!("^{item}(,{item})*$"), what).into()
    }
}

impl utoipa::ToSchema for EntityTypes {}

/// The `entityTypes` Medley understands, with the kind of play each stands for. Categories,
/// podcasts and users are never played through Medley's playback API, so they match nothing.
const ENTITY_TYPES: &[(&str, Option<ItemKind>)] = &[
    ("Album", Some(ItemKind::Album)),
    ("Artist", Some(ItemKind::Artist)),
    ("Category", None),
    ("Playlist", Some(ItemKind::Playlist)),
    ("PodcastEpisode", None),
    ("PodcastShow", None),
    ("Station", Some(ItemKind::Station)),
    ("Track", Some(ItemKind::Track)),
    ("User", None),
];

impl EntitiesQuery {
    /// The kinds `entityTypes` keeps: `None` keeps every play, an empty list none.
    fn kinds(&self) -> Result<Option<Vec<ItemKind>>, ApiError> {
        let Some(EntityTypes(list)) = self.entity_types.as_ref() else {
            return Ok(None);
        };
        let mut kinds = Vec::new();
        let mut named = false;
        for t in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            named = true;
            let (_, kind) = ENTITY_TYPES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(t))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "entityTypes: '{}' is not one of Album, Artist, Category, Playlist, PodcastEpisode, PodcastShow, Station, Track, User",
                        crate::error::shown(t, 100)
                    ))
                })?;
            kinds.extend(*kind);
        }
        Ok(named.then_some(kinds))
    }
}

/// `{"data": {"user": …}}`.
#[derive(Serialize, ToSchema)]
pub struct HistoryData {
    user: UserHistory,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserHistory {
    id: String,
    /// Null where the viewer may not see it.
    name: Option<String>,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    recent_track_playback: Option<Connection<TrackEdge>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recent_entities_playback: Option<Connection<EntityEdge>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackEdge {
    /// ISO 8601, milliseconds, UTC.
    played_at: String,
    node: Node,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntityEdge {
    /// `<SOURCE_TYPE>:<id>`, e.g. `ALBUM:B084KYMDXT`.
    id: String,
    /// ISO 8601, milliseconds, UTC.
    played_date: String,
    node: Node,
}

#[derive(Serialize, ToSchema)]
pub struct Node {
    /// The entity type (Album, Artist, Playlist, Station, Track); absent on track plays.
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    type_: Option<&'static str>,
    id: String,
    /// Null once the item has left the catalog.
    title: Option<String>,
    url: String,
}

fn user_history(urls: &Urls, owner: HistoryOwner) -> UserHistory {
    UserHistory {
        url: urls.item("users", owner.id.as_str()),
        id: owner.id.into_string(),
        name: owner.name,
        recent_track_playback: None,
        recent_entities_playback: None,
    }
}

fn tracks(urls: &Urls, h: History<PlayedTrack>) -> Json<Data<HistoryData>> {
    let mut user = user_history(urls, h.owner);
    user.recent_track_playback = Some(Connection::of(h.page, |t| TrackEdge {
        played_at: medley_core::time::iso8601_ms(t.played_ms),
        node: Node {
            type_: None,
            url: urls.item("tracks", &t.track_id),
            id: t.track_id,
            title: t.title,
        },
    }));
    Json(Data {
        data: HistoryData { user },
    })
}

fn entities(urls: &Urls, h: History<PlayedItem>) -> Json<Data<HistoryData>> {
    let mut user = user_history(urls, h.owner);
    user.recent_entities_playback = Some(Connection::of(h.page, |e| {
        let collection = match e.kind {
            ItemKind::Album => "albums",
            ItemKind::Playlist => "playlists",
            ItemKind::Artist => "artists",
            ItemKind::Station => "stations",
            ItemKind::Track => "tracks",
        };
        EntityEdge {
            id: format!("{}:{}", e.kind.source_type(), e.id),
            played_date: medley_core::time::iso8601_ms(e.played_ms),
            node: Node {
                type_: Some(e.kind.type_name()),
                url: urls.item(collection, &e.id),
                id: e.id,
                title: e.title,
            },
        }
    }));
    Json(Data {
        data: HistoryData { user },
    })
}

type Answer = Result<Json<Data<HistoryData>>, ApiError>;

/// Get current user's recently played tracks
#[utoipa::path(get, path = "/v1/player/recentlyPlayed", tag = "Player",
    operation_id = "player_recently_played",
    security(("bearer" = ["music::history"], "apiKey" = [])),
    params(TracksQuery),
    responses((status = 200, description = "The caller's plays, newest first", body = Data<HistoryData>)))]
pub async fn recently_played(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    Query(q): Query<TracksQuery>,
) -> Answer {
    let h = m
        .recently_played_tracks(&p, q.limit.0, q.cursor.as_ref().map(PlayCursor::as_str))
        .await?;
    Ok(tracks(&urls, h))
}

/// Get current user's recently played tracks (the path of the spec's example)
#[utoipa::path(get, path = "/player/recentlyPlayed", tag = "Player",
    operation_id = "player_recently_played_spec_path",
    security(("bearer" = ["music::history"], "apiKey" = [])),
    params(TracksQuery),
    responses((status = 200, description = "The caller's plays, newest first", body = Data<HistoryData>)))]
pub async fn recently_played_spec_path(
    state: State<Library>,
    urls: Urls,
    caller: Caller,
    query: Query<TracksQuery>,
) -> Answer {
    recently_played(state, urls, caller, query).await
}

/// Get current user's recently played entities
#[utoipa::path(get, path = "/v1/me/recentlyPlayedEntities", tag = "Player",
    operation_id = "player_my_recent_entities",
    security(("bearer" = ["music::history"], "apiKey" = [])),
    params(EntitiesQuery),
    responses((status = 200, description = "The albums, playlists, artists, stations and tracks the caller played last, newest first", body = Data<HistoryData>)))]
pub async fn my_recent_entities(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    Query(q): Query<EntitiesQuery>,
) -> Answer {
    let h = m
        .recently_played_entities(
            &p,
            None,
            q.kinds()?.as_deref(),
            q.limit.0,
            q.cursor.as_ref().map(EntityCursor::as_str),
        )
        .await?;
    Ok(entities(&urls, h))
}

/// Get user's recently played entities
#[utoipa::path(get, path = "/v1/users/{id}/recentlyPlayedEntities", tag = "Player",
    operation_id = "player_user_recent_entities",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<UserId>, EntitiesQuery),
    responses((status = 200, description = "The user's recently played entities (their playback visibility must be public)", body = Data<HistoryData>)))]
pub async fn user_recent_entities(
    State(m): State<Library>,
    urls: Urls,
    Caller(p): Caller,
    IdPath(id): IdPath<UserId>,
    Query(q): Query<EntitiesQuery>,
) -> Answer {
    let h = m
        .recently_played_entities(
            &p,
            Some(&id),
            q.kinds()?.as_deref(),
            q.limit.0,
            q.cursor.as_ref().map(EntityCursor::as_str),
        )
        .await?;
    Ok(entities(&urls, h))
}
