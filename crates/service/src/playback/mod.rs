//! Playback sessions (Playback V1; docs/api.md, "Queues" and "Tiers"): create, current, next, previous, queue view,
//! active sessions, restore, queue next/last, loop and shuffle. Events live in `events`.

pub(crate) mod change;
pub(crate) mod context;
pub(crate) mod continuation;
mod events;
mod notices;
pub mod view;
pub mod voice;

pub use events::EventBatch;

use medley_core::audio::Quality;
use medley_core::catalog::TrackView;
use medley_core::dash::Presentation;
use medley_core::ids::UserId;
use medley_core::mrn::Mrn;
use medley_core::policy::{Action, Tier};
use medley_core::queue::{
    Continuation, Entry, LoopMode, Queue, Setup, ShuffleSeed, Slot, SPREAD_LIMIT,
};
use medley_core::streams;
use medley_store::{ContextKind, Session, SessionBody, Store};
use std::sync::Arc;
use uuid::Uuid;

use crate::accounts::Principal;
use crate::library::Library;
use crate::live::{Change, Live};
use crate::media::Media;
use crate::signals::{tell_others, Signal};
use crate::tracks::Tracks;
use crate::{Clock, ServiceError, ServiceResult, Settings};
use change::{committed, until_done, Attempt};
use continuation::window;
use view::{modes, ActiveSession, Entity, EntityPage, Modes, QueuedTrack, Resolved};

/// The playback context: sessions and their queue moves, events and stream concurrency, and
/// the voice queue Alexa sees. It holds the store, the clock, the settings that shape its
/// answers, the live feeds it publishes to, and the contexts it asks (the library for what to
/// play, media for how).
#[derive(Clone)]
pub struct Playback {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    live: Arc<Live>,
    tracks: Arc<Tracks>,
    library: Library,
    media: Media,
}

impl Playback {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
        live: Arc<Live>,
        tracks: Arc<Tracks>,
        library: Library,
        media: Media,
    ) -> Playback {
        Playback {
            store,
            clock,
            settings,
            live,
            tracks,
            library,
            media,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Catalog tracks by id, in the order asked (unknown ids left out), through the cache.
    async fn tracks(&self, ids: &[String]) -> ServiceResult<Vec<Arc<TrackView>>> {
        self.tracks.get(ids).await
    }

    /// Track ids at context indices, through the cache.
    async fn context_tracks(
        &self,
        ctx: &medley_store::ContextRef,
        indices: &[u32],
    ) -> ServiceResult<Vec<Option<String>>> {
        self.tracks.of_context(ctx, indices).await
    }

    /// The sessions of `ids` still stored, stopped for having lost their stream to another
    /// device.
    async fn losers(&self, ids: &[Uuid]) -> ServiceResult<Vec<Session>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(mut v) = self.store.session(*id).await? {
                streams::lose_stream(&mut v);
                out.push(v);
            }
        }
        Ok(out)
    }

    /// Publishes a notice to the user's streams here and on the other nodes.
    fn publish(&self, user: &UserId, session: Uuid, revision: i64, change: Change) {
        let at = self.now_ms();
        tell_others(&*self.store, || Signal::Notice {
            user: user.to_string(),
            session,
            revision,
            at,
            change: change.clone(),
        });
        self.live
            .publish(user.as_str(), session, revision, at, change);
    }
}

/// What a request says about the device (docs/api.md, "Headers").
#[derive(Clone, Debug, Default)]
pub struct Device {
    pub id: Option<String>,
    /// `X-Amzn-Audio-Device-Capability`, upper-cased (default `STD_RES`).
    pub capabilities: Vec<String>,
    /// `X-Amzn-Audio-DRMType` (default `NONE`), upper-cased: a comma list. Of its systems
    /// Medley serves `CLEARKEY` (docs/api.md, "DASH and Clear Key").
    pub drm: String,
    /// The device plays progressive files only (`X-Medley-Protocol: PROGRESSIVE`).
    pub progressive_only: bool,
}

