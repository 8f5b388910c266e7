//! JSON request bodies. A typed route's body is a Rust type read by derive (`Body<T>`), and a
//! refusal names the JSON path of the field it is about (`events[3].event.deviceTimezone: …`);
//! `Content-Type` may be missing, as in the spec's examples.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The request body as `T`.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read(req, state).await?;
        parse(&bytes).map(Body)
    }
}

/// The body's bytes, for a handler that reads them itself.
pub struct Raw(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Raw {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read(req, state).await.map(Raw)
    }
}

/// The whole body, refused when it is too large, too slow or empty.
pub async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let bytes = Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large()
        } else if crate::deadline::timed_out(&e) {
            ApiError::request_timeout()
        } else {
            ApiError::bad_request(format!("could not read the request body: {e}"))
        }
    })?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request("a JSON request body is required"));
    }
    Ok(bytes)
}

/// `bytes` as `T`, or a refusal that names the field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde reads a struct from an array too; a body is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                Err(e) => not_json(&e),
                Ok(_) => ApiError::bad_request("the request body must be a JSON object"),
            },
        );
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(refusal)?;
    de.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

fn not_json(e: &serde_json::Error) -> ApiError {
    ApiError::bad_request(format!("the request body is not valid JSON: {e}"))
}

fn refusal(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return not_json(&inner);
    }
    let message = without_position(&inner.to_string());
    let message = crate::error::shown(&message, 300);
    let at_root = path == ".";
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return ApiError::bad_request(if at_root {
            format!("{field} is required")
        } else {
            format!("{path}.{field} is required")
        });
    }
    if at_root {
        return ApiError::bad_request(message);
    }
    ApiError::bad_request(format!("{path}: {message}"))
}

/// serde_json's message without the " at line 1 column 40" it ends with.
pub(crate) fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_string(),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        events: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        device_timezone: String,
        speed: Option<f64>,
    }

    fn refused(body: &str) -> String {
        parse::<Outer>(body.as_bytes()).unwrap_err().message
    }

    #[test]
    fn a_refusal_names_the_json_path() {
        assert_eq!(
            refused(r#"{"events": [{"deviceTimezone": "+01:00"}, {"deviceTimezone": 5}]}"#),
            "events[1].deviceTimezone: invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            refused(r#"{"events": [{"speed": 1}]}"#),
            "events[0].deviceTimezone is required"
        );
        assert_eq!(refused(r#"{}"#), "events is required");
        assert_eq!(refused(r#"[1]"#), "the request body must be a JSON object");
        assert!(refused(r#"{"events": "#).starts_with("the request body is not valid JSON"));
        assert!(refused(r#"{"events": []} x"#).starts_with("the request body is not valid JSON"));
    }
}
