//! GetNextItem, GetPreviousItem and JumpToItem: Alexa moves the shared queue, and what it moves
//! to becomes current, claims the speaker's stream and enters the listening history.

use medley_core::policy::Action;
use medley_core::queue::Entry;
use medley_store::{EventCommit, EventRow, Session};
use uuid::Uuid;

use super::VoiceItem;
use crate::accounts::Principal;
use crate::live::Change;
use crate::playback::change::{committed, until_done, Attempt};
use crate::playback::view::Resolved;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};
use medley_core::streams::voice_device;

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

impl Playback {
    /// GetNextItem / GetPreviousItem / JumpToItem. Alexa plays what these return and reports no
    /// start events, so the returned item becomes current, claims the speaker's stream and enters
    /// the listening history, as a start event would. `None` when the queue is finished.
    pub async fn voice_move(
        &self,
        p: &Principal,
        queue_id: Uuid,
        current: Option<Uuid>,
        to: Move,
    ) -> ServiceResult<Option<VoiceItem>> {
        p.require_scope("music::playback")?;
        until_done("the queue", || {
            self.try_voice_move(p, queue_id, current, to)
        })
        .await
    }

    async fn try_voice_move(
        &self,
        p: &Principal,
        queue_id: Uuid,
        current: Option<Uuid>,
        to: Move,
    ) -> ServiceResult<Attempt<Option<VoiceItem>>> {
        let mut s = self.voice_session(p, queue_id).await?;
        // The continuation reaches past the next entry before the queue moves.
        self.top_up(&mut s).await?;
        if let Some(cur) = current {
            let entry = self.entry_of(&s, cur).await?;
            if s.body.queue.current.slot != entry.slot {
                s.body.queue.position_at(entry);
            }
        }
        let now = self.now_ms();
        let policy = self.policy(&s).await?;
        let mut events = Vec::new();
        // The item Alexa names as current was playing: make sure it is in the history
        // (a session started on the Web API may never have reported a start).
        let q = &s.body.queue;
        if q.history.get(q.hist_pos).map(|e| e.slot) != Some(q.current.slot) || !q.started {
            let current = q.current.clone();
            events.push(voice_event(&s, &current, "start", false, now));
            s.body.queue.start(current);
        }
        let target = match to {
            Move::Next { user_initiated } => {
                if user_initiated {
                    ServiceError::check(&policy, Action::Next)?;
                    let current = s.body.queue.current.clone();
                    events.push(voice_event(&s, &current, "stop", true, now));
                    s.body.queue.stop(true, false);
                }
                let w = s.body.queue.upcoming(1);
                match w.slots.first() {
                    None => None,
                    Some(slot) => self.resolve(&s, &[*slot]).await?.pop(),
                }
            }
            Move::Previous => {
                ServiceError::check(&policy, Action::Previous)?;
                let q = &s.body.queue;
                let before = match (q.previous(1).0.first(), q.wrapped_back()) {
                    (Some(e), _) => Some(Resolved::from(*e)),
                    // Looping, from the first track: the last one (Alexa's SetLoop).
                    (None, Some(last)) => self.resolve(&s, &[last]).await?.pop(),
                    (None, None) => None,
                };
                Some(before.ok_or_else(|| {
                    ServiceError::NotFound("nothing played before this item".into())
                })?)
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
            return Ok(Attempt::Done(None));
        };
        let entry = Entry {
            slot: r.slot,
            track: r.track_id.clone(),
            ref_id: r.ref_id.filter(|id| *id != s.body.queue.entity_ref(r.slot)),
        };
        s.body.queue.start(entry.clone());
        events.push(voice_event(&s, &entry, "start", false, now));
        // The speaker streams this queue now; it may take the stream over from another
        // device playing the same queue, and from nothing else.
        let same_queue = |x: &medley_store::Stream| x.session_id == queue_id;
        let take_over = !s.body.taken_over;
        let claim = self
            .voice_claim(p, &mut s, &r.track_id, &same_queue, take_over)
            .await?;
        self.top_up(&mut s).await?;
        let commit = EventCommit {
            user_id: p.user.id.clone(),
            sessions: std::iter::once(s.clone()).chain(claim.losers).collect(),
            streams: claim.streams,
            events,
        };
        if !committed(self.store.commit_events(&commit).await)? {
            return Ok(Attempt::Lost);
        }
        let mut notices = vec![(s.id, Change::QueueChanged)];
        notices.extend(playing_by_voice(&s, &entry, &commit.sessions));
        self.announce_commit(&p.user.id, &commit.sessions, notices);
        s.version += 1;
        let ahead = s.body.queue.upcoming(1);
        let more = !ahead.slots.is_empty() || ahead.has_more;
        Ok(Attempt::Done(self.voice_items(&s, &[r], more).await?.pop()))
    }
}

/// What a speaker starting `e` of `s` tells the user's streams: it plays, and the other
/// sessions of `sessions` (those that lost their stream to it) were taken over.
pub(super) fn playing_by_voice(
    s: &Session,
    e: &Entry,
    sessions: &[Session],
) -> Vec<(Uuid, Change)> {
    let device_id = voice_device(s.id);
    let mut notices = vec![(
        s.id,
        Change::Playing {
            device_id: device_id.clone(),
            entity_reference_id: s.body.queue.ref_of(e.slot, e.ref_id),
            track_id: e.track.clone(),
            offset_ms: 0,
        },
    )];
    notices.extend(sessions.iter().filter(|l| l.id != s.id).map(|l| {
        (
            l.id,
            Change::StreamTaken {
                by_session: s.id,
                by_device: device_id.clone(),
            },
        )
    }));
    notices
}

/// A playback event as Alexa's moves imply it (Alexa itself reports none).
pub(super) fn voice_event(
    s: &Session,
    e: &Entry,
    kind: &str,
    user_skip: bool,
    now_ms: i64,
) -> EventRow {
    EventRow {
        session_id: s.id,
        entity_ref: s.body.queue.ref_of(e.slot, e.ref_id),
        track_id: e.track.clone(),
        kind: kind.into(),
        user_skip,
        device_id: voice_device(s.id),
        received_ms: now_ms,
        source: (kind == "start").then(|| s.history_source(&e.track)),
        body: serde_json::json!({"reportedBy": "Alexa"}).to_string(),
    }
}
