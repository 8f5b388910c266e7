//! Search (reference section 1.2): by type with filters, a page and an order, and across types
//! ("Top hits" first).

use std::collections::HashMap;

use medley_core::ids::parse_all;
use medley_store::{PlaylistRecord, SearchHit, SearchRequest};

pub use medley_store::{SearchField, SearchFilter, SearchKind, SearchOrder};

use super::Library;
use crate::library::browse::{ArtistRecord, CatalogAlbum, CatalogTrack, Edge, PodcastShowRecord};
use crate::paging::{cursor_of, open_cursor, shape, Page};
use crate::{ServiceError, ServiceResult};

/// Most results one search page holds (reference 1.4), and its default.
pub const MAX_LIMIT: u32 = 100;
/// Results per group of a search across types, by default and at most.
pub const ALL_DEFAULT: u32 = 10;
pub const ALL_MAX: u32 = 50;
/// The longest query a search takes, in characters.
pub const MAX_QUERY: usize = 200;
/// How deep paging goes: searches rank at most this many results.
const MAX_OFFSET: u32 = 500;

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

/// A search of one type: its filters (all must match), order, page size and the token of the
/// page before.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    pub filters: Vec<SearchFilter>,
    pub order: SearchOrder,
    pub limit: u32,
    pub token: Option<String>,
}

/// What a search found.
#[derive(Clone, Debug)]
pub enum Found {
    Track(CatalogTrack),
    Album(CatalogAlbum),
    Artist(ArtistRecord),
    Playlist(PlaylistRecord),
    PodcastShow(PodcastShowRecord),
}

/// A search across types: the best of every type ranked together, then each type's.
#[derive(Clone, Debug)]
pub struct SearchView {
    pub query: String,
    pub top: Vec<Found>,
    pub groups: Vec<(SearchKind, Vec<Found>)>,
}

fn query_text(q: Option<&str>, path: &str) -> ServiceResult<String> {
    let q = q.ok_or_else(|| bad(format!("{path} is required and must be a string")))?;
    // A query is held to what a name is: something visible, nothing a display cannot show.
    medley_core::text::name(path, q, MAX_QUERY).map_err(bad)?;
    Ok(q.to_string())
}

/// The store's request for a search of one type.
fn request(kind: SearchKind, q: SearchQuery) -> ServiceResult<SearchRequest> {
    let mut filters = q.filters;
    for (i, f) in filters.iter_mut().enumerate() {
        f.query = query_text(Some(&f.query), &format!("searchFilters[{i}].query"))?;
    }
    let offset = match q.token {
        None => 0,
        Some(t) => {
            let [offset] = open_cursor(&t, shape::OFFSET)?;
            // Past the last result any search can page to: an empty page, as past the end.
            offset
                .parse::<u64>()
                .map_or(MAX_OFFSET, |n| n.min(MAX_OFFSET as u64) as u32)
        }
    };
    Ok(SearchRequest {
        kinds: vec![kind],
        filters,
        order: q.order,
        offset,
        limit: q.limit.clamp(1, MAX_LIMIT),
    })
}

impl Library {
    /// What hits found, in order: one read per kind of hit.
    async fn found(&self, hits: &[SearchHit]) -> ServiceResult<Vec<Found>> {
        let mut found = self.found_map(hits).await?;
        Ok(hits
            .iter()
            .filter_map(|h| found.remove(&(h.kind, h.id.clone())))
            .collect())
    }