/// The longest `X-Amzn-Device-Id` taken.
pub const MAX_DEVICE_ID: usize = 256;

impl Device {
    /// The device a request's headers describe; a device id that is too long or holds control
    /// characters is refused.
    pub fn from_headers(
        id: Option<&str>,
        capability: Option<&str>,
        drm: Option<&str>,
        protocol: Option<&str>,
    ) -> ServiceResult<Device> {
        if let Some(why) = id
            .and_then(|id| medley_core::text::refusal("X-Amzn-Device-Id", id, MAX_DEVICE_ID, false))
        {
            return Err(ServiceError::BadRequest(why));
        }
        let mut capabilities: Vec<String> = capability
            .unwrap_or("")
            .split(',')
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        if capabilities.is_empty() {
            capabilities.push("STD_RES".into());
        }
        Ok(Device {
            id: id
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
            capabilities,
            drm: drm
                .map(|d| d.trim().to_ascii_uppercase())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "NONE".into()),
            progressive_only: match protocol.map(|p| p.trim().to_ascii_uppercase()) {
                None => false,
                Some(p) if p == "DASH" || p.is_empty() => false,
                Some(p) if p == "PROGRESSIVE" => true,
                Some(other) => {
                    return Err(ServiceError::BadRequest(format!(
                        "X-Medley-Protocol is DASH or PROGRESSIVE, not '{other}'"
                    )))
                }
            },
        })
    }

    /// Whether the device decrypts Clear Key (one of its DRM systems is `CLEARKEY`).
    pub fn clear_key(&self) -> bool {
        self.drm.split(',').any(|d| d.trim() == "CLEARKEY")
    }

    /// The DASH presentation this device gets on `tier`, unless it plays files only.
    pub fn presentation(&self, tier: Tier) -> Option<Presentation> {
        (!self.progressive_only).then(|| Presentation {
            ceiling: self.quality(tier),
            clear_key: self.clear_key(),
        })
    }

    /// The best quality the device takes and the tier allows.
    pub fn quality(&self, tier: Tier) -> Quality {
        Quality::ceiling(self.capabilities.iter().map(String::as_str), tier)
    }

    pub fn require_id(&self) -> ServiceResult<&str> {
        self.id.as_deref().ok_or_else(|| {
            ServiceError::BadRequest("the X-Amzn-Device-Id header is required".into())
        })
    }
}

/// The body of Create New Session, parsed.
#[derive(Clone, Debug, Default)]
pub struct CreateRequest {
    pub id: Option<Mrn>,
    pub container_ids: Vec<Mrn>,
    pub shuffle: Option<bool>,
    /// `LOOP_ON` (true) or `LOOP_OFF` (false).
    pub loop_on: Option<bool>,
    pub start_as_station: bool,
    pub autoplay: Option<bool>,
    pub limit: usize,
}

impl Playback {
    fn restore_cutoff(&self) -> i64 {
        self.now_ms() - self.settings.restore_days * 24 * 3600 * 1000
    }

    /// Deletes sessions that can no longer be restored; returns how many.
    pub async fn purge_expired_sessions(&self) -> ServiceResult<u64> {
        Ok(self.store.purge_sessions(self.restore_cutoff()).await?)
    }

    /// The session if it is the caller's and not expired; otherwise 404 (never 403).
    pub(crate) async fn owned_session(&self, p: &Principal, id: Uuid) -> ServiceResult<Session> {
        match self.store.session(id).await? {
            Some(s) if s.user_id == p.user.id && s.updated_ms >= self.restore_cutoff() => Ok(s),
            _ => Err(ServiceError::NotFound(format!(
                "no playback session '{id}' for this user"
            ))),
        }
    }

    /// The session for a read that names the device (the endpoints whose examples send it).
    async fn device_session(
        &self,
        p: &Principal,
        device: &Device,
        id: Uuid,
    ) -> ServiceResult<Session> {
        device.require_id()?;
        self.owned_session(p, id).await
    }

