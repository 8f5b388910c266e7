//! The library context: the catalog (import, lookups, the recommender's candidates), search,
//! users' playlists, follows and the library, listening history.

pub mod browse;
pub(crate) mod candidates;
pub mod catalog;
pub mod folders;
pub mod history;
pub mod playlists;
pub mod ranking;
pub mod search;
pub mod social;

use std::sync::Arc;

use medley_store::Store;

use crate::tracks::Tracks;
use crate::Clock;

/// The library context's type, holding only the store, the clock and the shared catalog reads.
#[derive(Clone)]
pub struct Library {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    tracks: Arc<Tracks>,
}

impl Library {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        tracks: Arc<Tracks>,
    ) -> Library {
        Library {
            store,
            clock,
            tracks,
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
