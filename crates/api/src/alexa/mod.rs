//! `POST /alexa`: the Alexa Music Skill API (Alexa.Media.PlayQueue and the directives around it), answered
//! as Amazon's examples show. An Alexa queue is a Medley session (queueId = sessionId, item id =
//! entityReferenceId), so voice and the Web API steer one queue. Every answer is HTTP 200 with an
//! Alexa event; failures are Alexa.ErrorResponse or Alexa.Media.ErrorResponse, never a 500.
//! [`answer`] is the whole handler, shared by the HTTP route and the Lambda runtime.

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
use medley_service::playback::voice::{Content, Criteria, Feedback, Move, PlaybackModes};
use medley_service::{Medley, ServiceError};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::urls::Urls;
use crate::ApiError;
use render::event;

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

/// The error event for a failure; `not_found` is the Alexa.Media type a missing thing gets
/// (CONTENT_NOT_FOUND for search and initiate, ITEM_NOT_FOUND for queue items).
fn error_event(e: ServiceError, not_found: &str) -> Value {
    let message = e.to_string();
    match e {
        ServiceError::Unauthorized {
            code: "INVALID_ACCESS_TOKEN",
            ..
        } => general_error("EXPIRED_AUTHORIZATION_CREDENTIAL", &message),
        ServiceError::Unauthorized { .. } | ServiceError::AccessDenied(_) => {
            general_error("INVALID_AUTHORIZATION_CREDENTIAL", &message)
        }
        ServiceError::NotFound(_) => media_error(not_found, &message),
        ServiceError::BadRequest(_) | ServiceError::ActionNotAllowed(_) => {
            general_error("INVALID_DIRECTIVE", &message)
        }
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
    }
}

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

/// The `{queueId, id}` of an item reference: wrapped (`{namespace, name, value}`) as the
/// Alexa.Media.PlayQueue directives send it, or bare as the Alexa.Audio.PlayQueue ones do.
fn item_reference(payload: &Value, field: &str) -> Result<(Uuid, Uuid), ServiceError> {
    let reference = payload
        .get(field)
        .filter(|r| r.is_object())
        .ok_or_else(|| bad(format!("payload.{field} is required")))?;
    let value = reference.get("value").unwrap_or(reference);
    let uuid = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "payload.{field}.value.{k} names no item of Medley's"
                ))
            })
    };
    Ok((uuid("queueId")?, uuid("id")?))
}

fn flag(payload: &Value, field: &str) -> Result<bool, ServiceError> {
    payload
        .get(field)
        .and_then(Value::as_bool)
        .ok_or_else(|| bad(format!("payload.{field} must be true or false")))
}

/// A repeat status (SetRepeat's `mode.status`, Initiate's `playbackModes.repeat`): Amazon
/// documents no values, so the usual spellings of on and off are taken.
fn repeat_status(v: &Value) -> Result<bool, ServiceError> {
    if let Some(b) = v.as_bool() {
        return Ok(b);
    }
    let status = v.get("status").unwrap_or(v).as_str().unwrap_or("");
    match status.to_ascii_uppercase().as_str() {
        "ON" | "ENABLED" | "ONE" | "REPEAT_ONE" | "REPEAT_TRACK" | "TRUE" => Ok(true),
        "OFF" | "DISABLED" | "NONE" | "FALSE" => Ok(false),
        _ => Err(bad(format!(
            "repeat status '{status}' is not one of ON, OFF, ENABLED, DISABLED, REPEAT_ONE"
        ))),
    }
}

fn search_criteria(payload: &Value) -> Result<Criteria, ServiceError> {
    // "Alexa, play my music" comes with an empty (or absent) selectionCriteria: no attribute
    // names anything, and the user's own music plays.
    let none = Vec::new();
    let attributes = match payload.pointer("/selectionCriteria/attributes") {
        None | Some(Value::Null) => &none,
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad("payload.selectionCriteria.attributes must be an array")),
    };
    let mut c = Criteria {
        explicit_allowed: payload
            .pointer("/filters/explicitLanguageAllowed")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        ..Criteria::default()
    };
    for (i, a) in attributes.iter().enumerate() {
        let text = |k: &str| a.get(k).and_then(Value::as_str).map(String::from);
        let at = format!("payload.selectionCriteria.attributes[{i}]");
        match text("type").as_deref() {
            Some(kind @ ("TRACK" | "ALBUM" | "ARTIST" | "PLAYLIST" | "GENRE" | "STATION")) => {
                // What Alexa heard but could not match to a catalog entry comes as a value.
                match (text("entityId"), spoken(a, &at)?) {
                    (Some(id), _) => c.entities.push((kind.to_string(), id)),
                    (None, Some(said)) => c.spoken.push((Some(kind.to_string()), said)),
                    (None, None) => {
                        return Err(bad(format!(
                            "{at} needs an entityId or a spoken value for {kind}"
                        )))
                    }
                }
            }
            Some("MEDIA_TYPE") => c.media_type = text("value"),
            Some("SORT_TYPE") => c.sort = text("value"),
            // Attribute types Amazon may add later do not narrow the content.
            Some(_) => {}
            None => match spoken(a, &at)? {
                Some(said) => c.spoken.push((None, said)),
                None => return Err(bad(format!("{at} needs a type or a spoken value"))),
            },
        }
    }
    Ok(c)
}

