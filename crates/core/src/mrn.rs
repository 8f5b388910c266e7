//! Catalog references in MRN form: `mrn:1.0:catalog:<type>:asin:<id>`.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ItemKind {
    Track,
    Album,
    Playlist,
    Artist,
    Station,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Track => "track",
            ItemKind::Album => "album",
            ItemKind::Playlist => "playlist",
            ItemKind::Artist => "artist",
            ItemKind::Station => "station",
        }
    }

    /// The upper-case name used in metric ids (`selectionSourceType`).
    pub fn source_type(self) -> &'static str {
        match self {
            ItemKind::Track => "TRACK",
            ItemKind::Album => "ALBUM",
            ItemKind::Playlist => "PLAYLIST",
            ItemKind::Artist => "ARTIST",
            ItemKind::Station => "STATION",
        }
    }

    /// The entity type's name, as `_type` and `entityTypes` spell it.
    pub fn type_name(self) -> &'static str {
        match self {
            ItemKind::Track => "Track",
            ItemKind::Album => "Album",
            ItemKind::Playlist => "Playlist",
            ItemKind::Artist => "Artist",
            ItemKind::Station => "Station",
        }
    }

    /// The kind a `source_type()` name names.
    pub fn of_source_type(s: &str) -> Option<Self> {
        [
            ItemKind::Track,
            ItemKind::Album,
            ItemKind::Playlist,
            ItemKind::Artist,
            ItemKind::Station,
        ]
        .into_iter()
        .find(|k| k.source_type() == s)
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "track" => ItemKind::Track,
            "album" => ItemKind::Album,
            "playlist" => ItemKind::Playlist,
            "artist" => ItemKind::Artist,
            "station" => ItemKind::Station,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mrn {
    pub kind: ItemKind,
    pub id: String,
}

/// Catalog ids are opaque, but bounded: ASCII letters, digits, `-`, `_`, `.`, 1 to 64 characters.
pub fn valid_catalog_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl Mrn {
    pub fn parse(s: &str) -> Result<Mrn, String> {
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["mrn", "1.0", "catalog", kind, "asin", id] => {
                let kind = ItemKind::parse(kind).ok_or_else(|| {
                    format!("unknown item type '{kind}': expected track, album, playlist, artist or station")
                })?;
                if !valid_catalog_id(id) {
                    return Err(format!("'{id}' is not a valid catalog id"));
                }
                Ok(Mrn {
                    kind,
                    id: id.to_string(),
                })
            }
            _ => Err(format!(
                "'{s}' is not an MRN of the form mrn:1.0:catalog:<type>:asin:<id>"
            )),
        }
    }
}

impl fmt::Display for Mrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mrn:1.0:catalog:{}:asin:{}", self.kind.as_str(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m = Mrn::parse("mrn:1.0:catalog:album:asin:B084KYMDXT").unwrap();
        assert_eq!(m.kind, ItemKind::Album);
        assert_eq!(m.id, "B084KYMDXT");
        assert_eq!(m.to_string(), "mrn:1.0:catalog:album:asin:B084KYMDXT");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "",
            "B084KYMDXT",
            "mrn:1.0:catalog:podcast:asin:X",
            "mrn:2.0:catalog:track:asin:X",
            "mrn:1.0:catalog:track:asin:",
            "mrn:1.0:catalog:track:asin:a b",
            "mrn:1.0:catalog:track:asin:X:extra",
        ] {
            assert!(Mrn::parse(bad).is_err(), "{bad}");
        }
    }
}
