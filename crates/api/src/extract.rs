//! Extractors: the caller (token + api key), the device headers, the session in a path, and
//! the query rules of the routes still in the route table.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use medley_service::accounts::Principal;
use medley_service::playback::Device;
use medley_service::Medley;

use crate::ApiError;

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The authenticated caller, holding the scope its route declares.
pub struct Caller(pub Principal);

impl<S> FromRequestParts<S> for Caller
where
    Medley: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let medley = Medley::from_ref(state);
        let principal = medley
            .authenticate(header(parts, "authorization"), header(parts, "x-api-key"))
            .await?;
        if let Some(scope) = parts.extensions.get::<crate::scopes::RequiredScope>() {
            principal.require_scope(&scope.0)?;
        }
        Ok(Caller(principal))
    }
}

/// `X-Amzn-Device-Id`, `X-Amzn-Audio-Device-Capability`, `X-Amzn-Audio-DRMType`.
pub struct DeviceHeaders(pub Device);

impl<S: Send + Sync> FromRequestParts<S> for DeviceHeaders {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(DeviceHeaders(Device::from_headers(
            header(parts, "x-amzn-device-id"),
            header(parts, "x-amzn-audio-device-capability"),
            header(parts, "x-amzn-audio-drmtype"),
        )?))
    }
}

impl utoipa::IntoParams for DeviceHeaders {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::Required;
        let header = |name: &str, required: bool, description: &str, default: Option<&str>| {
            let mut schema = utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String);
            if let Some(d) = default {
                schema = schema.default(Some(d.into()));
            }
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(if required {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        vec![
            header(
                "X-Amzn-Device-Id",
                true,
                "The device's id: sessions and streams belong to a device",
                None,
            ),
            header(
                "X-Amzn-Audio-Device-Capability",
                false,
                "Comma list of STD_RES, HI_FI, HI_RES, …",
                Some("STD_RES"),
            ),
            header(
                "X-Amzn-Audio-DRMType",
                false,
                "NONE, WIDEVINE, …",
                Some("NONE"),
            ),
        ]
    }
}

/// The `{sessionId}` of a path, as a UUID.
pub struct SessionPath(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for SessionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(params) =
            axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::bad_request("the path is malformed"))?;
        let raw = params
            .iter()
            .find(|(k, _)| k == "sessionId")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        uuid_param("sessionId", raw).map(SessionPath)
    }
}

impl utoipa::IntoParams for SessionPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![uuid_path_param("sessionId")]
    }
}

/// A path parameter that is a UUID, as the document shows it.
pub fn uuid_path_param(name: &str) -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(utoipa::openapi::Required::True)
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Uuid,
                ))),
        ))
        .build()
}

pub fn uuid_param(name: &str, value: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(value)
        .map_err(|_| ApiError::bad_request(format!("{name} must be a UUID")))
}

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

/// The query string, decoded; a malformed one is a 400.
pub fn query_pairs(uri: &axum::http::Uri) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|_| ApiError::bad_request("the query string is not valid"))
}

/// One rule for the query string of every route of the table (`v1::table_routes!`), from its
/// declaration there: only the parameters it takes, each at most once, and `limit` a number
/// within its bounds.
pub async fn check_query(
    req: axum::extract::Request,
    next: axum::middleware::Next,
    limit: Option<(u32, u32, u32)>,
    takes: &'static [&'static str],
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let checked = query_pairs(req.uri()).and_then(|q| {
        for (i, (k, _)) in q.iter().enumerate() {
            let known = takes.contains(&k.as_str()) || (k == "limit" && limit.is_some());
            if !known {
                return Err(ApiError::bad_request(format!(
                    "this endpoint takes no query parameter '{}'",
                    crate::error::shown(k, 64)
                )));
            }
            if q[..i].iter().any(|(seen, _)| seen == k) {
                return Err(ApiError::bad_request(format!(
                    "{k} is given more than once"
                )));
            }
        }
        match limit {
            Some((_, max, _)) => self::limit(&q, max).map(drop),
            None => Ok(()),
        }
    });
    match checked {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

pub fn bounded_limit(v: Option<i64>, max: usize) -> Result<usize, ApiError> {
    match v {
        Some(n) if n >= 1 && n <= max as i64 => Ok(n as usize),
        _ => Err(ApiError::bad_request(format!(
            "limit must be a number between 1 and {max} inclusive"
        ))),
    }
}
