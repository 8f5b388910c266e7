//! Playback events (Playback V1; docs/api.md, "Events and streams"): validated whole, applied all-or-nothing, durable on
//! 201, idempotent on retry. Start events move the queue, claim a stream and feed listening
//! history; stop events end the stream and count skips.

use std::collections::HashMap;

use medley_core::event::{EventKind, ReportedEvent, TakeOver, Termination};
use medley_core::metric;
use medley_core::mrn::ItemKind;
use medley_core::policy::{Action, PolicyInput, SKIPS_PER_HOUR, SKIP_WINDOW_MS};
use medley_core::queue::Entry;
use medley_store::{EventCommit, EventRow, Session};
use uuid::Uuid;

use super::change::{committed, until_done, Attempt};
use super::{streams, Device};
use crate::accounts::Principal;
use crate::live::Change;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};

/// One or more events reported in a single request.
#[derive(Clone, Debug)]
pub struct EventBatch {
    pub events: Vec<ReportedEvent>,
    pub take_over: Option<TakeOver>,
    /// `events[i].` for the batch endpoint, empty for the single one: prefixes field names.
    pub batch: bool,
}

impl EventBatch {
    fn path(&self, i: usize) -> String {
        if self.batch {
            format!("events[{i}].")
        } else {
            String::new()
        }
    }
}

struct Parsed<'a> {
    at: usize,
    ev: &'a ReportedEvent,
    session_id: Uuid,
    entity_ref: Uuid,
    /// The track the metric id names.
    track_id: String,
    /// Recognises a repeated event: a digest of (session, entity, type, client timestamp).
    key: u64,
}

/// Repeats are recognised among this many most recent events of a session (client retries
/// come soon after the original).
const REMEMBERED_EVENTS: usize = 16;

/// What the listening history credits a play of `track` in session `s` to: the session's album,
/// playlist, artist or station, or the track itself.
pub(crate) fn history_source(s: &Session, track: &str) -> (ItemKind, String) {
    match s.body.source_type {
        ItemKind::Track => (ItemKind::Track, track.to_string()),
        kind => (kind, s.body.source_id.clone()),
    }
}

impl Playback {
    pub async fn report_events(
        &self,
        p: &Principal,
        device: &Device,
        batch: &EventBatch,
    ) -> ServiceResult<()> {
        let device_id = device.require_id()?;
        if batch.events.is_empty() {
            return Err(ServiceError::BadRequest("events must not be empty".into()));
        }
        until_done("the sessions", || self.try_report(p, device_id, batch)).await
    }

