//! Playback sessions, streams and events (start events are the listening history). Sessions
//! and a user's streams are versioned: every update is a compare-and-set on the version read,
//! so two nodes changing one user's streams at once cannot both win (the loser gets
//! `StoreError::Conflict` and retries from a fresh read).

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use medley_core::ids::UserId;
use medley_store::{
    ContextKind, EventCommit, Session, SessionStore, StoreError, StoreResult, UserStreams,
};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::{backend, column, exec, pg, row_opt, rows, small, PgStore};

const SESSION_COLUMNS: &str = "id, user_id, device_id, created_ms, updated_ms, version, body";

fn session_row(r: &Row) -> StoreResult<Session> {
    let id: &str = r.get(0);
    let body: &str = r.get(6);
    Ok(Session {
        id: Uuid::parse_str(id).map_err(backend)?,
        user_id: crate::stored_id(r, 1),
        device_id: r.get(2),
        created_ms: r.get(3),
        updated_ms: r.get(4),
        version: r.get(5),
        body: serde_json::from_str(body).map_err(backend)?,
    })
}

fn body_json(s: &Session) -> StoreResult<String> {
    serde_json::to_string(&s.body).map_err(backend)
}

/// Compare-and-set of one session; the stored version becomes `version + 1`.
async fn save<C: GenericClient>(c: &C, s: &Session) -> StoreResult<()> {
    let n = exec(
        c,
        "UPDATE sessions SET device_id = $2, updated_ms = $3, body = $4, version = version + 1
         WHERE id = $1 AND version = $5",
        &[
            &s.id.to_string(),
            &s.device_id,
            &s.updated_ms,
            &body_json(s)?,
            &s.version,
        ],
    )
    .await
    .map_err(pg)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// Deletes the track lists of user playlists' past versions that no session plays any more
/// (a playlist's current version is kept for the sessions still to start on it).
async fn drop_unplayed_versions<C: GenericClient>(c: &C) -> Result<(), tokio_postgres::Error> {
    let lists: Vec<String> = column(
        c,
        "SELECT DISTINCT session_id FROM session_tracks WHERE session_id LIKE '%@%'",
        &[],
    )
    .await?;
    let played: std::collections::HashSet<String> = column::<_, Option<String>>(
        c,
        "SELECT DISTINCT body::jsonb #>> '{context,id}' FROM sessions",
        &[],
    )
    .await?
    .into_iter()
    .flatten()
    .collect();
    let parsed: Vec<(String, i64, String)> = lists
        .iter()
        .filter(|l| !played.contains(*l))
        .filter_map(|l| {
            let (id, version) = medley_store::parse_playlist_version(l)?;
            Some((id.to_string(), version, l.clone()))
        })
        .collect();
    let ids: Vec<String> = parsed.iter().map(|(id, _, _)| id.clone()).collect();
    let current: std::collections::HashSet<(String, i64)> = rows(
        c,
        "SELECT id, version FROM playlists WHERE id = ANY($1)",
        &[&ids],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let gone: Vec<String> = parsed
        .into_iter()
        .filter(|(id, v, _)| !current.contains(&(id.clone(), *v)))
        .map(|(_, _, l)| l)
        .collect();
    if !gone.is_empty() {
        exec(
            c,
            "DELETE FROM session_tracks WHERE session_id = ANY($1)",
            &[&gone],
        )
        .await?;
    }
    Ok(())
}

async fn apply_commit<C: GenericClient>(c: &C, commit: &EventCommit) -> StoreResult<()> {
    for s in &commit.sessions {
        save(c, s).await?;
    }
    if let Some(streams) = &commit.streams {
        let body = serde_json::to_string(streams).map_err(backend)?;
        let live_until = streams.streams.iter().map(|s| s.ends_ms).max().unwrap_or(0);
        let n = if streams.version == 0 {
            exec(
                c,
                "INSERT INTO user_streams (user_id, version, body, live_until) VALUES ($1, 1, $2, $3)
                 ON CONFLICT (user_id) DO NOTHING",
                &[&commit.user_id.as_str(), &body, &live_until],
            )
            .await
        } else {
            exec(
                c,
                "UPDATE user_streams SET version = version + 1, body = $2, live_until = $4
                 WHERE user_id = $1 AND version = $3",
                &[&commit.user_id.as_str(), &body, &streams.version, &live_until],
            )
            .await
        }
        .map_err(pg)?;
        if n != 1 {
            return Err(StoreError::Conflict);
        }
    }
    let history = commit.history();
    if !history.recent.is_empty() {
        let kinds: Vec<&str> = history
            .recent
            .iter()
            .map(|(k, _, _)| k.source_type())
            .collect();
        let ids: Vec<&str> = history.recent.iter().map(|(_, id, _)| *id).collect();
        let times: Vec<i64> = history.recent.iter().map(|(_, _, ms)| *ms).collect();
        exec(
            c,
            "INSERT INTO recent_entities (user_id, source_type, source_id, played_ms)
             SELECT $1, k, i, ms FROM unnest($2::text[], $3::text[], $4::int8[]) AS u (k, i, ms)
             ORDER BY k, i
             ON CONFLICT (user_id, source_type, source_id)
             DO UPDATE SET played_ms = greatest(recent_entities.played_ms, excluded.played_ms)",
            &[&commit.user_id.as_str(), &kinds, &ids, &times],
        )
        .await
        .map_err(pg)?;
    }
    if !history.plays.is_empty() {
        exec(
            c,
            "INSERT INTO play_counts (track_id, plays)
             SELECT t, count(*) FROM unnest($1::text[]) AS u (t) GROUP BY t ORDER BY t
             ON CONFLICT (track_id) DO UPDATE SET plays = play_counts.plays + excluded.plays",
            &[&history.plays],
        )
        .await
        .map_err(pg)?;
    }
    if !commit.events.is_empty() {
        let e = &commit.events;
        let sessions: Vec<String> = e.iter().map(|e| e.session_id.to_string()).collect();
        let refs: Vec<String> = e.iter().map(|e| e.entity_ref.to_string()).collect();
        let tracks: Vec<&str> = e.iter().map(|e| e.track_id.as_str()).collect();
        let kinds: Vec<&str> = e.iter().map(|e| e.kind.as_str()).collect();
        let skips: Vec<bool> = e.iter().map(|e| e.user_skip).collect();
        let devices: Vec<&str> = e.iter().map(|e| e.device_id.as_str()).collect();
        let received: Vec<i64> = e.iter().map(|e| e.received_ms).collect();
        let source_types: Vec<Option<&str>> = e
            .iter()
            .map(|e| e.source.as_ref().map(|(k, _)| k.source_type()))
            .collect();
        let source_ids: Vec<Option<&str>> = e
            .iter()
            .map(|e| e.source.as_ref().map(|(_, id)| id.as_str()))
            .collect();
        let bodies: Vec<&str> = e.iter().map(|e| e.body.as_str()).collect();
        exec(
            c,
            "INSERT INTO events (user_id, session_id, entity_ref, track_id, kind, user_skip,
                                 device_id, received_ms, source_type, source_id, body)
             SELECT $1, s, r, t, k, sk, d, ms, st, si, b
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[],
                         $8::int8[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
               AS u (s, r, t, k, sk, d, ms, st, si, b, n)
             ORDER BY n",
            &[
                &commit.user_id.as_str(),
                &sessions,
                &refs,
                &tracks,
                &kinds,
                &skips,
                &devices,
                &received,
                &source_types,
                &source_ids,
                &bodies,
            ],
        )
        .await
        .map_err(pg)?;
    }
    Ok(())
}

#[async_trait]
impl SessionStore for PgStore {
    async fn create_session(&self, s: &Session, track_list: &[String]) -> StoreResult<()> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let ctx = &s.body.context;
        if ctx.kind == ContextKind::TrackList && track_list.is_empty() {
            let exists = row_opt(
                &tx,
                "SELECT EXISTS (SELECT 1 FROM session_tracks WHERE session_id = $1)",
                &[&ctx.id],
            )
            .await
            .map_err(pg)?
            .is_some_and(|r| r.get(0));
            if !exists {
                return Err(StoreError::Conflict); // a playlist version removed since it was read
            }
        }
        let id = s.id.to_string();
        exec(
            &tx,
            "INSERT INTO sessions (id, user_id, device_id, created_ms, updated_ms, version, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &id,
                &s.user_id.as_str(),
                &s.device_id,
                &s.created_ms,
                &s.updated_ms,
                &s.version,
                &body_json(s)?,
            ],
        )
        .await
        .map_err(pg)?;
        if !track_list.is_empty() {
            let idx: Vec<i64> = (0..track_list.len() as i64).collect();
            exec(
                &tx,
                "INSERT INTO session_tracks (session_id, idx, track_id)
                 SELECT $1, i, t FROM unnest($2::int8[], $3::text[]) AS u (i, t)",
                &[&id, &idx, &track_list],
            )
            .await
            .map_err(pg)?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(())
    }

    async fn session(&self, id: Uuid) -> StoreResult<Option<Session>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"),
            &[&id.to_string()],
        )
        .await
        .map_err(pg)?;
        r.as_ref().map(session_row).transpose()
    }

    async fn save_session(&self, session: &Session) -> StoreResult<()> {
        let c = self.writer().await?;
        save(&*c, session).await
    }

    async fn purge_sessions(&self, before_ms: i64) -> StoreResult<u64> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        exec(
            &tx,
            "DELETE FROM session_tracks WHERE session_id IN
               (SELECT id FROM sessions WHERE updated_ms < $1)",
            &[&before_ms],
        )
        .await
        .map_err(pg)?;
        let n = exec(
            &tx,
            "DELETE FROM sessions WHERE updated_ms < $1",
            &[&before_ms],
        )
        .await
        .map_err(pg)?;
        drop_unplayed_versions(&tx).await.map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(n)
    }

    async fn active_sessions(&self, user_id: &UserId, since_ms: i64) -> StoreResult<Vec<Session>> {
        let user_id = user_id.as_str();
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!(
                "SELECT {SESSION_COLUMNS} FROM (
                   SELECT *, row_number() OVER (PARTITION BY device_id
                                                ORDER BY updated_ms DESC, id DESC) AS newest
                   FROM sessions WHERE user_id = $1 AND updated_ms >= $2) s
                 WHERE newest = 1 ORDER BY updated_ms DESC LIMIT 100"
            ),
            &[&user_id, &since_ms],
        )
        .await
        .map_err(pg)?;
        found.iter().map(session_row).collect()
    }

    async fn streams(&self, user_id: &UserId) -> StoreResult<UserStreams> {
        let user_id = user_id.as_str();
        let c = self.client().await?;
        let r = row_opt(
            &c,
            "SELECT version, body FROM user_streams WHERE user_id = $1",
            &[&user_id],
        )
        .await
        .map_err(pg)?;
        Ok(match r {
            None => UserStreams::default(),
            Some(r) => {
                let mut s: UserStreams = serde_json::from_str(r.get(1)).map_err(backend)?;
                s.version = r.get(0);
                s
            }
        })
    }

    async fn live_streams(&self, now_ms: i64) -> StoreResult<u64> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            "SELECT count(*) FROM user_streams u,
               jsonb_array_elements(u.body::jsonb -> 'streams') s
             WHERE u.live_until > $1 AND (s ->> 'ends_ms')::int8 > $1",
            &[&now_ms],
        )
        .await
        .map_err(pg)?;
        Ok(r.map_or(0, |r| r.get::<_, i64>(0).max(0) as u64))
    }

    async fn skips_since(&self, user_id: &UserId, since_ms: i64) -> StoreResult<u32> {
        let user_id = user_id.as_str();
        let c = self.client().await?;
        let r = row_opt(
            &c,
            "SELECT count(*) FROM events WHERE user_id = $1 AND user_skip AND received_ms > $2",
            &[&user_id, &since_ms],
        )
        .await
        .map_err(pg)?;
        Ok(r.map_or(0, |r| small(r.get(0))))
    }

    async fn commit_events(&self, commit: &EventCommit) -> StoreResult<()> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        apply_commit(&tx, commit).await?;
        tx.commit().await.map_err(pg)
    }
}
