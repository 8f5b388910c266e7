//! GetDisplayableContent (Alexa.Media.Search): what a screen (Echo Show, Fire TV) shows to
//! browse before playing. Without a query, shelves of the listener's recent music, their own
//! music and playlists, the library's albums and artists, and stations; with one, what it
//! found, the best match first. Every item's id is one Initiate plays.

use medley_core::mrn::ItemKind;
use medley_store::{NamedKind, SearchField, SearchFilter, SearchKind, SearchOrder, SearchRequest};

use super::content::{Criteria, FoundContent};
use super::phrase;
use super::spoken::{own_near, rank};
use crate::accounts::Principal;
use crate::playback::Playback;
use crate::{ServiceError, ServiceResult};

/// Items a shelf holds when Alexa does not say (`maxResultLimit`).
pub const DISPLAY_ITEMS: u32 = 10;
/// Most items a shelf holds, whatever Alexa asks.
pub const MAX_DISPLAY_ITEMS: u32 = 25;

/// One shelf: a name and what it holds.
pub struct ContentGroup {
    pub name: &'static str,
    pub items: Vec<FoundContent>,
}

/// The kinds a query is looked up as, each its shelf.
const FOUND_SHELVES: [(SearchKind, ItemKind, &str); 4] = [
    (SearchKind::Artist, ItemKind::Artist, "Artists"),
    (SearchKind::Album, ItemKind::Album, "Albums"),
    (SearchKind::Track, ItemKind::Track, "Songs"),
    (SearchKind::Playlist, ItemKind::Playlist, "Playlists"),
];

impl Playback {
    /// The shelves for a screen: for `query` when there is one, else for browsing; at most
    /// `limit` items each, empty shelves left out. Not found when every shelf is empty.
    pub async fn displayable_content(
        &self,
        p: &Principal,
        query: Option<&Criteria>,
        limit: u32,
    ) -> ServiceResult<Vec<ContentGroup>> {
        p.require_scope("music::catalog")?;
        let limit = limit.clamp(1, MAX_DISPLAY_ITEMS);
        let mut groups = match query {
            Some(c) => self.found_shelves(p, c, limit).await?,
            None => self.browse_shelves(p, limit).await?,
        };
        groups.retain(|g| !g.items.is_empty());
        if groups.is_empty() {
            return Err(ServiceError::NotFound("nothing to show for that".into()));
        }
        Ok(groups)
    }

    async fn found_shelves(
        &self,
        p: &Principal,
        c: &Criteria,
        limit: u32,
    ) -> ServiceResult<Vec<ContentGroup>> {
        let mut groups = Vec::new();
        // What "Alexa, play …" would play, first.
        if let Some(top) = skip_not_found(self.playable_content(p, c).await)? {
            groups.push(ContentGroup {
                name: "Top result",
                items: vec![top],
            });
        }
        // Then whatever the most specific name said matches, by kind.
        let said = c
            .attributes
            .iter()
            .filter_map(|a| Some((a.kind.as_deref(), a.said.as_deref()?)))
            .min_by_key(|(kind, _)| rank(*kind))
            .map(|(_, said)| phrase::parse(said).name)
            .filter(|name| !name.is_empty());
        let Some(said) = said else {
            return Ok(groups);
        };
        let reqs: Vec<SearchRequest> = FOUND_SHELVES
            .iter()
            .map(|(kind, _, _)| SearchRequest {
                kinds: vec![*kind],
                filters: vec![SearchFilter {
                    field: Some(SearchField::Name),
                    query: said.clone(),
                }],
                order: SearchOrder::Relevance,
                offset: 0,
                limit,
            })
            .collect();
        let found = crate::library::ranking::search_each(&*self.store, &reqs).await?;
        let mut artists = Vec::new();
        for ((_, kind, name), hits) in FOUND_SHELVES.iter().zip(found) {
            let mut ids: Vec<String> = hits.into_iter().map(|h| h.id).collect();
            if *kind == ItemKind::Playlist {
                // The listener's own playlists that match come first.
                let own = self.own_playlists(p).await?;
                if let Some(mine) = own_near(&own, &said) {
                    ids.retain(|id| *id != mine);
                    ids.insert(0, mine);
                    ids.truncate(limit as usize);
                }
            }
            if *kind == ItemKind::Artist {
                artists = ids.clone();
            }
            let mut items = self.described(p, *kind, ids).await?;
            if *kind == ItemKind::Track && !c.explicit_allowed {
                items.retain(|f| f.sample.as_ref().is_some_and(|t| !t.explicit));
            }
            groups.push(ContentGroup { name, items });
        }
        groups.push(ContentGroup {
            name: "Stations",
            items: self.described(p, ItemKind::Station, artists).await?,
        });
        Ok(groups)
    }

