//! `GET /v1/playback/notifications`: Medley's extension of the Web API, the signed-in user's
//! live notices (docs/api.md, "Live notice") as server-sent events. A reconnecting client
//! sends the last id it saw (`Last-Event-ID`) and gets what it missed, or a `resync` event
//! telling it to read its sessions again; heartbeats keep proxies from closing the stream,
//! and the stream ends when its token stops being good.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use medley_core::time::iso8601_ms;
use medley_service::live::{Change, Notice, Resync};
use medley_service::Medley;
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use uuid::Uuid;

use super::playback::TerminationReason;
use crate::extract::{Caller, Credentials};
use crate::params::NoQuery;
use crate::ApiError;

/// How often a stream sends a heartbeat comment, and checks that its token is still good.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// A notice's data: the session, its revision and when, then what changed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    session_id: Uuid,
    revision: i64,
    at: String,
    #[serde(flatten)]
    change: Changed<'a>,
}

#[derive(Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
enum Changed<'a> {
    Started {
        device_id: &'a str,
    },
    Playing {
        device_id: &'a str,
        entity_reference_id: Uuid,
        track_id: &'a str,
        offset_milliseconds: i64,
    },
    Stopped {
        device_id: &'a str,
        entity_reference_id: Uuid,
        termination_reason: TerminationReason,
        progress_milliseconds: i64,
    },
    StreamTaken {
        by_session_id: Uuid,
        by_device_id: &'a str,
    },
    Nothing {},
}

fn data(n: &Notice) -> Data<'_> {
    let change = match &n.change {
        Change::Started { device_id } => Changed::Started { device_id },
        Change::QueueChanged | Change::Ended => Changed::Nothing {},
        Change::Playing {
            device_id,
            entity_reference_id,
            track_id,
            offset_ms,
        } => Changed::Playing {
            device_id,
            entity_reference_id: *entity_reference_id,
            track_id,
            offset_milliseconds: *offset_ms,
        },
        Change::Stopped {
            device_id,
            entity_reference_id,
            reason,
            progress_ms,
        } => Changed::Stopped {
            device_id,
            entity_reference_id: *entity_reference_id,
            termination_reason: TerminationReason::from(*reason),
            progress_milliseconds: *progress_ms,
        },
        Change::StreamTaken {
            by_session,
            by_device,
        } => Changed::StreamTaken {
            by_session_id: *by_session,
            by_device_id: by_device,
        },
    };
    Data {
        session_id: n.session_id,
        revision: n.revision,
        at: iso8601_ms(n.at_ms),
        change,
    }
}

/// A resync's data: why the client must read its sessions again.
#[derive(Serialize)]
struct ResyncData {
    reason: &'static str,
}

fn event(n: &Notice) -> Event {
    Event::default()
        .id(n.id.clone())
        .event(n.change.name())
        .data(serde_json::to_string(&data(n)).unwrap_or_default())
}

fn resync(why: Resync) -> Event {
    Event::default().event("resync").data(
        serde_json::to_string(&ResyncData {
            reason: why.as_str(),
        })
        .unwrap_or_default(),
    )
}

/// The live notices after the missed ones; a stream that fell behind is told to read again,
/// and the stream ends once `still_good` says its token is not. The check keeps its own beat,
/// so that a busy stream is checked as often as an idle one.
fn live<F, Fut>(rx: Receiver<Arc<Notice>>, still_good: F) -> impl Stream<Item = Event>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = tokio::time::Instant::now() + HEARTBEAT;
    let mut beat = tokio::time::interval_at(start, HEARTBEAT);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    stream::unfold(
        (rx, beat, still_good),
        |(mut rx, mut beat, still_good)| async move {
            loop {
                tokio::select! {
                    got = rx.recv() => {
                        let event = match got {
                            Ok(n) => event(&n),
                            Err(RecvError::Lagged(_)) => resync(Resync::TooFarBehind),
                            Err(RecvError::Closed) => return None,
                        };
                        return Some((event, (rx, beat, still_good)));
                    }
                    _ = beat.tick() => {
                        if !still_good().await {
                            return None;
                        }
                    }
                }
            }
        },
    )
}

/// Live notice of the caller's sessions (server-sent events)
#[utoipa::path(get, path = "/v1/playback/notifications", tag = "Playback",
    operation_id = "playback_notifications",
    description = "Medley's extension of the Web API: the signed-in user's sessions as they change, as server-sent events (text/event-stream), never another user's. Events: `session.started`, `queue.changed` (queue next/last, shuffle, loop, a move by voice), `playback.started`, `playback.stopped`, `stream.taken` (another device took the session's stream), `session.ended` (its last entry finished), each with `sessionId` and `revision` (the session's version after the change) in its JSON data and an `id`. A client that reconnects sends the last id in `Last-Event-ID` and gets what it missed, or a `resync` event (`reason` UNKNOWN_EVENT_ID or TOO_FAR_BEHIND) that tells it to read its sessions again. A comment every 15 s keeps proxies from closing the stream; it ends when its token expires or is revoked.",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event the client saw, to resume after it")),
    responses(
        (status = 200, description = "An endless stream of server-sent events", content_type = "text/event-stream", body = String),
    ))]
pub async fn notifications(
    State(m): State<Medley>,
    Caller(p): Caller,
    _: NoQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok());
    let sub = m.live.subscribe(p.user.id.as_str(), last, m.now_ms());
    let first: Vec<Event> = match sub.missed {
        Ok(missed) => missed.iter().map(|n| event(n)).collect(),
        Err(why) => vec![resync(why)],
    };
    let credentials = Credentials::read(&headers)?;
    let still_good = move || {
        let (accounts, credentials) = (m.accounts.clone(), credentials.clone());
        async move { credentials.principal(&accounts).await.is_ok() }
    };
    let events = stream::iter(first)
        .chain(live(sub.live, still_good))
        .map(Ok::<_, Infallible>);
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response())
}
