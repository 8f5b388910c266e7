//! What the Playback use cases answer (entities, pages, modes) and how entities are built from
//! a session.

use std::collections::HashMap;

use std::sync::Arc;

use medley_core::audio::Player;
use medley_core::catalog::TrackView;
use medley_core::metric::MetricFields;
use medley_core::policy::{Actions, PolicyInput};
use medley_core::queue::{Entry, LoopMode, PlaybackState, Slot};
use medley_store::Session;
use uuid::Uuid;

use super::Device;
use crate::media::MediaGrant;
use crate::playback::Playback;
use crate::ServiceResult;

/// A session's modes and state, which every Playback answer reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Modes {
    pub loop_mode: LoopMode,
    pub shuffle: bool,
    pub state: PlaybackState,
}

/// How a device plays a track: the signed media grant of the rendition its capability and the
/// tier call for.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub media: MediaGrant,
    /// The rendition's encoding (`FLAC`, `OPUS`, …), where Medley knows it.
    pub format: Option<&'static str>,
    /// Where a restored session resumes, in milliseconds.
    pub progress_ms: Option<i64>,
}

/// A queue entity with everything a player needs.
#[derive(Clone, Debug)]
pub struct Entity {
    pub session_id: Uuid,
    pub entity_reference_id: Uuid,
    pub metric_id: String,
    pub actions: Actions,
    pub track: Arc<TrackView>,
    pub delivery: Delivery,
}

/// An entity of the queue view and of the active sessions: no actions, no delivery.
#[derive(Clone, Debug)]
pub struct QueuedTrack {
    pub session_id: Uuid,
    pub entity_reference_id: Uuid,
    pub track: Arc<TrackView>,
}

/// Entities of a session, in queue order, and whether more follow.
#[derive(Clone, Debug)]
pub struct EntityPage<E> {
    pub has_more: bool,
    pub entities: Vec<E>,
    pub modes: Modes,
}

/// A session the user can take over, with what it plays now.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    pub current: QueuedTrack,
    pub modes: Modes,
    /// The device that last played it (or restored it).
    pub device_id: String,
}

pub fn modes(s: &Session) -> Modes {
    let q = &s.body.queue;
    Modes {
        loop_mode: q.loop_mode,
        shuffle: q.shuffle,
        state: q.state,
    }
}

/// A slot with the track it plays and, for history entries, the id it was shown with.
pub struct Resolved {
    pub slot: Slot,
    pub track_id: String,
    pub ref_id: Option<Uuid>,
}

impl From<&Entry> for Resolved {
    fn from(e: &Entry) -> Self {
        Resolved {
            slot: e.slot,
            track_id: e.track.clone(),
            ref_id: e.ref_id,
        }
    }
}

