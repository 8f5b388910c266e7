//! `GET /media/tracks/{id}?quality=…&expires=…&sig=…`: the audio behind a signed media URL
//! (the `playbackInformation.url` of the Web API, the `stream.uri` of Alexa), with Range
//! requests. The signature is the credential; an expired or forged URL answers 403.

use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use medley_service::Medley;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::ApiError;

pub async fn track(
    State(m): State<Medley>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let param = |k: &str| {
        q.get(k).map(String::as_str).ok_or_else(|| {
            ApiError::bad_request(format!("the media URL lacks its '{k}' parameter"))
        })
    };
    let checked = async {
        let expires = param("expires")?
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("expires must be a number of seconds"))?;
        Ok::<_, ApiError>(
            m.media_file(&id, param("quality")?, expires, param("sig")?)
                .await?,
        )
    };
    let file = match checked.await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    if !file.path.is_file() {
        return ApiError::not_found(format!(
            "the audio file of track '{id}' is missing from the library folder"
        ))
        .into_response();
    }
    match ServeFile::new(&file.path).oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    }
}
