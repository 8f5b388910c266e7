//! What Alexa heard but did not match to an id ("play Tone Poems", "play The Strokes radio",
//! "play Pop"): an attribute with only a spoken `value`, typed or not, found by its name as a
//! listener would expect, and turned into the id the rest of GetPlayableContent works on.

use medley_core::mrn::ItemKind;
use medley_core::text::same_words;
use medley_store::{SearchField, SearchFilter, SearchHit, SearchKind, SearchOrder, SearchRequest};

use super::content::Criteria;
use crate::accounts::Principal;
use crate::{Medley, ServiceError, ServiceResult};

/// Entity types from the most specific down, as GetPlayableContent ranks them.
const SPECIFIC_FIRST: [&str; 6] = ["TRACK", "ALBUM", "PLAYLIST", "ARTIST", "GENRE", "STATION"];
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

impl Medley {
    /// `c` with its spoken attributes resolved into entities. The most specific spoken one is
    /// searched for, narrowed by the others (a song "by Pearl Jam"); an entity named by id that
    /// is at least as specific makes the spoken ones moot.
    pub(super) async fn resolve_spoken(
        &self,
        p: &Principal,
        c: &Criteria,
    ) -> ServiceResult<Criteria> {
        let mut out = Criteria {
            spoken: Vec::new(),
            ..c.clone()
        };
        let rank = |kind: Option<&str>| {
            kind.and_then(|k| SPECIFIC_FIRST.iter().position(|s| *s == k))
                .unwrap_or(SPECIFIC_FIRST.len())
        };
        let Some((kind, said)) = c.spoken.iter().min_by_key(|(k, _)| rank(k.as_deref())) else {
            return Ok(out);
        };
        let named = c.entities.iter().map(|(k, _)| rank(Some(k))).min();
        if named.is_some_and(|n| n <= rank(kind.as_deref())) {
            return Ok(out);
        }
        let also_said = |k: &str| {
            c.spoken
                .iter()
                .find(|(s, _)| s.as_deref() == Some(k))
                .map(|(_, v)| v.as_str())
        };
        let name = filter(SearchField::Name, said);
        let by_artist = narrowing(c, also_said("ARTIST"), "ARTIST");
        let (kind, hits) = match kind.as_deref() {
            Some("TRACK") => {
                let by_album = narrowing(c, also_said("ALBUM"), "ALBUM");
                let filters = [Some(name), by_artist, by_album].into_iter().flatten();
                let hits = self.hits(ItemKind::Track, filters.collect()).await?;
                (
                    ItemKind::Track,
                    self.clean_tracks(hits, c.explicit_allowed).await?,
                )
            }
            Some("ALBUM") => {
                let filters = [Some(name), by_artist].into_iter().flatten();
                (
                    ItemKind::Album,
                    self.hits(ItemKind::Album, filters.collect()).await?,
                )
            }
            Some("ARTIST") => (
                ItemKind::Artist,
                self.hits(ItemKind::Artist, vec![name]).await?,
            ),
            Some("PLAYLIST") => {
                if let Some(mine) = self.own_playlist_called(p, said).await? {
                    out.entities.push(("PLAYLIST".into(), mine));
                    return Ok(out);
                }
                (
                    ItemKind::Playlist,
                    self.hits(ItemKind::Playlist, vec![name]).await?,
                )
            }
            Some("GENRE") => {
                let genre = self.genre_called(said).await?;
                let genre = genre.ok_or_else(|| nothing_called(said))?;
                out.entities.push(("GENRE".into(), genre));
                return Ok(out);
            }
            other => {
                // "Play sleepy time radio": whatever is called that, as a station.
                if other == Some("STATION") {
                    out.media_type = Some("STATION".into());
                }
                let (kind, id) = self.anything_called(p, said).await?;
                out.entities.push((kind.to_string(), id));
                return Ok(out);
            }
        };
        let ids: Vec<String> = hits.into_iter().map(|h| h.id).collect();
        let id = self.exact_or_first(kind, said, &ids).await?;
        out.entities.push((kind.source_type().to_string(), id));
        Ok(out)
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
        Ok(crate::ranking::search(&*self.store, &req).await?)
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

    /// The first of `ids` whose name is what was said, else the most relevant one.
    async fn exact_or_first(
        &self,
        kind: ItemKind,
        said: &str,
        ids: &[String],
    ) -> ServiceResult<String> {
        match self.exact(kind, said, ids).await? {
            Some(id) => Ok(id),
            None => ids.first().cloned().ok_or_else(|| nothing_called(said)),
        }
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

    /// The user's own playlist of that name, the latest first ("play my road trip playlist").
    async fn own_playlist_called(
        &self,
        p: &Principal,
        said: &str,
    ) -> ServiceResult<Option<String>> {
        let own = self
            .store
            .user_playlists(&p.user.id, None, OWN_PLAYLISTS)
            .await?;
        Ok(own
            .into_iter()
            .find(|pl| same_words(&pl.title, said))
            .map(|pl| pl.id))
    }

    /// The genre whose name is what was said.
    async fn genre_called(&self, said: &str) -> ServiceResult<Option<String>> {
        let genres = self.store.genres().await?;
        Ok(genres.into_iter().find(|g| same_words(g, said)))
    }

    /// A name said without a type: the exact name of an artist, album, playlist (the user's
    /// own first), genre or track, in that order; else the most relevant match of any kind.
    async fn anything_called(
        &self,
        p: &Principal,
        said: &str,
    ) -> ServiceResult<(&'static str, String)> {
        let mut best: Option<(f64, ItemKind, String)> = None;
        for kind in UNTYPED_ORDER {
            if kind == ItemKind::Playlist {
                if let Some(mine) = self.own_playlist_called(p, said).await? {
                    return Ok(("PLAYLIST", mine));
                }
            }
            if kind == ItemKind::Track {
                if let Some(genre) = self.genre_called(said).await? {
                    return Ok(("GENRE", genre));
                }
            }
            let hits = self
                .hits(kind, vec![filter(SearchField::Name, said)])
                .await?;
            let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
            if let Some(exact) = self.exact(kind, said, &ids).await? {
                return Ok((kind.source_type(), exact));
            }
            if let Some(top) = hits.into_iter().next() {
                if best.as_ref().is_none_or(|(score, _, _)| top.score > *score) {
                    best = Some((top.score, kind, top.id));
                }
            }
        }
        best.map(|(_, kind, id)| (kind.source_type(), id))
            .ok_or_else(|| nothing_called(said))
    }
}

/// The search filter that narrows a spoken name to an artist or album named alongside it, by
/// id or by name.
fn narrowing(c: &Criteria, said: Option<&str>, kind: &str) -> Option<SearchFilter> {
    let (by_id, by_name) = match kind {
        "ARTIST" => (SearchField::ArtistId, SearchField::ArtistName),
        _ => (SearchField::AlbumId, SearchField::AlbumName),
    };
    match (c.entity(kind), said) {
        (Some(id), _) => Some(filter(by_id, id)),
        (None, Some(name)) => Some(filter(by_name, name)),
        (None, None) => None,
    }
}
