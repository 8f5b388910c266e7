//! Full-text search: one FTS5 index over every kind of catalog item (`kind`, `name`, `artist`,
//! `album`; case and accents folded), rebuilt with each import; its vocabulary backs typo
//! tolerance, and `play_counts` backs popularity.

use std::collections::HashSet;

use async_trait::async_trait;
use medley_store::{
    SearchField, SearchFilter, SearchHit, SearchKind, SearchOrder, SearchRequest, SearchStore,
    StoreResult,
};
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use unicode_normalization::UnicodeNormalization;

use crate::SqliteStore;

/// Rebuilds the index and its vocabulary from the catalog tables.
macro_rules! reindex_sql {
    () => {
        r#"
DELETE FROM search_index;
DELETE FROM search_docs;
INSERT INTO search_docs (kind, item_id) SELECT 'artist', id FROM artists;
INSERT INTO search_docs (kind, item_id) SELECT 'album', id FROM albums;
INSERT INTO search_docs (kind, item_id) SELECT 'track', id FROM tracks;
INSERT INTO search_docs (kind, item_id) SELECT 'playlist', id FROM playlists;
INSERT INTO search_docs (kind, item_id) SELECT 'podcastshow', id FROM podcast_shows;
INSERT INTO search_index (rowid, kind, name, artist, album)
  SELECT d.rowid, d.kind, a.name, '', '' FROM search_docs d JOIN artists a ON a.id = d.item_id
  WHERE d.kind = 'artist';
INSERT INTO search_index (rowid, kind, name, artist, album)
  SELECT d.rowid, d.kind, al.title,
         coalesce((SELECT group_concat(ar.name, ' ') FROM album_artists aa
                   JOIN artists ar ON ar.id = aa.artist_id WHERE aa.album_id = al.id), ''), ''
  FROM search_docs d JOIN albums al ON al.id = d.item_id WHERE d.kind = 'album';
INSERT INTO search_index (rowid, kind, name, artist, album)
  SELECT d.rowid, d.kind, t.title,
         coalesce((SELECT group_concat(ar.name, ' ') FROM track_artists ta
                   JOIN artists ar ON ar.id = ta.artist_id WHERE ta.track_id = t.id), ''),
         coalesce((SELECT title FROM albums WHERE id = t.album_id), '')
  FROM search_docs d JOIN tracks t ON t.id = d.item_id WHERE d.kind = 'track';
INSERT INTO search_index (rowid, kind, name, artist, album)
  SELECT d.rowid, d.kind, p.title, '', '' FROM search_docs d JOIN playlists p ON p.id = d.item_id
  WHERE d.kind = 'playlist';
INSERT INTO search_index (rowid, kind, name, artist, album)
  SELECT d.rowid, d.kind, s.title, '', '' FROM search_docs d JOIN podcast_shows s ON s.id = d.item_id
  WHERE d.kind = 'podcastshow';
DELETE FROM search_terms;
INSERT INTO search_terms SELECT term, length(term) FROM search_vocab;
"#
    };
}
pub(crate) use reindex_sql;

/// Most results any search ranks; orders other than relevance sort these.
const CAP: usize = 1000;

