//! `amzn-image-style` on an API request shapes the image URLs of its answer: image loaders fetch
//! those URLs without the header, so the size has to be in the URL itself.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use medley_media::artwork::style;

use crate::urls::styled_url;
use serde_json::Value;

/// Answers are at most this big where images are rewritten (a page of entities is far less).
const MAX_REWRITTEN: usize = 4 * 1024 * 1024;

/// The image style a request asks its answer in, if it is one Medley knows (the media routes
/// read the header themselves).
pub fn asked(req: &Request) -> Option<&'static str> {
    if req.uri().path().starts_with("/media/") {
        return None;
    }
    req.headers()
        .get("amzn-image-style")
        .and_then(|v| v.to_str().ok())
        .and_then(style)
}

/// A successful JSON answer with its image URLs in `style`; any other answer as it is.
pub async fn restyled(res: Response, public_url: &str, style: &str) -> Response {
    if !res.status().is_success() || !crate::is_json(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REWRITTEN).await else {
        return crate::ApiError::of_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    restyle(&mut value, public_url, style);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

/// Every `"images": [{"url": …}]` list, wherever it sits.
fn restyle(v: &mut Value, public_url: &str, style: &str) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "images" {
                    if let Value::Array(images) = child {
                        for image in images {
                            if let Some(Value::String(url)) = image.get_mut("url") {
                                *url = styled_url(url, public_url, style);
                            }
                        }
                        continue;
                    }
                }
                restyle(child, public_url, style);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| restyle(i, public_url, style)),
        _ => {}
    }
}
