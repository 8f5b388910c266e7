//! Users, client applications (security profiles) and access tokens.
//!
//! Tokens are random, shown once, and stored as their SHA-256; each carries its client, scopes
//! and expiry. A request must present the token and the `x-api-key` of the client it was issued to.

pub mod browser;
pub mod credentials;
pub mod lockout;
pub mod oauth;
pub mod profiles;
pub(crate) mod throttle;

use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::Arc;

use base64::Engine;
use medley_core::ids::UserId;
use medley_core::policy::Tier;
pub use medley_store::User;
use medley_store::{Client, Store, TokenRecord, Visibility};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::cache::TtlCache;
use crate::signals::{tell_others, Signal};
use crate::{Clock, ServiceError, ServiceResult};

/// How often a process looks whether another revoked tokens (`medley token revoke` beside a
/// running server): a revocation is honoured within this, whatever `cache_ttl_ms` is.
pub const REVOCATION_CHECK_MS: i64 = 1000;

/// The accounts context: users, clients, tokens and who a request's token is, sign-in and
/// OAuth, rate limits. It holds only what those need.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Where the web player's page is (its client signs in back to it).
    public_url: Arc<str>,
    /// Seconds an access token of the token endpoint lasts.
    access_ttl_secs: i64,
    /// Token → the principal it authenticates (expiry is still checked on every use).
    principals: Arc<TtlCache<String, (Principal, i64)>>,
    throttle: Arc<throttle::Throttle>,
    /// When the store's revocation mark was last read, and what it was.
    revocations: Arc<(AtomicI64, AtomicI64)>,
}

/// Every scope Medley knows; a token issued without `--scopes` gets them all.
pub const ALL_SCOPES: &[&str] = &[
    "music::playback",
    "music::profile",
    "music::profile:read",
    "music::favorites",
    "music::favorites:read",
    "music::history",
    "music::catalog",
    "music::library",
    "music::library:read",
];

/// The caller of a request, once its token and api key check out.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    pub client_key: String,
    pub scopes: Vec<String>,
}

impl Principal {
    /// Whether this caller sees `u`'s profile details: their own, or a public profile.
    pub fn may_see(&self, u: &User) -> bool {
        u.id == self.user.id || u.visibility == Visibility::Public
    }

    /// The token holds `scope`; a scope also grants its `:read` form (`music::library` reads
    /// what `music::library:read` does).
    pub fn require_scope(&self, scope: &str) -> ServiceResult<()> {
        let read_of = scope.strip_suffix(":read");
        if self
            .scopes
            .iter()
            .any(|s| s == scope || Some(s.as_str()) == read_of)
        {
            Ok(())
        } else {
            Err(ServiceError::AccessDenied(format!(
                "the access token lacks the scope {scope}"
            )))
        }
    }
}

pub struct NewUser {
    pub name: String,
    pub tier: Tier,
    pub max_streams: u32,
    pub visibility: Visibility,
    pub playback_visibility: Visibility,
    /// Runs the house (the admin page).
    pub admin: bool,
}

/// A client application to register (`medley client add`).
#[derive(Clone, Debug, Default)]
pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Whether it keeps a secret (a server, as Alexa's account linking is); apps that run on
    /// the user's device cannot, and use PKCE alone.
    pub confidential: bool,
}

/// The web player's client id: a public OAuth client whose redirect URI is the player's page.
pub const PLAYER_CLIENT: &str = "amzn1.application-oa2-client.medleyplayer";

/// Most redirect URIs one client registers.
pub const MAX_REDIRECT_URIS: usize = 20;

