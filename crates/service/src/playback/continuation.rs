//! Autoplay and station continuation: before a change is saved the queue asks for more
//! entries, the recommender picks them; reads see what is there.

use std::collections::HashSet;

use medley_core::queue::Window;
use medley_core::recommend::{self, Seed};
use medley_store::Session;

use crate::library::candidates::CandidateQuery;
use rand::Rng;

use super::voice::DISLIKED_TRACK;
use crate::playback::Playback;
use crate::ServiceResult;

/// Continuation entries are generated at least this many at a time.
const CHUNK: u32 = 20;

/// How far past the current entry the continuation reaches after every change: the longest
/// list a read asks for (`limit` is at most 10) and one more, to tell whether there is more.
/// So a read never has to extend it, and never writes.
const READ_AHEAD: usize = 10;

/// The entries after the current one, `limit` at most `READ_AHEAD`, as a read sees them: a
/// continuation the recommender could not fill ends the list.
pub(crate) fn window(s: &Session, limit: usize) -> Window {
    let w = s.body.queue.upcoming(limit);
    match w.missing_continuation {
        0 => w,
        _ => Window {
            has_more: false,
            ..w
        },
    }
}

impl Playback {
    /// Extends the continuation of a session about to be saved (in memory: the change that
    /// follows saves it) until it reaches `READ_AHEAD` entries past the current one.
    pub(crate) async fn top_up(&self, s: &mut Session) -> ServiceResult<()> {
        let missing = s.body.queue.upcoming(READ_AHEAD).missing_continuation;
        if missing == 0 {
            return Ok(());
        }
        let picks = self.recommend_for(s, missing.max(CHUNK) as usize).await?;
        if !picks.is_empty() {
            s.body.queue.extend_continuation(picks);
        }
        Ok(())
    }

    /// Tracks that resemble what the session plays: its current and recent tracks, and for a
    /// station the item it was seeded from.
    pub(crate) async fn recommend_for(&self, s: &Session, n: usize) -> ServiceResult<Vec<String>> {
        let q = &s.body.queue;
        let mut seed_ids: Vec<String> = vec![q.current.track.clone()];
        seed_ids.extend(q.history.iter().rev().take(5).map(|e| e.track.clone()));
        seed_ids.dedup();
        let seeds = self.tracks(&seed_ids).await?;
        let mut seed = Seed::of_tracks(&seeds);
        if s.body.source_type == medley_core::mrn::ItemKind::Artist
            || (s.body.station && seeds.is_empty())
        {
            seed.artists.insert(s.body.source_id.clone());
        }
        let query = CandidateQuery {
            user_id: Some(s.user_id.clone()),
            artist_ids: seed.artists.iter().cloned().collect(),
            genres: seed.genres.iter().cloned().collect(),
            years: seed.years.clone(),
            seed_tracks: seed_ids.clone(),
            pivot: rand::thread_rng().gen(),
            per_signal: 40,
        };
        let mut candidates = self.library.candidates(&query).await?;
        let ids: Vec<String> = candidates.iter().map(|c| c.track_id.clone()).collect();
        let disliked = self
            .library
            .related(&s.user_id, DISLIKED_TRACK, &ids)
            .await?;
        candidates.retain(|c| !disliked.contains(&c.track_id));
        let mut recent: Vec<String> = q.history.iter().map(|e| e.track.clone()).collect();
        recent.extend(q.cont.iter().rev().take(50).rev().cloned());
        recent.push(q.current.track.clone());
        let mut seen = HashSet::new();
        recent.retain(|t| seen.insert(t.clone()));
        Ok(recommend::pick(
            &candidates,
            &seed,
            &recent,
            n,
            rand::thread_rng().gen(),
        ))
    }
}
