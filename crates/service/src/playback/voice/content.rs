//! GetPlayableContent (Alexa.Media.Search): the attributes Alexa resolved from what the user
//! said, against Medley's catalog. A content id is the item's MRN, `genre:<name>` for a genre
//! (which plays as a station), or `mine:recent` / `mine:popular` for "Alexa, play music": the
//! user's own music (see `my_music`).

use std::sync::Arc;

use medley_core::catalog::TrackView;
use medley_core::ids::{Id, PlaylistId};
use medley_core::mrn::{ItemKind, Mrn};

use super::spoken::Wanted;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Item(Mrn),
    Genre(String),
    /// The user's own music, the most popular first or the most recent first.
    Mine {
        popular: bool,
    },
    /// The tracks the user liked (their library's tracks), the latest first.
    Liked,
}

impl Content {
    pub fn id(&self) -> String {
        match self {
            Content::Item(m) => m.to_string(),
            Content::Genre(g) => format!("genre:{g}"),
            Content::Mine { popular: true } => "mine:popular".into(),
            Content::Mine { popular: false } => "mine:recent".into(),
            Content::Liked => "mine:liked".into(),
        }
    }

    pub fn parse(id: &str) -> Option<Content> {
        match id {
            "mine:popular" => return Some(Content::Mine { popular: true }),
            "mine:recent" => return Some(Content::Mine { popular: false }),
            "mine:liked" => return Some(Content::Liked),
            _ => {}
        }
        match id.strip_prefix("genre:") {
            Some(g) if !g.is_empty() => Some(Content::Genre(g.to_string())),
            Some(_) => None,
            None => Mrn::parse(id).ok().map(Content::Item),
        }
    }
}

/// A content id as Initiate gets it back: what to play, and whether the listener asked for it
/// shuffled ("shuffle my music" is `shuffle:mine:recent`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentId {
    pub content: Content,
    pub shuffle: bool,
}

impl ContentId {
    pub fn parse(id: &str) -> Option<ContentId> {
        let (shuffle, rest) = match id.strip_prefix("shuffle:") {
            Some(rest) => (true, rest),
            None => (false, id),
        };
        Some(ContentId {
            content: Content::parse(rest)?,
            shuffle,
        })
    }
}

impl std::fmt::Display for ContentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shuffle = if self.shuffle { "shuffle:" } else { "" };
        write!(f, "{shuffle}{}", self.content.id())
    }
}

/// Tracks "Alexa, play music" queues at most.
const MY_MUSIC: u32 = 100;
/// Plays counted for "most played".
const TOP_OF_RECENT: u32 = 5000;

/// What "Alexa, play music" found to play, and what to call it.
pub struct MyMusic {
    pub tracks: Vec<String>,
    pub name: &'static str,
}

/// One attribute of what Alexa resolved from what was said.
#[derive(Clone, Debug, Default)]
pub struct Attribute {
    /// TRACK, ALBUM, ARTIST, PLAYLIST, GENRE or STATION; `None` for a value said without a type.
    pub kind: Option<String>,
    /// The catalog id Alexa matched, bare (as uploaded) or as an MRN.
    pub id: Option<String>,
    /// What Alexa heard, when it says.
    pub said: Option<String>,
}

/// What GetPlayableContent asks for.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    pub attributes: Vec<Attribute>,
    /// The MEDIA_TYPE attribute's value, if any (ALBUM, PLAYLIST, TRACK or STATION).
    pub media_type: Option<String>,
    /// The SORT_TYPE attribute's value, if any (`POPULARITY` or `RECENCY`).
    pub sort: Option<String>,
    pub explicit_allowed: bool,
}

/// Catalog entity ids may come bare (as uploaded) or as MRNs.
pub(super) fn catalog_id(id: &str) -> &str {
    if id.starts_with("mrn:") {
        id.rsplit(':').next().unwrap_or(id)
    } else {
        id
    }
}

pub struct FoundContent {
    pub content: Content,
    /// The listener asked for it shuffled.
    pub shuffle: bool,
    /// MediaMetadata type: TRACK, ALBUM, ARTIST, PLAYLIST, GENRE or STATION.
    pub kind: &'static str,
    pub name: String,
    /// A track that stands for the content: its art and artists describe it.
    pub sample: Option<Arc<TrackView>>,
}

impl FoundContent {
    /// The id Initiate takes back.
    pub fn id(&self) -> String {
        ContentId {
            content: self.content.clone(),
            shuffle: self.shuffle,
        }
        .to_string()
    }
}

