//! OAuth 2.0 as Login with Amazon answers it: a signed-in user authorizes a client
//! (authorization code, with PKCE), and the token endpoint exchanges the code, and later the
//! refresh token, for access tokens; a device without a browser links by a code the user enters
//! on the verification page (code-based linking). Each authorization is a grant (a link):
//! unlinking revokes it, its refresh token and every access token issued under it.
//!
//! A public client's refresh token (one without a secret: the web player, an app on a phone)
//! is replaced on every use; a replaced one used again, after a short grace for a retry whose
//! answer was lost, is taken for stolen and ends the link. A confidential client keeps its
//! refresh token, as LWA's do.

use base64::Engine;
use medley_core::ids::UserId;
use medley_store::{AuthCode, Client, DeviceCode, GrantRecord, User};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::browser::{given_label, Browser};
use super::credentials::client_secret_matches;
use super::Accounts;
use crate::accounts::{hash_token, random_token, ALL_SCOPES};
use crate::ServiceError;

/// How long a public client's replaced refresh token still works: a refresh retried because
/// its answer was lost.
pub const REFRESH_GRACE_MS: i64 = 30_000;
/// How long a replaced refresh token is remembered, so that its use ends the link.
const RETIRED_KEPT_MS: i64 = 90 * 24 * 3600 * 1000;
/// How long an authorization code waits to be exchanged.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Seconds a device's code waits for its user.
pub const DEVICE_CODE_TTL_S: i64 = 600;
/// Seconds a device waits between polls.
pub const POLL_INTERVAL_S: i64 = 5;
/// The letters of user codes: no 0/O, 1/I, so a code read off a TV is typed right.
const USER_CODE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// How long a sign-in to the account page lasts.
pub const ACCOUNT_SESSION_MS: i64 = 30 * 60 * 1000;
/// Longest `state` passed back.
const MAX_STATE: usize = 2000;

/// A refusal in OAuth's terms: one of LWA's error codes (RFC 6749's) and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub code: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(code: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError {
            code,
            description: description.into(),
        }
    }

    fn request(description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_request", description)
    }

    fn grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_grant", description)
    }
}

impl From<ServiceError> for OAuthError {
    fn from(e: ServiceError) -> Self {
        e.log_cause();
        let code = match e {
            ServiceError::StoreUnavailable(_) => "temporarily_unavailable",
            _ => "server_error",
        };
        OAuthError::new(code, e.told())
    }
}

impl From<medley_store::StoreError> for OAuthError {
    fn from(e: medley_store::StoreError) -> Self {
        ServiceError::from(e).into()
    }
}

pub type OAuthResult<T> = Result<T, OAuthError>;

/// How a PKCE verifier is turned into its challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkceMethod {
    S256,
    Plain,
}

impl PkceMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PkceMethod::S256 => "S256",
            PkceMethod::Plain => "plain",
        }
    }

    fn parse(s: &str) -> Option<PkceMethod> {
        match s {
            "S256" => Some(PkceMethod::S256),
            "plain" => Some(PkceMethod::Plain),
            _ => None,
        }
    }

    fn challenge_of(self, verifier: &str) -> String {
        match self {
            PkceMethod::Plain => verifier.to_string(),
            PkceMethod::S256 => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes())),
        }
    }
}

/// RFC 7636's verifier and challenge alphabet and length: 43 to 128 unreserved characters.
fn pkce_shaped(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// What an authorization request asks, as it arrives (`/ap/oa`'s parameters).
#[derive(Clone, Debug, Default)]
pub struct AuthorizeParams {
    pub client_id: String,
    pub redirect_uri: String,
    /// The host (and port) the request was sent to, as its `Host` header says: Medley's own
    /// web player may return to its page there, whatever address it was opened at.
    pub served_at: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// An authorization request that holds: the user may now be asked to consent.
#[derive(Clone, Debug)]
pub struct Authorization {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub challenge: Option<(String, PkceMethod)>,
}

/// The refusals of an authorization request: before the client and its redirect URI are
/// known good, an error page (never a redirect, which would be an open redirect); after, a
/// redirect back to the client with the OAuth error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthorizeError {
    Page(String),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: OAuthError,
    },
}

