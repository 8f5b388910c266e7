//! `GET /media/tracks/{id}?as=…&expires=…&sig=…`: the audio behind a signed media URL (the
//! `playbackInformation.url` of the Web API, the `stream.uri` of Alexa), with Range requests.
//! The signature is the credential; an expired or forged URL answers 403. A rendition Medley
//! encodes plays while it is being encoded (without Range: it grows as it is read) and is an
//! ordinary file once done.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use medley_core::audio::{Codec, Rendition};
use medley_core::ids::TrackId;
use medley_media::transcode::{Encoding, Outcome, Transcoded};
use medley_service::media::{Media, MediaFile};
use tokio::io::AsyncReadExt;
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::extract::IdPath;
use crate::params::Query;
use crate::ApiError;

/// What a signed media URL carries besides the track: the rendition, the expiry and the
/// signature over both.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Signed {
    /// What the URL serves: `original`, the encoding the quality called for, or a DASH
    /// presentation (`dash-…`).
    #[serde(rename = "as")]
    pub(crate) rendition: String,
    /// Unix seconds after which the URL answers 403.
    pub(crate) expires: i64,
    /// The URL's signature.
    pub(crate) sig: String,
}

/// A signed media URL's parameters, checked: what they grant, and the file behind it.
pub(crate) async fn checked(
    m: &Media,
    id: Result<IdPath<TrackId>, ApiError>,
    query: Result<Query<Signed>, ApiError>,
) -> Result<(Signed, MediaFile), ApiError> {
    let IdPath(id) = id?;
    let Query(q) = query?;
    let file = m.media_file(&id, &q.rendition, q.expires, &q.sig).await?;
    Ok((q, file))
}

/// The audio behind a signed media URL
#[utoipa::path(get, path = "/media/tracks/{id}", tag = "Media",
    description = "The URL is the credential: `playbackInformation.url` of the Web API or `stream.uri` of Alexa, signed and expiring. Range requests are answered (206, 416).",
    params(
        IdPath<TrackId>,
        Signed,
        ("Range" = Option<String>, Header, description = "bytes=FIRST-LAST"),
    ),
    responses(
        (status = 200, description = "The audio", content_type = "audio/*"),
        (status = 206, description = "The range asked for", content_type = "audio/*"),
        (status = 400, description = "A parameter is missing or malformed (BAD_REQUEST)", body = crate::error::ErrorBody),
        (status = 403, description = "Expired or forged URL (ACCESS_DENIED)", body = crate::error::ErrorBody),
        (status = 404, description = "No such track, or its file is missing (RESOURCE_NOT_FOUND)", body = crate::error::ErrorBody),
        (status = 416, description = "The range lies outside the file", body = crate::error::ErrorBody),
    ))]
pub async fn track(
    State(m): State<Media>,
    id: Result<IdPath<TrackId>, ApiError>,
    query: Result<Query<Signed>, ApiError>,
    req: Request,
) -> Response {
    let (_, file) = match checked(&m, id, query).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let id = file.track_id.as_str();
    if !file.path.is_file() {
        return ApiError::not_found(format!(
            "the audio file of track '{id}' is missing from the library folder"
        ))
        .into_response();
    }
    let Some(rendition) = file.rendition() else {
        return ApiError::not_found(
            "this media URL is a DASH manifest's: its path is /media/dash/…",
        )
        .into_response();
    };
    let mime = rendition
        .codec(file.codec)
        .map_or("application/octet-stream", Codec::mime);
    if rendition == Rendition::Original {
        return serve(&file.path, mime, req).await;
    }
    let (growing, mut done) = match m.transcoded(&file, Encoding::File(rendition)).await {
        Ok(Transcoded::Ready(path)) => return serve(&path, mime, req).await,
        Ok(Transcoded::Growing { file, done }) => (file, done),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if req.method() == Method::GET && !req.headers().contains_key(header::RANGE) {
        return (
            [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
            tail(growing, done),
        )
            .into_response();
    }
    // A range (or HEAD) needs the whole file's length: wait for the encode to finish.
    let outcome = done.wait_for(Option::is_some).await.map(|o| o.clone());
    match outcome {
        Ok(Some(Ok(path))) => serve(&path, mime, req).await,
        Ok(Some(Err(e))) => failed(id, rendition, &e),
        _ => failed(id, rendition, "the encode stopped"),
    }
}

fn failed(id: &str, r: Rendition, why: &str) -> Response {
    tracing::warn!(track = id, rendition = r.as_str(), "encode failed: {why}");
    ApiError::unavailable(format!(
        "the audio of track '{id}' could not be encoded as {}; the log has why",
        r.as_str()
    ))
    .into_response()
}

/// What a `Range` header asks for, as RFC 9110 reads it.
#[derive(Debug, PartialEq)]
enum Wanted {
    /// No range this server takes (another unit, bad syntax, several ranges): the whole file.
    Whole,
    /// The last `n` bytes.
    Suffix(u64),
    /// From `start`, to `end` inclusive if given.
    From(u64, Option<u64>),
}

fn wanted(value: &str) -> Wanted {
    let Some(spec) = value.trim().strip_prefix("bytes=").map(str::trim) else {
        return Wanted::Whole;
    };
    let Some((a, b)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return Wanted::Whole;
    };
    // A position past what u64 holds is past the end of any file: it clamps like any other.
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().unwrap_or(u64::MAX))
    };
    match (number(a), b.trim().is_empty()) {
        (None, _) if a.trim().is_empty() => number(b).map_or(Wanted::Whole, Wanted::Suffix),
        (None, _) => Wanted::Whole,
        (Some(start), true) => Wanted::From(start, None),
        (Some(start), false) => match number(b) {
            Some(end) if end >= start => Wanted::From(start, Some(end)),
            _ => Wanted::Whole,
        },
    }
}

