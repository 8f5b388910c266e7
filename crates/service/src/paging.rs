//! What every paged list and id filter shares: the page shape, the cursor error, `<ms>:<id>`
//! cursors, and comma-separated id lists.

use serde_json::{json, Value};

use crate::{ServiceError, ServiceResult};

/// A page of a list: `{pageInfo: {hasNextPage, token}, edgeCount, edges}`; `token` is the
/// cursor of the next page, if there is one.
pub(crate) fn connection(edges: Vec<Value>, token: Option<String>) -> Value {
    json!({
        "pageInfo": {"hasNextPage": token.is_some(), "token": token},
        "edgeCount": edges.len(),
        "edges": edges,
    })
}

/// One page of any list: its items, and the cursor of the next page if there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

pub(crate) fn bad_cursor() -> ServiceError {
    ServiceError::BadRequest("cursor is not a token this endpoint returned".into())
}

/// A `<ms>:<id>` cursor, as lists ordered by time then id hand them out.
pub(crate) fn time_cursor(cursor: Option<&str>) -> ServiceResult<Option<(i64, String)>> {
    let Some(c) = cursor else { return Ok(None) };
    let (ms, id) = c.split_once(':').ok_or_else(bad_cursor)?;
    Ok(Some((
        ms.parse().map_err(|_| bad_cursor())?,
        id.to_string(),
    )))
}

/// The non-empty items of a comma-separated list.
pub(crate) fn comma_list(list: Option<&str>) -> Vec<String> {
    list.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}
