//! Extractors: the caller (token + api key, holding the route's scope), the device headers
//! and the ids in a path (a session's, an item's), with what the document says of them.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use medley_core::ids::Id;
use medley_service::accounts::{Accounts, Principal};
use medley_service::playback::Device;

use crate::ApiError;

/// What a request presents to authenticate: the `Authorization` header's bearer token and the
/// `x-api-key` header (docs/api.md, "Headers").
#[derive(Clone)]
pub struct Credentials {
    pub token: String,
    pub api_key: Option<String>,
}

impl Credentials {
    /// The credentials in `headers`; a missing `Authorization` header or another scheme than
    /// `Bearer` is refused here.
    pub fn read(headers: &axum::http::HeaderMap) -> Result<Credentials, ApiError> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let not_bearer = || {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "INVALID_AUTH_TYPE",
                "Header does not contain bearer token.",
            )
        };
        let raw = text("authorization").ok_or_else(not_bearer)?.trim();
        let token = match raw.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            Some(_) => return Err(not_bearer()),
            None if raw.eq_ignore_ascii_case("bearer") => "",
            None => raw,
        };
        Ok(Credentials {
            token: token.to_string(),
            api_key: text("x-api-key").map(String::from),
        })
    }

    /// The principal they authenticate, asked of Accounts.
    pub async fn principal(&self, m: &Accounts) -> Result<Principal, ApiError> {
        Ok(m.authenticate(&self.token, self.api_key.as_deref()).await?)
    }
}

/// The authenticated caller, holding the scope its route declares.
pub struct Caller(pub Principal);

impl<S> FromRequestParts<S> for Caller
where
    Accounts: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Credentials::read(&parts.headers)?
            .principal(&Accounts::from_ref(state))
            .await?;
        // Fail closed: a route that asks for the caller but declares no scope is a bug.
        let Some(scope) = parts.extensions.get::<crate::scopes::RequiredScope>() else {
            tracing::error!("{} declares no scope", parts.uri.path());
            return Err(ApiError::of_status(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            ));
        };
        principal.require_scope(&scope.0)?;
        Ok(Caller(principal))
    }
}

/// `X-Amzn-Device-Id`, `X-Amzn-Audio-Device-Capability`, `X-Amzn-Audio-DRMType`, and Medley's
/// `X-Medley-Protocol`.
pub struct DeviceHeaders(pub Device);

impl<S: Send + Sync> FromRequestParts<S> for DeviceHeaders {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // A header that is there but not text (bytes beyond visible ASCII) is refused, not
        // taken for absent.
        let text = |name: &str| match parts.headers.get(name) {
            None => Ok(None),
            Some(v) => v
                .to_str()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("{name} must be visible ASCII text"))),
        };
        Ok(DeviceHeaders(Device::from_headers(
            text("x-amzn-device-id")?,
            text("x-amzn-audio-device-capability")?,
            text("x-amzn-audio-drmtype")?,
            text("x-medley-protocol")?,
        )?))
    }
}

impl utoipa::IntoParams for DeviceHeaders {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::Required;
        let header = |name: &str,
                      required: bool,
                      description: &str,
                      default: Option<&str>,
                      pattern: Option<String>| {
            let mut schema = utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .pattern(pattern);
            if required {
                schema = schema.max_length(Some(medley_service::playback::MAX_DEVICE_ID));
            }
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
        // An id: visible ASCII and spaces (what a header's text is), not only spaces.
        let id = "^[\\x20-\\x7E]*[\\x21-\\x7E][\\x20-\\x7E]*$".to_string();
        let text = || Some("^[\\t\\x20-\\x7E]*$".to_string());
        vec![
            header(
                "X-Amzn-Device-Id",
                true,
                "The device's id: sessions and streams belong to a device",
                None,
                Some(id),
            ),
            header(
                "X-Amzn-Audio-Device-Capability",
                false,
                "Comma list of STD_RES, HI_FI, HI_RES, …",
                Some("STD_RES"),
                text(),
            ),
            header(
                "X-Amzn-Audio-DRMType",
                false,
                "Comma list of NONE, WIDEVINE, CLEARKEY, …: CLEARKEY gets encrypted DASH and a licence URL; others a clear stream",
                Some("NONE"),
                text(),
            ),
            header(
                "X-Medley-Protocol",
                false,
                "Medley's: DASH (a manifest where the track has one) or PROGRESSIVE (always a file), in any case",
                Some("DASH"),
                Some(
                    "^[ \\t]*([Dd][Aa][Ss][Hh]|[Pp][Rr][Oo][Gg][Rr][Ee][Ss][Ss][Ii][Vv][Ee])?[ \\t]*$"
                        .into(),
                ),
            ),
        ]
    }
}

/// The client's IP address, where the server knows it (`ConnectInfo`).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = parts.extensions.get::<TrustedProxies>();
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        Ok(ClientAddr(peer.map(|p| {
            client_behind(p, &forwarded, trusted).to_string()
        })))
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (the `trusted_proxies` setting).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub std::sync::Arc<Vec<std::net::IpAddr>>);

