//! A playback change as one unit of work: an attempt reads what it changes, decides, and
//! commits with the store's version check; when a concurrent write got in first it runs again
//! from a fresh read. Written once here for every change: sessions, events, voice.

use std::future::Future;

use medley_store::{StoreError, StoreResult};

use crate::{ServiceError, ServiceResult};

/// How many times a change is tried before the client is told to retry.
const MAX_ATTEMPTS: usize = 8;

/// How one attempt at a change ended.
pub(crate) enum Attempt<T> {
    Done(T),
    /// A concurrent write got in first: nothing was written; try again from a fresh read.
    Lost,
}

/// Runs `attempt` until it is done; `what` names what kept changing when it never is.
pub(crate) async fn until_done<T, Fut>(
    what: &str,
    mut attempt: impl FnMut() -> Fut,
) -> ServiceResult<T>
where
    Fut: Future<Output = ServiceResult<Attempt<T>>>,
{
    for _ in 0..MAX_ATTEMPTS {
        if let Attempt::Done(out) = attempt().await? {
            return Ok(out);
        }
    }
    Err(ServiceError::Internal(format!("{what} kept changing")))
}

/// Whether a write committed (`false`: it lost a race, and wrote nothing).
pub(crate) fn committed(r: StoreResult<()>) -> ServiceResult<bool> {
    match r {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
