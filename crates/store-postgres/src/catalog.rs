//! Catalog import and the reads behind playback: tracks, contexts, recommender signals. An
//! import writes each table with one statement over arrays, not a statement per row.

use medley_core::ids::UserId;
use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use medley_core::audio::AudioFormat;
use medley_core::catalog::{AlbumRef, ArtistRef, CatalogFile, TrackView};
use medley_store::{
    Artwork, Candidate, CatalogStore, ContextKind, ContextRef, ImportSummary, StoreError,
    StoreResult, TrackSignals, VoiceEntry, VoiceKind,
};

use crate::{big, column, exec, pg, row_opt, rows, small, PgStore};

/// The lock (`pg_advisory_xact_lock`) catalog writes hold: one import at a time, whichever
/// node runs it, since each rebuilds what is derived from the whole catalog.
const IMPORT_LOCK: i64 = 0x006d_6564_6c65_7901;

/// The ids a file refers to that the store already has, by kind: what `validate` asks about.
async fn known_refs(
    tx: &Transaction<'_>,
    file: &CatalogFile,
) -> StoreResult<HashSet<(String, String)>> {
    let mut artists: Vec<String> = Vec::new();
    let mut albums: Vec<String> = Vec::new();
    let mut tracks: Vec<String> = Vec::new();
    for a in &file.albums {
        artists.extend(a.artist_ids.iter().cloned());
        tracks.extend(a.track_ids.iter().cloned());
    }
    for t in &file.tracks {
        artists.extend(t.artist_ids.iter().cloned());
        albums.extend(t.album_id.iter().cloned());
    }
    for p in &file.playlists {
        tracks.extend(p.track_ids.iter().cloned());
    }
    let mut out = HashSet::new();
    for (kind, table, ids) in [
        ("artist", "artists", artists),
        ("album", "albums", albums),
        ("track", "tracks", tracks),
    ] {
        if ids.is_empty() {
            continue;
        }
        let sql = format!("SELECT id FROM {table} WHERE id = ANY($1)");
        for id in column::<_, String>(tx, &sql, &[&ids]).await.map_err(pg)? {
            out.insert((kind.to_string(), id));
        }
    }
    Ok(out)
}

fn next_rnd() -> impl FnMut() -> i64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut seed = medley_core::rng::mix(t.as_nanos() as u64 ^ std::process::id() as u64);
    move || {
        seed = medley_core::rng::mix(seed.wrapping_add(0x9E37_79B9_7F4A_7C15));
        (seed >> 33) as i64
    }
}

