//! Playback events (Playback V1; docs/api.md, "Events and streams"): validated whole, applied all-or-nothing, durable on
//! 201, idempotent on retry. Start events move the queue, claim a stream and feed listening
//! history; stop events end the stream and count skips.

use std::collections::HashMap;

use medley_core::event::{ReportedEvent, TakeOver};
use medley_core::metric;
use medley_core::policy::SKIP_WINDOW_MS;
use medley_core::queue::Entry;
use medley_core::report::{self, Reported, Reporter};
use medley_store::{EventCommit, Session};
use uuid::Uuid;

use super::change::{committed, until_done, Attempt};
use super::Device;
use crate::accounts::Principal;
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
        let skips = if sessions.values().all(|s| s.body.tier.on_demand()) {
            0
        } else {
            self.store
                .skips_since(&user.id, now - SKIP_WINDOW_MS)
                .await?
        };
        let mut st = self.store.streams(&user.id).await?;
        let streams_before = st.clone();
        let reported: Vec<Reported> = parsed
            .iter()
            .zip(entries)
            .map(|(x, (entry, duration))| Reported {
                event: &x.ev.event,
                raw: &x.ev.raw,
                session_id: x.session_id,
                entity_ref: x.entity_ref,
                entry,
                duration,
                key: x.key,
            })
            .collect();
        let by = Reporter {
            device_id,
            now_ms: now,
            grace_ms: self.settings.stream_grace_secs * 1000,
            max_streams: user.max_streams,
            take_over: batch.take_over,
            skips,
        };
        let mut applied = report::apply(&mut sessions, &mut st, &reported, &by)?;
        let mut saved = Vec::with_capacity(applied.changed.len() + applied.evicted.len());
        for id in &applied.changed {
            saved.push(sessions.remove(id).expect("changed sessions are loaded"));
        }
        let losers = self.losers(&applied.evicted).await?;
        // A session gone meanwhile is told nothing.
        applied
            .notices
            .retain(|(n, _)| !applied.evicted.contains(n) || losers.iter().any(|v| v.id == *n));
        saved.extend(losers);
        let mut commit = EventCommit {
            user_id: user.id.clone(),
            sessions: Vec::new(),
            streams: None,
            events: applied.rows,
        };
        for mut s in saved {
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
        self.announce_commit(&user.id, &commit.sessions, applied.notices);
        Ok(Attempt::Done(()))
    }
}
