//! Rate limits in the store: failed sign-ins, and token buckets. One process serves a SQLite
//! file, so the service does not share its buckets here; they are kept all the same, so that
//! either store answers the same.

use async_trait::async_trait;
use medley_store::{BucketRule, LimitStore, StoreResult};
use rusqlite::params;

use crate::{backend, SqliteStore};

#[async_trait]
impl LimitStore for SqliteStore {
    async fn failures(&self, keys: &[String], since_ms: i64) -> StoreResult<Vec<(u32, i64)>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT count(*), coalesce(min(at_ms), 0) FROM sign_in_failures
                 WHERE key = ?1 AND at_ms > ?2",
            )?;
            keys.iter()
                .map(|k| st.query_row(params![k, since_ms], |r| Ok((r.get(0)?, r.get(1)?))))
                .collect()
        })
    }

    async fn add_failure(
        &self,
        keys: &[String],
        at_ms: i64,
        forget_before_ms: i64,
    ) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM sign_in_failures WHERE at_ms < ?1",
                [forget_before_ms],
            )
            .map_err(backend)?;
            for k in &keys {
                conn.execute(
                    "INSERT INTO sign_in_failures VALUES (?1, ?2)",
                    params![k, at_ms],
                )
                .map_err(backend)?;
            }
            Ok(())
        })
        .await
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        let key = key.to_string();
        self.write(move |conn| {
            conn.execute("DELETE FROM sign_in_failures WHERE key = ?1", [key])
                .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn take_shared(
        &self,
        taken: &[(String, f64)],
        rule: BucketRule,
        now_ms: i64,
    ) -> StoreResult<Vec<f64>> {
        let taken = taken.to_vec();
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM rate_buckets WHERE at_ms < ?1",
                [rule.forget_before_ms],
            )
            .map_err(backend)?;
            let mut st = conn
                .prepare_cached(
                    "INSERT INTO rate_buckets AS b (key, tokens, at_ms) VALUES (?1, ?3 - ?2, ?4)
                     ON CONFLICT (key) DO UPDATE SET
                       tokens = max(-?3, min(?3, b.tokens + max(?4 - b.at_ms, 0) / 1000.0 * ?5) - ?2),
                       at_ms = max(b.at_ms, ?4)
                     RETURNING tokens",
                )
                .map_err(backend)?;
            taken
                .iter()
                .map(|(key, n)| {
                    st.query_row(params![key, n, rule.burst, now_ms, rule.per_sec], |r| {
                        r.get(0)
                    })
                    .map_err(backend)
                })
                .collect()
        })
        .await
    }
}
