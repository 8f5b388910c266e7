//! The transition a batch of reported playback events makes, without reading or writing
//! anything: given the sessions they are about, the user's streams and skips, it moves each
//! queue, grants and ends streams, and returns the event rows to store and the notices to
//! publish. The caller loads, commits with the version check and publishes.

use std::collections::HashMap;

use uuid::Uuid;

use crate::event::{EventKind, PlaybackEvent, TakeOver, Termination};
use crate::policy::{Action, PolicyInput, Refusal, SKIPS_PER_HOUR};
use crate::queue::Entry;
use crate::session::{Change, EventRow, Session, UserStreams};
use crate::streams;

/// Repeats are recognised among this many most recent events of a session (client retries
/// come soon after the original).
pub const REMEMBERED_EVENTS: usize = 16;

/// One event, checked against its session, entry and track.
pub struct Reported<'a> {
    pub event: &'a PlaybackEvent,
    /// The event object as reported, JSON.
    pub raw: &'a str,
    pub session_id: Uuid,
    pub entity_ref: Uuid,
    pub entry: Entry,
    /// The track's duration, seconds.
    pub duration: u32,
    /// Recognises the event when a client sends it again.
    pub key: u64,
}

/// Who reports, when, and what the user's plan allows.
pub struct Reporter<'a> {
    pub device_id: &'a str,
    pub now_ms: i64,
    /// How long past a track's expected end its stream lasts.
    pub grace_ms: i64,
    pub max_streams: u32,
    pub take_over: Option<TakeOver>,
    /// User skips in the last hour, before this batch.
    pub skips: u32,
}

/// What the batch did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The sessions it changed, in the order they changed (`sessions` holds them).
    pub changed: Vec<Uuid>,
    /// Sessions that lost their stream and were not among `sessions`: the caller loads each,
    /// applies [`streams::lose_stream`] and saves it; its notice is among `notices` already.
    pub evicted: Vec<Uuid>,
    pub rows: Vec<EventRow>,
    pub notices: Vec<(Uuid, Change)>,
}

