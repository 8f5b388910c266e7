//! Playback V1.0: sessions, their queues and modes, and playback events. Each handler reads a
//! typed request, calls the use case and writes a typed answer in `{"data": …}`.

mod answers;
mod requests;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use medley_service::accounts::Principal;
use medley_service::playback::Playback;
use medley_service::playback::{Device, EventBatch};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use self::answers::{ActiveSessions, EntityPage, Licence, ModesAnswer, Paging, QueuePage, Queued};
pub(super) use self::requests::TerminationReason;
use self::requests::{
    CreateSession, Enqueue, LicenceRequest, ReportEvent, ReportEvents, SetLoop, SetShuffle,
};
use super::shapes::{data, Data};
use crate::body::{Body, Raw};
use crate::extract::{Caller, DeviceHeaders, EntityPath, SessionPath};
use crate::params::{Limit, NoQuery, Query};
use crate::urls::Urls;
use crate::ApiError;

type Answer = Result<Response, ApiError>;

/// `?limit=` of the queue's lists.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 10, 10>,
}

fn entity_page(
    urls: &Urls,
    page: &medley_service::playback::view::EntityPage<medley_service::playback::view::Entity>,
    paging: Paging,
) -> Response {
    data(EntityPage::of(urls, page, paging))
}

/// Create new session
#[utoipa::path(post, path = "/v1/playback/sessions", tag = "Playback",
    operation_id = "playback_create",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(DeviceHeaders),
    request_body = CreateSession,
    responses((status = 200, description = "The current entity and those after it", body = Data<EntityPage>)))]
pub async fn create(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    DeviceHeaders(device): DeviceHeaders,
    Body(body): Body<CreateSession>,
) -> Answer {
    let page = m.create_session(&p, &device, body.into_domain()?).await?;
    Ok(entity_page(&urls, &page, Paging::Plain))
}

/// Get current track
#[utoipa::path(get, path = "/v1/playback/sessions/{sessionId}/current", tag = "Playback",
    operation_id = "playback_current",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath, DeviceHeaders),
    responses((status = 200, description = "The entity that plays now", body = Data<EntityPage>)))]
pub async fn current(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
) -> Answer {
    let page = m.current(&p, &device, id).await?;
    Ok(entity_page(&urls, &page, Paging::None))
}

/// Get next tracks
#[utoipa::path(get, path = "/v1/playback/sessions/{sessionId}/next", tag = "Playback",
    operation_id = "playback_next",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath, ListQuery, DeviceHeaders),
    responses((status = 200, description = "The entities after the current one", body = Data<EntityPage>)))]
pub async fn next(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    Query(q): Query<ListQuery>,
) -> Answer {
    let page = m.next(&p, &device, id, q.limit.0 as usize).await?;
    Ok(entity_page(&urls, &page, Paging::WithToken))
}

/// Get previous tracks
#[utoipa::path(get, path = "/v1/playback/sessions/{sessionId}/previous", tag = "Playback",
    operation_id = "playback_previous",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath, ListQuery, DeviceHeaders),
    responses((status = 200, description = "The entities played before the current one, latest first", body = Data<EntityPage>)))]
pub async fn previous(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    Query(q): Query<ListQuery>,
) -> Answer {
    let page = m.previous(&p, &device, id, q.limit.0 as usize).await?;
    Ok(entity_page(&urls, &page, Paging::WithToken))
}

/// Get playback queue (reduced metadata)
#[utoipa::path(get, path = "/v1/playback/sessions/{sessionId}/queue", tag = "Playback",
    operation_id = "playback_queue",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath, ListQuery, DeviceHeaders),
    responses((status = 200, description = "The current entity and those after it, without actions or playback information", body = Data<QueuePage>)))]
pub async fn queue(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    Query(q): Query<ListQuery>,
) -> Answer {
    let page = m.queue_view(&p, &device, id, q.limit.0 as usize).await?;
    Ok(data(QueuePage::of(&urls, &page)))
}

