//! Response shapes of the Playback API and how entities are built from a session.

use std::collections::HashMap;

use std::sync::Arc;

use medley_core::audio::Player;
use medley_core::catalog::TrackView;
use medley_core::metric::MetricFields;
use medley_core::policy::{Actions, PolicyInput};
use medley_core::queue::{Entry, Slot};
use medley_store::{ContextKind, Session};
use serde::Serialize;
use uuid::Uuid;

use super::Device;
use crate::{Medley, ServiceResult};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    /// Present (as `null`) where the spec's example shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<()>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub loop_mode: &'static str,
    pub shuffle_mode: &'static str,
    pub playback_state: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackInformation {
    pub url: String,
    pub protocol: &'static str,
    pub format: Option<&'static str>,
    pub license_url: Option<()>,
    pub application_certificate: Option<()>,
    pub progress_milliseconds: Option<i64>,
}

/// A track as the playback responses show it, serialised straight from the cached catalog
/// record.
#[derive(Clone, Debug)]
pub struct TrackJson {
    view: Arc<TrackView>,
    url: String,
    playback_information: Option<PlaybackInformation>,
}

impl Serialize for TrackJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let t = &self.view;
        let mut m = s.serialize_struct("Track", 13)?;
        m.serialize_field("id", &t.id)?;
        m.serialize_field("_type", "Track")?;
        m.serialize_field("mediaType", "AUDIO")?;
        m.serialize_field("url", &self.url)?;
        match &self.playback_information {
            Some(p) => m.serialize_field("playbackInformation", p)?,
            // The reduced shapes (queue view, active sessions) show a null previewUrl instead.
            None => m.serialize_field("previewUrl", &None::<String>)?,
        }
        m.serialize_field("title", &t.title)?;
        m.serialize_field("subtitle", &t.subtitle())?;
        m.serialize_field("isrc", &t.isrc)?;
        m.serialize_field("images", &t.images)?;
        m.serialize_field("duration", &t.duration)?;
        m.serialize_field("album", &t.album)?;
        m.serialize_field("artists", &t.artists)?;
        m.end()
    }
}

/// A queue entity with everything a player needs.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    pub session_id: Uuid,
    pub entity_reference_id: Uuid,
    pub metric_id: String,
    pub actions: Actions,
    pub track: TrackJson,
}

/// The reduced entity of the queue view: no actions, no playback information.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntity {
    pub session_id: Uuid,
    pub entity_reference_id: Uuid,
    pub actions: serde_json::Map<String, serde_json::Value>,
    pub track: TrackJson,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityPage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_info: Option<PageInfo>,
    pub entities: Vec<Entity>,
    pub metadata: Metadata,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuePage {
    pub page_info: PageInfo,
    pub entities: Vec<QueueEntity>,
    pub metadata: Metadata,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveSession {
    pub session_id: Uuid,
    pub entity_reference_id: Uuid,
    pub track: TrackJson,
    pub metadata: Metadata,
}

#[derive(Clone, Debug, Serialize)]
pub struct ActiveSessions {
    pub sessions: Vec<ActiveSession>,
}

pub fn metadata(s: &Session) -> Metadata {
    let q = &s.body.queue;
    Metadata {
        loop_mode: q.loop_mode.as_str(),
        shuffle_mode: if q.shuffle {
            "SHUFFLE_ON"
        } else {
            "SHUFFLE_OFF"
        },
        playback_state: q.state.as_str(),
    }
}

/// The encoding of a file, from its extension.
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

impl Medley {
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

    async fn track_map(
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

    fn track_json(&self, t: &Arc<TrackView>, playback: Option<PlaybackInformation>) -> TrackJson {
        TrackJson {
            view: t.clone(),
            url: format!("{}/v1/tracks/{}", self.settings.public_url, t.id),
            playback_information: playback,
        }
    }

    /// How the device plays the track: a signed media URL of the rendition that the device's
    /// capability and the tier call for.
    async fn playback_information(
        &self,
        s: &Session,
        t: &TrackView,
        device: &Device,
        progress_ms: Option<i64>,
    ) -> ServiceResult<PlaybackInformation> {
        let delivery = self
            .delivery(t, Player::App(device.quality(s.body.tier)))
            .await;
        Ok(PlaybackInformation {
            url: self.media_url(&t.id, delivery.rendition).await?.url,
            protocol: "PROGRESSIVE",
            format: delivery.format,
            license_url: None,
            application_certificate: None,
            progress_milliseconds: progress_ms,
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
            let entity_ref = r.ref_id.unwrap_or_else(|| q.entity_ref(r.slot));
            let metric_id = MetricFields {
                track_id: &t.id,
                entity_ref,
                session_id: s.id,
                tier: s.body.tier,
                source_id,
                source_type: source_type(&s.body.source_type),
                fulfillment_id: s.body.fulfillment_id,
                customer_selected: matches!(r.slot, Slot::User { .. })
                    || s.body.requested_track.as_deref() == Some(t.id.as_str()),
                augmented: matches!(r.slot, Slot::Continuation { .. }),
                stream_tech: "PROGRESSIVE",
            }
            .render();
            let progress = (progress_for == Some(r.slot))
                .then_some(s.body.progress_ms)
                .flatten();
            out.push(Entity {
                session_id: s.id,
                entity_reference_id: entity_ref,
                metric_id,
                actions,
                track: self.track_json(
                    t,
                    Some(self.playback_information(s, t, device, progress).await?),
                ),
            });
        }
        Ok(out)
    }

    /// Reduced entities for the queue view and active sessions.
    pub(crate) async fn reduced(
        &self,
        s: &Session,
        items: &[Resolved],
    ) -> ServiceResult<Vec<QueueEntity>> {
        let tracks = self.track_map(items).await?;
        let q = &s.body.queue;
        Ok(items
            .iter()
            .filter_map(|r| {
                tracks.get(&r.track_id).map(|t| QueueEntity {
                    session_id: s.id,
                    entity_reference_id: r.ref_id.unwrap_or_else(|| q.entity_ref(r.slot)),
                    actions: serde_json::Map::new(),
                    track: self.track_json(t, None),
                })
            })
            .collect())
    }
}

/// `selectionSourceType` values are static strings in metric ids.
fn source_type(s: &str) -> &'static str {
    match s {
        "ALBUM" => "ALBUM",
        "PLAYLIST" => "PLAYLIST",
        "ARTIST" => "ARTIST",
        "STATION" => "STATION",
        _ => "TRACK",
    }
}

/// `(selectionSourceType, selectionSourceId)` of a context.
pub fn source_of(kind: ContextKind, id: &str, first_track: &str) -> (String, String) {
    match kind {
        ContextKind::Album => ("ALBUM".into(), id.into()),
        ContextKind::Playlist => ("PLAYLIST".into(), id.into()),
        ContextKind::Artist => ("ARTIST".into(), id.into()),
        ContextKind::TrackList | ContextKind::Track => ("TRACK".into(), first_track.into()),
    }
}
