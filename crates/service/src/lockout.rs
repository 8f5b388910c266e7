//! Failed sign-ins counted per account and per client address: past a limit within the window,
//! sign-in is refused without looking at the password until the oldest failure ages out. Kept
//! in memory, per process.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How long a failure counts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures one account takes within the window.
pub const PER_ACCOUNT: usize = 5;
/// Failures one client address takes within the window (a household shares one).
pub const PER_ADDRESS: usize = 20;
/// Keys kept at most; when full the table starts over.
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct Lockout {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
}

fn keys(login: &str, address: Option<&str>) -> [(String, usize); 2] {
    [
        (
            format!("login:{}", login.trim().to_lowercase()),
            PER_ACCOUNT,
        ),
        (format!("addr:{}", address.unwrap_or("-")), PER_ADDRESS),
    ]
}

impl Lockout {
    /// `Err(seconds to wait)` when the account or the address has failed too often.
    pub fn check(&self, login: &str, address: Option<&str>, now_ms: i64) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0;
        for (key, limit) in keys(login, address) {
            if key == "addr:-" {
                continue;
            }
            let Some(times) = map.get_mut(&key) else {
                continue;
            };
            while times.front().is_some_and(|t| now_ms - t >= WINDOW_MS) {
                times.pop_front();
            }
            if times.len() >= limit {
                let oldest = times.front().copied().unwrap_or(now_ms);
                let ms = (oldest + WINDOW_MS - now_ms).max(1) as u64;
                wait = wait.max(ms.div_ceil(1000));
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn failed(&self, login: &str, address: Option<&str>, now_ms: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        for (key, limit) in keys(login, address) {
            let times = map.entry(key).or_default();
            times.push_back(now_ms);
            while times.len() > limit {
                times.pop_front();
            }
        }
    }

    /// A success forgets the account's failures (not the address's).
    pub fn succeeded(&self, login: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&keys(login, None)[0].0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_its_failures_and_unlocks_as_they_age() {
        let l = Lockout::default();
        for i in 0..PER_ACCOUNT as i64 {
            assert!(l.check("Ann", Some("10.0.0.1"), i).is_ok());
            l.failed("Ann", Some("10.0.0.1"), i);
        }
        let wait = l.check(" ann ", Some("10.0.0.2"), 10).unwrap_err();
        assert_eq!(wait, 900);
        assert!(
            l.check("Bob", Some("10.0.0.1"), 10).is_ok(),
            "the address is not full"
        );
        assert!(
            l.check("Ann", None, WINDOW_MS).is_ok(),
            "the first failure aged out"
        );
        l.succeeded("ANN");
        assert!(l.check("Ann", None, 10).is_ok());
    }

    #[test]
    fn an_address_locks_after_its_failures_across_accounts() {
        let l = Lockout::default();
        for i in 0..PER_ADDRESS {
            l.failed(&format!("user{i}"), Some("10.0.0.9"), 0);
        }
        assert!(l.check("someone", Some("10.0.0.9"), 1).is_err());
        assert!(l.check("someone", Some("10.0.0.8"), 1).is_ok());
    }
}
