//! The one API error type: `{"status", "code", "message", "reference"}` (DESIGN.md 2.4).

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
    /// `Retry-After` seconds, for 429.
    pub retry_after: Option<u64>,
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
            "BAD_REQUEST",
            "this endpoint does not take that HTTP method",
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
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "INTERNAL", message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        let retry_after = match e {
            ServiceError::Throttled { retry_after_secs } => Some(retry_after_secs),
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
            ServiceError::MaxConcurrency => {
                (StatusCode::UNPROCESSABLE_ENTITY, "MAX_CONCURRENCY_REACHED")
            }
            ServiceError::TakeOverFailed => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "TAKE_OVER_DEVICE_STREAMING_ERROR",
            ),
            ServiceError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "THROTTLED"),
            ServiceError::Internal(_) => {
                tracing::error!("internal error: {message}");
                (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
            }
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
