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

/// Most matches of one kind a search considers: the first ones in the index's order (shortest
/// names first). Orders other than relevance sort these too; paging ends there.
const POOL: usize = 500;

/// The words of a query as the index sees them: letters and digits, lower case, no accents.
pub fn words(query: &str) -> Vec<String> {
    if query.is_ascii() {
        return query
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
    }
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

/// The index columns (name 0, artist 1, album 2) a field searches for a kind; `None` when the
/// kind has no such field.
fn columns(kind: SearchKind, field: Option<SearchField>) -> Option<&'static [usize]> {
    use SearchField::*;
    use SearchKind::*;
    match (field, kind) {
        (None, _) => Some(&[0, 1, 2]),
        (Some(Name), _) | (Some(ArtistName), Artist) | (Some(AlbumName), Album) => Some(&[0]),
        (Some(ArtistName), Track | Album) => Some(&[1]),
        (Some(AlbumName), Track) => Some(&[2]),
        _ => None,
    }
}

const COLUMN_NAMES: [&str; 3] = ["name", "artist", "album"];
/// How much a word matching in each column counts.
const COLUMN_WEIGHTS: [f64; 3] = [10.0, 4.0, 2.0];

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

/// A query word and its near spellings (empty in the exact pass).
struct Word {
    text: String,
    near: Vec<String>,
}

impl Word {
    /// The FTS expression: the word as a prefix, or one of its near spellings.
    fn fts(&self) -> String {
        let mut alts = vec![format!("\"{}\"*", self.text)];
        alts.extend(self.near.iter().map(|t| format!("\"{t}\"")));
        format!("({})", alts.join(" OR "))
    }

    /// How well one token of a field matches: whole word, prefix, near spelling.
    fn quality(&self, token: &str) -> f64 {
        if token == self.text {
            1.0
        } else if token.starts_with(&self.text) {
            0.8
        } else if self.near.iter().any(|n| n == token) {
            0.6
        } else {
            0.0
        }
    }
}