/// Get active sessions
#[utoipa::path(get, path = "/v1/playback/sessions/active", tag = "Playback",
    operation_id = "playback_active",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    responses((status = 200, description = "The caller's sessions that can still be restored, with what each plays", body = Data<ActiveSessions>)))]
pub async fn active(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    _: NoQuery,
) -> Answer {
    let sessions = m.active_sessions(&p).await?;
    Ok(data(ActiveSessions::of(&urls, &sessions)))
}

/// Restore playback session
#[utoipa::path(get, path = "/v1/playback/sessions/{sessionId}/entities/{entityReferenceId}", tag = "Playback",
    operation_id = "playback_restore",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(EntityPath, ListQuery, DeviceHeaders),
    responses((status = 200, description = "The session positioned at the entity, with its progress, and the entities after it", body = Data<EntityPage>)))]
pub async fn restore(
    State(m): State<Playback>,
    urls: Urls,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    EntityPath(id, entity): EntityPath,
    Query(q): Query<ListQuery>,
) -> Answer {
    let page = m
        .restore(&p, &device, id, entity, q.limit.0 as usize)
        .await?;
    Ok(entity_page(&urls, &page, Paging::Plain))
}

async fn enqueue(m: Playback, p: Principal, id: Uuid, body: Enqueue, last: bool) -> Answer {
    let entity_reference_id = m.enqueue(&p, id, &body.play_params.id.0, last).await?;
    Ok((
        StatusCode::CREATED,
        data(Queued {
            entity_reference_id,
        }),
    )
        .into_response())
}

/// Queue next track
#[utoipa::path(post, path = "/v1/playback/sessions/{sessionId}/queue/next", tag = "Playback",
    operation_id = "playback_queue_next",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath),
    request_body = Enqueue,
    responses((status = 201, description = "Queued after the current entity, before earlier queued ones", body = Data<Queued>)))]
pub async fn queue_next(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    SessionPath(id): SessionPath,
    Body(body): Body<Enqueue>,
) -> Answer {
    enqueue(m, p, id, body, false).await
}

/// Queue last track
#[utoipa::path(post, path = "/v1/playback/sessions/{sessionId}/queue/last", tag = "Playback",
    operation_id = "playback_queue_last",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath),
    request_body = Enqueue,
    responses((status = 201, description = "Queued after the other queued entities", body = Data<Queued>)))]
pub async fn queue_last(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    SessionPath(id): SessionPath,
    Body(body): Body<Enqueue>,
) -> Answer {
    enqueue(m, p, id, body, true).await
}

/// Set playback mode to loop
#[utoipa::path(put, path = "/v1/playback/sessions/{sessionId}/loop", tag = "Playback",
    operation_id = "playback_set_loop",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath),
    request_body = SetLoop,
    responses((status = 200, description = "The session's modes after the change", body = Data<ModesAnswer>)))]
pub async fn set_loop(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    SessionPath(id): SessionPath,
    Body(body): Body<SetLoop>,
) -> Answer {
    let modes = m.set_loop(&p, id, body.loop_mode.into()).await?;
    Ok(data(ModesAnswer::from(modes)))
}

/// Set playback mode to shuffle
#[utoipa::path(put, path = "/v1/playback/sessions/{sessionId}/shuffle", tag = "Playback",
    operation_id = "playback_set_shuffle",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(SessionPath),
    request_body = SetShuffle,
    responses((status = 200, description = "The session's modes after the change", body = Data<ModesAnswer>)))]
pub async fn set_shuffle(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    SessionPath(id): SessionPath,
    Body(body): Body<SetShuffle>,
) -> Answer {
    let modes = m.set_shuffle(&p, id, body.on()).await?;
    Ok(data(ModesAnswer::from(modes)))
}

