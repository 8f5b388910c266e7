//! The play queue as the Alexa Music Skill API sees it (Alexa.Media.PlayQueue): the same session as the
//! Web API's (queueId = sessionId, item id = entityReferenceId), found, started, read, steered
//! and rated by voice.

mod content;
mod display;
mod feedback;
mod initiate;
mod moves;
mod phrase;
mod spoken;

use std::sync::Arc;

use medley_core::catalog::TrackView;
use medley_core::event::TakeOver;
use medley_core::policy::Action;
use medley_core::queue::LoopMode;
use medley_store::{Session, Stream, UserStreams};
use uuid::Uuid;

use super::view::Resolved;
use crate::accounts::Principal;
use crate::media::MediaGrant;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};
use medley_core::audio::Player;
use medley_core::streams::{self, voice_device, StartRequest};

pub use content::{Attribute, Content, ContentId, Criteria, FoundContent};
pub use display::{ContentGroup, DISPLAY_ITEMS};
pub use feedback::{Feedback, DISLIKED_TRACK};
pub use initiate::{Initiated, PlaybackModes};
pub use moves::Move;

/// Most items a GetView answer carries (the current one included).
pub const VIEW_ITEMS: usize = 10;

pub struct VoiceItem {
    pub id: Uuid,
    pub track: Arc<TrackView>,
    pub next_enabled: bool,
    pub previous_enabled: bool,
    /// What the stream's URI grants.
    pub stream: MediaGrant,
    /// The user's preference for the track: liked (in the library) or disliked.
    pub feedback: Option<Feedback>,
}

pub struct Toggle {
    pub enabled: bool,
    pub selected: bool,
}

/// The queue-level controls: SHUFFLE and LOOP toggles, and REPEAT (of one track).
pub struct QueueControls {
    pub shuffle: Toggle,
    pub loop_: Toggle,
    pub repeat: Toggle,
}

pub struct VoiceView {
    pub controls: QueueControls,
    pub items: Vec<VoiceItem>,
}

/// The stream a speaker claimed, and what that did to other sessions.
struct Claim {
    streams: Option<UserStreams>,
    /// Sessions that lost their stream to this one, marked so.
    losers: Vec<Session>,
}

