//! Playlists: the catalog's (read-only) and users' own (create, describe, set visibility, add,
//! remove and reorder tracks, delete). A private playlist is invisible to everyone but its
//! owner: to them it answers 404, as if it did not exist.

pub use medley_store::PlaylistRecord;
use medley_store::{PlaylistEdit, Visibility};
use uuid::Uuid;

use crate::accounts::Principal;
use medley_core::ids::{self, PlaylistId, TrackId};

use super::Library;
use crate::library::browse::{found, index_cursor, not_found, CatalogTrack, Edge};
use crate::paging::{cursor_of, shape, time_cursor, Page};
use crate::{ServiceError, ServiceResult};

/// Most tracks a user's playlist holds.
pub const MAX_TRACKS: usize = 10_000;
/// Most track ids one request adds.
pub const MAX_ADD: usize = 100;
const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 1000;

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

/// A title as given: trimmed, bounded, no control characters, something visible.
fn title(s: &str) -> ServiceResult<String> {
    medley_core::text::name("title", s, MAX_TITLE).map_err(bad)
}

/// A description as given: trimmed, bounded, no control characters but line breaks.
fn description(s: &str) -> ServiceResult<String> {
    if let Some(why) = medley_core::text::refusal("description", s, MAX_DESCRIPTION, true) {
        return Err(bad(why));
    }
    Ok(s.trim().to_string())
}

/// What describing a playlist sets; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct PlaylistDetails {
    pub title: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
}

/// A change to a playlist's entries.
#[derive(Clone, Debug)]
pub enum EntryEdit {
    /// These entries go.
    Remove(Vec<String>),
    /// The entry moves to the position, from 0.
    Move { entry_id: String, to: u32 },
}

/// A playlist with a page of its tracks.
#[derive(Clone, Debug)]
pub struct PlaylistTracks {
    pub playlist: PlaylistRecord,
    pub page: Page<Edge<CatalogTrack>>,
}

/// The catalog's playlists, the caller's own and public ones are visible to the caller.
pub(crate) fn may_see(p: &Principal, pl: &PlaylistRecord) -> bool {
    pl.visibility == Visibility::Public || pl.owner_id.as_ref().is_none_or(|o| *o == p.user.id)
}

impl Library {
    /// The playlist if the caller may see it (the catalog's, their own, or public); else 404.
    pub(crate) async fn visible_playlist(
        &self,
        p: &Principal,
        id: &PlaylistId,
    ) -> ServiceResult<PlaylistRecord> {
        let pl = found(self.store.playlists(std::slice::from_ref(id)).await?, id)?;
        if !may_see(p, &pl) {
            return Err(not_found(id));
        }
        Ok(pl)
    }

    /// The caller's own playlist, for changing it: another user's public one is 403, a
    /// private one (or the catalog's) 404.
    async fn own_playlist(&self, p: &Principal, id: &PlaylistId) -> ServiceResult<PlaylistRecord> {
        let pl = self.visible_playlist(p, id).await?;
        match &pl.owner_id {
            Some(o) if *o == p.user.id => Ok(pl),
            Some(_) => Err(ServiceError::AccessDenied(format!(
                "playlist '{id}' belongs to another user"
            ))),
            None => Err(ServiceError::AccessDenied(format!(
                "playlist '{id}' is the catalog's and cannot be changed"
            ))),
        }
    }

    pub async fn playlist_lookup(
        &self,
        p: &Principal,
        id: &PlaylistId,
    ) -> ServiceResult<PlaylistRecord> {
        self.visible_playlist(p, id).await
    }

