//! The search index: `search_docs` holds every catalog item's text as shown and, in `doc`, its
//! words folded as search sees them (`medley_core::text::search_words`), weighted by column
//! (name A, artist B, album C), so a word is asked for in some columns only; `search_terms` is
//! the vocabulary near spellings come from. Rebuilt with each import. Ranking is the service's.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use medley_core::text::search_words;
use medley_store::{
    MatchQuery, MatchRow, SearchColumn, SearchField, SearchKind, SearchOrder, SearchStore,
    SortValue, StoreResult, TextMatch, WordMatch,
};
use tokio_postgres::types::ToSql;

use crate::{big, column, exec, pg, rows, PgStore};

/// Each kind's items with their columns' text, in the index's order (shortest names first).
const DOCS: &str = r#"
SELECT 'artist', id, name, '', '' FROM artists
UNION ALL
SELECT 'album', al.id, al.title,
       coalesce((SELECT string_agg(ar.name, ' ' ORDER BY aa.pos) FROM album_artists aa
                 JOIN artists ar ON ar.id = aa.artist_id WHERE aa.album_id = al.id), ''), ''
FROM albums al
UNION ALL
SELECT 'track', t.id, t.title,
       coalesce((SELECT string_agg(ar.name, ' ' ORDER BY ta.pos) FROM track_artists ta
                 JOIN artists ar ON ar.id = ta.artist_id WHERE ta.track_id = t.id), ''),
       coalesce((SELECT title FROM albums WHERE id = t.album_id), '')
FROM tracks t
UNION ALL
SELECT 'playlist', id, title, '', '' FROM playlists WHERE owner_id IS NULL
UNION ALL
SELECT 'podcastshow', id, title, '', '' FROM podcast_shows
"#;

const WEIGHTS: [char; 3] = ['A', 'B', 'C'];

fn weight(c: SearchColumn) -> char {
    WEIGHTS[c as usize]
}

/// A lexeme quoted for tsvector and tsquery input (no parser runs on it).
fn lexeme(w: &str) -> String {
    format!("'{}'", w.replace('\'', "''").replace('\\', "\\\\"))
}

/// The tsvector literal of an item's three columns.
fn doc(columns: [&str; 3], vocabulary: &mut BTreeSet<String>) -> String {
    let mut out = Vec::new();
    let mut at = 1usize;
    for (c, text) in columns.iter().enumerate() {
        for w in search_words(text) {
            out.push(format!("{}:{}{}", lexeme(&w), at.min(16383), WEIGHTS[c]));
            vocabulary.insert(w);
            at += 1;
        }
    }
    out.join(" ")
}

pub(crate) async fn reindex(tx: &Transaction<'_>) -> StoreResult<()> {
    let found = rows(tx, DOCS, &[]).await.map_err(pg)?;
    let mut vocabulary = BTreeSet::new();
    let mut by_kind: HashMap<String, Vec<(String, String, String, String)>> = HashMap::new();
    for r in found {
        by_kind
            .entry(r.get(0))
            .or_default()
            .push((r.get(1), r.get(2), r.get(3), r.get(4)));
    }
    let (mut kinds, mut ids, mut ords, mut names, mut artists, mut albums, mut docs) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (kind, mut items) in by_kind {
        items.sort_by(|a, b| {
            (a.1.chars().count(), &a.1, &a.0).cmp(&(b.1.chars().count(), &b.1, &b.0))
        });
        for (ord, (id, name, artist, album)) in items.into_iter().enumerate() {
            docs.push(doc([&name, &artist, &album], &mut vocabulary));
            kinds.push(kind.clone());
            ids.push(id);
            ords.push(ord as i64);
            names.push(name);
            artists.push(artist);
            albums.push(album);
        }
    }
    tx.batch_execute("DELETE FROM search_docs; DELETE FROM search_terms;")
        .await
        .map_err(pg)?;
    exec(
        tx,
        "INSERT INTO search_docs (kind, item_id, ord, name, artist, album, doc)
         SELECT k, i, o, n, a, al, d::tsvector
         FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS u (k, i, o, n, a, al, d)",
        &[&kinds, &ids, &ords, &names, &artists, &albums, &docs],
    )
    .await
    .map_err(pg)?;
    let terms: Vec<String> = vocabulary.into_iter().collect();
    let lens: Vec<i32> = terms.iter().map(|t| t.chars().count() as i32).collect();
    exec(
        tx,
        "INSERT INTO search_terms (term, len) SELECT * FROM unnest($1::text[], $2::int4[])",
        &[&terms, &lens],
    )
    .await
    .map_err(pg)?;
    Ok(())
}

