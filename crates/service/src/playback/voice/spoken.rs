//! What Alexa resolved from what was said, turned into what to play: ids checked (a known id
//! decides its own type; an unknown one with a spoken value beside it is looked up by that
//! value), and spoken values read (`phrase`) and found by name as a listener would expect
//! ("play Tone Poems", "The Strokes radio", "shuffle my music", "my road trip playlist").

use medley_core::mrn::{ItemKind, Mrn};
use medley_core::text::same_words;
use medley_store::{
    PlaylistRecord, SearchField, SearchFilter, SearchHit, SearchKind, SearchOrder, SearchRequest,
};

use super::content::{catalog_id, Criteria};
use super::phrase::{self, Own};
use crate::accounts::Principal;
use crate::library::ranking::matches_name;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};

/// Entity types from the most specific down, as GetPlayableContent ranks them.
const SPECIFIC_FIRST: [&str; 6] = ["TRACK", "ALBUM", "PLAYLIST", "ARTIST", "GENRE", "STATION"];
/// Types an id may turn out to be, whatever type Alexa gave it, in the order they are tried.
const ID_KINDS: [&str; 4] = ["TRACK", "ALBUM", "ARTIST", "PLAYLIST"];
/// Search hits weighed for one spoken name.
const HITS: u32 = 5;
/// A user's own playlists looked through for a spoken playlist name, the latest first.
const OWN_PLAYLISTS: u32 = 200;
/// When a name is said without a type, the kinds an exact name is taken from, in this order:
/// "play The Strokes" is the artist, "play Thriller" the album before the song.
const UNTYPED_ORDER: [ItemKind; 4] = [
    ItemKind::Artist,
    ItemKind::Album,
    ItemKind::Playlist,
    ItemKind::Track,
];

/// What GetPlayableContent looks for once ids are checked and spoken values found.
pub(super) struct Wanted {
    /// `(type, catalog id)` of the entities named.
    pub entities: Vec<(String, String)>,
    /// Play it as a station.
    pub station: bool,
    /// The listener said "shuffle …".
    pub shuffle: bool,
    /// Nothing named, and the listener asked for what they liked ("my favorites").
    pub liked: bool,
    pub sort: Option<String>,
    pub explicit_allowed: bool,
}

impl Wanted {
    pub(super) fn entity(&self, kind: &str) -> Option<&str> {
        self.entities
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, id)| id.as_str())
    }
}

fn nothing_called(said: &str) -> ServiceError {
    ServiceError::NotFound(format!("nothing in the catalog is called '{said}'"))
}

fn search_kind(kind: ItemKind) -> SearchKind {
    match kind {
        ItemKind::Track => SearchKind::Track,
        ItemKind::Album => SearchKind::Album,
        ItemKind::Artist => SearchKind::Artist,
        _ => SearchKind::Playlist,
    }
}

fn filter(field: SearchField, query: &str) -> SearchFilter {
    SearchFilter {
        field: Some(field),
        query: query.to_string(),
    }
}

/// How specific an entity type is: the lower, the more.
pub(super) fn rank(kind: Option<&str>) -> usize {
    kind.and_then(|k| SPECIFIC_FIRST.iter().position(|s| *s == k))
        .unwrap_or(SPECIFIC_FIRST.len())
}

/// A spoken name to find, with what narrows it.
struct Asked<'a> {
    kind: Option<&'a str>,
    said: &'a str,
    /// Only a thing called exactly `said`, or else the most relevant match too.
    exact_only: bool,
}

impl Playback {
    /// The entities, modes and names `c` asks for, checked against the catalog.
    pub(super) async fn wanted(&self, p: &Principal, c: &Criteria) -> ServiceResult<Wanted> {
        let mut w = Wanted {
            entities: Vec::new(),
            station: c.media_type.as_deref() == Some("STATION"),
            shuffle: false,
            liked: false,
            sort: c.sort.clone(),
            explicit_allowed: c.explicit_allowed,
        };
        let mut spoken: Vec<(Option<String>, String)> = Vec::new();
        for a in &c.attributes {
            let Some(id) = a.id.as_deref().map(catalog_id) else {
                if let Some(said) = &a.said {
                    spoken.push((a.kind.clone(), said.clone()));
                }
                continue;
            };
            let kind = a.kind.clone().unwrap_or_default();
            match (self.checked(&kind, id).await?, &a.said) {
                (Some(entity), said) => {
                    // "The Strokes radio", matched to the artist's id.
                    if said.as_deref().is_some_and(|s| phrase::parse(s).station) {
                        w.station = true;
                    }
                    w.entities.push(entity);
                }
                // An id Medley does not know: what was heard is looked up instead.
                (None, Some(said)) => spoken.push((a.kind.clone(), said.clone())),
                // Nothing else to go by: it is not found, and says so.
                (None, None) => w.entities.push((kind, id.to_string())),
            }
        }
        self.find_spoken(p, c, &spoken, &mut w).await?;
        Ok(w)
    }