    /// A page of a playlist's tracks; a user playlist's edges carry their entry ids.
    pub async fn playlist_tracks(
        &self,
        p: &Principal,
        id: &PlaylistId,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<PlaylistTracks> {
        let playlist = self.visible_playlist(p, id).await?;
        let rows = self
            .store
            .playlist_entries(id, index_cursor(cursor)?, limit + 1)
            .await?;
        let page = self.track_page(rows, limit).await?;
        Ok(PlaylistTracks { playlist, page })
    }

    /// A new playlist of the caller's: private unless asked otherwise.
    pub async fn create_playlist(
        &self,
        p: &Principal,
        details: PlaylistDetails,
    ) -> ServiceResult<PlaylistRecord> {
        let title = title(details.title.as_deref().unwrap_or(""))?;
        let description = match &details.description {
            Some(d) => description(d)?,
            None => String::new(),
        };
        let now = self.now_ms();
        let pl = PlaylistRecord {
            id: PlaylistId::stored(Uuid::new_v4().to_string()),
            title,
            track_count: 0,
            duration: 0,
            owner_id: Some(p.user.id.clone()),
            description,
            visibility: details.visibility.unwrap_or(Visibility::Private),
            created_ms: now,
            updated_ms: now,
            version: 0,
        };
        self.store.create_playlist(&pl).await?;
        Ok(pl)
    }

    /// Renames, describes or changes the visibility of the caller's playlist.
    pub async fn update_playlist(
        &self,
        p: &Principal,
        id: &PlaylistId,
        details: PlaylistDetails,
    ) -> ServiceResult<PlaylistRecord> {
        self.own_playlist(p, id).await?;
        let title = details.title.as_deref().map(title).transpose()?;
        let description = details
            .description
            .as_deref()
            .map(description)
            .transpose()?;
        if title.is_none() && description.is_none() && details.visibility.is_none() {
            return Err(bad("give title, description or visibility to change"));
        }
        let edit = PlaylistEdit::Details {
            title,
            description,
            visibility: details.visibility,
        };
        self.edit(p, id, edit).await
    }

    async fn edit(
        &self,
        p: &Principal,
        id: &PlaylistId,
        edit: PlaylistEdit,
    ) -> ServiceResult<PlaylistRecord> {
        if !self.store.edit_playlist(id, &edit, self.now_ms()).await? {
            return Err(not_found(id));
        }
        self.visible_playlist(p, id).await
    }

    /// Appends tracks; unless `duplicates`, tracks already there (or named twice) are left
    /// out, and so are ids the catalog does not have. Answers the playlist, how many tracks it
    /// gained, and the ids it left out for naming no track.
    pub async fn add_playlist_tracks(
        &self,
        p: &Principal,
        id: &PlaylistId,
        ids: Vec<String>,
        duplicates: bool,
    ) -> ServiceResult<(PlaylistRecord, usize, Vec<String>)> {
        let pl = self.own_playlist(p, id).await?;
        if ids.is_empty() || ids.len() > MAX_ADD {
            return Err(bad(format!("trackIds must list 1 to {MAX_ADD} track ids")));
        }
        let parsed: Vec<TrackId> = ids::parse_all(&ids);
        let known = self.tracks.get(&ids::strings(&parsed)).await?;
        let (ids, not_found): (Vec<String>, Vec<String>) = ids
            .into_iter()
            .partition(|i| known.iter().any(|t| &t.id == i));
        let mut present: std::collections::HashSet<String> = if duplicates {
            Default::default()
        } else {
            self.store
                .playlist_entries(id, None, MAX_TRACKS as u32)
                .await?
                .into_iter()
                .map(|e| e.track_id)
                .collect()
        };
        let new: Vec<(String, String)> = ids
            .into_iter()
            .filter(|t| duplicates || present.insert(t.clone()))
            .map(|t| (Uuid::new_v4().to_string(), t))
            .collect();
        if pl.track_count as usize + new.len() > MAX_TRACKS {
            return Err(bad(format!("a playlist holds at most {MAX_TRACKS} tracks")));
        }
        let added = new.len();
        if added == 0 {
            return Ok((pl, 0, not_found));
        }
        Ok((
            self.edit(p, id, PlaylistEdit::Append(new)).await?,
            added,
            not_found,
        ))
    }

    /// Removes entries or moves one.
    pub async fn edit_playlist_tracks(
        &self,
        p: &Principal,
        id: &PlaylistId,
        edit: EntryEdit,
    ) -> ServiceResult<PlaylistRecord> {
        self.own_playlist(p, id).await?;
        let edit = match edit {
            EntryEdit::Remove(ids) => {
                if ids.is_empty() || ids.len() > MAX_ADD {
                    return Err(bad(format!("remove must list 1 to {MAX_ADD} entry ids")));
                }
                PlaylistEdit::Remove(ids)
            }
            EntryEdit::Move { entry_id, to } => {
                if to as usize >= MAX_TRACKS {
                    return Err(bad("move.toIndex must be a position from 0"));
                }
                let entries = self
                    .store
                    .playlist_entries(id, None, MAX_TRACKS as u32)
                    .await?;
                if !entries
                    .iter()
                    .any(|e| e.entry_id.as_deref() == Some(entry_id.as_str()))
                {
                    return Err(ServiceError::Conflict(format!(
                        "move.entryId: playlist '{id}' has no entry '{entry_id}' (now)"
                    )));
                }
                PlaylistEdit::Move { entry_id, to }
            }
        };
        self.edit(p, id, edit).await
    }

    pub async fn delete_playlist(&self, p: &Principal, id: &PlaylistId) -> ServiceResult<()> {
        self.own_playlist(p, id).await?;
        self.store.delete_playlist(id).await?;
        Ok(())
    }

    /// `GET /v1/me/playlists`: the caller's playlists, newest first.
    pub async fn my_playlists(
        &self,
        p: &Principal,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Page<Edge<PlaylistRecord>>> {
        let mut rows = self
            .store
            .user_playlists(&p.user.id, time_cursor(cursor)?, limit + 1)
            .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let key = |pl: &PlaylistRecord| {
            cursor_of(shape::TIME, [&pl.created_ms.to_string(), pl.id.as_str()])
        };
        let next = more.then(|| rows.last().map(key)).flatten();
        let items = rows.into_iter().map(|pl| Edge::new(key(&pl), pl)).collect();
        Ok(Page { items, next })
    }
}
