//! Value types of request body fields that check themselves as they are read: bounded integers
//! and lists, MRNs. Each carries its bounds into its schema, so `/openapi.json` states the rule
//! the check applies.

use std::fmt;
use std::marker::PhantomData;

use medley_core::mrn::Mrn;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A JSON integer from `MIN` to `MAX`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Between<const MIN: i64, const MAX: i64>(pub i64);

impl<const MIN: i64, const MAX: i64> Between<MIN, MAX> {
    fn expecting() -> String {
        if MAX == i64::MAX {
            format!("a whole number of at least {MIN}")
        } else {
            format!("a whole number from {MIN} to {MAX}")
        }
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Between<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const MIN: i64, const MAX: i64>;
        impl<const MIN: i64, const MAX: i64> V<MIN, MAX> {
            fn bounded<E: de::Error>(n: i128) -> Result<Between<MIN, MAX>, E> {
                if n >= MIN as i128 && n <= MAX as i128 {
                    Ok(Between(n as i64))
                } else {
                    Err(E::custom(format!(
                        "{n} is out of range: expected {}",
                        Between::<MIN, MAX>::expecting()
                    )))
                }
            }
        }
        impl<const MIN: i64, const MAX: i64> Visitor<'_> for V<MIN, MAX> {
            type Value = Between<MIN, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(&Between::<MIN, MAX>::expecting())
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Self::bounded(n as i128)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Self::bounded(n as i128)
            }
            // JSON Schema's integers include `5.0`; `5.5` is no integer.
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                if n.is_finite() && n.fract() == 0.0 {
                    Self::bounded(n as i128)
                } else {
                    Err(E::custom(format!(
                        "{n} is not {}",
                        Between::<MIN, MAX>::expecting()
                    )))
                }
            }
        }
        d.deserialize_i64(V::<MIN, MAX>)
    }
}

impl<const MIN: i64, const MAX: i64> Serialize for Between<MIN, MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<const MIN: i64, const MAX: i64> PartialSchema for Between<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(MIN))
            .maximum(Some(MAX))
            .into()
    }
}

impl<const MIN: i64, const MAX: i64> ToSchema for Between<MIN, MAX> {}

/// A count, a timestamp or an offset: a whole number, never negative.
pub type Count = Between<0, { i64::MAX }>;

/// A JSON array of `MIN` to `MAX` items.
#[derive(Clone, Debug, PartialEq)]
pub struct List<T, const MIN: usize, const MAX: usize>(pub Vec<T>);

impl<T, const MIN: usize, const MAX: usize> Default for List<T, MIN, MAX> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>, const MIN: usize, const MAX: usize> Deserialize<'de>
    for List<T, MIN, MAX>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const MIN: usize, const MAX: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MIN: usize, const MAX: usize> Visitor<'de> for V<T, MIN, MAX> {
            type Value = List<T, MIN, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an array of {MIN} to {MAX} items")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX));
                while let Some(item) = seq.next_element()? {
                    if items.len() == MAX {
                        return Err(de::Error::custom(format!("holds more than {MAX} items")));
                    }
                    items.push(item);
                }
                if items.len() < MIN {
                    return Err(de::Error::custom(format!(
                        "holds {} items: expected {MIN} to {MAX}",
                        items.len()
                    )));
                }
                Ok(List(items))
            }
        }
        d.deserialize_seq(V::<T, MIN, MAX>(PhantomData))
    }
}

impl<T: PartialSchema, const MIN: usize, const MAX: usize> PartialSchema for List<T, MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(T::schema())
            .min_items(Some(MIN))
            .max_items(Some(MAX))
            .into()
    }
}

impl<T: ToSchema, const MIN: usize, const MAX: usize> ToSchema for List<T, MIN, MAX> {
    /// The items are inlined; what they refer to is registered.
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}

/// A name, title or query as the use case takes it (`medley_core::text::name`): at most
/// `MAX` characters, none of them a control character, at least one visible. The use case
/// checks it; this states the rule in `/openapi.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(transparent)]
pub struct Name<const MAX: usize>(pub String);

/// A string of `pattern`, described: the schema of a text whose rule is a pattern.
pub fn patterned(pattern: String, description: impl Into<String>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
}

