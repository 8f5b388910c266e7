//! `/ap/oa`: the authorization request, and the sign-in and consent form it shows.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use medley_service::accounts::browser::Browser;
use medley_service::accounts::credentials::SignIn;
use medley_service::accounts::oauth::{Authorization, AuthorizeError, AuthorizeParams};
use medley_service::accounts::Accounts;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::page::{self, Consent};
use super::{back_to, csrf_holds, forged, locked, with_csrf};
use crate::extract::ClientAddr;

/// The cookie that tells a browser's sign-ins apart: signing in again to an app from the same
/// browser replaces the link it made before instead of adding one.
const BROWSER_COOKIE: &str = "medley_browser";

/// An authorization request's parameters (LWA's, which are RFC 6749's and RFC 7636's).
#[derive(Clone, Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// The client's x-api-key.
    client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly.
    redirect_uri: Option<String>,
    /// `code`.
    #[param(pattern = "^code$")]
    #[schema(pattern = "^code$")]
    response_type: Option<String>,
    /// Space-separated `music::` scopes.
    scope: Option<String>,
    /// Handed back unchanged with the code.
    state: Option<String>,
    /// PKCE (RFC 7636): required of a client without a secret.
    code_challenge: Option<String>,
    /// `S256` or `plain` (the default).
    #[param(pattern = "^(S256|plain)$")]
    #[schema(pattern = "^(S256|plain)$")]
    code_challenge_method: Option<String>,
}

impl AuthorizeQuery {
    /// The request's parameters, with the host it was sent to (its `Host` header).
    fn params(&self, headers: &HeaderMap) -> AuthorizeParams {
        let host = headers.get(axum::http::header::HOST);
        AuthorizeParams {
            client_id: self.client_id.clone().unwrap_or_default(),
            redirect_uri: self.redirect_uri.clone().unwrap_or_default(),
            served_at: host.and_then(|h| h.to_str().ok()).map(String::from),
            response_type: self.response_type.clone(),
            scope: self.scope.clone(),
            state: self.state.clone(),
            code_challenge: self.code_challenge.clone(),
            code_challenge_method: self.code_challenge_method.clone(),
        }
    }
}

/// The sign-in form as it comes back: the request's parameters and the user's answer.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SignInForm {
    #[serde(flatten)]
    request: AuthorizeQuery,
    /// The user's name or id.
    login: Option<String>,
    password: Option<String>,
    /// The form's CSRF token, which must equal the cookie's.
    csrf: Option<String>,
    /// `allow` or `deny`.
    decision: Option<String>,
}

/// The sign-in page of an authorization request.
fn sign_in_page(
    m: &Accounts,
    status: StatusCode,
    a: &Authorization,
    login: &str,
    problem: Option<&str>,
) -> Response {
    let consent = Consent {
        action: "/ap/oa",
        app: &a.client.name,
        scopes: &a.scopes,
        hidden: page::authorization_fields(a),
    };
    with_csrf(m, "/ap/oa", |csrf| {
        page::sign_in(status, &consent, csrf, login, problem)
    })
}

fn refused(e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Page(message) => page::error(StatusCode::BAD_REQUEST, &message),
        AuthorizeError::Redirect {
            redirect_uri,
            state,
            error,
        } => {
            let mut params = vec![
                ("error", error.code),
                ("error_description", error.description.as_str()),
            ];
            if let Some(s) = state.as_deref() {
                params.push(("state", s));
            }
            back_to(&redirect_uri, &params)
        }
    }
}

/// Sign in with Medley (authorization request)
///
/// Login with Amazon's authorization endpoint: checks the request, then shows the sign-in and
/// consent page. An unknown client or a redirect URI it did not register gets an error page;
/// other refusals go back to the redirect URI with the OAuth error.
#[utoipa::path(get, path = "/ap/oa", tag = "Sign-in", operation_id = "oauth_authorize_page", params(AuthorizeQuery),
    responses(
        (status = 200, description = "The sign-in and consent page", content_type = "text/html"),
        (status = 303, description = "Back to the redirect URI with `error`, `error_description` and `state`"),
        (status = 400, description = "An error page: the client or its redirect URI is not known", content_type = "text/html"),
    ))]