/// The words of a query as the index sees them: letters and digits, lower case, no accents.
pub fn words(query: &str) -> Vec<String> {
    let folded: String = query
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Edit distance (insertions, deletions, substitutions, adjacent swaps), giving up above `max`.
fn distance(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = (a[i - 1] != b[j - 1]) as usize;
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        if cur.iter().min().copied().unwrap_or(0) > max {
            return max + 1;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// How many typos a word of this length forgives.
fn typos_allowed(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Known words within the allowed typos of `word` (not those it is a prefix of: the exact
/// query finds them already).
fn near_words(conn: &Connection, word: &str) -> rusqlite::Result<Vec<String>> {
    let w: Vec<char> = word.chars().collect();
    let max = typos_allowed(w.len());
    if max == 0 {
        return Ok(Vec::new());
    }
    let mut st =
        conn.prepare_cached("SELECT term FROM search_terms WHERE len BETWEEN ?1 AND ?2")?;
    let rows = st.query_map([w.len() - max, w.len() + max], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for term in rows {
        let term = term?;
        if term.starts_with(word) {
            continue;
        }
        let t: Vec<char> = term.chars().collect();
        if distance(&w, &t, max) <= max {
            out.push(term);
        }
    }
    Ok(out)
}

/// The index columns a field searches for a kind; `None` when the kind has no such field.
fn columns(kind: SearchKind, field: Option<SearchField>) -> Option<&'static str> {
    use SearchField::*;
    use SearchKind::*;
    match (field, kind) {
        (None, _) => Some("{name artist album}"),
        (Some(Name), _) => Some("name"),
        (Some(ArtistName), Track | Album) => Some("artist"),
        (Some(ArtistName), Artist) => Some("name"),
        (Some(AlbumName), Track) => Some("album"),
        (Some(AlbumName), Album) => Some("name"),
        _ => None,
    }
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

fn is_text(f: &SearchFilter) -> bool {
    matches!(
        f.field,
        None | Some(SearchField::Name | SearchField::ArtistName | SearchField::AlbumName)
    )
}

/// One FTS word: a prefix (as typed) or one of its near spellings.
fn word_expr(word: &str, near: &[String]) -> String {
    let mut alts = vec![format!("\"{word}\"*")];
    alts.extend(near.iter().map(|t| format!("\"{t}\"")));
    format!("({})", alts.join(" OR "))
}

struct Plan<'a> {
    kinds: &'a [SearchKind],
    text: Vec<(&'static str, Vec<String>)>,
    exact: Vec<(&'static str, String)>,
}

impl Plan<'_> {
    /// The MATCH expression; `near` gives each word's near spellings (empty: exact only).
    fn fts(&self, near: &dyn Fn(&str) -> Vec<String>) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        let mut parts = vec![format!("kind : ({})", kinds.join(" OR "))];
        for (cols, words) in &self.text {
            let ws: Vec<String> = words.iter().map(|w| word_expr(w, &near(w))).collect();
            parts.push(format!("{cols} : ({})", ws.join(" AND ")));
        }
        parts.join(" AND ")
    }

    /// `(kind, id)` ranked by relevance, at most `cap`.
    fn run(
        &self,
        conn: &Connection,
        fts: Option<&str>,
        cap: usize,
    ) -> rusqlite::Result<Vec<(String, String)>> {
        let mut sql = String::new();
        let mut args: Vec<String> = Vec::new();
        match fts {
            Some(expr) => {
                sql.push_str(
                    "SELECT d.kind, d.item_id FROM search_index i JOIN search_docs d ON d.rowid = i.rowid
                     WHERE search_index MATCH ?",
                );
                args.push(expr.to_string());
            }
            None => {
                sql.push_str(
                    "SELECT d.kind, d.item_id FROM search_docs d JOIN search_index i ON i.rowid = d.rowid
                     WHERE d.kind = ?",
                );
                args.push(self.kinds[0].as_str().to_string());
            }
        }
        for (cond, value) in &self.exact {
            sql.push_str(" AND ");
            sql.push_str(cond);
            args.push(value.clone());
        }
        sql.push_str(match fts {
            Some(_) => " ORDER BY bm25(search_index, 0.0, 10.0, 4.0, 2.0) LIMIT ?",
            None => " ORDER BY lower(i.name), d.item_id LIMIT ?",
        });
        args.push(cap.to_string());
        let mut st = conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect()
    }
}

/// Items whose id (or, for tracks, ISRC) is the whole query: they come first.
fn exact_ids(
    conn: &Connection,
    kinds: &[SearchKind],
    query: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let q = query.trim();
    if q.is_empty() || q.contains(char::is_whitespace) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT d.kind, d.item_id FROM search_docs d WHERE d.kind = ?1
         AND (d.item_id = ?2 OR (?1 = 'track' AND d.item_id IN (SELECT id FROM tracks WHERE isrc = upper(?2))))",
    )?;
    for k in kinds {
        for row in st.query_map(rusqlite::params![k.as_str(), q], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })? {
            out.push(row?);
        }
    }
    Ok(out)
}

/// The key a non-relevance order sorts by (smaller first).
fn order_key(
    conn: &Connection,
    order: SearchOrder,
    kind: &str,
    id: &str,
) -> rusqlite::Result<(i64, String)> {
    let one = |sql: &str| -> rusqlite::Result<Option<rusqlite::types::Value>> {
        conn.prepare_cached(sql)?
            .query_row([id], |r| r.get(0))
            .optional()
    };
    Ok(match order {
        SearchOrder::Relevance => (0, String::new()),
        SearchOrder::Name => {
            let name: Option<String> = conn
                .prepare_cached(
                    "SELECT i.name FROM search_docs d JOIN search_index i ON i.rowid = d.rowid
                     WHERE d.kind = ?1 AND d.item_id = ?2",
                )?
                .query_row([kind, id], |r| r.get(0))
                .optional()?;
            (0, name.unwrap_or_default().to_lowercase())
        }
        SearchOrder::Release => {
            let sql = match kind {
                "track" => "SELECT al.release_date FROM tracks t JOIN albums al ON al.id = t.album_id WHERE t.id = ?1",
                "album" => "SELECT release_date FROM albums WHERE id = ?1",
                _ => return Ok((1, String::new())),
            };
            match one(sql)? {
                Some(rusqlite::types::Value::Text(date)) => {
                    // Newest first: invert the date's characters so ascending order works.
                    (
                        0,
                        date.chars()
                            .map(|c| char::from_u32(0x10FFFF - c as u32).unwrap_or(c))
                            .collect(),
                    )
                }
                _ => (1, String::new()),
            }
        }
        SearchOrder::Popularity => {
            let sql = match kind {
                "track" => "SELECT plays FROM play_counts WHERE track_id = ?1",
                "album" => "SELECT sum(p.plays) FROM album_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.album_id = ?1",
                "artist" => "SELECT sum(p.plays) FROM artist_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.artist_id = ?1",
                "playlist" => "SELECT sum(p.plays) FROM playlist_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.playlist_id = ?1",
                _ => return Ok((0, String::new())),
            };
            let plays = match one(sql)? {
                Some(rusqlite::types::Value::Integer(n)) => n,
                _ => 0,
            };
            (-plays, String::new())
        }
    })
}

fn search(conn: &Connection, req: &SearchRequest) -> rusqlite::Result<Vec<SearchHit>> {
    let kinds = &req.kinds;
    let mut plan = Plan {
        kinds,
        text: Vec::new(),
        exact: Vec::new(),
    };
    for f in &req.filters {
        // A field one of the kinds does not have matches nothing of it; across kinds only text
        // fields apply.
        if is_text(f) {
            let Some(cols) = kinds
                .iter()
                .map(|k| columns(*k, f.field))
                .reduce(|a, b| if a == b { a } else { None })
                .flatten()
            else {
                return Ok(Vec::new());
            };
            let ws = words(&f.query);
            if ws.is_empty() {
                return Ok(Vec::new());
            }
            plan.text.push((cols, ws));
        } else {
            let (Some(field), [kind]) = (f.field, kinds.as_slice()) else {
                return Ok(Vec::new());
            };
            let Some(cond) = exact(*kind, field) else {
                return Ok(Vec::new());
            };
            plan.exact.push((cond, f.query.trim().to_string()));
        }
    }
    let wanted = (req.offset + req.limit) as usize;
    let cap = if req.order == SearchOrder::Relevance {
        wanted.min(CAP)
    } else {
        CAP
    };
    let mut seen = HashSet::new();
    let mut ranked: Vec<(String, String)> = Vec::new();
    let mut add = |rows: Vec<(String, String)>, ranked: &mut Vec<(String, String)>| {
        for r in rows {
            if seen.insert(r.clone()) {
                ranked.push(r);
            }
        }
    };
    if plan.text.is_empty() {
        add(plan.run(conn, None, cap)?, &mut ranked);
    } else {
        if let [f] = req.filters.as_slice() {
            if f.field.is_none() {
                add(exact_ids(conn, kinds, &f.query)?, &mut ranked);
            }
        }
        add(
            plan.run(conn, Some(&plan.fts(&|_| Vec::new())), cap)?,
            &mut ranked,
        );
        if ranked.len() < cap {
            // Near spellings, after everything the words as typed found.
            let mut near = std::collections::HashMap::new();
            for (_, ws) in &plan.text {
                for w in ws {
                    near.insert(w.clone(), near_words(conn, w)?);
                }
            }
            if near.values().any(|v| !v.is_empty()) {
                let expr = plan.fts(&|w| near.get(w).cloned().unwrap_or_default());
                add(plan.run(conn, Some(&expr), cap)?, &mut ranked);
            }
        }
    }
    ranked.truncate(cap);
    if req.order != SearchOrder::Relevance {
        let mut keyed = Vec::with_capacity(ranked.len());
        for (rank, (kind, id)) in ranked.into_iter().enumerate() {
            keyed.push((order_key(conn, req.order, &kind, &id)?, rank, kind, id));
        }
        keyed.sort();
        ranked = keyed.into_iter().map(|(_, _, k, i)| (k, i)).collect();
    }
    Ok(ranked
        .into_iter()
        .skip(req.offset as usize)
        .take(req.limit as usize)
        .filter_map(|(kind, id)| SearchKind::parse(&kind).map(|kind| SearchHit { kind, id }))
        .collect())
}

#[async_trait]
impl SearchStore for SqliteStore {
    async fn search(&self, req: &SearchRequest) -> StoreResult<Vec<SearchHit>> {
        self.read(|conn| search(conn, req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_accents() {
        assert_eq!(
            words("Beyoncé  RÖYKSOPP—live!"),
            ["beyonce", "royksopp", "live"]
        );
        assert!(words(" ,; ").is_empty());
    }

    #[test]
    fn distance_counts_typos() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            distance(&a, &b, 2)
        };
        assert_eq!(d("strokes", "strokes"), 0);
        assert_eq!(d("storkes", "strokes"), 1, "a swap is one typo");
        assert_eq!(d("strkes", "strokes"), 1);
        assert_eq!(d("stroks", "strokes"), 1);
        assert_eq!(d("abc", "xyzabc"), 3);
    }
}