    /// What hits found, by kind and id: one read per kind that has hits, however many.
    async fn found_map(
        &self,
        hits: &[SearchHit],
    ) -> ServiceResult<HashMap<(SearchKind, String), Found>> {
        let ids = |kind: SearchKind| -> Vec<String> {
            let mut ids: Vec<String> = hits
                .iter()
                .filter(|h| h.kind == kind)
                .map(|h| h.id.clone())
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let mut found: HashMap<(SearchKind, String), Found> = HashMap::new();
        for kind in SearchKind::ALL {
            let ids = ids(kind);
            if ids.is_empty() {
                continue;
            }
            let key = |id: &str| (kind, id.to_string());
            match kind {
                SearchKind::Track => {
                    for t in self.catalog_tracks(&ids).await? {
                        found.insert(key(&t.view.id), Found::Track(t));
                    }
                }
                SearchKind::Album => {
                    for a in self.store.albums(&parse_all(&ids)).await? {
                        let id = a.id.clone();
                        found.insert(
                            key(id.as_str()),
                            Found::Album(self.catalog_album(a, false).await?),
                        );
                    }
                }
                SearchKind::Artist => {
                    for a in self.store.artists(&parse_all(&ids)).await? {
                        found.insert(key(a.id.as_str()), Found::Artist(a));
                    }
                }
                SearchKind::Playlist => {
                    for pl in self.store.playlists(&parse_all(&ids)).await? {
                        found.insert(key(pl.id.as_str()), Found::Playlist(pl));
                    }
                }
                SearchKind::PodcastShow => {
                    for sh in self.store.podcast_shows(&parse_all(&ids)).await? {
                        found.insert(key(sh.id.as_str()), Found::PodcastShow(sh));
                    }
                }
            }
        }
        Ok(found)
    }

    /// `POST /v1/search/<type>`: a page of results; each edge's cursor is its rank.
    pub async fn search(
        &self,
        kind: SearchKind,
        q: SearchQuery,
    ) -> ServiceResult<Page<Edge<Found>>> {
        let mut req = request(kind, q)?;
        let (offset, limit) = (req.offset, req.limit);
        req.limit = (limit + 1).min(MAX_OFFSET + MAX_LIMIT - offset);
        let mut hits = crate::library::ranking::search(&*self.store, &req).await?;
        let more = hits.len() > limit as usize && offset + limit < MAX_OFFSET;
        hits.truncate(limit as usize);
        let items = self
            .found(&hits)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, node)| Edge::new(format!("o:{}", offset + i as u32 + 1), node))
            .collect();
        let next = more.then(|| cursor_of(shape::OFFSET, [&(offset + limit).to_string()]));
        Ok(Page { items, next })
    }

    /// `GET /v1/search?query=`: one catalog view whose first group is the top hits across
    /// types, then a group per type.
    pub async fn search_all(&self, query: Option<&str>, limit: u32) -> ServiceResult<SearchView> {
        let query = query_text(query, "query")?;
        let request = |kinds: Vec<SearchKind>| SearchRequest {
            kinds,
            filters: vec![SearchFilter {
                field: None,
                query: query.clone(),
            }],
            order: SearchOrder::Relevance,
            offset: 0,
            limit,
        };
        let requests: Vec<SearchRequest> =
            SearchKind::ALL.iter().map(|k| request(vec![*k])).collect();
        let found = crate::library::ranking::search_each(&*self.store, &requests).await?;
        let per_kind: Vec<(SearchKind, Vec<SearchHit>)> =
            SearchKind::ALL.into_iter().zip(found).collect();
        let mut all: Vec<SearchHit> = per_kind
            .iter()
            .flat_map(|(_, h)| h.iter().cloned())
            .collect();
        // Top hits: every type's best, ranked together.
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        all.truncate(limit as usize);
        // The top hits are among the groups' hits: what they found is read once for both.
        let hits: Vec<SearchHit> = per_kind
            .iter()
            .flat_map(|(_, h)| h.iter().cloned())
            .collect();
        let found = self.found_map(&hits).await?;
        let pick = |hits: &[SearchHit]| -> Vec<Found> {
            hits.iter()
                .filter_map(|h| found.get(&(h.kind, h.id.clone())).cloned())
                .collect()
        };
        let top = pick(&all);
        let groups = per_kind
            .iter()
            .filter(|(_, hits)| !hits.is_empty())
            .map(|(kind, hits)| (*kind, pick(hits)))
            .collect();
        Ok(SearchView { query, top, groups })
    }
}