async fn import(tx: &Transaction<'_>, file: &CatalogFile) -> Result<(), tokio_postgres::Error> {
    let ids = |v: Vec<&String>| v.into_iter().cloned().collect::<Vec<String>>();
    // Artists.
    let a_ids = ids(file.artists.iter().map(|a| &a.id).collect());
    let a_names = ids(file.artists.iter().map(|a| &a.name).collect());
    let a_images: Vec<String> = file
        .artists
        .iter()
        .map(|a| medley_store::images_json(&a.images))
        .collect();
    exec(
        tx,
        "INSERT INTO artists (id, name, images) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, images = excluded.images",
        &[&a_ids, &a_names, &a_images],
    )
    .await?;
    // Albums, their artists and tracks.
    let al_ids = ids(file.albums.iter().map(|a| &a.id).collect());
    let al_titles = ids(file.albums.iter().map(|a| &a.title).collect());
    let al_dates: Vec<Option<String>> =
        file.albums.iter().map(|a| a.release_date.clone()).collect();
    let al_years: Vec<Option<i32>> = file
        .albums
        .iter()
        .map(|a| {
            a.release_date
                .as_deref()
                .and_then(|d| d.get(..4))
                .and_then(|y| y.parse::<i32>().ok())
        })
        .collect();
    let al_images: Vec<String> = file
        .albums
        .iter()
        .map(|a| medley_store::images_json(&a.images))
        .collect();
    let al_counts: Vec<i64> = file
        .albums
        .iter()
        .map(|a| a.track_ids.len() as i64)
        .collect();
    exec(
        tx,
        "INSERT INTO albums (id, title, release_date, year, images, track_count)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::int8[])
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, release_date = excluded.release_date,
           year = excluded.year, images = excluded.images, track_count = excluded.track_count",
        &[&al_ids, &al_titles, &al_dates, &al_years, &al_images, &al_counts],
    )
    .await?;
    let (mut owner, mut pos, mut item) = (Vec::new(), Vec::new(), Vec::new());
    for a in &file.albums {
        for (i, artist) in a.artist_ids.iter().enumerate() {
            owner.push(a.id.clone());
            pos.push(i as i64);
            item.push(artist.clone());
        }
    }
    replace_entries(
        tx,
        "album_artists",
        "album_id",
        "pos",
        &al_ids,
        &owner,
        &pos,
        &item,
    )
    .await?;
    let (mut owner, mut pos, mut item) = (Vec::new(), Vec::new(), Vec::new());
    for a in &file.albums {
        for (i, t) in a.track_ids.iter().enumerate() {
            owner.push(a.id.clone());
            pos.push(i as i64);
            item.push(t.clone());
        }
    }
    replace_entries(
        tx,
        "album_tracks",
        "album_id",
        "idx",
        &al_ids,
        &owner,
        &pos,
        &item,
    )
    .await?;
    // Tracks and their artists.
    let mut rnd = next_rnd();
    let t = &file.tracks;
    let t_ids = ids(t.iter().map(|t| &t.id).collect());
    let t_titles = ids(t.iter().map(|t| &t.title).collect());
    let t_isrc: Vec<Option<String>> = t.iter().map(|t| t.isrc.clone()).collect();
    let t_dur: Vec<i64> = t.iter().map(|t| t.duration as i64).collect();
    let t_album: Vec<Option<String>> = t.iter().map(|t| t.album_id.clone()).collect();
    let t_explicit: Vec<bool> = t.iter().map(|t| t.explicit).collect();
    let t_genre: Vec<Option<String>> = t.iter().map(|t| t.genre.clone()).collect();
    let t_file: Vec<Option<String>> = t.iter().map(|t| t.file.clone()).collect();
    let t_rnd: Vec<i64> = t.iter().map(|_| rnd()).collect();
    let t_disc: Vec<Option<i32>> = t.iter().map(|t| t.disc_number.map(|n| n as i32)).collect();
    let t_number: Vec<Option<i32>> = t.iter().map(|t| t.track_number.map(|n| n as i32)).collect();
    let t_audio: Vec<Option<String>> = t
        .iter()
        .map(|t| t.audio.as_ref().map(AudioFormat::encode))
        .collect();
    exec(
        tx,
        "INSERT INTO tracks (id, title, isrc, duration, album_id, explicit, genre, file, rnd, audio,
                             disc_number, track_number)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[],
                              $6::bool[], $7::text[], $8::text[], $9::int8[], $10::text[],
                              $11::int4[], $12::int4[])
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, isrc = excluded.isrc,
           duration = excluded.duration, album_id = excluded.album_id, explicit = excluded.explicit,
           genre = excluded.genre, file = excluded.file, audio = excluded.audio,
           disc_number = excluded.disc_number, track_number = excluded.track_number",
        &[
            &t_ids, &t_titles, &t_isrc, &t_dur, &t_album, &t_explicit, &t_genre, &t_file, &t_rnd,
            &t_audio, &t_disc, &t_number,
        ],
    )
    .await?;
    let (mut owner, mut pos, mut item) = (Vec::new(), Vec::new(), Vec::new());
    for t in t {
        for (i, artist) in t.artist_ids.iter().enumerate() {
            owner.push(t.id.clone());
            pos.push(i as i64);
            item.push(artist.clone());
        }
    }
    replace_entries(
        tx,
        "track_artists",
        "track_id",
        "pos",
        &t_ids,
        &owner,
        &pos,
        &item,
    )
    .await?;
    // The catalog's playlists; a user's playlist with the same id is left as it is.
    let p_ids = ids(file.playlists.iter().map(|p| &p.id).collect());
    let p_titles = ids(file.playlists.iter().map(|p| &p.title).collect());
    let p_counts: Vec<i64> = file
        .playlists
        .iter()
        .map(|p| p.track_ids.len() as i64)
        .collect();
    exec(
        tx,
        "INSERT INTO playlists (id, title, track_count)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int8[])
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, track_count = excluded.track_count
         WHERE playlists.owner_id IS NULL",
        &[&p_ids, &p_titles, &p_counts],
    )
    .await?;
    let catalog_owned: Vec<String> = column(
        tx,
        "SELECT id FROM playlists WHERE id = ANY($1) AND owner_id IS NULL",
        &[&p_ids],
    )
    .await?;
    let catalog_owned: HashSet<&str> = catalog_owned.iter().map(String::as_str).collect();
    let (mut owner, mut pos, mut item) = (Vec::new(), Vec::new(), Vec::new());
    let mut lists = Vec::new();
    for p in file
        .playlists
        .iter()
        .filter(|p| catalog_owned.contains(p.id.as_str()))
    {
        lists.push(p.id.clone());
        for (i, t) in p.track_ids.iter().enumerate() {
            owner.push(p.id.clone());
            pos.push(i as i64);
            item.push(t.clone());
        }
    }
    replace_entries(
        tx,
        "playlist_tracks",
        "playlist_id",
        "idx",
        &lists,
        &owner,
        &pos,
        &item,
    )
    .await?;
    let s_ids = ids(file.podcast_shows.iter().map(|s| &s.id).collect());
    let s_titles = ids(file.podcast_shows.iter().map(|s| &s.title).collect());
    exec(
        tx,
        "INSERT INTO podcast_shows (id, title) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (id) DO UPDATE SET title = excluded.title",
        &[&s_ids, &s_titles],
    )
    .await?;
    Ok(())
}

