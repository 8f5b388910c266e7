//! `POST /alexa`: the Alexa Music Skill API (Alexa.Media.PlayQueue and the directives around it), answered
//! as Amazon's examples show. An Alexa queue is a Medley session (queueId = sessionId, item id =
//! entityReferenceId), so voice and the Web API steer one queue. Every directive is answered
//! with HTTP 200 and an Alexa event, failures as Alexa.ErrorResponse or
//! Alexa.Media.ErrorResponse; a body that is no directive gets HTTP 400 with Alexa's error
//! shape; never a 500. [`answer`] is the whole handler, shared by the HTTP route and the Lambda
//! runtime.

mod read;
mod render;
pub mod signature;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use medley_core::queue::LoopMode;
use medley_service::accounts::Principal;
use medley_service::playback::voice::{ContentId, Feedback, Move};
use medley_service::{Medley, ServiceError};
use serde_json::{json, Value};

use crate::urls::Urls;
use crate::ApiError;
use read::bad;
use render::event;

/// Every directive Medley answers. Anything else is INVALID_DIRECTIVE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DirectiveKind {
    GetPlayableContent,
    GetDisplayableContent,
    Initiate,
    GetItem,
    GetView,
    SetLoop,
    SetRepeat,
    SetShuffle,
    GetNextItem,
    GetPreviousItem,
    JumpToItem,
    ReceiveFeedback,
}

impl DirectiveKind {
    /// The directive Alexa sends as `namespace`.`name`.
    fn of(namespace: &str, name: &str) -> Option<DirectiveKind> {
        use DirectiveKind::*;
        Some(match (namespace, name) {
            ("Alexa.Media.Search", "GetPlayableContent") => GetPlayableContent,
            ("Alexa.Media.Search", "GetDisplayableContent") => GetDisplayableContent,
            ("Alexa.Media.Playback", "Initiate") => Initiate,
            ("Alexa.Media.PlayQueue", "GetItem") => GetItem,
            ("Alexa.Media.PlayQueue", "GetView") => GetView,
            ("Alexa.Media.PlayQueue", "SetLoop") => SetLoop,
            ("Alexa.Media.PlayQueue", "SetRepeat") => SetRepeat,
            ("Alexa.Media.PlayQueue", "SetShuffle") => SetShuffle,
            ("Alexa.Audio.PlayQueue", "GetNextItem") => GetNextItem,
            ("Alexa.Audio.PlayQueue", "GetPreviousItem") => GetPreviousItem,
            ("Alexa.Audio.PlayQueue", "JumpToItem") => JumpToItem,
            // Sent on both namespaces; answered on the one it came on.
            ("Alexa.UserPreference" | "Alexa.UserPreference.Audio", "ReceiveFeedback") => {
                ReceiveFeedback
            }
            _ => return None,
        })
    }

    /// The Alexa.Media error type for something the directive names that Medley does not have.
    fn not_found(self) -> &'static str {
        match self {
            DirectiveKind::GetPlayableContent
            | DirectiveKind::GetDisplayableContent
            | DirectiveKind::Initiate => "CONTENT_NOT_FOUND",
            _ => "ITEM_NOT_FOUND",
        }
    }
}

/// Alexa.ErrorResponse (general) with one of its types.
fn general_error(kind: &str, message: &str) -> Value {
    event(
        "Alexa",
        "ErrorResponse",
        "3.0",
        json!({"type": kind, "message": message}),
    )
}

/// Alexa.Media.ErrorResponse with one of its types.
fn media_error(kind: &str, message: &str) -> Value {
    event(
        "Alexa.Media",
        "ErrorResponse",
        "1.0",
        json!({"type": kind, "message": message}),
    )
}

