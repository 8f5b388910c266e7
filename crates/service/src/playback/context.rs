//! Resolving `playParams` into the context a session plays (docs/api.md, "Queues").

use medley_core::ids::parse_all;
use medley_core::mrn::{ItemKind, Mrn};
use medley_store::{ContextKind, ContextRef, PlaylistRecord};

use super::CreateRequest;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};

pub(crate) struct Resolution {
    pub context: ContextRef,
    pub len: u32,
    /// Context index to start at (`None`: the first entry, or a random one when shuffled).
    pub start: Option<u32>,
    /// The tracks of a `TrackList` context.
    pub track_list: Vec<String>,
    pub source_type: ItemKind,
    pub source_id: String,
    pub requested_track: Option<String>,
    pub station: bool,
}

impl Playback {
    async fn container_len(&self, ctx: &ContextRef, mrn: &Mrn) -> ServiceResult<u32> {
        match self.store.context_len(ctx).await? {
            None => Err(ServiceError::NotFound(format!(
                "no {} '{}'",
                mrn.kind.as_str(),
                mrn.id
            ))),
            Some(0) => Err(ServiceError::BadRequest(format!(
                "{} '{}' has no tracks to play",
                mrn.kind.as_str(),
                mrn.id
            ))),
            Some(n) => Ok(n),
        }
    }

    async fn require_track(&self, id: &str) -> ServiceResult<()> {
        if self.tracks(&[id.to_string()]).await?.is_empty() {
            return Err(ServiceError::NotFound(format!("no track '{id}'")));
        }
        Ok(())
    }

    /// The user playlist `req` plays (not a catalog one), if the caller may see it; another
    /// user's private playlist is not found. A session plays the playlist's current version
    /// (`PlaylistRecord::snapshot`), so later edits never shift a queue that is playing it.
    pub(crate) async fn user_playlist(
        &self,
        p: &crate::accounts::Principal,
        req: &CreateRequest,
    ) -> ServiceResult<Option<PlaylistRecord>> {
        let named = match (&req.id, req.container_ids.as_slice()) {
            (_, [c]) if c.kind == ItemKind::Playlist || c.kind == ItemKind::Station => Some(c),
            (Some(m), []) if m.kind == ItemKind::Playlist || m.kind == ItemKind::Station => Some(m),
            _ => None,
        };
        let Some(m) = named else {
            return Ok(None);
        };
        let Some(pl) = self
            .store
            .playlists(&parse_all(std::slice::from_ref(&m.id)))
            .await?
            .pop()
            .filter(|pl| pl.owner_id.is_some())
        else {
            return Ok(None);
        };
        if !crate::library::playlists::may_see(p, &pl) {
            return Err(ServiceError::NotFound(format!("no playlist '{}'", pl.id)));
        }
        if m.kind == ItemKind::Playlist && pl.track_count == 0 {
            return Err(ServiceError::BadRequest(format!(
                "playlist '{}' has no tracks to play",
                pl.id
            )));
        }
        Ok(Some(pl))
    }

