//! Live notice of what happens to a user's sessions, for the Web API's notification stream:
//! each change is published to its user's feed, which hands it to that user's open streams
//! only and keeps the latest ones, so that a device that reconnects with the last id it saw
//! catches up, or learns that it must read its sessions again.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use uuid::Uuid;

/// Notices a feed keeps for devices that reconnect.
pub const KEPT: usize = 100;
/// Notices an open stream may fall behind by before it is told to read again.
const BACKLOG: usize = 64;
/// A feed nobody has listened to for this long is dropped (a device reconnecting later reads
/// its sessions again); so feeds, and what they keep, exist only for users who listen.
pub const IDLE_FEED_MS: i64 = 10 * 60 * 1000;
/// How often idle feeds are looked for.
const SWEEP_MS: i64 = 60 * 1000;

pub use medley_core::session::Change;

/// One change, as a stream delivers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// `<run>-<seq>`: what a stream resumes after (`Last-Event-ID`).
    pub id: String,
    /// Its place among every notice of this process.
    seq: u64,
    pub session_id: Uuid,
    /// The session's version once changed: a client that holds an older one reads it again.
    pub revision: i64,
    pub at_ms: i64,
    pub change: Change,
}

struct Feed {
    kept: VecDeque<Arc<Notice>>,
    /// The highest sequence number this feed does not have: what came before it was made, or
    /// what it let go of.
    lost_upto: u64,
    tx: broadcast::Sender<Arc<Notice>>,
    /// When someone last listened.
    heard_ms: i64,
}

struct Feeds {
    /// The last sequence number handed out, to any user's notice.
    seq: u64,
    by_user: HashMap<String, Feed>,
    swept_ms: i64,
}

/// Every listening user's feed, in this process.
pub struct Live {
    /// Tells this process's ids from another's (or an earlier run's): an id from elsewhere
    /// cannot be resumed after.
    run: String,
    feeds: Mutex<Feeds>,
}

/// What a stream starts from: the notices it missed (or that it must read again), then the
/// live ones.
pub struct Subscription {
    pub missed: Result<Vec<Arc<Notice>>, Resync>,
    pub live: broadcast::Receiver<Arc<Notice>>,
}

/// Why a stream cannot be caught up: it must read the user's sessions again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resync {
    /// The id is not one this server handed out (another run's, or made up).
    UnknownId,
    /// More happened since than the feed keeps.
    TooFarBehind,
}

impl Resync {
    pub fn as_str(self) -> &'static str {
        match self {
            Resync::UnknownId => "UNKNOWN_EVENT_ID",
            Resync::TooFarBehind => "TOO_FAR_BEHIND",
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Live {
            run: format!("{:08x}", rand::random::<u32>()),
            feeds: Mutex::new(Feeds {
                seq: 0,
                by_user: HashMap::new(),
                swept_ms: 0,
            }),
        }
    }
}

impl Feeds {
    /// Drops the feeds nobody has listened to for `IDLE_FEED_MS`, at most once a `SWEEP_MS`.
    fn sweep(&mut self, now_ms: i64) {
        if now_ms - self.swept_ms < SWEEP_MS {
            return;
        }
        self.swept_ms = now_ms;
        self.by_user
            .retain(|_, f| f.tx.receiver_count() > 0 || now_ms - f.heard_ms < IDLE_FEED_MS);
    }
}

impl Live {
    /// Publishes a change to the user's feed, if anyone listens (or did lately).
    pub fn publish(&self, user: &str, session_id: Uuid, revision: i64, at_ms: i64, change: Change) {
        let mut feeds = self.feeds.lock().unwrap();
        feeds.sweep(at_ms);
        // Every change takes a number, kept or not: a feed made later knows it missed it.
        feeds.seq += 1;
        let seq = feeds.seq;
        let Some(feed) = feeds.by_user.get_mut(user) else {
            return;
        };
        let notice = Arc::new(Notice {
            id: format!("{}-{seq}", self.run),
            seq,
            session_id,
            revision,
            at_ms,
            change,
        });
        if feed.kept.len() == KEPT {
            if let Some(gone) = feed.kept.pop_front() {
                feed.lost_upto = gone.seq;
            }
        }
        feed.kept.push_back(notice.clone());
        if feed.tx.send(notice).is_ok() {
            feed.heard_ms = at_ms;
        }
    }

    /// A stream of the user's notices after `last_id` (the `Last-Event-ID` a reconnecting
    /// client sends), or from now.
    pub fn subscribe(&self, user: &str, last_id: Option<&str>, now_ms: i64) -> Subscription {
        let mut feeds = self.feeds.lock().unwrap();
        feeds.sweep(now_ms);
        let latest = feeds.seq;
        let feed = feeds
            .by_user
            .entry(user.to_string())
            .or_insert_with(|| Feed {
                kept: VecDeque::new(),
                lost_upto: latest,
                tx: broadcast::channel(BACKLOG).0,
                heard_ms: now_ms,
            });
        feed.heard_ms = now_ms;
        let live = feed.tx.subscribe();
        let missed = match last_id {
            None => Ok(Vec::new()),
            Some(id) => self.after(feed, id, latest),
        };
        Subscription { missed, live }
    }

