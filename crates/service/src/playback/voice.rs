//! The play queue as Alexa's PlayQueue interface sees it (spec/004): the same session as the
//! Web API's (queueId = sessionId, item id = entityReferenceId), read and steered by voice.

use std::sync::Arc;

use medley_core::catalog::TrackView;
use medley_core::policy::Action;
use medley_core::queue::LoopMode;
use uuid::Uuid;

use super::view::Resolved;
use super::Device;
use crate::accounts::Principal;
use crate::{Medley, ServiceError, ServiceResult};

/// Most items a GetView answer carries (the current one included).
pub const VIEW_ITEMS: usize = 10;

pub struct VoiceItem {
    pub id: Uuid,
    pub track: Arc<TrackView>,
    pub next_enabled: bool,
    pub previous_enabled: bool,
    pub stream_uri: String,
    pub valid_until_ms: i64,
}

pub struct Toggle {
    pub enabled: bool,
    pub selected: bool,
}

pub struct VoiceView {
    pub shuffle: Toggle,
    pub loop_: Toggle,
    pub items: Vec<VoiceItem>,
}

/// Alexa devices play whatever quality the tier allows.
fn speaker() -> Device {
    Device::from_headers(None, Some("STD_RES,HI_FI,HI_RES"), None)
}

impl Medley {
    async fn voice_items(
        &self,
        s: &medley_store::Session,
        items: &[Resolved],
        more_after_last: bool,
    ) -> ServiceResult<Vec<VoiceItem>> {
        let policy = self.policy(s).await?;
        let next_ok = policy.state(Action::Next).is_allowed;
        let previous_ok = policy.state(Action::Previous).is_allowed;
        let ids: Vec<String> = items.iter().map(|r| r.track_id.clone()).collect();
        let tracks = self.tracks(&ids).await?;
        let valid_until_ms = self.now_ms() + self.settings.stream_uri_ttl_secs * 1000;
        let q = &s.body.queue;
        let mut out = Vec::with_capacity(items.len());
        for (i, r) in items.iter().enumerate() {
            let Some(track) = tracks.iter().find(|t| t.id == r.track_id) else {
                continue;
            };
            out.push(VoiceItem {
                id: r.ref_id.unwrap_or_else(|| q.entity_ref(r.slot)),
                next_enabled: next_ok && (i + 1 < items.len() || more_after_last),
                previous_enabled: previous_ok && !q.previous(1).0.is_empty(),
                stream_uri: self.media_url(s, track, &speaker()),
                valid_until_ms,
                track: track.clone(),
            });
        }
        Ok(out)
    }

    /// GetItem: one item of the queue, with a fresh stream URI.
    pub async fn voice_item(
        &self,
        p: &Principal,
        queue_id: Uuid,
        item_id: Uuid,
    ) -> ServiceResult<VoiceItem> {
        let s = self.owned_session(p, queue_id).await?;
        let entry = self.entry_of(&s, item_id).await?;
        let resolved = Resolved {
            slot: entry.slot,
            track_id: entry.track.clone(),
            ref_id: Some(item_id),
        };
        self.voice_items(&s, &[resolved], true)
            .await?
            .pop()
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "item '{item_id}' plays a track no longer in the catalog"
                ))
            })
    }

    /// GetView: the current item and the next ones, at most ten, with the queue's toggles.
    pub async fn voice_view(&self, p: &Principal, queue_id: Uuid) -> ServiceResult<VoiceView> {
        let mut s = self.owned_session(p, queue_id).await?;
        let w = self.window(&mut s, VIEW_ITEMS - 1).await?;
        let mut items = vec![Resolved::from(&s.body.queue.current)];
        items.extend(self.resolve(&s, &w.slots).await?);
        let policy = self.policy(&s).await?;
        let q = &s.body.queue;
        Ok(VoiceView {
            shuffle: Toggle {
                enabled: policy.state(Action::Shuffle).is_allowed,
                selected: q.shuffle,
            },
            loop_: Toggle {
                enabled: policy.state(Action::LoopAll).is_allowed,
                selected: q.loop_mode != LoopMode::LoopOff,
            },
            items: self.voice_items(&s, &items, w.has_more).await?,
        })
    }
}

/// Where a queue-navigation directive moves the queue.
#[derive(Clone, Copy, Debug)]
pub enum Move {
    /// GetNextItem; a user-initiated one is a skip (and counts against the tier's skip limit).
    Next { user_initiated: bool },
    /// GetPreviousItem: back through what actually played.
    Previous,
    /// JumpToItem.
    To(Uuid),
}

