//! The search index: one FTS5 index over every kind of catalog item (`kind`, `name`,
//! `artist`, `album`; case and accents folded), rebuilt with each import; its vocabulary, for
//! near spellings; `play_counts`, for popularity. Ranking is the service's.

use async_trait::async_trait;
use medley_store::{
    MatchQuery, MatchRow, SearchColumn, SearchField, SearchKind, SearchOrder, SearchStore,
    SortValue, StoreResult, TextMatch, WordMatch,
};
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use crate::SqliteStore;

/// Rebuilds the index and its vocabulary from the catalog tables.
macro_rules! reindex_sql {
    () => {
        r#"
DELETE FROM search_index;
DELETE FROM search_docs;
DELETE FROM search_kinds;
INSERT INTO search_docs (kind, item_id)
  SELECT 'artist', id FROM artists ORDER BY length(name), name, id;
INSERT INTO search_docs (kind, item_id)
  SELECT 'album', id FROM albums ORDER BY length(title), title, id;
INSERT INTO search_docs (kind, item_id)
  SELECT 'track', id FROM tracks ORDER BY length(title), title, id;
INSERT INTO search_docs (kind, item_id)
  SELECT 'playlist', id FROM playlists WHERE owner_id IS NULL ORDER BY length(title), title, id;
INSERT INTO search_docs (kind, item_id)
  SELECT 'podcastshow', id FROM podcast_shows ORDER BY length(title), title, id;
INSERT INTO search_kinds SELECT kind, min(rowid), max(rowid) FROM search_docs GROUP BY kind;
INSERT INTO search_index (rowid, name, artist, album)
  SELECT d.rowid, a.name, '', '' FROM search_docs d JOIN artists a ON a.id = d.item_id
  WHERE d.kind = 'artist';
INSERT INTO search_index (rowid, name, artist, album)
  SELECT d.rowid, al.title,
         coalesce((SELECT group_concat(ar.name, ' ') FROM album_artists aa
                   JOIN artists ar ON ar.id = aa.artist_id WHERE aa.album_id = al.id), ''), ''
  FROM search_docs d JOIN albums al ON al.id = d.item_id WHERE d.kind = 'album';
INSERT INTO search_index (rowid, name, artist, album)
  SELECT d.rowid, t.title,
         coalesce((SELECT group_concat(ar.name, ' ') FROM track_artists ta
                   JOIN artists ar ON ar.id = ta.artist_id WHERE ta.track_id = t.id), ''),
         coalesce((SELECT title FROM albums WHERE id = t.album_id), '')
  FROM search_docs d JOIN tracks t ON t.id = d.item_id WHERE d.kind = 'track';
INSERT INTO search_index (rowid, name, artist, album)
  SELECT d.rowid, p.title, '', '' FROM search_docs d JOIN playlists p ON p.id = d.item_id
  WHERE d.kind = 'playlist';
INSERT INTO search_index (rowid, name, artist, album)
  SELECT d.rowid, s.title, '', '' FROM search_docs d JOIN podcast_shows s ON s.id = d.item_id
  WHERE d.kind = 'podcastshow';
DELETE FROM search_terms;
INSERT INTO search_terms SELECT term, length(term) FROM search_vocab;
"#
    };
}
pub(crate) use reindex_sql;

fn column_name(c: SearchColumn) -> &'static str {
    match c {
        SearchColumn::Name => "name",
        SearchColumn::Artist => "artist",
        SearchColumn::Album => "album",
    }
}

/// The FTS expression of a word: any indexed word it is a prefix of, or a near spelling.
fn word_expr(w: &WordMatch) -> String {
    let mut alts = vec![format!("\"{}\"*", w.prefix)];
    alts.extend(w.near.iter().map(|t| format!("\"{t}\"")));
    format!("({})", alts.join(" OR "))
}

