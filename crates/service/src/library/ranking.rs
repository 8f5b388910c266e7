//! Search ranking and typo tolerance, the same over every backend: the store only matches
//! words against its index and returns rows (`SearchStore`); this decides what to ask it, how
//! relevant each match is, when near spellings are tried, and the order of the results.

use std::collections::{HashMap, HashSet};

use medley_core::text::search_words;
use medley_store::{
    MatchQuery, MatchRow, SearchColumn, SearchField, SearchFilter, SearchHit, SearchKind,
    SearchOrder, SearchRequest, SearchStore, SortValue, StoreResult, TextMatch, WordMatch,
};

/// Most matches of one kind a search considers: the first ones in the index's order (shortest
/// names first). Orders other than relevance sort these too; paging ends there.
const POOL: u32 = 500;

/// How much a word matching in each column counts (by `SearchColumn`).
const COLUMN_WEIGHTS: [f64; 3] = [10.0, 4.0, 2.0];

/// The score of an item whose id or ISRC is the whole query: above any text match.
const EXACT_ID: f64 = 1000.0;

/// The hits of one search (`offset..offset + limit` of its ordered results).
pub async fn search<S: SearchStore + ?Sized>(
    store: &S,
    req: &SearchRequest,
) -> StoreResult<Vec<SearchHit>> {
    let mut each = search_each(store, std::slice::from_ref(req)).await?;
    Ok(each.pop().unwrap_or_default())
}

/// The hits of several searches, asking the store for all of them at once: as few round
/// trips for five kinds as for one.
pub async fn search_each<S: SearchStore + ?Sized>(
    store: &S,
    reqs: &[SearchRequest],
) -> StoreResult<Vec<Vec<SearchHit>>> {
    let mut searches: Vec<Search> = reqs.iter().map(Search::new).collect();

    // Items whose id is the whole query come first, one read per distinct query.
    let mut by_query: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in searches.iter().enumerate() {
        if let Some(q) = s.id_query {
            by_query.entry(q).or_default().push(i);
        }
    }
    for (query, which) in by_query {
        let mut kinds: Vec<SearchKind> = which
            .iter()
            .flat_map(|i| searches[*i].req.kinds.iter().copied())
            .collect();
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        let found = store.search_ids(&kinds, query).await?;
        for i in which {
            let mine: Vec<Scored> = found
                .iter()
                .filter(|(k, _)| searches[i].req.kinds.contains(k))
                .map(|(kind, id)| Scored {
                    kind: *kind,
                    id: id.clone(),
                    score: EXACT_ID,
                })
                .collect();
            searches[i].add(mine);
        }
    }

    // The words as typed.
    let asked: Vec<(usize, MatchQuery)> = searches
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.plans.iter().map(move |p| (i, p.query())))
        .collect();
    let answers = matches(store, &asked).await?;
    for (i, found) in answers {
        searches[i].add(found);
    }

    // Near spellings, after everything the words as typed found, where that was too little.
    let short: Vec<usize> = (0..searches.len())
        .filter(|i| searches[*i].wants_more())
        .collect();
    let typed: Vec<&str> = short
        .iter()
        .flat_map(|i| searches[*i].plans.iter())
        .flat_map(|p| p.text.iter().flat_map(|t| t.words.iter()))
        .map(|w| w.prefix.as_str())
        .collect();
    let vocabulary = Vocabulary::read(store, &typed).await?;
    let mut asked = Vec::new();
    for i in short {
        for plan in &searches[i].plans {
            if let Some(near) = plan.with_near(&vocabulary) {
                asked.push((i, near.query()));
            }
        }
    }
    let answers = matches(store, &asked).await?;
    for (i, found) in answers {
        searches[i].add(found);
    }

    let mut out = Vec::with_capacity(searches.len());
    for s in searches {
        out.push(s.finish(store).await?);
    }
    Ok(out)
}

