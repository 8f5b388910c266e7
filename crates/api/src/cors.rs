//! CORS: a web page on another origin (a client developer's `http://localhost:3000`) may call
//! the API. Credentials travel in headers (`Authorization`, `x-api-key`), never in cookies, so
//! allowing an origin grants it nothing a token does not already carry.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The request headers a client of this API sends.
const REQUEST_HEADERS: [&str; 13] = [
    "authorization",
    "x-api-key",
    "content-type",
    "x-amzn-device-id",
    "x-amzn-audio-device-capability",
    "x-amzn-audio-drmtype",
    "x-medley-protocol",
    // A Clear Key licence request's `licenseHeaders`.
    "x-amz-music-asin",
    "x-amz-music-rid",
    "x-amz-music-drm-type",
    "amzn-image-style",
    "accept-language",
    "range",
];

/// The response headers a page may read besides the simple ones.
const RESPONSE_HEADERS: [&str; 4] = [
    "x-amzn-requestid",
    "retry-after",
    "content-range",
    "accept-ranges",
];

/// The layer for `origins`: `*` allows any; otherwise the exact origins listed.
pub fn layer(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(REQUEST_HEADERS.map(HeaderName::from_static))
        .expose_headers(RESPONSE_HEADERS.map(HeaderName::from_static))
        .max_age(Duration::from_secs(600))
}
