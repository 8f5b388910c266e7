//! Playback V1.0 handlers: parse and bound the input, call the use case, wrap the
//! answer in `{"data": …}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use medley_core::event::{parse_take_over, ReportedEvent};
use medley_core::mrn::Mrn;
use medley_core::queue::LoopMode;
use medley_service::playback::{CreateRequest, EventBatch};
use medley_service::Medley;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::extract::{
    bounded_limit, uuid_param, Caller, DeviceHeaders, JsonBody, ListLimit, SessionPath,
};
use crate::ApiError;

type ApiResult = Result<Response, ApiError>;

/// Most events one batch may carry.
pub const MAX_BATCH_EVENTS: usize = 100;
/// Most tracks `playParams.containerIds` may list.
pub const MAX_CONTAINER_IDS: usize = 5000;

/// The `{"data": …}` envelope, serialised in one pass.
#[derive(Serialize)]
struct Data<T> {
    data: T,
}

pub fn data(body: impl Serialize) -> Response {
    Json(Data { data: body }).into_response()
}

fn mrn(v: &Value, field: &str) -> Result<Mrn, ApiError> {
    let s = v
        .as_str()
        .ok_or_else(|| ApiError::bad_request(format!("{field} must be a string")))?;
    Mrn::parse(s).map_err(|e| ApiError::bad_request(format!("{field}: {e}")))
}

/// An optional string field that must be one of `allowed`.
fn choice<'a>(
    obj: &'a Value,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(format!(
            "{path}{key} must be one of {}",
            allowed.join(", ")
        ))),
    }
}

fn object<'a>(body: &'a Value, key: &str) -> Result<Option<&'a Value>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) if v.is_object() => Ok(Some(v)),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be an object"))),
    }
}

fn parse_create(body: &Value) -> Result<CreateRequest, ApiError> {
    let play = object(body, "playParams")?
        .ok_or_else(|| ApiError::bad_request("playParams is required"))?;
    let id = match play.get("id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(mrn(v, "playParams.id")?),
    };
    let container_ids = match play.get("containerIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() > MAX_CONTAINER_IDS {
                return Err(ApiError::bad_request(format!(
                    "playParams.containerIds may list at most {MAX_CONTAINER_IDS} ids"
                )));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| mrn(v, &format!("playParams.containerIds[{i}]")))
                .collect::<Result<_, _>>()?
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "playParams.containerIds must be an array of strings",
            ))
        }
    };
    if id.is_none() && container_ids.is_empty() {
        return Err(ApiError::bad_request(
            "playParams.id or playParams.containerIds is required",
        ));
    }
    let mut req = CreateRequest {
        id,
        container_ids,
        limit: 11,
        ..Default::default()
    };
    if let Some(opts) = object(body, "playbackOptions")? {
        let p = "playbackOptions.";
        req.shuffle = choice(opts, "shuffleMode", p, &["SHUFFLE_ON", "SHUFFLE_OFF"])?
            .map(|s| s == "SHUFFLE_ON");
        req.loop_on =
            choice(opts, "loopMode", p, &["LOOP_ON", "LOOP_OFF"])?.map(|s| s == "LOOP_ON");
        req.autoplay = choice(
            opts,
            "playbackContinuationMode",
            p,
            &["AUTOPLAY_ON", "AUTOPLAY_OFF"],
        )?
        .map(|s| s == "AUTOPLAY_ON");
        req.start_as_station = match opts.get("startAsStation") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "playbackOptions.startAsStation must be a boolean",
                ))
            }
        };
    }
    if let Some(v) = body.get("limit").filter(|v| !v.is_null()) {
        let n = v.as_i64().filter(|_| v.is_i64() || v.is_u64());
        req.limit = bounded_limit(n, 11)?;
    }
    Ok(req)
}

pub async fn create(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let req = parse_create(&body)?;
    Ok(data(m.create_session(&p, &device, req).await?))
}

pub async fn current(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
) -> ApiResult {
    Ok(data(m.current(&p, &device, id).await?))
}

pub async fn next(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    ListLimit(limit): ListLimit,
) -> ApiResult {
    Ok(data(m.next(&p, &device, id, limit).await?))
}

pub async fn previous(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    ListLimit(limit): ListLimit,
) -> ApiResult {
    Ok(data(m.previous(&p, &device, id, limit).await?))
}

pub async fn queue(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    ListLimit(limit): ListLimit,
) -> ApiResult {
    Ok(data(m.queue_view(&p, &device, id, limit).await?))
}