    /// `(type, id)` of an entity as the catalog knows it, or `None` if it does not. The id
    /// decides: an album's id sent as an ARTIST is the album.
    async fn checked(&self, kind: &str, id: &str) -> ServiceResult<Option<(String, String)>> {
        let named = |k: &str| Some(entity(k, id.to_string()));
        match kind {
            "STATION" => {
                let station = Mrn {
                    kind: ItemKind::Station,
                    id: id.to_string(),
                };
                match self.library.station_seed(&station).await {
                    Ok(_) => Ok(named(kind)),
                    Err(ServiceError::NotFound(_)) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            "GENRE" => Ok(self.genre_called(id).await?.map(|g| entity("GENRE", g))),
            _ if ID_KINDS.contains(&kind) => {
                let order =
                    std::iter::once(kind).chain(ID_KINDS.into_iter().filter(|k| *k != kind));
                let asked: Vec<(String, String)> =
                    order.map(|k| (k.to_string(), id.to_string())).collect();
                let titles = self.store.item_titles(&asked).await?;
                Ok(asked
                    .into_iter()
                    .zip(titles)
                    .find(|(_, title)| title.is_some())
                    .map(|(entity, _)| entity))
            }
            _ => Ok(named(kind)),
        }
    }

    /// The most specific spoken attribute found, narrowed by the others (a song "by Pearl
    /// Jam"), into `w`; an entity named by id that is at least as specific makes them moot.
    async fn find_spoken(
        &self,
        p: &Principal,
        c: &Criteria,
        spoken: &[(Option<String>, String)],
        w: &mut Wanted,
    ) -> ServiceResult<()> {
        let Some((kind, said)) = spoken.iter().min_by_key(|(k, _)| rank(k.as_deref())) else {
            return Ok(());
        };
        let named = w.entities.iter().map(|(k, _)| rank(Some(k))).min();
        if named.is_some_and(|n| n <= rank(kind.as_deref())) {
            return Ok(());
        }
        let ph = phrase::parse(said);
        w.shuffle |= ph.shuffle;
        w.station |= kind.as_deref() == Some("STATION");
        let kind = kind.as_deref().or(match c.media_type.as_deref() {
            Some(t @ ("ALBUM" | "PLAYLIST" | "TRACK")) => Some(t),
            _ => None,
        });
        let also_said = |k: &str| {
            spoken
                .iter()
                .find(|(s, _)| s.as_deref() == Some(k))
                .map(|(_, v)| v.as_str())
        };
        let narrowing = [
            narrowing(w, also_said("ARTIST"), "ARTIST"),
            narrowing(w, also_said("ALBUM"), "ALBUM"),
        ];
        // The listener's own music ("my favorites"), unless they have a playlist of that name.
        if let (Some(own), None | Some("PLAYLIST")) = (ph.own, kind) {
            if let Some(mine) = self.own_playlist_called(p, &ph.full).await? {
                w.entities.push(mine);
            } else {
                w.liked = own == Own::Liked;
            }
            return Ok(());
        }
        // A thing called exactly what was said comes first ("Talk Radio", "My Chemical
        // Romance"), then the name without "radio" and the like. Where the two are the same
        // words, the search for the name alone puts an exact name first already.
        if !ph.full.is_empty() && ph.full != ph.name {
            let asked = Asked {
                kind,
                said: &ph.full,
                exact_only: true,
            };
            if let Some(found) = self.called(p, w, &narrowing, &asked).await? {
                w.entities.push(found);
                return Ok(());
            }
        }
        if ph.name.is_empty() {
            return Err(nothing_called(said));
        }
        w.station |= ph.station;
        let kind = kind.or(ph.playlist.then_some("PLAYLIST"));
        let asked = Asked {
            kind,
            said: &ph.name,
            exact_only: false,
        };
        let found = self.called(p, w, &narrowing, &asked).await?;
        w.entities.push(found.ok_or_else(|| nothing_called(said))?);
        Ok(())
    }

    /// The `(type, id)` of what is called `a.said`, of `a.kind` if it has one.
    async fn called(
        &self,
        p: &Principal,
        w: &Wanted,
        narrowing: &[Option<SearchFilter>; 2],
        a: &Asked<'_>,
    ) -> ServiceResult<Option<(String, String)>> {
        let name = filter(SearchField::Name, a.said);
        let [by_artist, by_album] = narrowing;
        let (kind, hits) = match a.kind {
            Some("TRACK") => {
                let filters = [Some(name), by_artist.clone(), by_album.clone()];
                let hits = self
                    .hits(ItemKind::Track, filters.into_iter().flatten().collect())
                    .await?;
                (
                    ItemKind::Track,
                    self.clean_tracks(hits, w.explicit_allowed).await?,
                )
            }
            Some("ALBUM") => {
                let filters = [Some(name), by_artist.clone()];
                let hits = self
                    .hits(ItemKind::Album, filters.into_iter().flatten().collect())
                    .await?;
                (ItemKind::Album, hits)
            }
            Some("ARTIST") => (
                ItemKind::Artist,
                self.hits(ItemKind::Artist, vec![name]).await?,
            ),
            Some("PLAYLIST") => return self.playlist_called(p, a).await,
            Some("GENRE") => {
                let genre = self.genre_called(a.said).await?;
                return Ok(genre.map(|g| entity("GENRE", g)));
            }
            _ => return self.anything_called(p, a).await,
        };
        let ids: Vec<String> = hits.into_iter().map(|h| h.id).collect();
        let id = match self.exact(kind, a.said, &ids).await? {
            Some(id) => Some(id),
            None if a.exact_only => None,
            None => ids.into_iter().next(),
        };
        Ok(id.map(|id| entity(kind.source_type(), id)))
    }

    /// The most relevant matches of one kind.
    async fn hits(
        &self,
        kind: ItemKind,
        filters: Vec<SearchFilter>,
    ) -> ServiceResult<Vec<SearchHit>> {
        let req = SearchRequest {
            kinds: vec![search_kind(kind)],
            filters,
            order: SearchOrder::Relevance,
            offset: 0,
            limit: HITS,
        };
        Ok(crate::library::ranking::search(&*self.store, &req).await?)
    }

    /// The first of `ids` whose name is what was said.
    async fn exact(
        &self,
        kind: ItemKind,
        said: &str,
        ids: &[String],
    ) -> ServiceResult<Option<String>> {
        let asked: Vec<(String, String)> = ids
            .iter()
            .map(|id| (kind.source_type().to_string(), id.clone()))
            .collect();
        let names = self.store.item_titles(&asked).await?;
        Ok(ids
            .iter()
            .zip(&names)
            .find(|(_, n)| n.as_deref().is_some_and(|n| same_words(n, said)))
            .map(|(id, _)| id.clone()))
    }

    /// Track hits without the explicit ones where explicit language is not allowed (unless
    /// every one is explicit: then GetPlayableContent says why it found nothing).
    async fn clean_tracks(
        &self,
        hits: Vec<SearchHit>,
        explicit_allowed: bool,
    ) -> ServiceResult<Vec<SearchHit>> {
        if explicit_allowed {
            return Ok(hits);
        }
        let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
        let tracks = self.tracks(&ids).await?;
        let clean: Vec<SearchHit> = hits
            .iter()
            .filter(|h| tracks.iter().any(|t| t.id == h.id && !t.explicit))
            .cloned()
            .collect();
        Ok(if clean.is_empty() { hits } else { clean })
    }

    /// The user's own playlist called exactly `said`.
    async fn own_playlist_called(
        &self,
        p: &Principal,
        said: &str,
    ) -> ServiceResult<Option<(String, String)>> {
        let own = self.own_playlists(p).await?;
        Ok(exactly(&own, said).map(|id| entity("PLAYLIST", id)))
    }

    /// The user's latest playlists, the ones a spoken name is looked for among.
    pub(super) async fn own_playlists(&self, p: &Principal) -> ServiceResult<Vec<PlaylistRecord>> {
        Ok(self
            .store
            .user_playlists(&p.user.id, None, OWN_PLAYLISTS)
            .await?)
    }

    /// A playlist by name: the user's own called exactly that, the catalog's, then (unless
    /// only the exact name will do) the user's own whose name search would match, and the
    /// catalog's most relevant.
    async fn playlist_called(
        &self,
        p: &Principal,
        a: &Asked<'_>,
    ) -> ServiceResult<Option<(String, String)>> {
        let own = self.own_playlists(p).await?;
        let playlist = |id: String| Some(entity("PLAYLIST", id));
        if let Some(mine) = exactly(&own, a.said) {
            return Ok(playlist(mine));
        }
        let hits = self
            .hits(ItemKind::Playlist, vec![filter(SearchField::Name, a.said)])
            .await?;
        let ids: Vec<String> = hits.into_iter().map(|h| h.id).collect();
        if let Some(id) = self.exact(ItemKind::Playlist, a.said, &ids).await? {
            return Ok(playlist(id));
        }
        if a.exact_only {
            return Ok(None);
        }
        if let Some(mine) = own_near(&own, a.said) {
            return Ok(playlist(mine));
        }
        Ok(ids.into_iter().next().and_then(playlist))
    }

    /// The genre whose name is what was said.
    async fn genre_called(&self, said: &str) -> ServiceResult<Option<String>> {
        let genres = self.store.genres().await?;
        Ok(genres.into_iter().find(|g| same_words(g, said)))
    }

    /// A name said without a type: the exact name of an artist, album, playlist (the user's
    /// own first), genre or track, in that order; else (unless only the exact name will do)
    /// the user's own playlist search would match, else the most relevant match of any kind.
    async fn anything_called(
        &self,
        p: &Principal,
        a: &Asked<'_>,
    ) -> ServiceResult<Option<(String, String)>> {
        let said = a.said;
        let mut best: Option<(f64, ItemKind, String)> = None;
        let own = self.own_playlists(p).await?;
        for kind in UNTYPED_ORDER {
            if kind == ItemKind::Playlist {
                if let Some(mine) = exactly(&own, said) {
                    return Ok(Some(entity("PLAYLIST", mine)));
                }
            }
            if kind == ItemKind::Track {
                if let Some(genre) = self.genre_called(said).await? {
                    return Ok(Some(entity("GENRE", genre)));
                }
            }
            let hits = self
                .hits(kind, vec![filter(SearchField::Name, said)])
                .await?;
            let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
            if let Some(exact) = self.exact(kind, said, &ids).await? {
                return Ok(Some(entity(kind.source_type(), exact)));
            }
            if let Some(top) = hits.into_iter().next() {
                if best.as_ref().is_none_or(|(score, _, _)| top.score > *score) {
                    best = Some((top.score, kind, top.id));
                }
            }
        }
        if a.exact_only {
            return Ok(None);
        }
        if let Some(mine) = own_near(&own, said) {
            return Ok(Some(entity("PLAYLIST", mine)));
        }
        Ok(best.map(|(_, kind, id)| entity(kind.source_type(), id)))
    }
}

fn entity(kind: &str, id: String) -> (String, String) {
    (kind.to_string(), id)
}

/// The id of the first of `own` called exactly `said`.
fn exactly(own: &[PlaylistRecord], said: &str) -> Option<String> {
    own.iter()
        .find(|pl| same_words(&pl.title, said))
        .map(|pl| pl.id.to_string())
}

/// The id of the user's playlist whose name search would match `said`, the one with the
/// fewest other words first (then the latest).
pub(super) fn own_near(own: &[PlaylistRecord], said: &str) -> Option<String> {
    own.iter()
        .filter(|pl| matches_name(&pl.title, said))
        .min_by_key(|pl| medley_core::text::search_words(&pl.title).len())
        .map(|pl| pl.id.to_string())
}

/// The search filter that narrows a spoken name to an artist or album named alongside it, by
/// id or by name.
fn narrowing(w: &Wanted, said: Option<&str>, kind: &str) -> Option<SearchFilter> {
    let (by_id, by_name) = match kind {
        "ARTIST" => (SearchField::ArtistId, SearchField::ArtistName),
        _ => (SearchField::AlbumId, SearchField::AlbumName),
    };
    match (w.entity(kind), said) {
        (Some(id), _) => Some(filter(by_id, id)),
        (None, Some(name)) => Some(filter(by_name, name)),
        (None, None) => None,
    }
}
