//! Follows and libraries in the `relations` table.

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_store::{RelationStore, StoreResult};
use rusqlite::params;
use rusqlite::types::Value;

use crate::{backend, SqliteStore};

#[async_trait]
impl RelationStore for SqliteStore {
    async fn set_relation(
        &self,
        user_id: &UserId,
        kind: &str,
        target_id: &str,
        on: bool,
        now_ms: i64,
    ) -> StoreResult<()> {
        let user_id = user_id.as_str();
        let (u, k, t) = (user_id.to_string(), kind.to_string(), target_id.to_string());
        self.write(move |conn| {
            if on {
                conn.execute(
                    "INSERT OR IGNORE INTO relations (user_id, kind, target_id, created_ms) VALUES (?1, ?2, ?3, ?4)",
                    params![u, k, t, now_ms],
                )
            } else {
                conn.execute(
                    "DELETE FROM relations WHERE user_id = ?1 AND kind = ?2 AND target_id = ?3",
                    params![u, k, t],
                )
            }
            .map(|_| ())
            .map_err(backend)
        })
        .await
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
        let filter = if only.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (0..only.len()).map(|i| format!("?{}", i + 7)).collect();
            format!("AND target_id IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT target_id, created_ms FROM relations
             WHERE user_id = ?1 AND kind = ?2 AND (?3 IS NULL OR (created_ms, target_id) < (?4, ?5)) {filter}
             ORDER BY created_ms DESC, target_id DESC LIMIT ?6"
        );
        let paged = before.is_some();
        let (ms, id) = before.unwrap_or((0, String::new()));
        let mut values = vec![
            Value::Text(user_id.into()),
            Value::Text(kind.into()),
            if paged {
                Value::Integer(1)
            } else {
                Value::Null
            },
            Value::Integer(ms),
            Value::Text(id),
            Value::Integer(limit as i64),
        ];
        values.extend(only.iter().map(|t| Value::Text(t.clone())));
        self.read(|conn| {
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(values), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect()
        })
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
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT user_id, created_ms FROM relations
                 WHERE kind = ?1 AND target_id = ?2 AND (?3 IS NULL OR (created_ms, user_id) < (?4, ?5))
                 ORDER BY created_ms DESC, user_id DESC LIMIT ?6",
            )?;
            let paged = if paged { Some(1) } else { None };
            let rows = st.query_map(params![kind, target_id, paged, ms, id, limit], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect()
        })
    }
}