/// Why `uri` cannot be a redirect URI: it must be absolute, without a fragment, and https,
/// http to this machine (an app on the developer's machine), or an app's own reverse-DNS
/// scheme (`com.example.app:/callback`, as native apps register).
pub fn redirect_uri_refusal(uri: &str) -> Option<String> {
    let bad = |why: &str| Some(format!("redirect URI '{}': {why}", uri.escape_debug()));
    if uri.len() > 2000 {
        return bad("longer than 2000 characters");
    }
    let Ok(url) = url::Url::parse(uri) else {
        return bad("not an absolute URI");
    };
    if url.fragment().is_some() {
        return bad("a redirect URI has no fragment");
    }
    let loopback = matches!(
        url.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match url.scheme() {
        "https" if url.host().is_some() => None,
        "http" if loopback => None,
        "http" => bad("http is for this machine only (localhost, 127.0.0.1, [::1]); use https"),
        s if s.contains('.') => None,
        _ => bad("the scheme must be https, http to localhost, or an app's reverse-DNS scheme"),
    }
}

/// A random secret of 32 bytes, base64url (a CSRF token, say).
pub fn random_secret() -> String {
    random_token(32)
}

pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_max_streams(n: u32) -> ServiceResult<()> {
    if n == 0 || n > 100 {
        return Err(ServiceError::BadRequest(
            "max-streams must be between 1 and 100".into(),
        ));
    }
    Ok(())
}

impl Accounts {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: &crate::Settings,
    ) -> Accounts {
        Accounts {
            store,
            clock,
            public_url: settings.public_url.as_str().into(),
            access_ttl_secs: settings.access_token_secs,
            principals: Arc::new(TtlCache::new(settings.cache_ttl_ms, 100_000)),
            throttle: Arc::new(throttle::Throttle::new(settings.rate_limit_per_sec)),
            revocations: Arc::new((AtomicI64::new(i64::MIN), AtomicI64::new(-1))),
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The public URL Medley answers at (a cookie is Secure behind https).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// At most once a `REVOCATION_CHECK_MS`, reads the store's revocation mark and drops the
    /// cached principals if any process revoked some since.
    async fn notice_revocations(&self, now: i64) -> ServiceResult<()> {
        let (checked_ms, mark) = &*self.revocations;
        let last = checked_ms.load(SeqCst);
        if now.saturating_sub(last) < REVOCATION_CHECK_MS
            || checked_ms
                .compare_exchange(last, now, SeqCst, SeqCst)
                .is_err()
        {
            return Ok(());
        }
        let now_mark = self.store.revocation_mark().await?;
        if mark.swap(now_mark, SeqCst) != now_mark {
            self.drop_principals();
        }
        Ok(())
    }

    /// Drops this node's cached principals.
    pub(crate) fn drop_principals(&self) {
        self.principals.clear();
    }

    /// Drops cached principals here and on the other nodes, after a user, tier or token
    /// changed.
    pub(crate) fn forget_principals(&self) {
        self.drop_principals();
        tell_others(&*self.store, || Signal::Principals);
    }

    pub async fn add_user(&self, new: NewUser) -> ServiceResult<User> {
        let name =
            medley_core::text::name("name", &new.name, 200).map_err(ServiceError::BadRequest)?;
        let name = name.as_str();
        check_max_streams(new.max_streams)?;
        let user = User {
            id: UserId::stored(format!(
                "A{}",
                &uuid::Uuid::new_v4().simple().to_string()[..13].to_uppercase()
            )),
            name: name.to_string(),
            tier: new.tier,
            max_streams: new.max_streams,
            visibility: new.visibility,
            playback_visibility: new.playback_visibility,
            created_ms: self.now_ms(),
            admin: new.admin,
        };
        self.store.create_user(&user).await?;
        Ok(user)
    }

    /// Creates a user who signs in with `password`; refused before anything is stored when
    /// the password will not do or another user signs in with that name.
    pub async fn add_user_signing_in(&self, new: NewUser, password: &str) -> ServiceResult<User> {
        if let Some(why) = credentials::password_refusal(password) {
            return Err(ServiceError::BadRequest(why));
        }
        let name = new.name.trim().to_lowercase();
        let namesakes = self.store.sign_in_candidates(&name).await?;
        if namesakes.iter().any(|(o, _)| o.name.to_lowercase() == name) {
            return Err(ServiceError::BadRequest(format!(
                "another user signs in as '{}': choose another name",
                new.name.trim()
            )));
        }
        let user = self.add_user(new).await?;
        self.set_password(&user.id, password).await?;
        Ok(user)
    }

    /// Makes a user an admin, or no longer one.
    pub async fn set_admin(&self, user: &UserId, admin: bool) -> ServiceResult<()> {
        if !self.store.set_admin(user, admin).await? {
            return Err(crate::error::not_found(user));
        }
        self.forget_principals();
        Ok(())
    }

    /// The user `login` names: the one whose id it is, else the only one with that name (case
    /// aside).
    pub async fn find_user(&self, login: &str) -> ServiceResult<User> {
        let login = login.trim();
        let found = self.store.users_called(login).await?;
        let mut found = credentials::named(found, login, |u| u);
        match found.len() {
            0 => Err(ServiceError::NotFound(format!("no user '{login}'"))),
            1 => Ok(found.remove(0)),
            _ => {
                let ids: Vec<&str> = found.iter().map(|u| u.id.as_str()).collect();
                Err(ServiceError::BadRequest(format!(
                    "{} users are named '{login}' ({}): name one by its id",
                    ids.len(),
                    ids.join(", ")
                )))
            }
        }
    }

    /// Every user, by name (case aside), then id.
    pub async fn all_users(&self) -> ServiceResult<Vec<User>> {
        const PAGE: u32 = 500;
        let mut all: Vec<User> = Vec::new();
        loop {
            let after = all.last().map(|u| u.id.clone());
            let page = self.store.users_after(after.as_ref(), PAGE).await?;
            let full = page.len() == PAGE as usize;
            all.extend(page);
            if !full {
                break;
            }
        }
        all.sort_by_cached_key(|u| (u.name.to_lowercase(), u.id.clone()));
        Ok(all)
    }

    /// Changes a user's tier and how many streams they may play at once (`None` keeps it),
    /// from their next request on, on every node.
    pub async fn set_plan(
        &self,
        user: &UserId,
        tier: Tier,
        max_streams: Option<u32>,
    ) -> ServiceResult<User> {
        let Some(u) = self.store.user(user).await? else {
            return Err(crate::error::not_found(user));
        };
        let max_streams = max_streams.unwrap_or(u.max_streams);
        check_max_streams(max_streams)?;
        if !self.store.set_plan(user, tier, max_streams).await? {
            return Err(crate::error::not_found(user));
        }
        self.forget_principals();
        Ok(User {
            tier,
            max_streams,
            ..u
        })
    }

    /// Registers a client application. With redirect URIs it is an OAuth client, and a
    /// confidential one gets a secret: answered here once, stored only as its hash.
    pub async fn add_client(&self, new: NewClient) -> ServiceResult<(Client, Option<String>)> {
        let name =
            medley_core::text::name("name", &new.name, 200).map_err(ServiceError::BadRequest)?;
        let name = name.as_str();
        if new.redirect_uris.len() > MAX_REDIRECT_URIS {
            return Err(ServiceError::BadRequest(format!(
                "a client has at most {MAX_REDIRECT_URIS} redirect URIs"
            )));
        }
        for uri in &new.redirect_uris {
            if let Some(why) = redirect_uri_refusal(uri) {
                return Err(ServiceError::BadRequest(why));
            }
        }
        if new.confidential && new.redirect_uris.is_empty() {
            return Err(ServiceError::BadRequest(
                "a confidential client signs users in: give it a redirect URI".into(),
            ));
        }
        let secret = new.confidential.then(|| random_token(32));
        let client = Client {
            api_key: format!(
                "amzn1.application-oa2-client.{}",
                uuid::Uuid::new_v4().simple()
            ),
            name: name.to_string(),
            created_ms: self.now_ms(),
            redirect_uris: new.redirect_uris,
            secret_hash: secret.as_deref().map(hash_token),
        };
        self.store.create_client(&client).await?;
        Ok((client, secret))
    }

    /// Registers the web player as a public client signing in back to its page at the public
    /// URL, or points it there when the public URL changed.
    pub async fn ensure_player_client(&self) -> ServiceResult<()> {
        let page = vec![format!("{}/", self.public_url.trim_end_matches('/'))];
        for _ in 0..2 {
            match self.store.client(PLAYER_CLIENT).await? {
                Some(c) if c.redirect_uris == page => return Ok(()),
                Some(_) => {
                    self.store.set_redirect_uris(PLAYER_CLIENT, &page).await?;
                    return Ok(());
                }
                None => {
                    let client = Client {
                        api_key: PLAYER_CLIENT.into(),
                        name: "Medley web player".into(),
                        created_ms: self.now_ms(),
                        redirect_uris: page.clone(),
                        secret_hash: None,
                    };
                    // Another process may register it at the same moment: read again.
                    if self.store.create_client(&client).await.is_ok() {
                        return Ok(());
                    }
                }
            }
        }
        Err(ServiceError::Internal(
            "the web player's client could not be registered".into(),
        ))
    }

    /// Issues a token for `user_id` through client `client_key`; returns the token itself.
    pub async fn issue_token(
        &self,
        user_id: &UserId,
        client_key: &str,
        scopes: Option<Vec<String>>,
        ttl_secs: i64,
    ) -> ServiceResult<String> {
        if self.store.user(user_id).await?.is_none() {
            return Err(crate::error::not_found(user_id));
        }
        if self.store.client(client_key).await?.is_none() {
            return Err(ServiceError::NotFound(format!("no client '{client_key}'")));
        }
        if ttl_secs <= 0 {
            return Err(ServiceError::BadRequest("ttl must be positive".into()));
        }
        let scopes = match scopes {
            None => ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
            Some(list) => {
                if let Some(bad) = list.iter().find(|s| !ALL_SCOPES.contains(&s.as_str())) {
                    return Err(ServiceError::BadRequest(format!("unknown scope '{bad}'")));
                }
                list
            }
        };
        self.mint_access_token(user_id, client_key, scopes, ttl_secs, None)
            .await
    }

    /// A new access token (`Atza|…`), stored as its hash; under `grant_id` when a link
    /// issued it.
    pub(crate) async fn mint_access_token(
        &self,
        user_id: &UserId,
        client_key: &str,
        scopes: Vec<String>,
        ttl_secs: i64,
        grant_id: Option<String>,
    ) -> ServiceResult<String> {
        let token = format!("Atza|{}", random_token(32));
        let now = self.now_ms();
        self.store
            .insert_token(&TokenRecord {
                hash: hash_token(&token),
                user_id: user_id.clone(),
                client_key: client_key.to_string(),
                scopes,
                expires_ms: now.saturating_add(ttl_secs.saturating_mul(1000)),
                created_ms: now,
                grant_id,
            })
            .await?;
        Ok(token)
    }

    /// The principal of an access token presented with a client's api key: the token's, when
    /// it was issued to that client (docs/api.md, "Headers").
    pub async fn authenticate(
        &self,
        token: &str,
        api_key: Option<&str>,
    ) -> ServiceResult<Principal> {
        let principal = self.principal_for_token(token).await?;
        match api_key.map(str::trim) {
            Some(k) if k == principal.client_key => Ok(principal),
            Some(_) => Err(ServiceError::unauthorized(
                "INVALID_API_KEY",
                "x-api-key does not name the client this token was issued to.",
            )),
            None => Err(ServiceError::unauthorized(
                "INVALID_API_KEY",
                "The x-api-key header is required.",
            )),
        }
    }

    /// The principal of a bare access token (as Alexa sends it, without an api key): known,
    /// not expired, within its rate limit.
    pub async fn principal_for_token(&self, token: &str) -> ServiceResult<Principal> {
        if token.is_empty() {
            return Err(ServiceError::unauthorized(
                "INVALID_AUTH_TOKEN",
                "Bearer token empty.",
            ));
        }
        let now = self.now_ms();
        self.notice_revocations(now).await?;
        let (principal, expires_ms) = match self.principals.get(&token.to_string(), now) {
            Some(hit) => hit,
            None => {
                let Some((record, user)) = self.store.token(&hash_token(token)).await? else {
                    return Err(ServiceError::unauthorized(
                        "INVALID_AUTH_TOKEN",
                        "Bearer token is not valid.",
                    ));
                };
                let entry = (
                    Principal {
                        user,
                        client_key: record.client_key,
                        scopes: record.scopes,
                    },
                    record.expires_ms,
                );
                self.principals
                    .insert(token.to_string(), entry.clone(), now);
                entry
            }
        };
        if expires_ms <= now {
            return Err(ServiceError::unauthorized(
                "INVALID_ACCESS_TOKEN",
                "The access token has expired.",
            ));
        }
        self.throttle
            .take(token, now)
            .map_err(|retry_after_secs| ServiceError::Throttled { retry_after_secs })?;
        Ok(principal)
    }
}
