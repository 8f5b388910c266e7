//! What the service reports about itself at a moment (for `/metrics`): live streams across all
//! users, encodes under way, the transcode cache's size and open notification streams.

use crate::{Medley, ServiceResult};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Streams, of every user, that have not ended.
    pub live_streams: u64,
    /// Renditions being encoded or waiting for an encoder.
    pub transcodes_running: usize,
    /// Bytes of finished renditions (and placeholder audio) in the transcode cache.
    pub transcode_cache_bytes: u64,
    /// Notification streams open in this process.
    pub notification_streams: usize,
}

impl Medley {
    pub async fn stats(&self) -> ServiceResult<Stats> {
        let (transcodes_running, transcode_cache_bytes) = self.media.transcodes().await;
        Ok(Stats {
            live_streams: self.store.live_streams(self.clock.now_ms()).await?,
            transcodes_running,
            transcode_cache_bytes,
            notification_streams: self.live.streams(),
        })
    }
}
