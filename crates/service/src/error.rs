//! The one error type of the use cases; the API renders each variant as docs/api.md, "Errors" says.

use medley_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    BadRequest(String),
    /// 401 with the given code (INVALID_AUTH_TYPE, INVALID_AUTH_TOKEN, INVALID_ACCESS_TOKEN,
    /// INVALID_API_KEY).
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    ActionNotAllowed(String),
    /// An action not allowed because the tier's skips for the hour are used up.
    #[error("{0}")]
    NoMoreSkips(String),
    #[error("{0}")]
    NotFound(String),
    /// The request names something of a resource that is there, which the resource no longer
    /// has (an entry another client removed).
    #[error("{0}")]
    Conflict(String),
    #[error("Maximum number of concurrent listening is reached.")]
    MaxConcurrency,
    #[error("Failed to take over device streaming.")]
    TakeOverFailed,
    #[error("Too Many Requests. Rate limiting has been applied.")]
    Throttled { retry_after_secs: u64 },
    /// Something this request needs cannot be had now (an encode failed); a retry may work.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => ServiceError::BadRequest(m),
            StoreError::Conflict => {
                ServiceError::Internal("too many concurrent updates; retry".into())
            }
            StoreError::Backend(m) => ServiceError::Internal(m),
        }
    }
}

impl ServiceError {
    /// Ok when the policy allows the action; otherwise why not.
    pub fn check(
        policy: &medley_core::policy::PolicyInput,
        action: medley_core::policy::Action,
    ) -> ServiceResult<()> {
        policy.require(action).map_err(|why| {
            if policy.state(action).disable_type == Some("NO_MORE_SKIPS") {
                ServiceError::NoMoreSkips(why)
            } else {
                ServiceError::ActionNotAllowed(why)
            }
        })
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Unauthorized {
            code,
            message: message.into(),
        }
    }
}
