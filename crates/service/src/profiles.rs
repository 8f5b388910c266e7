//! User profiles (User V1): the current user, updating it, and other users, whose
//! details stay hidden when their profile is private.

use medley_store::{User, Visibility};
use serde::Serialize;

use crate::accounts::Principal;
use crate::{Medley, ServiceError, ServiceResult};

/// Most ids `GET /v1/users?ids=` takes.
pub const MAX_USER_IDS: usize = 100;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserJson {
    pub id: String,
    pub name: Option<String>,
    /// Medley keeps no profile pictures yet.
    pub images: Vec<serde_json::Value>,
    pub tier: Option<&'static str>,
    pub visibility: &'static str,
    pub playback_visibility: Option<&'static str>,
    pub url: String,
}

fn parse_visibility(body: &serde_json::Value, key: &str) -> ServiceResult<Visibility> {
    match body.get(key).and_then(|v| v.as_str()) {
        Some("PUBLIC") => Ok(Visibility::Public),
        Some("PRIVATE") => Ok(Visibility::Private),
        _ => Err(ServiceError::BadRequest(format!(
            "{key} is required and must be 'PUBLIC' or 'PRIVATE'"
        ))),
    }
}

impl Medley {
    /// A user as `viewer` may see them: everything for themselves or a public profile; only
    /// id, link and visibility for someone else's private one.
    fn user_json(&self, u: &User, viewer: &Principal) -> UserJson {
        let shown = viewer.may_see(u);
        UserJson {
            id: u.id.clone(),
            name: shown.then(|| u.name.clone()),
            images: Vec::new(),
            tier: shown.then(|| u.tier.as_str()),
            visibility: u.visibility.as_str(),
            playback_visibility: shown.then(|| u.playback_visibility.as_str()),
            url: self.user_url(&u.id),
        }
    }

    /// `GET /v1/me`.
    pub async fn me(&self, p: &Principal) -> ServiceResult<UserJson> {
        p.require_scope("music::profile")?;
        Ok(self.user_json(&p.user, p))
    }

    /// `PUT /v1/me`: name, visibility and playbackVisibility, all required. The spec lists a
    /// read scope for it; writing needs `music::profile`.
    pub async fn update_me(
        &self,
        p: &Principal,
        body: &serde_json::Value,
    ) -> ServiceResult<UserJson> {
        p.require_scope("music::profile")?;
        let name = match body.get("name").and_then(|v| v.as_str()).map(str::trim) {
            Some(n) if !n.is_empty() => {
                if let Some(why) = medley_core::text::refusal("name", n, 200, false) {
                    return Err(ServiceError::BadRequest(why));
                }
                n
            }
            _ => {
                return Err(ServiceError::BadRequest(
                    "name is required: 1 to 200 characters".into(),
                ))
            }
        };
        let visibility = parse_visibility(body, "visibility")?;
        let playback = parse_visibility(body, "playbackVisibility")?;
        if !self
            .store
            .update_profile(&p.user.id, name, visibility, playback)
            .await?
        {
            return Err(ServiceError::NotFound(
                "the current user no longer exists".into(),
            ));
        }
        self.forget_principals();
        let user =
            self.store.user(&p.user.id).await?.ok_or_else(|| {
                ServiceError::NotFound("the current user no longer exists".into())
            })?;
        Ok(self.user_json(&user, p))
    }

    /// `GET /v1/users/{id}`.
    pub async fn user_profile(&self, p: &Principal, id: &str) -> ServiceResult<UserJson> {
        p.require_scope("music::catalog")?;
        let user = self
            .store
            .user(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no user '{id}'")))?;
        Ok(self.user_json(&user, p))
    }

    /// `GET /v1/users?ids=`: in the order asked, unknown ids left out.
    pub async fn user_profiles(&self, p: &Principal, ids: &str) -> ServiceResult<Vec<UserJson>> {
        p.require_scope("music::catalog")?;
        let ids = crate::paging::comma_list(Some(ids));
        if ids.is_empty() || ids.len() > MAX_USER_IDS {
            return Err(ServiceError::BadRequest(format!(
                "ids must list 1 to {MAX_USER_IDS} user ids, comma-separated"
            )));
        }
        let users = self.store.users(&ids).await?;
        Ok(users.iter().map(|u| self.user_json(u, p)).collect())
    }
}
