//! The one API error type: `{"status", "code", "message", "reference"}` (docs/api.md, "Errors").

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use medley_service::ServiceError;
use serde::Serialize;
use uuid::Uuid;

tokio::task_local! {
    pub static REQUEST_ID: Uuid;
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `Retry-After` seconds, for 429 and a store fault's 503.
    pub retry_after: Option<u64>,
}

/// The error body's schema (the body itself is `Body`, which borrows).
#[derive(utoipa::ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)]
pub struct ErrorBody {
    status: u16,
    code: String,
    message: String,
    reference: Uuid,
}

#[derive(Serialize)]
struct Body<'a> {
    status: u16,
    code: &'a str,
    message: &'a str,
    reference: Uuid,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", message)
    }

    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "this endpoint does not take that HTTP method",
        )
    }

    /// The error body for an answer some layer below the handlers gave without one.
    pub fn of_status(status: StatusCode) -> ApiError {
        let (code, message) = match status.as_u16() {
            400 => ("BAD_REQUEST", "the request is malformed"),
            404 => ("RESOURCE_NOT_FOUND", "no such resource"),
            405 => return ApiError::method_not_allowed(),
            408 => return ApiError::request_timeout(),
            413 => return ApiError::payload_too_large(),
            414 => return ApiError::uri_too_long(),
            416 => (
                "RANGE_NOT_SATISFIABLE",
                "no part of the Range can be served",
            ),
            429 => ("THROTTLED", "too many requests"),
            503 => ("UNAVAILABLE", "the service is unavailable; retry later"),
            s if s >= 500 => ("INTERNAL", INTERNAL_MESSAGE),
            _ => ("BAD_REQUEST", "the request cannot be served"),
        };
        ApiError::new(status, code, message)
    }

    pub fn request_timeout() -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "the request body did not arrive in time",
        )
    }

    pub fn uri_too_long() -> ApiError {
        ApiError::new(
            StatusCode::URI_TOO_LONG,
            "URI_TOO_LONG",
            format!("the path and query exceed {} bytes", crate::MAX_URI_BYTES),
        )
    }

    pub fn payload_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body exceeds {} bytes", crate::MAX_BODY_BYTES),
        )
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", message)
    }
}

/// What a client is told of an internal error; the details go to the log under the reference.
const INTERNAL_MESSAGE: &str = medley_service::error::INTERNAL;

/// Text fit to quote in a message: at most `max` characters, control characters escaped.
pub fn shown(input: &str, max: usize) -> String {
    let mut out: String = input
        .chars()
        .take(max)
        .flat_map(char::escape_debug)
        .collect();
    if input.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        e.log_cause();
        let message = e.told().into_owned();
        let retry_after = match e {
            ServiceError::Throttled { retry_after_secs } => Some(retry_after_secs),
            ServiceError::StoreUnavailable(_) => Some(medley_service::error::STORE_RETRY_SECS),
            _ => None,
        };
        let (status, code) = match e {
            ServiceError::BadRequest(_) => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            ServiceError::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            ServiceError::AccessDenied(_) => (StatusCode::FORBIDDEN, "ACCESS_DENIED"),
            ServiceError::ActionNotAllowed(_) | ServiceError::NoMoreSkips(_) => {
                (StatusCode::FORBIDDEN, "ACTION_NOT_ALLOWED")
            }
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, "CONFLICT"),
            ServiceError::MaxConcurrency => {
                (StatusCode::UNPROCESSABLE_ENTITY, "MAX_CONCURRENCY_REACHED")
            }
            ServiceError::TakeOverFailed => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "TAKE_OVER_DEVICE_STREAMING_ERROR",
            ),
            ServiceError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "THROTTLED"),
            ServiceError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE"),
            ServiceError::StoreUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "STORE_UNAVAILABLE")
            }
            ServiceError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL"),
        };
        ApiError {
            status,
            code,
            message,
            retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let reference = REQUEST_ID
            .try_with(|id| *id)
            .unwrap_or_else(|_| Uuid::new_v4());
        let body = Body {
            status: self.status.as_u16(),
            code: self.code,
            message: &self.message,
            reference,
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_inside_medley_are_never_told() {
        let cause = "/var/lib/medley/medley.db: database or disk is full";
        let store = ApiError::from(ServiceError::StoreUnavailable(cause.into()));
        assert_eq!(store.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(store.code, "STORE_UNAVAILABLE");
        assert_eq!(store.retry_after, Some(1));
        assert!(!store.message.contains("disk") && store.message.contains("retry"));
        let bug = ApiError::from(ServiceError::Internal(cause.into()));
        assert_eq!((bug.status.as_u16(), bug.code), (500, "INTERNAL"));
        assert_eq!(bug.message, INTERNAL_MESSAGE);
        for (e, code) in [
            (
                ServiceError::StoreUnavailable(cause.into()),
                "temporarily_unavailable",
            ),
            (ServiceError::Internal(cause.into()), "server_error"),
        ] {
            let oauth = medley_service::accounts::oauth::OAuthError::from(e);
            assert_eq!(oauth.code, code);
            assert!(!oauth.description.contains("medley.db"));
        }
    }
}