/// How a client proves itself at the token endpoint (HTTP Basic or body parameters).
#[derive(Clone, Debug, Default)]
pub struct ClientAuth {
    pub client_id: String,
    pub secret: Option<String>,
}

/// A request of the token endpoint.
#[derive(Clone, Debug)]
pub enum TokenGrant {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
    },
    /// A device's poll (code-based linking); LWA sends the user code along.
    DeviceCode {
        device_code: String,
        user_code: Option<String>,
    },
}

/// An app or device linked to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub grant_id: String,
    /// The client's name.
    pub app: String,
    /// The name of this link: the browser it was made in, or the one its user gave it.
    pub label: Option<String>,
    pub scopes: Vec<String>,
    pub created_ms: i64,
}

/// What `/auth/o2/create/codepair` answers a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodePair {
    pub device_code: String,
    pub user_code: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// A user code as typed: case, spaces and dashes aside.
pub fn normalized_user_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

fn user_code() -> String {
    (0..6)
        .map(|_| USER_CODE_LETTERS[rand::random::<usize>() % USER_CODE_LETTERS.len()] as char)
        .collect()
}

/// What the token endpoint answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

fn new_refresh_token() -> String {
    format!("Atzr|{}", random_token(48))
}

/// Space-separated `music::` scopes, each one Medley knows, at least one.
pub fn parse_scopes(scope: Option<&str>) -> OAuthResult<Vec<String>> {
    let mut scopes: Vec<String> = Vec::new();
    for s in scope.unwrap_or("").split_whitespace() {
        if !ALL_SCOPES.contains(&s) {
            return Err(OAuthError::new(
                "invalid_scope",
                format!("unknown scope '{}'", s.escape_debug()),
            ));
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_string());
        }
    }
    if scopes.is_empty() {
        return Err(OAuthError::new(
            "invalid_scope",
            "scope must name at least one music:: scope",
        ));
    }
    Ok(scopes)
}

/// Whether `redirect_uri` is the root page of `host` (the request's own `Host`, so the code
/// goes back to this server, whichever of its addresses the browser used).
fn is_page_at(redirect_uri: &str, host: Option<&str>) -> bool {
    let Some(host) = host.filter(|h| {
        !h.is_empty()
            && !h.contains(|c: char| matches!(c, '/' | '@' | '?' | '#' | '\\') || c.is_whitespace())
    }) else {
        return false;
    };
    ["http", "https"]
        .iter()
        .any(|scheme| redirect_uri == format!("{scheme}://{host}/"))
}

