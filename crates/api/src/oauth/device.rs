//! Code-based linking for devices without a browser: `/auth/o2/create/codepair` gives the
//! device its codes, and the `/code` page is where its user signs in and enters the code.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use medley_service::accounts::credentials::SignIn;
use medley_service::accounts::oauth::OAuthError;
use medley_service::accounts::Accounts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::page::{self, Consent};
use super::token::{oauth_error, read_form};
use super::{csrf_holds, forged, locked, with_csrf};
use crate::extract::ClientAddr;
use crate::urls::Urls;

/// `/auth/o2/create/codepair`'s parameters (form-encoded or JSON).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CodePairForm {
    /// `device_code`.
    #[schema(pattern = "^device_code$")]
    response_type: Option<String>,
    /// The device's client (its x-api-key).
    client_id: Option<String>,
    /// Space-separated `music::` scopes.
    scope: Option<String>,
}

/// What the device shows its user, and polls with.
#[derive(Serialize, ToSchema)]
pub struct CodePairAnswer {
    /// Polled at the token endpoint with `grant_type=device_code`.
    device_code: String,
    /// What the user enters at `verification_uri`: six letters and digits.
    user_code: String,
    verification_uri: String,
    /// Seconds the codes last.
    expires_in: i64,
    /// Seconds between polls.
    interval: i64,
}

/// Create a code pair (code-based linking)
///
/// A device without a browser asks for codes: it shows `user_code` and `verification_uri` to
/// its user and polls the token endpoint with `device_code` every `interval` seconds.
#[utoipa::path(post, path = "/auth/o2/create/codepair", tag = "Sign-in", operation_id = "oauth_code_pair",
    request_body(content = CodePairForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The device's codes", body = CodePairAnswer),
        (status = 400, description = "The request is not valid", body = super::token::OAuthErrorBody),
        (status = 401, description = "No such client (`invalid_client`)", body = super::token::OAuthErrorBody),
    ))]
pub async fn code_pair(
    State(m): State<Accounts>,
    urls: Urls,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: CodePairForm = match read_form(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(e),
    };
    if form.response_type.as_deref() != Some("device_code") {
        return oauth_error(OAuthError::new(
            "invalid_request",
            "response_type must be device_code",
        ));
    }
    let Some(client_id) = form.client_id.as_deref() else {
        return oauth_error(OAuthError::new("invalid_request", "client_id is required"));
    };
    match m.create_code_pair(client_id, form.scope.as_deref()).await {
        Ok(pair) => {
            let mut res = Json(CodePairAnswer {
                device_code: pair.device_code,
                user_code: pair.user_code,
                verification_uri: urls.verification(),
                expires_in: pair.expires_in,
                interval: pair.interval,
            })
            .into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => oauth_error(e),
    }
}

/// `/code?user_code=…`: the code, when the device's link carries it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    user_code: Option<String>,
}

/// The verification page's form: the code, then the user's sign-in and answer.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CodeForm {
    user_code: Option<String>,
    csrf: Option<String>,
    login: Option<String>,
    password: Option<String>,
    /// Absent on the first step (the code alone); then `allow` or `deny`.
    decision: Option<String>,
}

fn entry(m: &Accounts, status: StatusCode, typed: &str, problem: Option<&str>) -> Response {
    with_csrf(m, "/code", |csrf| {
        page::code_entry(status, csrf, typed, problem)
    })
}

/// Link a device (the verification page)
///
/// Where a user enters the code their device shows.
#[utoipa::path(get, path = "/code", tag = "Sign-in", operation_id = "oauth_code_page", params(CodeQuery),
    responses((status = 200, description = "The page that asks for the code", content_type = "text/html")))]
pub async fn page(State(m): State<Accounts>, uri: axum::http::Uri) -> Response {
    let q: CodeQuery = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    entry(
        &m,
        StatusCode::OK,
        q.user_code.as_deref().unwrap_or(""),
        None,
    )
}

/// Link a device (the form)
///
/// The code alone shows what the device asks for and the sign-in form; signing in and allowing
/// links the device, whose next poll gets its tokens.
#[utoipa::path(post, path = "/code", tag = "Sign-in", operation_id = "oauth_code_form",
    request_body(content = CodeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The next step, or the end: linked or not", content_type = "text/html"),
        (status = 401, description = "The sign-in form again: the name or password is wrong", content_type = "text/html"),
        (status = 403, description = "The form did not come from this page (CSRF)", content_type = "text/html"),
        (status = 429, description = "Too many failed sign-ins of this account or from this address", content_type = "text/html"),
        (status = 404, description = "The code page again: no device is waiting with that code", content_type = "text/html"),
    ))]
pub async fn form(
    State(m): State<Accounts>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(form) = serde_urlencoded::from_bytes::<CodeForm>(&body) else {
        return page::error(StatusCode::BAD_REQUEST, "The form is malformed.");
    };
    if !csrf_holds(&headers, form.csrf.as_deref()) {
        return forged();
    }
    let typed = form.user_code.as_deref().unwrap_or("");
    let (client, scopes) = match m.pending_device(typed).await {
        Ok(Some(found)) => found,
        Ok(None) => return entry(
            &m,
            StatusCode::NOT_FOUND,
            typed,
            Some("No device is waiting with that code: check it, or ask the device for a new one."),
        ),
        Err(e) => return page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let consent = Consent {
        action: "/code",
        app: &client.name,
        scopes: &scopes,
        hidden: vec![("user_code", typed.to_string())],
    };
    let sign_in = |status, login: &str, problem| {
        with_csrf(&m, "/code", |csrf| {
            page::sign_in(status, &consent, csrf, login, problem)
        })
    };
    match form.decision.as_deref() {
        None => sign_in(StatusCode::OK, "", None),
        Some("allow") => {
            let login = form.login.as_deref().unwrap_or("");
            let password = form.password.as_deref().unwrap_or("");
            let user = match m.sign_in(login, password, addr.as_deref()).await {
                Ok(SignIn::User(u)) => u,
                Ok(SignIn::Locked { retry_after_secs }) => return locked(retry_after_secs),
                Ok(SignIn::Wrong) => {
                    return sign_in(
                        StatusCode::UNAUTHORIZED,
                        login,
                        Some("That name and password do not match."),
                    )
                }
                Err(e) => return page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            };
            match m.approve_device(typed, &user).await {
                Ok(true) => page::done(
                    "Device linked",
                    &format!(
                        "{} is linked to your Medley account. You can go back to it now.",
                        client.name
                    ),
                ),
                Ok(false) => entry(
                    &m,
                    StatusCode::NOT_FOUND,
                    typed,
                    Some(
                        "That code has expired or was used already: ask the device for a new one.",
                    ),
                ),
                Err(e) => page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Some(_) => page::done(
            "Not linked",
            &format!("{} was not linked to your account.", client.name),
        ),
    }
}