impl<const MAX: usize> PartialSchema for Name<MAX> {
    fn schema() -> RefOr<Schema> {
        let rule = format!(
            "1 to {MAX} characters: none a control character, at least one visible (not only white space or zero-width characters)."
        );
        patterned(medley_core::text::name_pattern(), rule)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .into()
    }
}

impl<const MAX: usize> ToSchema for Name<MAX> {}

/// Free-form text (a description): at most `MAX` characters, no control characters but line
/// breaks and tabs (`medley_core::text::refusal`, which the use case applies).
#[derive(Clone, Debug, Deserialize)]
#[serde(transparent)]
pub struct Text<const MAX: usize>(pub String);

impl<const MAX: usize> PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        let rule =
            format!("At most {MAX} characters, no control characters but line breaks and tabs.");
        patterned(medley_core::text::text_pattern(true), rule)
            .max_length(Some(MAX))
            .into()
    }
}

impl<const MAX: usize> ToSchema for Text<MAX> {}

/// What an id looks like (`medley_core::mrn::valid_catalog_id`), as the document shows it.
pub const ID_PATTERN: &str = "^[A-Za-z0-9._-]{1,64}$";

pub fn id_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(ID_PATTERN))
        .into()
}

/// A media reference name, `mrn:1.0:catalog:<type>:asin:<id>`.
#[derive(Clone, Debug, PartialEq)]
pub struct MrnField(pub Mrn);

impl<'de> Deserialize<'de> for MrnField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<str>>::deserialize(d)?;
        Mrn::parse(&s).map(MrnField).map_err(de::Error::custom)
    }
}

impl PartialSchema for MrnField {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(
                "^mrn:1\\.0:catalog:(track|album|playlist|artist|station):asin:[A-Za-z0-9._-]{1,64}$",
            ))
            .examples(["mrn:1.0:catalog:album:asin:B084KYMDXT"])
            .into()
    }
}

/// A track's media reference name, `mrn:1.0:catalog:track:asin:<id>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackMrn(pub Mrn);

impl<'de> Deserialize<'de> for TrackMrn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let MrnField(m) = MrnField::deserialize(d)?;
        match m.kind {
            medley_core::mrn::ItemKind::Track => Ok(TrackMrn(m)),
            other => Err(de::Error::custom(format!(
                "must name a track; '{m}' is a {}",
                other.as_str()
            ))),
        }
    }
}

impl PartialSchema for TrackMrn {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^mrn:1\\.0:catalog:track:asin:[A-Za-z0-9._-]{1,64}$"))
            .description(Some("The track, as its MRN."))
            .examples(["mrn:1.0:catalog:track:asin:B084KVZP2G"])
            .into()
    }
}

impl ToSchema for TrackMrn {}

impl ToSchema for MrnField {
    fn name() -> std::borrow::Cow<'static, str> {
        "Mrn".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_are_bounded_and_never_strings() {
        assert_eq!(read::<Between<1, 11>>("5"), Ok(Between(5)));
        assert_eq!(
            read::<Between<1, 11>>("5.0"),
            Ok(Between(5)),
            "JSON Schema's integer"
        );
        for bad in ["0", "12", "-3", "\"5\"", "1.5", "99999999999999999999"] {
            assert!(read::<Between<1, 11>>(bad).is_err(), "{bad}");
        }
        assert_eq!(read::<Count>("0"), Ok(Between(0)));
        assert!(read::<Count>("-1").unwrap_err().contains("at least 0"));
    }

    #[test]
    fn lists_are_bounded() {
        assert_eq!(read::<List<u8, 1, 2>>("[1, 2]"), Ok(List(vec![1, 2])));
        assert!(read::<List<u8, 1, 2>>("[]").is_err());
        assert!(read::<List<u8, 1, 2>>("[1, 2, 3]")
            .unwrap_err()
            .contains("more than 2"));
    }

    #[test]
    fn mrns_are_checked() {
        assert!(read::<MrnField>("\"mrn:1.0:catalog:track:asin:B084KVZP2G\"").is_ok());
        assert!(read::<MrnField>("\"B084KVZP2G\"")
            .unwrap_err()
            .contains("is not an MRN"));
    }
}