/// Replaces the entries of `owners` in a table of `(owner, position, item)` rows.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn replace_entries<C: GenericClient>(
    c: &C,
    table: &str,
    key: &str,
    position: &str,
    owners: &[String],
    owner: &[String],
    pos: &[i64],
    item: &[String],
) -> Result<(), tokio_postgres::Error> {
    exec(
        c,
        &format!("DELETE FROM {table} WHERE {key} = ANY($1)"),
        &[&owners],
    )
    .await?;
    let item_column = match table {
        "album_artists" | "track_artists" => "artist_id",
        _ => "track_id",
    };
    let pos_type = if position == "pos" { "int4" } else { "int8" };
    let pos_sql = format!(
        "INSERT INTO {table} ({key}, {position}, {item_column})
         SELECT o, p::{pos_type}, i FROM unnest($1::text[], $2::int8[], $3::text[]) AS u (o, p, i)"
    );
    exec(c, &pos_sql, &[&owner, &pos, &item]).await?;
    Ok(())
}

/// Drops the tracks whose files lie under `root` but are not in `keep` (files removed since
/// the last scan), the albums that leaves empty, and scanned artists left with nothing.
/// Returns how many tracks went.
async fn retire_missing(
    tx: &Transaction<'_>,
    root: &str,
    keep: &[String],
) -> Result<usize, tokio_postgres::Error> {
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let gone: Vec<String> = column(
        tx,
        "SELECT id FROM tracks WHERE left(file, length($1)) = $1 AND NOT (id = ANY($2))",
        &[&prefix, &keep],
    )
    .await?;
    if gone.is_empty() {
        return Ok(0);
    }
    exec(tx, "DELETE FROM tracks WHERE id = ANY($1)", &[&gone]).await?;
    exec(
        tx,
        "DELETE FROM track_artists WHERE track_id = ANY($1)",
        &[&gone],
    )
    .await?;
    // Keep the albums' entries dense: contexts index them by position.
    let left = rows(
        tx,
        "SELECT album_id, track_id FROM album_tracks
         WHERE album_id IN (SELECT album_id FROM album_tracks WHERE track_id = ANY($1))
           AND NOT (track_id = ANY($1))
         ORDER BY album_id, idx",
        &[&gone],
    )
    .await?;
    let albums: Vec<String> = column(
        tx,
        "SELECT DISTINCT album_id FROM album_tracks WHERE track_id = ANY($1)",
        &[&gone],
    )
    .await?;
    let (mut owner, mut pos, mut item) = (Vec::new(), Vec::new(), Vec::new());
    for r in &left {
        let album: String = r.get(0);
        let at = if owner.last() == Some(&album) {
            pos.last().copied().unwrap_or(-1) + 1
        } else {
            0
        };
        owner.push(album);
        pos.push(at);
        item.push(r.get::<_, String>(1));
    }
    replace_entries(
        tx,
        "album_tracks",
        "album_id",
        "idx",
        &albums,
        &owner,
        &pos,
        &item,
    )
    .await?;
    exec(
        tx,
        "UPDATE albums SET track_count = (SELECT count(*) FROM album_tracks WHERE album_id = albums.id)
         WHERE id = ANY($1)",
        &[&albums],
    )
    .await?;
    tx.batch_execute(
        "DELETE FROM album_artists WHERE album_id IN (SELECT id FROM albums WHERE track_count = 0 AND id LIKE 'MAL%');
         DELETE FROM albums WHERE track_count = 0 AND id LIKE 'MAL%';
         DELETE FROM artists a WHERE a.id LIKE 'MAR%'
           AND NOT EXISTS (SELECT 1 FROM track_artists WHERE artist_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM album_artists WHERE artist_id = a.id);",
    )
    .await?;
    Ok(gone.len())
}

