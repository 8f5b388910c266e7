//! Users, client applications, access tokens and the OAuth records (codes, grants).

use async_trait::async_trait;
use medley_core::ids::UserId;
use medley_core::policy::Tier;
use medley_store::{
    AccountStore, AuthCode, Client, DeviceCode, GrantRecord, StoreResult, TokenRecord, User,
    Visibility,
};
use tokio_postgres::Row;

use crate::{big, exec, pg, row_opt, rows, small, taken, PgStore};

const USER_COLUMNS: &str =
    "u.id, u.name, u.tier, u.max_streams, u.visibility, u.playback_visibility, u.created_ms, u.admin";
/// How many columns USER_COLUMNS are.
const USER_WIDTH: usize = 8;

fn user_row(r: &Row, at: usize) -> User {
    User {
        id: crate::stored_id(r, at),
        name: r.get(at + 1),
        tier: Tier::parse(r.get(at + 2)).unwrap_or(Tier::Free),
        max_streams: small(r.get(at + 3)),
        visibility: Visibility::parse(&r.get::<_, String>(at + 4)),
        playback_visibility: Visibility::parse(&r.get::<_, String>(at + 5)),
        created_ms: r.get(at + 6),
        admin: r.get(at + 7),
    }
}

fn scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

const GRANT_COLUMNS: &str =
    "id, user_id, client_key, scopes, refresh_hash, created_ms, revoked_ms, label, browser";

fn grant_row(r: &Row) -> GrantRecord {
    GrantRecord {
        id: r.get(0),
        user_id: crate::stored_id(r, 1),
        client_key: r.get(2),
        scopes: scopes(r.get(3)),
        refresh_hash: r.get(4),
        created_ms: r.get(5),
        revoked_ms: r.get(6),
        label: r.get(7),
        browser: r.get(8),
    }
}

const DEVICE_COLUMNS: &str =
    "hash, user_code, client_key, scopes, expires_ms, interval_s, polled_ms, user_id";

fn device_row(r: &Row) -> DeviceCode {
    DeviceCode {
        hash: r.get(0),
        user_code: r.get(1),
        client_key: r.get(2),
        scopes: scopes(r.get(3)),
        expires_ms: r.get(4),
        interval_s: r.get(5),
        polled_ms: r.get(6),
        user_id: r.get::<_, Option<String>>(7).map(UserId::stored),
    }
}

/// Moves the revocation mark on (in the transaction that revoked something).
async fn mark_revocation<C: deadpool_postgres::GenericClient>(
    c: &C,
    now_ms: i64,
) -> Result<u64, tokio_postgres::Error> {
    exec(
        c,
        "UPDATE revocations SET seq = seq + 1, at_ms = $1",
        &[&now_ms],
    )
    .await
}

