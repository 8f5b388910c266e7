use medley_core::ids::{AlbumId, ArtistId, PlaylistId, ShowId, UserId};
use medley_core::policy::Tier;
use medley_core::session::{ContextKind, ContextRef, EventRow, Session, UserStreams};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub artists: usize,
    pub albums: usize,
    pub tracks: usize,
    pub playlists: usize,
    pub podcast_shows: usize,
    /// Tracks dropped because their files are gone (folder scans).
    pub retired: usize,
}

impl ImportSummary {
    /// What a catalog file holds.
    pub fn of(file: &medley_core::catalog::CatalogFile) -> ImportSummary {
        ImportSummary {
            artists: file.artists.len(),
            albums: file.albums.len(),
            tracks: file.tracks.len(),
            playlists: file.playlists.len(),
            podcast_shows: file.podcast_shows.len(),
            retired: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Visibility {
    Public,
    Private,
}

impl Visibility {
    /// As stored: `PRIVATE` is private, anything else public.
    pub fn parse(s: &str) -> Visibility {
        if s == "PRIVATE" {
            Visibility::Private
        } else {
            Visibility::Public
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Visibility::Public => "PUBLIC",
            Visibility::Private => "PRIVATE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub tier: Tier,
    pub max_streams: u32,
    pub visibility: Visibility,
    pub playback_visibility: Visibility,
    pub created_ms: i64,
    /// Runs the house: the admin page (users, libraries).
    pub admin: bool,
}

/// A client application (a security profile): its x-api-key is its OAuth `client_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub api_key: String,
    pub name: String,
    pub created_ms: i64,
    /// Where sign-in may send the user back, matched exactly; none: not an OAuth client.
    pub redirect_uris: Vec<String>,
    /// SHA-256 of a confidential client's secret, hex; `None` for a public client.
    pub secret_hash: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// SHA-256 of the token, hex; the token itself is never stored.
    pub hash: String,
    pub user_id: UserId,
    pub client_key: String,
    pub scopes: Vec<String>,
    pub expires_ms: i64,
    pub created_ms: i64,
    /// The link (OAuth grant) it was issued under; unlinking ends it. `None`: issued by
    /// `medley token issue`.
    pub grant_id: Option<String>,
}

/// A user's link of a client application (an OAuth grant): what its refresh token renews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRecord {
    pub id: String,
    pub user_id: UserId,
    pub client_key: String,
    pub scopes: Vec<String>,
    /// SHA-256 of the current refresh token, hex.
    pub refresh_hash: Option<String>,
    pub created_ms: i64,
    pub revoked_ms: Option<i64>,
    /// A name a person reads ("Firefox on Linux"), or the one the user gave it.
    pub label: Option<String>,
    /// SHA-256 of the cookie of the browser that signed in, hex: signing in again from it
    /// replaces this link.
    pub browser: Option<String>,
}

/// A device's pending code-based link: the user enters `user_code` on the verification page
/// while the device polls with the device code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceCode {
    /// SHA-256 of the device code, hex.
    pub hash: String,
    pub user_code: String,
    pub client_key: String,
    pub scopes: Vec<String>,
    pub expires_ms: i64,
    /// Seconds the device waits between polls.
    pub interval_s: i64,
    /// When the device last polled (0: never).
    pub polled_ms: i64,
    /// The user who approved it, once they have.
    pub user_id: Option<UserId>,
}

/// An authorization code, waiting to be exchanged once for tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthCode {
    /// SHA-256 of the code, hex.
    pub hash: String,
    pub client_key: String,
    pub user_id: UserId,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// The PKCE challenge and its method (`S256` or `plain`).
    pub challenge: Option<(String, String)>,
    pub expires_ms: i64,
    /// The label and browser the grant it makes will have.
    pub label: Option<String>,
    pub browser: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventCommit {
    pub user_id: UserId,
    /// Sessions to save, each compare-and-set on its `version`.
    pub sessions: Vec<Session>,
    /// New stream state, compare-and-set on its `version`.
    pub streams: Option<UserStreams>,
    pub events: Vec<EventRow>,
}

/// What a commit adds to the listening history's projections: every backend stores these rows
/// and decides nothing of its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryRows<'a> {
    /// The entities played, each with the latest time it was (recently played entities).
    pub recent: Vec<(medley_core::mrn::ItemKind, &'a str, i64)>,
    /// A track for every start: the plays that popularity counts.
    pub plays: Vec<&'a str>,
}

impl EventCommit {
    /// The history rows of the commit's events: a start is a play of its track, and credits
    /// its source (album, playlist, artist, station or the track) with being played then.
    pub fn history(&self) -> HistoryRows<'_> {
        let mut recent: Vec<(medley_core::mrn::ItemKind, &str, i64)> = Vec::new();
        for e in &self.events {
            let Some((kind, id)) = &e.source else {
                continue;
            };
            match recent
                .iter_mut()
                .find(|(k, i, _)| k == kind && *i == id.as_str())
            {
                Some(r) => r.2 = r.2.max(e.received_ms),
                None => recent.push((*kind, id.as_str(), e.received_ms)),
            }
        }
        HistoryRows {
            recent,
            plays: self
                .events
                .iter()
                .filter(|e| e.kind == "start")
                .map(|e| e.track_id.as_str())
                .collect(),
        }
    }
}

/// What the recommender samples the catalog by.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackSignals {
    pub artist_ids: Vec<String>,
    pub genres: Vec<String>,
    pub years: Vec<i32>,
    /// Random pivot for sampling large groups.
    pub pivot: u32,
    pub per: u32,
}

