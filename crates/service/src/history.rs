//! Listening history (Player V1): recently played tracks and entities, fed by start
//! events, paged newest first by opaque cursors.

use medley_core::time::iso8601_ms;
use medley_store::{PlayedEntity, User, Visibility};
use serde::Serialize;

use crate::accounts::Principal;
use crate::paging::{bad_cursor, comma_list, time_cursor};
use crate::{Medley, ServiceError, ServiceResult};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<E> {
    pub page_info: PageInfo,
    pub edge_count: usize,
    pub edges: Vec<E>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackEdge {
    pub played_at: String,
    pub node: Node,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityEdge {
    pub id: String,
    pub played_date: String,
    pub node: Node,
}

#[derive(Serialize)]
pub struct Node {
    #[serde(rename = "_type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<&'static str>,
    pub id: String,
    pub title: Option<String>,
    pub url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserHistory {
    pub id: String,
    pub name: Option<String>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_track_playback: Option<Connection<TrackEdge>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_entities_playback: Option<Connection<EntityEdge>>,
}

/// The `entityTypes` Medley understands, with the source type each stands for. Categories,
/// podcasts and users are never played through Medley's playback API, so they match nothing.
const ENTITY_TYPES: &[(&str, &str)] = &[
    ("Album", "ALBUM"),
    ("Artist", "ARTIST"),
    ("Category", "CATEGORY"),
    ("Playlist", "PLAYLIST"),
    ("PodcastEpisode", "PODCAST_EPISODE"),
    ("PodcastShow", "PODCAST_SHOW"),
    ("Station", "STATION"),
    ("Track", "TRACK"),
    ("User", "USER"),
];

fn type_name(source_type: &str) -> &'static str {
    ENTITY_TYPES
        .iter()
        .find(|(_, s)| *s == source_type)
        .map_or("Track", |(name, _)| name)
}

impl Medley {
    fn history_user(&self, u: &User, viewer: &Principal) -> UserHistory {
        UserHistory {
            id: u.id.clone(),
            name: viewer.may_see(u).then(|| u.name.clone()),
            url: self.user_url(&u.id),
            recent_track_playback: None,
            recent_entities_playback: None,
        }
    }

    /// `GET /player/recentlyPlayed`: the caller's plays, newest first (limit 1 to 60).
    pub async fn recently_played_tracks(
        &self,
        p: &Principal,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<UserHistory> {
        p.require_scope("music::history")?;
        let before = match time_cursor(cursor)? {
            None => None,
            Some((ms, id)) => Some((ms, id.parse().map_err(|_| bad_cursor())?)),
        };
        let mut plays = self
            .store
            .recent_tracks(&p.user.id, before, limit + 1)
            .await?;
        let more = plays.len() > limit as usize;
        plays.truncate(limit as usize);
        let ids: Vec<String> = plays.iter().map(|x| x.track_id.clone()).collect();
        let tracks = self.tracks(&ids).await?;
        let edges: Vec<TrackEdge> = plays
            .iter()
            .map(|x| TrackEdge {
                played_at: iso8601_ms(x.played_ms),
                node: Node {
                    type_: None,
                    id: x.track_id.clone(),
                    title: tracks
                        .iter()
                        .find(|t| t.id == x.track_id)
                        .map(|t| t.title.clone()),
                    url: format!("{}/v1/tracks/{}", self.settings.public_url, x.track_id),
                },
            })
            .collect();
        let token = more
            .then(|| {
                plays
                    .last()
                    .map(|x| format!("{}:{}", x.played_ms, x.play_id))
            })
            .flatten();
        let mut user = self.history_user(&p.user, p);
        user.recent_track_playback = Some(Connection {
            page_info: PageInfo {
                has_next_page: more,
                token,
            },
            edge_count: edges.len(),
            edges,
        });
        Ok(user)
    }

    /// Recently played entities of the caller (`user_id` None) or of another user, whose
    /// history is shown only when their playback visibility is public (otherwise 404).
    pub async fn recently_played_entities(
        &self,
        p: &Principal,
        user_id: Option<&str>,
        entity_types: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<UserHistory> {
        let target = match user_id {
            None => {
                p.require_scope("music::history")?;
                p.user.clone()
            }
            Some(id) => {
                p.require_scope("music::catalog")?;
                let hidden = || ServiceError::NotFound(format!("no user '{id}'"));
                let u = self.store.user(id).await?.ok_or_else(hidden)?;
                if u.id != p.user.id && u.playback_visibility == Visibility::Private {
                    return Err(hidden());
                }
                u
            }
        };
        let mut types = Vec::new();
        for t in comma_list(entity_types) {
            let (_, source) = ENTITY_TYPES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&t))
                .ok_or_else(|| {
                    ServiceError::BadRequest(format!(
                        "entityTypes: '{t}' is not one of Album, Artist, Category, Playlist, PodcastEpisode, PodcastShow, Station, Track, User"
                    ))
                })?;
            types.push(source.to_string());
        }
        let before = match cursor {
            None => None,
            Some(c) => {
                let mut parts = c.splitn(3, ':');
                let (Some(ms), Some(kind), Some(id)) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad_cursor());
                };
                Some((
                    ms.parse().map_err(|_| bad_cursor())?,
                    kind.to_string(),
                    id.to_string(),
                ))
            }
        };
        let mut found = self
            .store
            .recent_entities(&target.id, &types, before, limit + 1)
            .await?;
        let more = found.len() > limit as usize;
        found.truncate(limit as usize);
        let titles = self.entity_titles(&found).await?;
        let edges: Vec<EntityEdge> = found
            .iter()
            .zip(titles)
            .map(|(e, title)| EntityEdge {
                id: format!("{}:{}", e.source_type, e.source_id),
                played_date: iso8601_ms(e.played_ms),
                node: self.entity_node(e, title),
            })
            .collect();
        let token = more
            .then(|| {
                found
                    .last()
                    .map(|e| format!("{:027}:{}:{}", e.played_ms, e.source_type, e.source_id))
            })
            .flatten();
        let mut user = self.history_user(&target, p);
        user.recent_entities_playback = Some(Connection {
            page_info: PageInfo {
                has_next_page: more,
                token,
            },
            edge_count: edges.len(),
            edges,
        });
        Ok(user)
    }

    /// The title of each entity, read at once: a station is named after its seed, the first of
    /// an artist, album, playlist or track with its id.
    async fn entity_titles(&self, found: &[PlayedEntity]) -> ServiceResult<Vec<Option<String>>> {
        const SEEDS: [&str; 4] = ["ARTIST", "ALBUM", "PLAYLIST", "TRACK"];
        let mut asked = Vec::new();
        for e in found {
            if e.source_type == "STATION" {
                asked.extend(SEEDS.iter().map(|k| (k.to_string(), e.source_id.clone())));
            } else {
                asked.push((e.source_type.clone(), e.source_id.clone()));
            }
        }
        let mut titles = self.store.item_titles(&asked).await?.into_iter();
        Ok(found
            .iter()
            .map(|e| {
                if e.source_type == "STATION" {
                    let seeds: Vec<Option<String>> = titles.by_ref().take(SEEDS.len()).collect();
                    seeds
                        .into_iter()
                        .flatten()
                        .next()
                        .map(|t| format!("{t} Station"))
                } else {
                    titles.next().flatten()
                }
            })
            .collect())
    }

    fn entity_node(&self, e: &PlayedEntity, title: Option<String>) -> Node {
        let path = match e.source_type.as_str() {
            "ALBUM" => "albums",
            "PLAYLIST" => "playlists",
            "ARTIST" => "artists",
            "STATION" => "stations",
            _ => "tracks",
        };
        Node {
            type_: Some(type_name(&e.source_type)),
            id: e.source_id.clone(),
            title,
            url: format!("{}/v1/{path}/{}", self.settings.public_url, e.source_id),
        }
    }
}