fn not_found(what: String) -> ServiceError {
    ServiceError::NotFound(what)
}

impl Playback {
    /// The most specific entity asked for wins: a track, then an album, a playlist, an artist,
    /// a genre, a station. Entities named alongside it must agree with it (a track by the
    /// artist named). A station is asked for by a STATION attribute, MEDIA_TYPE STATION or
    /// "… radio".
    pub async fn playable_content(
        &self,
        p: &crate::accounts::Principal,
        c: &Criteria,
    ) -> ServiceResult<FoundContent> {
        // Looking content up is reading the catalog, as on the Web API.
        p.require_scope("music::catalog")?;
        let w = self.wanted(p, c).await?;
        let mut found = self.content_for(p, &w).await?;
        found.shuffle = w.shuffle;
        Ok(found)
    }

    async fn content_for(
        &self,
        p: &crate::accounts::Principal,
        w: &Wanted,
    ) -> ServiceResult<FoundContent> {
        let station = w.station;
        let as_station = |mut found: FoundContent, id: &str| {
            if station {
                found.content = Content::Item(Mrn {
                    kind: ItemKind::Station,
                    id: id.to_string(),
                });
                found.kind = "STATION";
            }
            found
        };
        if let Some(id) = w.entity("TRACK") {
            let t = self
                .tracks(&[id.to_string()])
                .await?
                .pop()
                .ok_or_else(|| not_found(format!("no track '{id}'")))?;
            if let Some(artist) = w.entity("ARTIST") {
                if !t.artists.iter().any(|a| a.id == artist) {
                    return Err(not_found(format!(
                        "track '{id}' is not by artist '{artist}'"
                    )));
                }
            }
            if let Some(album) = w.entity("ALBUM") {
                if t.album.as_ref().map(|a| a.id.as_str()) != Some(album) {
                    return Err(not_found(format!("track '{id}' is not on album '{album}'")));
                }
            }
            if t.explicit && !w.explicit_allowed {
                return Err(not_found(format!(
                    "track '{id}' is explicit and explicit language is not allowed"
                )));
            }
            let found = FoundContent {
                content: Content::Item(Mrn {
                    kind: ItemKind::Track,
                    id: id.to_string(),
                }),
                shuffle: false,
                kind: "TRACK",
                name: t.title.clone(),
                sample: Some(t),
            };
            return Ok(as_station(found, id));
        }
        for kind in [ItemKind::Album, ItemKind::Playlist, ItemKind::Artist] {
            let Some(id) = w.entity(kind.source_type()) else {
                continue;
            };
            let found = self.describe(p, kind, id).await?;
            return Ok(as_station(found, id));
        }
        if let Some(genre) = w.entity("GENRE") {
            let ids = self.store.genre_tracks(genre, 0, 1).await?;
            let sample = self.tracks(&ids).await?.pop();
            if sample.is_none() {
                return Err(not_found(format!("no track of genre '{genre}'")));
            }
            return Ok(FoundContent {
                content: Content::Genre(genre.to_string()),
                shuffle: false,
                kind: "GENRE",
                name: genre.to_string(),
                sample,
            });
        }
        if let Some(id) = w.entity("STATION") {
            return self.describe_station(p, id).await;
        }
        if station {
            return Err(not_found(
                "a station needs a track, album, artist, playlist or genre to start from".into(),
            ));
        }
        if w.liked {
            return self.liked_content(p).await;
        }
        // Nothing named ("Alexa, play music"): the user's own music.
        let popular = w.sort.as_deref() == Some("POPULARITY");
        self.my_music_content(p, popular).await
    }

    /// The tracks the user liked, as content.
    pub(super) async fn liked_content(
        &self,
        p: &crate::accounts::Principal,
    ) -> ServiceResult<FoundContent> {
        let liked = self.liked_tracks(p).await?;
        let sample = self.tracks(&liked[..1]).await?.pop();
        Ok(FoundContent {
            content: Content::Liked,
            shuffle: false,
            kind: "PLAYLIST",
            name: "your liked songs".into(),
            sample,
        })
    }

    /// The user's own music (`my_music`), as content.
    pub(super) async fn my_music_content(
        &self,
        p: &crate::accounts::Principal,
        popular: bool,
    ) -> ServiceResult<FoundContent> {
        let mine = self.my_music(p, popular).await?;
        let sample = self.tracks(&mine.tracks[..1]).await?.pop();
        Ok(FoundContent {
            content: Content::Mine { popular },
            shuffle: false,
            kind: "PLAYLIST",
            name: mine.name.to_string(),
            sample,
        })
    }

