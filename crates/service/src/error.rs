//! The one error type of the use cases; the API renders each variant as docs/api.md, "Errors" says.
//!
//! Every variant's text is written for the client, except two whose text is a cause for the log
//! (it may name files, tables or a database's words): `StoreUnavailable` and `Internal`. Every
//! edge tells the client `told()` and logs `cause()`.

use std::borrow::Cow;

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
    /// The store cannot be reached or cannot write just now; a retry after a moment may work.
    /// The text is the cause.
    #[error("the store is unavailable: {0}")]
    StoreUnavailable(String),
    /// Anything else that went wrong inside Medley. The text is the cause.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a client is told when the store cannot be reached or cannot write.
pub const STORE_UNAVAILABLE: &str =
    "Medley's store cannot be reached or cannot write just now; retry in a moment";
/// What a client is told of a failure inside Medley.
pub const INTERNAL: &str =
    "something went wrong inside Medley; the log has the details under this reference";
/// The seconds a client is asked to wait (`Retry-After`) before retrying after a store fault.
pub const STORE_RETRY_SECS: u64 = 1;

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => ServiceError::BadRequest(m),
            StoreError::Conflict => {
                ServiceError::Internal("too many concurrent updates; retry".into())
            }
            StoreError::Unavailable(m) => ServiceError::StoreUnavailable(m),
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
        Ok(policy.require(action)?)
    }

    /// What the client is told.
    pub fn told(&self) -> Cow<'_, str> {
        match self {
            ServiceError::StoreUnavailable(_) => Cow::Borrowed(STORE_UNAVAILABLE),
            ServiceError::Internal(_) => Cow::Borrowed(INTERNAL),
            other => Cow::Owned(other.to_string()),
        }
    }

    /// Logs the cause of a failure inside Medley (a store fault at WARN, anything else at
    /// ERROR), under the request's span and so its reference; nothing for the rest.
    pub fn log_cause(&self) {
        match self {
            ServiceError::StoreUnavailable(cause) => {
                tracing::warn!("the store is unavailable: {cause}")
            }
            ServiceError::Internal(cause) => tracing::error!("internal error: {cause}"),
            _ => {}
        }
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Unauthorized {
            code,
            message: message.into(),
        }
    }
}

/// "no track 'x'": the answer for an id that names nothing.
pub fn not_found(id: &impl medley_core::ids::Id) -> ServiceError {
    ServiceError::NotFound(format!("no {} '{id}'", id.noun()))
}

impl From<medley_core::policy::Refusal> for ServiceError {
    fn from(r: medley_core::policy::Refusal) -> ServiceError {
        use medley_core::policy::Refusal;
        match r {
            Refusal::NoMoreSkips(why) => ServiceError::NoMoreSkips(why),
            Refusal::NotAllowed(why) => ServiceError::ActionNotAllowed(why),
            Refusal::MaxConcurrency => ServiceError::MaxConcurrency,
            Refusal::TakeOverFailed => ServiceError::TakeOverFailed,
        }
    }
}