/// The error event for a failure; `not_found` is the Alexa.Media type a missing thing gets.
fn error_event(e: ServiceError, not_found: &str) -> Value {
    e.log_cause();
    let message = e.told();
    match e {
        ServiceError::Unauthorized {
            code: "INVALID_ACCESS_TOKEN",
            ..
        } => general_error("EXPIRED_AUTHORIZATION_CREDENTIAL", &message),
        ServiceError::Unauthorized { .. } | ServiceError::AccessDenied(_) => {
            general_error("INVALID_AUTHORIZATION_CREDENTIAL", &message)
        }
        ServiceError::NotFound(_) => media_error(not_found, &message),
        ServiceError::BadRequest(_)
        | ServiceError::ActionNotAllowed(_)
        | ServiceError::Conflict(_) => general_error("INVALID_DIRECTIVE", &message),
        // The skip window is an hour (docs/api.md, "Tiers").
        ServiceError::NoMoreSkips(_) => event(
            "Alexa.Audio",
            "ErrorResponse",
            "1.0",
            json!({"type": "SKIP_LIMIT_REACHED", "message": message, "retryPeriod": "HOURLY"}),
        ),
        ServiceError::Throttled { .. } => general_error("RATE_LIMIT_EXCEEDED", &message),
        ServiceError::MaxConcurrency | ServiceError::TakeOverFailed => {
            media_error("DEVICE_LIMIT_REACHED", &message)
        }
        ServiceError::Internal(_) | ServiceError::Unavailable(_) => {
            general_error("INTERNAL_ERROR", "Medley could not answer")
        }
        // Alexa has no error type of its own for this: INTERNAL_ERROR, told why, and the
        // HTTP answer says 503 with Retry-After (`Answer::status`).
        ServiceError::StoreUnavailable(_) => general_error("INTERNAL_ERROR", &message),
    }
}

/// What `/alexa` answers a request with.
pub struct Answer {
    /// The Alexa event.
    pub event: Value,
    /// The HTTP status that carries it: 200, but 400 for a request that was no directive at
    /// all (not JSON, or without the fields every directive has), and 503 with `Retry-After`
    /// when the store could not be reached or could not write.
    pub status: StatusCode,
}

/// The `(namespace, name, payload)` of a directive, or why the body is not one: every directive
/// is a JSON object whose header has a namespace, name, messageId and payloadVersion, beside an
/// object payload.
fn envelope(directive: &Value) -> Result<(&str, &str, &Value), String> {
    if !directive.is_object() {
        return Err("the directive is not a JSON object".into());
    }
    let header = |k: &str| {
        directive
            .pointer(&format!("/header/{k}"))
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("header.{k} is required"))
    };
    let (namespace, name) = (header("namespace")?, header("name")?);
    header("messageId")?;
    header("payloadVersion")?;
    let payload = directive
        .get("payload")
        .filter(|p| p.is_object())
        .ok_or("payload is required, as an object")?;
    Ok((namespace, name, payload))
}

/// Answers one request's body (a directive's raw JSON) with the Alexa event to send back. One
/// rule for every directive: a body that is no directive is malformed; an unknown directive is
/// INVALID_DIRECTIVE; every directive Medley knows acts for a user, so it needs their access
/// token (INVALID_AUTHORIZATION_CREDENTIAL without one); then the directive is answered.
pub async fn answer(m: &Medley, body: &[u8]) -> Answer {
    let malformed = |why: &str| Answer {
        event: general_error("INVALID_DIRECTIVE", why),
        status: StatusCode::BAD_REQUEST,
    };
    let Ok(directive) = serde_json::from_slice::<Value>(body) else {
        return malformed("the directive is not JSON");
    };
    let (namespace, name, payload) = match envelope(&directive) {
        Ok(parts) => parts,
        Err(why) => return malformed(&why),
    };
    let mut status = StatusCode::OK;
    let event = match DirectiveKind::of(namespace, name) {
        None => general_error(
            "INVALID_DIRECTIVE",
            &format!("Medley does not handle {namespace}.{name}"),
        ),
        Some(d) => {
            let answered = match principal(m, payload).await {
                Ok(p) => handle(m, d, &p, namespace, name, payload).await,
                Err(e) => Err(e),
            };
            answered.unwrap_or_else(|e| {
                if matches!(e, ServiceError::NotFound(_)) && d.not_found() == "ITEM_NOT_FOUND" {
                    // A queue that expired or was replaced, or an item never handed out: Alexa
                    // holds on to something Medley does not have.
                    tracing::warn!(directive = %name, why = %e, "an Alexa directive names an item Medley does not have");
                }
                if matches!(e, ServiceError::StoreUnavailable(_)) {
                    status = StatusCode::SERVICE_UNAVAILABLE;
                }
                error_event(e, d.not_found())
            })
        }
    };
    Answer { event, status }
}

/// The user whose access token the directive carries.
async fn principal(m: &Medley, payload: &Value) -> Result<Principal, ServiceError> {
    let token = payload
        .pointer("/requestContext/user/accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ServiceError::unauthorized(
                "INVALID_AUTH_TYPE",
                "payload.requestContext.user.accessToken is required: link the account",
            )
        })?;
    m.accounts.principal_for_token(token).await
}

