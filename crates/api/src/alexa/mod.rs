//! `POST /alexa`: the Alexa Music Skill API (Alexa.Media.PlayQueue and the directives around it), answered
//! as Amazon's examples show. An Alexa queue is a Medley session (queueId = sessionId, item id =
//! entityReferenceId), so voice and the Web API steer one queue. Every directive is answered
//! with HTTP 200 and an Alexa event, failures as Alexa.ErrorResponse or
//! Alexa.Media.ErrorResponse; a body that is no directive gets HTTP 400 with Alexa's error
//! shape; never a 500. [`answer`] is the whole handler, shared by the HTTP route and the Lambda
//! runtime.

mod directive;
mod read;
mod render;
pub mod signature;

use std::sync::Arc;

use crate::urls::Urls;
use crate::ApiError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use medley_core::queue::LoopMode;
use medley_service::accounts::Principal;
use medley_service::playback::voice::{ContentId, Feedback, Move};
use medley_service::{Medley, ServiceError};
use read::bad;
pub use render::Event;
use render::{
    ContentPayload, FeedbackPayload, GroupsPayload, InitiatedPayload, MovedPayload, Payload,
    ViewPayload,
};

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

/// The error event for a failure; `not_found` is the Alexa.Media type a missing thing gets.
fn error_event(e: ServiceError, not_found: &'static str) -> Event {
    e.log_cause();
    let message = e.told();
    match e {
        ServiceError::Unauthorized {
            code: "INVALID_ACCESS_TOKEN",
            ..
        } => Event::general_error("EXPIRED_AUTHORIZATION_CREDENTIAL", message),
        ServiceError::Unauthorized { .. } | ServiceError::AccessDenied(_) => {
            Event::general_error("INVALID_AUTHORIZATION_CREDENTIAL", message)
        }
        ServiceError::NotFound(_) => Event::media_error(not_found, message),
        ServiceError::BadRequest(_)
        | ServiceError::ActionNotAllowed(_)
        | ServiceError::Conflict(_) => Event::general_error("INVALID_DIRECTIVE", message),
        // The skip window is an hour (docs/api.md, "Tiers").
        ServiceError::NoMoreSkips(_) => Event::error(
            "Alexa.Audio",
            "1.0",
            "SKIP_LIMIT_REACHED",
            message,
            Some("HOURLY"),
        ),
        ServiceError::Throttled { .. } => Event::general_error("RATE_LIMIT_EXCEEDED", message),
        ServiceError::MaxConcurrency | ServiceError::TakeOverFailed => {
            Event::media_error("DEVICE_LIMIT_REACHED", message)
        }
        ServiceError::Internal(_) | ServiceError::Unavailable(_) => {
            Event::general_error("INTERNAL_ERROR", "Medley could not answer")
        }
        // Alexa has no error type of its own for this: INTERNAL_ERROR, told why, and the
        // HTTP answer says 503 with Retry-After (`Answer::status`).
        ServiceError::StoreUnavailable(_) => Event::general_error("INTERNAL_ERROR", message),
    }
}

/// What `/alexa` answers a request with.
pub struct Answer {
    /// The Alexa event.
    pub event: Event,
    /// The HTTP status that carries it: 200, but 400 for a request that was no directive at
    /// all (not JSON, or without the fields every directive has), and 503 with `Retry-After`
    /// when the store could not be reached or could not write.
    pub status: StatusCode,
}

/// The `(namespace, name, payload)` of a directive, or why the body is not one: every directive
/// is a JSON object whose header has a namespace, name, messageId and payloadVersion, beside an
/// object payload.
fn envelope(body: &[u8]) -> Result<(String, String, &str), String> {
    // serde reads a struct from an array too; a directive is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Err(_) => "the directive is not JSON".into(),
                Ok(_) => "the directive is not a JSON object".into(),
            },
        );
    }
    let envelope: directive::Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(e) if e.is_syntax() || e.is_eof() => return Err("the directive is not JSON".into()),
        Err(e) => {
            let why = crate::body::without_position(&e.to_string());
            return Err(format!("the directive is not one: {why}"));
        }
    };
    let h = &envelope.header;
    let field = |v: &Option<directive::Text>, k: &str| {
        v.as_ref()
            .and_then(directive::Text::as_str)
            .filter(|v| !v.is_empty())
            .map(String::from)
            .ok_or_else(|| format!("header.{k} is required"))
    };
    let (namespace, name) = (field(&h.namespace, "namespace")?, field(&h.name, "name")?);
    field(&h.message_id, "messageId")?;
    field(&h.payload_version, "payloadVersion")?;
    let payload = envelope
        .payload
        .map(|p| p.get())
        .filter(|p| p.starts_with('{'))
        .ok_or("payload is required, as an object")?;
    Ok((namespace, name, payload))
}

