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

/// The version of the cursor format; a cursor of another version is refused like any other.
const CURSOR_VERSION: &str = "v1.";
/// Between a cursor's fields (never in an id).
const SEPARATOR: char = '\u{1f}';

/// A cursor holding `fields` (where the next page starts): `v1.` and their base64url.
pub(crate) fn cursor_of<const N: usize>(fields: [&str; N]) -> String {
    use base64::Engine;
    let joined = fields.join(&SEPARATOR.to_string());
    format!(
        "{CURSOR_VERSION}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(joined)
    )
}

/// The `N` fields of a cursor that `cursor_of` made; anything else is a 400.
pub(crate) fn open_cursor<const N: usize>(c: &str) -> ServiceResult<[String; N]> {
    use base64::Engine;
    let encoded = c.strip_prefix(CURSOR_VERSION).ok_or_else(bad_cursor)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    let fields: Vec<String> = text.split(SEPARATOR).map(String::from).collect();
    fields.try_into().map_err(|_| bad_cursor())
}

/// A cursor of a list ordered by time then id: `(ms, id)`.
pub(crate) fn time_cursor(cursor: Option<&str>) -> ServiceResult<Option<(i64, String)>> {
    let Some(c) = cursor else { return Ok(None) };
    let [ms, id] = open_cursor(c)?;
    Ok(Some((ms.parse().map_err(|_| bad_cursor())?, id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_its_fields_and_nothing_else_passes() {
        let c = cursor_of(["1716493161481", "B084KVZP2G"]);
        assert!(c.starts_with("v1.") && !c.contains("B084KVZP2G"), "{c}");
        assert_eq!(
            open_cursor::<2>(&c).unwrap(),
            ["1716493161481".to_string(), "B084KVZP2G".to_string()]
        );
        assert_eq!(
            time_cursor(Some(&c)).unwrap(),
            Some((1716493161481, "B084KVZP2G".to_string()))
        );
        // Another list's cursor (another number of fields), another version, garbage.
        assert!(open_cursor::<3>(&c).is_err());
        assert!(open_cursor::<2>(&c.replacen("v1.", "v2.", 1)).is_err());
        for bad in ["", "v1.", "v1.!!", "1716493161481:B084KVZP2G", "v1.%zz"] {
            assert!(open_cursor::<2>(bad).is_err(), "{bad}");
        }
        assert!(time_cursor(Some(&cursor_of(["soon", "x"]))).is_err());
    }
}
