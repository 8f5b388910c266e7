//! Search (reference section 1.2): by type with filters, and across types.

use axum::extract::State;
use axum::response::Response;
use medley_service::library::search::{
    Found, SearchField, SearchFilter, SearchKind, SearchOrder, SearchQuery, SearchView,
};
use medley_service::library::Library;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::objects::{
    edges, AlbumObject, ArtistObject, CursorEdge, PlaylistObject, PodcastShowObject, TrackObject,
};
use super::shapes::{data, Connection, Data};
use crate::body::Body;
use crate::extract::Caller;
use crate::fields::{Between, List, Name};
use crate::params::{Limit, NoQuery, OffsetCursor, Query};
use crate::urls::Urls;
use crate::ApiError;

type Answer = Result<Response, ApiError>;
type Filters = List<Filter, 1, 10>;

/// A search of one type: every filter must match.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchBody {
    #[schema(inline)]
    search_filters: Filters,
    /// Results per page.
    #[schema(inline, default = 100)]
    limit: Option<Between<1, 100>>,
    #[schema(inline)]
    token: Option<OffsetCursor>,
    sort_by: Option<SortBy>,
}

#[derive(Deserialize, ToSchema)]
pub struct Filter {
    /// Which field the query matches; any text field when absent.
    field: Option<FilterField>,
    #[schema(inline)]
    query: Name<200>,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum FilterField {
    Id,
    Asin,
    AlbumId,
    AlbumName,
    ArtistId,
    ArtistName,
    CategoryId,
    Name,
    Isrc,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    Relevance,
    /// Newest release first.
    Release,
    /// Most played first.
    Popularity,
    Name,
}

impl From<SearchBody> for SearchQuery {
    fn from(b: SearchBody) -> Self {
        SearchQuery {
            filters: b
                .search_filters
                .0
                .into_iter()
                .map(|f| SearchFilter {
                    field: f.field.map(|f| match f {
                        FilterField::Id | FilterField::Asin => SearchField::Id,
                        FilterField::AlbumId => SearchField::AlbumId,
                        FilterField::AlbumName => SearchField::AlbumName,
                        FilterField::ArtistId => SearchField::ArtistId,
                        FilterField::ArtistName => SearchField::ArtistName,
                        FilterField::CategoryId => SearchField::CategoryId,
                        FilterField::Name => SearchField::Name,
                        FilterField::Isrc => SearchField::Isrc,
                    }),
                    query: f.query.0,
                })
                .collect(),
            order: match b.sort_by {
                None | Some(SortBy::Relevance) => SearchOrder::Relevance,
                Some(SortBy::Release) => SearchOrder::Release,
                Some(SortBy::Popularity) => SearchOrder::Popularity,
                Some(SortBy::Name) => SearchOrder::Name,
            },
            limit: b.limit.map_or(100, |l| l.0 as u32),
            token: b.token.map(|t| t.as_str().to_owned()),
        }
    }
}

/// A result, with its `_type`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum FoundObject<'a> {
    Track(TrackObject<'a>),
    Album(AlbumObject<'a>),
    Artist(ArtistObject<'a>),
    Playlist(PlaylistObject<'a>),
    PodcastShow(PodcastShowObject<'a>),
}

impl<'a> FoundObject<'a> {
    fn of(urls: &Urls, f: &'a Found) -> Self {
        // Each object with its `_type`, the variant's name.
        macro_rules! typed {
            ($variant:ident, $object:ident, $found:expr) => {{
                let mut o = $object::of(urls, $found);
                o.type_ = Some(stringify!($variant));
                FoundObject::$variant(o)
            }};
        }
        match f {
            Found::Track(t) => typed!(Track, TrackObject, t),
            Found::Album(a) => typed!(Album, AlbumObject, a),
            Found::Artist(a) => typed!(Artist, ArtistObject, a),
            Found::Playlist(p) => typed!(Playlist, PlaylistObject, p),
            Found::PodcastShow(s) => typed!(PodcastShow, PodcastShowObject, s),
        }
    }
}

/// `{"searchTracks": …}`, `{"searchAlbums": …}`, …: the key names the type searched.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchAnswer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    search_tracks: Option<Connection<CursorEdge<'a, FoundObject<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    search_albums: Option<Connection<CursorEdge<'a, FoundObject<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    search_artists: Option<Connection<CursorEdge<'a, FoundObject<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    search_playlists: Option<Connection<CursorEdge<'a, FoundObject<'a>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    search_podcast_shows: Option<Connection<CursorEdge<'a, FoundObject<'a>>>>,
}

async fn search(m: Library, urls: Urls, kind: SearchKind, body: SearchBody) -> Answer {
    let page = m.search(kind, body.into()).await?;
    let results = Some(edges(&page, |f| FoundObject::of(&urls, f)));
    let mut answer = SearchAnswer {
        search_tracks: None,
        search_albums: None,
        search_artists: None,
        search_playlists: None,
        search_podcast_shows: None,
    };
    match kind {
        SearchKind::Track => answer.search_tracks = results,
        SearchKind::Album => answer.search_albums = results,
        SearchKind::Artist => answer.search_artists = results,
        SearchKind::Playlist => answer.search_playlists = results,
        SearchKind::PodcastShow => answer.search_podcast_shows = results,
    }
    Ok(data(answer))
}

/// Handlers for `POST /v1/search/<type>`.
macro_rules! by_kind {
    ($($name:ident $path:literal $summary:literal => $kind:expr),* $(,)?) => {$(
        #[doc = $summary]
        #[utoipa::path(post, path = $path, tag = "Search", operation_id = concat!("search_", stringify!($name)),
            security(("bearer" = ["music::catalog"], "apiKey" = [])),
            request_body = SearchBody,
            responses((status = 200, description = "A page of results, best first unless sorted otherwise", body = Data<SearchAnswer>)))]
        pub async fn $name(
            State(m): State<Library>,
            urls: Urls,
            _: Caller,
            _: NoQuery,
            Body(body): Body<SearchBody>,
        ) -> Answer {
            search(m, urls, $kind, body).await
        }
    )*};
}

by_kind! {
    tracks "/v1/search/tracks" "Search tracks" => SearchKind::Track,
    albums "/v1/search/albums" "Search albums" => SearchKind::Album,
    artists "/v1/search/artists" "Search artists" => SearchKind::Artist,
    playlists "/v1/search/playlists" "Search playlists" => SearchKind::Playlist,
    podcast_shows "/v1/search/podcastShows" "Search podcast shows" => SearchKind::PodcastShow,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AllQuery {
    #[param(inline)]
    query: Name<200>,
    /// Results per group.
    #[serde(default)]
    #[param(inline)]
    limit: Limit<1, 50, 10>,
}

/// `[{"_type": "View", …}]`: one catalog view.
#[derive(Serialize, ToSchema)]
pub struct View<'a> {
    /// Always `View`.
    #[serde(rename = "_type")]
    type_: &'static str,
    /// Always `catalog`.
    id: &'static str,
    title: &'static str,
    query: &'a str,
    content: ViewContent<'a>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViewContent<'a> {
    /// Always `ViewContent`.
    #[serde(rename = "_type")]
    type_: &'static str,
    /// "Top hits" first, then a group per type that found anything.
    entity_groups: Vec<EntityGroup<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct EntityGroup<'a> {
    /// Always `EntityGroup`.
    #[serde(rename = "_type")]
    type_: &'static str,
    /// `topHits`, `tracks`, `albums`, `artists`, `playlists` or `podcastshows`.
    id: &'static str,
    title: &'static str,
    entities: Vec<FoundObject<'a>>,
}

fn group<'a>(
    urls: &Urls,
    id: &'static str,
    title: &'static str,
    found: &'a [Found],
) -> EntityGroup<'a> {
    EntityGroup {
        type_: "EntityGroup",
        id,
        title,
        entities: found.iter().map(|f| FoundObject::of(urls, f)).collect(),
    }
}

fn view<'a>(urls: &Urls, v: &'a SearchView) -> Vec<View<'a>> {
    let mut groups = vec![group(urls, "topHits", "Top hits", &v.top)];
    for (kind, found) in &v.groups {
        let (id, title) = match kind {
            SearchKind::Track => ("tracks", "Tracks"),
            SearchKind::Album => ("albums", "Albums"),
            SearchKind::Artist => ("artists", "Artists"),
            SearchKind::Playlist => ("playlists", "Playlists"),
            SearchKind::PodcastShow => ("podcastshows", "PodcastShows"),
        };
        groups.push(group(urls, id, title, found));
    }
    vec![View {
        type_: "View",
        id: "catalog",
        title: "Catalog",
        query: &v.query,
        content: ViewContent {
            type_: "ViewContent",
            entity_groups: groups,
        },
    }]
}

/// Search across types: top hits, then each type
#[utoipa::path(get, path = "/v1/search", tag = "Search", operation_id = "search_all",
    security(("bearer" = ["music::catalog"], "apiKey" = [])),
    params(AllQuery),
    responses((status = 200, description = "One catalog view of groups of results", body = Data<Vec<View>>)))]
pub async fn all(
    State(m): State<Library>,
    urls: Urls,
    _: Caller,
    Query(q): Query<AllQuery>,
) -> Answer {
    let v = m.search_all(Some(&q.query.0), q.limit.0).await?;
    Ok(data(view(&urls, &v)))
}