pub async fn page(State(m): State<Accounts>, uri: axum::http::Uri, headers: HeaderMap) -> Response {
    let q: AuthorizeQuery =
        match serde_urlencoded::from_str(uri.query().unwrap_or("")) {
            Ok(q) => q,
            Err(_) => return page::error(
                StatusCode::BAD_REQUEST,
                "The sign-in request is malformed (a parameter is given twice or badly encoded).",
            ),
        };
    match m.authorization(&q.params(&headers)).await {
        Ok(a) => sign_in_page(&m, StatusCode::OK, &a, "", None),
        Err(e) => refused(e),
    }
}

/// Sign in with Medley (the form)
///
/// The sign-in form's answer: the request is checked again, the CSRF token must match its
/// cookie, and then the user's decision goes back to the redirect URI: `code` and `state`, or
/// `error=access_denied`.
#[utoipa::path(post, path = "/ap/oa", tag = "Sign-in", operation_id = "oauth_authorize_form",
    request_body(content = SignInForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the redirect URI with `code` and `state`, or an OAuth error"),
        (status = 400, description = "An error page: the form or its request is not valid", content_type = "text/html"),
        (status = 401, description = "The sign-in page again: the name or password is wrong", content_type = "text/html"),
        (status = 403, description = "An error page: the form did not come from this sign-in page (CSRF)", content_type = "text/html"),
        (status = 429, description = "Too many failed sign-ins of this account or from this address", content_type = "text/html"),
    ))]
pub async fn form(
    State(m): State<Accounts>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: SignInForm = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(_) => return page::error(StatusCode::BAD_REQUEST, "The sign-in form is malformed."),
    };
    let a = match m.authorization(&form.request.params(&headers)).await {
        Ok(a) => a,
        Err(e) => return refused(e),
    };
    if !csrf_holds(&headers, form.csrf.as_deref()) {
        return forged();
    }
    let state = a.state.clone();
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if let Some(s) = &state {
            params.push(("state", s.clone()));
        }
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        back_to(&a.redirect_uri, &pairs)
    };
    if form.decision.as_deref() != Some("allow") {
        return with_state(vec![
            ("error", "access_denied".into()),
            ("error_description", "the user did not allow it".into()),
        ]);
    }
    let login = form.login.as_deref().unwrap_or("");
    let password = form.password.as_deref().unwrap_or("");
    let user = match m.sign_in(login, password, addr.as_deref()).await {
        Ok(SignIn::User(u)) => u,
        Ok(SignIn::Locked { retry_after_secs }) => {
            return locked(retry_after_secs);
        }
        Ok(SignIn::Wrong) => {
            return sign_in_page(
                &m,
                StatusCode::UNAUTHORIZED,
                &a,
                login,
                Some("That name and password do not match."),
            )
        }
        Err(e) => return page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let cookie = super::cookie(&headers, BROWSER_COOKIE)
        .filter(|c| (16..=64).contains(&c.len()))
        .map(String::from)
        .unwrap_or_else(medley_service::accounts::random_secret);
    let browser = Browser {
        cookie: Some(cookie.clone()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    };
    match m.authorization_code(&a, &user, &browser).await {
        Ok(code) => {
            let mut res = with_state(vec![("code", code), ("scope", a.scopes.join(" "))]);
            let set = format!(
                "{BROWSER_COOKIE}={cookie}; Path=/ap/oa; HttpOnly; SameSite=Lax; Max-Age={}{}",
                400 * 24 * 3600,
                super::secure(&m)
            );
            if let Ok(v) = HeaderValue::from_str(&set) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
