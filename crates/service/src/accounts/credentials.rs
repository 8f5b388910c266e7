//! Sign-in credentials: users' passwords (argon2id) and confidential clients' secrets (random,
//! stored as their SHA-256), set and checked. Every check takes the same path whether or not
//! the account exists, so a refusal tells nothing about which part was wrong.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use medley_core::ids::UserId;
use medley_store::{Client, User};
use subtle::ConstantTimeEq;

use super::Accounts;
use crate::accounts::hash_token;
use crate::error::not_found;
use crate::{ServiceError, ServiceResult};

/// Fewest characters a password has.
pub const MIN_PASSWORD: usize = 8;
/// Most characters a password has (argon2 hashes any length; a bound keeps forms honest).
pub const MAX_PASSWORD: usize = 256;

/// Why `password` cannot be one, if it cannot.
pub fn password_refusal(password: &str) -> Option<String> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Some(format!(
            "a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters, not {n}"
        ));
    }
    if password.chars().any(char::is_control) {
        return Some("a password has no control characters".into());
    }
    None
}

fn hash_password(password: &str) -> ServiceResult<String> {
    let bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| ServiceError::Internal(format!("cannot make a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash no password was set with: checked when the login names nobody, so that an unknown
/// login costs what a wrong password does.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("not anyone's password").unwrap_or_default())
}

/// Argon2 is built to be slow: it runs off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(format!("the password check stopped: {e}")))
}

/// Whether `secret` is the confidential client's, compared in constant time; a public client
/// has none to match.
pub fn client_secret_matches(client: &Client, secret: &str) -> bool {
    client
        .secret_hash
        .as_deref()
        .is_some_and(|h| bool::from(h.as_bytes().ct_eq(hash_token(secret).as_bytes())))
}

/// What a sign-in attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    User(User),
    /// The name and password do not match (whichever part was wrong).
    Wrong,
    /// Too many failures of this account or from this address; the password was not looked at.
    Locked {
        retry_after_secs: u64,
    },
}

impl Accounts {
    /// A sign-in attempt from `address` (the client's IP, where known), counted against the
    /// account's and the address's failures (`lockout`).
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        address: Option<&str>,
    ) -> ServiceResult<SignIn> {
        let now = self.now_ms();
        if let Err(retry_after_secs) = self.locked_out(login, address, now).await? {
            return Ok(SignIn::Locked { retry_after_secs });
        }
        Ok(match self.check_password(login, password).await? {
            Some(u) => {
                self.sign_in_succeeded(login).await?;
                SignIn::User(u)
            }
            None => {
                self.sign_in_failed(login, address, now).await?;
                SignIn::Wrong
            }
        })
    }

    /// Sets the password a user signs in with.
    pub async fn set_password(&self, user: &UserId, password: &str) -> ServiceResult<()> {
        if let Some(why) = password_refusal(password) {
            return Err(ServiceError::BadRequest(why));
        }
        let Some(u) = self.store.user(user).await? else {
            return Err(not_found(user));
        };
        let namesakes = self.store.sign_in_candidates(&u.name).await?;
        if namesakes
            .iter()
            .any(|(o, _)| o.id != u.id && o.name.to_lowercase() == u.name.to_lowercase())
        {
            return Err(ServiceError::BadRequest(format!(
                "another user who signs in is named '{}': rename one of them first",
                u.name
            )));
        }
        let password = password.to_string();
        let hash = blocking(move || hash_password(&password)).await??;
        if !self.store.set_password(user, &hash).await? {
            return Err(not_found(user));
        }
        Ok(())
    }

    /// The user `login` (their id, or their name if no one else who can sign in has it) and
    /// `password` sign in, or `None`: for an unknown login, a user without a password, a
    /// shared name and a wrong password alike.
    pub async fn check_password(&self, login: &str, password: &str) -> ServiceResult<Option<User>> {
        let login = login.trim();
        let found = if login.is_empty() {
            Vec::new()
        } else {
            self.store.sign_in_candidates(login).await?
        };
        // A name signs in only the one user who has it.
        let mut found = named(found, login, |(u, _)| u);
        let only = if found.len() == 1 { found.pop() } else { None };
        let (user, phc) = match only {
            Some((u, h)) => (Some(u), h),
            None => (None, decoy_hash().to_string()),
        };
        let password = password.to_string();
        let ok = blocking(move || password_matches(&password, &phc)).await?;
        Ok(user.filter(|_| ok))
    }
}

/// Of the users a login found (by id, or by name case aside), the ones it names: the one whose
/// id it is, else every one who has that name.
pub(crate) fn named<T>(mut found: Vec<T>, login: &str, user: impl Fn(&T) -> &User) -> Vec<T> {
    match found.iter().position(|f| user(f).id.as_str() == login) {
        Some(i) => vec![found.swap_remove(i)],
        None => found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_bounded_and_hashed_with_argon2id() {
        assert!(password_refusal("short").is_some());
        assert!(password_refusal(&"x".repeat(MAX_PASSWORD + 1)).is_some());
        assert!(password_refusal("tab\there!").is_some());
        assert!(password_refusal("correct horse").is_none());
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(password_matches("correct horse", &h));
        assert!(!password_matches("correct horsE", &h));
        assert!(!password_matches("correct horse", "not a hash"));
        assert_ne!(h, hash_password("correct horse").unwrap(), "salted");
    }

    #[test]
    fn a_client_secret_matches_only_its_own_hash() {
        let mut c = Client {
            api_key: "k".into(),
            name: "n".into(),
            created_ms: 0,
            redirect_uris: vec![],
            secret_hash: None,
        };
        assert!(!client_secret_matches(&c, ""));
        c.secret_hash = Some(hash_token("s3cret"));
        assert!(client_secret_matches(&c, "s3cret"));
        assert!(!client_secret_matches(&c, "s3cre"));
    }
}
