//! The catalog model and the catalog file of docs/catalog-file.md.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::audio::AudioFormat;
use crate::mrn::valid_catalog_id;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Image {
    pub url: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Artist {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub images: Vec<Image>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Album {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub artist_ids: Vec<String>,
    #[serde(default)]
    pub track_ids: Vec<String>,
    #[serde(default)]
    pub release_date: Option<String>,
    #[serde(default)]
    pub images: Vec<Image>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Track {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub isrc: Option<String>,
    /// Seconds.
    #[serde(default)]
    pub duration: u32,
    #[serde(default)]
    pub album_id: Option<String>,
    #[serde(default)]
    pub artist_ids: Vec<String>,
    #[serde(default)]
    pub explicit: bool,
    #[serde(default)]
    pub genre: Option<String>,
    /// Which disc of its album it is on, and its number there, as tagged (the album's order
    /// is `Album::track_ids`).
    #[serde(default)]
    pub disc_number: Option<u32>,
    #[serde(default)]
    pub track_number: Option<u32>,
    /// Relative to the catalog file when imported; stored as given.
    #[serde(default)]
    pub file: Option<String>,
    /// What the file holds, as read from it on import (never from the catalog file).
    #[serde(skip)]
    pub audio: Option<AudioFormat>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Playlist {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub track_ids: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodcastShow {
    pub id: String,
    pub title: String,
}

/// The whole catalog file; every list is optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogFile {
    #[serde(default)]
    pub artists: Vec<Artist>,
    #[serde(default)]
    pub albums: Vec<Album>,
    #[serde(default)]
    pub tracks: Vec<Track>,
    #[serde(default)]
    pub playlists: Vec<Playlist>,
    #[serde(default)]
    pub podcast_shows: Vec<PodcastShow>,
}

impl CatalogFile {
    /// Checks ids, names and every reference inside the file. References may also point at
    /// items already stored (`known`), so an import can add to an existing catalog.
    pub fn validate(&self, known: &dyn Fn(&str, &str) -> bool) -> Result<(), String> {
        fn ids<'a>(
            kind: &str,
            items: impl Iterator<Item = (&'a str, &'a str)>,
        ) -> Result<HashSet<&'a str>, String> {
            let mut set = HashSet::new();
            for (id, name) in items {
                if !valid_catalog_id(id) {
                    return Err(format!("{kind} id '{id}' is not a valid catalog id"));
                }
                if name.trim().is_empty() {
                    return Err(format!("{kind} '{id}' has an empty name or title"));
                }
                if !set.insert(id) {
                    return Err(format!("{kind} id '{id}' appears twice"));
                }
            }
            Ok(set)
        }
        let artists = ids("artist", self.artists.iter().map(|a| (&*a.id, &*a.name)))?;
        let albums = ids("album", self.albums.iter().map(|a| (&*a.id, &*a.title)))?;
        let tracks = ids("track", self.tracks.iter().map(|t| (&*t.id, &*t.title)))?;
        ids(
            "playlist",
            self.playlists.iter().map(|p| (&*p.id, &*p.title)),
        )?;
        ids(
            "podcast show",
            self.podcast_shows.iter().map(|p| (&*p.id, &*p.title)),
        )?;
        let has = |set: &HashSet<&str>, kind: &str, id: &str| set.contains(id) || known(kind, id);
        let check = |owner: String, kind: &str, set: &HashSet<&str>, id: &str| {
            if has(set, kind, id) {
                Ok(())
            } else {
                Err(format!("{owner} refers to unknown {kind} '{id}'"))
            }
        };
        for a in &self.albums {
            for id in &a.artist_ids {
                check(format!("album '{}'", a.id), "artist", &artists, id)?;
            }
            for id in &a.track_ids {
                check(format!("album '{}'", a.id), "track", &tracks, id)?;
            }
        }
        for t in &self.tracks {
            if t.duration == 0 {
                return Err(format!("track '{}' has no duration", t.id));
            }
            for id in &t.artist_ids {
                check(format!("track '{}'", t.id), "artist", &artists, id)?;
            }
            if let Some(id) = &t.album_id {
                check(format!("track '{}'", t.id), "album", &albums, id)?;
            }
        }
        for p in &self.playlists {
            for id in &p.track_ids {
                check(format!("playlist '{}'", p.id), "track", &tracks, id)?;
            }
        }
        Ok(())
    }
}

/// The track as playback responses show it: the track joined with its album and artists.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackView {
    pub id: String,
    pub title: String,
    pub isrc: Option<String>,
    pub duration: u32,
    pub album: Option<AlbumRef>,
    pub artists: Vec<ArtistRef>,
    pub images: Vec<Image>,
    pub genre: Option<String>,
    pub disc_number: Option<u32>,
    pub track_number: Option<u32>,
    /// Release year of the album.
    pub year: Option<i32>,
    pub file: Option<String>,
    pub audio: Option<AudioFormat>,
    pub explicit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlbumRef {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArtistRef {
    pub id: String,
    pub name: String,
}

impl TrackView {
    /// "Artist - Album", as in the spec's `subtitle`.
    pub fn subtitle(&self) -> String {
        let artists = self
            .artists
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match (&self.album, artists.is_empty()) {
            (Some(al), false) => format!("{artists} - {}", al.title),
            (Some(al), true) => al.title.clone(),
            (None, _) => artists,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> CatalogFile {
        serde_json::from_str(
            r#"{"artists":[{"id":"A1","name":"The Strokes"}],
                "albums":[{"id":"AL1","title":"T","artistIds":["A1"],"trackIds":["T1"]}],
                "tracks":[{"id":"T1","title":"x","duration":10,"albumId":"AL1","artistIds":["A1"]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn accepts_a_consistent_file() {
        assert_eq!(file().validate(&|_, _| false), Ok(()));
    }

    #[test]
    fn a_track_may_say_its_disc_and_number() {
        let t: Track =
            serde_json::from_str(r#"{"id":"T2","title":"y","discNumber":2,"trackNumber":5}"#)
                .unwrap();
        assert_eq!((t.disc_number, t.track_number), (Some(2), Some(5)));
        assert_eq!(file().tracks[0].disc_number, None);
    }

    #[test]
    fn names_the_dangling_reference() {
        let mut f = file();
        f.albums[0].track_ids.push("T9".into());
        let err = f.validate(&|_, _| false).unwrap_err();
        assert!(err.contains("unknown track 'T9'"), "{err}");
        assert_eq!(f.validate(&|k, id| k == "track" && id == "T9"), Ok(()));
    }

    #[test]
    fn refuses_duplicates_and_empty_titles() {
        let mut f = file();
        f.tracks.push(f.tracks[0].clone());
        assert!(f
            .validate(&|_, _| false)
            .unwrap_err()
            .contains("appears twice"));
        let mut f = file();
        f.artists[0].name = " ".into();
        assert!(f
            .validate(&|_, _| false)
            .unwrap_err()
            .contains("empty name"));
    }
}
