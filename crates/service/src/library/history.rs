//! Listening history (Player V1): recently played tracks and entities, fed by start
//! events, paged newest first by opaque cursors. The scopes these need are the routes' (the
//! Web API declares them).

pub use medley_core::mrn::ItemKind;
use medley_store::{PlayedEntity, User, Visibility};

use crate::accounts::Principal;
use medley_core::ids::UserId;

use super::Library;
use crate::error::not_found;
use crate::paging::{bad_cursor, cursor_of, open_cursor, shape, Page};
use crate::ServiceResult;

/// Whose history a page is: their id, and their name where the viewer may see it.
pub struct HistoryOwner {
    pub id: UserId,
    pub name: Option<String>,
}

/// One page of a user's history, newest first.
pub struct History<T> {
    pub owner: HistoryOwner,
    pub page: Page<T>,
}

/// A play of a track.
pub struct PlayedTrack {
    pub played_ms: i64,
    pub track_id: String,
    /// None once the track has left the catalog.
    pub title: Option<String>,
}

/// The last play of an album, playlist, artist, station or track.
pub struct PlayedItem {
    pub played_ms: i64,
    /// What the play is credited to.
    pub kind: ItemKind,
    pub id: String,
    pub title: Option<String>,
}

impl Library {
    fn history_owner(u: &User, viewer: &Principal) -> HistoryOwner {
        HistoryOwner {
            id: u.id.clone(),
            name: viewer.may_see(u).then(|| u.name.clone()),
        }
    }

    /// `GET /player/recentlyPlayed`: the caller's plays, newest first (limit 1 to 60).
    pub async fn recently_played_tracks(
        &self,
        p: &Principal,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<History<PlayedTrack>> {
        let before = match cursor {
            None => None,
            Some(c) => {
                let [ms, play] = open_cursor(c, shape::PLAY)?;
                let number = |n: String| n.parse().map_err(|_| bad_cursor());
                Some((number(ms)?, number(play)?))
            }
        };
        let mut plays = self
            .store
            .recent_tracks(&p.user.id, before, limit + 1)
            .await?;
        let more = plays.len() > limit as usize;
        plays.truncate(limit as usize);
        let ids: Vec<String> = plays.iter().map(|x| x.track_id.clone()).collect();
        let tracks = self.tracks.get(&ids).await?;
        let items = plays
            .iter()
            .map(|x| PlayedTrack {
                played_ms: x.played_ms,
                track_id: x.track_id.clone(),
                title: tracks
                    .iter()
                    .find(|t| t.id == x.track_id)
                    .map(|t| t.title.clone()),
            })
            .collect();
        let next = more
            .then(|| {
                plays.last().map(|x| {
                    cursor_of(
                        shape::PLAY,
                        [&x.played_ms.to_string(), &x.play_id.to_string()],
                    )
                })
            })
            .flatten();
        Ok(History {
            owner: Self::history_owner(&p.user, p),
            page: Page { items, next },
        })
    }

    /// Recently played entities of the caller (`user_id` None) or of another user, whose
    /// history is shown only when their playback visibility is public (otherwise 404).
    /// `kinds` keeps only plays credited to those kinds (none at all when it is empty).
    pub async fn recently_played_entities(
        &self,
        p: &Principal,
        user_id: Option<&UserId>,
        kinds: Option<&[ItemKind]>,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<History<PlayedItem>> {
        let target = match user_id {
            None => p.user.clone(),
            Some(id) => {
                let u = self.store.user(id).await?.ok_or_else(|| not_found(id))?;
                if u.id != p.user.id && u.playback_visibility == Visibility::Private {
                    return Err(not_found(id));
                }
                u
            }
        };
        let before = match cursor {
            None => None,
            Some(c) => {
                let [ms, kind, id] = open_cursor(c, shape::ENTITY)?;
                Some((ms.parse().map_err(|_| bad_cursor())?, kind, id))
            }
        };
        if kinds == Some(&[]) {
            return Ok(History {
                owner: Self::history_owner(&target, p),
                page: Page::default(),
            });
        }
        let mut found = self
            .store
            .recent_entities(&target.id, kinds.unwrap_or_default(), before, limit + 1)
            .await?;
        let more = found.len() > limit as usize;
        found.truncate(limit as usize);
        let titles = self.entity_titles(&found).await?;
        let items = found
            .iter()
            .zip(titles)
            .map(|(e, title)| PlayedItem {
                played_ms: e.played_ms,
                kind: e.source_type,
                id: e.source_id.clone(),
                title,
            })
            .collect();
        let next = more
            .then(|| {
                found.last().map(|e| {
                    cursor_of(
                        shape::ENTITY,
                        [
                            &e.played_ms.to_string(),
                            e.source_type.source_type(),
                            &e.source_id,
                        ],
                    )
                })
            })
            .flatten();
        Ok(History {
            owner: Self::history_owner(&target, p),
            page: Page { items, next },
        })
    }

    /// The title of each entity, read at once: a station is named after its seed, the first of
    /// an artist, album, playlist or track with its id.
    async fn entity_titles(&self, found: &[PlayedEntity]) -> ServiceResult<Vec<Option<String>>> {
        const SEEDS: [&str; 4] = ["ARTIST", "ALBUM", "PLAYLIST", "TRACK"];
        let mut asked = Vec::new();
        for e in found {
            if e.source_type == ItemKind::Station {
                asked.extend(SEEDS.iter().map(|k| (k.to_string(), e.source_id.clone())));
            } else {
                asked.push((e.source_type.source_type().to_string(), e.source_id.clone()));
            }
        }
        let mut titles = self.store.item_titles(&asked).await?.into_iter();
        Ok(found
            .iter()
            .map(|e| {
                if e.source_type == ItemKind::Station {
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
}
