//! Playlists: the catalog's (read-only) and users' own (create, describe, set visibility, add,
//! remove and reorder tracks, delete). A private playlist is invisible to everyone but its
//! owner: to them it answers 404, as if it did not exist.

use medley_core::mrn::ItemKind;
use medley_store::{PlaylistEdit, PlaylistRecord, Visibility};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::accounts::Principal;
use crate::browse::{found, index_cursor, mrn, SCOPE};
use crate::paging::{connection, cursor_of, time_cursor};
use crate::{Medley, ServiceError, ServiceResult};

/// Most tracks a user's playlist holds.
pub const MAX_TRACKS: usize = 10_000;
/// Most track ids one request adds.
pub const MAX_ADD: usize = 100;
const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 1000;

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

fn text(body: &Value, key: &str, max: usize, required: bool) -> ServiceResult<Option<String>> {
    match body.get(key) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !(required && s.trim().is_empty()) => {
            if let Some(why) = medley_core::text::refusal(key, s, max, key == "description") {
                return Err(bad(why));
            }
            Ok(Some(s.trim().to_string()))
        }
        _ => Err(bad(format!(
            "{key} must be a{} string",
            if required { " non-empty" } else { "" }
        ))),
    }
}

fn visibility(body: &Value) -> ServiceResult<Option<Visibility>> {
    match body.get("visibility") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_str() {
            Some("PUBLIC") => Ok(Some(Visibility::Public)),
            Some("PRIVATE") => Ok(Some(Visibility::Private)),
            _ => Err(bad("visibility must be PUBLIC or PRIVATE")),
        },
    }
}

/// The catalog's playlists, the caller's own and public ones are visible to the caller.
pub(crate) fn may_see(p: &Principal, pl: &PlaylistRecord) -> bool {
    pl.visibility == Visibility::Public || pl.owner_id.as_deref().is_none_or(|o| o == p.user.id)
}

fn library_read(p: &Principal) -> ServiceResult<()> {
    p.require_scope("music::library")
        .or_else(|_| p.require_scope("music::library:read"))
}

impl Medley {
    pub(crate) fn playlist_object(&self, pl: &PlaylistRecord) -> Value {
        json!({
            "id": pl.id,
            "title": pl.title,
            "description": pl.description,
            "url": self.link("playlists", &pl.id),
            "mrn": mrn(ItemKind::Playlist, &pl.id),
            "curator": {"id": pl.owner_id.as_deref().unwrap_or("medley")},
            "duration": pl.duration,
            "trackCount": pl.track_count,
            "images": [],
            "visibility": pl.visibility.as_str(),
            "eligibility": {"playback": {"canPlayOnDemand": true, "shuffleType": "INLINE"},
                            "isDownloadable": false},
        })
    }

    /// The playlist if the caller may see it (the catalog's, their own, or public); else 404.
    pub(crate) async fn visible_playlist(
        &self,
        p: &Principal,
        id: &str,
    ) -> ServiceResult<PlaylistRecord> {
        let pl = found(
            self.store.playlists(&[id.to_string()]).await?,
            "playlist",
            id,
        )?;
        if !may_see(p, &pl) {
            return Err(ServiceError::NotFound(format!("no playlist '{id}'")));
        }
        Ok(pl)
    }

    /// The caller's own playlist, for changing it: another user's public one is 403, a
    /// private one (or the catalog's) 404.
    async fn own_playlist(&self, p: &Principal, id: &str) -> ServiceResult<PlaylistRecord> {
        p.require_scope("music::library")?;
        let pl = self.visible_playlist(p, id).await?;
        match pl.owner_id.as_deref() {
            Some(o) if o == p.user.id => Ok(pl),
            Some(_) => Err(ServiceError::AccessDenied(format!(
                "playlist '{id}' belongs to another user"
            ))),
            None => Err(ServiceError::AccessDenied(format!(
                "playlist '{id}' is the catalog's and cannot be changed"
            ))),
        }
    }

    async fn playlist_answer(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        Ok(json!({ "playlist": self.playlist_object(&self.visible_playlist(p, id).await?) }))
    }

    pub async fn playlist_lookup(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        self.playlist_answer(p, id).await
    }

    /// A page of a playlist's tracks; a user playlist's edges carry their `entryId` (what
    /// removing and moving name).
    pub async fn playlist_tracks(
        &self,
        p: &Principal,
        id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        p.require_scope(SCOPE)?;
        let pl = self.visible_playlist(p, id).await?;
        let rows = self
            .store
            .playlist_entries(id, index_cursor(cursor)?, limit + 1)
            .await?;
        let mut playlist = self.playlist_object(&pl);
        playlist["tracks"] = self.track_page(rows, limit).await?;
        Ok(json!({ "playlist": playlist }))
    }

    pub async fn create_playlist(&self, p: &Principal, body: &Value) -> ServiceResult<Value> {
        p.require_scope("music::library")?;
        let now = self.now_ms();
        let pl = PlaylistRecord {
            id: Uuid::new_v4().to_string(),
            title: text(body, "title", MAX_TITLE, true)?.unwrap_or_default(),
            track_count: 0,
            duration: 0,
            owner_id: Some(p.user.id.clone()),
            description: text(body, "description", MAX_DESCRIPTION, false)?.unwrap_or_default(),
            visibility: visibility(body)?.unwrap_or(Visibility::Private),
            created_ms: now,
            updated_ms: now,
            version: 0,
        };
        self.store.create_playlist(&pl).await?;
        Ok(json!({ "playlist": self.playlist_object(&pl) }))
    }

