//! Autoplay and station continuation: the queue asks for more entries, the recommender picks them.

use std::collections::HashSet;

use medley_core::queue::Window;
use medley_core::recommend::{self, Seed};
use medley_store::{Session, StoreError};

use crate::candidates::CandidateQuery;
use rand::Rng;

use super::voice::DISLIKED_TRACK;
use crate::{Medley, ServiceResult};

/// Continuation entries are generated at least this many at a time.
const CHUNK: u32 = 20;

impl Medley {
    /// The upcoming window, extending (and saving) the continuation when it runs short.
    pub(crate) async fn window(&self, s: &mut Session, limit: usize) -> ServiceResult<Window> {
        for _ in 0..super::MAX_ATTEMPTS {
            let w = s.body.queue.upcoming(limit);
            if w.missing_continuation == 0 {
                return Ok(w);
            }
            let picks = self
                .recommend_for(s, w.missing_continuation.max(CHUNK) as usize)
                .await?;
            if picks.is_empty() {
                return Ok(Window {
                    has_more: !w.slots.is_empty() && w.slots.len() > limit,
                    ..w
                });
            }
            let mut next = s.clone();
            next.body.queue.extend_continuation(picks);
            match self.store.save_session(&next).await {
                Ok(()) => {
                    next.version += 1;
                    let change = (next.id, next.version, crate::live::Change::QueueChanged);
                    self.announce(&next.user_id, vec![change]);
                    *s = next;
                }
                Err(StoreError::Conflict) => {
                    if let Some(fresh) = self.store.session(s.id).await? {
                        *s = fresh;
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(s.body.queue.upcoming(limit))
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
            user_id: s.user_id.clone(),
            artist_ids: seed.artists.iter().cloned().collect(),
            genres: seed.genres.iter().cloned().collect(),
            years: seed.years.clone(),
            seed_tracks: seed_ids.clone(),
            pivot: rand::thread_rng().gen(),
            per_signal: 40,
        };
        let mut candidates = self.candidates(&query).await?;
        let ids: Vec<String> = candidates.iter().map(|c| c.track_id.clone()).collect();
        let disliked = self.related(&s.user_id, DISLIKED_TRACK, &ids).await?;
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
