//! `/account`: the apps and devices linked to a user's account, each of which the user can
//! unlink, behind a sign-in of its own (a session cookie for this page only).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use medley_service::accounts::credentials::SignIn;
use medley_service::accounts::Accounts;
use medley_service::ServiceError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::page;
use super::{cookie, csrf_holds, forged, locked, secure, with_csrf};
use crate::extract::ClientAddr;

/// The cookie of a sign-in to this page.
const SESSION_COOKIE: &str = "medley_account";

/// The account page's forms: the sign-in, an unlink, the sign-out.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AccountForm {
    csrf: Option<String>,
    login: Option<String>,
    password: Option<String>,
    /// The link to end or name.
    grant: Option<String>,
    /// A link's new name.
    label: Option<String>,
}

pub(super) fn to_account(session: Option<&str>, m: &Accounts) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    h.insert(header::LOCATION, HeaderValue::from_static("/account"));
    if let Some(value) = session {
        let max_age = medley_service::accounts::oauth::ACCOUNT_SESSION_MS / 1000;
        let cookie = format!(
            "{SESSION_COOKIE}={value}; Path=/account; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
            secure(m)
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.insert(header::SET_COOKIE, v);
        }
    }
    res
}

pub(super) async fn signed_in(
    m: &Accounts,
    headers: &HeaderMap,
) -> Option<medley_service::accounts::User> {
    let token = cookie(headers, SESSION_COOKIE)?;
    m.account_session(token).await.ok().flatten()
}

fn form_of(body: &[u8]) -> Option<AccountForm> {
    serde_urlencoded::from_bytes(body).ok()
}

/// Your account: linked apps and devices
///
/// Signed in, the apps and devices linked to the account with an unlink button each; else the
/// page's sign-in form.
#[utoipa::path(get, path = "/account", tag = "Sign-in", operation_id = "oauth_account_page",
    responses((status = 200, description = "The linked apps and devices, or the sign-in form", content_type = "text/html")))]
pub async fn page(State(m): State<Accounts>, headers: HeaderMap) -> Response {
    let Some(user) = signed_in(&m, &headers).await else {
        return with_csrf(&m, "/account", |csrf| {
            page::account_sign_in(StatusCode::OK, csrf, "", None)
        });
    };
    match m.links(&user).await {
        Ok(links) => with_csrf(&m, "/account", |csrf| {
            page::links(csrf, &user.name, user.admin, &links)
        }),
        Err(e) => page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Your account: sign in
#[utoipa::path(post, path = "/account", tag = "Sign-in", operation_id = "oauth_account_sign_in",
    request_body(content = AccountForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Signed in: back to the account page"),
        (status = 401, description = "The sign-in form again: the name or password is wrong", content_type = "text/html"),
        (status = 403, description = "The form did not come from this page (CSRF)", content_type = "text/html"),
        (status = 429, description = "Too many failed sign-ins of this account or from this address", content_type = "text/html"),
    ))]
pub async fn sign_in(
    State(m): State<Accounts>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = form_of(&body).unwrap_or_default();
    if !csrf_holds(&headers, form.csrf.as_deref()) {
        return forged();
    }
    let login = form.login.as_deref().unwrap_or("");
    let password = form.password.as_deref().unwrap_or("");
    match m.sign_in(login, password, addr.as_deref()).await {
        Ok(SignIn::User(u)) => match m.open_account_session(&u).await {
            Ok(session) => to_account(Some(&session), &m),
            Err(e) => page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Ok(SignIn::Locked { retry_after_secs }) => locked(retry_after_secs),
        Ok(SignIn::Wrong) => with_csrf(&m, "/account", |csrf| {
            page::account_sign_in(
                StatusCode::UNAUTHORIZED,
                csrf,
                login,
                Some("That name and password do not match."),
            )
        }),
        Err(e) => page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Your account: unlink an app or device
///
/// Ends the link's refresh token and access tokens at once.
#[utoipa::path(post, path = "/account/unlink", tag = "Sign-in", operation_id = "oauth_account_unlink",
    request_body(content = AccountForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Unlinked (or signed out meanwhile): back to the account page"),
        (status = 403, description = "The form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn unlink(State(m): State<Accounts>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_of(&body).unwrap_or_default();
    if !csrf_holds(&headers, form.csrf.as_deref()) {
        return forged();
    }
    if let (Some(user), Some(grant)) = (signed_in(&m, &headers).await, form.grant.as_deref()) {
        if let Err(e) = m.unlink_one(&user, grant).await {
            return page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
        }
    }
    to_account(None, &m)
}

/// Your account: name an app or device
///
/// Gives a link the name the user typed (at most 60 characters).
#[utoipa::path(post, path = "/account/rename", tag = "Sign-in", operation_id = "oauth_account_rename",
    request_body(content = AccountForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Named (or signed out meanwhile): back to the account page"),
        (status = 400, description = "An error page: the name is empty, too long or holds control characters", content_type = "text/html"),
        (status = 403, description = "The form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn rename(State(m): State<Accounts>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_of(&body).unwrap_or_default();
    if !csrf_holds(&headers, form.csrf.as_deref()) {
        return forged();
    }
    if let (Some(user), Some(grant)) = (signed_in(&m, &headers).await, form.grant.as_deref()) {
        match m
            .label_link(&user, grant, form.label.as_deref().unwrap_or(""))
            .await
        {
            Ok(_) => {}
            Err(ServiceError::BadRequest(why)) => {
                return page::error(
                    StatusCode::BAD_REQUEST,
                    &format!("That name will not do: {why}."),
                )
            }
            Err(e) => return page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        }
    }
    to_account(None, &m)
}

/// Your account: sign out
#[utoipa::path(post, path = "/account/sign-out", tag = "Sign-in", operation_id = "oauth_account_sign_out",
    request_body(content = AccountForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Signed out: back to the account page"),
        (status = 403, description = "The form did not come from this page (CSRF)", content_type = "text/html"),
    ))]
pub async fn sign_out(State(m): State<Accounts>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_of(&body).unwrap_or_default();
    if !csrf_holds(&headers, form.csrf.as_deref()) {
        return forged();
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = m.close_account_session(token).await {
            return page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
        }
    }
    let mut res = to_account(None, &m);
    let gone = format!("{SESSION_COOKIE}=; Path=/account; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&gone) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