    async fn try_report(
        &self,
        p: &Principal,
        device_id: &str,
        batch: &EventBatch,
    ) -> ServiceResult<Attempt<()>> {
        let now = self.now_ms();
        let user = &p.user;
        let mut parsed: Vec<Parsed> = Vec::with_capacity(batch.events.len());
        for (at, ev) in batch.events.iter().enumerate() {
            // A metricId Medley never handed out names nothing: as one of another user's does.
            let m = metric::parse(&ev.metric_id)
                .map_err(|e| ServiceError::NotFound(format!("{}{e}", batch.path(at))))?;
            let key = medley_core::rng::hash_str(&format!(
                "{}/{}/{}/{}",
                m.session_id,
                m.entity_ref,
                ev.event.type_name(),
                ev.event.client_ts_ms
            ));
            if parsed.iter().any(|x| x.key == key) {
                continue; // the same event twice in one batch counts once
            }
            parsed.push(Parsed {
                at,
                ev,
                session_id: m.session_id,
                entity_ref: m.entity_ref,
                track_id: m.track_id,
                key,
            });
        }
        // Load and check everything before changing anything.
        let mut sessions: HashMap<Uuid, Session> = HashMap::new();
        for x in &parsed {
            if !sessions.contains_key(&x.session_id) {
                let s = self.owned_session(p, x.session_id).await?;
                sessions.insert(s.id, s);
            }
        }
        parsed.retain(|x| !sessions[&x.session_id].body.recent_events.contains(&x.key));
        if parsed.is_empty() {
            return Ok(Attempt::Done(()));
        }
        // Every event's entry and track: a read per session (the tracks its queue does not
        // hold) and one for all the tracks, however many events the batch has.
        let mut found: HashMap<(Uuid, Uuid), Entry> = HashMap::new();
        for (id, s) in &sessions {
            let refs: Vec<Uuid> = parsed
                .iter()
                .filter(|x| x.session_id == *id)
                .map(|x| x.entity_ref)
                .collect();
            for (r, e) in refs.iter().zip(self.entries_of(s, &refs).await?) {
                found.insert((*id, *r), e);
            }
        }
        let mut ids: Vec<String> = found.values().map(|e| e.track.clone()).collect();
        ids.sort();
        ids.dedup();
        let durations: HashMap<String, u32> = self
            .tracks(&ids)
            .await?
            .iter()
            .map(|t| (t.id.clone(), t.duration))
            .collect();
        let mut entries = Vec::with_capacity(parsed.len());
        for x in &parsed {
            let entry = found[&(x.session_id, x.entity_ref)].clone();
            let track_id = &x.track_id;
            if &entry.track != track_id {
                return Err(ServiceError::BadRequest(format!(
                    "{}metricId names track '{track_id}' but entity '{}' plays '{}'",
                    batch.path(x.at),
                    x.entity_ref,
                    entry.track
                )));
            }
            let Some(&duration) = durations.get(&entry.track) else {
                return Err(ServiceError::NotFound(format!(
                    "no track '{}'",
                    entry.track
                )));
            };
            // The event is well formed; it does not fit the track it is about.
            x.ev.event
                .check_offsets(duration, &format!("{}event", batch.path(x.at)))
                .map_err(ServiceError::Conflict)?;
            entries.push((entry, duration));
        }
        let mut skips = if sessions.values().all(|s| s.body.tier.on_demand()) {
            0
        } else {
            self.store
                .skips_since(&user.id, now - SKIP_WINDOW_MS)
                .await?
        };
        let mut st = self.store.streams(&user.id).await?;
        let streams_before = st.clone();
        let mut commit = EventCommit {
            user_id: user.id.clone(),
            ..Default::default()
        };
        let mut changed: Vec<Uuid> = Vec::new();
        let mut notices: Vec<(Uuid, Change)> = Vec::new();
        for (x, (entry, duration)) in parsed.iter().zip(entries) {
            let s = sessions.get_mut(&x.session_id).expect("loaded above");
            let policy = PolicyInput {
                tier: s.body.tier,
                station: s.body.station,
                recent_skips: skips,
            };
            let ev = &x.ev.event;
            let user_skip = ev.termination() == Some(Termination::UserNext);
            let mut source = None;
            match ev.termination() {
                Some(Termination::UserNext) if !s.body.tier.on_demand() => {
                    if skips >= SKIPS_PER_HOUR {
                        ServiceError::check(&policy, Action::Next)?;
                    }
                    skips += 1;
                }
                Some(Termination::UserPrev) => ServiceError::check(&policy, Action::Previous)?,
                Some(Termination::TrackScrub) => {
                    ServiceError::check(&policy, Action::ScrubForward)?
                }
                _ => {}
            }
            match &ev.kind {
                EventKind::Start { offset_ms } => {
                    let remaining_ms = (duration as i64 * 1000 - offset_ms).max(0);
                    let ends_ms = now
                        + (remaining_ms as f64 / ev.speed) as i64
                        + self.settings.stream_grace_secs * 1000;
                    let evicted = streams::start(
                        &mut st,
                        &streams::StartRequest {
                            device_id,
                            session_id: s.id,
                            now_ms: now,
                            ends_ms,
                            max_streams: user.max_streams,
                            take_over: batch.take_over,
                            session_taken_over: s.body.taken_over,
                            only: None,
                        },
                    )?;
                    s.body.queue.start(entry.clone());
                    s.body.taken_over = false;
                    s.body.progress_ms = Some(*offset_ms);
                    s.device_id = device_id.to_string();
                    notices.push((
                        s.id,
                        Change::Playing {
                            device_id: device_id.to_string(),
                            entity_reference_id: x.entity_ref,
                            track_id: entry.track.clone(),
                            offset_ms: *offset_ms,
                        },
                    ));
                    source = Some(history_source(s, &entry.track));
                    let session_id = s.id;
                    if !changed.contains(&session_id) {
                        changed.push(session_id);
                    }
                    for victim in evicted.into_iter().filter(|v| *v != session_id) {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            sessions.entry(victim)
                        {
                            if let Some(v) = self.store.session(victim).await? {
                                slot.insert(v);
                            }
                        }
                        if let Some(v) = sessions.get_mut(&victim) {
                            streams::lose_stream(v);
                            notices.push((
                                victim,
                                Change::StreamTaken {
                                    by_session: session_id,
                                    by_device: device_id.to_string(),
                                },
                            ));
                            if !changed.contains(&victim) {
                                changed.push(victim);
                            }
                        }
                    }
                }
                EventKind::Stop {
                    progress_s, reason, ..
                } => {
                    streams::stop(&mut st, device_id, s.id);
                    s.body
                        .queue
                        .stop(user_skip, *reason == Termination::UserStop);
                    s.body.progress_ms = Some(progress_s * 1000);
                    notices.push((
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
                            notices.push((s.id, Change::Ended));
                        }
                    }
                    if !changed.contains(&s.id) {
                        changed.push(s.id);
                    }
                }
            }
            let s = sessions.get_mut(&x.session_id).expect("loaded above");
            s.body.recent_events.push(x.key);
            if s.body.recent_events.len() > REMEMBERED_EVENTS {
                s.body.recent_events.remove(0);
            }
            commit.events.push(EventRow {
                session_id: x.session_id,
                entity_ref: x.entity_ref,
                track_id: entry.track.clone(),
                kind: ev.type_name().to_string(),
                user_skip,
                device_id: device_id.to_string(),
                received_ms: now,
                source,
                body: x.ev.raw.to_string(),
            });
        }
        for id in changed {
            let mut s = sessions.remove(&id).expect("changed sessions are loaded");
            s.updated_ms = now.max(s.updated_ms);
            self.top_up(&mut s).await?;
            commit.sessions.push(s);
        }
        if st != streams_before {
            commit.streams = Some(st);
        }
        if !committed(self.store.commit_events(&commit).await)? {
            return Ok(Attempt::Lost);
        }
        self.announce_commit(&user.id, &commit.sessions, notices);
        Ok(Attempt::Done(()))
    }
}