/// Asks the store for every query in one call; each answer scored and tagged with the search
/// it belongs to.
async fn matches<S: SearchStore + ?Sized>(
    store: &S,
    asked: &[(usize, MatchQuery)],
) -> StoreResult<Vec<(usize, Vec<Scored>)>> {
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let queries: Vec<MatchQuery> = asked.iter().map(|(_, q)| q.clone()).collect();
    let rows = store.search_matches(&queries).await?;
    Ok(asked
        .iter()
        .zip(rows)
        .map(|((i, q), rows)| (*i, score(q, rows)))
        .collect())
}

fn score(q: &MatchQuery, rows: Vec<MatchRow>) -> Vec<Scored> {
    rows.into_iter()
        .enumerate()
        .map(|(rank, row)| Scored {
            kind: q.kind,
            score: if q.text.is_empty() {
                // Exact fields only: no words to rank by, the index's order stands.
                -(rank as f64)
            } else {
                relevance(&q.text, &row.columns)
            },
            id: row.id,
        })
        .collect()
}

struct Scored {
    kind: SearchKind,
    id: String,
    score: f64,
}

/// One search on its way: what it asks for each kind, and what it has ranked so far.
struct Search<'a> {
    req: &'a SearchRequest,
    plans: Vec<Plan>,
    /// The whole query, where an id could be it.
    id_query: Option<&'a str>,
    seen: HashSet<(SearchKind, String)>,
    ranked: Vec<Scored>,
}