    /// A page of entities that may continue (`next`, `previous`).
    async fn list_page(
        &self,
        s: &Session,
        items: &[Resolved],
        device: &Device,
        more: bool,
    ) -> ServiceResult<EntityPage<Entity>> {
        Ok(EntityPage {
            has_more: more,
            entities: self.entities(s, items, device, None).await?,
            modes: modes(s),
        })
    }

    /// Applies `f` to the session and saves it, as one change.
    async fn mutate<T>(
        &self,
        p: &Principal,
        id: Uuid,
        f: impl Fn(&mut Session) -> ServiceResult<T>,
    ) -> ServiceResult<(Session, T)> {
        let f = &f;
        until_done("the session", || async move {
            let mut s = self.owned_session(p, id).await?;
            let out = f(&mut s)?;
            s.updated_ms = self.now_ms().max(s.updated_ms);
            self.top_up(&mut s).await?;
            if !committed(self.store.save_session(&s).await)? {
                return Ok(Attempt::Lost);
            }
            s.version += 1;
            let change = (s.id, s.version, crate::live::Change::QueueChanged);
            self.announce(&s.user_id, vec![change]);
            Ok(Attempt::Done((s, out)))
        })
        .await
    }

    pub async fn create_session(
        &self,
        p: &Principal,
        device: &Device,
        req: CreateRequest,
    ) -> ServiceResult<EntityPage<Entity>> {
        let device_id = device.require_id()?.to_string();
        let session = self
            .start_session(p, Uuid::new_v4(), device_id, &req)
            .await?;
        self.page_from_current(session, device, req.limit, None)
            .await
    }

    /// Creates and stores a new session `id` playing what `req` asks for on `device_id`.
    pub(crate) async fn start_session(
        &self,
        p: &Principal,
        id: Uuid,
        device_id: String,
        req: &CreateRequest,
    ) -> ServiceResult<Session> {
        // Lost: the playlist version it read is gone; read the playlist again.
        until_done("the playlist", || {
            self.try_start_session(p, id, device_id.clone(), req)
        })
        .await
    }

    async fn try_start_session(
        &self,
        p: &Principal,
        id: Uuid,
        device_id: String,
        req: &CreateRequest,
    ) -> ServiceResult<Attempt<Session>> {
        let tier = p.user.tier;
        let playlist = self.user_playlist(p, req).await?;
        let r = self.resolve_play(req, playlist.as_ref()).await?;
        let station = r.station;
        if station && req.loop_on == Some(true) {
            return Err(ServiceError::ActionNotAllowed(
                "action 'loopAll' is not allowed: it is not available on a station".into(),
            ));
        }
        if !tier.on_demand() && req.loop_on == Some(true) {
            return Err(ServiceError::ActionNotAllowed(format!(
                "action 'loopAll' is not allowed: the {} tier does not include it",
                tier.as_str()
            )));
        }
        let user_shuffle = !station && req.shuffle == Some(true);
        let shuffle = if station {
            None
        } else if !tier.on_demand() || user_shuffle {
            let artists = self
                .store
                .context_artists(&r.context, SPREAD_LIMIT)
                .await?
                .map(|a| a.iter().map(|s| medley_core::rng::hash_str(s)).collect());
            Some(ShuffleSeed {
                seed: rand::random(),
                keep_start: tier.on_demand() && r.start.is_some(),
                artists,
            })
        } else {
            None
        };
        let mut queue = Queue::new(Setup {
            key: rand::random(),
            len: r.len,
            start_index: r.start,
            shuffle,
            shuffle_shown: user_shuffle,
            loop_mode: if req.loop_on == Some(true) {
                LoopMode::LoopAll
            } else {
                LoopMode::LoopOff
            },
            continuation: if station {
                Continuation::Station
            } else if req.autoplay.unwrap_or(true) {
                Continuation::Autoplay
            } else {
                Continuation::Off
            },
        });
        // The tracks listed in the request are stored with the session, under its id.
        let own_list = !r.track_list.is_empty();
        let context = if own_list {
            medley_store::ContextRef {
                kind: ContextKind::TrackList,
                id: id.to_string(),
            }
        } else {
            r.context.clone()
        };
        let Slot::Context { index, .. } = queue.current.slot else {
            unreachable!("a new queue starts in its context")
        };
        queue.current.track = match own_list {
            true => r.track_list[index as usize].clone(),
            false => self
                .context_tracks(&context, &[index])
                .await?
                .pop()
                .flatten()
                .ok_or_else(|| ServiceError::Internal("context entry missing".into()))?,
        };
        let now = self.now_ms();
        let mut session = Session {
            id,
            user_id: p.user.id.clone(),
            device_id,
            created_ms: now,
            updated_ms: now,
            version: 0,
            body: SessionBody {
                context,
                source_id: r.source_id,
                source_type: r.source_type,
                tier,
                station,
                fulfillment_id: Uuid::new_v4(),
                requested_track: r.requested_track,
                taken_over: false,
                replaced_by: None,
                progress_ms: None,
                recent_events: Vec::new(),
                queue,
            },
        };
        self.top_up(&mut session).await?;
        if !committed(self.store.create_session(&session, &r.track_list).await)? {
            return Ok(Attempt::Lost);
        }
        let started = crate::live::Change::Started {
            device_id: session.device_id.clone(),
        };
        self.announce(
            &session.user_id,
            vec![(session.id, session.version, started)],
        );
        Ok(Attempt::Done(session))
    }