/// Applies `events` in order to `sessions` (every session an event names) and `st`.
pub fn apply(
    sessions: &mut HashMap<Uuid, Session>,
    st: &mut UserStreams,
    events: &[Reported],
    by: &Reporter,
) -> Result<Applied, Refusal> {
    let mut out = Applied::default();
    let mut skips = by.skips;
    let device_id = by.device_id;
    let mark = |list: &mut Vec<Uuid>, id: Uuid| {
        if !list.contains(&id) {
            list.push(id);
        }
    };
    for x in events {
        let s = sessions
            .get_mut(&x.session_id)
            .expect("every event's session is given");
        let policy = PolicyInput {
            tier: s.body.tier,
            station: s.body.station,
            recent_skips: skips,
        };
        let ev = x.event;
        let user_skip = ev.termination() == Some(Termination::UserNext);
        match ev.termination() {
            Some(Termination::UserNext) if !s.body.tier.on_demand() => {
                if skips >= SKIPS_PER_HOUR {
                    policy.require(Action::Next)?;
                }
                skips += 1;
            }
            Some(Termination::UserPrev) => policy.require(Action::Previous)?,
            Some(Termination::TrackScrub) => policy.require(Action::ScrubForward)?,
            _ => {}
        }
        let mut source = None;
        match &ev.kind {
            EventKind::Start { offset_ms } => {
                let remaining_ms = (x.duration as i64 * 1000 - offset_ms).max(0);
                let ends_ms = by.now_ms + (remaining_ms as f64 / ev.speed) as i64 + by.grace_ms;
                let evicted = streams::start(
                    st,
                    &streams::StartRequest {
                        device_id,
                        session_id: s.id,
                        now_ms: by.now_ms,
                        ends_ms,
                        max_streams: by.max_streams,
                        take_over: by.take_over,
                        session_taken_over: s.body.taken_over,
                        only: None,
                    },
                )?;
                s.body.queue.start(x.entry.clone());
                s.body.taken_over = false;
                s.body.progress_ms = Some(*offset_ms);
                s.device_id = device_id.to_string();
                out.notices.push((
                    s.id,
                    Change::Playing {
                        device_id: device_id.to_string(),
                        entity_reference_id: x.entity_ref,
                        track_id: x.entry.track.clone(),
                        offset_ms: *offset_ms,
                    },
                ));
                source = Some(s.history_source(&x.entry.track));
                let session_id = s.id;
                mark(&mut out.changed, session_id);
                for victim in evicted.into_iter().filter(|v| *v != session_id) {
                    out.notices.push((
                        victim,
                        Change::StreamTaken {
                            by_session: session_id,
                            by_device: device_id.to_string(),
                        },
                    ));
                    match sessions.get_mut(&victim) {
                        Some(v) => {
                            streams::lose_stream(v);
                            mark(&mut out.changed, victim);
                        }
                        None => mark(&mut out.evicted, victim),
                    }
                }
            }
            EventKind::Stop {
                progress_s, reason, ..
            } => {
                streams::stop(st, device_id, s.id);
                s.body
                    .queue
                    .stop(user_skip, *reason == Termination::UserStop);
                s.body.progress_ms = Some(progress_s * 1000);
                out.notices.push((
                    s.id,
                    Change::Stopped {
                        device_id: device_id.to_string(),
                        entity_reference_id: x.entity_ref,
                        reason: *reason,
                        progress_ms: progress_s * 1000,
                    },
                ));
                if *reason == Termination::TrackFinished {
                    let ahead = s.body.queue.upcoming(1);
                    if ahead.slots.is_empty() && !ahead.has_more {
                        out.notices.push((s.id, Change::Ended));
                    }
                }
                mark(&mut out.changed, s.id);
            }
        }
        let s = sessions
            .get_mut(&x.session_id)
            .expect("every event's session is given");
        s.body.recent_events.push(x.key);
        if s.body.recent_events.len() > REMEMBERED_EVENTS {
            s.body.recent_events.remove(0);
        }
        out.rows.push(EventRow {
            session_id: x.session_id,
            entity_ref: x.entity_ref,
            track_id: x.entry.track.clone(),
            kind: ev.type_name().to_string(),
            user_skip,
            device_id: device_id.to_string(),
            received_ms: by.now_ms,
            source,
            body: x.raw.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrn::ItemKind;
    use crate::policy::Tier;
    use crate::queue::{Continuation, LoopMode, Queue, Setup};
    use crate::session::{ContextKind, ContextRef, SessionBody};

    fn session(id: u128, tier: Tier, len: u32) -> Session {
        let mut queue = Queue::new(Setup {
            key: id as u64,
            len,
            start_index: None,
            shuffle: None,
            shuffle_shown: false,
            loop_mode: LoopMode::LoopOff,
            continuation: Continuation::Off,
        });
        queue.current.track = "t0".into();
        Session {
            id: Uuid::from_u128(id),
            user_id: crate::ids::UserId::stored("u"),
            device_id: "phone".into(),
            created_ms: 0,
            updated_ms: 0,
            version: 1,
            body: SessionBody {
                context: ContextRef {
                    kind: ContextKind::Album,
                    id: "A".into(),
                },
                source_id: "A".into(),
                source_type: ItemKind::Album,
                tier,
                station: false,
                fulfillment_id: Uuid::nil(),
                requested_track: None,
                taken_over: false,
                replaced_by: None,
                progress_ms: None,
                recent_events: Vec::new(),
                queue,
            },
        }
    }

    fn event(kind: EventKind) -> PlaybackEvent {
        PlaybackEvent {
            kind,
            client_ts_ms: 0,
            initial_delay_ms: 0,
            timezone: "+00:00".into(),
            speed: 1.0,
        }
    }

    fn stop(reason: Termination) -> PlaybackEvent {
        event(EventKind::Stop {
            duration_s: 10,
            progress_s: 10,
            rebuffer_count: 0,
            reason,
        })
    }

    fn reported<'a>(s: &Session, ev: &'a PlaybackEvent, key: u64) -> Reported<'a> {
        Reported {
            event: ev,
            raw: "{}",
            session_id: s.id,
            entity_ref: Uuid::from_u128(9),
            entry: s.body.queue.current.clone(),
            duration: 200,
            key,
        }
    }

    fn by(device_id: &str, skips: u32, take_over: Option<TakeOver>) -> Reporter<'_> {
        Reporter {
            device_id,
            now_ms: 1_000,
            grace_ms: 30_000,
            max_streams: 1,
            take_over,
            skips,
        }
    }

    #[test]
    fn a_start_plays_claims_the_stream_and_credits_the_album() {
        let s = session(1, Tier::Unlimited, 3);
        let start = event(EventKind::Start { offset_ms: 5_000 });
        let events = [reported(&s, &start, 7)];
        let mut sessions = HashMap::from([(s.id, s.clone())]);
        let mut st = UserStreams::default();
        let out = apply(&mut sessions, &mut st, &events, &by("phone", 0, None)).unwrap();
        assert_eq!(out.changed, [s.id]);
        assert_eq!(st.streams.len(), 1);
        assert_eq!(st.streams[0].ends_ms, 1_000 + 195_000 + 30_000);
        assert_eq!(out.rows[0].source, Some((ItemKind::Album, "A".into())));
        assert_eq!(out.rows[0].kind, "start");
        assert!(matches!(
            out.notices[0].1,
            Change::Playing {
                offset_ms: 5_000,
                ..
            }
        ));
        let after = &sessions[&s.id];
        assert_eq!(after.body.progress_ms, Some(5_000));
        assert_eq!(after.body.recent_events, [7]);
    }

    #[test]
    fn a_take_over_names_a_session_it_was_not_given_for_the_caller_to_stop() {
        let mine = session(1, Tier::Unlimited, 3);
        let other = Uuid::from_u128(2);
        let mut st = UserStreams::default();
        streams::start(
            &mut st,
            &streams::StartRequest {
                device_id: "speaker",
                session_id: other,
                now_ms: 0,
                ends_ms: 100_000,
                max_streams: 1,
                take_over: None,
                session_taken_over: false,
                only: None,
            },
        )
        .unwrap();
        let start = event(EventKind::Start { offset_ms: 0 });
        let events = [reported(&mine, &start, 1)];
        let mut sessions = HashMap::from([(mine.id, mine.clone())]);
        let refused = apply(
            &mut sessions,
            &mut st.clone(),
            &events,
            &by("phone", 0, None),
        );
        assert_eq!(refused.unwrap_err(), Refusal::MaxConcurrency);
        let forced = by("phone", 0, Some(TakeOver::Force));
        let out = apply(&mut sessions, &mut st, &events, &forced).unwrap();
        assert_eq!(out.evicted, [other]);
        assert_eq!(out.changed, [mine.id]);
        assert!(out.notices.iter().any(|(id, c)| *id == other
            && matches!(c, Change::StreamTaken { by_device, .. } if by_device == "phone")));
    }

    #[test]
    fn skips_past_the_hourly_limit_are_refused_and_the_last_track_ends_the_session() {
        let free = session(1, Tier::Free, 1);
        let skip = stop(Termination::UserNext);
        let events = [reported(&free, &skip, 1)];
        let mut sessions = HashMap::from([(free.id, free.clone())]);
        let mut st = UserStreams::default();
        let spent = by("phone", SKIPS_PER_HOUR, None);
        assert!(matches!(
            apply(&mut sessions, &mut st, &events, &spent),
            Err(Refusal::NoMoreSkips(_))
        ));
        let out = apply(&mut sessions, &mut st, &events, &by("phone", 0, None)).unwrap();
        assert!(out.rows[0].user_skip);

        let done = stop(Termination::TrackFinished);
        let events = [reported(&free, &done, 2)];
        let out = apply(&mut sessions, &mut st, &events, &by("phone", 0, None)).unwrap();
        assert!(out.notices.iter().any(|(_, c)| *c == Change::Ended));
    }
}