async fn handle(
    m: &Medley,
    d: DirectiveKind,
    p: &Principal,
    namespace: &str,
    name: &str,
    payload: &Value,
) -> Result<Value, ServiceError> {
    let urls = Urls::of(m);
    let ack = || event("Alexa", "Response", "3.0", json!({}));
    let response = format!("{name}.Response");
    match d {
        DirectiveKind::GetPlayableContent => {
            let found = m
                .playback
                .playable_content(p, &read::search_criteria(payload)?)
                .await?;
            Ok(event(
                namespace,
                &response,
                "1.0",
                json!({"content": render::content(&urls, &found)}),
            ))
        }
        DirectiveKind::GetDisplayableContent => {
            let (query, limit) = read::display_request(payload)?;
            let groups = m
                .playback
                .displayable_content(p, query.as_ref(), limit)
                .await?;
            Ok(event(
                namespace,
                &response,
                "2.0",
                json!({"contentGroups": render::groups(&urls, &groups)}),
            ))
        }
        DirectiveKind::Initiate => {
            let id = payload
                .get("contentId")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("payload.contentId is required"))?;
            let content = ContentId::parse(id).ok_or_else(|| {
                ServiceError::NotFound(format!("contentId '{id}' names no content of Medley's"))
            })?;
            let modes = read::playback_modes(payload)?;
            let started = m.playback.voice_initiate(p, &content, modes).await?;
            Ok(event(
                namespace,
                &response,
                "1.0",
                json!({"playbackMethod": {
                    "type": "ALEXA_AUDIO_PLAYER_QUEUE",
                    "id": started.queue_id,
                    "controls": render::controls(&started.controls),
                    "rules": {"feedback": {"type": "PREFERENCE", "enabled": true}},
                    "queueIdsToDeactivate": started.deactivate,
                    "firstItem": render::item(&urls, &started.first),
                }}),
            ))
        }
        // Answered on Alexa.Audio.PlayQueue, as Amazon's examples show.
        DirectiveKind::GetItem => {
            let (queue, item) = read::item_reference(payload, "targetItemReference")?;
            let item = m.playback.voice_item(p, queue, item).await?;
            Ok(event(
                "Alexa.Audio.PlayQueue",
                &response,
                "1.0",
                json!({"item": render::item(&urls, &item)}),
            ))
        }
        DirectiveKind::GetView => {
            let (queue, _) = read::item_reference(payload, "currentItemReference")?;
            let view = m.playback.voice_view(p, queue).await?;
            Ok(event(
                "Alexa.Audio.PlayQueue",
                &response,
                "1.0",
                json!({
                    "queueControls": render::controls(&view.controls),
                    "items": view.items.iter().map(|i| render::item(&urls, i)).collect::<Vec<_>>(),
                }),
            ))
        }
        DirectiveKind::SetLoop | DirectiveKind::SetRepeat => {
            let (queue, _) = read::item_reference(payload, "currentItemReference")?;
            let (mode, on) = if d == DirectiveKind::SetLoop {
                (LoopMode::LoopAll, read::flag(payload, "enable")?)
            } else {
                let status = payload
                    .get("mode")
                    .ok_or_else(|| bad("payload.mode is required"))?;
                (
                    LoopMode::LoopOne,
                    read::switch(status, "payload.mode.status")?,
                )
            };
            m.playback.voice_set_mode(p, queue, mode, on).await?;
            Ok(ack())
        }
        DirectiveKind::SetShuffle => {
            let (queue, _) = read::item_reference(payload, "currentItemReference")?;
            m.playback
                .voice_set_shuffle(p, queue, read::flag(payload, "enable")?)
                .await?;
            Ok(ack())
        }
        DirectiveKind::GetNextItem | DirectiveKind::GetPreviousItem | DirectiveKind::JumpToItem => {
            let (queue, current, to) = match d {
                DirectiveKind::GetNextItem => {
                    let (queue, current) = read::item_reference(payload, "currentItemReference")?;
                    let user_initiated = payload
                        .get("isUserInitiated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    (queue, Some(current), Move::Next { user_initiated })
                }
                DirectiveKind::GetPreviousItem => {
                    let (queue, current) = read::item_reference(payload, "currentItemReference")?;
                    (queue, Some(current), Move::Previous)
                }
                _ => {
                    let (queue, target) = read::jump_target(payload)?;
                    (queue, None, Move::To(target))
                }
            };
            let item = m.playback.voice_move(p, queue, current, to).await?;
            let mut answer = json!({});
            if d == DirectiveKind::GetNextItem {
                answer["isQueueFinished"] = json!(item.is_none());
            }
            if let Some(item) = &item {
                answer["item"] = render::item(&urls, item);
            }
            Ok(event(namespace, &response, "1.0", answer))
        }
        DirectiveKind::ReceiveFeedback => {
            let (queue, item) = read::feedback_reference(payload)?;
            let value = payload
                .pointer("/feedback/value")
                .and_then(Value::as_str)
                .unwrap_or("");
            let feedback = Feedback::parse(value).ok_or_else(|| {
                bad(format!(
                    "payload.feedback.value '{value}' is not POSITIVE or NEGATIVE"
                ))
            })?;
            let current = m.playback.voice_feedback(p, queue, item, feedback).await?;
            // A thumbs-down on what is playing skips it; Alexa then asks for the next item.
            let skip = current && feedback == Feedback::Negative;
            let answer = if skip {
                json!({"skip": true})
            } else {
                json!({})
            };
            Ok(event(namespace, &response, "2.0", answer))
        }
    }
}