/// Rewrites the request's `Range` to what the file server should do: none for a range this
/// server ignores, the whole file for a suffix longer than it, to the end for a last position
/// past it (RFC 9110 clamps both); anything else stays (and a start past the end is the file
/// server's 416).
fn normalize_range(req: &mut Request, len: u64) {
    let Some(value) = req.headers().get(header::RANGE) else {
        return;
    };
    let clamped = match value.to_str().map_or(Wanted::Whole, wanted) {
        Wanted::Whole => {
            req.headers_mut().remove(header::RANGE);
            return;
        }
        Wanted::Suffix(n) if n >= len && len > 0 => "bytes=0-".to_string(),
        Wanted::From(start, Some(end)) if end >= len && start < len => format!("bytes={start}-"),
        _ => return,
    };
    if let Ok(v) = HeaderValue::from_str(&clamped) {
        req.headers_mut().insert(header::RANGE, v);
    }
}

/// `bytes` as the answer to a request with `headers`: whole, or the one range it asks for
/// (206), or 416 for a range that starts past the end.
pub(crate) fn ranged(bytes: Vec<u8>, mime: &'static str, headers: &HeaderMap) -> Response {
    let len = bytes.len() as u64;
    let asked = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Wanted::Whole, wanted);
    let (first, last) = match asked {
        Wanted::Whole => (0, len.saturating_sub(1)),
        Wanted::Suffix(n) => (len.saturating_sub(n), len.saturating_sub(1)),
        Wanted::From(start, end) => (start, end.unwrap_or(u64::MAX).min(len.saturating_sub(1))),
    };
    let content_type = (header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let accept = (header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if matches!(asked, Wanted::Whole) || len == 0 {
        return ([content_type, accept], bytes).into_response();
    }
    if first >= len {
        let mut res = ApiError::of_status(StatusCode::RANGE_NOT_SATISFIABLE).into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
            res.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        return res;
    }
    let part = bytes[first as usize..=last as usize].to_vec();
    let range = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}"))
        .unwrap_or(HeaderValue::from_static("bytes */0"));
    (
        StatusCode::PARTIAL_CONTENT,
        [content_type, accept, (header::CONTENT_RANGE, range)],
        part,
    )
        .into_response()
}

async fn serve(path: &std::path::Path, mime: &'static str, mut req: Request) -> Response {
    let len = tokio::fs::metadata(path).await.map_or(0, |m| m.len());
    normalize_range(&mut req, len);
    let mut res = match ServeFile::new(path).oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    };
    if res.status().is_success() {
        let value = HeaderValue::from_static(mime);
        res.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    res
}

/// What is read of a growing file, chunk by chunk, until its encode is done; an encode that
/// fails ends the body with an error (the player sees a broken download, never wrong audio).
fn tail(file: std::fs::File, done: watch::Receiver<Outcome>) -> Body {
    struct State {
        file: tokio::fs::File,
        done: watch::Receiver<Outcome>,
        /// The encode finished: what is left to read is the end.
        finishing: bool,
        buf: Vec<u8>,
    }
    let state = State {
        file: tokio::fs::File::from_std(file),
        done,
        finishing: false,
        buf: vec![0; 64 * 1024],
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        loop {
            let n = match s.file.read(&mut s.buf).await {
                Ok(n) => n,
                Err(e) => return Some((Err(e), s)),
            };
            if n > 0 {
                let chunk = Bytes::copy_from_slice(&s.buf[..n]);
                return Some((Ok(chunk), s));
            }
            if s.finishing {
                return None;
            }
            let outcome = s.done.borrow().clone();
            match outcome {
                Some(Ok(_)) => s.finishing = true,
                Some(Err(e)) => return Some((Err(std::io::Error::other(e)), s)),
                None => {
                    let wait = Duration::from_millis(20);
                    if let Ok(Err(_)) = tokio::time::timeout(wait, s.done.changed()).await {
                        let stopped = std::io::Error::other("the encode stopped");
                        return Some((Err(stopped), s));
                    }
                }
            }
        }
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::{wanted, Wanted};

    #[test]
    fn ranges_read_as_rfc_9110_has_them() {
        assert_eq!(wanted("bytes=0-99"), Wanted::From(0, Some(99)));
        assert_eq!(wanted("bytes=100-"), Wanted::From(100, None));
        assert_eq!(wanted("bytes=-500"), Wanted::Suffix(500));
        assert_eq!(wanted(" bytes= 5 - 9 "), Wanted::From(5, Some(9)));
        let huge = "99999999999999999999999";
        assert_eq!(
            wanted(&format!("bytes=0-{huge}")),
            Wanted::From(0, Some(u64::MAX))
        );
        assert_eq!(wanted(&format!("bytes=-{huge}")), Wanted::Suffix(u64::MAX));
        assert_eq!(
            wanted(&format!("bytes={huge}-")),
            Wanted::From(u64::MAX, None)
        );
        for ignored in [
            "items=0-5",
            "bytes=abc",
            "bytes=",
            "bytes=-",
            "bytes=9-5",
            "bytes=0-1,4-5",
            "bytes=+1-2",
            "0-5",
        ] {
            assert_eq!(wanted(ignored), Wanted::Whole, "{ignored}");
        }
    }
}
