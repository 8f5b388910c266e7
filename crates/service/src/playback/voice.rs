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