impl<'a> Search<'a> {
    fn new(req: &'a SearchRequest) -> Search<'a> {
        let several = req.kinds.len() > 1;
        let plans = req
            .kinds
            .iter()
            .filter_map(|k| Plan::new(*k, &req.filters, several))
            .collect();
        let id_query = match req.filters.as_slice() {
            [f] if f.field.is_none() => Some(f.query.trim()),
            _ => None,
        }
        .filter(|q| !q.is_empty() && !q.contains(char::is_whitespace));
        Search {
            req,
            plans,
            id_query,
            seen: HashSet::new(),
            ranked: Vec::new(),
        }
    }

    /// Adds what one pass found, best first, after what earlier passes found.
    fn add(&mut self, mut found: Vec<Scored>) {
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        for s in found {
            if self.seen.insert((s.kind, s.id.clone())) {
                self.ranked.push(s);
            }
        }
    }

    fn wants_more(&self) -> bool {
        let wanted = (self.req.offset + self.req.limit) as usize;
        self.ranked.len() < wanted && self.plans.iter().any(|p| !p.text.is_empty())
    }

    /// The page asked for, in the order asked for.
    async fn finish<S: SearchStore + ?Sized>(self, store: &S) -> StoreResult<Vec<SearchHit>> {
        let Search {
            req, mut ranked, ..
        } = self;
        if req.order != SearchOrder::Relevance && !ranked.is_empty() {
            let items: Vec<(SearchKind, String)> =
                ranked.iter().map(|s| (s.kind, s.id.clone())).collect();
            let values = store.sort_values(req.order, &items).await?;
            let mut keyed: Vec<((i64, String), usize, Scored)> = ranked
                .into_iter()
                .zip(values)
                .enumerate()
                .map(|(rank, (s, v))| (sort_key(v), rank, s))
                .collect();
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
}

/// The key an order other than relevance sorts by (smaller first): names alphabetically,
/// newest release first and undated last, most played first.
fn sort_key(v: Option<SortValue>) -> (i64, String) {
    match v {
        None => (0, String::new()),
        Some(SortValue::Name(name)) => (0, name.to_lowercase()),
        // Newest first: each character inverted, so that ascending order works.
        Some(SortValue::Release(Some(date))) => (
            0,
            date.chars()
                .map(|c| char::from_u32(0x10FFFF - c as u32).unwrap_or(c))
                .collect(),
        ),
        Some(SortValue::Release(None)) => (1, String::new()),
        Some(SortValue::Plays(n)) => (-n, String::new()),
    }
}

/// What a search asks the index for one kind.
struct Plan {
    kind: SearchKind,
    text: Vec<TextMatch>,
    conditions: Vec<(SearchField, String)>,
}

impl Plan {
    /// `None` when the filters cannot match this kind (a text field it has not, no words, or
    /// an exact field in a search across kinds, where only text fields apply).
    fn new(kind: SearchKind, filters: &[SearchFilter], several_kinds: bool) -> Option<Plan> {
        let mut text = Vec::new();
        let mut conditions = Vec::new();
        for f in filters {
            if is_text(f) {
                let words: Vec<WordMatch> = search_words(&f.query)
                    .into_iter()
                    .map(|prefix| WordMatch {
                        prefix,
                        near: Vec::new(),
                    })
                    .collect();
                if words.is_empty() {
                    return None;
                }
                text.push(TextMatch {
                    columns: columns(kind, f.field)?.to_vec(),
                    words,
                });
            } else {
                if several_kinds {
                    return None;
                }
                conditions.push((f.field?, f.query.trim().to_string()));
            }
        }
        Some(Plan {
            kind,
            text,
            conditions,
        })
    }

    fn query(&self) -> MatchQuery {
        MatchQuery {
            kind: self.kind,
            text: self.text.clone(),
            conditions: self.conditions.clone(),
            limit: POOL,
        }
    }

    /// The plan with each word's near spellings; `None` when no word has any.
    fn with_near(&self, vocabulary: &Vocabulary) -> Option<Plan> {
        let mut any = false;
        let text = self
            .text
            .iter()
            .map(|t| TextMatch {
                columns: t.columns.clone(),
                words: t
                    .words
                    .iter()
                    .map(|w| {
                        let near = vocabulary.near(&w.prefix);
                        any |= !near.is_empty();
                        WordMatch {
                            prefix: w.prefix.clone(),
                            near,
                        }
                    })
                    .collect(),
            })
            .collect();
        any.then(|| Plan {
            kind: self.kind,
            text,
            conditions: self.conditions.clone(),
        })
    }
}

fn is_text(f: &SearchFilter) -> bool {
    matches!(
        f.field,
        None | Some(SearchField::Name | SearchField::ArtistName | SearchField::AlbumName)
    )
}

/// The index columns a field searches for a kind; `None` when the kind has no such field.
fn columns(kind: SearchKind, field: Option<SearchField>) -> Option<&'static [SearchColumn]> {
    use SearchColumn as C;
    use SearchField::*;
    use SearchKind::*;
    match (field, kind) {
        (None, _) => Some(&C::ALL),
        (Some(Name), _) | (Some(ArtistName), Artist) | (Some(AlbumName), Album) => Some(&[C::Name]),
        (Some(ArtistName), Track | Album) => Some(&[C::Artist]),
        (Some(AlbumName), Track) => Some(&[C::Album]),
        _ => None,
    }
}

/// How well one word of a column matches: whole word, prefix, near spelling.
fn quality(w: &WordMatch, token: &str) -> f64 {
    if token == w.prefix {
        1.0
    } else if token.starts_with(&w.prefix) {
        0.8
    } else if w.near.iter().any(|n| n == token) {
        0.6
    } else {
        0.0
    }
}

/// How relevant a match is: each word counts by the best column it matches in (and how well),
/// a name that is exactly the query counts extra, unmatched words of the name count against.
fn relevance(text: &[TextMatch], columns: &[String; 3]) -> f64 {
    let tokens: Vec<Vec<String>> = columns.iter().map(|c| search_words(c)).collect();
    let mut score = 0.0;
    let mut name_hits = 0;
    for t in text {
        for w in &t.words {
            let mut best = 0.0f64;
            for &c in &t.columns {
                let c = c as usize;
                let q = tokens[c]
                    .iter()
                    .map(|tok| quality(w, tok))
                    .fold(0.0, f64::max);
                if c == SearchColumn::Name as usize && q > 0.0 {
                    name_hits += 1;
                }
                best = best.max(q * COLUMN_WEIGHTS[c]);
            }
            score += best;
        }
    }
    let all = text
        .iter()
        .flat_map(|t| t.words.iter().map(|w| w.prefix.as_str()));
    if tokens[0].iter().map(String::as_str).eq(all) {
        score += 8.0;
    }
    score - 0.3 * tokens[0].len().saturating_sub(name_hits) as f64
}

/// Whether a name answers what someone said as search matches it: every word said is a word
/// of the name, the start of one, or within the typos its length forgives.
pub fn matches_name(name: &str, said: &str) -> bool {
    let said = search_words(said);
    let name: Vec<Vec<char>> = search_words(name)
        .iter()
        .map(|w| w.chars().collect())
        .collect();
    !said.is_empty()
        && said.iter().all(|w| {
            let w: Vec<char> = w.chars().collect();
            let max = typos_allowed(w.len());
            name.iter()
                .any(|n| n.starts_with(&w) || distance(&w, n, max) <= max)
        })
}

/// How many typos a word of this length forgives.
fn typos_allowed(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
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

/// The index's words of the lengths some typed words could be misspellings of, read once.
struct Vocabulary(Vec<(Vec<char>, String)>);

impl Vocabulary {
    async fn read<S: SearchStore + ?Sized>(store: &S, typed: &[&str]) -> StoreResult<Vocabulary> {
        let bands = typed.iter().filter_map(|w| {
            let len = w.chars().count();
            let max = typos_allowed(len);
            (max > 0).then(|| (len - max, len + max))
        });
        let Some((lo, hi)) = bands.reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))) else {
            return Ok(Vocabulary(Vec::new()));
        };
        let terms = store.search_terms(lo, hi).await?;
        Ok(Vocabulary(
            terms
                .into_iter()
                .map(|t| (t.chars().collect(), t))
                .collect(),
        ))
    }