impl Accounts {
    /// The OAuth client `client_id` names, if `redirect_uri` is one it registered (exactly),
    /// or for Medley's own web player, its page on the host the request came to.
    /// Anything else is a page, never a redirect.
    pub async fn oauth_client(
        &self,
        client_id: &str,
        redirect_uri: &str,
        served_at: Option<&str>,
    ) -> Result<Client, String> {
        let client = match self.store.client(client_id).await {
            Ok(Some(c)) if !c.redirect_uris.is_empty() => c,
            Ok(_) => return Err("This application is not one Medley knows.".into()),
            Err(e) => return Err(format!("Medley cannot sign you in now: {e}")),
        };
        let players_page = client_id == super::PLAYER_CLIENT && is_page_at(redirect_uri, served_at);
        if !players_page && !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(
                "The address this application asked to return to is not one it registered.".into(),
            );
        }
        Ok(client)
    }

    /// Checks an authorization request whole.
    pub async fn authorization(
        &self,
        p: &AuthorizeParams,
    ) -> Result<Authorization, AuthorizeError> {
        let client = self
            .oauth_client(&p.client_id, &p.redirect_uri, p.served_at.as_deref())
            .await
            .map_err(AuthorizeError::Page)?;
        let state = p.state.clone().filter(|s| !s.is_empty());
        let refuse = |error: OAuthError| AuthorizeError::Redirect {
            redirect_uri: p.redirect_uri.clone(),
            state: state.clone(),
            error,
        };
        if p.response_type.as_deref() != Some("code") {
            return Err(refuse(OAuthError::new(
                "unsupported_response_type",
                "response_type must be code",
            )));
        }
        if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
            return Err(refuse(OAuthError::request(format!(
                "state is longer than {MAX_STATE} characters"
            ))));
        }
        let scopes = parse_scopes(p.scope.as_deref()).map_err(refuse)?;
        let challenge = match p.code_challenge.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => {
                let method = p.code_challenge_method.as_deref().unwrap_or("plain");
                let method = PkceMethod::parse(method).ok_or_else(|| {
                    refuse(OAuthError::request(
                        "code_challenge_method must be S256 or plain",
                    ))
                })?;
                if !pkce_shaped(c) {
                    return Err(refuse(OAuthError::request(
                        "code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, -, ., _, ~",
                    )));
                }
                Some((c.to_string(), method))
            }
        };
        if challenge.is_none() && client.secret_hash.is_none() {
            return Err(refuse(OAuthError::request(
                "this application has no secret: it must send a PKCE code_challenge",
            )));
        }
        Ok(Authorization {
            client,
            redirect_uri: p.redirect_uri.clone(),
            scopes,
            state,
            challenge,
        })
    }

    /// The user consented in `browser`: a single-use code for the client to exchange.
    pub async fn authorization_code(
        &self,
        a: &Authorization,
        user: &User,
        browser: &Browser,
    ) -> Result<String, ServiceError> {
        let code = format!("ANA{}", random_token(24));
        self.store
            .create_auth_code(&AuthCode {
                hash: hash_token(&code),
                client_key: a.client.api_key.clone(),
                user_id: user.id.clone(),
                redirect_uri: a.redirect_uri.clone(),
                scopes: a.scopes.clone(),
                challenge: a
                    .challenge
                    .as_ref()
                    .map(|(c, m)| (c.clone(), m.as_str().to_string())),
                expires_ms: self.now_ms() + CODE_TTL_MS,
                label: browser.label(),
                browser: browser.cookie.as_deref().map(hash_token),
            })
            .await?;
        Ok(code)
    }

    /// A device asks to be linked: its device code to poll with, and the user code its user
    /// enters at the verification page.
    pub async fn create_code_pair(
        &self,
        client_id: &str,
        scope: Option<&str>,
    ) -> OAuthResult<CodePair> {
        let client = self
            .store
            .client(client_id)
            .await?
            .ok_or_else(|| OAuthError::new("invalid_client", "client_id names no client"))?;
        let scopes = parse_scopes(scope)?;
        let device_code = random_token(32);
        for _ in 0..8 {
            let code = DeviceCode {
                hash: hash_token(&device_code),
                user_code: user_code(),
                client_key: client.api_key.clone(),
                scopes: scopes.clone(),
                expires_ms: self.now_ms() + DEVICE_CODE_TTL_S * 1000,
                interval_s: POLL_INTERVAL_S,
                polled_ms: 0,
                user_id: None,
            };
            if self.store.create_device_code(&code).await? {
                return Ok(CodePair {
                    device_code,
                    user_code: code.user_code,
                    expires_in: DEVICE_CODE_TTL_S,
                    interval: POLL_INTERVAL_S,
                });
            }
        }
        Err(OAuthError::new(
            "server_error",
            "no free user code; try again",
        ))
    }

    /// The client and scopes a user code asks for, while it waits for its user.
    pub async fn pending_device(
        &self,
        typed: &str,
    ) -> Result<Option<(Client, Vec<String>)>, ServiceError> {
        let code = normalized_user_code(typed);
        if code.len() != 6 {
            return Ok(None);
        }
        let Some(d) = self.store.device_code_by_user_code(&code).await? else {
            return Ok(None);
        };
        if d.user_id.is_some() || d.expires_ms <= self.now_ms() {
            return Ok(None);
        }
        Ok(self
            .store
            .client(&d.client_key)
            .await?
            .map(|c| (c, d.scopes)))
    }

    /// The signed-in user approves the device whose code they entered.
    pub async fn approve_device(&self, typed: &str, user: &User) -> Result<bool, ServiceError> {
        if self.pending_device(typed).await?.is_none() {
            return Ok(false);
        }
        Ok(self
            .store
            .approve_device_code(&normalized_user_code(typed), &user.id)
            .await?)
    }

    /// A device's poll: tokens once its user approved, else why not yet.
    async fn device_tokens(
        &self,
        auth: Option<&ClientAuth>,
        device_code: &str,
        user_code: Option<&str>,
    ) -> OAuthResult<Tokens> {
        let now = self.now_ms();
        let unknown = || OAuthError::grant("the device code is unknown or already used");
        let d = self
            .store
            .poll_device_code(&hash_token(device_code), now)
            .await?
            .ok_or_else(unknown)?;
        if auth.is_some_and(|a| a.client_id != d.client_key)
            || user_code.is_some_and(|u| normalized_user_code(u) != d.user_code)
        {
            return Err(unknown());
        }
        if d.expires_ms <= now {
            return Err(OAuthError::new(
                "expired_token",
                "the code expired before its user entered it; ask for a new one",
            ));
        }
        let Some(user_id) = d.user_id else {
            if now - d.polled_ms < d.interval_s * 1000 {
                return Err(OAuthError::new(
                    "slow_down",
                    format!("poll at most every {} seconds", d.interval_s),
                ));
            }
            return Err(OAuthError::new(
                "authorization_pending",
                "the user has not entered the code yet",
            ));
        };
        let refresh = new_refresh_token();
        let grant = GrantRecord {
            id: uuid::Uuid::new_v4().to_string(),
            user_id,
            client_key: d.client_key,
            scopes: d.scopes,
            refresh_hash: Some(hash_token(&refresh)),
            created_ms: now,
            revoked_ms: None,
            label: None,
            browser: None,
        };
        self.link(&grant).await?;
        self.tokens_of(&grant, Some(refresh)).await
    }

    /// The client, if its credentials hold: a confidential client with its secret, a public
    /// one with none.
    async fn token_client(&self, auth: &ClientAuth) -> OAuthResult<Client> {
        let unknown = || OAuthError::new("invalid_client", "client authentication failed");
        let client = self
            .store
            .client(&auth.client_id)
            .await?
            .ok_or_else(unknown)?;
        match (&client.secret_hash, auth.secret.as_deref()) {
            (Some(_), Some(s)) if client_secret_matches(&client, s) => {}
            (None, None) => {}
            _ => return Err(unknown()),
        }
        Ok(client)
    }

    /// The token endpoint (`/auth/o2/token`): a code, a refresh token or a device's code for
    /// tokens. A device's poll may come without the client's credentials (its code names the
    /// client), as LWA takes it; the others need them.
    pub async fn token(&self, auth: Option<&ClientAuth>, grant: TokenGrant) -> OAuthResult<Tokens> {
        let client = match (&grant, auth) {
            (
                TokenGrant::DeviceCode {
                    device_code,
                    user_code,
                },
                auth,
            ) => {
                if let Some(a) = auth {
                    self.token_client(a).await?;
                }
                return self
                    .device_tokens(auth, device_code, user_code.as_deref())
                    .await;
            }
            (_, Some(a)) => self.token_client(a).await?,
            (_, None) => return Err(OAuthError::new("invalid_request", "client_id is required")),
        };
        match grant {
            TokenGrant::DeviceCode { .. } => Err(OAuthError::request("answered above")),
            TokenGrant::AuthorizationCode {
                code,
                redirect_uri,
                verifier,
            } => {
                if client.redirect_uris.is_empty() {
                    return Err(OAuthError::new(
                        "unauthorized_client",
                        "this client has no redirect URI, so it has no codes",
                    ));
                }
                let gone = || OAuthError::grant("the code is unknown, used or expired");
                let c = self
                    .store
                    .take_auth_code(&hash_token(&code))
                    .await?
                    .ok_or_else(gone)?;
                if c.client_key != client.api_key || c.expires_ms <= self.now_ms() {
                    return Err(gone());
                }
                if redirect_uri.as_deref() != Some(c.redirect_uri.as_str()) {
                    return Err(OAuthError::grant(
                        "redirect_uri must be the one the code was issued to",
                    ));
                }
                if let Some((challenge, method)) = &c.challenge {
                    let method = PkceMethod::parse(method).unwrap_or(PkceMethod::S256);
                    let Some(v) = verifier.as_deref() else {
                        return Err(OAuthError::grant("code_verifier is required"));
                    };
                    let ok: bool = method
                        .challenge_of(v)
                        .as_bytes()
                        .ct_eq(challenge.as_bytes())
                        .into();
                    if !pkce_shaped(v) || !ok {
                        return Err(OAuthError::grant(
                            "code_verifier does not match the code_challenge",
                        ));
                    }
                }
                let refresh = new_refresh_token();
                let grant = GrantRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    user_id: c.user_id.clone(),
                    client_key: client.api_key.clone(),
                    scopes: c.scopes.clone(),
                    refresh_hash: Some(hash_token(&refresh)),
                    created_ms: self.now_ms(),
                    revoked_ms: None,
                    label: c.label.clone(),
                    browser: c.browser.clone(),
                };
                self.link(&grant).await?;
                self.tokens_of(&grant, Some(refresh)).await
            }
            TokenGrant::RefreshToken { refresh_token } => {
                self.refreshed(&client, refresh_token).await
            }
        }
    }

    /// Stores a new link; the one the same browser made before ends with it.
    async fn link(&self, grant: &GrantRecord) -> OAuthResult<()> {
        if self.store.create_grant(grant).await? > 0 {
            self.forget_principals();
        }
        Ok(())
    }

    /// Tokens for a refresh token: the same one again for a confidential client, a new one
    /// for a public client, whose presented token is retired (see the module's comment).
    async fn refreshed(&self, client: &Client, presented: String) -> OAuthResult<Tokens> {
        let hash = hash_token(&presented);
        let unknown = || OAuthError::grant("the refresh token is unknown or revoked");
        // A concurrent refresh may rotate the token between the read and the write: read again.
        for _ in 0..3 {
            let now = self.now_ms();
            let (grant, current) = match self.store.grant_by_refresh(&hash).await? {
                Some(g) => (g, hash.clone()),
                None => {
                    let (g, retired_ms) = self
                        .store
                        .grant_by_retired_refresh(&hash)
                        .await?
                        .filter(|(g, _)| g.client_key == client.api_key)
                        .ok_or_else(unknown)?;
                    if now - retired_ms > REFRESH_GRACE_MS {
                        self.store.revoke_grant(&g.user_id, &g.id, now).await?;
                        self.forget_principals();
                        tracing::warn!(
                            link = %g.id,
                            user = %g.user_id,
                            "a replaced refresh token was used again: the link is ended"
                        );
                        return Err(OAuthError::grant(
                            "the refresh token was replaced and used again; the link is ended, \
                             sign in again",
                        ));
                    }
                    let current = g.refresh_hash.clone().ok_or_else(unknown)?;
                    (g, current)
                }
            };
            if grant.client_key != client.api_key {
                return Err(unknown());
            }
            if client.secret_hash.is_some() {
                return self.tokens_of(&grant, Some(presented)).await;
            }
            let next = new_refresh_token();
            let forget_before = now - RETIRED_KEPT_MS;
            let rotated = self
                .store
                .rotate_refresh(&grant.id, &current, &hash_token(&next), now, forget_before)
                .await?;
            if rotated {
                return self.tokens_of(&grant, Some(next)).await;
            }
        }
        Err(unknown())
    }

    async fn tokens_of(&self, g: &GrantRecord, refresh: Option<String>) -> OAuthResult<Tokens> {
        let access_token = self
            .mint_access_token(
                &g.user_id,
                &g.client_key,
                g.scopes.clone(),
                self.access_ttl_secs,
                Some(g.id.clone()),
            )
            .await?;
        Ok(Tokens {
            access_token,
            refresh_token: refresh,
            expires_in: self.access_ttl_secs,
            scopes: g.scopes.clone(),
        })
    }

    /// Token revocation (RFC 7009), as a client signs out: the link a refresh or access token
    /// of this client was issued under ends. A token that is unknown, or another client's, is
    /// let be and answered the same, so the answer tells nothing.
    pub async fn revoke(&self, auth: &ClientAuth, token: &str) -> OAuthResult<()> {
        let client = self.token_client(auth).await?;
        let hash = hash_token(token);
        let grant = match self.store.grant_by_refresh(&hash).await? {
            Some(g) => Some((g.user_id, g.id, g.client_key)),
            None => match self.store.grant_by_retired_refresh(&hash).await? {
                Some((g, _)) => Some((g.user_id, g.id, g.client_key)),
                None => self
                    .store
                    .token(&hash)
                    .await?
                    .and_then(|(t, u)| t.grant_id.map(|g| (u.id, g, t.client_key))),
            },
        };
        if let Some((user, grant, _)) = grant.filter(|(_, _, c)| *c == client.api_key) {
            self.store
                .revoke_grant(&user, &grant, self.now_ms())
                .await?;
            self.forget_principals();
        }
        Ok(())
    }

    /// Gives one of the user's links a name; false if it is not theirs or no longer live.
    pub async fn label_link(
        &self,
        user: &User,
        grant_id: &str,
        typed: &str,
    ) -> Result<bool, ServiceError> {
        let label = given_label(typed).map_err(ServiceError::BadRequest)?;
        Ok(self.store.label_grant(&user.id, grant_id, &label).await?)
    }

    /// The apps and devices linked to the user's account, newest first.
    pub async fn links(&self, user: &User) -> Result<Vec<Link>, ServiceError> {
        let mut out = Vec::new();
        for g in self.store.user_grants(&user.id).await? {
            let app = match self.store.client(&g.client_key).await? {
                Some(c) => c.name,
                None => g.client_key.clone(),
            };
            out.push(Link {
                grant_id: g.id,
                app,
                label: g.label,
                scopes: g.scopes,
                created_ms: g.created_ms,
            });
        }
        Ok(out)
    }

    /// Unlinks one app or device: its refresh token and access tokens end now.
    pub async fn unlink_one(&self, user: &User, grant_id: &str) -> Result<bool, ServiceError> {
        let done = self
            .store
            .revoke_grant(&user.id, grant_id, self.now_ms())
            .await?;
        self.forget_principals();
        Ok(done)
    }

    /// Opens a sign-in to the account page, known to every node: the session cookie's value.
    pub async fn open_account_session(&self, user: &User) -> Result<String, ServiceError> {
        let token = random_token(32);
        let now = self.now_ms();
        self.store
            .open_web_session(&hash_token(&token), &user.id, now, now + ACCOUNT_SESSION_MS)
            .await?;
        Ok(token)
    }

    /// The user an account-page session cookie signs in, while it lasts.
    pub async fn account_session(&self, token: &str) -> Result<Option<User>, ServiceError> {
        let hash = hash_token(token);
        let Some(id) = self.store.web_session(&hash, self.now_ms()).await? else {
            return Ok(None);
        };
        Ok(self.store.user(&id).await?)
    }

    /// Signs out of the account page.
    pub async fn close_account_session(&self, token: &str) -> Result<(), ServiceError> {
        Ok(self.store.close_web_session(&hash_token(token)).await?)
    }

    /// Unlinks: revokes the user's grants (of one client, or all), their refresh tokens and
    /// the user's access tokens of those clients, from the next request on.
    pub async fn unlink(
        &self,
        user: &UserId,
        client_key: Option<&str>,
    ) -> Result<u64, ServiceError> {
        if self.store.user(user).await?.is_none() {
            return Err(crate::error::not_found(user));
        }
        let n = self
            .store
            .revoke_grants(user, client_key, self.now_ms())
            .await?;
        self.forget_principals();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenges_are_rfc_7636s() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            PkceMethod::S256.challenge_of(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(PkceMethod::Plain.challenge_of(verifier), verifier);
        assert!(pkce_shaped(verifier));
        assert!(!pkce_shaped("short"));
        assert!(!pkce_shaped(&"a".repeat(129)));
        assert!(!pkce_shaped(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn scopes_are_music_scopes_space_separated() {
        assert_eq!(
            parse_scopes(Some("music::playback  music::catalog music::playback")).unwrap(),
            ["music::playback", "music::catalog"]
        );
        for bad in [
            None,
            Some(""),
            Some("profile"),
            Some("music::catalog alexa:all"),
        ] {
            assert_eq!(
                parse_scopes(bad).unwrap_err().code,
                "invalid_scope",
                "{bad:?}"
            );
        }
    }
}
