//! Login with Amazon's paths, answered by Medley: `/ap/oa` (the sign-in and consent page of
//! the authorization code flow) and `/auth/o2/token` (codes and refresh tokens for access
//! tokens), so a client built against LWA changes only its base URL.

mod page;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use medley_service::oauth::{
    AuthorizeError, AuthorizeParams, ClientAuth, OAuthError, TokenGrant, Tokens,
};
use medley_service::Medley;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::{IntoParams, ToSchema};

/// The cookie that carries the sign-in form's CSRF token (double submit).
const CSRF_COOKIE: &str = "medley_signin";

/// An authorization request's parameters (LWA's, which are RFC 6749's and RFC 7636's).
#[derive(Clone, Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// The client's x-api-key.
    client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly.
    redirect_uri: Option<String>,
    /// `code`.
    response_type: Option<String>,
    /// Space-separated `music::` scopes.
    scope: Option<String>,
    /// Handed back unchanged with the code.
    state: Option<String>,
    /// PKCE (RFC 7636): required of a client without a secret.
    code_challenge: Option<String>,
    /// `S256` or `plain` (the default).
    code_challenge_method: Option<String>,
}

impl AuthorizeQuery {
    fn params(&self) -> AuthorizeParams {
        AuthorizeParams {
            client_id: self.client_id.clone().unwrap_or_default(),
            redirect_uri: self.redirect_uri.clone().unwrap_or_default(),
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

/// The redirect back to the client: `redirect_uri` with these parameters added to its query.
fn back_to(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return page::error(StatusCode::BAD_REQUEST, "The return address is not valid.");
    };
    url.query_pairs_mut().extend_pairs(params);
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
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

fn csrf_cookie(m: &Medley, token: &str) -> HeaderValue {
    let secure = if m.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={token}; Path=/ap/oa; HttpOnly; SameSite=Lax; Max-Age=1800{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The sign-in page with a fresh CSRF token in its form and its cookie.
fn sign_in_page(
    m: &Medley,
    status: StatusCode,
    a: &medley_service::oauth::Authorization,
    login: &str,
    problem: Option<&str>,
) -> Response {
    let token = medley_service::accounts::random_secret();
    let mut res = page::sign_in(status, a, &token, login, problem);
    res.headers_mut()
        .insert(header::SET_COOKIE, csrf_cookie(m, &token));
    res
}

/// Sign in with Medley (authorization request)
///
/// Login with Amazon's authorization endpoint: checks the request, then shows the sign-in and
/// consent page. An unknown client or a redirect URI it did not register gets an error page;
/// other refusals go back to the redirect URI with the OAuth error.
#[utoipa::path(get, path = "/ap/oa", tag = "Sign-in", params(AuthorizeQuery),
    responses(
        (status = 200, description = "The sign-in and consent page", content_type = "text/html"),
        (status = 303, description = "Back to the redirect URI with `error`, `error_description` and `state`"),
        (status = 400, description = "An error page: the client or its redirect URI is not known", content_type = "text/html"),
    ))]
pub async fn authorize_page(State(m): State<Medley>, uri: axum::http::Uri) -> Response {
    let q: AuthorizeQuery =
        match serde_urlencoded::from_str(uri.query().unwrap_or("")) {
            Ok(q) => q,
            Err(_) => return page::error(
                StatusCode::BAD_REQUEST,
                "The sign-in request is malformed (a parameter is given twice or badly encoded).",
            ),
        };
    match m.authorization(&q.params()).await {
        Ok(a) => sign_in_page(&m, StatusCode::OK, &a, "", None),
        Err(e) => refused(e),
    }
}

/// Sign in with Medley (the form)
///
/// The sign-in form's answer: the request is checked again, the CSRF token must match its
/// cookie, and then the user's decision goes back to the redirect URI: `code` and `state`, or
/// `error=access_denied`.
#[utoipa::path(post, path = "/ap/oa", tag = "Sign-in",
    request_body(content = SignInForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the redirect URI with `code` and `state`, or an OAuth error"),
        (status = 400, description = "An error page: the form or its request is not valid", content_type = "text/html"),
        (status = 401, description = "The sign-in page again: the name or password is wrong", content_type = "text/html"),
        (status = 403, description = "An error page: the form did not come from this sign-in page (CSRF)", content_type = "text/html"),
    ))]
pub async fn authorize(State(m): State<Medley>, headers: HeaderMap, body: Bytes) -> Response {
    let form: SignInForm = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(_) => return page::error(StatusCode::BAD_REQUEST, "The sign-in form is malformed."),
    };
    let a = match m.authorization(&form.request.params()).await {
        Ok(a) => a,
        Err(e) => return refused(e),
    };
    let expected = cookie(&headers, CSRF_COOKIE).unwrap_or("");
    let given = form.csrf.as_deref().unwrap_or("");
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return page::error(
            StatusCode::FORBIDDEN,
            "This form did not come from Medley's sign-in page, or it is too old. Start again from the application.",
        );
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
    let user = match m.check_password(login, password).await {
        Ok(Some(u)) => u,
        Ok(None) => {
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
    match m.authorization_code(&a, &user).await {
        Ok(code) => with_state(vec![("code", code), ("scope", a.scopes.join(" "))]),
        Err(e) => page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The token endpoint's parameters (form-encoded, as LWA takes them, or JSON).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenForm {
    /// `authorization_code` or `refresh_token`.
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    /// With `client_secret`, the client's credentials, unless sent by HTTP Basic.
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// The tokens, as LWA answers them.
#[derive(Serialize, ToSchema)]
pub struct TokenAnswer {
    /// `Atza|…`, for `Authorization: Bearer`.
    access_token: String,
    /// `Atzr|…`; only a client with a secret gets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// `bearer`.
    token_type: &'static str,
    /// Seconds: 3600.
    expires_in: i64,
}

impl From<Tokens> for TokenAnswer {
    fn from(t: Tokens) -> Self {
        TokenAnswer {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "bearer",
            expires_in: t.expires_in,
        }
    }
}

/// An OAuth error: `invalid_request`, `invalid_client`, `invalid_grant`,
/// `unauthorized_client`, `unsupported_grant_type` or `invalid_scope`.
#[derive(Serialize, ToSchema)]
pub struct OAuthErrorBody {
    error: &'static str,
    error_description: String,
}

fn oauth_error(e: OAuthError) -> Response {
    let status = match e.code {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut res = (
        status,
        Json(OAuthErrorBody {
            error: e.code,
            error_description: e.description,
        }),
    )
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"medley\""),
        );
    }
    res
}

/// A form-encoded value (as RFC 6749 encodes Basic credentials) decoded.
fn form_decoded(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The client's credentials: HTTP Basic, or `client_id` and `client_secret` in the body, not
/// both.
fn client_auth(headers: &HeaderMap, form: &TokenForm) -> Result<ClientAuth, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    let Some((_, encoded)) = basic else {
        return match &form.client_id {
            Some(id) => Ok(ClientAuth {
                client_id: id.clone(),
                secret: form.client_secret.clone(),
            }),
            None => Err(OAuthError::new("invalid_request", "client_id is required")),
        };
    };
    let bad = || OAuthError::new("invalid_client", "the Basic credentials are malformed");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    let id = form_decoded(id);
    if form.client_secret.is_some() || form.client_id.as_deref().is_some_and(|c| c != id) {
        return Err(OAuthError::new(
            "invalid_request",
            "send the client's credentials one way: HTTP Basic or the body",
        ));
    }
    Ok(ClientAuth {
        client_id: id,
        secret: Some(form_decoded(secret)).filter(|s| !s.is_empty()),
    })
}

/// Get tokens
///
/// Login with Amazon's token endpoint: an authorization code (with its PKCE verifier) or a
/// refresh token for an access token. Clients with a secret authenticate by HTTP Basic or by
/// `client_id` and `client_secret` in the body.
#[utoipa::path(post, path = "/auth/o2/token", tag = "Sign-in",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The tokens", body = TokenAnswer),
        (status = 400, description = "The request or its grant is not valid", body = OAuthErrorBody),
        (status = 401, description = "The client's credentials are wrong (`invalid_client`)", body = OAuthErrorBody),
    ))]
