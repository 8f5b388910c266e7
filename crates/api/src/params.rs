//! Typed query strings. Each route's query is a Rust type whose fields are the parameters it
//! takes: unknown and repeated parameters are refused by derive, and a `limit` carries its
//! bounds and default in its type, from where they reach both the check and `/openapi.json`.

use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use medley_core::ids::{self, Id};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::ApiError;

/// `?limit=`: a number from `MIN` to `MAX`, `DEFAULT` when absent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit<const MIN: u32, const MAX: u32, const DEFAULT: u32>(pub u32);

impl<const MIN: u32, const MAX: u32, const DEFAULT: u32> Default for Limit<MIN, MAX, DEFAULT> {
    fn default() -> Self {
        Limit(DEFAULT)
    }
}

impl<const MIN: u32, const MAX: u32, const DEFAULT: u32> Limit<MIN, MAX, DEFAULT> {
    fn refusal() -> String {
        format!("limit must be a number between {MIN} and {MAX} inclusive")
    }

    fn bounded<E: de::Error>(n: i128) -> Result<Self, E> {
        if n >= MIN as i128 && n <= MAX as i128 {
            Ok(Limit(n as u32))
        } else {
            Err(E::custom(Self::refusal()))
        }
    }
}

impl<'de, const MIN: u32, const MAX: u32, const DEFAULT: u32> Deserialize<'de>
    for Limit<MIN, MAX, DEFAULT>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bounded<const MIN: u32, const MAX: u32, const DEFAULT: u32>;
        impl<const MIN: u32, const MAX: u32, const DEFAULT: u32> Visitor<'_>
            for Bounded<MIN, MAX, DEFAULT>
        {
            type Value = Limit<MIN, MAX, DEFAULT>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(&Limit::<MIN, MAX, DEFAULT>::refusal())
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Limit::bounded(n as i128)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Limit::bounded(n as i128)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                match s.parse::<i128>() {
                    Ok(n) => Limit::bounded(n),
                    Err(_) => Err(E::custom(Limit::<MIN, MAX, DEFAULT>::refusal())),
                }
            }
        }
        d.deserialize_any(Bounded::<MIN, MAX, DEFAULT>)
    }
}

impl<const MIN: u32, const MAX: u32, const DEFAULT: u32> PartialSchema
    for Limit<MIN, MAX, DEFAULT>
{
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(MIN))
            .maximum(Some(MAX))
            .default(Some(DEFAULT.into()))
            .into()
    }
}

impl<const MIN: u32, const MAX: u32, const DEFAULT: u32> ToSchema for Limit<MIN, MAX, DEFAULT> {}

macro_rules! cursors {
    ($($(#[$doc:meta])* $name:ident = $shape:ident;)*) => {$(
        $(#[$doc])*
        /// Its pattern, stated in `/openapi.json`, is its list's: any cursor of it is a
        /// position in the list.
        #[derive(Clone, Debug, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                use medley_service::paging::{pattern, shape};
                let what = "`pageInfo.token` of the previous page (docs/api.md, \"Paging\").";
                crate::fields::patterned(pattern(&shape::$shape), what).into()
            }
        }

        impl ToSchema for $name {}
    )*};
}

cursors! {
    /// `?cursor=` of a list by time, then id.
    TimeCursor = TIME;
    /// `?cursor=` of recently played tracks.
    PlayCursor = PLAY;
    /// `?cursor=` of recently played entities.
    EntityCursor = ENTITY;
    /// `?cursor=` of a numbered list: a playlist's or an artist's tracks.
    IndexCursor = INDEX;
    /// `?cursor=` of a list by name (or release date), then id.
    NamedCursor = NAMED;
    /// A search's `token`.
    OffsetCursor = OFFSET;
}

/// A route's query string as its type `T`; anything else is a 400 that says what was wrong.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(raw)
            .map(Query)
            .map_err(|e| ApiError::bad_request(refusal(&e.to_string())))
    }
}