/// A playlist's duration from its entries (in an `UPDATE playlists`): imports and edits store
/// it, so reading a playlist never sums them.
pub(crate) const PLAYLIST_DURATION: &str = "(SELECT coalesce(sum(t.duration), 0)
    FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id WHERE pt.playlist_id = playlists.id)";

/// Data derived from the catalog: track years from their albums, each artist's tracks in
/// release order, playlist durations, genres and the search index.
async fn derive(tx: &Transaction<'_>) -> StoreResult<()> {
    tx.batch_execute(&format!(
        "UPDATE tracks SET year = al.year FROM albums al
           WHERE al.id = tracks.album_id AND tracks.year IS DISTINCT FROM al.year;
         UPDATE tracks SET year = NULL WHERE album_id IS NULL AND year IS NOT NULL;
         DELETE FROM artist_tracks;
         INSERT INTO artist_tracks (artist_id, idx, track_id)
           SELECT ta.artist_id,
                  row_number() OVER (PARTITION BY ta.artist_id
                      ORDER BY al.release_date IS NULL, al.release_date, t.album_id,
                               (SELECT min(idx) FROM album_tracks x WHERE x.album_id = t.album_id AND x.track_id = t.id),
                               t.title COLLATE \"C\", t.id) - 1,
                  ta.track_id
           FROM (SELECT DISTINCT artist_id, track_id FROM track_artists) ta
           JOIN tracks t ON t.id = ta.track_id
           LEFT JOIN albums al ON al.id = t.album_id;
         UPDATE artists SET track_count = coalesce(c.n, 0)
           FROM artists a LEFT JOIN (SELECT artist_id, count(*) AS n FROM artist_tracks GROUP BY artist_id) c
             ON c.artist_id = a.id
           WHERE artists.id = a.id AND artists.track_count IS DISTINCT FROM coalesce(c.n, 0);
         DELETE FROM artist_albums;
         INSERT INTO artist_albums (artist_id, album_id)
           SELECT artist_id, album_id FROM album_artists
           UNION SELECT ta.artist_id, t.album_id FROM track_artists ta JOIN tracks t ON t.id = ta.track_id
             WHERE t.album_id IS NOT NULL;
         UPDATE playlists SET duration = {PLAYLIST_DURATION};
         DELETE FROM genres;
         INSERT INTO genres SELECT genre, count(*) FROM tracks
           WHERE genre IS NOT NULL AND genre <> '' GROUP BY genre;"
    ))
    .await
    .map_err(pg)?;
    crate::search::reindex(tx).await
}

/// `(table, key column)` of a stored context's entries.
pub(crate) fn context_table(kind: ContextKind) -> Option<(&'static str, &'static str)> {
    match kind {
        ContextKind::Album => Some(("album_tracks", "album_id")),
        ContextKind::Playlist => Some(("playlist_tracks", "playlist_id")),
        ContextKind::Artist => Some(("artist_tracks", "artist_id")),
        ContextKind::TrackList => Some(("session_tracks", "session_id")),
        ContextKind::Track => None,
    }
}

/// The artists of each track, in credit order: two reads for any number of tracks.
async fn track_artists<C: GenericClient>(
    c: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<(ArtistRef, String)>>, tokio_postgres::Error> {
    let found = rows(
        c,
        "SELECT ta.track_id, ar.id, ar.name, ar.images FROM track_artists ta
         JOIN artists ar ON ar.id = ta.artist_id
         WHERE ta.track_id = ANY($1) ORDER BY ta.track_id, ta.pos",
        &[&ids],
    )
    .await?;
    let mut out: HashMap<String, Vec<(ArtistRef, String)>> = HashMap::new();
    for r in found {
        out.entry(r.get(0)).or_default().push((
            ArtistRef {
                id: r.get(1),
                name: r.get(2),
            },
            r.get(3),
        ));
    }
    Ok(out)
}

const GENRE_SAMPLE: &str = "SELECT id FROM (
      (SELECT id, 0 AS pass, rnd FROM tracks WHERE genre = $1 AND rnd >= $2 ORDER BY rnd LIMIT $3)
      UNION ALL
      (SELECT id, 1, rnd FROM tracks WHERE genre = $1 AND rnd < $2 ORDER BY rnd LIMIT $3)) s
    ORDER BY pass, rnd LIMIT $3";

/// What `signal_tracks` reads: tracks of each artist (`$1`), a sample of each genre (`$2`)
/// and of the years around each year (`$3`) from pivot `$4`, then of the catalog, `$5` each.
const SIGNAL_SAMPLES: &str = "SELECT id FROM (
      SELECT x.id, 0 AS signal, a.n, x.at FROM unnest($1::text[]) WITH ORDINALITY AS a (artist, n)
        CROSS JOIN LATERAL (SELECT track_id AS id, 0::int8 AS at FROM track_artists
                            WHERE artist_id = a.artist LIMIT $5) x
      UNION ALL
      SELECT x.id, 1, g.n, x.at FROM unnest($2::text[]) WITH ORDINALITY AS g (genre, n)
        CROSS JOIN LATERAL (
          SELECT id, pass * 4294967296 + rnd AS at FROM (
            (SELECT id, 0 AS pass, rnd FROM tracks WHERE genre = g.genre AND rnd >= $4 ORDER BY rnd LIMIT $5)
            UNION ALL
            (SELECT id, 1, rnd FROM tracks WHERE genre = g.genre AND rnd < $4 ORDER BY rnd LIMIT $5)) s
          ORDER BY pass, rnd LIMIT $5) x
      UNION ALL
      SELECT x.id, 2, y.n, x.at FROM unnest($3::int4[]) WITH ORDINALITY AS y (year, n)
        CROSS JOIN LATERAL (SELECT id, year::int8 * 4294967296 + rnd AS at FROM tracks
                            WHERE year BETWEEN y.year - 3 AND y.year + 3 AND rnd >= $4
                            ORDER BY year, rnd LIMIT $5) x
      UNION ALL
      SELECT x.id, 3, 1, x.at FROM (
          SELECT id, pass * 4294967296 + rnd AS at FROM (
            (SELECT id, 0 AS pass, rnd FROM tracks WHERE rnd >= $4 ORDER BY rnd LIMIT $5)
            UNION ALL
            (SELECT id, 1, rnd FROM tracks WHERE rnd < $4 ORDER BY rnd LIMIT $5)) s
          ORDER BY pass, rnd LIMIT $5) x) samples
    ORDER BY signal, n, at";

