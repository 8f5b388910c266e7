//! What every paged list shares: the page type and the one cursor format (opaque, versioned,
//! read back the same way by every list).

use crate::{ServiceError, ServiceResult};

/// One page of any list: its items, and the cursor of the next page if there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            next: None,
        }
    }
}

pub(crate) fn bad_cursor() -> ServiceError {
    ServiceError::BadRequest("cursor is not a token this endpoint returned".into())
}

/// What a cursor field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// A number, written as its digits (at most 18, so any i64 or u32 position reads back).
    Num,
    /// A text (an id, a name, a date), written as `~` and the hex of its UTF-8.
    Text,
}

/// The fields of each kind of list's cursor. Every list's cursor is one of these, and its
/// documented pattern (`pattern`) says which: any cursor of that pattern is a position in the
/// list, so a client (or a fuzzer) can only be refused for a cursor the document does not allow.
pub mod shape {
    use super::Field::{self, Num, Text};
    /// Lists by time, then id (follows, the library, a user's playlists).
    pub const TIME: [Field; 2] = [Num, Text];
    /// Recently played tracks: time, play number.
    pub const PLAY: [Field; 2] = [Num, Num];
    /// Recently played entities: time, type, id.
    pub const ENTITY: [Field; 3] = [Num, Text, Text];
    /// Search results: the offset of the next page.
    pub const OFFSET: [Field; 1] = [Num];
    /// Numbered lists (a playlist's or an artist's tracks): index, entry or track id.
    pub const INDEX: [Field; 2] = [Num, Text];
    /// Lists by name (or release date), then id.
    pub const NAMED: [Field; 2] = [Text, Text];
}

/// The version of the cursor format; a cursor of another version is refused like any other.
const CURSOR_VERSION: &str = "v2";

/// A cursor holding `fields` (where the next page starts), each written as `shape` says:
/// `v2`, then `.` and each field.
pub(crate) fn cursor_of<const N: usize>(shape: [Field; N], fields: [&str; N]) -> String {
    use std::fmt::Write;
    let mut c = CURSOR_VERSION.to_string();
    for (field, value) in shape.iter().zip(fields) {
        c.push('.');
        match field {
            Field::Num => c.push_str(value),
            Field::Text => {
                c.push('~');
                for b in value.bytes() {
                    let _ = write!(c, "{b:02x}");
                }
            }
        }
    }
    c
}

/// The `N` fields of a cursor of `shape`; anything else is a 400.
pub(crate) fn open_cursor<const N: usize>(
    c: &str,
    shape: [Field; N],
) -> ServiceResult<[String; N]> {
    let mut parts = c.split('.');
    if parts.next() != Some(CURSOR_VERSION) {
        return Err(bad_cursor());
    }
    let parts: Vec<&str> = parts.collect();
    if parts.len() != N {
        return Err(bad_cursor());
    }
    let fields: Vec<String> = parts
        .iter()
        .zip(shape)
        .map(|(part, field)| read_field(part, field))
        .collect::<Option<_>>()
        .ok_or_else(bad_cursor)?;
    fields.try_into().map_err(|_| bad_cursor())
}

fn read_field(part: &str, field: Field) -> Option<String> {
    match field {
        Field::Num => {
            (!part.is_empty() && part.len() <= 18 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.to_string())
        }
        Field::Text => {
            let hex = part.strip_prefix('~')?;
            if hex.len() % 2 != 0 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return None;
            }
            // No NUL: no store's text holds one.
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| {
                    u8::from_str_radix(&hex[i..i + 2], 16)
                        .ok()
                        .filter(|b| *b != 0)
                })
                .collect::<Option<_>>()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

/// The pattern of a `shape`'s cursors, as `/openapi.json` states it.
pub fn pattern(shape: &[Field]) -> String {
    let fields: String = shape
        .iter()
        .map(|f| match f {
            Field::Num => r"\.[0-9]{1,18}",
            Field::Text => r"\.~(0[1-9a-f]|[1-9a-f][0-9a-f])*",
        })
        .collect();
    format!("^{CURSOR_VERSION}{fields}$")
}

/// A cursor of a list ordered by time then id: `(ms, id)`.
pub(crate) fn time_cursor(cursor: Option<&str>) -> ServiceResult<Option<(i64, String)>> {
    let Some(c) = cursor else { return Ok(None) };
    let [ms, id] = open_cursor(c, shape::TIME)?;
    Ok(Some((ms.parse().map_err(|_| bad_cursor())?, id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_its_fields_and_nothing_else_passes() {
        let c = cursor_of(shape::TIME, ["1716493161481", "B084KVZP2G"]);
        assert_eq!(c, "v2.1716493161481.~423038344b565a503247");
        assert_eq!(
            open_cursor(&c, shape::TIME).unwrap(),
            ["1716493161481".to_string(), "B084KVZP2G".to_string()]
        );
        assert_eq!(
            time_cursor(Some(&c)).unwrap(),
            Some((1716493161481, "B084KVZP2G".to_string()))
        );
        // Names with dots, tildes and letters beyond ASCII read back.
        let named = cursor_of(shape::NAMED, ["Mr. Brightside ~ Beyoncé", "id.1"]);
        assert_eq!(
            open_cursor(&named, shape::NAMED).unwrap(),
            ["Mr. Brightside ~ Beyoncé".to_string(), "id.1".to_string()]
        );
        // Another list's cursor, another version, garbage.
        assert!(open_cursor(&c, shape::ENTITY).is_err());
        assert!(open_cursor(&c, shape::NAMED).is_err());
        assert!(open_cursor(&c.replacen("v2.", "v1.", 1), shape::TIME).is_err());
        for bad in [
            "",
            "v2",
            "v2.",
            "v2.12",
            "v2.12.~0",
            "v2.12.~zz",
            "v2.12.~AB",
            "v2.1234567890123456789.~",
            "1716493161481:B084KVZP2G",
        ] {
            assert!(open_cursor(bad, shape::TIME).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cursor_opens_exactly_when_its_pattern_allows_it() {
        let candidates = [
            "v2.0.~",
            "v2.999999999999999999.~ff00",
            "v2.12.~4142",
            "v2.12",
            "v2.x.~41",
            "v2.12.~4",
            "v2.12.~4G",
            "v2.12.~00",
            "v2.12.~4100",
            "v2.1234567890123456789.~",
            "v2.12.~41.~42",
            "v2.~41.~42",
            "v2.~.~",
            "v2.7",
            "v1.7",
        ];
        let shapes: [&[Field]; 4] = [&shape::TIME, &shape::ENTITY, &shape::OFFSET, &shape::NAMED];
        for s in shapes {
            let re = regex::Regex::new(&pattern(s)).unwrap();
            for c in candidates {
                let opens = match s.len() {
                    1 => open_cursor::<1>(c, s.try_into().unwrap()).is_ok(),
                    2 => open_cursor::<2>(c, s.try_into().unwrap()).is_ok(),
                    _ => open_cursor::<3>(c, s.try_into().unwrap()).is_ok(),
                };
                assert_eq!(re.is_match(c), opens, "{s:?} {c}");
            }
        }
        assert_eq!(pattern(&shape::OFFSET), r"^v2\.[0-9]{1,18}$");
    }
}
