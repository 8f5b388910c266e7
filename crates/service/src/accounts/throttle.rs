//! Per-token rate limiting (429 THROTTLED): a token bucket for each access token, refilled at
//! `Settings::rate_limit_per_sec` with a burst of twice that. A runaway client slows down; a
//! device playing music never comes near it.
//!
//! Each process takes from buckets of its own, so that a request never waits on the store for
//! its limit. Where several nodes share the store, each one every `SHARE_MS` takes what it
//! served from the store's shared buckets and then holds what they hold: a token's requests
//! are counted across nodes, give or take what the nodes serve within one `SHARE_MS`.

use std::collections::HashMap;
use std::sync::Mutex;

use medley_store::BucketRule;

/// Buckets kept at most; when full the table starts over (every bucket starts full anyway).
const CAPACITY: usize = 100_000;
/// How often a node settles its buckets with the shared ones.
pub const SHARE_MS: u64 = 200;

struct Bucket {
    tokens: f64,
    last_ms: i64,
    /// Taken since the store was last told.
    untold: f64,
}

pub struct Throttle {
    per_sec: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Throttle {
    /// `per_sec == 0` turns rate limiting off.
    pub fn new(per_sec: u32) -> Throttle {
        Throttle {
            per_sec: per_sec as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_on(&self) -> bool {
        self.per_sec > 0.0
    }

    pub fn burst(&self) -> f64 {
        2.0 * self.per_sec
    }

    pub fn per_sec(&self) -> f64 {
        self.per_sec
    }

    /// Takes one request from `key`'s bucket; `Err(seconds to wait)` when it is empty.
    pub fn take(&self, key: &str, now_ms: i64) -> Result<(), u64> {
        if !self.is_on() {
            return Ok(());
        }
        let burst = self.burst();
        let mut buckets = self.buckets.lock().unwrap();
        if buckets.len() >= CAPACITY && !buckets.contains_key(key) {
            buckets.clear();
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            last_ms: now_ms,
            untold: 0.0,
        });
        let elapsed = (now_ms - b.last_ms).max(0) as f64 / 1000.0;
        b.tokens = (b.tokens + elapsed * self.per_sec).min(burst);
        b.last_ms = now_ms;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            b.untold += 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.per_sec).ceil().max(1.0) as u64)
        }
    }

    /// What was taken from each bucket since the last call, for the shared buckets.
    pub fn untold(&self) -> Vec<(String, f64)> {
        let mut buckets = self.buckets.lock().unwrap();
        buckets
            .iter_mut()
            .filter(|(_, b)| b.untold > 0.0)
            .map(|(k, b)| (k.clone(), std::mem::take(&mut b.untold)))
            .collect()
    }

    /// Holds what the shared buckets held at `now_ms`, less what was taken here since.
    pub fn settle(&self, held: &[(String, f64)], now_ms: i64) {
        let mut buckets = self.buckets.lock().unwrap();
        for (key, tokens) in held {
            if let Some(b) = buckets.get_mut(key) {
                b.tokens = tokens - b.untold;
                b.last_ms = b.last_ms.max(now_ms);
            }
        }
    }
}

/// A bucket idle this long is full again (it refills in two seconds), so the store forgets it.
const FORGET_MS: i64 = 60_000;

impl super::Accounts {
    /// Takes what this node served since it last did from the shared buckets, and holds what
    /// they hold. A failure only leaves the node to its own counts until the next turn.
    pub(crate) async fn share_limits(&self) {
        let throttle = &self.throttle;
        let untold = throttle.untold();
        if untold.is_empty() {
            return;
        }
        let shared: Vec<(String, f64)> = untold
            .iter()
            .map(|(token, n)| (crate::accounts::hash_token(token), *n))
            .collect();
        let now = self.now_ms();
        let rule = BucketRule {
            per_sec: throttle.per_sec(),
            burst: throttle.burst(),
            forget_before_ms: now - FORGET_MS,
        };
        match self.store.take_shared(&shared, rule, now).await {
            Ok(held) => {
                let held: Vec<(String, f64)> =
                    untold.into_iter().map(|(k, _)| k).zip(held).collect();
                throttle.settle(&held, now);
            }
            Err(e) => tracing::warn!(error = %e, "sharing rate limits with the other nodes"),
        }
    }

    /// Shares rate limits every `SHARE_MS` while the store is shared and they are on.
    pub(crate) fn keep_sharing_limits(&self) -> Option<tokio::task::JoinHandle<()>> {
        if !self.store.is_shared() || !self.throttle.is_on() {
            return None;
        }
        let me = self.clone();
        Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(SHARE_MS));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                me.share_limits().await;
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills() {
        let t = Throttle::new(2);
        for _ in 0..4 {
            assert!(t.take("a", 0).is_ok());
        }
        assert_eq!(t.take("a", 0), Err(1));
        assert!(t.take("b", 0).is_ok(), "buckets are per key");
        assert!(t.take("a", 500).is_ok());
        assert!(Throttle::new(0).take("a", 0).is_ok());
    }

    #[test]
    fn what_the_shared_bucket_holds_is_what_is_left_here() {
        let t = Throttle::new(2);
        assert!(t.take("a", 0).is_ok());
        assert!(t.take("a", 0).is_ok());
        let told = t.untold();
        assert_eq!(told, vec![("a".to_string(), 2.0)]);
        assert!(t.untold().is_empty(), "told once");
        // Meanwhile here one more; another node took the rest of the shared bucket.
        assert!(t.take("a", 0).is_ok());
        t.settle(&[("a".to_string(), 0.0)], 0);
        assert_eq!(
            t.take("a", 0),
            Err(1),
            "the node's own take counts against what is left"
        );
        assert!(t.take("a", 1000).is_ok(), "and it refills as before");
    }
}