impl Playback {
    /// The caller's queue as Alexa may still steer it: not expired, and not replaced by a newer
    /// one Alexa was told to play instead (either is an item Alexa cannot have, not found).
    pub(crate) async fn voice_session(
        &self,
        p: &Principal,
        queue_id: Uuid,
    ) -> ServiceResult<Session> {
        let s = self.owned_session(p, queue_id).await?;
        match s.body.replaced_by {
            Some(by) => Err(ServiceError::NotFound(format!(
                "queue '{queue_id}' was replaced by queue '{by}'"
            ))),
            None => Ok(s),
        }
    }

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
        let liked = self
            .library
            .related(
                &s.user_id,
                crate::library::social::Relation::LibraryTrack.kind(),
                &ids,
            )
            .await?;
        let disliked = self
            .library
            .related(&s.user_id, DISLIKED_TRACK, &ids)
            .await?;
        let q = &s.body.queue;
        let mut out = Vec::with_capacity(items.len());
        for (i, r) in items.iter().enumerate() {
            let Some(track) = tracks.iter().find(|t| t.id == r.track_id) else {
                continue;
            };
            let delivery = self.media.delivery(track, Player::Speaker, None).await;
            let stream = self
                .media
                .media_grant(
                    &track.id,
                    delivery.served,
                    self.settings.alexa_stream_ttl_secs,
                )
                .await?;
            out.push(VoiceItem {
                id: q.ref_of(r.slot, r.ref_id),
                next_enabled: next_ok && (i + 1 < items.len() || more_after_last),
                previous_enabled: previous_ok
                    && (!q.previous(1).0.is_empty() || q.wrapped_back().is_some()),
                stream,
                feedback: if liked.contains(&track.id) {
                    Some(Feedback::Positive)
                } else if disliked.contains(&track.id) {
                    Some(Feedback::Negative)
                } else {
                    None
                },
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
        let s = self.voice_session(p, queue_id).await?;
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
        let s = self.voice_session(p, queue_id).await?;
        let w = crate::playback::continuation::window(&s, VIEW_ITEMS - 1);
        let mut items = vec![Resolved::from(&s.body.queue.current)];
        items.extend(self.resolve(&s, &w.slots).await?);
        Ok(VoiceView {
            controls: self.queue_controls(&s).await?,
            items: self.voice_items(&s, &items, w.has_more).await?,
        })
    }

    async fn queue_controls(&self, s: &Session) -> ServiceResult<QueueControls> {
        let policy = self.policy(s).await?;
        let q = &s.body.queue;
        Ok(QueueControls {
            shuffle: Toggle {
                enabled: policy.state(Action::Shuffle).is_allowed,
                selected: q.shuffle,
            },
            loop_: Toggle {
                enabled: policy.state(Action::LoopAll).is_allowed,
                selected: q.loops_context(),
            },
            repeat: Toggle {
                enabled: policy.state(Action::LoopOne).is_allowed,
                selected: q.loop_mode == LoopMode::LoopOne,
            },
        })
    }

    /// SetLoop (`mode` LoopAll) and SetRepeat (`mode` LoopOne): Alexa's loop and repeat are two
    /// switches, and the queue keeps both (repeat the track, and wrap a skip past the end).
    pub async fn voice_set_mode(
        &self,
        p: &Principal,
        queue_id: Uuid,
        mode: LoopMode,
        on: bool,
    ) -> ServiceResult<()> {
        p.require_scope("music::playback")?;
        let s = self.voice_session(p, queue_id).await?;
        if on {
            self.require_action(&s, super::loop_action(mode)).await?;
        }
        self.mutate(p, queue_id, |s| {
            let q = &mut s.body.queue;
            let (mut loops, mut repeats) = (q.loops_context(), q.loop_mode == LoopMode::LoopOne);
            match mode {
                LoopMode::LoopOne => repeats = on,
                _ => loops = on,
            }
            q.set_loop_and_repeat(loops, repeats);
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// SetShuffle: as the Web API's shuffle, on a queue Alexa may still steer.
    pub async fn voice_set_shuffle(
        &self,
        p: &Principal,
        queue_id: Uuid,
        on: bool,
    ) -> ServiceResult<()> {
        self.voice_session(p, queue_id).await?;
        self.set_shuffle(p, queue_id, on).await?;
        Ok(())
    }

    /// Claims the stream for the speaker playing `s`, until `track_id` would end (as a start
    /// event would). With `take_over` it may end the streams `only` accepts; the sessions that
    /// lost theirs come back marked.
    async fn voice_claim(
        &self,
        p: &Principal,
        s: &mut Session,
        track_id: &str,
        only: &(dyn Fn(&Stream) -> bool + Sync),
        take_over: bool,
    ) -> ServiceResult<Claim> {
        let duration = self
            .tracks(&[track_id.to_string()])
            .await?
            .pop()
            .map_or(0, |t| t.duration as i64);
        let now = self.now_ms();
        let device = voice_device(s.id);
        let mut st = self.store.streams(&p.user.id).await?;
        let before = st.clone();
        let evicted = streams::start(
            &mut st,
            &StartRequest {
                device_id: &device,
                session_id: s.id,
                now_ms: now,
                ends_ms: now + duration * 1000 + self.settings.stream_grace_secs * 1000,
                max_streams: p.user.max_streams,
                take_over: take_over.then_some(TakeOver::Force),
                session_taken_over: s.body.taken_over,
                only: Some(only),
            },
        )?;
        s.body.taken_over = false;
        s.device_id = device;
        s.updated_ms = now.max(s.updated_ms);
        let others: Vec<Uuid> = evicted.into_iter().filter(|id| *id != s.id).collect();
        let mut losers = self.losers(&others).await?;
        for v in &mut losers {
            v.updated_ms = now.max(v.updated_ms);
        }
        Ok(Claim {
            streams: (st != before).then_some(st),
            losers,
        })
    }
}
