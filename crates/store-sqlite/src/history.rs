//! Listening history reads: plays from the events table, distinct entities from
//! `recent_entities`, both by keyset pagination so that deep pages cost what the first does.

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_core::mrn::ItemKind;
use medley_store::{HistoryStore, PlayedEntity, PlayedTrack, StoreResult};
use rusqlite::params;
use rusqlite::types::Value;

use crate::SqliteStore;

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn recent_tracks(
        &self,
        user_id: &UserId,
        before: Option<(i64, i64)>,
        limit: u32,
    ) -> StoreResult<Vec<PlayedTrack>> {
        let user_id = user_id.as_str();
        let (ms, id) = before.unwrap_or((i64::MAX, i64::MAX));
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT id, track_id, received_ms FROM events
                 WHERE user_id = ?1 AND kind = 'start' AND (received_ms, id) < (?2, ?3)
                 ORDER BY received_ms DESC, id DESC LIMIT ?4",
            )?;
            let rows = st.query_map(params![user_id, ms, id, limit], |r| {
                Ok(PlayedTrack {
                    play_id: r.get(0)?,
                    track_id: r.get(1)?,
                    played_ms: r.get(2)?,
                })
            })?;
            rows.collect()
        })
    }

    async fn top_tracks(
        &self,
        user_id: &UserId,
        recent: u32,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let user_id = user_id.as_str();
        let user_id = user_id.to_owned();
        self.scan(move |conn| {
            conn.prepare_cached(
                "SELECT track_id FROM (
                   SELECT track_id, received_ms FROM events
                   WHERE user_id = ?1 AND kind = 'start' ORDER BY received_ms DESC LIMIT ?2)
                 GROUP BY track_id ORDER BY count(*) DESC, max(received_ms) DESC LIMIT ?3",
            )?
            .query_map(params![user_id, recent, limit], |r| r.get(0))?
            .collect()
        })
        .await
    }

    async fn recent_entities(
        &self,
        user_id: &UserId,
        types: &[ItemKind],
        before: Option<(i64, String, String)>,
        limit: u32,
    ) -> StoreResult<Vec<PlayedEntity>> {
        let user_id = user_id.as_str();
        let paged = before.is_some();
        let (ms, kind, id) = before.unwrap_or((i64::MAX, String::new(), String::new()));
        let filter = if types.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (0..types.len()).map(|i| format!("?{}", i + 7)).collect();
            format!("AND source_type IN ({})", marks.join(", "))
        };
        // Within one millisecond the order is by type and id, descending, like the cursor.
        let sql = format!(
            "SELECT source_type, source_id, played_ms FROM recent_entities
             WHERE user_id = ?1 AND (?2 IS NULL OR (played_ms, source_type, source_id) < (?3, ?4, ?5)) {filter}
             ORDER BY played_ms DESC, source_type DESC, source_id DESC LIMIT ?6"
        );
        let mut values: Vec<Value> = vec![
            Value::Text(user_id.to_string()),
            if paged {
                Value::Integer(1)
            } else {
                Value::Null
            },
            Value::Integer(ms),
            Value::Text(kind),
            Value::Text(id),
            Value::Integer(limit as i64),
        ];
        values.extend(types.iter().map(|t| Value::Text(t.source_type().into())));
        self.read(|conn| {
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(values), |r| {
                let kind: String = r.get(0)?;
                Ok(PlayedEntity {
                    source_type: ItemKind::of_source_type(&kind).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            0,
                            rusqlite::types::Type::Text,
                            format!("unknown source type {kind}").into(),
                        )
                    })?,
                    source_id: r.get(1)?,
                    played_ms: r.get(2)?,
                })
            })?;
            rows.collect()
        })
    }
}