    /// The current entity followed by upcoming ones, `limit` in all (create and restore).
    async fn page_from_current(
        &self,
        s: Session,
        device: &Device,
        limit: usize,
        progress_for: Option<Slot>,
    ) -> ServiceResult<EntityPage<Entity>> {
        let w = window(&s, limit.saturating_sub(1));
        let q = &s.body.queue;
        let mut items = vec![Resolved::from(&q.current)];
        items.extend(self.resolve(&s, &w.slots).await?);
        let entities = self.entities(&s, &items, device, progress_for).await?;
        Ok(EntityPage {
            has_more: w.has_more,
            entities,
            modes: modes(&s),
        })
    }

    pub async fn current(
        &self,
        p: &Principal,
        device: &Device,
        id: Uuid,
    ) -> ServiceResult<EntityPage<Entity>> {
        let s = self.device_session(p, device, id).await?;
        let items = vec![Resolved::from(&s.body.queue.current)];
        Ok(EntityPage {
            has_more: false,
            entities: self.entities(&s, &items, device, None).await?,
            modes: modes(&s),
        })
    }

    pub async fn next(
        &self,
        p: &Principal,
        device: &Device,
        id: Uuid,
        limit: usize,
    ) -> ServiceResult<EntityPage<Entity>> {
        let s = self.device_session(p, device, id).await?;
        let w = window(&s, limit);
        let items = self.resolve(&s, &w.slots).await?;
        self.list_page(&s, &items, device, w.has_more).await
    }

    pub async fn previous(
        &self,
        p: &Principal,
        device: &Device,
        id: Uuid,
        limit: usize,
    ) -> ServiceResult<EntityPage<Entity>> {
        let s = self.device_session(p, device, id).await?;
        self.require_action(&s, Action::Previous).await?;
        let (entries, more) = s.body.queue.previous(limit);
        let items: Vec<Resolved> = entries.into_iter().map(Resolved::from).collect();
        self.list_page(&s, &items, device, more).await
    }

