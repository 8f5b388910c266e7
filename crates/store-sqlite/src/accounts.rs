//! Users, client applications and access tokens.

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_core::policy::Tier;
use medley_store::{
    AccountStore, AuthCode, Client, DeviceCode, GrantRecord, StoreResult, TokenRecord, User,
    Visibility,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::{backend, broken, stored_id, taken, unique_violation, SqliteStore};

const USER_COLUMNS: &str =
    "u.id, u.name, u.tier, u.max_streams, u.visibility, u.playback_visibility, u.created_ms, u.admin";
/// How many columns USER_COLUMNS are.
const USER_WIDTH: usize = 8;

fn user_row(r: &Row, at: usize) -> rusqlite::Result<User> {
    Ok(User {
        id: stored_id(r, at)?,
        name: r.get(at + 1)?,
        tier: Tier::parse(&r.get::<_, String>(at + 2)?).unwrap_or(Tier::Free),
        max_streams: r.get(at + 3)?,
        visibility: Visibility::parse(&r.get::<_, String>(at + 4)?),
        playback_visibility: Visibility::parse(&r.get::<_, String>(at + 5)?),
        created_ms: r.get(at + 6)?,
        admin: r.get(at + 7)?,
    })
}

const GRANT_COLUMNS: &str =
    "id, user_id, client_key, scopes, refresh_hash, created_ms, revoked_ms, label, browser";

fn grant_row(r: &Row) -> rusqlite::Result<GrantRecord> {
    let scopes: String = r.get(3)?;
    Ok(GrantRecord {
        id: r.get(0)?,
        user_id: stored_id(r, 1)?,
        client_key: r.get(2)?,
        scopes: scopes.split_whitespace().map(String::from).collect(),
        refresh_hash: r.get(4)?,
        created_ms: r.get(5)?,
        revoked_ms: r.get(6)?,
        label: r.get(7)?,
        browser: r.get(8)?,
    })
}

const DEVICE_COLUMNS: &str =
    "hash, user_code, client_key, scopes, expires_ms, interval_s, polled_ms, user_id";

fn device_row(r: &Row) -> rusqlite::Result<DeviceCode> {
    let scopes: String = r.get(3)?;
    Ok(DeviceCode {
        hash: r.get(0)?,
        user_code: r.get(1)?,
        client_key: r.get(2)?,
        scopes: scopes.split_whitespace().map(String::from).collect(),
        expires_ms: r.get(4)?,
        interval_s: r.get(5)?,
        polled_ms: r.get(6)?,
        user_id: r.get::<_, Option<String>>(7)?.map(UserId::stored),
    })
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, user: &User) -> StoreResult<()> {
        let u = user.clone();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO users (id, name, tier, max_streams, visibility, playback_visibility,
                     created_ms, admin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    u.id.as_str(),
                    u.name,
                    u.tier.as_str(),
                    u.max_streams,
                    u.visibility.as_str(),
                    u.playback_visibility.as_str(),
                    u.created_ms,
                    u.admin
                ],
            )
            .map_err(|e| taken(e, format!("user '{}'", u.id)))?;
            Ok(())
        })
        .await
    }

    async fn user(&self, id: &UserId) -> StoreResult<Option<User>> {
        let id = id.as_str();
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"
            ))?
            .query_row([id], |r| user_row(r, 0))
            .optional()
        })
    }

    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"
            ))?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(u) = st.query_row([id.as_str()], |r| user_row(r, 0)).optional()? {
                    out.push(u);
                }
            }
            Ok(out)
        })
    }

    async fn update_profile(
        &self,
        id: &UserId,
        name: &str,
        visibility: Visibility,
        playback_visibility: Visibility,
    ) -> StoreResult<bool> {
        let id = id.as_str();
        let (id, name) = (id.to_string(), name.to_string());
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE users SET name = ?2, visibility = ?3, playback_visibility = ?4 WHERE id = ?1",
                    params![id, name, visibility.as_str(), playback_visibility.as_str()],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn set_plan(&self, id: &UserId, tier: Tier, max_streams: u32) -> StoreResult<bool> {
        let id = id.as_str();
        let id = id.to_string();
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE users SET tier = ?2, max_streams = ?3 WHERE id = ?1",
                    params![id, tier.as_str(), max_streams],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn set_admin(&self, id: &UserId, admin: bool) -> StoreResult<bool> {
        let id = id.to_string();
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE users SET admin = ?2 WHERE id = ?1",
                    params![id, admin],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn set_password(&self, user_id: &UserId, hash: &str) -> StoreResult<bool> {
        let user_id = user_id.as_str();
        let (id, hash) = (user_id.to_string(), hash.to_string());
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                    params![id, hash],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn users_after(&self, after: Option<&UserId>, limit: u32) -> StoreResult<Vec<User>> {
        let after = after.map_or("", UserId::as_str);
        self.read(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.id > ?1 ORDER BY u.id LIMIT ?2"
            ))?;
            let rows = st.query_map(params![after, limit], |r| user_row(r, 0))?;
            rows.collect()
        })
    }

    async fn users_called(&self, login: &str) -> StoreResult<Vec<User>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u
                 WHERE u.id = ?1 OR lower(u.name) = lower(?1) LIMIT 10"
            ))?;
            let rows = st.query_map([login], |r| user_row(r, 0))?;
            rows.collect()
        })
    }

    async fn sign_in_candidates(&self, login: &str) -> StoreResult<Vec<(User, String)>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u
                 WHERE u.password_hash IS NOT NULL AND (u.id = ?1 OR lower(u.name) = lower(?1))
                 LIMIT 10"
            ))?;
            let rows = st.query_map([login], |r| Ok((user_row(r, 0)?, r.get(USER_WIDTH)?)))?;
            rows.collect()
        })
    }

    async fn create_client(&self, client: &Client) -> StoreResult<()> {
        let c = client.clone();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO clients (api_key, name, created_ms, redirect_uris, secret_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    c.api_key,
                    c.name,
                    c.created_ms,
                    serde_json::to_string(&c.redirect_uris).map_err(broken)?,
                    c.secret_hash
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn set_redirect_uris(&self, api_key: &str, uris: &[String]) -> StoreResult<bool> {
        let (key, uris) = (
            api_key.to_string(),
            serde_json::to_string(uris).map_err(broken)?,
        );
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE clients SET redirect_uris = ?2 WHERE api_key = ?1",
                    params![key, uris],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn client(&self, api_key: &str) -> StoreResult<Option<Client>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT api_key, name, created_ms, redirect_uris, secret_hash
                 FROM clients WHERE api_key = ?1",
            )?
            .query_row([api_key], |r| {
                let uris: String = r.get(3)?;
                Ok(Client {
                    api_key: r.get(0)?,
                    name: r.get(1)?,
                    created_ms: r.get(2)?,
                    redirect_uris: serde_json::from_str(&uris).unwrap_or_default(),
                    secret_hash: r.get(4)?,
                })
            })
            .optional()
        })
    }

    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()> {
        let t = token.clone();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO tokens (hash, user_id, client_key, scopes, expires_ms, created_ms, grant_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    t.hash,
                    t.user_id.as_str(),
                    t.client_key,
                    t.scopes.join(" "),
                    t.expires_ms,
                    t.created_ms,
                    t.grant_id
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn token(&self, hash: &str) -> StoreResult<Option<(TokenRecord, User)>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT t.hash, t.user_id, t.client_key, t.scopes, t.expires_ms, t.created_ms, t.grant_id,
                        {USER_COLUMNS}
                 FROM tokens t JOIN users u ON u.id = t.user_id
                 LEFT JOIN grants g ON g.id = t.grant_id
                 WHERE t.hash = ?1 AND (t.grant_id IS NULL OR g.revoked_ms IS NULL)"
            ))?
            .query_row([hash], |r| {
                let scopes: String = r.get(3)?;
                Ok((
                    TokenRecord {
                        hash: r.get(0)?,
                        user_id: stored_id(r, 1)?,
                        client_key: r.get(2)?,
                        scopes: scopes.split_whitespace().map(String::from).collect(),
                        expires_ms: r.get(4)?,
                        created_ms: r.get(5)?,
                        grant_id: r.get(6)?,
                    },
                    user_row(r, 7)?,
                ))
            })
            .optional()
        })
    }

    async fn create_auth_code(&self, code: &AuthCode) -> StoreResult<()> {
        let c = code.clone();
        self.write(move |conn| {
            let (challenge, method) = c.challenge.clone().unzip();
            conn.execute(
                "INSERT INTO auth_codes (hash, client_key, user_id, redirect_uri, scopes,
                     challenge, challenge_method, expires_ms, label, browser)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    c.hash,
                    c.client_key,
                    c.user_id.as_str(),
                    c.redirect_uri,
                    c.scopes.join(" "),
                    challenge,
                    method,
                    c.expires_ms,
                    c.label,
                    c.browser
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn take_auth_code(&self, hash: &str) -> StoreResult<Option<AuthCode>> {
        let hash = hash.to_string();
        self.write(move |conn| {
            conn.query_row(
                "DELETE FROM auth_codes WHERE hash = ?1
                 RETURNING hash, client_key, user_id, redirect_uri, scopes, challenge,
                           challenge_method, expires_ms, label, browser",
                [&hash],
                |r| {
                    let scopes: String = r.get(4)?;
                    let challenge: Option<String> = r.get(5)?;
                    let method: Option<String> = r.get(6)?;
                    Ok(AuthCode {
                        hash: r.get(0)?,
                        client_key: r.get(1)?,
                        user_id: stored_id(r, 2)?,
                        redirect_uri: r.get(3)?,
                        scopes: scopes.split_whitespace().map(String::from).collect(),
                        challenge: challenge.zip(method),
                        expires_ms: r.get(7)?,
                        label: r.get(8)?,
                        browser: r.get(9)?,
                    })
                },
            )
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn create_device_code(&self, code: &DeviceCode) -> StoreResult<bool> {
        let c = code.clone();
        self.write(move |conn| {
            // Expired codes go first, so their user codes can be drawn again.
            conn.execute(
                "DELETE FROM device_codes WHERE expires_ms < ?1",
                [c.expires_ms - 24 * 3600 * 1000],
            )
            .map_err(backend)?;
            match conn.execute(
                "INSERT INTO device_codes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    c.hash,
                    c.user_code,
                    c.client_key,
                    c.scopes.join(" "),
                    c.expires_ms,
                    c.interval_s,
                    c.polled_ms,
                    c.user_id.as_ref().map(UserId::as_str)
                ],
            ) {
                Ok(_) => Ok(true),
                Err(e) if unique_violation(&e) => Ok(false),
                Err(e) => Err(backend(e)),
            }
        })
        .await
    }

    async fn device_code_by_user_code(&self, user_code: &str) -> StoreResult<Option<DeviceCode>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM device_codes WHERE user_code = ?1"
            ))?
            .query_row([user_code], device_row)
            .optional()
        })
    }

    async fn approve_device_code(&self, user_code: &str, user_id: &UserId) -> StoreResult<bool> {
        let user_id = user_id.as_str();
        let (code, user) = (user_code.to_string(), user_id.to_string());
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE device_codes SET user_id = ?2 WHERE user_code = ?1 AND user_id IS NULL",
                    params![code, user],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn poll_device_code(&self, hash: &str, now_ms: i64) -> StoreResult<Option<DeviceCode>> {
        let hash = hash.to_string();
        self.write(move |conn| {
            let found = conn
                .query_row(
                    &format!("SELECT {DEVICE_COLUMNS} FROM device_codes WHERE hash = ?1"),
                    [&hash],
                    device_row,
                )
                .optional()
                .map_err(backend)?;
            match &found {
                Some(c) if c.user_id.is_some() => {
                    conn.execute("DELETE FROM device_codes WHERE hash = ?1", [&hash])
                }
                Some(_) => conn.execute(
                    "UPDATE device_codes SET polled_ms = ?2 WHERE hash = ?1",
                    params![hash, now_ms],
                ),
                None => Ok(0),
            }
            .map_err(backend)?;
            Ok(found)
        })
        .await
    }

    async fn create_grant(&self, grant: &GrantRecord) -> StoreResult<u64> {
        let g = grant.clone();
        self.write(move |conn| {
            let replaced = match &g.browser {
                None => 0,
                Some(browser) => conn
                    .execute(
                        "UPDATE grants SET revoked_ms = ?4
                         WHERE user_id = ?1 AND client_key = ?2 AND browser = ?3
                           AND revoked_ms IS NULL",
                        params![g.user_id.as_str(), g.client_key, browser, g.created_ms],
                    )
                    .map_err(backend)?,
            };
            if replaced > 0 {
                mark_revocation(conn, g.created_ms).map_err(backend)?;
            }
            conn.execute(
                &format!("INSERT INTO grants ({GRANT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    g.id,
                    g.user_id.as_str(),
                    g.client_key,
                    g.scopes.join(" "),
                    g.refresh_hash,
                    g.created_ms,
                    g.revoked_ms,
                    g.label,
                    g.browser
                ],
            )
            .map_err(backend)?;
            Ok(replaced as u64)
        })
        .await
    }

    async fn grant_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<GrantRecord>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {GRANT_COLUMNS} FROM grants WHERE refresh_hash = ?1 AND revoked_ms IS NULL"
            ))?
            .query_row([refresh_hash], grant_row)
            .optional()
        })
    }

    async fn grant_by_retired_refresh(
        &self,
        refresh_hash: &str,
    ) -> StoreResult<Option<(GrantRecord, i64)>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {GRANT_COLUMNS}, retired_ms FROM retired_refresh JOIN grants ON id = grant_id
                 WHERE hash = ?1 AND revoked_ms IS NULL"
            ))?
            .query_row([refresh_hash], |r| Ok((grant_row(r)?, r.get(9)?)))
            .optional()
        })
    }

    async fn rotate_refresh(
        &self,
        grant_id: &str,
        current: &str,
        next: &str,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> StoreResult<bool> {
        let (grant, current, next) = (grant_id.to_string(), current.to_string(), next.to_string());
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE grants SET refresh_hash = ?3
                     WHERE id = ?1 AND refresh_hash = ?2 AND revoked_ms IS NULL",
                    params![grant, current, next],
                )
                .map_err(backend)?;
            if n == 1 {
                conn.execute(
                    "INSERT OR REPLACE INTO retired_refresh VALUES (?1, ?2, ?3)",
                    params![current, grant, now_ms],
                )
                .map_err(backend)?;
                conn.execute(
                    "DELETE FROM retired_refresh WHERE grant_id = ?1 AND retired_ms < ?2",
                    params![grant, forget_before_ms],
                )
                .map_err(backend)?;
            }
            Ok(n == 1)
        })
        .await
    }

    async fn label_grant(
        &self,
        user_id: &UserId,
        grant_id: &str,
        label: &str,
    ) -> StoreResult<bool> {
        let (user, grant, label) = (user_id.to_string(), grant_id.to_string(), label.to_string());
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE grants SET label = ?3
                     WHERE id = ?2 AND user_id = ?1 AND revoked_ms IS NULL",
                    params![user, grant, label],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn user_grants(&self, user_id: &UserId) -> StoreResult<Vec<GrantRecord>> {
        let user_id = user_id.as_str();
        self.read(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {GRANT_COLUMNS} FROM grants WHERE user_id = ?1 AND revoked_ms IS NULL
                 ORDER BY created_ms DESC, id DESC LIMIT 1000"
            ))?;
            let rows = st.query_map([user_id], grant_row)?;
            rows.collect()
        })
    }

    async fn revoke_grant(
        &self,
        user_id: &UserId,
        grant_id: &str,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let user_id = user_id.as_str();
        let (user, grant) = (user_id.to_string(), grant_id.to_string());
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE grants SET revoked_ms = ?3
                     WHERE id = ?2 AND user_id = ?1 AND revoked_ms IS NULL",
                    params![user, grant, now_ms],
                )
                .map_err(backend)?;
            if n == 1 {
                mark_revocation(conn, now_ms).map_err(backend)?;
            }
            Ok(n == 1)
        })
        .await
    }

    async fn revoke_grants(
        &self,
        user_id: &UserId,
        client_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let user_id = user_id.as_str();
        let (user, client) = (user_id.to_string(), client_key.map(String::from));
        self.write(move |conn| {
            let n = conn
                .execute(
                    "UPDATE grants SET revoked_ms = ?3
                     WHERE user_id = ?1 AND (?2 IS NULL OR client_key = ?2) AND revoked_ms IS NULL",
                    params![user, client, now_ms],
                )
                .map_err(backend)?;
            let tokens = conn
                .execute(
                    "DELETE FROM tokens WHERE user_id = ?1 AND (?2 IS NULL OR client_key = ?2)",
                    params![user, client],
                )
                .map_err(backend)?;
            if n + tokens > 0 {
                mark_revocation(conn, now_ms).map_err(backend)?;
            }
            Ok(n as u64)
        })
        .await
    }

    async fn revocation_mark(&self) -> StoreResult<i64> {
        self.read(|conn| {
            conn.query_row("SELECT coalesce(max(seq), 0) FROM revocations", [], |r| {
                r.get(0)
            })
        })
    }

    async fn has_users(&self) -> StoreResult<bool> {
        self.read(|conn| conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0)))
    }

    async fn ready(&self) -> StoreResult<()> {
        self.disk_has_room()?;
        if !self.write_failing() {
            return self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())));
        }
        self.write(|conn| {
            conn.execute(
                "INSERT INTO readiness VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET probes = probes + 1",
                [],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn secret(&self, name: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        let (name, fresh) = (name.to_string(), fresh.to_vec());
        self.write(move |conn| {
            conn.execute(
                "INSERT OR IGNORE INTO secrets VALUES (?1, ?2)",
                params![name, fresh],
            )
            .map_err(backend)?;
            conn.query_row("SELECT value FROM secrets WHERE name = ?1", [&name], |r| {
                r.get(0)
            })
            .map_err(backend)
        })
        .await
    }

    async fn open_web_session(
        &self,
        hash: &str,
        user_id: &UserId,
        now_ms: i64,
        expires_ms: i64,
    ) -> StoreResult<()> {
        let user_id = user_id.as_str();
        let (hash, user) = (hash.to_string(), user_id.to_string());
        self.write(move |conn| {
            conn.execute("DELETE FROM web_sessions WHERE expires_ms <= ?1", [now_ms])
                .map_err(backend)?;
            conn.execute(
                "INSERT OR REPLACE INTO web_sessions VALUES (?1, ?2, ?3)",
                params![hash, user, expires_ms],
            )
            .map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn web_session(&self, hash: &str, now_ms: i64) -> StoreResult<Option<UserId>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT user_id FROM web_sessions WHERE hash = ?1 AND expires_ms > ?2",
                params![hash, now_ms],
                |r| stored_id(r, 0),
            )
            .optional()
        })
    }

    async fn close_web_session(&self, hash: &str) -> StoreResult<()> {
        let hash = hash.to_string();
        self.write(move |conn| {
            conn.execute("DELETE FROM web_sessions WHERE hash = ?1", [hash])
                .map_err(backend)?;
            Ok(())
        })
        .await
    }
}

/// Moves the revocation mark on, keeping only the latest row.
fn mark_revocation(conn: &Connection, now_ms: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO revocations (seq, at_ms) SELECT coalesce(max(seq), 0) + 1, ?1 FROM revocations",
        [now_ms],
    )?;
    conn.execute(
        "DELETE FROM revocations WHERE seq < (SELECT max(seq) FROM revocations)",
        [],
    )?;
    Ok(())
}