impl Medley {
    /// GetNextItem / GetPreviousItem / JumpToItem. Alexa plays what these return and reports no
    /// start events, so the returned item becomes current and enters the listening history,
    /// as a start event would. `None` when the queue is finished.
    pub async fn voice_move(
        &self,
        p: &Principal,
        queue_id: Uuid,
        current: Option<Uuid>,
        to: Move,
    ) -> ServiceResult<Option<VoiceItem>> {
        p.require_scope("music::playback")?;
        for _ in 0..super::MAX_ATTEMPTS {
            let mut s = self.owned_session(p, queue_id).await?;
            // Make sure the continuation reaches past the next entry while the state is still
            // the stored one (extending it saves the session).
            self.window(&mut s, 2).await?;
            if let Some(cur) = current {
                let entry = self.entry_of(&s, cur).await?;
                if s.body.queue.current.slot != entry.slot {
                    s.body.queue.position_at(entry);
                }
            }
            let now = self.now_ms();
            let policy = self.policy(&s).await?;
            let mut events = Vec::new();
            let row = |s: &medley_store::Session,
                       e: &medley_core::queue::Entry,
                       kind: &str,
                       skip: bool| {
                medley_store::EventRow {
                    session_id: s.id,
                    entity_ref: e.ref_id.unwrap_or_else(|| s.body.queue.entity_ref(e.slot)),
                    track_id: e.track.clone(),
                    kind: kind.into(),
                    user_skip: skip,
                    device_id: "alexa".into(),
                    received_ms: now,
                    source: (kind == "start").then(|| super::events::history_source(s, &e.track)),
                    body: serde_json::json!({"reportedBy": "Alexa.Audio.PlayQueue"}).to_string(),
                }
            };
            // The item Alexa names as current was playing: make sure it is in the history
            // (a session started on the Web API may never have reported a start).
            let q = &s.body.queue;
            if q.history.get(q.hist_pos).map(|e| e.slot) != Some(q.current.slot) || !q.started {
                let current = q.current.clone();
                events.push(row(&s, &current, "start", false));
                s.body.queue.start(current);
            }
            let target = match to {
                Move::Next { user_initiated } => {
                    if user_initiated {
                        policy
                            .require(Action::Next)
                            .map_err(ServiceError::ActionNotAllowed)?;
                        let current = s.body.queue.current.clone();
                        events.push(row(&s, &current, "stop", true));
                        s.body.queue.stop(true, false);
                    }
                    let w = s.body.queue.upcoming(1);
                    match w.slots.first() {
                        None => None,
                        Some(slot) => self.resolve(&s, &[*slot]).await?.pop(),
                    }
                }
                Move::Previous => {
                    policy
                        .require(Action::Previous)
                        .map_err(ServiceError::ActionNotAllowed)?;
                    let (list, _) = s.body.queue.previous(1);
                    let e = list.first().ok_or_else(|| {
                        ServiceError::NotFound("nothing played before this item".into())
                    })?;
                    Some(Resolved::from(*e))
                }
                Move::To(id) => {
                    let e = self.entry_of(&s, id).await?;
                    Some(Resolved {
                        slot: e.slot,
                        track_id: e.track,
                        ref_id: e.ref_id.or(Some(id)),
                    })
                }
            };
            let Some(r) = target else {
                return Ok(None);
            };
            let entry = medley_core::queue::Entry {
                slot: r.slot,
                track: r.track_id.clone(),
                ref_id: r.ref_id.filter(|id| *id != s.body.queue.entity_ref(r.slot)),
            };
            s.body.queue.start(entry.clone());
            events.push(row(&s, &entry, "start", false));
            s.updated_ms = now.max(s.updated_ms);
            let commit = medley_store::EventCommit {
                user_id: p.user.id.clone(),
                sessions: vec![s.clone()],
                streams: None,
                events,
            };
            match self.store.commit_events(&commit).await {
                Ok(()) => {}
                Err(medley_store::StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
            s.version += 1;
            let ahead = s.body.queue.upcoming(1);
            let more = !ahead.slots.is_empty() || ahead.has_more;
            return Ok(self.voice_items(&s, &[r], more).await?.pop());
        }
        Err(ServiceError::Internal(
            "the queue kept changing; retry".into(),
        ))
    }
}