    pub async fn queue_view(
        &self,
        p: &Principal,
        device: &Device,
        id: Uuid,
        limit: usize,
    ) -> ServiceResult<EntityPage<QueuedTrack>> {
        let s = self.device_session(p, device, id).await?;
        self.require_action(&s, Action::QueueView).await?;
        let w = window(&s, limit.saturating_sub(1));
        let mut items = vec![Resolved::from(&s.body.queue.current)];
        items.extend(self.resolve(&s, &w.slots).await?);
        Ok(EntityPage {
            has_more: w.has_more,
            entities: self.reduced(&s, &items).await?,
            modes: modes(&s),
        })
    }

    pub async fn active_sessions(&self, p: &Principal) -> ServiceResult<Vec<ActiveSession>> {
        let sessions = self
            .store
            .active_sessions(&p.user.id, self.restore_cutoff())
            .await?;
        // Every session's current track in one read.
        let current: Vec<Resolved> = sessions
            .iter()
            .map(|s| Resolved::from(&s.body.queue.current))
            .collect();
        let tracks = self.track_map(&current).await?;
        Ok(sessions
            .iter()
            .zip(current)
            .filter_map(|(s, r)| {
                Some(ActiveSession {
                    current: view::queued_track(s, &r, &tracks)?,
                    modes: modes(s),
                    device_id: s.device_id.clone(),
                })
            })
            .collect())
    }

    /// Finds an entry of the session by its entity reference id, with its track.
    pub(crate) async fn entry_of(&self, s: &Session, entity_ref: Uuid) -> ServiceResult<Entry> {
        let mut found = self.entries_of(s, &[entity_ref]).await?;
        Ok(found.pop().expect("one entry for one reference"))
    }

    /// The entries of the session that `refs` name, in order, with their tracks: the tracks
    /// the queue does not hold come from the context in one read.
    pub(crate) async fn entries_of(&self, s: &Session, refs: &[Uuid]) -> ServiceResult<Vec<Entry>> {
        let q = &s.body.queue;
        let not_found = |entity_ref: &Uuid| {
            ServiceError::NotFound(format!(
                "entity '{entity_ref}' is not part of playback session '{}'",
                s.id
            ))
        };
        // Each entry's track as the queue knows it, or its place in the context to read.
        let mut found = Vec::with_capacity(refs.len());
        let mut wanted = Vec::new();
        for r in refs {
            let slot = q.locate(*r).ok_or_else(|| not_found(r))?;
            let known = q.known_track(slot).map(str::to_string);
            if known.is_none() {
                let Slot::Context { index, .. } = slot else {
                    return Err(not_found(r));
                };
                wanted.push(index);
            }
            found.push((slot, known));
        }
        wanted.sort_unstable();
        wanted.dedup();
        let from_context = if wanted.is_empty() {
            Vec::new()
        } else {
            self.context_tracks(&s.body.context, &wanted).await?
        };
        refs.iter()
            .zip(found)
            .map(|(r, (slot, known))| {
                let track = known.or_else(|| match slot {
                    Slot::Context { index, .. } => wanted
                        .binary_search(&index)
                        .ok()
                        .and_then(|i| from_context[i].clone()),
                    _ => None,
                });
                Ok(Entry {
                    slot,
                    track: track.ok_or_else(|| not_found(r))?,
                    ref_id: (slot.to_ref(q.key) != *r).then_some(*r),
                })
            })
            .collect()
    }

    /// The Clear Key licence of `track` for the user of a live playback `session` of theirs,
    /// when `kids` asks for its key.
    pub async fn clear_key_licence(
        &self,
        p: &Principal,
        session: Uuid,
        track: &medley_core::ids::TrackId,
        kids: &[String],
    ) -> ServiceResult<crate::media::dash::ClearKey> {
        self.owned_session(p, session).await?;
        self.media.licence(track, kids).await
    }