pub async fn active(State(m): State<Medley>, Caller(p): Caller) -> ApiResult {
    Ok(data(m.active_sessions(&p).await?))
}

pub async fn restore(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    SessionPath(id): SessionPath,
    Path((_, entity)): Path<(String, String)>,
    ListLimit(limit): ListLimit,
) -> ApiResult {
    let entity = uuid_param("entityReferenceId", &entity)?;
    Ok(data(m.restore(&p, &device, id, entity, limit).await?))
}

async fn enqueue(
    m: Medley,
    p: medley_service::accounts::Principal,
    id: Uuid,
    body: Value,
    last: bool,
) -> ApiResult {
    let play = object(&body, "playParams")?
        .ok_or_else(|| ApiError::bad_request("playParams is required"))?;
    let item = match play.get("id") {
        None | Some(Value::Null) => return Err(ApiError::bad_request("playParams.id is required")),
        Some(v) => mrn(v, "playParams.id")?,
    };
    let entity = m.enqueue(&p, id, &item, last).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"data": {"entityReferenceId": entity}})),
    )
        .into_response())
}

pub async fn queue_next(
    State(m): State<Medley>,
    Caller(p): Caller,
    SessionPath(id): SessionPath,
    JsonBody(body): JsonBody,
) -> ApiResult {
    enqueue(m, p, id, body, false).await
}

pub async fn queue_last(
    State(m): State<Medley>,
    Caller(p): Caller,
    SessionPath(id): SessionPath,
    JsonBody(body): JsonBody,
) -> ApiResult {
    enqueue(m, p, id, body, true).await
}

pub async fn set_loop(
    State(m): State<Medley>,
    Caller(p): Caller,
    SessionPath(id): SessionPath,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mode = match choice(&body, "loopMode", "", &["LOOP_ONE", "LOOP_ALL", "LOOP_OFF"])? {
        Some("LOOP_ONE") => LoopMode::LoopOne,
        Some("LOOP_ALL") => LoopMode::LoopAll,
        Some(_) => LoopMode::LoopOff,
        None => return Err(ApiError::bad_request("loopMode is required")),
    };
    Ok(data(
        serde_json::json!({"metadata": m.set_loop(&p, id, mode).await?}),
    ))
}

pub async fn set_shuffle(
    State(m): State<Medley>,
    Caller(p): Caller,
    SessionPath(id): SessionPath,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let on = match choice(&body, "shuffleMode", "", &["SHUFFLE_ON", "SHUFFLE_OFF"])? {
        Some(s) => s == "SHUFFLE_ON",
        None => return Err(ApiError::bad_request("shuffleMode is required")),
    };
    Ok(data(
        serde_json::json!({"metadata": m.set_shuffle(&p, id, on).await?}),
    ))
}

/// Reports a batch (or the refusal of its parsing) and counts its `n` events in `/metrics`.
async fn report(
    m: Medley,
    p: medley_service::accounts::Principal,
    device: medley_service::playback::Device,
    n: usize,
    batch: Result<EventBatch, ApiError>,
) -> ApiResult {
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

pub async fn event(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let batch = (|| {
        Ok(EventBatch {
            events: vec![ReportedEvent::parse(&body, "").map_err(ApiError::bad_request)?],
            take_over: parse_take_over(&body).map_err(ApiError::bad_request)?,
            batch: false,
        })
    })();
    report(m, p, device, 1, batch).await
}

pub async fn events(
    State(m): State<Medley>,
    Caller(p): Caller,
    DeviceHeaders(device): DeviceHeaders,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let n = match body.get("events") {
        Some(Value::Array(list)) => list.len().max(1),
        _ => 1,
    };
    report(m, p, device, n, parse_batch(&body)).await
}

fn parse_batch(body: &Value) -> Result<EventBatch, ApiError> {
    let list = match body.get("events") {
        Some(Value::Array(list)) => list,
        None | Some(Value::Null) => return Err(ApiError::bad_request("events is required")),
        Some(_) => return Err(ApiError::bad_request("events must be an array")),
    };
    if list.is_empty() || list.len() > MAX_BATCH_EVENTS {
        return Err(ApiError::bad_request(format!(
            "events must hold between 1 and {MAX_BATCH_EVENTS} events"
        )));
    }
    let events = list
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if !v.is_object() {
                return Err(format!("events[{i}] must be an object"));
            }
            ReportedEvent::parse(v, &format!("events[{i}]."))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::bad_request)?;
    Ok(EventBatch {
        events,
        take_over: parse_take_over(body).map_err(ApiError::bad_request)?,
        batch: true,
    })
}