impl Playback {
    /// Track ids for slots: context entries from the store, the others from the queue state.
    pub(crate) async fn resolve(
        &self,
        s: &Session,
        slots: &[Slot],
    ) -> ServiceResult<Vec<Resolved>> {
        let q = &s.body.queue;
        let ctx_indices: Vec<u32> = slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Context { index, .. } if *slot != q.current.slot => Some(*index),
                _ => None,
            })
            .collect();
        let ctx_tracks = self.context_tracks(&s.body.context, &ctx_indices).await?;
        let mut ctx_iter = ctx_tracks.into_iter();
        let mut out = Vec::with_capacity(slots.len());
        for slot in slots {
            let track_id = match slot {
                Slot::Context { .. } if *slot != q.current.slot => ctx_iter.next().flatten(),
                _ => q.known_track(*slot).map(String::from),
            };
            // A context that shrank since the session began has no track at some indices:
            // those entries are skipped rather than failing the request.
            let Some(track_id) = track_id else { continue };
            out.push(Resolved {
                slot: *slot,
                track_id,
                ref_id: (*slot == q.current.slot)
                    .then_some(q.current.ref_id)
                    .flatten(),
            });
        }
        Ok(out)
    }

    pub(crate) async fn policy(&self, s: &Session) -> ServiceResult<PolicyInput> {
        let recent_skips = if s.body.tier.on_demand() {
            0
        } else {
            self.store
                .skips_since(
                    &s.user_id,
                    self.now_ms() - medley_core::policy::SKIP_WINDOW_MS,
                )
                .await?
        };
        Ok(PolicyInput {
            tier: s.body.tier,
            station: s.body.station,
            recent_skips,
        })
    }

    pub(crate) async fn track_map(
        &self,
        items: &[Resolved],
    ) -> ServiceResult<HashMap<String, Arc<TrackView>>> {
        let mut ids: Vec<String> = items.iter().map(|r| r.track_id.clone()).collect();
        ids.sort();
        ids.dedup();
        Ok(self
            .tracks(&ids)
            .await?
            .into_iter()
            .map(|t| (t.id.clone(), t))
            .collect())
    }

    async fn delivery_for(
        &self,
        s: &Session,
        t: &TrackView,
        device: &Device,
        progress_ms: Option<i64>,
    ) -> ServiceResult<Delivery> {
        let tier = s.body.tier;
        let delivery = self
            .media
            .delivery(
                t,
                Player::App(device.quality(tier)),
                device.presentation(tier),
            )
            .await;
        Ok(Delivery {
            media: self
                .media
                .media_grant(&t.id, delivery.served, self.settings.stream_uri_ttl_secs)
                .await?,
            format: delivery.format,
            progress_ms,
        })
    }

    /// Full entities for resolved slots, in order. `progress_for` gets the restore progress.
    pub(crate) async fn entities(
        &self,
        s: &Session,
        items: &[Resolved],
        device: &Device,
        progress_for: Option<Slot>,
    ) -> ServiceResult<Vec<Entity>> {
        let tracks = self.track_map(items).await?;
        let actions = self.policy(s).await?.actions();
        let q = &s.body.queue;
        let source_id = &s.body.source_id;
        let mut out = Vec::with_capacity(items.len());
        for r in items {
            let Some(t) = tracks.get(&r.track_id) else {
                continue; // removed from the catalog since it was queued
            };
            let entity_ref = q.ref_of(r.slot, r.ref_id);
            let progress = (progress_for == Some(r.slot))
                .then_some(s.body.progress_ms)
                .flatten();
            let delivery = self.delivery_for(s, t, device, progress).await?;
            let metric_id = MetricFields {
                track_id: &t.id,
                entity_ref,
                session_id: s.id,
                tier: s.body.tier,
                source_id,
                source_type: s.body.source_type.source_type(),
                fulfillment_id: s.body.fulfillment_id,
                customer_selected: matches!(r.slot, Slot::User { .. })
                    || s.body.requested_track.as_deref() == Some(t.id.as_str()),
                augmented: matches!(r.slot, Slot::Continuation { .. }),
                stream_tech: delivery.media.served.protocol(),
            }
            .render();
            out.push(Entity {
                session_id: s.id,
                entity_reference_id: entity_ref,
                metric_id,
                actions,
                delivery,
                track: t.clone(),
            });
        }
        Ok(out)
    }

    /// Reduced entities for the queue view and active sessions.
    pub(crate) async fn reduced(
        &self,
        s: &Session,
        items: &[Resolved],
    ) -> ServiceResult<Vec<QueuedTrack>> {
        let tracks = self.track_map(items).await?;
        Ok(items
            .iter()
            .filter_map(|r| queued_track(s, r, &tracks))
            .collect())
    }
}

/// An item of `s` as a queue entry, if its track is among `tracks`.
pub(crate) fn queued_track(
    s: &Session,
    r: &Resolved,
    tracks: &HashMap<String, Arc<TrackView>>,
) -> Option<QueuedTrack> {
    Some(QueuedTrack {
        session_id: s.id,
        entity_reference_id: s.body.queue.ref_of(r.slot, r.ref_id),
        track: tracks.get(&r.track_id)?.clone(),
    })
}
