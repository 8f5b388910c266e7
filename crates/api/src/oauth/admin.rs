//! `/account/admin`: the admin's page of the house, behind the account page's sign-in: the
//! users (add one, reset a password, set a tier) and the music folders (how their scans stand,
//! rescan now).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use medley_core::policy::Tier;
use medley_service::accounts::profiles::Visibility;
use medley_service::accounts::{NewUser, User};
use medley_service::{Medley, ServiceError};
use serde::Deserialize;
use utoipa::ToSchema;

use super::account::signed_in;
use super::{csrf_holds, forged, page, with_csrf};

const PAGE: &str = "/account/admin";

/// The admin page's forms.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AdminForm {
    csrf: Option<String>,
    /// The user a form changes (their id).
    user: Option<String>,
    /// A new user's name.
    name: Option<String>,
    password: Option<String>,
    /// `UNLIMITED`, `PRIME` or `FREE`.
    tier: Option<String>,
    /// `on` for a new user who is an admin too.
    admin: Option<String>,
}

/// The signed-in admin, or the answer for anyone else: the account page's sign-in, or a
/// refusal.
async fn admin_of(m: &Medley, headers: &HeaderMap) -> Result<User, Response> {
    match signed_in(&m.accounts, headers).await {
        None => Err(super::account::to_account(None, &m.accounts)),
        Some(u) if u.admin => Ok(u),
        Some(_) => Err(page::refused(
            StatusCode::FORBIDDEN,
            "Only an admin runs the house.",
            "/account",
        )),
    }
}

fn back() -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(PAGE));
    res
}

fn done(result: Result<(), ServiceError>) -> Response {
    match result {
        Ok(()) => back(),
        Err(ServiceError::BadRequest(why) | ServiceError::NotFound(why)) => {
            page::refused(StatusCode::BAD_REQUEST, &why, PAGE)
        }
        Err(e) => page::refused(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), PAGE),
    }
}

fn tier_of(form: &AdminForm) -> Result<Tier, ServiceError> {
    form.tier
        .as_deref()
        .and_then(Tier::parse)
        .ok_or_else(|| ServiceError::BadRequest("tier must be UNLIMITED, PRIME or FREE".into()))
}

/// A form of the page, from an admin, with its CSRF token: what it asks, or the answer for
/// anyone else.
async fn admin_form(m: &Medley, headers: &HeaderMap, body: &[u8]) -> Result<AdminForm, Response> {
    let form: AdminForm = serde_urlencoded::from_bytes(body).unwrap_or_default();
    if !csrf_holds(headers, form.csrf.as_deref()) {
        return Err(forged());
    }
    admin_of(m, headers).await?;
    Ok(form)
}

fn the_user(form: &AdminForm) -> Result<medley_core::ids::UserId, ServiceError> {
    form.user
        .as_deref()
        .map(medley_core::ids::UserId::stored)
        .ok_or_else(|| ServiceError::BadRequest("no user given".into()))
}

/// Run the house
///
/// For an admin signed in on the account page: the music folders and their scans, the users,
/// and forms to add a user, reset a password, set a tier and rescan.
#[utoipa::path(get, path = "/account/admin", tag = "Sign-in", operation_id = "admin_page",
    responses(
        (status = 200, description = "The admin page", content_type = "text/html"),
        (status = 303, description = "Not signed in: to the account page's sign-in"),
        (status = 403, description = "Signed in, but not an admin", content_type = "text/html"),
    ))]
pub async fn page(State(m): State<Medley>, headers: HeaderMap) -> Response {
    let me = match admin_of(&m, &headers).await {
        Ok(u) => u,
        Err(res) => return res,
    };
    match m.accounts.all_users().await {
        Ok(users) => with_csrf(&m.accounts, "/account", |csrf| {
            page::admin(csrf, &me.name, &users, &m.folders.status())
        }),
        Err(e) => page::refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
            "/account",
        ),
    }
}

/// Run the house: add a user
#[utoipa::path(post, path = "/account/admin/users", tag = "Sign-in", operation_id = "admin_add_user",
    request_body(content = AdminForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Added: back to the admin page"),
        (status = 400, description = "The name or password will not do", content_type = "text/html"),
        (status = 403, description = "Not an admin, or the form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn add_user(State(m): State<Medley>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match admin_form(&m, &headers, &body).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let added = async {
        let new = NewUser {
            name: form.name.clone().unwrap_or_default(),
            tier: tier_of(&form)?,
            max_streams: 1,
            visibility: Visibility::Public,
            playback_visibility: Visibility::Public,
            admin: form.admin.as_deref() == Some("on"),
        };
        let password = form.password.as_deref().unwrap_or("");
        m.accounts.add_user_signing_in(new, password).await?;
        Ok(())
    };
    done(added.await)
}

/// Run the house: reset a password
#[utoipa::path(post, path = "/account/admin/password", tag = "Sign-in", operation_id = "admin_reset_password",
    request_body(content = AdminForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Set: back to the admin page"),
        (status = 400, description = "The password will not do, or there is no such user", content_type = "text/html"),
        (status = 403, description = "Not an admin, or the form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn reset_password(State(m): State<Medley>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match admin_form(&m, &headers, &body).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let set = async {
        let password = form.password.as_deref().unwrap_or("");
        m.accounts.set_password(&the_user(&form)?, password).await
    };
    done(set.await)
}

/// Run the house: set a tier
#[utoipa::path(post, path = "/account/admin/plan", tag = "Sign-in", operation_id = "admin_set_tier",
    request_body(content = AdminForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Set: back to the admin page"),
        (status = 400, description = "The tier will not do, or there is no such user", content_type = "text/html"),
        (status = 403, description = "Not an admin, or the form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn set_tier(State(m): State<Medley>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match admin_form(&m, &headers, &body).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let set = async {
        m.accounts
            .set_plan(&the_user(&form)?, tier_of(&form)?, None)
            .await?;
        Ok(())
    };
    done(set.await)
}

/// Run the house: rescan the music folders
#[utoipa::path(post, path = "/account/admin/rescan", tag = "Sign-in", operation_id = "admin_rescan",
    request_body(content = AdminForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "The scan is under way: back to the admin page"),
        (status = 403, description = "Not an admin, or the form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn rescan(State(m): State<Medley>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(res) = admin_form(&m, &headers, &body).await {
        return res;
    }
    m.folders.rescan();
    back()
}
