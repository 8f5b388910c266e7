//! Rate limits every node counts together: failed sign-ins, and token buckets, where one
//! statement takes from all the keys a node served since it last asked, in key order (so
//! that two nodes' statements lock rows in the same order and cannot deadlock).

use async_trait::async_trait;
use medley_store::{BucketRule, LimitStore, StoreResult};

use crate::{exec, pg, rows, small, PgStore};

#[async_trait]
impl LimitStore for PgStore {
    async fn failures(&self, keys: &[String], since_ms: i64) -> StoreResult<Vec<(u32, i64)>> {
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT count(f.at_ms), coalesce(min(f.at_ms), 0)
             FROM unnest($1::text[]) WITH ORDINALITY AS k(key, ord)
             LEFT JOIN sign_in_failures f ON f.key = k.key AND f.at_ms > $2
             GROUP BY k.ord ORDER BY k.ord",
            &[&keys, &since_ms],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| (small(r.get(0)), r.get(1))).collect())
    }

    async fn add_failure(
        &self,
        keys: &[String],
        at_ms: i64,
        forget_before_ms: i64,
    ) -> StoreResult<()> {
        let c = self.writer().await?;
        exec(
            &*c,
            "WITH gone AS (DELETE FROM sign_in_failures WHERE at_ms < $3)
             INSERT INTO sign_in_failures SELECT k, $2 FROM unnest($1::text[]) AS k",
            &[&keys, &at_ms, &forget_before_ms],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        let c = self.writer().await?;
        exec(&*c, "DELETE FROM sign_in_failures WHERE key = $1", &[&key])
            .await
            .map_err(pg)?;
        Ok(())
    }

    async fn take_shared(
        &self,
        taken: &[(String, f64)],
        rule: BucketRule,
        now_ms: i64,
    ) -> StoreResult<Vec<f64>> {
        let mut sorted: Vec<&(String, f64)> = taken.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|a, b| a.0 == b.0);
        let keys: Vec<&str> = sorted.iter().map(|t| t.0.as_str()).collect();
        let counts: Vec<f64> = sorted.iter().map(|t| t.1).collect();
        let c = self.writer().await?;
        let found = rows(
            &*c,
            "WITH gone AS (DELETE FROM rate_buckets WHERE at_ms < $6::bigint AND key <> ALL($1))
             INSERT INTO rate_buckets AS b (key, tokens, at_ms)
             SELECT k, $3::float8 - n, $4::bigint
             FROM unnest($1::text[], $2::float8[]) AS t(k, n) ORDER BY k
             ON CONFLICT (key) DO UPDATE SET
               tokens = greatest(-$3::float8, least($3::float8,
                          b.tokens + greatest($4::bigint - b.at_ms, 0) / 1000.0::float8 * $5::float8)
                        - ($3::float8 - EXCLUDED.tokens)),
               at_ms = greatest(b.at_ms, $4::bigint)
             RETURNING key, tokens",
            &[
                &keys,
                &counts,
                &rule.burst,
                &now_ms,
                &rule.per_sec,
                &rule.forget_before_ms,
            ],
        )
        .await
        .map_err(pg)?;
        let held: std::collections::HashMap<&str, f64> =
            found.iter().map(|r| (r.get(0), r.get(1))).collect();
        Ok(taken
            .iter()
            .map(|(k, _)| held.get(k.as_str()).copied().unwrap_or(rule.burst))
            .collect())
    }
}