    /// The tracks the user liked, the latest first (at most as many as "play music" queues).
    pub(crate) async fn liked_tracks(
        &self,
        p: &crate::accounts::Principal,
    ) -> ServiceResult<Vec<String>> {
        if p.require_scope("music::library").is_err() {
            p.require_scope("music::library:read")?;
        }
        let tracks = self.library_tracks(p).await?;
        if tracks.is_empty() {
            return Err(not_found("you have not liked any songs yet".into()));
        }
        Ok(tracks)
    }

    /// The library's tracks, the latest first; none where the token may not read the library.
    async fn library_tracks(&self, p: &crate::accounts::Principal) -> ServiceResult<Vec<String>> {
        let readable = p.require_scope("music::library").is_ok()
            || p.require_scope("music::library:read").is_ok();
        if !readable {
            return Ok(Vec::new());
        }
        let saved = self
            .store
            .targets(&p.user.id, "LIBRARY_TRACK", &[], None, MY_MUSIC)
            .await?;
        self.playable(saved.into_iter().map(|(t, _)| t).collect())
            .await
    }

    /// The user's own music: their listening history (most played first, or most recent
    /// first), else their library, else a sample of the catalog. History and library count
    /// only where the token may read them.
    pub(crate) async fn my_music(
        &self,
        p: &crate::accounts::Principal,
        popular: bool,
    ) -> ServiceResult<MyMusic> {
        let user = &p.user.id;
        if p.require_scope("music::history").is_ok() {
            let tracks = if popular {
                self.store.top_tracks(user, TOP_OF_RECENT, MY_MUSIC).await?
            } else {
                let mut seen = std::collections::HashSet::new();
                let plays = self.store.recent_tracks(user, None, MY_MUSIC * 4).await?;
                plays
                    .into_iter()
                    .map(|p| p.track_id)
                    .filter(|t| seen.insert(t.clone()))
                    .take(MY_MUSIC as usize)
                    .collect()
            };
            let tracks = self.playable(tracks).await?;
            if !tracks.is_empty() {
                let name = if popular {
                    "your most played"
                } else {
                    "your recently played"
                };
                return Ok(MyMusic { tracks, name });
            }
        }
        let tracks = self.library_tracks(p).await?;
        if !tracks.is_empty() {
            return Ok(MyMusic {
                tracks,
                name: "your library",
            });
        }
        let tracks = self.store.sample_tracks(rand::random(), MY_MUSIC).await?;
        if tracks.is_empty() {
            return Err(not_found("the catalog has no tracks to play".into()));
        }
        Ok(MyMusic {
            tracks,
            name: "music from the catalog",
        })
    }

    /// The ones of `ids` still in the catalog, in order.
    async fn playable(&self, ids: Vec<String>) -> ServiceResult<Vec<String>> {
        let found = self.tracks(&ids).await?;
        Ok(found.iter().map(|t| t.id.clone()).collect())
    }

    /// A station seeded by an artist, album, playlist or track, as content.
    pub(super) async fn describe_station(
        &self,
        p: &crate::accounts::Principal,
        id: &str,
    ) -> ServiceResult<FoundContent> {
        let station = Mrn {
            kind: ItemKind::Station,
            id: id.to_string(),
        };
        let seed = self.library.station_seed(&station).await?;
        let found = self.describe(p, seed.kind, id).await?;
        Ok(FoundContent {
            content: Content::Item(station),
            kind: "STATION",
            ..found
        })
    }

    /// An album, playlist, artist or track as content: its name and a track that stands for it.
    pub(super) async fn describe(
        &self,
        p: &crate::accounts::Principal,
        kind: ItemKind,
        id: &str,
    ) -> ServiceResult<FoundContent> {
        if kind == ItemKind::Playlist {
            // Another user's private playlist is not found.
            let playlist =
                PlaylistId::parse(id).ok_or_else(|| not_found(format!("no playlist '{id}'")))?;
            self.library.visible_playlist(p, &playlist).await?;
        }
        let name = self.store.item_title(kind.source_type(), id).await?;
        let sample = self.library.sample_track(kind, id).await?;
        let (Some(name), Some(_)) = (name, &sample) else {
            return Err(not_found(format!(
                "no {} '{id}' with tracks to play",
                kind.as_str()
            )));
        };
        Ok(FoundContent {
            content: Content::Item(Mrn {
                kind,
                id: id.to_string(),
            }),
            shuffle: false,
            kind: kind.source_type(),
            name,
            sample,
        })
    }
}