const CATALOG_SAMPLE: &str = "SELECT id FROM (
      (SELECT id, 0 AS pass, rnd FROM tracks WHERE rnd >= $1 ORDER BY rnd LIMIT $2)
      UNION ALL
      (SELECT id, 1, rnd FROM tracks WHERE rnd < $1 ORDER BY rnd LIMIT $2)) s
    ORDER BY pass, rnd LIMIT $2";

#[async_trait]
impl CatalogStore for PgStore {
    async fn import_catalog(&self, file: CatalogFile) -> StoreResult<ImportSummary> {
        self.import_file(file, None, &[]).await
    }

    async fn import_scan(
        &self,
        file: CatalogFile,
        root: Option<&str>,
        keep: &[String],
        artwork: &[Artwork],
    ) -> StoreResult<ImportSummary> {
        self.import_file(file, root.map(|r| (r, keep)), artwork)
            .await
    }

    async fn tracks_under(&self, root: &str) -> StoreResult<u64> {
        let c = self.client().await?;
        let prefix = format!("{}/", root.trim_end_matches('/'));
        let r = row_opt(
            &c,
            "SELECT count(*) FROM tracks WHERE starts_with(file, $1)",
            &[&prefix],
        )
        .await
        .map_err(pg)?;
        Ok(r.map_or(0, |r| r.get::<_, i64>(0) as u64))
    }