    /// Renames, describes or changes the visibility of the caller's playlist.
    pub async fn update_playlist(
        &self,
        p: &Principal,
        id: &str,
        body: &Value,
    ) -> ServiceResult<Value> {
        self.own_playlist(p, id).await?;
        let edit = PlaylistEdit::Details {
            title: text(body, "title", MAX_TITLE, false)?,
            description: text(body, "description", MAX_DESCRIPTION, false)?,
            visibility: visibility(body)?,
        };
        if edit
            == (PlaylistEdit::Details {
                title: None,
                description: None,
                visibility: None,
            })
        {
            return Err(bad("give title, description or visibility to change"));
        }
        if let PlaylistEdit::Details { title: Some(t), .. } = &edit {
            if t.is_empty() {
                return Err(bad("title must be a non-empty string"));
            }
        }
        self.edit(p, id, edit).await
    }

    async fn edit(&self, p: &Principal, id: &str, edit: PlaylistEdit) -> ServiceResult<Value> {
        if !self.store.edit_playlist(id, &edit, self.now_ms()).await? {
            return Err(ServiceError::NotFound(format!("no playlist '{id}'")));
        }
        self.playlist_answer(p, id).await
    }

    /// Appends tracks; without `addDuplicateTracks`, tracks already there (or named twice) are
    /// left out.
    pub async fn add_playlist_tracks(
        &self,
        p: &Principal,
        id: &str,
        body: &Value,
    ) -> ServiceResult<Value> {
        let pl = self.own_playlist(p, id).await?;
        let ids: Vec<String> = body
            .get("trackIds")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty() && a.len() <= MAX_ADD)
            .and_then(|a| a.iter().map(|v| v.as_str().map(String::from)).collect())
            .ok_or_else(|| bad(format!("trackIds must list 1 to {MAX_ADD} track ids")))?;
        let duplicates = match body.get("addDuplicateTracks") {
            None | Some(Value::Null) => false,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| bad("addDuplicateTracks must be true or false"))?,
        };
        let known = self.tracks(&ids).await?;
        if let Some(missing) = ids.iter().find(|i| !known.iter().any(|t| &t.id == *i)) {
            return Err(ServiceError::NotFound(format!("no track '{missing}'")));
        }
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
        let mut answer = self.edit(p, id, PlaylistEdit::Append(new)).await?;
        answer["tracksAdded"] = json!(added);
        Ok(answer)
    }

    /// Removes entries (`{"remove": [entryId, …]}`) or moves one
    /// (`{"move": {"entryId": …, "toIndex": n}}`).
    pub async fn edit_playlist_tracks(
        &self,
        p: &Principal,
        id: &str,
        body: &Value,
    ) -> ServiceResult<Value> {
        self.own_playlist(p, id).await?;
        let edit = match (body.get("remove"), body.get("move")) {
            (Some(list), None) => PlaylistEdit::Remove(
                list.as_array()
                    .filter(|a| !a.is_empty() && a.len() <= MAX_ADD)
                    .and_then(|a| a.iter().map(|v| v.as_str().map(String::from)).collect())
                    .ok_or_else(|| bad(format!("remove must list 1 to {MAX_ADD} entry ids")))?,
            ),
            (None, Some(m)) => PlaylistEdit::Move {
                entry_id: m
                    .get("entryId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("move.entryId is required"))?
                    .to_string(),
                to: m
                    .get("toIndex")
                    .and_then(Value::as_u64)
                    .filter(|n| *n < MAX_TRACKS as u64)
                    .ok_or_else(|| bad("move.toIndex must be a position from 0"))?
                    as u32,
            },
            _ => {
                return Err(bad(
                    "give either remove (entry ids) or move {entryId, toIndex}",
                ))
            }
        };
        if let PlaylistEdit::Move { entry_id, .. } = &edit {
            let entries = self
                .store
                .playlist_entries(id, None, MAX_TRACKS as u32)
                .await?;
            if !entries
                .iter()
                .any(|e| e.entry_id.as_deref() == Some(entry_id))
            {
                return Err(ServiceError::NotFound(format!(
                    "no entry '{entry_id}' in playlist '{id}'"
                )));
            }
        }
        self.edit(p, id, edit).await
    }

    pub async fn delete_playlist(&self, p: &Principal, id: &str) -> ServiceResult<Value> {
        self.own_playlist(p, id).await?;
        self.store.delete_playlist(id).await?;
        Ok(json!({ "deletePlaylist": {"id": id} }))
    }

    /// `GET /v1/me/playlists`: the caller's playlists, newest first.
    pub async fn my_playlists(
        &self,
        p: &Principal,
        limit: u32,
        cursor: Option<&str>,
    ) -> ServiceResult<Value> {
        library_read(p)?;
        let mut rows = self
            .store
            .user_playlists(&p.user.id, time_cursor(cursor)?, limit + 1)
            .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let key = |pl: &PlaylistRecord| cursor_of([&pl.created_ms.to_string(), &pl.id]);
        let edges: Vec<Value> = rows
            .iter()
            .map(|pl| json!({"cursor": key(pl), "node": self.playlist_object(pl)}))
            .collect();
        let token = more.then(|| rows.last().map(key)).flatten();
        Ok(json!({ "user": {
            "id": p.user.id,
            "name": p.user.name,
            "url": self.user_url(&p.user.id),
            "playlists": connection(edges, token),
        }}))
    }
}