    /// What `req` plays; `user_playlist` is the user playlist it names (see `user_playlist`).
    pub(crate) async fn resolve_play(
        &self,
        req: &CreateRequest,
        user_playlist: Option<&PlaylistRecord>,
    ) -> ServiceResult<Resolution> {
        let context_of = |kind: ContextKind, id: &str| match user_playlist {
            Some(pl) if kind == ContextKind::Playlist && pl.id.as_str() == id => pl.snapshot(),
            _ => ContextRef {
                kind,
                id: id.to_string(),
            },
        };
        let mut station = req.start_as_station;
        let mut id = req.id.clone();
        if let Some(m) = &id {
            if m.kind == ItemKind::Station {
                id = Some(self.library.station_seed(m).await?);
                station = true;
            }
        }
        if req
            .container_ids
            .iter()
            .any(|c| c.kind == ItemKind::Station)
        {
            return Err(ServiceError::BadRequest(
                "playParams.containerIds cannot hold a station; play it as playParams.id".into(),
            ));
        }
        let all_tracks = req.container_ids.iter().all(|c| c.kind == ItemKind::Track);
        let mut r = match (&id, req.container_ids.as_slice()) {
            (None, []) => {
                return Err(ServiceError::BadRequest(
                    "playParams.id or playParams.containerIds is required".into(),
                ))
            }
            // A list of tracks, optionally starting at one of them.
            (_, list) if !list.is_empty() && all_tracks => {
                let ids: Vec<String> = list.iter().map(|m| m.id.clone()).collect();
                let found = self.tracks(&ids).await?;
                if let Some(missing) = ids.iter().find(|i| !found.iter().any(|t| &t.id == *i)) {
                    return Err(ServiceError::NotFound(format!("no track '{missing}'")));
                }
                let start = match &id {
                    None => None,
                    Some(m) if m.kind == ItemKind::Track => Some(
                        ids.iter().position(|t| *t == m.id).ok_or_else(|| {
                            ServiceError::NotFound(format!(
                                "track '{}' is not in playParams.containerIds",
                                m.id
                            ))
                        })? as u32,
                    ),
                    Some(m) => {
                        return Err(ServiceError::BadRequest(format!(
                            "playParams.id '{m}' must be a track when containerIds lists tracks"
                        )))
                    }
                };
                Resolution {
                    context: ContextRef { kind: ContextKind::TrackList, id: String::new() },
                    len: ids.len() as u32,
                    start,
                    source_type: ItemKind::Track,
                    source_id: ids[start.unwrap_or(0) as usize].clone(),
                    requested_track: id.as_ref().map(|m| m.id.clone()),
                    track_list: ids,
                    station: false,
                }
            }
            (_, [container]) => {
                let kind = ContextKind::of_container(container.kind).ok_or_else(|| {
                    ServiceError::BadRequest(
                        "playParams.containerIds must be one album, playlist or artist, or a list of tracks"
                            .into(),
                    )
                })?;
                let context = context_of(kind, &container.id);
                let len = self.container_len(&context, container).await?;
                let start = match &id {
                    None => None,
                    Some(m) if m == container => None,
                    Some(m) if m.kind == ItemKind::Track => {
                        self.require_track(&m.id).await?;
                        Some(self.store.context_index_of(&context, &m.id).await?.ok_or_else(|| {
                            ServiceError::NotFound(format!(
                                "track '{}' is not in {} '{}'",
                                m.id,
                                container.kind.as_str(),
                                container.id
                            ))
                        })?)
                    }
                    Some(m) => {
                        return Err(ServiceError::BadRequest(format!(
                            "playParams.id '{m}' must be a track inside the container or the container itself"
                        )))
                    }
                };
                Resolution {
                    source_type: container.kind,
                    source_id: container.id.clone(),
                    requested_track: id.as_ref().filter(|m| m.kind == ItemKind::Track).map(|m| m.id.clone()),
                    context,
                    len,
                    start,
                    track_list: Vec::new(),
                    station: false,
                }
            }
            (_, [_, ..]) => {
                return Err(ServiceError::BadRequest(
                    "playParams.containerIds must be one album, playlist or artist, or a list of tracks"
                        .into(),
                ))
            }
            (Some(m), []) => match ContextKind::of_container(m.kind) {
                Some(kind) => {
                    let context = context_of(kind, &m.id);
                    let len = self.container_len(&context, m).await?;
                    Resolution {
                        source_type: m.kind,
                        source_id: m.id.clone(),
                        context,
                        len,
                        start: None,
                        track_list: Vec::new(),
                        requested_track: None,
                        station: false,
                    }
                }
                None => {
                    self.require_track(&m.id).await?;
                    Resolution {
                        context: ContextRef { kind: ContextKind::Track, id: m.id.clone() },
                        len: 1,
                        start: Some(0),
                        track_list: Vec::new(),
                        source_type: ItemKind::Track,
                        source_id: m.id.clone(),
                        requested_track: Some(m.id.clone()),
                        station: false,
                    }
                }
            },
        };
        if station {
            // A station plays its seed track first, then an endless stream of recommendations.
            let seed_track = match &r.requested_track {
                Some(t) => t.clone(),
                None if !r.track_list.is_empty() => r.track_list[0].clone(),
                None => self
                    .context_tracks(&r.context, &[r.start.unwrap_or(0)])
                    .await?
                    .pop()
                    .flatten()
                    .ok_or_else(|| ServiceError::Internal("context entry missing".into()))?,
            };
            r.source_type = ItemKind::Station;
            r.source_id = id
                .as_ref()
                .map(|m| m.id.clone())
                .unwrap_or_else(|| r.source_id.clone());
            r.context = ContextRef {
                kind: ContextKind::Track,
                id: seed_track,
            };
            r.len = 1;
            r.start = Some(0);
            r.track_list.clear();
            r.station = true;
        }
        Ok(r)
    }
}
