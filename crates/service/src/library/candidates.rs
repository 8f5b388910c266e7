//! The recommender's choice of candidate tracks, above the store so that every backend runs
//! the same rules: tracks sampled by the seed's artists, genres and years and from the whole
//! catalog, then what the seed tracks' other listeners played lately, ranked by how many of
//! them did; each with its features and the user's own recent plays of it.

use std::collections::{HashMap, HashSet};

use medley_core::ids::UserId;
use medley_core::recommend::Candidate;
use medley_store::TrackSignals;

use super::Library;
use crate::ServiceResult;

/// Signals of each kind taken, at most.
const ARTISTS: usize = 8;
const GENRES: usize = 4;
const YEARS: usize = 4;
const SEED_TRACKS: usize = 5;
/// A seed track's listeners: the distinct users among its latest plays.
const LISTENER_PLAYS: u32 = 200;
const LISTENERS: u32 = 20;
/// The plays of each listener that count.
const LISTENER_RECENT: u32 = 100;
/// The user's own plays that count.
const OWN_RECENT: u32 = 200;

/// What the recommender asks the catalog for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandidateQuery {
    /// Whose recommendations these are: their own plays count, and they are no co-listener.
    pub user_id: Option<UserId>,
    pub artist_ids: Vec<String>,
    pub genres: Vec<String>,
    pub years: Vec<i32>,
    /// Tracks whose co-listeners' plays count as a signal.
    pub seed_tracks: Vec<String>,
    /// Random pivot for sampling large groups.
    pub pivot: u32,
    pub per_signal: u32,
}

impl Library {
    /// Candidate tracks, without repeats, with the features the recommender scores; a fixed
    /// number of store reads whatever the query.
    pub(crate) async fn candidates(&self, q: &CandidateQuery) -> ServiceResult<Vec<Candidate>> {
        let first = |v: &[String], n: usize| v.iter().take(n).cloned().collect::<Vec<_>>();
        let mut ids = self
            .store
            .signal_tracks(&TrackSignals {
                artist_ids: first(&q.artist_ids, ARTISTS),
                genres: first(&q.genres, GENRES),
                years: q.years.iter().take(YEARS).copied().collect(),
                pivot: q.pivot,
                per: q.per_signal,
            })
            .await?;
        // People who played a seed track: what else did they play recently?
        let listeners = self
            .store
            .listeners(
                &first(&q.seed_tracks, SEED_TRACKS),
                q.user_id.as_ref(),
                LISTENER_PLAYS,
                LISTENERS,
            )
            .await?;
        let mut distinct = listeners.clone();
        distinct.sort();
        distinct.dedup();
        let mut their: HashMap<UserId, Vec<String>> = HashMap::new();
        for (u, t) in self.store.latest_plays(&distinct, LISTENER_RECENT).await? {
            their.entry(u).or_default().push(t);
        }
        let mut co: HashMap<String, u32> = HashMap::new();
        for u in &listeners {
            for t in their.get(u).into_iter().flatten() {
                *co.entry(t.clone()).or_default() += 1;
            }
        }
        let mut mine: HashMap<String, u32> = HashMap::new();
        for (_, t) in self
            .store
            .latest_plays(q.user_id.as_slice(), OWN_RECENT)
            .await?
        {
            *mine.entry(t).or_default() += 1;
        }
        let mut co_ids: Vec<(&String, &u32)> = co.iter().collect();
        co_ids.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        ids.extend(
            co_ids
                .into_iter()
                .take(q.per_signal as usize)
                .map(|(t, _)| t.clone()),
        );
        let mut seen = HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        let mut out = self.store.track_features(&ids).await?;
        for c in &mut out {
            c.co_plays = co.get(&c.track_id).copied().unwrap_or(0);
            c.user_plays = mine.get(&c.track_id).copied().unwrap_or(0);
        }
        Ok(out)
    }
}