    /// Known words within the allowed typos of `word` (not those it is a prefix of: the
    /// words as typed find them already).
    fn near(&self, word: &str) -> Vec<String> {
        let w: Vec<char> = word.chars().collect();
        let max = typos_allowed(w.len());
        if max == 0 {
            return Vec::new();
        }
        self.0
            .iter()
            .filter(|(chars, term)| {
                chars.len().abs_diff(w.len()) <= max
                    && !term.starts_with(word)
                    && distance(&w, chars, max) <= max
            })
            .map(|(_, term)| term.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_matches_what_was_said_with_its_typos() {
        use super::matches_name;
        assert!(matches_name("Road Trip", "road trip"));
        assert!(matches_name("Road Trip Mix", "raod trips"));
        assert!(
            !matches_name("Road Trip", "rode trip"),
            "two typos in four letters"
        );
        assert!(matches_name("Classic Rock Hits", "clasic rock"));
        assert!(!matches_name("Road Trip", "my road trip"));
        assert!(!matches_name("Road Trip", ""));
        assert!(!matches_name("Jazz", "jam"), "short words forgive no typo");
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

    #[test]
    fn near_words_are_within_the_typos_a_length_allows() {
        let v = Vocabulary(
            ["strokes", "stroke", "strokers", "smokes", "cat", "bat"]
                .iter()
                .map(|t| (t.chars().collect(), t.to_string()))
                .collect(),
        );
        assert_eq!(
            v.near("storkes"),
            ["strokes"],
            "a swap is one typo, two are too many"
        );
        assert!(v.near("cat").is_empty(), "three letters forgive no typo");
        assert!(
            !v.near("strok").contains(&"strokes".to_string()),
            "a prefix is found as typed"
        );
    }

    #[test]
    fn a_name_that_is_the_query_ranks_above_one_that_only_holds_it() {
        let text = vec![TextMatch {
            columns: SearchColumn::ALL.to_vec(),
            words: vec![WordMatch {
                prefix: "tone".into(),
                near: Vec::new(),
            }],
        }];
        let row = |name: &str, artist: &str| [name.to_string(), artist.to_string(), String::new()];
        let exact = relevance(&text, &row("Tone", ""));
        let longer = relevance(&text, &row("Tone Poems", ""));
        let by_artist = relevance(&text, &row("Poems", "Tone"));
        assert!(
            exact > longer && longer > by_artist,
            "{exact} {longer} {by_artist}"
        );
    }
}
