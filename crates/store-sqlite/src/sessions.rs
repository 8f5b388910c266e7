//! Playback sessions, streams and events (start events are the listening history).

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_store::{
    ContextKind, EventCommit, Session, SessionStore, StoreError, StoreResult, UserStreams,
};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::{backend, broken, stored_id, SqliteStore};

const SESSION_COLUMNS: &str = "id, user_id, device_id, created_ms, updated_ms, version, body";

fn session_row(r: &rusqlite::Row) -> rusqlite::Result<Session> {
    let id: String = r.get(0)?;
    let body: String = r.get(6)?;
    let conv = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e)
    };
    Ok(Session {
        id: Uuid::parse_str(&id).map_err(|e| conv(Box::new(e)))?,
        user_id: stored_id(r, 1)?,
        device_id: r.get(2)?,
        created_ms: r.get(3)?,
        updated_ms: r.get(4)?,
        version: r.get(5)?,
        body: serde_json::from_str(&body).map_err(|e| conv(Box::new(e)))?,
    })
}

fn shared_list_exists(conn: &Connection, id: &str) -> StoreResult<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM session_tracks WHERE session_id = ?1)")
        .and_then(|mut st| st.query_row([id], |r| r.get(0)))
        .map_err(backend)
}

/// Deletes the track lists of user playlists' past versions that no session plays any more
/// (a playlist's current version is kept for the sessions still to start on it).
fn drop_unplayed_versions(conn: &Connection) -> rusqlite::Result<()> {
    let played: std::collections::HashSet<String> = conn
        .prepare("SELECT json_extract(body, '$.context.id') FROM sessions")?
        .query_map([], |r| r.get::<_, Option<String>>(0))?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<_>>()?;
    let lists: Vec<String> = conn
        .prepare("SELECT DISTINCT session_id FROM session_tracks WHERE session_id LIKE '%@%'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut current =
        conn.prepare("SELECT EXISTS (SELECT 1 FROM playlists WHERE id = ?1 AND version = ?2)")?;
    for list in lists {
        let Some((id, version)) = medley_store::parse_playlist_version(&list) else {
            continue;
        };
        let is_current: bool = current.query_row(params![id, version], |r| r.get(0))?;
        if !is_current && !played.contains(&list) {
            conn.execute("DELETE FROM session_tracks WHERE session_id = ?1", [&list])?;
        }
    }
    Ok(())
}

fn body_json(s: &Session) -> StoreResult<String> {
    serde_json::to_string(&s.body).map_err(broken)
}

/// A session update, serialised before it reaches the writer thread so the serial part of a
/// write stays short.
struct SessionUpdate {
    id: String,
    device_id: String,
    updated_ms: i64,
    version: i64,
    body: String,
}

impl SessionUpdate {
    fn of(s: &Session) -> StoreResult<SessionUpdate> {
        Ok(SessionUpdate {
            id: s.id.to_string(),
            device_id: s.device_id.clone(),
            updated_ms: s.updated_ms,
            version: s.version,
            body: body_json(s)?,
        })
    }
}

/// Compare-and-set of one session; the stored version becomes `version + 1`.
fn save(conn: &Connection, s: &SessionUpdate) -> StoreResult<()> {
    let n = conn
        .prepare_cached(
            "UPDATE sessions SET device_id = ?2, updated_ms = ?3, body = ?4, version = version + 1
             WHERE id = ?1 AND version = ?5",
        )
        .and_then(|mut st| st.execute(params![s.id, s.device_id, s.updated_ms, s.body, s.version]))
        .map_err(backend)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

fn apply_commit(
    conn: &Connection,
    c: &EventCommit,
    sessions: &[SessionUpdate],
    streams_body: Option<String>,
) -> StoreResult<()> {
    for s in sessions {
        save(conn, s)?;
    }
    if let (Some(streams), Some(body)) = (&c.streams, streams_body) {
        let live_until = streams.streams.iter().map(|s| s.ends_ms).max().unwrap_or(0);
        let n = if streams.version == 0 {
            conn.execute(
                "INSERT INTO user_streams (user_id, version, body, live_until) VALUES (?1, 1, ?2, ?3)
                 ON CONFLICT (user_id) DO NOTHING",
                params![c.user_id.as_str(), body, live_until],
            )
        } else {
            conn.execute(
                "UPDATE user_streams SET version = version + 1, body = ?2, live_until = ?4
                 WHERE user_id = ?1 AND version = ?3",
                params![c.user_id.as_str(), body, streams.version, live_until],
            )
        }
        .map_err(backend)?;
        if n != 1 {
            return Err(StoreError::Conflict);
        }
    }
    let mut ins = conn
        .prepare_cached(
            "INSERT INTO events (user_id, session_id, entity_ref, track_id, kind, user_skip,
                                 device_id, received_ms, source_type, source_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(backend)?;
    let mut recent = conn
        .prepare_cached(
            "INSERT INTO recent_entities (user_id, source_type, source_id, played_ms)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id, source_type, source_id)
             DO UPDATE SET played_ms = max(played_ms, excluded.played_ms)",
        )
        .map_err(backend)?;
    let mut played = conn
        .prepare_cached(
            "INSERT INTO play_counts (track_id, plays) VALUES (?1, 1)
             ON CONFLICT (track_id) DO UPDATE SET plays = plays + 1",
        )
        .map_err(backend)?;
    let history = c.history();
    for (kind, id, played_ms) in &history.recent {
        recent
            .execute(params![
                c.user_id.as_str(),
                kind.source_type(),
                id,
                played_ms
            ])
            .map_err(backend)?;
    }
    for track in &history.plays {
        played.execute([track]).map_err(backend)?;
    }
    for e in &c.events {
        let (source_type, source_id) = e
            .source
            .as_ref()
            .map(|(kind, id)| (kind.source_type(), id.as_str()))
            .unzip();
        ins.execute(params![
            c.user_id.as_str(),
            e.session_id.to_string(),
            e.entity_ref.to_string(),
            e.track_id,
            e.kind,
            e.user_skip,
            e.device_id,
            e.received_ms,
            source_type,
            source_id,
            e.body
        ])
        .map_err(backend)?;
    }
    Ok(())
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, session: &Session, track_list: &[String]) -> StoreResult<()> {
        let s = session.clone();
        let list = track_list.to_vec();
        self.write(move |conn| {
            let ctx = &s.body.context;
            if ctx.kind == ContextKind::TrackList && list.is_empty() && !shared_list_exists(conn, &ctx.id)? {
                return Err(StoreError::Conflict); // a playlist version removed since it was read
            }
            conn.execute(
                "INSERT INTO sessions (id, user_id, device_id, created_ms, updated_ms, version, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    s.id.to_string(),
                    s.user_id.as_str(),
                    s.device_id,
                    s.created_ms,
                    s.updated_ms,
                    s.version,
                    body_json(&s)?
                ],
            )
            .map_err(backend)?;
            let mut ins = conn
                .prepare_cached("INSERT INTO session_tracks VALUES (?1, ?2, ?3)")
                .map_err(backend)?;
            let id = s.id.to_string();
            for (i, t) in list.iter().enumerate() {
                ins.execute(params![id, i, t]).map_err(backend)?;
            }
            Ok(())
        })
        .await?;
        self.hot.put_session(session.clone());
        Ok(())
    }

    async fn session(&self, id: Uuid) -> StoreResult<Option<Session>> {
        if let Some(s) = self.hot.session(id) {
            return Ok(Some(s));
        }
        let s = self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"
            ))?
            .query_row([id.to_string()], session_row)
            .optional()
        })?;
        if let Some(s) = &s {
            self.hot.put_session(s.clone());
        }
        Ok(s)
    }

    async fn save_session(&self, session: &Session) -> StoreResult<()> {
        let s = SessionUpdate::of(session)?;
        let result = self.write(move |conn| save(conn, &s)).await;
        match &result {
            Ok(()) => self.hot.put_session(Session {
                version: session.version + 1,
                ..session.clone()
            }),
            Err(_) => self.hot.forget_session(session.id),
        }
        result
    }

    async fn purge_sessions(&self, before_ms: i64) -> StoreResult<u64> {
        let n = self
            .write(move |conn| {
                conn.execute(
                    "DELETE FROM session_tracks WHERE session_id IN
                       (SELECT id FROM sessions WHERE updated_ms < ?1)",
                    [before_ms],
                )
                .and_then(|_| {
                    conn.execute("DELETE FROM sessions WHERE updated_ms < ?1", [before_ms])
                })
                .and_then(|n| drop_unplayed_versions(conn).map(|_| n))
                .map_err(backend)
            })
            .await?;
        self.hot.forget_sessions_before(before_ms);
        Ok(n as u64)
    }

    async fn active_sessions(&self, user_id: &UserId, since_ms: i64) -> StoreResult<Vec<Session>> {
        let user_id = user_id.as_str();
        let user_id = user_id.to_owned();
        self.scan(move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM (
                   SELECT *, row_number() OVER (PARTITION BY device_id
                                                ORDER BY updated_ms DESC, id DESC) AS newest
                   FROM sessions WHERE user_id = ?1 AND updated_ms >= ?2)
                 WHERE newest = 1 ORDER BY updated_ms DESC LIMIT 100"
            ))?;
            let rows = st.query_map(params![user_id, since_ms], session_row)?;
            rows.collect()
        })
        .await
    }

    async fn streams(&self, user_id: &UserId) -> StoreResult<UserStreams> {
        let user_id = user_id.as_str();
        if let Some(s) = self.hot.streams(user_id) {
            return Ok(s);
        }
        let row: Option<(i64, String)> = self.read(|conn| {
            conn.prepare_cached("SELECT version, body FROM user_streams WHERE user_id = ?1")?
                .query_row([user_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })?;
        let streams = match row {
            None => UserStreams::default(),
            Some((version, body)) => {
                let mut s: UserStreams = serde_json::from_str(&body).map_err(broken)?;
                s.version = version;
                s
            }
        };
        self.hot.put_streams(user_id, streams.clone());
        Ok(streams)
    }

    async fn live_streams(&self, now_ms: i64) -> StoreResult<u64> {
        self.scan(move |conn| {
            conn.prepare_cached(
                "SELECT count(*) FROM user_streams u, json_each(u.body, '$.streams') s
                 WHERE u.live_until > ?1 AND json_extract(s.value, '$.ends_ms') > ?1",
            )?
            .query_row([now_ms], |r| r.get(0))
        })
        .await
    }

    async fn skips_since(&self, user_id: &UserId, since_ms: i64) -> StoreResult<u32> {
        let user_id = user_id.as_str();
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT count(*) FROM events WHERE user_id = ?1 AND user_skip = 1 AND received_ms > ?2",
            )?
            .query_row(params![user_id, since_ms], |r| r.get(0))
        })
    }

    async fn commit_events(&self, commit: &EventCommit) -> StoreResult<()> {
        let c = commit.clone();
        let sessions = commit
            .sessions
            .iter()
            .map(SessionUpdate::of)
            .collect::<StoreResult<Vec<_>>>()?;
        let streams = match &commit.streams {
            Some(s) => Some(serde_json::to_string(s).map_err(broken)?),
            None => None,
        };
        let result = self
            .write(move |conn| apply_commit(conn, &c, &sessions, streams))
            .await;
        for s in &commit.sessions {
            match &result {
                Ok(()) => self.hot.put_session(Session {
                    version: s.version + 1,
                    ..s.clone()
                }),
                Err(_) => self.hot.forget_session(s.id),
            }
        }
        if let Some(st) = &commit.streams {
            match &result {
                Ok(()) => self.hot.put_streams(
                    commit.user_id.as_str(),
                    UserStreams {
                        version: st.version + 1,
                        ..st.clone()
                    },
                ),
                Err(_) => self.hot.forget_streams(commit.user_id.as_str()),
            }
        }
        result
    }
}