/// Reports a batch (or the refusal of its body) and counts its `n` events in `/metrics`.
async fn report(
    m: Playback,
    p: Principal,
    device: Device,
    n: usize,
    batch: Result<EventBatch, ApiError>,
) -> Answer {
    let outcome = match batch {
        Ok(batch) => m
            .report_events(&p, &device, &batch)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    crate::metrics::events(n, &outcome);
    outcome.map(|()| StatusCode::CREATED.into_response())
}

/// Get a Clear Key licence
#[utoipa::path(post, path = "/v1/playback/sessions/{sessionId}/license", tag = "Playback",
    operation_id = "playback_license",
    description = "Medley's: the `licenseUrl` of an encrypted DASH entity (`X-Amzn-Audio-DRMType: CLEARKEY`). The body is the browser's Clear Key licence request; the answer its JSON Web Key set. Only the session's user, with the bearer token, and only while the session can be restored.",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(
        SessionPath,
        ("x-amz-music-asin" = String, Header, description = "The track, from `licenseHeaders`",
            pattern = "^[ \\t]*[A-Za-z0-9._-]{1,64}[ \\t]*$"),
    ),
    request_body = LicenceRequest,
    responses(
        (status = 200, description = "The track's key under the id asked for", body = Licence),
        (status = 403, description = "The request asks for no key of that track (ACCESS_DENIED)", body = crate::error::ErrorBody),
        (status = 404, description = "No such session of this user (or it expired), or no such track (RESOURCE_NOT_FOUND)", body = crate::error::ErrorBody),
    ))]
pub async fn licence(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    SessionPath(id): SessionPath,
    headers: axum::http::HeaderMap,
    Body(body): Body<LicenceRequest>,
) -> Answer {
    let asin = headers
        .get("x-amz-music-asin")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request("the x-amz-music-asin header is required"))?;
    let track =
        <medley_core::ids::TrackId as medley_core::ids::Id>::parse(asin).ok_or_else(|| {
            ApiError::not_found(format!("no track '{}'", crate::error::shown(asin, 100)))
        })?;
    if body.kind.as_deref().is_some_and(|k| k != "temporary") {
        return Err(ApiError::bad_request(
            "type: Medley gives temporary licences only",
        ));
    }
    let key = m.clear_key_licence(&p, id, &track, &body.kids.0).await?;
    Ok(axum::Json(Licence::of(&key)).into_response())
}

/// Report single event
#[utoipa::path(post, path = "/v1/playback/event", tag = "Playback",
    operation_id = "playback_event",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(DeviceHeaders),
    request_body = ReportEvent,
    responses(
        (status = 201, description = "Applied and stored (a repeat of a stored event changes nothing)"),
        (status = 409, description = "An offset beyond the end of the track the event is about (CONFLICT)", body = crate::error::ErrorBody),
        (status = 422, description = "MAX_CONCURRENCY_REACHED or TAKE_OVER_DEVICE_STREAMING_ERROR", body = crate::error::ErrorBody),
    ))]
pub async fn event(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    DeviceHeaders(device): DeviceHeaders,
    Raw(body): Raw,
) -> Answer {
    let batch = crate::body::parse::<ReportEvent>(&body).and_then(ReportEvent::into_domain);
    report(m, p, device, 1, batch).await
}

/// Report multiple events
#[utoipa::path(post, path = "/v1/playback/events", tag = "Playback",
    operation_id = "playback_events",
    security(("bearer" = ["music::playback"], "apiKey" = [])),
    params(DeviceHeaders),
    request_body = ReportEvents,
    responses(
        (status = 201, description = "All applied and stored, or (on any refusal) none"),
        (status = 409, description = "An offset beyond the end of the track an event is about (CONFLICT): none is applied", body = crate::error::ErrorBody),
        (status = 422, description = "MAX_CONCURRENCY_REACHED or TAKE_OVER_DEVICE_STREAMING_ERROR", body = crate::error::ErrorBody),
    ))]
pub async fn events(
    State(m): State<Playback>,
    Caller(p): Caller,
    _: NoQuery,
    DeviceHeaders(device): DeviceHeaders,
    Raw(body): Raw,
) -> Answer {
    let batch = crate::body::parse::<ReportEvents>(&body).and_then(ReportEvents::into_domain);
    let n = match &batch {
        Ok(b) => b.events.len(),
        Err(_) => requests::listed_events(&body),
    };
    report(m, p, device, n, batch).await
}