pub use medley_core::recommend::Candidate;

/// One play of a track (a start event), for recently played tracks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayedTrack {
    /// Orders plays within the same millisecond; part of the page cursor.
    pub play_id: i64,
    pub track_id: String,
    pub played_ms: i64,
}

/// A thing the user played, with the latest time, for recently played entities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayedEntity {
    pub source_type: medley_core::mrn::ItemKind,
    pub source_id: String,
    pub played_ms: i64,
}

/// An album as browsing shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlbumRecord {
    pub id: AlbumId,
    pub title: String,
    pub release_date: Option<String>,
    pub images: Vec<medley_core::catalog::Image>,
    pub artists: Vec<medley_core::catalog::ArtistRef>,
    pub track_count: u32,
    /// Seconds, all tracks together.
    pub duration: u32,
    /// Any of its tracks is explicit.
    pub explicit: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArtistRecord {
    pub id: ArtistId,
    pub name: String,
    pub images: Vec<medley_core::catalog::Image>,
    pub track_count: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlaylistRecord {
    pub id: PlaylistId,
    pub title: String,
    pub track_count: u32,
    /// Seconds, all tracks together.
    pub duration: u32,
    /// The user who made it; `None` for the catalog's playlists.
    pub owner_id: Option<UserId>,
    pub description: String,
    pub visibility: Visibility,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// Bumped by every change to a user playlist's entries.
    pub version: i64,
}

impl PlaylistRecord {
    /// A user playlist's entries at its current version, as a context: every edit stores the
    /// new version's list, so a session plays what the playlist held when it started without
    /// copying it.
    pub fn snapshot(&self) -> ContextRef {
        playlist_version(self.id.as_str(), self.version)
    }
}

/// The stored track list of a user playlist's `version`.
pub fn playlist_version(playlist_id: &str, version: i64) -> ContextRef {
    ContextRef {
        kind: ContextKind::TrackList,
        id: format!("{playlist_id}@{version}"),
    }
}

/// The playlist and version a `playlist_version` list id names; `None` for a session's own
/// list (a UUID).
pub fn parse_playlist_version(list_id: &str) -> Option<(&str, i64)> {
    let (id, version) = list_id.rsplit_once('@')?;
    Some((id, version.parse().ok()?))
}

/// A change to a user's playlist.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaylistEdit {
    /// Title, description, visibility (each when given).
    Details {
        title: Option<String>,
        description: Option<String>,
        visibility: Option<Visibility>,
    },
    /// Appends `(entry id, track id)` entries.
    Append(Vec<(String, String)>),
    /// Removes the entries with these ids (unknown ones are ignored).
    Remove(Vec<String>),
    /// Moves an entry to a position (0-based, clamped to the end).
    Move { entry_id: String, to: u32 },
}

