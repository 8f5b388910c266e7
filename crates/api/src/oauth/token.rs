//! `/auth/o2/token`: codes, refresh tokens and devices' codes for access tokens, with the
//! client's credentials by HTTP Basic or in the body.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use medley_service::accounts::oauth::{ClientAuth, OAuthError, TokenGrant, Tokens};
use medley_service::accounts::Accounts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The token endpoint's parameters (form-encoded, as LWA takes them, or JSON).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenForm {
    /// `authorization_code`, `refresh_token` or `device_code`.
    #[schema(pattern = "^(authorization_code|refresh_token|device_code)$")]
    grant_type: Option<String>,
    code: Option<String>,
    /// A device's code (code-based linking), with the `user_code` it showed.
    device_code: Option<String>,
    user_code: Option<String>,
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
    /// `Atzr|…`. A client without a secret gets a new one with every refresh and must use
    /// that one next (the one it sent is replaced).
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// `bearer`.
    token_type: &'static str,
    /// Seconds the access token lasts: 3600 unless the server says otherwise.
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

pub(super) fn oauth_error(e: OAuthError) -> Response {
    let status = match e.code {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
        "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
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
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(
            header::RETRY_AFTER,
            medley_service::error::STORE_RETRY_SECS.into(),
        );
    }
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"medley\""),
        );
    }
    res
}

/// An OAuth endpoint's body: form-encoded, as LWA takes it, or JSON.
pub(super) fn read_form<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, OAuthError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let form = if json {
        serde_json::from_slice(body).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())
    };
    form.map_err(|e| {
        OAuthError::new(
            "invalid_request",
            format!("the body is not valid: {}", crate::error::shown(&e, 200)),
        )
    })
}

/// A form-encoded value (as RFC 6749 encodes Basic credentials) decoded.
fn form_decoded(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The client's credentials, if any: HTTP Basic, or `client_id` and `client_secret` in the
/// body, not both.
fn client_auth(headers: &HeaderMap, form: &TokenForm) -> Result<Option<ClientAuth>, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"));
    let Some((_, encoded)) = basic else {
        return Ok(form.client_id.as_ref().map(|id| ClientAuth {
            client_id: id.clone(),
            secret: form.client_secret.clone(),
        }));
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
    Ok(Some(ClientAuth {
        client_id: id,
        secret: Some(form_decoded(secret)).filter(|s| !s.is_empty()),
    }))
}

/// Get tokens
///
/// Login with Amazon's token endpoint: an authorization code (with its PKCE verifier), a
/// refresh token, or a device's code for an access token. Clients with a secret authenticate
/// by HTTP Basic or by `client_id` and `client_secret` in the body; a device polling with its
/// code may send no credentials. Until its user enters the code, a device's poll answers
/// `authorization_pending`, `slow_down` (faster than `interval`) or `expired_token`.
#[utoipa::path(post, path = "/auth/o2/token", tag = "Sign-in", operation_id = "oauth_token",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The tokens", body = TokenAnswer),
        (status = 400, description = "The request or its grant is not valid", body = OAuthErrorBody),
        (status = 401, description = "The client's credentials are wrong (`invalid_client`)", body = OAuthErrorBody),
    ))]
pub async fn token(State(m): State<Accounts>, headers: HeaderMap, body: Bytes) -> Response {
    let form = match read_form(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(e),
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
        // LWA's name, and RFC 8628's, which standard device clients send.
        Some("device_code" | "urn:ietf:params:oauth:grant-type:device_code") => {
            required(&form.device_code, "device_code").map(|device_code| TokenGrant::DeviceCode {
                device_code,
                user_code: form.user_code.clone(),
            })
        }
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant_type must be authorization_code, refresh_token or device_code",
        )),
        None => Err(OAuthError::new("invalid_request", "grant_type is required")),
    };
    let grant = match grant {
        Ok(g) => g,
        Err(e) => return oauth_error(e),
    };
    match m.token(auth.as_ref(), grant).await {
        Ok(t) => {
            let mut res = Json(TokenAnswer::from(t)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => oauth_error(e),
    }
}

/// Token revocation's parameters (RFC 7009), with the client's credentials as the token
/// endpoint takes them.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevokeForm {
    /// A refresh token or an access token.
    #[schema(required = true)]
    token: Option<String>,
    /// `refresh_token` or `access_token`; either is looked for whatever it says.
    #[allow(dead_code)]
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// Sign out (revoke a token)
///
/// A Medley extension (RFC 7009's token revocation; Login with Amazon has none): the link
/// the refresh or access token was issued under ends, with every token of it, as a client
/// signs out. An unknown token, or another client's, is answered the same 200.
#[utoipa::path(post, path = "/auth/o2/revoke", tag = "Sign-in", operation_id = "oauth_revoke",
    request_body(content = RevokeForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The link of the token, if any, is ended"),
        (status = 400, description = "The request is not valid", body = OAuthErrorBody),
        (status = 401, description = "The client's credentials are wrong (`invalid_client`)", body = OAuthErrorBody),
    ))]
pub async fn revoke(State(m): State<Accounts>, headers: HeaderMap, body: Bytes) -> Response {
    let form: RevokeForm = match read_form(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(e),
    };
    let as_token_form = TokenForm {
        client_id: form.client_id.clone(),
        client_secret: form.client_secret.clone(),
        ..TokenForm::default()
    };
    let auth = match client_auth(&headers, &as_token_form) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return oauth_error(OAuthError::new("invalid_request", "client_id is required"))
        }
        Err(e) => return oauth_error(e),
    };
    let Some(token) = form.token.filter(|t| !t.is_empty()) else {
        return oauth_error(OAuthError::new("invalid_request", "token is required"));
    };
    match m.revoke(&auth, &token).await {
        Ok(()) => {
            let mut res = StatusCode::OK.into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => oauth_error(e),
    }
}