/// The tsquery of a word: any indexed word it is a prefix of, or a near spelling, in the
/// columns asked.
fn word_query(w: &WordMatch, weights: &str) -> String {
    let mut alts = vec![format!("{}:*{weights}", lexeme(&w.prefix))];
    alts.extend(w.near.iter().map(|t| format!("{}:{weights}", lexeme(t))));
    format!("({})", alts.join(" | "))
}

fn ts_query(text: &[TextMatch]) -> String {
    text.iter()
        .flat_map(|t| {
            let weights: String = t.columns.iter().map(|c| weight(*c)).collect();
            t.words
                .iter()
                .map(move |w| word_query(w, &weights))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The SQL condition on `d.item_id` for an exact field (its value is the parameter `$n`);
/// `None` when the kind has no such field.
fn exact(kind: SearchKind, field: SearchField, n: usize) -> Option<String> {
    use SearchField::*;
    use SearchKind::*;
    let sql = match (field, kind) {
        (Id, _) | (AlbumId, Album) | (ArtistId, Artist) => "d.item_id = $N",
        (Isrc, Track) => "d.item_id IN (SELECT id FROM tracks WHERE isrc = upper($N))",
        (AlbumId, Track) => "d.item_id IN (SELECT id FROM tracks WHERE album_id = $N)",
        (ArtistId, Track) => {
            "d.item_id IN (SELECT track_id FROM track_artists WHERE artist_id = $N)"
        }
        (ArtistId, Album) => {
            "d.item_id IN (SELECT album_id FROM album_artists WHERE artist_id = $N)"
        }
        (CategoryId, Track) => "d.item_id IN (SELECT id FROM tracks WHERE genre = $N)",
        (CategoryId, Album) => "d.item_id IN (SELECT album_id FROM tracks WHERE genre = $N)",
        (CategoryId, Artist) => {
            "d.item_id IN (SELECT ta.artist_id FROM tracks t JOIN track_artists ta ON ta.track_id = t.id WHERE t.genre = $N)"
        }
        _ => return None,
    };
    Some(sql.replace("$N", &format!("${n}")))
}

async fn matches<C: GenericClient>(c: &C, q: &MatchQuery) -> StoreResult<Vec<MatchRow>> {
    let mut values: Vec<String> = vec![q.kind.as_str().to_string()];
    let mut sql = String::from(
        "SELECT d.item_id, d.name, d.artist, d.album FROM search_docs d WHERE d.kind = $1",
    );
    if !q.text.is_empty() {
        values.push(ts_query(&q.text));
        sql.push_str(&format!(" AND d.doc @@ ${}::text::tsquery", values.len()));
    }
    for (field, value) in &q.conditions {
        let Some(cond) = exact(q.kind, *field, values.len() + 1) else {
            return Ok(Vec::new());
        };
        values.push(value.clone());
        sql.push_str(" AND ");
        sql.push_str(&cond);
    }
    let limit = big(q.limit);
    sql.push_str(&format!(" ORDER BY d.ord LIMIT ${}", values.len() + 1));
    let mut params: Vec<&(dyn ToSql + Sync)> =
        values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
    params.push(&limit);
    let found = rows(c, &sql, &params).await.map_err(pg)?;
    Ok(found
        .iter()
        .map(|r| MatchRow {
            id: r.get(0),
            columns: [r.get(1), r.get(2), r.get(3)],
        })
        .collect())
}

/// Sort values of items of one kind, by id.
async fn sort_values_of<C: GenericClient>(
    c: &C,
    order: SearchOrder,
    kind: SearchKind,
    ids: &[String],
) -> StoreResult<HashMap<String, SortValue>> {
    let sql = match (order, kind) {
        (SearchOrder::Relevance, _) => return Ok(HashMap::new()),
        (SearchOrder::Name, _) => {
            "SELECT item_id, name FROM search_docs WHERE kind = $2 AND item_id = ANY($1)"
        }
        (SearchOrder::Release, SearchKind::Track) => {
            "SELECT t.id, al.release_date FROM tracks t LEFT JOIN albums al ON al.id = t.album_id
             WHERE t.id = ANY($1) AND $2 <> ''"
        }
        (SearchOrder::Release, SearchKind::Album) => {
            "SELECT id, release_date FROM albums WHERE id = ANY($1) AND $2 <> ''"
        }
        (SearchOrder::Release, _) => {
            return Ok(ids
                .iter()
                .map(|id| (id.clone(), SortValue::Release(None)))
                .collect())
        }
        (SearchOrder::Popularity, SearchKind::Track) => {
            "SELECT track_id, plays FROM play_counts WHERE track_id = ANY($1) AND $2 <> ''"
        }
        (SearchOrder::Popularity, SearchKind::Album) => {
            "SELECT a.album_id, sum(p.plays)::int8 FROM album_tracks a JOIN play_counts p ON p.track_id = a.track_id
             WHERE a.album_id = ANY($1) AND $2 <> '' GROUP BY a.album_id"
        }
        (SearchOrder::Popularity, SearchKind::Artist) => {
            "SELECT a.artist_id, sum(p.plays)::int8 FROM artist_tracks a JOIN play_counts p ON p.track_id = a.track_id
             WHERE a.artist_id = ANY($1) AND $2 <> '' GROUP BY a.artist_id"
        }
        (SearchOrder::Popularity, SearchKind::Playlist) => {
            "SELECT a.playlist_id, sum(p.plays)::int8 FROM playlist_tracks a JOIN play_counts p ON p.track_id = a.track_id
             WHERE a.playlist_id = ANY($1) AND $2 <> '' GROUP BY a.playlist_id"
        }
        (SearchOrder::Popularity, SearchKind::PodcastShow) => {
            return Ok(ids
                .iter()
                .map(|id| (id.clone(), SortValue::Plays(0)))
                .collect())
        }
    };
    let found = rows(c, sql, &[&ids, &kind.as_str()]).await.map_err(pg)?;
    let mut out: HashMap<String, SortValue> = found
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            let value = match order {
                SearchOrder::Name => SortValue::Name(r.get(1)),
                SearchOrder::Release => SortValue::Release(r.get(1)),
                _ => SortValue::Plays(r.get::<_, Option<i64>>(1).unwrap_or(0)),
            };
            (id, value)
        })
        .collect();
    for id in ids {
        match order {
            SearchOrder::Popularity => {
                out.entry(id.clone()).or_insert(SortValue::Plays(0));
            }
            SearchOrder::Release if kind == SearchKind::Track => {
                out.entry(id.clone()).or_insert(SortValue::Release(None));
            }
            _ => {}
        }
    }
    Ok(out)
}

#[async_trait]
impl SearchStore for PgStore {
    async fn search_matches(&self, queries: &[MatchQuery]) -> StoreResult<Vec<Vec<MatchRow>>> {
        let c = self.client().await?;
        let mut out = Vec::with_capacity(queries.len());
        for q in queries {
            out.push(matches(&c, q).await?);
        }
        Ok(out)
    }

    async fn search_ids(
        &self,
        kinds: &[SearchKind],
        query: &str,
    ) -> StoreResult<Vec<(SearchKind, String)>> {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT kind, item_id FROM search_docs WHERE kind = ANY($1) AND item_id = $2
             UNION ALL
             SELECT 'track', id FROM tracks WHERE 'track' = ANY($1) AND isrc = upper($2)",
            &[&names, &query],
        )
        .await
        .map_err(pg)?;
        let found: Vec<(SearchKind, String)> = found
            .iter()
            .filter_map(|r| Some((SearchKind::parse(r.get(0))?, r.get(1))))
            .collect();
        // In the order of the kinds asked, as the SQLite backend answers.
        Ok(kinds
            .iter()
            .flat_map(|k| found.iter().filter(move |(fk, _)| fk == k).cloned())
            .collect())
    }

    async fn search_terms(&self, min_len: usize, max_len: usize) -> StoreResult<Vec<String>> {
        let c = self.client().await?;
        column(
            &c,
            "SELECT term FROM search_terms WHERE len BETWEEN $1 AND $2",
            &[&(min_len as i32), &(max_len as i32)],
        )
        .await
        .map_err(pg)
    }

    async fn sort_values(
        &self,
        order: SearchOrder,
        items: &[(SearchKind, String)],
    ) -> StoreResult<Vec<Option<SortValue>>> {
        let c = self.client().await?;
        let mut by_kind: HashMap<SearchKind, HashMap<String, SortValue>> = HashMap::new();
        for kind in SearchKind::ALL {
            let ids: Vec<String> = items
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, id)| id.clone())
                .collect();
            if !ids.is_empty() {
                by_kind.insert(kind, sort_values_of(&c, order, kind, &ids).await?);
            }
        }
        Ok(items
            .iter()
            .map(|(k, id)| by_kind.get(k).and_then(|m| m.get(id)).cloned())
            .collect())
    }
}
