//! Typed ids: an id a request names is checked once, where it comes in, and a track's id
//! cannot be handed to something that wants an album's or a user's.

use std::fmt;

use crate::mrn::valid_catalog_id;

/// What every id type shares: the noun it names (for "no track 'x'") and its checked parse.
pub trait Id: Sized + Clone + fmt::Display {
    const NOUN: &'static str;

    /// `None` when `s` cannot be an id (see `valid_catalog_id`); such an id names nothing.
    fn parse(s: &str) -> Option<Self>;

    /// An id this server made or its store kept: taken as it is, not checked again.
    fn stored(s: String) -> Self;

    fn as_str(&self) -> &str;

    fn noun(&self) -> &'static str {
        Self::NOUN
    }
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident = $noun:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl Id for $name {
            const NOUN: &'static str = $noun;

            fn parse(s: &str) -> Option<Self> {
                valid_catalog_id(s).then(|| $name(s.to_string()))
            }

            fn stored(s: String) -> Self {
                $name(s)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            /// An id this server made or its store kept: taken as it is, not checked again.
            pub fn stored(s: impl Into<String>) -> Self {
                $name(s.into())
            }

            /// The id as the store keeps it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

ids! {
    /// A catalog track.
    TrackId = "track";
    /// A catalog album.
    AlbumId = "album";
    /// A catalog artist.
    ArtistId = "artist";
    /// A playlist: the catalog's or a user's.
    PlaylistId = "playlist";
    /// A station, named by the id of the item it is seeded from.
    StationId = "station";
    /// A podcast show.
    ShowId = "podcast show";
    /// A user account.
    UserId = "user";
}

/// The ids of `list` that can be ids, in order; the others name nothing and are left out.
pub fn parse_all<T: Id>(list: &[impl AsRef<str>]) -> Vec<T> {
    list.iter().filter_map(|s| T::parse(s.as_ref())).collect()
}

/// The ids as the store keeps them.
pub fn strings<T: Id>(ids: &[T]) -> Vec<String> {
    ids.iter().map(|i| i.as_str().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_catalog_shaped_strings_are_ids() {
        assert_eq!(TrackId::parse("B0DAT1").unwrap().as_str(), "B0DAT1");
        assert!(UserId::parse("A1B2C3").is_some());
        for bad in ["", "a b", "x/y", "é", &"a".repeat(65)] {
            assert!(TrackId::parse(bad).is_none(), "{bad}");
        }
        let ids: Vec<AlbumId> = parse_all(&["A1", "not one", "A2"]);
        assert_eq!(strings(&ids), ["A1", "A2"]);
        assert_eq!(<ShowId as Id>::NOUN, "podcast show");
    }
}
