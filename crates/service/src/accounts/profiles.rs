//! User profiles (User V1): the current user, updating it, and other users, whose
//! details stay hidden when their profile is private.

use medley_core::ids::UserId;
use medley_core::policy::Tier;
use medley_store::User;
pub use medley_store::Visibility;

use super::Accounts;
use crate::accounts::Principal;
use crate::error::not_found;
use crate::{ServiceError, ServiceResult};

/// A user as the viewer may see them: a private profile of someone else shows only its id and
/// visibility.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub id: UserId,
    pub name: Option<String>,
    pub tier: Option<Tier>,
    pub visibility: Visibility,
    pub playback_visibility: Option<Visibility>,
}

/// What `PUT /v1/me` sets: all three are required.
#[derive(Clone, Debug)]
pub struct ProfileUpdate<'a> {
    pub name: &'a str,
    pub visibility: Visibility,
    pub playback_visibility: Visibility,
}

impl Accounts {
    /// A user as `viewer` may see them: everything for themselves or a public profile; only
    /// id, link and visibility for someone else's private one.
    fn profile(&self, u: &User, viewer: &Principal) -> Profile {
        let shown = viewer.may_see(u);
        Profile {
            id: u.id.clone(),
            name: shown.then(|| u.name.clone()),
            tier: shown.then_some(u.tier),
            visibility: u.visibility,
            playback_visibility: shown.then_some(u.playback_visibility),
        }
    }

    /// `GET /v1/me`.
    pub async fn me(&self, p: &Principal) -> ServiceResult<Profile> {
        Ok(self.profile(&p.user, p))
    }

    /// `PUT /v1/me`. The spec lists a read scope for it; writing needs `music::profile`.
    pub async fn update_me(&self, p: &Principal, u: &ProfileUpdate<'_>) -> ServiceResult<Profile> {
        let name =
            medley_core::text::name("name", u.name, 200).map_err(ServiceError::BadRequest)?;
        let name = name.as_str();
        let (visibility, playback) = (u.visibility, u.playback_visibility);
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
        Ok(self.profile(&user, p))
    }

    /// `GET /v1/users/{id}`.
    pub async fn user_profile(&self, p: &Principal, id: &UserId) -> ServiceResult<Profile> {
        let user = self.store.user(id).await?.ok_or_else(|| not_found(id))?;
        Ok(self.profile(&user, p))
    }

    /// `GET /v1/users?ids=`: in the order asked, unknown ids left out.
    pub async fn user_profiles(
        &self,
        p: &Principal,
        ids: &[UserId],
    ) -> ServiceResult<Vec<Profile>> {
        let users = self.store.users(ids).await?;
        Ok(users.iter().map(|u| self.profile(u, p)).collect())
    }
}