#[async_trait]
impl AccountStore for PgStore {
    async fn create_user(&self, u: &User) -> StoreResult<()> {
        let c = self.writer().await?;
        exec(
            &*c,
            "INSERT INTO users (id, name, tier, max_streams, visibility, playback_visibility,
                 created_ms, admin)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &u.id.as_str(),
                &u.name,
                &u.tier.as_str(),
                &(u.max_streams as i64),
                &u.visibility.as_str(),
                &u.playback_visibility.as_str(),
                &u.created_ms,
                &u.admin,
            ],
        )
        .await
        .map_err(|e| taken(e, format!("user '{}'", u.id)))?;
        Ok(())
    }

    async fn user(&self, id: &UserId) -> StoreResult<Option<User>> {
        let id = id.as_str();
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"),
            &[&id],
        )
        .await
        .map_err(pg)?;
        Ok(r.map(|r| user_row(&r, 0)))
    }

    async fn users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        let ids = &medley_core::ids::strings(ids);
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ANY($1)"),
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let users: Vec<User> = found.iter().map(|r| user_row(r, 0)).collect();
        Ok(crate::browse::in_order(ids, users, |u| u.id.as_str()))
    }

    async fn update_profile(
        &self,
        id: &UserId,
        name: &str,
        visibility: Visibility,
        playback_visibility: Visibility,
    ) -> StoreResult<bool> {
        let id = id.as_str();
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE users SET name = $2, visibility = $3, playback_visibility = $4 WHERE id = $1",
            &[
                &id,
                &name,
                &visibility.as_str(),
                &playback_visibility.as_str(),
            ],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn set_plan(&self, id: &UserId, tier: Tier, max_streams: u32) -> StoreResult<bool> {
        let id = id.as_str();
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE users SET tier = $2, max_streams = $3 WHERE id = $1",
            &[&id, &tier.as_str(), &big(max_streams)],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn set_admin(&self, id: &UserId, admin: bool) -> StoreResult<bool> {
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE users SET admin = $2 WHERE id = $1",
            &[&id.as_str(), &admin],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn set_password(&self, user_id: &UserId, hash: &str) -> StoreResult<bool> {
        let user_id = user_id.as_str();
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE users SET password_hash = $2 WHERE id = $1",
            &[&user_id, &hash],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn users_after(&self, after: Option<&UserId>, limit: u32) -> StoreResult<Vec<User>> {
        let after = after.map_or("", UserId::as_str);
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id > $1 ORDER BY u.id LIMIT $2"),
            &[&after, &crate::big(limit)],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| user_row(r, 0)).collect())
    }

    async fn users_called(&self, login: &str) -> StoreResult<Vec<User>> {
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!(
                "SELECT {USER_COLUMNS} FROM users u
                 WHERE u.id = $1 OR lower(u.name) = lower($1) LIMIT 10"
            ),
            &[&login],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| user_row(r, 0)).collect())
    }

    async fn sign_in_candidates(&self, login: &str) -> StoreResult<Vec<(User, String)>> {
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u
                 WHERE u.password_hash IS NOT NULL AND (u.id = $1 OR lower(u.name) = lower($1))
                 LIMIT 10"
            ),
            &[&login],
        )
        .await
        .map_err(pg)?;
        Ok(found
            .iter()
            .map(|r| (user_row(r, 0), r.get(USER_WIDTH)))
            .collect())
    }

    async fn create_client(&self, cl: &Client) -> StoreResult<()> {
        let uris = serde_json::to_string(&cl.redirect_uris).map_err(crate::backend)?;
        let c = self.writer().await?;
        exec(
            &*c,
            "INSERT INTO clients (api_key, name, created_ms, redirect_uris, secret_hash)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &cl.api_key,
                &cl.name,
                &cl.created_ms,
                &uris,
                &cl.secret_hash,
            ],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }

    async fn set_redirect_uris(&self, api_key: &str, uris: &[String]) -> StoreResult<bool> {
        let uris = serde_json::to_string(uris).map_err(crate::backend)?;
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE clients SET redirect_uris = $2 WHERE api_key = $1",
            &[&api_key, &uris],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn client(&self, api_key: &str) -> StoreResult<Option<Client>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            "SELECT api_key, name, created_ms, redirect_uris, secret_hash FROM clients WHERE api_key = $1",
            &[&api_key],
        )
        .await
        .map_err(pg)?;
        Ok(r.map(|r| Client {
            api_key: r.get(0),
            name: r.get(1),
            created_ms: r.get(2),
            redirect_uris: serde_json::from_str(r.get(3)).unwrap_or_default(),
            secret_hash: r.get(4),
        }))
    }

    async fn insert_token(&self, t: &TokenRecord) -> StoreResult<()> {
        let c = self.writer().await?;
        exec(
            &*c,
            "INSERT INTO tokens (hash, user_id, client_key, scopes, expires_ms, created_ms, grant_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &t.hash,
                &t.user_id.as_str(),
                &t.client_key,
                &t.scopes.join(" "),
                &t.expires_ms,
                &t.created_ms,
                &t.grant_id,
            ],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }

    async fn token(&self, hash: &str) -> StoreResult<Option<(TokenRecord, User)>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!(
                "SELECT t.hash, t.user_id, t.client_key, t.scopes, t.expires_ms, t.created_ms, t.grant_id,
                        {USER_COLUMNS}
                 FROM tokens t JOIN users u ON u.id = t.user_id
                 LEFT JOIN grants g ON g.id = t.grant_id
                 WHERE t.hash = $1 AND (t.grant_id IS NULL OR g.revoked_ms IS NULL)"
            ),
            &[&hash],
        )
        .await
        .map_err(pg)?;
        Ok(r.map(|r| {
            (
                TokenRecord {
                    hash: r.get(0),
                    user_id: crate::stored_id(&r, 1),
                    client_key: r.get(2),
                    scopes: scopes(r.get(3)),
                    expires_ms: r.get(4),
                    created_ms: r.get(5),
                    grant_id: r.get(6),
                },
                user_row(&r, 7),
            )
        }))
    }

    async fn create_auth_code(&self, code: &AuthCode) -> StoreResult<()> {
        let (challenge, method) = code.challenge.clone().unzip();
        let c = self.writer().await?;
        exec(
            &*c,
            "INSERT INTO auth_codes (hash, client_key, user_id, redirect_uri, scopes, challenge,
                 challenge_method, expires_ms, label, browser)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &code.hash,
                &code.client_key,
                &code.user_id.as_str(),
                &code.redirect_uri,
                &code.scopes.join(" "),
                &challenge,
                &method,
                &code.expires_ms,
                &code.label,
                &code.browser,
            ],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }

    async fn take_auth_code(&self, hash: &str) -> StoreResult<Option<AuthCode>> {
        let c = self.writer().await?;
        let r = row_opt(
            &*c,
            "DELETE FROM auth_codes WHERE hash = $1
             RETURNING hash, client_key, user_id, redirect_uri, scopes, challenge,
                       challenge_method, expires_ms, label, browser",
            &[&hash],
        )
        .await
        .map_err(pg)?;
        Ok(r.map(|r| {
            let challenge: Option<String> = r.get(5);
            let method: Option<String> = r.get(6);
            AuthCode {
                hash: r.get(0),
                client_key: r.get(1),
                user_id: crate::stored_id(&r, 2),
                redirect_uri: r.get(3),
                scopes: scopes(r.get(4)),
                challenge: challenge.zip(method),
                expires_ms: r.get(7),
                label: r.get(8),
                browser: r.get(9),
            }
        }))
    }

    async fn create_device_code(&self, code: &DeviceCode) -> StoreResult<bool> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        // Expired codes go first, so their user codes can be drawn again.
        exec(
            &tx,
            "DELETE FROM device_codes WHERE expires_ms < $1",
            &[&(code.expires_ms - 24 * 3600 * 1000)],
        )
        .await
        .map_err(pg)?;
        let inserted = exec(
            &tx,
            "INSERT INTO device_codes VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            &[
                &code.hash,
                &code.user_code,
                &code.client_key,
                &code.scopes.join(" "),
                &code.expires_ms,
                &code.interval_s,
                &code.polled_ms,
                &code.user_id.as_ref().map(UserId::as_str),
            ],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(inserted == 1)
    }

    async fn device_code_by_user_code(&self, user_code: &str) -> StoreResult<Option<DeviceCode>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!("SELECT {DEVICE_COLUMNS} FROM device_codes WHERE user_code = $1"),
            &[&user_code],
        )
        .await
        .map_err(pg)?;
        Ok(r.as_ref().map(device_row))
    }

    async fn approve_device_code(&self, user_code: &str, user_id: &UserId) -> StoreResult<bool> {
        let user_id = user_id.as_str();
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE device_codes SET user_id = $2 WHERE user_code = $1 AND user_id IS NULL",
            &[&user_code, &user_id],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn poll_device_code(&self, hash: &str, now_ms: i64) -> StoreResult<Option<DeviceCode>> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let found = row_opt(
            &tx,
            &format!("SELECT {DEVICE_COLUMNS} FROM device_codes WHERE hash = $1 FOR UPDATE"),
            &[&hash],
        )
        .await
        .map_err(pg)?
        .map(|r| device_row(&r));
        match &found {
            Some(code) if code.user_id.is_some() => {
                exec(&tx, "DELETE FROM device_codes WHERE hash = $1", &[&hash]).await
            }
            Some(_) => {
                exec(
                    &tx,
                    "UPDATE device_codes SET polled_ms = $2 WHERE hash = $1",
                    &[&hash, &now_ms],
                )
                .await
            }
            None => Ok(0),
        }
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(found)
    }

    async fn create_grant(&self, g: &GrantRecord) -> StoreResult<u64> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let replaced = match &g.browser {
            None => 0,
            Some(browser) => exec(
                &tx,
                "UPDATE grants SET revoked_ms = $4
                 WHERE user_id = $1 AND client_key = $2 AND browser = $3 AND revoked_ms IS NULL",
                &[&g.user_id.as_str(), &g.client_key, browser, &g.created_ms],
            )
            .await
            .map_err(pg)?,
        };
        if replaced > 0 {
            mark_revocation(&tx, g.created_ms).await.map_err(pg)?;
        }
        exec(
            &tx,
            &format!(
                "INSERT INTO grants ({GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &g.id,
                &g.user_id.as_str(),
                &g.client_key,
                &g.scopes.join(" "),
                &g.refresh_hash,
                &g.created_ms,
                &g.revoked_ms,
                &g.label,
                &g.browser,
            ],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(replaced)
    }

    async fn grant_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<GrantRecord>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!(
                "SELECT {GRANT_COLUMNS} FROM grants WHERE refresh_hash = $1 AND revoked_ms IS NULL"
            ),
            &[&refresh_hash],
        )
        .await
        .map_err(pg)?;
        Ok(r.as_ref().map(grant_row))
    }

    async fn grant_by_retired_refresh(
        &self,
        refresh_hash: &str,
    ) -> StoreResult<Option<(GrantRecord, i64)>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!(
                "SELECT {GRANT_COLUMNS}, retired_ms FROM retired_refresh JOIN grants ON id = grant_id
                 WHERE hash = $1 AND revoked_ms IS NULL"
            ),
            &[&refresh_hash],
        )
        .await
        .map_err(pg)?;
        Ok(r.as_ref().map(|r| (grant_row(r), r.get(9))))
    }

    async fn rotate_refresh(
        &self,
        grant_id: &str,
        current: &str,
        next: &str,
        now_ms: i64,
        forget_before_ms: i64,
    ) -> StoreResult<bool> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let n = exec(
            &tx,
            "UPDATE grants SET refresh_hash = $3
             WHERE id = $1 AND refresh_hash = $2 AND revoked_ms IS NULL",
            &[&grant_id, &current, &next],
        )
        .await
        .map_err(pg)?;
        if n == 1 {
            exec(
                &tx,
                "INSERT INTO retired_refresh VALUES ($1, $2, $3)
                 ON CONFLICT (hash) DO UPDATE SET grant_id = $2, retired_ms = $3",
                &[&current, &grant_id, &now_ms],
            )
            .await
            .map_err(pg)?;
            exec(
                &tx,
                "DELETE FROM retired_refresh WHERE grant_id = $1 AND retired_ms < $2",
                &[&grant_id, &forget_before_ms],
            )
            .await
            .map_err(pg)?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(n == 1)
    }

    async fn label_grant(
        &self,
        user_id: &UserId,
        grant_id: &str,
        label: &str,
    ) -> StoreResult<bool> {
        let c = self.writer().await?;
        let n = exec(
            &*c,
            "UPDATE grants SET label = $3 WHERE id = $2 AND user_id = $1 AND revoked_ms IS NULL",
            &[&user_id.as_str(), &grant_id, &label],
        )
        .await
        .map_err(pg)?;
        Ok(n == 1)
    }

    async fn user_grants(&self, user_id: &UserId) -> StoreResult<Vec<GrantRecord>> {
        let user_id = user_id.as_str();
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!(
                "SELECT {GRANT_COLUMNS} FROM grants WHERE user_id = $1 AND revoked_ms IS NULL
                 ORDER BY created_ms DESC, id DESC LIMIT 1000"
            ),
            &[&user_id],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(grant_row).collect())
    }

    async fn revoke_grant(
        &self,
        user_id: &UserId,
        grant_id: &str,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let user_id = user_id.as_str();
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let n = exec(
            &tx,
            "UPDATE grants SET revoked_ms = $3 WHERE id = $2 AND user_id = $1 AND revoked_ms IS NULL",
            &[&user_id, &grant_id, &now_ms],
        )
        .await
        .map_err(pg)?;
        if n == 1 {
            mark_revocation(&tx, now_ms).await.map_err(pg)?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(n == 1)
    }

    async fn revoke_grants(
        &self,
        user_id: &UserId,
        client_key: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let user_id = user_id.as_str();
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let n = exec(
            &tx,
            "UPDATE grants SET revoked_ms = $3
             WHERE user_id = $1 AND ($2::text IS NULL OR client_key = $2) AND revoked_ms IS NULL",
            &[&user_id, &client_key, &now_ms],
        )
        .await
        .map_err(pg)?;
        let tokens = exec(
            &tx,
            "DELETE FROM tokens WHERE user_id = $1 AND ($2::text IS NULL OR client_key = $2)",
            &[&user_id, &client_key],
        )
        .await
        .map_err(pg)?;
        if n + tokens > 0 {
            mark_revocation(&tx, now_ms).await.map_err(pg)?;
        }
        tx.commit().await.map_err(pg)?;
        Ok(n)
    }

    async fn revocation_mark(&self) -> StoreResult<i64> {
        let c = self.client().await?;
        let r = row_opt(&c, "SELECT seq FROM revocations", &[])
            .await
            .map_err(pg)?;
        Ok(r.map_or(0, |r| r.get(0)))
    }

    async fn ready(&self) -> StoreResult<()> {
        let c = self.client().await?;
        row_opt(&c, "SELECT 1", &[]).await.map_err(pg)?;
        Ok(())
    }

    async fn has_users(&self) -> StoreResult<bool> {
        let c = self.client().await?;
        let r = row_opt(&c, "SELECT EXISTS (SELECT 1 FROM users)", &[])
            .await
            .map_err(pg)?;
        Ok(r.is_some_and(|r| r.get(0)))
    }

    async fn secret(&self, name: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        let c = self.writer().await?;
        // The first node to ask stores its fresh value; every node then reads the same one.
        let r = row_opt(
            &*c,
            "WITH ins AS (INSERT INTO secrets VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
             SELECT value FROM ins UNION ALL SELECT value FROM secrets WHERE name = $1 LIMIT 1",
            &[&name, &fresh],
        )
        .await
        .map_err(pg)?;
        if let Some(r) = r {
            return Ok(r.get(0));
        }
        // Another node stored it as this one tried: its value, committed since, is the one.
        let r = row_opt(&*c, "SELECT value FROM secrets WHERE name = $1", &[&name])
            .await
            .map_err(pg)?;
        r.map(|r| r.get(0))
            .ok_or_else(|| crate::backend("the secret could not be stored"))
    }

    async fn open_web_session(
        &self,
        hash: &str,
        user_id: &UserId,
        now_ms: i64,
        expires_ms: i64,
    ) -> StoreResult<()> {
        let user_id = user_id.as_str();
        let c = self.writer().await?;
        exec(
            &*c,
            "WITH gone AS (DELETE FROM web_sessions WHERE expires_ms <= $3 AND hash <> $1)
             INSERT INTO web_sessions VALUES ($1, $2, $4)
             ON CONFLICT (hash) DO UPDATE SET user_id = EXCLUDED.user_id, expires_ms = EXCLUDED.expires_ms",
            &[&hash, &user_id, &now_ms, &expires_ms],
        )
        .await
        .map_err(pg)?;
        Ok(())
    }

    async fn web_session(&self, hash: &str, now_ms: i64) -> StoreResult<Option<UserId>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            "SELECT user_id FROM web_sessions WHERE hash = $1 AND expires_ms > $2",
            &[&hash, &now_ms],
        )
        .await
        .map_err(pg)?;
        Ok(r.map(|r| crate::stored_id(&r, 0)))
    }

    async fn close_web_session(&self, hash: &str) -> StoreResult<()> {
        let c = self.writer().await?;
        exec(&*c, "DELETE FROM web_sessions WHERE hash = $1", &[&hash])
            .await
            .map_err(pg)?;
        Ok(())
    }
}
