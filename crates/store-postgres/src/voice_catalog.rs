//! The catalog as Alexa's voice catalogs list it: every entity of a kind that has something to
//! play, a page at a time in id order, with its artists, album and plays.

use deadpool_postgres::GenericClient;
use medley_core::catalog::{AlbumRef, ArtistRef};
use medley_store::{VoiceEntry, VoiceKind};

use crate::{big, rows};

/// `[[id, name], …]` of a track's (`t`) or an album's (`al`) artists, in credit order.
const TRACK_ARTISTS: &str =
    "(SELECT coalesce(json_agg(json_build_array(ar.id, ar.name) ORDER BY ta.pos), '[]')::text
    FROM track_artists ta JOIN artists ar ON ar.id = ta.artist_id WHERE ta.track_id = t.id)";
const ALBUM_ARTISTS: &str =
    "(SELECT coalesce(json_agg(json_build_array(ar.id, ar.name) ORDER BY aa.pos), '[]')::text
    FROM album_artists aa JOIN artists ar ON ar.id = aa.artist_id WHERE aa.album_id = al.id)";

/// Columns: id, name, artists (JSON), album id, album title, plays.
fn page_sql(kind: VoiceKind) -> String {
    match kind {
        VoiceKind::Artist => "SELECT a.id, a.name, '[]', NULL::text, NULL::text,
               coalesce((SELECT sum(p.plays) FROM artist_tracks x JOIN play_counts p ON p.track_id = x.track_id
                         WHERE x.artist_id = a.id), 0)::int8
             FROM artists a WHERE a.id > $1 AND a.track_count > 0 ORDER BY a.id LIMIT $2"
            .into(),
        VoiceKind::Album => format!(
            "SELECT al.id, al.title, {ALBUM_ARTISTS}, NULL::text, NULL::text,
               coalesce((SELECT sum(p.plays) FROM album_tracks x JOIN play_counts p ON p.track_id = x.track_id
                         WHERE x.album_id = al.id), 0)::int8
             FROM albums al WHERE al.id > $1 AND al.track_count > 0 ORDER BY al.id LIMIT $2"
        ),
        VoiceKind::Track => format!(
            "SELECT t.id, t.title, {TRACK_ARTISTS}, t.album_id, al.title, coalesce(p.plays, 0)::int8
             FROM tracks t LEFT JOIN albums al ON al.id = t.album_id
             LEFT JOIN play_counts p ON p.track_id = t.id
             WHERE t.id > $1 ORDER BY t.id LIMIT $2"
        ),
        // The catalog's playlists and users' public ones: the catalogs are the skill's, shared
        // by all its users, so a private playlist's name stays out of them.
        VoiceKind::Playlist => "SELECT pl.id, pl.title, '[]', NULL::text, NULL::text,
               coalesce((SELECT sum(p.plays) FROM playlist_tracks x JOIN play_counts p ON p.track_id = x.track_id
                         WHERE x.playlist_id = pl.id), 0)::int8
             FROM playlists pl
             WHERE pl.id > $1 AND pl.track_count > 0 AND (pl.owner_id IS NULL OR pl.visibility = 'PUBLIC')
             ORDER BY pl.id LIMIT $2"
            .into(),
        VoiceKind::Genre => "SELECT g.name, g.name, '[]', NULL::text, NULL::text,
               coalesce((SELECT sum(p.plays) FROM tracks t JOIN play_counts p ON p.track_id = t.id
                         WHERE t.genre = g.name), 0)::int8
             FROM genres g WHERE g.name > $1 ORDER BY g.name LIMIT $2"
            .into(),
    }
}

pub(crate) async fn page<C: GenericClient>(
    c: &C,
    kind: VoiceKind,
    after: &str,
    limit: u32,
) -> Result<Vec<VoiceEntry>, tokio_postgres::Error> {
    let found = rows(c, &page_sql(kind), &[&after, &big(limit)]).await?;
    Ok(found
        .iter()
        .map(|r| {
            let artists: &str = r.get(2);
            let album_id: Option<String> = r.get(3);
            let album_title: Option<String> = r.get(4);
            VoiceEntry {
                id: r.get(0),
                name: r.get(1),
                artists: serde_json::from_str::<Vec<(String, String)>>(artists)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(id, name)| ArtistRef { id, name })
                    .collect(),
                album: album_id
                    .zip(album_title)
                    .map(|(id, title)| AlbumRef { id, title }),
                plays: r.get::<_, i64>(5).max(0) as u64,
            }
        })
        .collect())
}
