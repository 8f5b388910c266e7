//! User V1.0: the current user and other users' profiles.

use axum::extract::State;
use axum::Json;
use medley_core::ids::UserId;
use medley_core::policy::Tier;
use medley_service::accounts::profiles::{Profile, ProfileUpdate, Visibility};
use medley_service::accounts::Accounts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::shapes::{Data, Image};
use crate::body::Body;
use crate::extract::{Caller, IdPath};
use crate::fields::Name;
use crate::params::{id_list, NoQuery, Query};
use crate::urls::Urls;
use crate::ApiError;

/// A user's profile. Someone else's private profile shows only `id`, `visibility` and `url`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = User)]
pub struct UserProfile {
    id: String,
    name: Option<String>,
    /// Medley keeps no profile pictures.
    images: Vec<Image>,
    /// `UNLIMITED`, `PRIME` or `FREE`.
    tier: Option<&'static str>,
    visibility: VisibilityField,
    playback_visibility: Option<VisibilityField>,
    url: String,
}

impl UserProfile {
    fn of(urls: &Urls, p: Profile) -> UserProfile {
        UserProfile {
            url: urls.item("users", p.id.as_str()),
            id: p.id.into_string(),
            name: p.name,
            images: Vec::new(),
            tier: p.tier.map(|t| match t {
                Tier::Unlimited => "UNLIMITED",
                Tier::Prime => "PRIME",
                Tier::Free => "FREE",
            }),
            visibility: p.visibility.into(),
            playback_visibility: p.playback_visibility.map(Into::into),
        }
    }
}

#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = Visibility)]
pub enum VisibilityField {
    Public,
    Private,
}

impl From<Visibility> for VisibilityField {
    fn from(v: Visibility) -> Self {
        match v {
            Visibility::Public => VisibilityField::Public,
            Visibility::Private => VisibilityField::Private,
        }
    }
}

impl From<VisibilityField> for Visibility {
    fn from(v: VisibilityField) -> Self {
        match v {
            VisibilityField::Public => Visibility::Public,
            VisibilityField::Private => Visibility::Private,
        }
    }
}

/// `{"user": …}`.
#[derive(Serialize, ToSchema)]
pub struct UserAnswer {
    user: UserProfile,
}

/// `{"updateUser": …}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserAnswer {
    update_user: UserProfile,
}

/// `{"users": […]}`.
#[derive(Serialize, ToSchema)]
pub struct UsersAnswer {
    users: Vec<UserProfile>,
}

/// Update Current User: all three fields are required.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUser {
    #[schema(inline)]
    name: Name<200>,
    visibility: VisibilityField,
    playback_visibility: VisibilityField,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdsQuery {
    /// Comma-separated user ids, at most 100; unknown ones are left out.
    #[param(pattern = "[^,\\s]")]
    ids: String,
}

/// Get current user
#[utoipa::path(get, path = "/v1/me", tag = "Users", operation_id = "users_me",
    security(("bearer" = ["music::profile"], "apiKey" = [])),
    responses((status = 200, description = "The caller's profile", body = Data<UserAnswer>)))]
pub async fn me(
    State(m): State<Accounts>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
) -> Result<Json<Data<UserAnswer>>, ApiError> {
    let user = UserProfile::of(&urls, m.me(&p).await?);
    Ok(Json(Data {
        data: UserAnswer { user },
    }))
}

/// Update current user
#[utoipa::path(put, path = "/v1/me", tag = "Users", operation_id = "users_update_me",
    security(("bearer" = ["music::profile"], "apiKey" = [])),
    request_body = UpdateUser,
    responses((status = 200, description = "The caller's profile after the change", body = Data<UpdateUserAnswer>)))]
pub async fn update_me(
    State(m): State<Accounts>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    Body(body): Body<UpdateUser>,
) -> Result<Json<Data<UpdateUserAnswer>>, ApiError> {
    let update = ProfileUpdate {
        name: &body.name.0,
        visibility: body.visibility.into(),
        playback_visibility: body.playback_visibility.into(),
    };
    let update_user = UserProfile::of(&urls, m.update_me(&p, &update).await?);
    Ok(Json(Data {
        data: UpdateUserAnswer { update_user },
    }))
}

/// Get user
#[utoipa::path(get, path = "/v1/users/{id}", tag = "Users", operation_id = "users_user",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdPath<UserId>),
    responses((status = 200, description = "The user's profile, as far as its privacy shows it", body = Data<UserAnswer>)))]
pub async fn user(
    State(m): State<Accounts>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    IdPath(id): IdPath<UserId>,
) -> Result<Json<Data<UserAnswer>>, ApiError> {
    let user = UserProfile::of(&urls, m.user_profile(&p, &id).await?);
    Ok(Json(Data {
        data: UserAnswer { user },
    }))
}

/// Get multiple users
#[utoipa::path(get, path = "/v1/users", tag = "Users", operation_id = "users_users",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(IdsQuery),
    responses((status = 200, description = "The users found, in the order asked", body = Data<UsersAnswer>)))]
pub async fn users(
    State(m): State<Accounts>,
    urls: Urls,
    Caller(p): Caller,
    Query(q): Query<IdsQuery>,
) -> Result<Json<Data<UsersAnswer>>, ApiError> {
    let users = m
        .user_profiles(&p, &id_list::<UserId>("ids", &q.ids)?)
        .await?
        .into_iter()
        .map(|u| UserProfile::of(&urls, u))
        .collect();
    Ok(Json(Data {
        data: UsersAnswer { users },
    }))
}
