//! Write-through copies of the rows every playback request reads: sessions and stream state.
//!
//! Only the serving process writes these rows (through its writer thread; the CLI never does),
//! so after each commit the copy is refreshed. A copy is only ever replaced by a newer version,
//! and any conflict drops it, so a stale copy can cost a retry but never a wrong answer.
//! (Two `serve` processes on one SQLite file are not supported; scale-out is PostgreSQL's job.)

use std::collections::HashMap;
use std::sync::Mutex;

use medley_store::{Session, UserStreams};
use uuid::Uuid;

/// Copies kept at most (a session's state is a few KB); when full the cache starts over.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub(crate) struct Hot {
    sessions: Mutex<HashMap<Uuid, Session>>,
    streams: Mutex<HashMap<String, UserStreams>>,
}

fn put<K: std::hash::Hash + Eq, V>(
    map: &Mutex<HashMap<K, V>>,
    key: K,
    value: V,
    version: fn(&V) -> i64,
) {
    let mut map = map.lock().unwrap();
    if let Some(old) = map.get(&key) {
        if version(old) >= version(&value) {
            return;
        }
    } else if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, value);
}

impl Hot {
    pub fn session(&self, id: Uuid) -> Option<Session> {
        self.sessions.lock().unwrap().get(&id).cloned()
    }

    /// Records a session as stored (its `version` is the stored version).
    pub fn put_session(&self, s: Session) {
        put(&self.sessions, s.id, s, |s| s.version);
    }

    pub fn forget_sessions_before(&self, before_ms: i64) {
        self.sessions
            .lock()
            .unwrap()
            .retain(|_, s| s.updated_ms >= before_ms);
    }

    pub fn forget_session(&self, id: Uuid) {
        self.sessions.lock().unwrap().remove(&id);
    }

    pub fn streams(&self, user_id: &str) -> Option<UserStreams> {
        self.streams.lock().unwrap().get(user_id).cloned()
    }

    pub fn put_streams(&self, user_id: &str, s: UserStreams) {
        put(&self.streams, user_id.to_string(), s, |s| s.version);
    }

    pub fn forget_streams(&self, user_id: &str) {
        self.streams.lock().unwrap().remove(user_id);
    }
}
