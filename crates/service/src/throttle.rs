//! Per-token rate limiting (429 THROTTLED): a token bucket for each access token, refilled at
//! `Settings::rate_limit_per_sec` with a burst of twice that. A runaway client slows down; a
//! device playing music never comes near it.

use std::collections::HashMap;
use std::sync::Mutex;

/// Buckets kept at most; when full the table starts over (every bucket starts full anyway).
const CAPACITY: usize = 100_000;

pub struct Throttle {
    per_sec: f64,
    buckets: Mutex<HashMap<String, (f64, i64)>>,
}

impl Throttle {
    /// `per_sec == 0` turns rate limiting off.
    pub fn new(per_sec: u32) -> Throttle {
        Throttle {
            per_sec: per_sec as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds to wait)` when it is empty.
    pub fn take(&self, key: &str, now_ms: i64) -> Result<(), u64> {
        if self.per_sec == 0.0 {
            return Ok(());
        }
        let burst = 2.0 * self.per_sec;
        let mut buckets = self.buckets.lock().unwrap();
        if buckets.len() >= CAPACITY && !buckets.contains_key(key) {
            buckets.clear();
        }
        let (tokens, last) = buckets.entry(key.to_string()).or_insert((burst, now_ms));
        let elapsed = (now_ms - *last).max(0) as f64 / 1000.0;
        *tokens = (*tokens + elapsed * self.per_sec).min(burst);
        *last = now_ms;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_sec).ceil().max(1.0) as u64)
        }
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
}