/// The client's address: the TCP peer's, unless the peer is a trusted proxy; then the nearest
/// address `X-Forwarded-For` names that is not one (each proxy appends the address it heard
/// from, so the ones before the last untrusted hop are the client's word alone).
fn client_behind(
    peer: std::net::IpAddr,
    forwarded: &[&str],
    trusted: Option<&TrustedProxies>,
) -> std::net::IpAddr {
    let Some(trusted) = trusted.filter(|t| t.0.contains(&peer)) else {
        return peer;
    };
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.0.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// The `{sessionId}` of a path, as a UUID.
pub struct SessionPath(pub uuid::Uuid);

/// The path's parameters, by name, read once; each is "" where the route has none of it.
pub(crate) async fn path_params<S: Send + Sync, const N: usize>(
    parts: &mut Parts,
    state: &S,
    names: [&str; N],
) -> Result<[String; N], ApiError> {
    let axum::extract::Path(params) =
        axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("the path is malformed"))?;
    Ok(names.map(|name| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.clone())
    }))
}

/// The path's UUID parameters, by name.
async fn uuids<S: Send + Sync, const N: usize>(
    parts: &mut Parts,
    state: &S,
    names: [&str; N],
) -> Result<[uuid::Uuid; N], ApiError> {
    let raw = path_params(parts, state, names).await?;
    let mut out = [uuid::Uuid::nil(); N];
    for ((slot, name), value) in out.iter_mut().zip(names).zip(&raw) {
        *slot = uuid_param(name, value)?;
    }
    Ok(out)
}

/// The `{id}` of a path as the id type of its route. A string that cannot be an id names
/// nothing, so it is answered as an unknown id is: 404.
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: Id> FromRequestParts<S> for IdPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let [raw] = path_params(parts, state, ["id"]).await?;
        known(&raw).map(IdPath)
    }
}

/// `raw` as an id of `T`; one that cannot be an id is answered as an unknown one: 404.
fn known<T: Id>(raw: &str) -> Result<T, ApiError> {
    T::parse(raw).ok_or_else(|| {
        ApiError::not_found(format!(
            "no {} '{}'",
            T::NOUN,
            crate::error::shown(raw, 100)
        ))
    })
}

impl<T: Id> utoipa::IntoParams for IdPath<T> {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        vec![ParameterBuilder::new()
            .name("id")
            .parameter_in(ParameterIn::Path)
            .required(utoipa::openapi::Required::True)
            .description(Some(format!("The {}'s id", T::NOUN)))
            .schema(Some(crate::fields::id_schema()))
            .build()]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let [session] = uuids(parts, state, ["sessionId"]).await?;
        Ok(SessionPath(session))
    }
}

impl utoipa::IntoParams for SessionPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![uuid_path_param("sessionId")]
    }
}

/// The `{sessionId}` and `{entityReferenceId}` of a path, as UUIDs.
pub struct EntityPath(pub uuid::Uuid, pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for EntityPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let [session, entity] = uuids(parts, state, ["sessionId", "entityReferenceId"]).await?;
        Ok(EntityPath(session, entity))
    }
}

impl utoipa::IntoParams for EntityPath {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![
            uuid_path_param("sessionId"),
            uuid_path_param("entityReferenceId"),
        ]
    }
}

/// A path parameter that is a UUID, as the document shows it.
fn uuid_path_param(name: &str) -> utoipa::openapi::path::Parameter {
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

fn uuid_param(name: &str, value: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(value)
        .map_err(|_| ApiError::bad_request(format!("{name} must be a UUID")))
}

#[cfg(test)]
mod client_addr_tests {
    use super::*;

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_as_far_as_the_first_untrusted_hop() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let proxy = TrustedProxies(std::sync::Arc::new(vec![ip("127.0.0.1"), ip("10.0.0.2")]));
        // No proxy trusted, or a peer that is not one: the peer.
        assert_eq!(
            client_behind(ip("192.0.2.9"), &["203.0.113.5"], None),
            ip("192.0.2.9")
        );
        assert_eq!(
            client_behind(ip("192.0.2.9"), &["203.0.113.5"], Some(&proxy)),
            ip("192.0.2.9")
        );
        // Through the proxy: the address it heard from.
        assert_eq!(
            client_behind(ip("127.0.0.1"), &["203.0.113.5"], Some(&proxy)),
            ip("203.0.113.5")
        );
        // Through two trusted proxies; what the client claimed before them is not believed.
        assert_eq!(
            client_behind(
                ip("127.0.0.1"),
                &["6.6.6.6", "203.0.113.5", "10.0.0.2"],
                Some(&proxy)
            ),
            ip("203.0.113.5")
        );
        // Nothing forwarded, or garbage: the proxy itself.
        assert_eq!(
            client_behind(ip("127.0.0.1"), &[], Some(&proxy)),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_behind(ip("127.0.0.1"), &["not an address"], Some(&proxy)),
            ip("127.0.0.1")
        );
    }
}
