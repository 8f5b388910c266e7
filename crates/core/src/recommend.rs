//! The recommender behind autoplay and stations: scores candidate tracks by shared artists,
//! genre, era, co-listening and the user's own history, then picks a varied, reproducible list.

use std::collections::HashSet;

use crate::rng::SplitMix;

/// A candidate track with the features the recommender scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub track_id: String,
    pub artist_ids: Vec<String>,
    pub genre: Option<String>,
    pub year: Option<i32>,
    /// Plays by other users who also played a seed track.
    pub co_plays: u32,
    /// The user's own recent plays of this track.
    pub user_plays: u32,
}

/// What the recommendations should resemble.
#[derive(Clone, Debug, Default)]
pub struct Seed {
    pub artists: HashSet<String>,
    pub genres: HashSet<String>,
    pub years: Vec<i32>,
}

impl Seed {
    /// What a list of tracks has in common: their artists, genres and years.
    pub fn of_tracks(tracks: &[std::sync::Arc<crate::catalog::TrackView>]) -> Seed {
        let mut seed = Seed::default();
        for t in tracks {
            seed.artists.extend(t.artists.iter().map(|a| a.id.clone()));
            seed.genres.extend(t.genre.clone());
            seed.years.extend(t.year);
        }
        seed
    }

    /// How much a candidate resembles the seed.
    fn affinity(&self, c: &Candidate) -> f64 {
        let artist = c.artist_ids.iter().any(|a| self.artists.contains(a)) as u8 as f64;
        let genre = c.genre.as_ref().is_some_and(|g| self.genres.contains(g)) as u8 as f64;
        let era = c
            .year
            .is_some_and(|y| self.years.iter().any(|s| (s - y).abs() <= 3)) as u8
            as f64;
        3.0 * artist
            + 1.5 * genre
            + era
            + 2.0 * (1.0 + c.co_plays as f64).ln()
            + 0.5 * (1.0 + c.user_plays as f64).ln()
    }

    /// The affinity with some noise, so equal candidates take turns.
    fn score(&self, c: &Candidate, rng: &mut SplitMix) -> f64 {
        self.affinity(c) + rng.unit()
    }
}

/// Artists like the seed's, best first (the seed's own artists left out), by the affinity of
/// their candidate tracks, the signals `pick` chooses tracks by: the mean, so an artist with many
/// loosely similar tracks does not outrank one with a few close ones, plus a little for
/// breadth.
pub fn related_artists(candidates: &[Candidate], seed: &Seed, n: usize) -> Vec<String> {
    let mut totals: std::collections::HashMap<&str, (f64, u32)> = std::collections::HashMap::new();
    let mut seen = HashSet::new();
    for c in candidates {
        if !seen.insert(c.track_id.as_str()) {
            continue;
        }
        let score = seed.affinity(c);
        for a in &c.artist_ids {
            if !seed.artists.contains(a) {
                let t = totals.entry(a.as_str()).or_default();
                t.0 += score;
                t.1 += 1;
            }
        }
    }
    let mut ranked: Vec<(&str, f64)> = totals
        .into_iter()
        .map(|(a, (sum, count))| (a, sum / count as f64 + 0.1 * (1.0 + count as f64).ln()))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .into_iter()
        .take(n)
        .map(|(a, _)| a.to_string())
        .collect()
}

/// Picks up to `n` tracks, best first, avoiding `recent` (relaxed when the pool is too small so
/// an endless continuation never runs dry) and avoiding the same lead artist twice in a row.
pub fn pick(
    candidates: &[Candidate],
    seed: &Seed,
    recent: &[String],
    n: usize,
    rng_seed: u64,
) -> Vec<String> {
    let mut rng = SplitMix(rng_seed);
    let mut scored: Vec<(f64, &Candidate)> = Vec::new();
    let mut seen = HashSet::new();
    for c in candidates {
        if seen.insert(c.track_id.as_str()) {
            scored.push((seed.score(c, &mut rng), c));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.track_id.cmp(&b.1.track_id)));
    // Exclude as much recent history as the pool allows: the most recent tracks first.
    let keep_out = recent
        .len()
        .min(scored.len().saturating_sub(n.min(scored.len())));
    let excluded: HashSet<&str> = recent
        .iter()
        .rev()
        .take(keep_out)
        .map(String::as_str)
        .collect();
    let mut pool: Vec<&Candidate> = scored
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| !excluded.contains(c.track_id.as_str()))
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(n);
    let mut last_artist: Option<&str> = recent
        .last()
        .and_then(|t| candidates.iter().find(|c| &c.track_id == t))
        .and_then(|c| c.artist_ids.first().map(String::as_str));
    while out.len() < n && !pool.is_empty() {
        let i = pool
            .iter()
            .position(|c| c.artist_ids.first().map(String::as_str) != last_artist)
            .unwrap_or(0);
        let c = pool.remove(i);
        last_artist = c.artist_ids.first().map(String::as_str);
        out.push(c.track_id.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, artist: &str, genre: &str, co: u32) -> Candidate {
        Candidate {
            track_id: id.into(),
            artist_ids: vec![artist.into()],
            genre: Some(genre.into()),
            year: Some(2020),
            co_plays: co,
            user_plays: 0,
        }
    }

    /// Artist A, rock, 2020.
    fn rock_seed() -> Seed {
        Seed {
            artists: ["A".to_string()].into(),
            genres: ["Rock".to_string()].into(),
            years: vec![2020],
        }
    }

    #[test]
    fn prefers_shared_artist_and_genre_and_varies_artists() {
        let seed = rock_seed();
        let c = vec![
            cand("a1", "A", "Rock", 0),
            cand("a2", "A", "Rock", 0),
            cand("b1", "B", "Rock", 0),
            cand("z1", "Z", "Jazz", 0),
        ];
        let out = pick(&c, &seed, &[], 3, 1);
        assert_eq!(out.len(), 3);
        assert!(out[0].starts_with('a'));
        assert_eq!(
            out[1], "b1",
            "the same artist is not played twice in a row when avoidable"
        );
        assert!(!out.contains(&"z1".to_string()));
    }

    #[test]
    fn avoids_recent_tracks_but_never_runs_dry() {
        let c = vec![cand("x", "A", "Rock", 0), cand("y", "B", "Rock", 0)];
        let out = pick(&c, &Seed::default(), &["x".into()], 1, 3);
        assert_eq!(out, vec!["y".to_string()]);
        let out = pick(&c, &Seed::default(), &["x".into(), "y".into()], 2, 3);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn related_artists_share_genre_era_and_listeners() {
        let seed = rock_seed();
        let c = vec![
            cand("a1", "A", "Rock", 0),
            cand("b1", "B", "Rock", 0),
            cand("b2", "B", "Rock", 0),
            cand("c1", "C", "Rock", 0),
            cand("z1", "Z", "Jazz", 0),
            cand("y1", "Y", "Jazz", 1),
        ];
        let out = related_artists(&c, &seed, 3);
        assert_eq!(out[0], "B", "two similar tracks beat one");
        assert!(!out.contains(&"A".to_string()), "not the artist itself");
        assert_eq!(out.len(), 3);
        assert!(out.contains(&"Y".to_string()), "co-listening counts");
        assert!(!out.contains(&"Z".to_string()));
    }

    #[test]
    fn co_listening_counts() {
        let c = vec![cand("p", "P", "Pop", 50), cand("q", "Q", "Pop", 0)];
        assert_eq!(pick(&c, &Seed::default(), &[], 1, 9), vec!["p".to_string()]);
    }
}
