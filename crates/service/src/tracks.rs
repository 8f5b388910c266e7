//! Catalog tracks by id through a short-lived cache: the one read every context shares
//! (playback resolves its entries, media checks what a URL names).

use std::sync::Arc;

use medley_core::catalog::TrackView;
use medley_store::Store;

use crate::cache::TtlCache;
use crate::{Clock, ServiceResult};

pub(crate) struct Tracks {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    cache: TtlCache<String, Arc<TrackView>>,
}

impl Tracks {
    pub(crate) fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, ttl_ms: i64) -> Tracks {
        Tracks {
            store,
            clock,
            cache: TtlCache::new(ttl_ms, 200_000),
        }
    }

    /// Tracks by id, in the order asked (unknown ids left out).
    pub(crate) async fn get(&self, ids: &[String]) -> ServiceResult<Vec<Arc<TrackView>>> {
        let now = self.clock.now_ms();
        let mut found: Vec<Option<Arc<TrackView>>> =
            ids.iter().map(|id| self.cache.get(id, now)).collect();
        let missing: Vec<String> = ids
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        if !missing.is_empty() {
            for t in self.store.tracks(&missing).await? {
                let t = Arc::new(t);
                self.cache.insert(t.id.clone(), t.clone(), now);
                for (id, slot) in ids.iter().zip(found.iter_mut()) {
                    if slot.is_none() && *id == t.id {
                        *slot = Some(t.clone());
                    }
                }
            }
        }
        Ok(found.into_iter().flatten().collect())
    }

    /// Forgets what is cached (the catalog changed).
    pub(crate) fn clear(&self) {
        self.cache.clear();
    }
}
