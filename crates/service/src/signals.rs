//! What this process tells the other nodes over the store's bus, and what it does with what
//! they tell it: drop what it cached (principals after a user, tier or token change, catalog
//! reads after an import) and hand another node's live notices to this node's streams. Over a
//! store no other process serves from, nothing is sent.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use medley_store::{Heard, Store};

use crate::live::Change;
use crate::Medley;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Signal {
    /// A user, a tier or a token changed: cached principals may be stale.
    Principals,
    /// The catalog was imported: cached tracks and context entries may be stale.
    Catalog,
    /// A live notice of one user's session.
    Notice {
        user: String,
        session: Uuid,
        revision: i64,
        at: i64,
        change: Change,
    },
}

/// Posts `signal` where other processes serve from `store` (made only then).
pub(crate) fn tell_others(store: &dyn Store, signal: impl FnOnce() -> Signal) {
    if !store.is_shared() {
        return;
    }
    match serde_json::to_string(&signal()) {
        Ok(m) => store.post(m),
        Err(e) => tracing::error!(error = %e, "a bus message that does not serialize"),
    }
}

impl Medley {
    /// Waits until what this process told the others has been sent: a command that changed
    /// something calls it before it exits.
    pub async fn told(&self) {
        self.store.flush().await;
    }

    /// Keeps this node in step with the others, beside its requests: acts on what they say
    /// (until the store is dropped) and counts rate limits with them.
    pub fn follow_others(&self) -> tokio::task::JoinHandle<()> {
        let sharing = self.accounts.keep_sharing_limits();
        let mut heard = self.store.hear();
        let me = self.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match heard.recv().await {
                    Ok(Heard::Message(m)) => match serde_json::from_str(&m) {
                        Ok(signal) => me.heard(signal),
                        Err(e) => tracing::warn!(error = %e, "a bus message not understood"),
                    },
                    Ok(Heard::Gap) | Err(RecvError::Lagged(_)) => me.missed_some(),
                    Err(RecvError::Closed) => break,
                }
            }
            if let Some(s) = sharing {
                s.abort();
            }
        })
    }

    fn heard(&self, signal: Signal) {
        match signal {
            Signal::Principals => self.accounts.drop_principals(),
            Signal::Catalog => self.tracks.clear(),
            Signal::Notice {
                user,
                session,
                revision,
                at,
                change,
            } => self.live.publish(&user, session, revision, at, change),
        }
    }

    /// Whatever may have been said meanwhile is unknown: drop every cache that listens, and
    /// tell open streams to read again.
    fn missed_some(&self) {
        self.accounts.drop_principals();
        self.tracks.clear();
        self.live.lose_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use medley_core::event::Termination;

    #[test]
    fn signals_read_back_as_written() {
        let all = [
            Signal::Principals,
            Signal::Catalog,
            Signal::Notice {
                user: "u1".into(),
                session: Uuid::new_v4(),
                revision: 3,
                at: 1_700_000_000_000,
                change: Change::Stopped {
                    device_id: "d".into(),
                    entity_reference_id: Uuid::new_v4(),
                    reason: Termination::UserNext,
                    progress_ms: 1200,
                },
            },
        ];
        for s in all {
            let wire = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Signal>(&wire).unwrap(), s, "{wire}");
        }
    }
}