    async fn artwork(&self, id: &str) -> StoreResult<Option<Artwork>> {
        let c = self.client().await?;
        let r = row_opt(
            &c,
            "SELECT id, source, embedded FROM artwork WHERE id = $1",
            &[&id],
        )
        .await
        .map_err(pg)?;
        Ok(r.map(|r| Artwork {
            id: r.get(0),
            source: r.get(1),
            embedded: r.get(2),
        }))
    }

    async fn tracks(&self, ids: &[String]) -> StoreResult<Vec<TrackView>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT t.id, t.title, t.isrc, t.duration, t.album_id, a.title, a.images, t.genre,
                    t.file, t.explicit, t.year, t.audio, t.disc_number, t.track_number
             FROM tracks t LEFT JOIN albums a ON a.id = t.album_id WHERE t.id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let mut artists = track_artists(&c, ids).await.map_err(pg)?;
        let mut by_id: HashMap<String, TrackView> = HashMap::new();
        for r in found {
            let id: String = r.get(0);
            let album_id: Option<String> = r.get(4);
            let album_title: Option<String> = r.get(5);
            let credits = artists.remove(&id).unwrap_or_default();
            let mut images =
                medley_store::images_from_json(&r.get::<_, Option<String>>(6).unwrap_or_default());
            if images.is_empty() {
                if let Some((_, first)) = credits.first() {
                    images = medley_store::images_from_json(first);
                }
            }
            let view = TrackView {
                id: id.clone(),
                title: r.get(1),
                isrc: r.get(2),
                duration: small(r.get(3)),
                album: album_id
                    .zip(album_title)
                    .map(|(id, title)| AlbumRef { id, title }),
                artists: credits.into_iter().map(|(a, _)| a).collect(),
                images,
                genre: r.get(7),
                disc_number: r.get::<_, Option<i32>>(12).map(|n| n as u32),
                track_number: r.get::<_, Option<i32>>(13).map(|n| n as u32),
                file: r.get(8),
                explicit: r.get(9),
                year: r.get(10),
                audio: r
                    .get::<_, Option<String>>(11)
                    .as_deref()
                    .and_then(AudioFormat::decode),
            };
            by_id.insert(id, view);
        }
        Ok(ids.iter().filter_map(|id| by_id.get(id).cloned()).collect())
    }

    async fn context_len(&self, ctx: &ContextRef) -> StoreResult<Option<u32>> {
        let sql = match ctx.kind {
            ContextKind::Album => "SELECT track_count FROM albums WHERE id = $1",
            ContextKind::Playlist => "SELECT track_count FROM playlists WHERE id = $1",
            ContextKind::Artist => "SELECT track_count FROM artists WHERE id = $1",
            // The last index alone (a max lookup), never a count over the list.
            ContextKind::TrackList => {
                "SELECT max(idx) + 1 FROM session_tracks WHERE session_id = $1"
            }
            ContextKind::Track => "SELECT 1::int8 FROM tracks WHERE id = $1",
        };
        let c = self.client().await?;
        let r = row_opt(&c, sql, &[&ctx.id]).await.map_err(pg)?;
        Ok(r.and_then(|r| r.get::<_, Option<i64>>(0)).map(small))
    }

    async fn context_tracks(
        &self,
        ctx: &ContextRef,
        indices: &[u32],
    ) -> StoreResult<Vec<Option<String>>> {
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok(indices
                .iter()
                .map(|i| (*i == 0).then(|| ctx.id.clone()))
                .collect());
        };
        let wanted: Vec<i64> = indices.iter().map(|i| *i as i64).collect();
        let c = self.client().await?;
        let found = rows(
            &c,
            &format!("SELECT idx, track_id FROM {table} WHERE {key} = $1 AND idx = ANY($2)"),
            &[&ctx.id, &wanted],
        )
        .await
        .map_err(pg)?;
        let at: HashMap<i64, String> = found.iter().map(|r| (r.get(0), r.get(1))).collect();
        Ok(wanted.iter().map(|i| at.get(i).cloned()).collect())
    }

    async fn context_index_of(&self, ctx: &ContextRef, track_id: &str) -> StoreResult<Option<u32>> {
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok((ctx.id == track_id).then_some(0));
        };
        let c = self.client().await?;
        let r = row_opt(
            &c,
            &format!("SELECT min(idx) FROM {table} WHERE {key} = $1 AND track_id = $2"),
            &[&ctx.id, &track_id],
        )
        .await
        .map_err(pg)?;
        Ok(r.and_then(|r| r.get::<_, Option<i64>>(0)).map(small))
    }

    async fn context_artists(
        &self,
        ctx: &ContextRef,
        max: u32,
    ) -> StoreResult<Option<Vec<String>>> {
        let Some(len) = self.context_len(ctx).await? else {
            return Ok(None);
        };
        if len > max {
            return Ok(None);
        }
        let Some((table, key)) = context_table(ctx.kind) else {
            return Ok(Some(vec![String::new()]));
        };
        let c = self.client().await?;
        let sql = format!(
            "SELECT coalesce((SELECT artist_id FROM track_artists ta WHERE ta.track_id = c.track_id
                              ORDER BY pos LIMIT 1), '')
             FROM {table} c WHERE c.{key} = $1 ORDER BY c.idx"
        );
        Ok(Some(column(&c, &sql, &[&ctx.id]).await.map_err(pg)?))
    }

    async fn item_titles(&self, items: &[(String, String)]) -> StoreResult<Vec<Option<String>>> {
        let c = self.client().await?;
        let mut titles: HashMap<(String, String), String> = HashMap::new();
        for (kind, sql) in [
            ("ALBUM", "SELECT id, title FROM albums WHERE id = ANY($1)"),
            (
                "PLAYLIST",
                "SELECT id, title FROM playlists WHERE id = ANY($1)",
            ),
            ("ARTIST", "SELECT id, name FROM artists WHERE id = ANY($1)"),
            ("TRACK", "SELECT id, title FROM tracks WHERE id = ANY($1)"),
            (
                "PODCAST_SHOW",
                "SELECT id, title FROM podcast_shows WHERE id = ANY($1)",
            ),
        ] {
            let ids: Vec<&String> = items
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, id)| id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            for r in rows(&c, sql, &[&ids]).await.map_err(pg)? {
                titles.insert((kind.to_string(), r.get(0)), r.get(1));
            }
        }
        Ok(items.iter().map(|item| titles.get(item).cloned()).collect())
    }

    async fn genre_tracks(&self, genre: &str, pivot: u64, limit: u32) -> StoreResult<Vec<String>> {
        let pivot = (pivot >> 1) as i64;
        let c = self.client().await?;
        column(&c, GENRE_SAMPLE, &[&genre, &pivot, &big(limit)])
            .await
            .map_err(pg)
    }

    async fn voice_entries(
        &self,
        kind: VoiceKind,
        after: &str,
        limit: u32,
    ) -> StoreResult<Vec<VoiceEntry>> {
        let c = self.client().await?;
        crate::voice_catalog::page(&c, kind, after, limit)
            .await
            .map_err(pg)
    }

    async fn genres(&self) -> StoreResult<Vec<String>> {
        let c = self.client().await?;
        column(&c, "SELECT name FROM genres ORDER BY name", &[])
            .await
            .map_err(pg)
    }

    async fn sample_tracks(&self, pivot: u64, limit: u32) -> StoreResult<Vec<String>> {
        let pivot = (pivot >> 1) as i64;
        let c = self.client().await?;
        column(&c, CATALOG_SAMPLE, &[&pivot, &big(limit)])
            .await
            .map_err(pg)
    }

    async fn signal_tracks(&self, q: &TrackSignals) -> StoreResult<Vec<String>> {
        let per = q.per as i64;
        let pivot = (q.pivot >> 1) as i64;
        let c = self.client().await?;
        // Every signal's sample in one statement (one round trip), in the order of the
        // signals: artists, genres, years, then the whole catalog.
        column(
            &c,
            SIGNAL_SAMPLES,
            &[&q.artist_ids, &q.genres, &q.years, &pivot, &per],
        )
        .await
        .map_err(pg)
    }

    async fn listeners(
        &self,
        tracks: &[String],
        except: Option<&UserId>,
        recent: u32,
        max: u32,
    ) -> StoreResult<Vec<UserId>> {
        let except = except.map_or("", UserId::as_str);
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT u.track, l.user_id FROM unnest($1::text[]) WITH ORDINALITY AS u (track, n)
             CROSS JOIN LATERAL (
               SELECT DISTINCT user_id FROM (
                 SELECT user_id FROM plays WHERE track_id = u.track AND user_id <> $2
                 ORDER BY played_ms DESC LIMIT $3) r
               LIMIT $4) l
             ORDER BY u.n",
            &[&tracks, &except, &big(recent), &big(max)],
        )
        .await
        .map_err(pg)?;
        Ok(found.iter().map(|r| crate::stored_id(r, 1)).collect())
    }

    async fn latest_plays(
        &self,
        users: &[UserId],
        per_user: u32,
    ) -> StoreResult<Vec<(UserId, String)>> {
        let users = medley_core::ids::strings(users);
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT u.user_id, p.track_id FROM unnest($1::text[]) WITH ORDINALITY AS u (user_id, n)
             CROSS JOIN LATERAL (
               SELECT track_id, played_ms, id FROM plays WHERE user_id = u.user_id
               ORDER BY played_ms DESC LIMIT $2) p
             ORDER BY u.n, p.played_ms DESC, p.id DESC",
            &[&users, &big(per_user)],
        )
        .await
        .map_err(pg)?;
        Ok(found
            .iter()
            .map(|r| (crate::stored_id(r, 0), r.get(1)))
            .collect())
    }

    async fn track_features(&self, ids: &[String]) -> StoreResult<Vec<Candidate>> {
        let c = self.client().await?;
        let found = rows(
            &c,
            "SELECT t.id, t.genre, t.year,
                    coalesce(array_agg(ta.artist_id ORDER BY ta.pos)
                             FILTER (WHERE ta.artist_id IS NOT NULL), '{}')
             FROM tracks t LEFT JOIN track_artists ta ON ta.track_id = t.id
             WHERE t.id = ANY($1) GROUP BY t.id",
            &[&ids],
        )
        .await
        .map_err(pg)?;
        let by_id: HashMap<String, Candidate> = found
            .into_iter()
            .map(|r| {
                let id: String = r.get(0);
                (
                    id.clone(),
                    Candidate {
                        track_id: id,
                        genre: r.get(1),
                        year: r.get(2),
                        artist_ids: r.get(3),
                        co_plays: 0,
                        user_plays: 0,
                    },
                )
            })
            .collect();
        Ok(ids.iter().filter_map(|id| by_id.get(id).cloned()).collect())
    }
}