/// An attribute's spoken `value`, bounded like a search query; `None` when it has none.
fn spoken(a: &Value, at: &str) -> Result<Option<String>, ServiceError> {
    let Some(v) = a.get("value") else {
        return Ok(None);
    };
    let said = v
        .as_str()
        .ok_or_else(|| bad(format!("{at}.value must be a string")))?;
    if said.trim().is_empty() {
        return Ok(None);
    }
    let max = medley_service::search::MAX_QUERY;
    if let Some(why) = medley_core::text::refusal(&format!("{at}.value"), said, max, false) {
        return Err(bad(why));
    }
    Ok(Some(said.trim().to_string()))
}

/// The item a ReceiveFeedback is about: `currentItemReference`, or the first content of
/// `activeContext`, which some captures show instead.
fn feedback_reference(payload: &Value) -> Result<(Uuid, Uuid), ServiceError> {
    if payload.get("currentItemReference").is_some() {
        return item_reference(payload, "currentItemReference");
    }
    let first = payload
        .pointer("/activeContext/content/0")
        .cloned()
        .unwrap_or(Value::Null);
    item_reference(
        &json!({ "currentItemReference": first }),
        "currentItemReference",
    )
}

async fn handle(
    m: &Medley,
    namespace: &str,
    name: &str,
    payload: &Value,
) -> Result<Value, ServiceError> {
    let token = payload
        .pointer("/requestContext/user/accessToken")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ServiceError::unauthorized(
                "INVALID_AUTH_TYPE",
                "payload.requestContext.user.accessToken is required",
            )
        })?;
    let p: Principal = m.principal_for_token(token).await?;
    let urls = Urls::of(m);
    let ack = || event("Alexa", "Response", "3.0", json!({}));
    match (namespace, name) {
        ("Alexa.Media.Search", "GetPlayableContent") => {
            let found = m.playable_content(&p, &search_criteria(payload)?).await?;
            Ok(event(
                namespace,
                "GetPlayableContent.Response",
                "1.0",
                json!({"content": render::content(&urls, &found)}),
            ))
        }
        ("Alexa.Media.Playback", "Initiate") => {
            let id = payload
                .get("contentId")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("payload.contentId is required"))?;
            let content = Content::parse(id).ok_or_else(|| {
                ServiceError::NotFound(format!("contentId '{id}' names no content of Medley's"))
            })?;
            let modes = payload.get("playbackModes").unwrap_or(&Value::Null);
            let on = |k: &str| modes.get(k).and_then(Value::as_bool).unwrap_or(false);
            let modes = PlaybackModes {
                shuffle: on("shuffle"),
                loop_: on("loop"),
                repeat: match modes.get("repeat") {
                    None | Some(Value::Null) => false,
                    Some(v) => repeat_status(v)?,
                },
            };
            let started = m.voice_initiate(&p, &content, modes).await?;
            Ok(event(
                namespace,
                "Initiate.Response",
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
        ("Alexa.Media.PlayQueue", "GetItem") => {
            let (queue, item) = item_reference(payload, "targetItemReference")?;
            let item = m.voice_item(&p, queue, item).await?;
            Ok(event(
                "Alexa.Audio.PlayQueue",
                "GetItem.Response",
                "1.0",
                json!({"item": render::item(&urls, &item)}),
            ))
        }
        ("Alexa.Media.PlayQueue", "GetView") => {
            let (queue, _) = item_reference(payload, "currentItemReference")?;
            let view = m.voice_view(&p, queue).await?;
            Ok(event(
                "Alexa.Audio.PlayQueue",
                "GetView.Response",
                "1.0",
                json!({
                    "queueControls": render::controls(&view.controls),
                    "items": view.items.iter().map(|i| render::item(&urls, i)).collect::<Vec<_>>(),
                }),
            ))
        }
        ("Alexa.Media.PlayQueue", "SetLoop" | "SetRepeat") => {
            let (queue, _) = item_reference(payload, "currentItemReference")?;
            let (mode, on) = if name == "SetLoop" {
                (LoopMode::LoopAll, flag(payload, "enable")?)
            } else {
                let status = payload
                    .get("mode")
                    .ok_or_else(|| bad("payload.mode is required"))?;
                (LoopMode::LoopOne, repeat_status(status)?)
            };
            m.voice_set_mode(&p, queue, mode, on).await?;
            Ok(ack())
        }
        ("Alexa.Media.PlayQueue", "SetShuffle") => {
            let (queue, _) = item_reference(payload, "currentItemReference")?;
            m.set_shuffle(&p, queue, flag(payload, "enable")?).await?;
            Ok(ack())
        }
        ("Alexa.Audio.PlayQueue", "GetNextItem" | "GetPreviousItem" | "JumpToItem") => {
            let (queue, current, to) = match name {
                "GetNextItem" => {
                    let (queue, current) = item_reference(payload, "currentItemReference")?;
                    let user_initiated = payload
                        .get("isUserInitiated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    (queue, Some(current), Move::Next { user_initiated })
                }
                "GetPreviousItem" => {
                    let (queue, current) = item_reference(payload, "currentItemReference")?;
                    (queue, Some(current), Move::Previous)
                }
                _ => {
                    let (queue, target) = item_reference(payload, "targetItemReference")?;
                    (queue, None, Move::To(target))
                }
            };
            let item = m.voice_move(&p, queue, current, to).await?;
            let mut answer = json!({});
            if name == "GetNextItem" {
                answer["isQueueFinished"] = json!(item.is_none());
            }
            if let Some(item) = &item {
                answer["item"] = render::item(&urls, item);
            }
            Ok(event(namespace, &format!("{name}.Response"), "1.0", answer))
        }
        ("Alexa.UserPreference", "ReceiveFeedback") => {
            let (queue, item) = feedback_reference(payload)?;
            let value = payload
                .pointer("/feedback/value")
                .and_then(Value::as_str)
                .unwrap_or("");
            let feedback = Feedback::parse(value).ok_or_else(|| {
                bad(format!(
                    "payload.feedback.value '{value}' is not POSITIVE or NEGATIVE"
                ))
            })?;
            let current = m.voice_feedback(&p, queue, item, feedback).await?;
            // A thumbs-down on what is playing skips it; Alexa then asks for the next item.
            let skip = current && feedback == Feedback::Negative;
            let answer = if skip {
                json!({"skip": true})
            } else {
                json!({})
            };
            Ok(event(namespace, "ReceiveFeedback.Response", "2.0", answer))
        }
        _ => Err(bad(format!("Medley does not handle {namespace}.{name}"))),
    }
}

/// Answers one directive (its raw JSON body) with the Alexa event to send back.
pub async fn answer(m: &Medley, body: &[u8]) -> Value {
    let directive: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return error_event(bad("the directive is not JSON"), "ITEM_NOT_FOUND"),
    };
    let text = |k: &str| {
        directive
            .pointer(&format!("/header/{k}"))
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("header.{k} is required")))
    };
    let (namespace, name) = match (text("namespace"), text("name")) {
        (Ok(ns), Ok(n)) => (ns, n),
        (Err(e), _) | (_, Err(e)) => return error_event(e, "ITEM_NOT_FOUND"),
    };
    let not_found = match namespace {
        "Alexa.Media.Search" | "Alexa.Media.Playback" => "CONTENT_NOT_FOUND",
        _ => "ITEM_NOT_FOUND",
    };
    let Some(payload) = directive.get("payload").filter(|p| p.is_object()) else {
        return error_event(bad("payload is required"), not_found);
    };
    handle(m, namespace, name, payload)
        .await
        .unwrap_or_else(|e| error_event(e, not_found))
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
    namespace: String,
    /// e.g. `GetNextItem`
    name: String,
    message_id: Option<String>,
    payload_version: Option<String>,
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
    description = "Alexa.Media.Search, Alexa.Media.Playback, Alexa.Media.PlayQueue, Alexa.UserPreference and Alexa.Media.Playback.QueueControl directives. Every answer is 200 with an Alexa event; failures are Alexa.ErrorResponse or Alexa.Media.ErrorResponse. Where the skill id is configured, a request Alexa did not sign (SignatureCertChainUrl, Signature-256) is refused with 400 INVALID_SIGNATURE.",
    request_body = Directive,
    params(
        ("SignatureCertChainUrl" = Option<String>, Header, description = "Where Alexa's signing certificate chain is (required where the skill id is configured)"),
        ("Signature-256" = Option<String>, Header, description = "Alexa's signature of the body, base64 (required where the skill id is configured)"),
    ),
    responses(
        (status = 200, description = "The Alexa event that answers the directive", body = Object),
        (status = 400, description = "INVALID_SIGNATURE: the request is not one Alexa signed for this skill", body = crate::error::ErrorBody),
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
            return Json(error_event(
                bad(format!("the directive could not be read: {e}")),
                "ITEM_NOT_FOUND",
            ))
            .into_response()
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
    Json(answer(&m, &body).await).into_response()
}
