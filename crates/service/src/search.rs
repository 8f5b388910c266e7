//! Search (reference section 1.2): `POST /v1/search/<type>` with `searchFilters`, `limit`,
//! `token` and `sortBy`, and `GET /v1/search?query=` across types ("Top hits" first).

use medley_store::{SearchField, SearchFilter, SearchHit, SearchOrder, SearchRequest};

pub use medley_store::SearchKind;
use serde_json::{json, Value};

use crate::accounts::Principal;
use crate::paging::{bad_cursor, connection, cursor_of, open_cursor};
use crate::{Medley, ServiceError, ServiceResult};

/// Most results one search page holds (reference 1.4), and its default.
pub const MAX_LIMIT: u32 = 100;
/// Results per group of a search across types, by default and at most.
pub const ALL_DEFAULT: u32 = 10;
pub const ALL_MAX: u32 = 50;
/// How deep paging goes: searches rank at most this many results.
const MAX_OFFSET: u32 = 500;

fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

/// The reference's TrackFieldType.
fn field(name: &str) -> Option<SearchField> {
    Some(match name {
        "id" | "asin" => SearchField::Id,
        "albumId" => SearchField::AlbumId,
        "albumName" => SearchField::AlbumName,
        "artistId" => SearchField::ArtistId,
        "artistName" => SearchField::ArtistName,
        "categoryId" => SearchField::CategoryId,
        "name" => SearchField::Name,
        "isrc" => SearchField::Isrc,
        _ => return None,
    })
}

/// The key of a kind's results (`data.searchTracks`, …) and the `_type` of its objects.
fn names(kind: SearchKind) -> (&'static str, &'static str) {
    match kind {
        SearchKind::Track => ("searchTracks", "Track"),
        SearchKind::Album => ("searchAlbums", "Album"),
        SearchKind::Artist => ("searchArtists", "Artist"),
        SearchKind::Playlist => ("searchPlaylists", "Playlist"),
        SearchKind::PodcastShow => ("searchPodcastShows", "PodcastShow"),
    }
}

fn query_text(q: Option<&str>, path: &str) -> ServiceResult<String> {
    let q = q.ok_or_else(|| bad(format!("{path} is required and must be a string")))?;
    if q.trim().is_empty() {
        return Err(bad(format!("{path} must not be empty")));
    }
    if let Some(why) = medley_core::text::refusal(path, q, 200, false) {
        return Err(bad(why));
    }
    Ok(q.to_string())
}

/// A search body: filters, page and order.
fn parse(kind: SearchKind, body: &Value) -> ServiceResult<SearchRequest> {
    let filters = body
        .get("searchFilters")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| bad("searchFilters must be a non-empty list of {field, query}"))?;
    if filters.len() > 10 {
        return Err(bad("searchFilters takes at most 10 filters"));
    }
    let mut parsed = Vec::with_capacity(filters.len());
    for (i, f) in filters.iter().enumerate() {
        let path = format!("searchFilters[{i}]");
        if !f.is_object() {
            return Err(bad(format!("{path} must be an object")));
        }
        let field = match f.get("field") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(field(name).ok_or_else(|| {
                bad(format!(
                    "{path}.field '{name}' is not one of id, asin, albumId, albumName, artistId, artistName, categoryId, name, isrc"
                ))
            })?),
            Some(_) => return Err(bad(format!("{path}.field must be a string"))),
        };
        parsed.push(SearchFilter {
            field,
            query: query_text(
                f.get("query").and_then(Value::as_str),
                &format!("{path}.query"),
            )?,
        });
    }
    let limit = match body.get("limit") {
        None | Some(Value::Null) => MAX_LIMIT,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u32,
            _ => {
                return Err(bad(format!(
                    "limit must be a number between 1 and {MAX_LIMIT} inclusive"
                )))
            }
        },
    };
    let offset = match body.get("token") {
        None | Some(Value::Null) => 0,
        Some(Value::String(t)) => {
            let [offset] = open_cursor(t)?;
            offset
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= MAX_OFFSET)
                .ok_or_else(bad_cursor)?
        }
        Some(_) => return Err(bad_cursor()),
    };
    let order = match body
        .get("sortBy")
        .and_then(|v| if v.is_null() { None } else { Some(v) })
    {
        None => SearchOrder::Relevance,
        Some(v) => match v.as_str() {
            Some("relevance") => SearchOrder::Relevance,
            Some("release") => SearchOrder::Release,
            Some("popularity") => SearchOrder::Popularity,
            Some("name") => SearchOrder::Name,
            _ => {
                return Err(bad(
                    "sortBy must be one of relevance, release, popularity, name",
                ))
            }
        },
    };
    Ok(SearchRequest {
        kinds: vec![kind],
        filters: parsed,
        order,
        offset,
        limit,
    })
}