impl PlaylistEdit {
    /// The playlist's `(entry id, track id)` entries after this edit; `None` when it leaves
    /// them as they are (a change of details, a move of an entry the playlist lacks).
    pub fn entries_after(
        &self,
        mut entries: Vec<(String, String)>,
    ) -> Option<Vec<(String, String)>> {
        match self {
            PlaylistEdit::Details { .. } => return None,
            PlaylistEdit::Append(new) => entries.extend(new.iter().cloned()),
            PlaylistEdit::Remove(gone) => entries.retain(|(entry, _)| !gone.contains(entry)),
            PlaylistEdit::Move { entry_id, to } => {
                let at = entries.iter().position(|(e, _)| e == entry_id)?;
                let moved = entries.remove(at);
                let to = (*to as usize).min(entries.len());
                entries.insert(to, moved);
            }
        }
        Some(entries)
    }
}

/// Images as stored: a JSON array of their URLs.
pub fn images_json(images: &[medley_core::catalog::Image]) -> String {
    serde_json::to_string(&images.iter().map(|i| &i.url).collect::<Vec<_>>()).unwrap_or_default()
}

/// Images from their stored JSON (none when it is not an array of URLs).
pub fn images_from_json(json: &str) -> Vec<medley_core::catalog::Image> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .into_iter()
        .map(|url| medley_core::catalog::Image { url })
        .collect()
}

/// One entry of a playlist: its position, its id (user playlists) and its track.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaylistEntry {
    pub index: u32,
    pub entry_id: Option<String>,
    pub track_id: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodcastShowRecord {
    pub id: ShowId,
    pub title: String,
}

/// What a search looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchKind {
    Track,
    Album,
    Artist,
    Playlist,
    PodcastShow,
}

impl SearchKind {
    pub const ALL: [SearchKind; 5] = [
        SearchKind::Track,
        SearchKind::Album,
        SearchKind::Artist,
        SearchKind::Playlist,
        SearchKind::PodcastShow,
    ];

    /// The name in the search index.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Track => "track",
            SearchKind::Album => "album",
            SearchKind::Artist => "artist",
            SearchKind::Playlist => "playlist",
            SearchKind::PodcastShow => "podcastshow",
        }
    }

    pub fn parse(s: &str) -> Option<SearchKind> {
        SearchKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A search filter's field (the reference's TrackFieldType); `None` matches across the text
/// fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchField {
    Name,
    ArtistName,
    AlbumName,
    Id,
    AlbumId,
    ArtistId,
    CategoryId,
    Isrc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchFilter {
    pub field: Option<SearchField>,
    pub query: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchOrder {
    Relevance,
    /// Newest release first.
    Release,
    /// Most played first.
    Popularity,
    Name,
}

#[derive(Clone, Debug)]
pub struct SearchRequest {
    /// One kind, or several for a search across kinds (ranked together).
    pub kinds: Vec<SearchKind>,
    /// All must match.
    pub filters: Vec<SearchFilter>,
    pub order: SearchOrder,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: String,
    /// Relevance; comparable across kinds of one query.
    pub score: f64,
}

/// A column of the search index: an item's name, its artists' names, its album's title.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchColumn {
    Name = 0,
    Artist = 1,
    Album = 2,
}

impl SearchColumn {
    pub const ALL: [SearchColumn; 3] = [
        SearchColumn::Name,
        SearchColumn::Artist,
        SearchColumn::Album,
    ];
}

/// One query word as the index is asked for it: any indexed word it is a prefix of, or any
/// of the `near` words exactly (its near spellings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordMatch {
    pub prefix: String,
    pub near: Vec<String>,
}

/// Every word must match in one of the columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextMatch {
    pub columns: Vec<SearchColumn>,
    pub words: Vec<WordMatch>,
}

/// What a search asks of the index for one kind: the items matching every text match and
/// every exact condition (a field the kind does not have matches nothing), in the index's
/// order (shortest names first), at most `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchQuery {
    pub kind: SearchKind,
    pub text: Vec<TextMatch>,
    pub conditions: Vec<(SearchField, String)>,
    pub limit: u32,
}

