//! Listening history reads: plays from the events table, distinct entities from
//! `recent_entities`, both by keyset pagination so that deep pages cost what the first does.

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_core::mrn::ItemKind;
use medley_store::{HistoryStore, PlayedEntity, PlayedTrack, StoreResult};

use crate::{backend, big, column, pg, rows, PgStore};

#[async_trait]
impl HistoryStore for PgStore {
    async fn recent_tracks(
        &self,
        user_id: &UserId,
        before: Option<(i64, i64)>,
        limit: u32,
    ) -> StoreResult<Vec<PlayedTrack>> {
        let user_id = user_id.as_str();
        let (ms, id) = before.unwrap_or((i64::MAX, i64::MAX));
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT id, track_id, received_ms FROM events
             WHERE user_id = $1 AND kind = 'start' AND (received_ms, id) < ($2, $3)
             ORDER BY received_ms DESC, id DESC LIMIT $4",
            &[&user_id, &ms, &id, &big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found
            .iter()
            .map(|r| PlayedTrack {
                play_id: r.get(0),
                track_id: r.get(1),
                played_ms: r.get(2),
            })
            .collect())
    }

    async fn top_tracks(
        &self,
        user_id: &UserId,
        recent: u32,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let user_id = user_id.as_str();
        let c = self.client().await?;
        column(
            &c,
            "SELECT track_id FROM (
               SELECT track_id, received_ms FROM events
               WHERE user_id = $1 AND kind = 'start' ORDER BY received_ms DESC LIMIT $2) r
             GROUP BY track_id ORDER BY count(*) DESC, max(received_ms) DESC LIMIT $3",
            &[&user_id, &big(recent), &big(limit)],
        )
        .await
        .map_err(pg)
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
        let types: Vec<&str> = types.iter().map(|t| t.source_type()).collect();
        let c = self.client().await?;
        // Within one millisecond the order is by type and id, descending, like the cursor.
        let found = rows(
            &c,
            "SELECT source_type, source_id, played_ms FROM recent_entities
             WHERE user_id = $1 AND (NOT $2 OR (played_ms, source_type, source_id) < ($3, $4, $5))
               AND (cardinality($6::text[]) = 0 OR source_type = ANY($6))
             ORDER BY played_ms DESC, source_type DESC, source_id DESC LIMIT $7",
            &[&user_id, &paged, &ms, &kind, &id, &types, &big(limit)],
        )
        .await
        .map_err(pg)?;
        found
            .iter()
            .map(|r| {
                let kind: &str = r.get(0);
                Ok(PlayedEntity {
                    source_type: ItemKind::of_source_type(kind)
                        .ok_or_else(|| backend(format!("unknown source type {kind}")))?,
                    source_id: r.get(1),
                    played_ms: r.get(2),
                })
            })
            .collect()
    }
}