impl PgStore {
    async fn import_file(
        &self,
        file: CatalogFile,
        retire: Option<(&str, &[String])>,
        artwork: &[Artwork],
    ) -> StoreResult<ImportSummary> {
        let mut c = self.writer().await?;
        let tx = c.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&IMPORT_LOCK])
            .await
            .map_err(pg)?;
        let known = known_refs(&tx, &file).await?;
        file.validate(&|kind, id| known.contains(&(kind.to_string(), id.to_string())))
            .map_err(StoreError::Invalid)?;
        import(&tx, &file).await.map_err(pg)?;
        for a in artwork {
            exec(
                &tx,
                "INSERT INTO artwork VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET source = excluded.source, embedded = excluded.embedded",
                &[&a.id, &a.source, &a.embedded],
            )
            .await
            .map_err(pg)?;
        }
        let mut retired = 0;
        if let Some((root, also)) = retire {
            let mut keep: Vec<String> = file.tracks.iter().map(|t| t.id.clone()).collect();
            keep.extend_from_slice(also);
            retired = retire_missing(&tx, root, &keep).await.map_err(pg)?;
        }
        derive(&tx).await?;
        tx.commit().await.map_err(pg)?;
        Ok(ImportSummary {
            retired,
            ..ImportSummary::of(&file)
        })
    }
}
