//! Login with Amazon's paths, answered by Medley: `/ap/oa` (the sign-in and consent page of
//! the authorization code flow), `/auth/o2/token` (codes, refresh tokens and devices' codes for
//! access tokens) and code-based linking (`/auth/o2/create/codepair` and the `/code` page), so
//! a client built against LWA changes only its base URL.

pub mod account;
pub mod admin;
pub mod authorize;
pub mod device;
pub(crate) mod page;
pub mod token;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use medley_service::accounts::Accounts;
use subtle::ConstantTimeEq;

/// The cookie that carries a sign-in form's CSRF token (double submit).
const CSRF_COOKIE: &str = "medley_signin";

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

/// The `Set-Cookie` of a form's CSRF token, for the form's path.
fn csrf_cookie(m: &Accounts, path: &str, token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={token}; Path={path}; HttpOnly; SameSite=Lax; Max-Age=1800{}",
        secure(m)
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

/// Cookies are Secure behind an https public URL.
fn secure(m: &Accounts) -> &'static str {
    if m.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// A page with a fresh CSRF token: `render` puts it in the form, the cookie of `path` holds it.
fn with_csrf(m: &Accounts, path: &str, render: impl FnOnce(&str) -> Response) -> Response {
    let token = medley_service::accounts::random_secret();
    let mut res = render(&token);
    res.headers_mut()
        .insert(header::SET_COOKIE, csrf_cookie(m, path, &token));
    res
}

/// Whether the form's CSRF token is its cookie's.
fn csrf_holds(headers: &HeaderMap, given: Option<&str>) -> bool {
    let expected = cookie(headers, CSRF_COOKIE).unwrap_or("");
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.unwrap_or("").as_bytes()))
}

/// The page for a sign-in refused for its failures: when to try again.
fn locked(retry_after_secs: u64) -> Response {
    let minutes = retry_after_secs.div_ceil(60);
    let mut res = page::error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("Too many failed sign-ins. Try again in {minutes} minute(s)."),
    );
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// The page for a form that did not come from Medley's page.
fn forged() -> Response {
    page::error(
        StatusCode::FORBIDDEN,
        "This form did not come from Medley's sign-in page, or it is too old. Start again from the application.",
    )
}
