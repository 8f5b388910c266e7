//! Medley's use cases, over `dyn Store`: accounts and tokens, catalog import and the demo data,
//! playback sessions, events and stream concurrency.

pub mod accounts;
pub mod catalog;
pub mod clock;
pub mod demo;
pub mod error;
pub mod playback;

use std::sync::Arc;

use medley_store::Store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ServiceError, ServiceResult};

/// Everything a use case needs: the store, a clock and the settings that shape responses.
#[derive(Clone)]
pub struct Medley {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// Base of the URLs Medley puts in responses, e.g. `http://127.0.0.1:8080`.
    pub public_url: String,
    /// Seconds a stream counts as live after its track should have ended without a stop event.
    pub stream_grace_secs: i64,
    /// Days a session can be restored after its last activity.
    pub restore_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            stream_grace_secs: 30,
            restore_days: 30,
        }
    }
}

impl Medley {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: Settings) -> Medley {
        Medley {
            store,
            clock,
            settings: Arc::new(settings),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
