//! Catalog reads through a short-lived cache, the ones every context shares: tracks by id
//! (playback resolves its entries, media checks what a URL names) and a context's tracks by
//! index.

use std::sync::Arc;

use medley_core::catalog::TrackView;
use medley_store::{ContextKind, ContextRef, Store};

use crate::cache::TtlCache;
use crate::signals::{tell_others, Signal};
use crate::{Clock, ServiceResult};

pub(crate) struct Tracks {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    cache: TtlCache<String, Arc<TrackView>>,
    /// (context, index) → track id.
    context_cache: TtlCache<(ContextKind, String, u32), String>,
}

impl Tracks {
    pub(crate) fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, ttl_ms: i64) -> Tracks {
        Tracks {
            store,
            clock,
            cache: TtlCache::new(ttl_ms, 200_000),
            context_cache: TtlCache::new(ttl_ms, 200_000),
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

    /// Track ids at context indices (same order; `None` for an index the context no longer
    /// has).
    pub(crate) async fn of_context(
        &self,
        ctx: &ContextRef,
        indices: &[u32],
    ) -> ServiceResult<Vec<Option<String>>> {
        let now = self.clock.now_ms();
        let key = |i: u32| (ctx.kind, ctx.id.clone(), i);
        let cached: Vec<Option<String>> = indices
            .iter()
            .map(|i| self.context_cache.get(&key(*i), now))
            .collect();
        let missing: Vec<u32> = indices
            .iter()
            .zip(&cached)
            .filter(|(_, c)| c.is_none())
            .map(|(i, _)| *i)
            .collect();
        if missing.is_empty() {
            return Ok(cached);
        }
        let fetched = self.store.context_tracks(ctx, &missing).await?;
        for (i, t) in missing.iter().zip(&fetched) {
            if let Some(t) = t {
                self.context_cache.insert(key(*i), t.clone(), now);
            }
        }
        let mut fetched = fetched.into_iter();
        Ok(cached
            .into_iter()
            .map(|c| c.or_else(|| fetched.next().flatten()))
            .collect())
    }

    /// Forgets what is cached here (the catalog changed).
    pub(crate) fn clear(&self) {
        self.cache.clear();
        self.context_cache.clear();
    }

    /// Forgets what is cached here and on the other nodes, after an import.
    pub(crate) fn forget(&self) {
        self.clear();
        tell_others(&*self.store, || Signal::Catalog);
    }
}