pub async fn token(State(m): State<Medley>, headers: HeaderMap, body: Bytes) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let form: Result<TokenForm, String> = if json {
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_bytes(&body).map_err(|e| e.to_string())
    };
    let form = match form {
        Ok(f) => f,
        Err(e) => {
            return oauth_error(OAuthError::new(
                "invalid_request",
                format!("the body is not valid: {}", crate::error::shown(&e, 200)),
            ))
        }
    };
    let auth = match client_auth(&headers, &form) {
        Ok(a) => a,
        Err(e) => return oauth_error(e),
    };
    let required = |v: &Option<String>, name: &str| {
        v.clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OAuthError::new("invalid_request", format!("{name} is required")))
    };
    let grant = match form.grant_type.as_deref() {
        Some("authorization_code") => {
            required(&form.code, "code").map(|code| TokenGrant::AuthorizationCode {
                code,
                redirect_uri: form.redirect_uri.clone(),
                verifier: form.code_verifier.clone(),
            })
        }
        Some("refresh_token") => required(&form.refresh_token, "refresh_token")
            .map(|refresh_token| TokenGrant::RefreshToken { refresh_token }),
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        )),
        None => Err(OAuthError::new("invalid_request", "grant_type is required")),
    };
    let grant = match grant {
        Ok(g) => g,
        Err(e) => return oauth_error(e),
    };
    match m.token(&auth, grant).await {
        Ok(t) => {
            let mut res = Json(TokenAnswer::from(t)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => oauth_error(e),
    }
}