/// The query string of a route that takes no parameters: empty, or a 400 naming the first.
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Nothing {}
        if parts.uri.query().is_none_or(str::is_empty) {
            return Ok(NoQuery);
        }
        Query::<Nothing>::from_request_parts(parts, state)
            .await
            .map(|_| NoQuery)
    }
}

/// Most ids a comma-separated list names.
pub const MAX_IDS: usize = 100;

/// The ids of a comma-separated `?{name}=` list: 1 to `MAX_IDS` of them. Items that cannot be
/// ids name nothing and are left out, as unknown ids are, so the list can come back empty.
pub fn id_list<T: Id>(name: &str, list: &str) -> Result<Vec<T>, ApiError> {
    let items: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{name} must name at least one id"
        )));
    }
    if items.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!(
            "{name} takes at most {MAX_IDS} ids, not {}",
            items.len()
        )));
    }
    Ok(ids::parse_all(&items))
}

/// An optional id filter (`?artistIds=`): absent or blank filters nothing.
pub fn id_filter<T: Id>(name: &str, list: Option<&str>) -> Result<Option<Vec<T>>, ApiError> {
    match list {
        Some(l) if l.split(',').any(|s| !s.trim().is_empty()) => id_list(name, l).map(Some),
        _ => Ok(None),
    }
}

/// serde's wording made the API's: a bounds message alone, others about the query string.
fn refusal(serde: &str) -> String {
    if serde.starts_with("limit must") {
        return serde.to_string();
    }
    let shown = crate::error::shown(serde, 200);
    if let Some(rest) = shown.strip_prefix("unknown field ") {
        let name = rest.split(',').next().unwrap_or(rest);
        return format!("this endpoint takes no query parameter {name}");
    }
    if let Some(field) = shown
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return format!("{field} is required");
    }
    if let Some(rest) = shown.strip_prefix("duplicate field ") {
        return format!("{rest} is given more than once");
    }
    format!("the query string is not valid: {shown}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Q {
        #[serde(default)]
        limit: Limit<1, 10, 10>,
        cursor: Option<String>,
    }

    fn parse(q: &str) -> Result<Q, String> {
        serde_urlencoded::from_str::<Q>(q).map_err(|e| refusal(&e.to_string()))
    }

    #[test]
    fn a_limit_is_bounded_and_defaults() {
        assert_eq!(parse("").unwrap().limit, Limit(10));
        assert_eq!(parse("limit=1").unwrap().limit, Limit(1));
        for bad in [
            "limit=0",
            "limit=11",
            "limit=x",
            "limit=-1",
            "limit=%205",
            "limit=99999999999999999999",
        ] {
            assert_eq!(
                parse(bad).unwrap_err(),
                "limit must be a number between 1 and 10 inclusive",
                "{bad}"
            );
        }
    }

    #[test]
    fn id_lists_are_bounded_and_keep_only_ids() {
        use medley_core::ids::TrackId;
        let ids = id_list::<TrackId>("ids", " T1, ,a b,T2 ").unwrap();
        assert_eq!(ids::strings(&ids), ["T1", "T2"]);
        assert!(id_list::<TrackId>("ids", "a b").unwrap().is_empty());
        assert!(id_list::<TrackId>("ids", " , ").is_err());
        let many = vec!["T"; MAX_IDS + 1].join(",");
        assert!(id_list::<TrackId>("ids", &many).is_err());
        assert_eq!(id_filter::<TrackId>("trackIds", Some(" ")).unwrap(), None);
        assert_eq!(id_filter::<TrackId>("trackIds", None).unwrap(), None);
        assert_eq!(
            id_filter::<TrackId>("trackIds", Some("a b")).unwrap(),
            Some(vec![])
        );
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        assert_eq!(
            parse("colour=red").unwrap_err(),
            "this endpoint takes no query parameter `colour`"
        );
        assert_eq!(
            parse("cursor=a&cursor=b").unwrap_err(),
            "`cursor` is given more than once"
        );
        assert_eq!(parse("cursor=a").unwrap().cursor.as_deref(), Some("a"));
    }
}