    pub async fn restore(
        &self,
        p: &Principal,
        device: &Device,
        id: Uuid,
        entity_ref: Uuid,
        limit: usize,
    ) -> ServiceResult<EntityPage<Entity>> {
        let device_id = device.require_id()?.to_string();
        let s = self.owned_session(p, id).await?;
        let entry = self.entry_of(&s, entity_ref).await?;
        let slot = entry.slot;
        let was_current = s.body.queue.current.slot == slot;
        // A change only where it changes something: another entry, or another device
        // (docs/decisions.md, "Reads never write").
        let mut s = if was_current && s.device_id == device_id {
            s
        } else {
            self.mutate(p, id, |s| {
                if s.body.queue.current.slot != entry.slot {
                    s.body.queue.position_at(entry.clone());
                    s.body.progress_ms = None;
                }
                s.device_id = device_id.clone();
                Ok(())
            })
            .await?
            .0
        };
        // A device taking over what another one plays picks it up where it is now.
        if was_current {
            let st = self.store.streams(&p.user.id).await?;
            let live = streams::position(
                &st,
                s.id,
                s.body.progress_ms.unwrap_or(0),
                self.now_ms(),
                self.settings.stream_grace_secs * 1000,
            );
            s.body.progress_ms = live.or(s.body.progress_ms);
        }
        self.page_from_current(s, device, limit, Some(slot)).await
    }

    pub(crate) async fn require_action(&self, s: &Session, action: Action) -> ServiceResult<()> {
        ServiceError::check(&self.policy(s).await?, action)
    }

    /// Queue next (`last == false`) or queue last.
    pub async fn enqueue(
        &self,
        p: &Principal,
        id: Uuid,
        item: &Mrn,
        last: bool,
    ) -> ServiceResult<Uuid> {
        let s = self.owned_session(p, id).await?;
        self.require_action(&s, Action::QueueMutations).await?;
        if item.kind != medley_core::mrn::ItemKind::Track {
            return Err(ServiceError::BadRequest(format!(
                "playParams.id must name a track; '{item}' is a {}",
                item.kind.as_str()
            )));
        }
        if self
            .tracks(std::slice::from_ref(&item.id))
            .await?
            .is_empty()
        {
            return Err(ServiceError::NotFound(format!("no track '{}'", item.id)));
        }
        let (s, slot) = self
            .mutate(p, id, |s| {
                let q = &mut s.body.queue;
                if last {
                    q.queue_last(item.id.clone())
                } else {
                    q.queue_next(item.id.clone())
                }
                .map_err(|e| ServiceError::BadRequest(e.to_string()))
            })
            .await?;
        Ok(s.body.queue.entity_ref(slot))
    }

    pub async fn set_loop(&self, p: &Principal, id: Uuid, mode: LoopMode) -> ServiceResult<Modes> {
        p.require_scope("music::playback")?;
        let s = self.owned_session(p, id).await?;
        self.require_action(&s, loop_action(mode)).await?;
        let (s, ()) = self
            .mutate(p, id, |s| {
                s.body.queue.set_loop(mode);
                Ok(())
            })
            .await?;
        Ok(modes(&s))
    }

    pub async fn set_shuffle(&self, p: &Principal, id: Uuid, on: bool) -> ServiceResult<Modes> {
        p.require_scope("music::playback")?;
        let s = self.owned_session(p, id).await?;
        self.require_action(&s, Action::Shuffle).await?;
        let artists: Option<Vec<u64>> = if on {
            self.store
                .context_artists(&s.body.context, SPREAD_LIMIT)
                .await?
                .map(|a| a.iter().map(|x| medley_core::rng::hash_str(x)).collect())
        } else {
            None
        };
        let seed: u64 = rand::random();
        let (s, ()) = self
            .mutate(p, id, |s| {
                s.body.queue.set_shuffle(on, seed, artists.as_deref());
                Ok(())
            })
            .await?;
        Ok(modes(&s))
    }
}

/// The action a loop mode needs the tier to allow (turning loops off needs LoopAll's).
pub(crate) fn loop_action(mode: LoopMode) -> Action {
    match mode {
        LoopMode::LoopOne => Action::LoopOne,
        _ => Action::LoopAll,
    }
}