/// A Music Skill API directive, as Alexa sends it (documentation of the envelope; `answer`
/// reads it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Directive {
    header: DirectiveHeader,
    /// The directive's payload; `requestContext.user.accessToken` is a Medley access token.
    payload: serde_json::Map<String, Value>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "camelCase")]
pub struct DirectiveHeader {
    /// e.g. `Alexa.Media.PlayQueue`
    #[schema(min_length = 1)]
    namespace: String,
    /// e.g. `GetNextItem`
    #[schema(min_length = 1)]
    name: String,
    #[schema(min_length = 1)]
    message_id: String,
    /// e.g. `1.0`
    #[schema(min_length = 1)]
    payload_version: String,
}

/// What the Alexa endpoint is (the Alexa app opens the endpoint's root)
#[utoipa::path(get, path = "/alexa", tag = "Alexa", operation_id = "alexa_page",
    responses((status = 200, description = "A page saying what this endpoint is", content_type = "text/html")))]
pub async fn page() -> axum::response::Response {
    crate::oauth::page::done(
        "Medley for Alexa",
        "This is the endpoint of Medley's Alexa music skill: Alexa sends it directives (POST). To link your account, enable the skill in the Alexa app.",
    )
}

/// Answer an Alexa Music Skill API directive
#[utoipa::path(post, path = "/alexa", tag = "Alexa",
    description = "Alexa.Media.Search (GetPlayableContent, GetDisplayableContent), Alexa.Media.Playback (Initiate), Alexa.Media.PlayQueue (GetItem, GetView, SetLoop, SetRepeat, SetShuffle), Alexa.Audio.PlayQueue (GetNextItem, GetPreviousItem, JumpToItem) and Alexa.UserPreference (ReceiveFeedback) directives. Every directive is answered with 200 and an Alexa event; failures are Alexa.ErrorResponse or Alexa.Media.ErrorResponse. A body that is no directive is answered with 400 and Alexa.ErrorResponse INVALID_DIRECTIVE. Where the skill id is configured, a request Alexa did not sign (SignatureCertChainUrl, Signature-256) is refused with 400 INVALID_SIGNATURE.",
    request_body = Directive,
    params(
        ("SignatureCertChainUrl" = Option<String>, Header, description = "Where Alexa's signing certificate chain is (required where the skill id is configured)"),
        ("Signature-256" = Option<String>, Header, description = "Alexa's signature of the body, base64 (required where the skill id is configured)"),
    ),
    responses(
        (status = 200, description = "The Alexa event that answers the directive", body = Object),
        (status = 400, description = "A body that is no directive (not JSON, or without header.namespace, name, messageId, payloadVersion or an object payload): Alexa.ErrorResponse INVALID_DIRECTIVE. Or, where the skill id is configured, a request Alexa did not sign: Medley's JSON error INVALID_SIGNATURE", body = Object),
    ))]
pub async fn directive(
    State(m): State<Medley>,
    verifier: Option<Extension<Arc<signature::Verifier>>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            let why = format!("the directive could not be read: {e}");
            let event = general_error("INVALID_DIRECTIVE", &why);
            return (StatusCode::BAD_REQUEST, Json(event)).into_response();
        }
    };
    if let Some(Extension(verifier)) = verifier {
        let now = std::time::Duration::from_millis(m.clock.now_ms().max(0) as u64);
        if let Err(why) = verifier
            .check(&headers, &body, pki_types::UnixTime::since_unix_epoch(now))
            .await
        {
            tracing::warn!(%why, "refused an /alexa request");
            return ApiError::new(StatusCode::BAD_REQUEST, "INVALID_SIGNATURE", why)
                .into_response();
        }
    }
    let answer = answer(&m, &body).await;
    let mut res = (answer.status, Json(answer.event)).into_response();
    if answer.status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            medley_service::error::STORE_RETRY_SECS.into(),
        );
    }
    res
}