/// Answers one request's body (a directive's raw JSON) with the Alexa event to send back. One
/// rule for every directive: a body that is no directive is malformed; an unknown directive is
/// INVALID_DIRECTIVE; every directive Medley knows acts for a user, so it needs their access
/// token (INVALID_AUTHORIZATION_CREDENTIAL without one); then the directive is answered.
pub async fn answer(m: &Medley, urls: &Urls, body: &[u8]) -> Answer {
    let (namespace, name, payload) = match envelope(body) {
        Ok(parts) => parts,
        Err(why) => {
            return Answer {
                event: Event::general_error("INVALID_DIRECTIVE", why),
                status: StatusCode::BAD_REQUEST,
            }
        }
    };
    let mut status = StatusCode::OK;
    let event = match DirectiveKind::of(&namespace, &name) {
        None => Event::general_error(
            "INVALID_DIRECTIVE",
            format!("Medley does not handle {namespace}.{name}"),
        ),
        Some(d) => {
            let answered = match principal(m, payload).await {
                Ok(p) => handle(m, urls, d, &p, &namespace, &name, payload).await,
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
async fn principal(m: &Medley, payload: &str) -> Result<Principal, ServiceError> {
    let asker: directive::Asker = serde_json::from_str(payload).unwrap_or_default();
    let token = asker
        .request_context
        .user
        .access_token
        .as_str()
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
    urls: &Urls,
    d: DirectiveKind,
    p: &Principal,
    namespace: &str,
    name: &str,
    payload: &str,
) -> Result<Event, ServiceError> {
    let response = format!("{name}.Response");
    let answer =
        |namespace: &str, version, payload| Event::new(namespace, &response, version, payload);
    match d {
        DirectiveKind::GetPlayableContent => {
            let asked: directive::GetPlayableContent = read::payload(payload)?;
            let found = m
                .playback
                .playable_content(p, &read::search_criteria(&asked)?)
                .await?;
            let content = render::content(urls, &found);
            Ok(answer(
                namespace,
                "1.0",
                Payload::Content(ContentPayload { content }),
            ))
        }
        DirectiveKind::GetDisplayableContent => {
            let asked: directive::GetDisplayableContent = read::payload(payload)?;
            let (query, limit) = read::display_request(&asked)?;
            let groups = m
                .playback
                .displayable_content(p, query.as_ref(), limit)
                .await?;
            let content_groups = render::groups(urls, &groups);
            Ok(answer(
                namespace,
                "2.0",
                Payload::Groups(GroupsPayload { content_groups }),
            ))
        }
        DirectiveKind::Initiate => {
            let asked: directive::Initiate = read::payload(payload)?;
            let id = &asked.content_id;
            let content = ContentId::parse(id).ok_or_else(|| {
                ServiceError::NotFound(format!("contentId '{id}' names no content of Medley's"))
            })?;
            let modes = read::playback_modes(&asked.playback_modes)?;
            let started = m.playback.voice_initiate(p, &content, modes).await?;
            let playback_method = render::playback_method(urls, &started);
            Ok(answer(
                namespace,
                "1.0",
                Payload::Initiated(InitiatedPayload { playback_method }),
            ))
        }
        // Answered on Alexa.Audio.PlayQueue, as Amazon's examples show.
        DirectiveKind::GetItem => {
            let asked: directive::Targeted = read::payload(payload)?;
            let (queue, item) =
                read::item_reference(&asked.target_item_reference, "targetItemReference")?;
            let item = m.playback.voice_item(p, queue, item).await?;
            let item = Some(render::item(urls, &item));
            let moved = Payload::Moved(MovedPayload {
                is_queue_finished: None,
                item,
            });
            Ok(answer("Alexa.Audio.PlayQueue", "1.0", moved))
        }
        DirectiveKind::GetView => {
            let asked: directive::Current = read::payload(payload)?;
            let (queue, _) =
                read::item_reference(&asked.current_item_reference, "currentItemReference")?;
            let view = m.playback.voice_view(p, queue).await?;
            let view = Payload::View(ViewPayload {
                queue_controls: render::controls(&view.controls),
                items: view.items.iter().map(|i| render::item(urls, i)).collect(),
            });
            Ok(answer("Alexa.Audio.PlayQueue", "1.0", view))
        }
        DirectiveKind::SetLoop | DirectiveKind::SetShuffle => {
            let asked: directive::Enable = read::payload(payload)?;
            let (queue, _) =
                read::item_reference(&asked.current_item_reference, "currentItemReference")?;
            if d == DirectiveKind::SetLoop {
                let mode = LoopMode::LoopAll;
                m.playback
                    .voice_set_mode(p, queue, mode, asked.enable)
                    .await?;
            } else {
                m.playback.voice_set_shuffle(p, queue, asked.enable).await?;
            }
            Ok(Event::ack())
        }
        DirectiveKind::SetRepeat => {
            let asked: directive::SetRepeat = read::payload(payload)?;
            let (queue, _) =
                read::item_reference(&asked.current_item_reference, "currentItemReference")?;
            let on = read::switch(&asked.mode, "payload.mode.status")?;
            m.playback
                .voice_set_mode(p, queue, LoopMode::LoopOne, on)
                .await?;
            Ok(Event::ack())
        }
        DirectiveKind::GetNextItem | DirectiveKind::GetPreviousItem | DirectiveKind::JumpToItem => {
            let (queue, current, to) = match d {
                DirectiveKind::GetNextItem => {
                    let asked: directive::GetNextItem = read::payload(payload)?;
                    let reference = &asked.current_item_reference;
                    let (queue, current) = read::item_reference(reference, "currentItemReference")?;
                    let user_initiated = asked.is_user_initiated;
                    (queue, Some(current), Move::Next { user_initiated })
                }
                DirectiveKind::GetPreviousItem => {
                    let asked: directive::Current = read::payload(payload)?;
                    let reference = &asked.current_item_reference;
                    let (queue, current) = read::item_reference(reference, "currentItemReference")?;
                    (queue, Some(current), Move::Previous)
                }
                _ => {
                    let asked: directive::JumpToItem = read::payload(payload)?;
                    let (queue, target) = read::jump_target(&asked)?;
                    (queue, None, Move::To(target))
                }
            };
            let item = m.playback.voice_move(p, queue, current, to).await?;
            let moved = Payload::Moved(MovedPayload {
                is_queue_finished: (d == DirectiveKind::GetNextItem).then_some(item.is_none()),
                item: item.map(|i| render::item(urls, &i)),
            });
            Ok(answer(namespace, "1.0", moved))
        }
        DirectiveKind::ReceiveFeedback => {
            let asked: directive::ReceiveFeedback = read::payload(payload)?;
            let (queue, item) = read::feedback_reference(&asked)?;
            let value = asked.feedback.value.as_str().unwrap_or("");
            let feedback = Feedback::parse(value).ok_or_else(|| {
                bad(format!(
                    "payload.feedback.value '{value}' is not POSITIVE or NEGATIVE"
                ))
            })?;
            let current = m.playback.voice_feedback(p, queue, item, feedback).await?;
            // A thumbs-down on what is playing skips it; Alexa then asks for the next item.
            let skip = current && feedback == Feedback::Negative;
            Ok(answer(
                namespace,
                "2.0",
                Payload::Feedback(FeedbackPayload { skip }),
            ))
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
    #[schema(value_type = Object)]
    payload: (),
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
        (status = 200, description = "The Alexa event that answers the directive (its payload as the event's name calls for), or an error event", body = Event),
        (status = 400, description = "A body that is no directive (not JSON, or without header.namespace, name, messageId, payloadVersion or an object payload): Alexa.ErrorResponse INVALID_DIRECTIVE. Or, where the skill id is configured, a request Alexa did not sign: Medley's JSON error INVALID_SIGNATURE", body = Object),
    ))]
pub async fn directive(
    State(m): State<Medley>,
    urls: Urls,
    verifier: Option<Extension<Arc<signature::Verifier>>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            let why = format!("the directive could not be read: {e}");
            let event = Event::general_error("INVALID_DIRECTIVE", why);
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
    let answer = answer(&m, &urls, &body).await;
    let mut res = (answer.status, Json(answer.event)).into_response();
    if answer.status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            medley_service::error::STORE_RETRY_SECS.into(),
        );
    }
    res
}
