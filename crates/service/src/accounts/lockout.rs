//! Failed sign-ins counted per account and per client address: past a limit within the window,
//! sign-in is refused without looking at the password until the oldest failure ages out. The
//! counts are in the store, so every node counts them together (and a restart forgets none).

use super::Accounts;
use crate::accounts::hash_token;
use crate::ServiceResult;

/// How long a failure counts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures one account takes within the window.
pub const PER_ACCOUNT: u32 = 5;
/// Failures one client address takes within the window (a household shares one).
pub const PER_ADDRESS: u32 = 20;

/// What a failure counts against, each with its limit: the account (case and spaces aside)
/// and the address, where known. Stored as hashes, which are short whatever was typed.
fn keys(login: &str, address: Option<&str>) -> Vec<(String, u32)> {
    let mut keys = vec![(
        hash_token(&format!("login:{}", login.trim().to_lowercase())),
        PER_ACCOUNT,
    )];
    if let Some(a) = address {
        keys.push((hash_token(&format!("addr:{a}")), PER_ADDRESS));
    }
    keys
}

/// Seconds until every key is under its limit again, given `(failures, oldest)` of each.
fn wait_secs(limits: &[u32], counted: &[(u32, i64)], now_ms: i64) -> u64 {
    limits
        .iter()
        .zip(counted)
        .filter(|(limit, (n, _))| n >= limit)
        .map(|(_, (_, oldest))| ((oldest + WINDOW_MS - now_ms).max(1) as u64).div_ceil(1000))
        .max()
        .unwrap_or(0)
}

impl Accounts {
    /// `Err(seconds to wait)` when the account or the address has failed too often.
    pub(crate) async fn locked_out(
        &self,
        login: &str,
        address: Option<&str>,
        now_ms: i64,
    ) -> ServiceResult<Result<(), u64>> {
        let (keys, limits): (Vec<String>, Vec<u32>) = keys(login, address).into_iter().unzip();
        let counted = self.store.failures(&keys, now_ms - WINDOW_MS).await?;
        Ok(match wait_secs(&limits, &counted, now_ms) {
            0 => Ok(()),
            wait => Err(wait),
        })
    }

    pub(crate) async fn sign_in_failed(
        &self,
        login: &str,
        address: Option<&str>,
        now_ms: i64,
    ) -> ServiceResult<()> {
        let keys: Vec<String> = keys(login, address).into_iter().map(|k| k.0).collect();
        Ok(self
            .store
            .add_failure(&keys, now_ms, now_ms - WINDOW_MS)
            .await?)
    }

    /// A success forgets the account's failures (not the address's).
    pub(crate) async fn sign_in_succeeded(&self, login: &str) -> ServiceResult<()> {
        Ok(self.store.clear_failures(&keys(login, None)[0].0).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{ManualClock, Settings};

    fn medley() -> Accounts {
        let dir = std::env::temp_dir().join(format!("medley-lockout-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            Arc::new(medley_store_sqlite::SqliteStore::open(&dir.join("medley.db")).unwrap());
        crate::Medley::new(store, Arc::new(ManualClock::new(0)), Settings::default()).accounts
    }

    #[tokio::test]
    async fn an_account_locks_after_its_failures_and_unlocks_as_they_age() {
        let l = medley();
        for i in 0..PER_ACCOUNT as i64 {
            assert!(l
                .locked_out("Ann", Some("10.0.0.1"), i)
                .await
                .unwrap()
                .is_ok());
            l.sign_in_failed("Ann", Some("10.0.0.1"), i).await.unwrap();
        }
        let wait = l.locked_out(" ann ", Some("10.0.0.2"), 10).await.unwrap();
        assert_eq!(wait, Err(900));
        assert!(
            l.locked_out("Bob", Some("10.0.0.1"), 10)
                .await
                .unwrap()
                .is_ok(),
            "the address is not full"
        );
        assert!(
            l.locked_out("Ann", None, WINDOW_MS).await.unwrap().is_ok(),
            "the first failure aged out"
        );
        l.sign_in_succeeded("ANN").await.unwrap();
        assert!(l.locked_out("Ann", None, 10).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn an_address_locks_after_its_failures_across_accounts() {
        let l = medley();
        for i in 0..PER_ADDRESS {
            l.sign_in_failed(&format!("user{i}"), Some("10.0.0.9"), 0)
                .await
                .unwrap();
        }
        assert!(l
            .locked_out("someone", Some("10.0.0.9"), 1)
            .await
            .unwrap()
            .is_err());
        assert!(l
            .locked_out("someone", Some("10.0.0.8"), 1)
            .await
            .unwrap()
            .is_ok());
    }
}
