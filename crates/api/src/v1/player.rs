//! Player V1.0 handlers: recently played tracks and entities.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use medley_service::Medley;

use super::playback::data;
use crate::extract::{bounded_limit, Caller};
use crate::ApiError;

type Params = Query<Vec<(String, String)>>;

/// One optional query parameter; given twice is a 400.
pub fn param<'a>(q: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ApiError> {
    let mut found = q.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let first = found.next();
    if found.next().is_some() {
        return Err(ApiError::bad_request(format!(
            "{name} is given more than once"
        )));
    }
    Ok(first)
}

/// `?limit=` within 1 to `max`, default `max`.
pub fn limit(q: &[(String, String)], max: u32) -> Result<u32, ApiError> {
    match param(q, "limit")? {
        None => Ok(max),
        Some(v) => bounded_limit(v.parse::<i64>().ok(), max as usize).map(|n| n as u32),
    }
}

pub async fn recently_played(
    State(m): State<Medley>,
    Caller(p): Caller,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let page = m
        .recently_played_tracks(&p, limit(&q, 60)?, param(&q, "cursor")?)
        .await?;
    Ok(data(serde_json::json!({ "user": page })))
}

pub async fn my_recent_entities(
    State(m): State<Medley>,
    Caller(p): Caller,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let page = m
        .recently_played_entities(
            &p,
            None,
            param(&q, "entityTypes")?,
            limit(&q, 100)?,
            param(&q, "cursor")?,
        )
        .await?;
    Ok(data(serde_json::json!({ "user": page })))
}

pub async fn user_recent_entities(
    State(m): State<Medley>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let page = m
        .recently_played_entities(
            &p,
            Some(&id),
            param(&q, "entityTypes")?,
            limit(&q, 100)?,
            param(&q, "cursor")?,
        )
        .await?;
    Ok(data(serde_json::json!({ "user": page })))
}
