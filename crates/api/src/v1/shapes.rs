//! The shapes answers share: the `{"data": …}` envelope, a page of a list
//! (`{pageInfo, edgeCount, edges}`) and the references items make to each other, as Rust types
//! with their schemas.

use serde::Serialize;
use utoipa::ToSchema;

/// `{"data": …}`: every success body of the Web API.
#[derive(Serialize, ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// `{"data": body}` as a response, serialized in one pass (`body` may borrow).
pub fn data(body: impl Serialize) -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::Json(Data { data: body }).into_response()
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    /// Pass as `cursor` for the next page; null on the last page.
    pub token: Option<String>,
}

/// A page of a list, in the order of the list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection<E> {
    pub page_info: PageInfo,
    pub edge_count: usize,
    pub edges: Vec<E>,
}

impl<E> Connection<E> {
    pub fn of<T>(page: medley_service::paging::Page<T>, edge: impl FnMut(T) -> E) -> Self {
        let edges: Vec<E> = page.items.into_iter().map(edge).collect();
        Connection {
            page_info: PageInfo {
                has_next_page: page.next.is_some(),
                token: page.next,
            },
            edge_count: edges.len(),
            edges,
        }
    }
}

/// An image of an item.
#[derive(Serialize, ToSchema)]
pub struct Image {
    pub url: String,
}

/// The album a track is on.
#[derive(Serialize, ToSchema)]
pub struct AlbumRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

/// An artist of a track or album.
#[derive(Serialize, ToSchema)]
pub struct ArtistRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}
