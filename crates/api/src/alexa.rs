//! `POST /alexa`: the Alexa Music Skill API's PlayQueue directives (spec/004), answered as the
//! spec shows. An Alexa queue is a Medley session (queueId = sessionId, item id =
//! entityReferenceId), so voice and the Web API steer one queue. Every answer is HTTP 200 with
//! an Alexa event; failures are Alexa.ErrorResponse or Alexa.Media.ErrorResponse, never a 500.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use medley_core::queue::LoopMode;
use medley_core::time::iso8601_ms;
use medley_service::accounts::Principal;
use medley_service::playback::voice::{Move, Toggle, VoiceItem};
use medley_service::{Medley, ServiceError};
use serde_json::{json, Value};
use uuid::Uuid;

fn header(namespace: &str, name: &str, version: &str) -> Value {
    json!({
        "namespace": namespace,
        "name": name,
        "messageId": Uuid::new_v4().simple().to_string(),
        "payloadVersion": version,
    })
}

fn event(namespace: &str, name: &str, version: &str, payload: Value) -> Value {
    json!({ "header": header(namespace, name, version), "payload": payload })
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

fn error_event(e: ServiceError) -> Value {
    let message = e.to_string();
    match e {
        ServiceError::Unauthorized {
            code: "INVALID_ACCESS_TOKEN",
            ..
        } => general_error("EXPIRED_AUTHORIZATION_CREDENTIAL", &message),
        ServiceError::Unauthorized { .. } | ServiceError::AccessDenied(_) => {
            general_error("INVALID_AUTHORIZATION_CREDENTIAL", &message)
        }
        ServiceError::NotFound(_) => media_error("ITEM_NOT_FOUND", &message),
        ServiceError::BadRequest(_) | ServiceError::ActionNotAllowed(_) => {
            general_error("INVALID_DIRECTIVE", &message)
        }
        ServiceError::Throttled { .. } => general_error("RATE_LIMIT_EXCEEDED", &message),
        ServiceError::MaxConcurrency | ServiceError::TakeOverFailed => {
            media_error("DEVICE_LIMIT_REACHED", &message)
        }
        ServiceError::Internal(_) => general_error("INTERNAL_ERROR", "Medley could not answer"),
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

fn enable(payload: &Value) -> Result<bool, ServiceError> {
    payload
        .get("enable")
        .and_then(Value::as_bool)
        .ok_or_else(|| bad("payload.enable must be true or false"))
}

const ART_SIZES: [(&str, u32); 5] = [
    ("X_SMALL", 48),
    ("SMALL", 60),
    ("MEDIUM", 110),
    ("LARGE", 256),
    ("X_LARGE", 600),
];

fn speech(text: &str) -> Value {
    json!({"speech": {"type": "PLAIN_TEXT", "text": text}, "display": text})
}

fn item_json(item: &VoiceItem) -> Value {
    let t = &item.track;
    let sources: Vec<Value> = t
        .images
        .first()
        .map(|img| {
            ART_SIZES
                .iter()
                .map(|(size, px)| json!({"url": img.url, "size": size, "widthPixels": px, "heightPixels": px}))
                .collect()
        })
        .unwrap_or_default();
    let mut metadata = json!({
        "type": "TRACK",
        "name": speech(&t.title),
        "art": {"sources": sources},
        "authors": t.artists.iter().map(|a| json!({"name": speech(&a.name)})).collect::<Vec<_>>(),
    });
    if let Some(album) = &t.album {
        metadata["album"] = json!({"name": speech(&album.title)});
    }
    json!({
        "id": item.id,
        "playbackInfo": {"type": "DEFAULT"},
        "metadata": metadata,
        "durationInMilliseconds": t.duration as u64 * 1000,
        "controls": [
            {"type": "COMMAND", "name": "NEXT", "enabled": item.next_enabled},
            {"type": "COMMAND", "name": "PREVIOUS", "enabled": item.previous_enabled},
        ],
        "rules": {"feedbackEnabled": false},
        "stream": {
            "id": format!("{}:{}", item.id, t.id),
            "uri": item.stream_uri,
            "offsetInMilliseconds": 0,
            "validUntil": iso8601_ms(item.valid_until_ms),
        },
    })
}

fn toggle(name: &str, t: &Toggle) -> Value {
    json!({"type": "TOGGLE", "name": name, "enabled": t.enabled, "selected": t.selected})
}

async fn handle(m: &Medley, body: &[u8]) -> Result<Value, ServiceError> {
    let directive: Value =
        serde_json::from_slice(body).map_err(|_| bad("the directive is not JSON"))?;
    let header = directive
        .get("header")
        .ok_or_else(|| bad("header is required"))?;
    let text = |k: &str| {
        header
            .get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("header.{k} is required")))
    };
    let (namespace, name) = (text("namespace")?, text("name")?);
    let payload = directive
        .get("payload")
        .filter(|p| p.is_object())
        .ok_or_else(|| bad("payload is required"))?;
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
    match (namespace, name) {
        ("Alexa.Media.PlayQueue", "GetItem") => {
            let (queue, item) = item_reference(payload, "targetItemReference")?;
            let item = m.voice_item(&p, queue, item).await?;
            Ok(event(
                "Alexa.Audio.PlayQueue",
                "GetItem.Response",
                "1.0",
                json!({"item": item_json(&item)}),
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
                    "queueControls": [toggle("SHUFFLE", &view.shuffle), toggle("LOOP", &view.loop_)],
                    "items": view.items.iter().map(item_json).collect::<Vec<_>>(),
                }),
            ))
        }
        ("Alexa.Media.PlayQueue", "SetLoop") => {
            let (queue, _) = item_reference(payload, "currentItemReference")?;
            let mode = if enable(payload)? {
                LoopMode::LoopAll
            } else {
                LoopMode::LoopOff
            };
            m.set_loop(&p, queue, mode).await?;
            Ok(event("Alexa", "Response", "3.0", json!({})))
        }
        ("Alexa.Media.PlayQueue", "SetShuffle") => {
            let (queue, _) = item_reference(payload, "currentItemReference")?;
            m.set_shuffle(&p, queue, enable(payload)?).await?;
            Ok(event("Alexa", "Response", "3.0", json!({})))
        }
        ("Alexa.Audio.PlayQueue", "GetNextItem" | "GetPreviousItem" | "JumpToItem") => {
            let (queue, current, to) = match name {
                "GetNextItem" => {
                    let (queue, current) = item_reference(payload, "currentItemReference")?;
                    let user = payload
                        .get("isUserInitiated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    (
                        queue,
                        Some(current),
                        Move::Next {
                            user_initiated: user,
                        },
                    )
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
                answer["item"] = item_json(item);
            }
            Ok(event(
                "Alexa.Audio.PlayQueue",
                &format!("{name}.Response"),
                "1.0",
                answer,
            ))
        }
        _ => Err(bad(format!("Medley does not handle {namespace}.{name}"))),
    }
}

pub async fn directive(
    State(m): State<Medley>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Json<Value> {
    let answer = match body {
        Ok(body) => handle(&m, &body).await,
        Err(e) => Err(bad(format!("the directive could not be read: {e}"))),
    };
    Json(answer.unwrap_or_else(error_event))
}