fn fts_expr(text: &[TextMatch]) -> String {
    text.iter()
        .map(|t| {
            let cols: Vec<&str> = t.columns.iter().map(|c| column_name(*c)).collect();
            let ws: Vec<String> = t.words.iter().map(word_expr).collect();
            format!("{{{}}} : ({})", cols.join(" "), ws.join(" AND "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The SQL condition on `d.item_id` for an exact field; `None` when the kind has no such field.
fn exact(kind: SearchKind, field: SearchField) -> Option<&'static str> {
    use SearchField::*;
    use SearchKind::*;
    Some(match (field, kind) {
        (Id, _) => "d.item_id = ?",
        (Isrc, Track) => "d.item_id IN (SELECT id FROM tracks WHERE isrc = upper(?))",
        (AlbumId, Track) => "d.item_id IN (SELECT id FROM tracks WHERE album_id = ?)",
        (AlbumId, Album) | (ArtistId, Artist) => "d.item_id = ?",
        (ArtistId, Track) => "d.item_id IN (SELECT track_id FROM track_artists WHERE artist_id = ?)",
        (ArtistId, Album) => "d.item_id IN (SELECT album_id FROM album_artists WHERE artist_id = ?)",
        (CategoryId, Track) => "d.item_id IN (SELECT id FROM tracks WHERE genre = ?)",
        (CategoryId, Album) => "d.item_id IN (SELECT album_id FROM tracks WHERE genre = ?)",
        (CategoryId, Artist) => {
            "d.item_id IN (SELECT ta.artist_id FROM tracks t JOIN track_artists ta ON ta.track_id = t.id WHERE t.genre = ?)"
        }
        _ => return None,
    })
}

/// What one query matches, in the index's order.
fn matches(conn: &Connection, q: &MatchQuery) -> rusqlite::Result<Vec<MatchRow>> {
    let Some((lo, hi)) = conn
        .prepare_cached("SELECT lo, hi FROM search_kinds WHERE kind = ?1")?
        .query_row([q.kind.as_str()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let mut conds = String::new();
    for (field, _) in &q.conditions {
        let Some(c) = exact(q.kind, *field) else {
            return Ok(Vec::new());
        };
        conds.push_str(" AND ");
        conds.push_str(c);
    }
    let values = q.conditions.iter().map(|(_, v)| v.clone());
    let row = |r: &rusqlite::Row| -> rusqlite::Result<MatchRow> {
        Ok(MatchRow {
            id: r.get(0)?,
            columns: [r.get(1)?, r.get(2)?, r.get(3)?],
        })
    };
    let (sql, args): (String, Vec<String>) = if q.text.is_empty() {
        (
            // Exact fields only: nothing to rank by, so no text is read.
            format!(
                "SELECT d.item_id, '', '', '' FROM search_docs d
                 WHERE d.kind = ?{conds} ORDER BY d.rowid LIMIT ?"
            ),
            std::iter::once(q.kind.as_str().to_string())
                .chain(values)
                .chain([q.limit.to_string()])
                .collect(),
        )
    } else {
        (
            format!(
                "SELECT d.item_id, i.name, i.artist, i.album
                 FROM search_index i JOIN search_docs d ON d.rowid = i.rowid
                 WHERE search_index MATCH ? AND i.rowid BETWEEN ? AND ?{conds}
                 ORDER BY i.rowid LIMIT ?"
            ),
            [fts_expr(&q.text), lo.to_string(), hi.to_string()]
                .into_iter()
                .chain(values)
                .chain([q.limit.to_string()])
                .collect(),
        )
    };
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args.iter()), row)?;
    rows.collect()
}

fn ids(
    conn: &Connection,
    kinds: &[SearchKind],
    query: &str,
) -> rusqlite::Result<Vec<(SearchKind, String)>> {
    let mut out = Vec::new();
    for &k in kinds {
        let found: Option<String> = conn
            .prepare_cached("SELECT item_id FROM search_docs WHERE kind = ?1 AND item_id = ?2")?
            .query_row([k.as_str(), query], |r| r.get(0))
            .optional()?;
        out.extend(found.map(|id| (k, id)));
        if k == SearchKind::Track {
            let mut st = conn.prepare_cached("SELECT id FROM tracks WHERE isrc = upper(?1)")?;
            for id in st.query_map([query], |r| r.get::<_, String>(0))? {
                out.push((k, id?));
            }
        }
    }
    Ok(out)
}

fn sort_value(
    conn: &Connection,
    order: SearchOrder,
    kind: SearchKind,
    id: &str,
) -> rusqlite::Result<Option<SortValue>> {
    let one = |sql: &str| -> rusqlite::Result<Option<rusqlite::types::Value>> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get(0))
            .optional()?
            .filter(|v| *v != rusqlite::types::Value::Null))
    };
    Ok(match order {
        SearchOrder::Relevance => None,
        SearchOrder::Name => conn
            .prepare_cached(
                "SELECT i.name FROM search_docs d JOIN search_index i ON i.rowid = d.rowid
                 WHERE d.kind = ?1 AND d.item_id = ?2",
            )?
            .query_row([kind.as_str(), id], |r| r.get(0))
            .optional()?
            .map(SortValue::Name),
        SearchOrder::Release => {
            let sql = match kind {
                SearchKind::Track => "SELECT al.release_date FROM tracks t JOIN albums al ON al.id = t.album_id WHERE t.id = ?1",
                SearchKind::Album => "SELECT release_date FROM albums WHERE id = ?1",
                _ => return Ok(Some(SortValue::Release(None))),
            };
            Some(SortValue::Release(match one(sql)? {
                Some(rusqlite::types::Value::Text(date)) => Some(date),
                _ => None,
            }))
        }
        SearchOrder::Popularity => {
            let sql = match kind {
                SearchKind::Track => "SELECT plays FROM play_counts WHERE track_id = ?1",
                SearchKind::Album => "SELECT sum(p.plays) FROM album_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.album_id = ?1",
                SearchKind::Artist => "SELECT sum(p.plays) FROM artist_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.artist_id = ?1",
                SearchKind::Playlist => "SELECT sum(p.plays) FROM playlist_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.playlist_id = ?1",
                SearchKind::PodcastShow => return Ok(Some(SortValue::Plays(0))),
            };
            Some(SortValue::Plays(match one(sql)? {
                Some(rusqlite::types::Value::Integer(n)) => n,
                _ => 0,
            }))
        }
    })
}

#[async_trait]
impl SearchStore for SqliteStore {
    async fn search_matches(&self, queries: &[MatchQuery]) -> StoreResult<Vec<Vec<MatchRow>>> {
        let queries = queries.to_vec();
        self.scan(move |conn| queries.iter().map(|q| matches(conn, q)).collect())
            .await
    }

    async fn search_ids(
        &self,
        kinds: &[SearchKind],
        query: &str,
    ) -> StoreResult<Vec<(SearchKind, String)>> {
        self.read(|conn| ids(conn, kinds, query))
    }

    async fn search_terms(&self, min_len: usize, max_len: usize) -> StoreResult<Vec<String>> {
        self.scan(move |conn| {
            let mut st =
                conn.prepare_cached("SELECT term FROM search_terms WHERE len BETWEEN ?1 AND ?2")?;
            let rows = st.query_map([min_len, max_len], |r| r.get::<_, String>(0))?;
            rows.collect()
        })
        .await
    }

    async fn sort_values(
        &self,
        order: SearchOrder,
        items: &[(SearchKind, String)],
    ) -> StoreResult<Vec<Option<SortValue>>> {
        let items = items.to_vec();
        self.scan(move |conn| {
            items
                .iter()
                .map(|(kind, id)| sort_value(conn, order, *kind, id))
                .collect()
        })
        .await
    }
}