impl Medley {
    /// The objects of hits, in order, each with its `_type`: one read per kind of hit.
    async fn hit_objects(&self, hits: &[SearchHit]) -> ServiceResult<Vec<Value>> {
        let ids = |kind: SearchKind| -> Vec<String> {
            hits.iter()
                .filter(|h| h.kind == kind)
                .map(|h| h.id.clone())
                .collect()
        };
        let mut objects: std::collections::HashMap<(SearchKind, String), Value> =
            std::collections::HashMap::new();
        let mut keep = |kind: SearchKind, found: Vec<Value>| {
            for o in found {
                let id = o["id"].as_str().unwrap_or_default().to_string();
                objects.insert((kind, id), o);
            }
        };
        keep(
            SearchKind::Track,
            self.track_objects(&ids(SearchKind::Track)).await?,
        );
        let mut albums = Vec::new();
        for a in self.store.albums(&ids(SearchKind::Album)).await? {
            albums.push(self.album_object(&a, false).await?);
        }
        keep(SearchKind::Album, albums);
        let artists = self.store.artists(&ids(SearchKind::Artist)).await?;
        keep(
            SearchKind::Artist,
            artists.iter().map(|a| self.artist_object(a)).collect(),
        );
        let playlists = self.store.playlists(&ids(SearchKind::Playlist)).await?;
        keep(
            SearchKind::Playlist,
            playlists.iter().map(|p| self.playlist_object(p)).collect(),
        );
        let shows = self
            .store
            .podcast_shows(&ids(SearchKind::PodcastShow))
            .await?;
        keep(
            SearchKind::PodcastShow,
            shows.iter().map(|s| self.podcast_show_object(s)).collect(),
        );
        Ok(hits
            .iter()
            .filter_map(|h| {
                let mut o = objects.remove(&(h.kind, h.id.clone()))?;
                o["_type"] = json!(names(h.kind).1);
                Some(o)
            })
            .collect())
    }

    /// `POST /v1/search/<type>`.
    pub async fn search(
        &self,
        p: &Principal,
        kind: SearchKind,
        body: &Value,
    ) -> ServiceResult<Value> {
        p.require_scope("music::catalog")?;
        let mut req = parse(kind, body)?;
        let (offset, limit) = (req.offset, req.limit);
        req.limit = (limit + 1).min(MAX_OFFSET + MAX_LIMIT - offset);
        let mut hits = self.store.search(&req).await?;
        let more = hits.len() > limit as usize && offset + limit < MAX_OFFSET;
        hits.truncate(limit as usize);
        let objects = self.hit_objects(&hits).await?;
        let edges: Vec<Value> = objects
            .into_iter()
            .enumerate()
            .map(
                |(i, node)| json!({"cursor": format!("o:{}", offset + i as u32 + 1), "node": node}),
            )
            .collect();
        let token = more.then(|| cursor_of([&(offset + limit).to_string()]));
        Ok(json!({ names(kind).0: connection(edges, token) }))
    }

    /// `GET /v1/search?query=`: one catalog view whose first group is the top hits across
    /// types, then a group per type.
    pub async fn search_all(
        &self,
        p: &Principal,
        query: Option<&str>,
        limit: u32,
    ) -> ServiceResult<Value> {
        p.require_scope("music::catalog")?;
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
        let mut per_kind = Vec::new();
        let mut all: Vec<SearchHit> = Vec::new();
        for kind in SearchKind::ALL {
            let hits = self.store.search(&request(vec![kind])).await?;
            all.extend(hits.iter().cloned());
            per_kind.push((kind, hits));
        }
        // Top hits: every type's best, ranked together.
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        all.truncate(limit as usize);
        let mut groups = vec![json!({
            "_type": "EntityGroup",
            "id": "topHits",
            "title": "Top hits",
            "entities": self.hit_objects(&all).await?,
        })];
        for (kind, hits) in per_kind {
            if hits.is_empty() {
                continue;
            }
            let (key, _) = names(kind);
            groups.push(json!({
                "_type": "EntityGroup",
                "id": key.trim_start_matches("search").to_ascii_lowercase(),
                "title": key.trim_start_matches("search"),
                "entities": self.hit_objects(&hits).await?,
            }));
        }
        Ok(json!([{
            "_type": "View",
            "id": "catalog",
            "title": "Catalog",
            "query": query,
            "content": {"_type": "ViewContent", "entityGroups": groups},
        }]))
    }
}