/// The text filters of a search for one kind: the columns each searches, and its words.
type TextFilters = Vec<(&'static [usize], Vec<Word>)>;
/// Exact conditions on `d.item_id`, with their values.
type Conditions = Vec<(&'static str, String)>;

fn fts_expr(text: &TextFilters) -> String {
    text.iter()
        .map(|(cols, words)| {
            let cols: Vec<&str> = cols.iter().map(|c| COLUMN_NAMES[*c]).collect();
            let ws: Vec<String> = words.iter().map(Word::fts).collect();
            format!("{{{}}} : ({})", cols.join(" "), ws.join(" AND "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// How relevant a match is: each word counts by the best column it matches in (and how well),
/// a name that is exactly the query counts extra, unmatched words of the name count against.
fn relevance(text: &TextFilters, fields: &[String; 3]) -> f64 {
    let tokens: Vec<Vec<String>> = fields.iter().map(|f| words(f)).collect();
    let mut score = 0.0;
    let mut name_hits = 0;
    for (cols, ws) in text {
        for w in ws {
            let mut best = 0.0f64;
            for &c in *cols {
                let q = tokens[c].iter().map(|t| w.quality(t)).fold(0.0, f64::max);
                if c == 0 && q > 0.0 {
                    name_hits += 1;
                }
                best = best.max(q * COLUMN_WEIGHTS[c]);
            }
            score += best;
        }
    }
    let all: Vec<&str> = text
        .iter()
        .flat_map(|(_, ws)| ws.iter().map(|w| w.text.as_str()))
        .collect();
    if tokens[0].iter().map(String::as_str).eq(all.iter().copied()) {
        score += 8.0;
    }
    score - 0.3 * tokens[0].len().saturating_sub(name_hits) as f64
}

/// The score of an item whose id or ISRC is the whole query: above any text match.
const EXACT_ID: f64 = 1000.0;

struct Scored {
    kind: SearchKind,
    id: String,
    score: f64,
}

/// Matches of one kind, in the index's order, at most `POOL`, scored.
fn pool(
    conn: &Connection,
    kind: SearchKind,
    text: &TextFilters,
    exact_conds: &[(&str, String)],
) -> rusqlite::Result<Vec<Scored>> {
    let Some((lo, hi)) = conn
        .prepare_cached("SELECT lo, hi FROM search_kinds WHERE kind = ?1")?
        .query_row([kind.as_str()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let conds: String = exact_conds
        .iter()
        .map(|(c, _)| format!(" AND {c}"))
        .collect();
    let values = exact_conds.iter().map(|(_, v)| v.clone());
    if text.is_empty() {
        // Exact fields only: the matching items through their indexes, in the index's order
        // (shortest names first); there are no words to rank by.
        let sql = format!(
            "SELECT d.item_id FROM search_docs d WHERE d.kind = ?{conds} ORDER BY d.rowid LIMIT ?"
        );
        let args: Vec<String> = std::iter::once(kind.as_str().to_string())
            .chain(values)
            .chain([POOL.to_string()])
            .collect();
        let mut st = conn.prepare_cached(&sql)?;
        let ids = st.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?;
        return ids
            .enumerate()
            .map(|(rank, id)| {
                Ok(Scored {
                    kind,
                    id: id?,
                    score: -(rank as f64),
                })
            })
            .collect();
    }
    let sql = format!(
        "SELECT d.item_id, i.name, i.artist, i.album
         FROM search_index i JOIN search_docs d ON d.rowid = i.rowid
         WHERE search_index MATCH ? AND i.rowid BETWEEN ? AND ?{conds}
         ORDER BY i.rowid LIMIT ?"
    );
    let args: Vec<String> = [fts_expr(text), lo.to_string(), hi.to_string()]
        .into_iter()
        .chain(values)
        .chain([POOL.to_string()])
        .collect();
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args.iter()), |r| {
        Ok((r.get::<_, String>(0)?, [r.get(1)?, r.get(2)?, r.get(3)?]))
    })?;
    rows.map(|row| {
        let (id, fields) = row?;
        Ok(Scored {
            kind,
            id,
            score: relevance(text, &fields),
        })
    })
    .collect()
}

/// Items whose id (or, for tracks, ISRC) is the whole query: they come first.
fn exact_ids(
    conn: &Connection,
    kinds: &[SearchKind],
    query: &str,
) -> rusqlite::Result<Vec<(SearchKind, String)>> {
    let q = query.trim();
    if q.is_empty() || q.contains(char::is_whitespace) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for &k in kinds {
        let found: Option<String> = conn
            .prepare_cached("SELECT item_id FROM search_docs WHERE kind = ?1 AND item_id = ?2")?
            .query_row([k.as_str(), q], |r| r.get(0))
            .optional()?;
        out.extend(found.map(|id| (k, id)));
        if k == SearchKind::Track {
            let mut st = conn.prepare_cached("SELECT id FROM tracks WHERE isrc = upper(?1)")?;
            for id in st.query_map([q], |r| r.get::<_, String>(0))? {
                out.push((k, id?));
            }
        }
    }
    Ok(out)
}

/// The key a non-relevance order sorts by (smaller first).
fn order_key(
    conn: &Connection,
    order: SearchOrder,
    kind: SearchKind,
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
                .query_row([kind.as_str(), id], |r| r.get(0))
                .optional()?;
            (0, name.unwrap_or_default().to_lowercase())
        }
        SearchOrder::Release => {
            let sql = match kind {
                SearchKind::Track => "SELECT al.release_date FROM tracks t JOIN albums al ON al.id = t.album_id WHERE t.id = ?1",
                SearchKind::Album => "SELECT release_date FROM albums WHERE id = ?1",
                _ => return Ok((1, String::new())),
            };
            match one(sql)? {
                // Newest first: invert the date's characters so ascending order works.
                Some(rusqlite::types::Value::Text(date)) => (
                    0,
                    date.chars()
                        .map(|c| char::from_u32(0x10FFFF - c as u32).unwrap_or(c))
                        .collect(),
                ),
                _ => (1, String::new()),
            }
        }
        SearchOrder::Popularity => {
            let sql = match kind {
                SearchKind::Track => "SELECT plays FROM play_counts WHERE track_id = ?1",
                SearchKind::Album => "SELECT sum(p.plays) FROM album_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.album_id = ?1",
                SearchKind::Artist => "SELECT sum(p.plays) FROM artist_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.artist_id = ?1",
                SearchKind::Playlist => "SELECT sum(p.plays) FROM playlist_tracks a JOIN play_counts p ON p.track_id = a.track_id WHERE a.playlist_id = ?1",
                SearchKind::PodcastShow => return Ok((0, String::new())),
            };
            let plays = match one(sql)? {
                Some(rusqlite::types::Value::Integer(n)) => n,
                _ => 0,
            };
            (-plays, String::new())
        }
    })
}

/// The text filters and exact conditions of a search for one kind; `None` when a field the
/// kind does not have makes it match nothing.
fn plan(
    kind: SearchKind,
    filters: &[SearchFilter],
    several_kinds: bool,
) -> Option<(TextFilters, Conditions)> {
    let mut text = Vec::new();
    let mut conds = Vec::new();
    for f in filters {
        if is_text(f) {
            let ws: Vec<Word> = words(&f.query)
                .into_iter()
                .map(|text| Word {
                    text,
                    near: Vec::new(),
                })
                .collect();
            if ws.is_empty() {
                return None;
            }
            text.push((columns(kind, f.field)?, ws));
        } else {
            // Across kinds only text fields apply.
            if several_kinds {
                return None;
            }
            conds.push((exact(kind, f.field?)?, f.query.trim().to_string()));
        }
    }
    Some((text, conds))
}

fn search(conn: &Connection, req: &SearchRequest) -> rusqlite::Result<Vec<SearchHit>> {
    let several = req.kinds.len() > 1;
    let plans: Vec<(SearchKind, TextFilters, Conditions)> = req
        .kinds
        .iter()
        .filter_map(|k| plan(*k, &req.filters, several).map(|(t, c)| (*k, t, c)))
        .collect();
    let wanted = (req.offset + req.limit) as usize;
    let mut seen = HashSet::new();
    let mut ranked: Vec<Scored> = Vec::new();
    let mut add = |mut found: Vec<Scored>, ranked: &mut Vec<Scored>| {
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        for s in found {
            if seen.insert((s.kind, s.id.clone())) {
                ranked.push(s);
            }
        }
    };
    if let [f] = req.filters.as_slice() {
        if f.field.is_none() {
            let ids = exact_ids(conn, &req.kinds, &f.query)?;
            add(
                ids.into_iter()
                    .map(|(kind, id)| Scored {
                        kind,
                        id,
                        score: EXACT_ID,
                    })
                    .collect(),
                &mut ranked,
            );
        }
    }
    let mut found = Vec::new();
    for (kind, text, conds) in &plans {
        found.extend(pool(conn, *kind, text, conds)?);
    }
    add(found, &mut ranked);
    if ranked.len() < wanted && plans.iter().any(|(_, t, _)| !t.is_empty()) {
        // Near spellings, after everything the words as typed found.
        let mut found = Vec::new();
        for (kind, text, conds) in &plans {
            let mut text_near: TextFilters = Vec::new();
            let mut any = false;
            for (cols, ws) in text {
                let mut near_ws = Vec::new();
                for w in ws {
                    let near = near_words(conn, &w.text)?;
                    any |= !near.is_empty();
                    near_ws.push(Word {
                        text: w.text.clone(),
                        near,
                    });
                }
                text_near.push((cols, near_ws));
            }
            if any {
                found.extend(pool(conn, *kind, &text_near, conds)?);
            }
        }
        add(found, &mut ranked);
    }
    if req.order != SearchOrder::Relevance {
        let mut keyed = Vec::with_capacity(ranked.len());
        for (rank, s) in ranked.into_iter().enumerate() {
            keyed.push((order_key(conn, req.order, s.kind, &s.id)?, rank, s));
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        ranked = keyed.into_iter().map(|(_, _, s)| s).collect();
    }
    Ok(ranked
        .into_iter()
        .skip(req.offset as usize)
        .take(req.limit as usize)
        .map(|s| SearchHit {
            kind: s.kind,
            id: s.id,
            score: s.score,
        })
        .collect())
}

#[async_trait]
impl SearchStore for SqliteStore {
    async fn search(&self, req: &SearchRequest) -> StoreResult<Vec<SearchHit>> {
        let req = req.to_owned();
        self.scan(move |conn| search(conn, &req)).await
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
