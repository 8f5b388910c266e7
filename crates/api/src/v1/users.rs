//! User V1.0 handlers: the current user and other users' profiles.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use medley_service::Medley;
use serde_json::json;

use super::playback::data;
use crate::extract::param;
use crate::extract::{Caller, JsonBody};
use crate::ApiError;

pub async fn me(State(m): State<Medley>, Caller(p): Caller) -> Result<Response, ApiError> {
    Ok(data(json!({ "user": m.me(&p).await? })))
}

pub async fn update_me(
    State(m): State<Medley>,
    Caller(p): Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    Ok(data(json!({ "updateUser": m.update_me(&p, &body).await? })))
}

pub async fn user(
    State(m): State<Medley>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(data(json!({ "user": m.user_profile(&p, &id).await? })))
}

pub async fn users(
    State(m): State<Medley>,
    Caller(p): Caller,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let ids = param(&q, "ids")?.ok_or_else(|| ApiError::bad_request("ids is required"))?;
    Ok(data(json!({ "users": m.user_profiles(&p, ids).await? })))
}
