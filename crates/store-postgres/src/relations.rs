//! Follows and libraries in the `relations` table.

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_store::{RelationStore, StoreResult};

use crate::{big, exec, pg, rows, PgStore};

#[async_trait]
impl RelationStore for PgStore {
    async fn set_relation(
        &self,
        user_id: &UserId,
        kind: &str,
        target_id: &str,
        on: bool,
        now_ms: i64,
    ) -> StoreResult<()> {
        let user_id = user_id.as_str();
        let c = self.writer().await?;
        if on {
            exec(
                &*c,
                "INSERT INTO relations (user_id, kind, target_id, created_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
                &[&user_id, &kind, &target_id, &now_ms],
            )
            .await
        } else {
            exec(
                &*c,
                "DELETE FROM relations WHERE user_id = $1 AND kind = $2 AND target_id = $3",
                &[&user_id, &kind, &target_id],
            )
            .await
        }
        .map_err(pg)?;
        Ok(())
    }

    async fn targets(
        &self,
        user_id: &UserId,
        kind: &str,
        only: &[String],
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>> {
        let user_id = user_id.as_str();
        let paged = before.is_some();
        let (ms, id) = before.unwrap_or((0, String::new()));
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT target_id, created_ms FROM relations
             WHERE user_id = $1 AND kind = $2 AND (NOT $3 OR (created_ms, target_id) < ($4, $5))
               AND (cardinality($6::text[]) = 0 OR target_id = ANY($6))
             ORDER BY created_ms DESC, target_id DESC LIMIT $7",
            &[&user_id, &kind, &paged, &ms, &id, &only, &big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn sources(
        &self,
        kind: &str,
        target_id: &str,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>> {
        let paged = before.is_some();
        let (ms, id) = before.unwrap_or((0, String::new()));
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT user_id, created_ms FROM relations
             WHERE kind = $1 AND target_id = $2 AND (NOT $3 OR (created_ms, user_id) < ($4, $5))
             ORDER BY created_ms DESC, user_id DESC LIMIT $6",
            &[&kind, &target_id, &paged, &ms, &id, &big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