    async fn browse_shelves(&self, p: &Principal, limit: u32) -> ServiceResult<Vec<ContentGroup>> {
        let user = &p.user.id;
        let mut groups = Vec::new();
        let mut recent_artists = Vec::new();
        if p.require_scope("music::history").is_ok() {
            let kinds = [
                ItemKind::Album,
                ItemKind::Playlist,
                ItemKind::Artist,
                ItemKind::Station,
            ];
            let recent = self
                .store
                .recent_entities(user, &kinds, None, limit)
                .await?;
            let mut items = Vec::with_capacity(recent.len());
            for e in recent {
                if e.source_type == ItemKind::Artist {
                    recent_artists.push(e.source_id.clone());
                }
                items.extend(self.described(p, e.source_type, vec![e.source_id]).await?);
            }
            groups.push(ContentGroup {
                name: "Recently played",
                items,
            });
        }
        let mut yours = Vec::new();
        yours.extend(skip_not_found(self.liked_content(p).await)?);
        yours.extend(skip_not_found(self.my_music_content(p, true).await)?);
        groups.push(ContentGroup {
            name: "Your music",
            items: yours,
        });
        let own = self.store.user_playlists(user, None, limit).await?;
        groups.push(ContentGroup {
            name: "Your playlists",
            items: self
                .described(
                    p,
                    ItemKind::Playlist,
                    own.into_iter().map(|pl| pl.id.into_string()).collect(),
                )
                .await?,
        });
        let albums = self.store.by_name(NamedKind::Album, None, limit).await?;
        groups.push(ContentGroup {
            name: "Albums",
            items: self
                .described(
                    p,
                    ItemKind::Album,
                    albums.into_iter().map(|(_, id)| id).collect(),
                )
                .await?,
        });
        let artists = self.store.by_name(NamedKind::Artist, None, limit).await?;
        let artists: Vec<String> = artists.into_iter().map(|(_, id)| id).collect();
        // Stations of the artists the listener played lately, else of the library's.
        let seeds = if recent_artists.is_empty() {
            artists.clone()
        } else {
            recent_artists
        };
        groups.push(ContentGroup {
            name: "Artists",
            items: self.described(p, ItemKind::Artist, artists).await?,
        });
        groups.push(ContentGroup {
            name: "Stations",
            items: self.described(p, ItemKind::Station, seeds).await?,
        });
        Ok(groups)
    }

    /// Each of `ids` of `kind` as content (a station of `ids` for ItemKind::Station); what has
    /// nothing to play, or is not the listener's to see, left out.
    async fn described(
        &self,
        p: &Principal,
        kind: ItemKind,
        ids: Vec<String>,
    ) -> ServiceResult<Vec<FoundContent>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let found = match kind {
                ItemKind::Station => self.describe_station(p, &id).await,
                _ => self.describe(p, kind, &id).await,
            };
            out.extend(skip_not_found(found)?);
        }
        Ok(out)
    }
}

/// `None` for what is not found (or not the listener's to see); other failures stay failures.
fn skip_not_found<T>(r: ServiceResult<T>) -> ServiceResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ServiceError::NotFound(_) | ServiceError::AccessDenied(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