/// An item the index matched, with the text of its columns (by `SearchColumn`) to rank it by;
/// a backend may leave them empty for a query without words, which has nothing to rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchRow {
    pub id: String,
    pub columns: [String; 3],
}

/// What an order other than relevance sorts an item by, as the store knows it: its name, its
/// release date (`None` when it has none), or its plays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortValue {
    Name(String),
    Release(Option<String>),
    Plays(i64),
}

/// Where an album's cover art comes from: an image file, or the picture embedded in an audio
/// file. Served at `/media/images/{id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artwork {
    pub id: String,
    pub source: String,
    pub embedded: bool,
}

/// The kinds of entity Alexa's voice catalogs list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoiceKind {
    Artist,
    Album,
    Track,
    Playlist,
    Genre,
}

impl VoiceKind {
    pub const ALL: [VoiceKind; 5] = [
        VoiceKind::Artist,
        VoiceKind::Album,
        VoiceKind::Track,
        VoiceKind::Playlist,
        VoiceKind::Genre,
    ];
}

/// One entity of a voice catalog: a genre's id is its name; artists for albums and tracks, the
/// album for tracks; plays of its tracks, by everyone.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceEntry {
    pub id: String,
    pub name: String,
    pub artists: Vec<medley_core::catalog::ArtistRef>,
    pub album: Option<medley_core::catalog::AlbumRef>,
    pub plays: u64,
}

/// What the catalog lists by name, a page at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedKind {
    Album,
    Artist,
    /// The catalog's playlists (users' own are listed by their owners).
    Playlist,
}

#[cfg(test)]
mod tests {
    use super::*;
    use medley_core::mrn::ItemKind;
    use uuid::Uuid;

    #[test]
    fn a_playlist_edit_reorders_its_entries() {
        let e = |ids: &[&str]| -> Vec<(String, String)> {
            ids.iter()
                .map(|i| (i.to_string(), format!("T{i}")))
                .collect()
        };
        let entries = e(&["a", "b", "c"]);
        let moved = PlaylistEdit::Move {
            entry_id: "a".into(),
            to: 9,
        };
        assert_eq!(
            moved.entries_after(entries.clone()),
            Some(e(&["b", "c", "a"]))
        );
        let gone = PlaylistEdit::Remove(vec!["b".into(), "zz".into()]);
        assert_eq!(gone.entries_after(entries.clone()), Some(e(&["a", "c"])));
        let added = PlaylistEdit::Append(e(&["d"]));
        assert_eq!(
            added.entries_after(entries.clone()),
            Some(e(&["a", "b", "c", "d"]))
        );
        let stray = PlaylistEdit::Move {
            entry_id: "zz".into(),
            to: 0,
        };
        assert_eq!(stray.entries_after(entries), None, "nothing to move");
    }

    fn event(kind: &str, track: &str, at: i64, source: Option<(ItemKind, &str)>) -> EventRow {
        EventRow {
            session_id: Uuid::nil(),
            entity_ref: Uuid::nil(),
            track_id: track.into(),
            kind: kind.into(),
            user_skip: false,
            device_id: "d".into(),
            received_ms: at,
            source: source.map(|(k, id)| (k, id.to_string())),
            body: "{}".into(),
        }
    }

    #[test]
    fn starts_are_plays_and_credit_their_source_once_at_the_latest_time() {
        let album = Some((ItemKind::Album, "AL1"));
        let commit = EventCommit {
            events: vec![
                event("start", "T1", 10, album),
                event("stop", "T1", 20, None),
                event("start", "T2", 30, album),
                event("start", "T3", 25, Some((ItemKind::Track, "T3"))),
            ],
            user_id: UserId::stored("U1"),
            sessions: Vec::new(),
            streams: None,
        };
        let h = commit.history();
        assert_eq!(
            h.recent,
            vec![(ItemKind::Album, "AL1", 30), (ItemKind::Track, "T3", 25)]
        );
        assert_eq!(h.plays, vec!["T1", "T2", "T3"]);
    }
}

/// How a shared token bucket refills, and when an idle one is forgotten.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucketRule {
    pub per_sec: f64,
    pub burst: f64,
    pub forget_before_ms: i64,
}
