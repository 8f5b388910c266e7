//! Medley's HTTP surface: one router registering every route once, extractors for auth and
//! device headers, and one error type that renders docs/api.md, "Errors".

pub mod alexa;
mod assets;
mod body;
mod cors;
mod dash;
mod deadline;
mod error;
mod extract;
mod fields;
mod health;
mod image_style;
mod images;
mod media;
pub mod metrics;
mod oauth;
mod openapi;
mod params;
mod player;
mod reference;
mod scopes;
pub mod urls;
mod v1;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use medley_service::accounts::Accounts;
use medley_service::library::Library;
use medley_service::media::Media;
use medley_service::playback::Playback;
use medley_service::Medley;
use std::sync::Arc;

pub use error::ApiError;

/// Request bodies above this are refused with 413 PAYLOAD_TOO_LARGE.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A path and query longer than this is refused with 414 URI_TOO_LONG. (Past 64 KiB hyper
/// refuses the request line itself; `medley serve` gives that answer the JSON body.)
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// What handlers reach by state extraction: each context the composition root built, and the
/// public URL's links. Shared behind one `Arc`: axum clones the state for every request, and a
/// handler then clones only the context it takes.
#[derive(Clone)]
pub struct AppState(Arc<Medley>, urls::Urls);

macro_rules! from_state {
    ($($t:ty => |$s:ident| $e:expr;)*) => {$(
        impl axum::extract::FromRef<AppState> for $t {
            fn from_ref(AppState($s, _): &AppState) -> $t {
                $e.clone()
            }
        }
    )*};
}

from_state! {
    Medley => |m| **m;
    Accounts => |m| m.accounts;
    Library => |m| m.library;
    Media => |m| m.media;
    Playback => |m| m.playback;
}

impl AppState {
    /// The public URL's links, images as they are.
    fn urls(&self) -> &urls::Urls {
        &self.1
    }
}

pub fn router(medley: Medley) -> Router {
    router_with_alexa_trust(medley, alexa::signature::Trust::amazon)
}

/// The router, with what Alexa's request signatures must chain to (tests bring their own).
pub fn router_with_alexa_trust(
    medley: Medley,
    trust: impl FnOnce() -> alexa::signature::Trust,
) -> Router {
    metrics::install();
    let verifier = medley
        .settings
        .alexa_skill_id
        .clone()
        .map(|skill| Arc::new(alexa::signature::Verifier::new(skill, trust())));
    use utoipa_axum::routes;
    let (routes, typed) = v1::routes()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::render))
        .routes(routes!(alexa::directive, alexa::page))
        .routes(routes!(media::track))
        .routes(routes!(dash::manifest))
        .routes(routes!(dash::segment))
        .routes(routes!(images::image))
        .routes(routes!(oauth::authorize::page, oauth::authorize::form))
        .routes(routes!(oauth::token::token))
        .routes(routes!(oauth::token::revoke))
        .routes(routes!(oauth::device::code_pair))
        .routes(routes!(oauth::device::page, oauth::device::form))
        .routes(routes!(oauth::account::page, oauth::account::sign_in))
        .routes(routes!(oauth::account::unlink))
        .routes(routes!(oauth::account::rename))
        .routes(routes!(oauth::account::sign_out))
        .routes(routes!(oauth::admin::page))
        .routes(routes!(oauth::admin::add_user))
        .routes(routes!(oauth::admin::reset_password))
        .routes(routes!(oauth::admin::set_tier))
        .routes(routes!(oauth::admin::rescan))
        .split_for_parts();
    let document = openapi::document(typed);
    let edge = Arc::new(Edge {
        body_timeout: std::time::Duration::from_secs(medley.settings.body_timeout_secs),
        scopes: scopes::Declared::of(&document),
    });
    let document = axum::body::Bytes::from(document.to_string());
    // Only where the skill id is configured does `/alexa` find a verifier.
    let routes = match verifier {
        Some(v) => routes.layer(axum::Extension(v)),
        None => routes,
    };
    routes
        .route(
            "/openapi.json",
            get(move || std::future::ready(([(CONTENT_TYPE, "application/json")], document))),
        )
        .route("/", get(player::page))
        .route("/web/{file}", get(player::file))
        .route("/docs", get(reference::page))
        .route("/docs/{file}", get(reference::file))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(edge, at_the_edge))
        .layer(axum::Extension(extract::TrustedProxies(Arc::new(
            medley.settings.trusted_proxies.clone(),
        ))))
        .layer(cors::layer(&medley.settings.cors_origins))
        .layer(middleware::from_fn(request_id))
        .with_state(AppState(Arc::new(medley.clone()), urls::Urls::of(&medley)))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// What every request passes through, in one layer: an over-long URI is refused, the route's
/// declared scope is handed on, a body gets its deadline, an error answer the JSON body, and a
/// successful one the image style asked for.
struct Edge {
    body_timeout: std::time::Duration,
    scopes: scopes::Declared,
}

async fn at_the_edge(
    axum::extract::State(edge): axum::extract::State<Arc<Edge>>,
    mut req: Request,
    next: Next,
) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::uri_too_long().into_response();
    }
    edge.scopes.hand_on(&mut req);
    json_errors(
        next.run(deadline::with_deadline(req, edge.body_timeout))
            .await,
    )
    .await
}

/// Whether an answer's body is JSON.
fn is_json(res: &Response) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

/// Whether an answer is a page (the sign-in pages' refusals are pages, not JSON).
fn is_html(res: &Response) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

/// Gives every error answer the JSON body, whatever layer made it (axum's own rejections, the
/// file server's 416): their headers stay, the body is replaced.
async fn json_errors(res: Response) -> Response {
    if res.status().as_u16() < 400 || is_json(&res) || is_html(&res) {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Axum's rejections say what was wrong in a short plain-text body: keep it as the message.
    let text = axum::body::to_bytes(body, 1024).await.unwrap_or_default();
    let mut e = ApiError::of_status(parts.status);
    let text = String::from_utf8_lossy(&text);
    if parts.status.is_client_error() && !text.trim().is_empty() {
        e.message = error::shown(text.trim(), 300);
    }
    let mut out = e.into_response();
    for (k, v) in &parts.headers {
        if k != axum::http::header::CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(k, v.clone());
        }
    }
    out
}

/// Gives every request an id: on its log lines, in the `x-amzn-requestid` response header, and
/// as the `reference` of an error body; counts it in `/metrics` by route and status.
async fn request_id(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let method = req.method().clone();
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let start = std::time::Instant::now();
    let mut res = error::REQUEST_ID
        .scope(
            id,
            tracing::Instrument::instrument(next.run(req), span.clone()),
        )
        .await;
    let took = start.elapsed();
    metrics::request(route, &method, res.status(), took);
    let _g = span.enter();
    tracing::debug!(
        status = res.status().as_u16(),
        micros = took.as_micros() as u64,
        "done"
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&id.to_string()) {
        res.headers_mut().insert("x-amzn-requestid", v);
    }
    res
}