    fn after(&self, feed: &Feed, id: &str, latest: u64) -> Result<Vec<Arc<Notice>>, Resync> {
        let seq = id
            .strip_prefix(&self.run)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n <= latest)
            .ok_or(Resync::UnknownId)?;
        if seq < feed.lost_upto {
            return Err(Resync::TooFarBehind);
        }
        Ok(feed.kept.iter().filter(|n| n.seq > seq).cloned().collect())
    }

    /// After notices may have been missed (another node's went unheard): every open stream
    /// ends, and a device that comes back with an id from before is told to read again.
    pub fn lose_all(&self) {
        let mut feeds = self.feeds.lock().unwrap();
        feeds.seq += 1;
        feeds.by_user.clear();
    }

    /// Open streams across all users.
    pub fn streams(&self) -> usize {
        let feeds = self.feeds.lock().unwrap();
        feeds.by_user.values().map(|f| f.tx.receiver_count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[Arc<Notice>]) -> Vec<String> {
        v.iter().map(|n| n.id.clone()).collect()
    }

    #[test]
    fn a_stream_resumes_after_the_last_id_it_saw_or_is_told_to_read_again() {
        let live = Live::default();
        let s = Uuid::new_v4();
        live.publish("u1", s, 0, 0, Change::QueueChanged); // nobody listens: not kept
        let mut first = live.subscribe("u1", None, 0);
        let _u2 = live.subscribe("u2", None, 0);
        for i in 0..3 {
            live.publish("u1", s, i, 0, Change::QueueChanged);
        }
        live.publish("u2", s, 9, 0, Change::QueueChanged);
        let seen: Vec<_> = (0..3).map(|_| first.live.try_recv().unwrap()).collect();
        assert!(first.live.try_recv().is_err(), "u2's notice is not u1's");
        let resumed = live.subscribe("u1", Some(&seen[0].id), 0);
        assert_eq!(ids(&resumed.missed.unwrap()), ids(&seen[1..]));
        let current = live.subscribe("u1", Some(&seen[2].id), 0);
        assert!(current.missed.unwrap().is_empty());
        for bad in ["x-1", "", &format!("{}-99", live.run)] {
            let r = live.subscribe("u1", Some(bad), 0);
            assert_eq!(r.missed.unwrap_err(), Resync::UnknownId, "{bad}");
        }
        for i in 0..KEPT as i64 {
            live.publish("u1", s, i, 0, Change::QueueChanged);
        }
        let behind = live.subscribe("u1", Some(&seen[0].id), 0);
        assert_eq!(behind.missed.unwrap_err(), Resync::TooFarBehind);
        let just = live.subscribe("u1", Some(&seen[2].id), 0);
        assert_eq!(just.missed.unwrap().len(), KEPT);
    }

    #[test]
    fn feeds_nobody_listens_to_are_let_go_and_what_they_missed_is_known() {
        let live = Live::default();
        let s = Uuid::new_v4();
        let mut sub = live.subscribe("u1", None, 0);
        live.publish("u1", s, 1, 0, Change::QueueChanged);
        let id = sub.live.try_recv().unwrap().id.clone();
        drop(sub);
        // Ten idle minutes later the feed is gone; a change then is not kept, and a device
        // that reconnects with the id it had is told it fell behind.
        live.publish("u2", s, 1, IDLE_FEED_MS + SWEEP_MS, Change::QueueChanged);
        assert!(!live.feeds.lock().unwrap().by_user.contains_key("u1"));
        live.publish("u1", s, 2, IDLE_FEED_MS + SWEEP_MS, Change::QueueChanged);
        let back = live.subscribe("u1", Some(&id), IDLE_FEED_MS + SWEEP_MS);
        assert_eq!(back.missed.unwrap_err(), Resync::TooFarBehind);
        // With nothing missed, the same id resumes.
        let id_now = format!("{}-{}", live.run, live.feeds.lock().unwrap().seq);
        let fine = live.subscribe("u1", Some(&id_now), IDLE_FEED_MS + SWEEP_MS);
        assert!(fine.missed.unwrap().is_empty());
    }

    #[test]
    fn after_a_gap_open_streams_end_and_a_device_coming_back_reads_again() {
        let live = Live::default();
        let s = Uuid::new_v4();
        let mut open = live.subscribe("u1", None, 0);
        live.publish("u1", s, 1, 0, Change::QueueChanged);
        let id = open.live.try_recv().unwrap().id.clone();
        live.lose_all();
        assert_eq!(
            open.live.try_recv().unwrap_err(),
            broadcast::error::TryRecvError::Closed
        );
        let back = live.subscribe("u1", Some(&id), 0);
        assert_eq!(back.missed.unwrap_err(), Resync::TooFarBehind);
    }
}
