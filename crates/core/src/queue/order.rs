//! Play order over a context of `n` entries: identity, or a seeded shuffle that keeps one entry
//! first. Small contexts get a shuffle that spreads each artist's tracks apart (Fiedler's method,
//! as Spotify describes it); large ones a keyed pseudorandom permutation evaluated in O(1), so the
//! cost of a request never grows with the size of the context.

use serde::{Deserialize, Serialize};

use crate::rng::{Feistel, SplitMix};

/// Contexts up to this size get the artist-spreading shuffle, materialised in the session state.
pub const SPREAD_LIMIT: u32 = 2000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlayOrder {
    Identity,
    Shuffled {
        seed: u64,
        /// The context index played first (the current entry when shuffle was turned on).
        first: u32,
        /// The full order, when it was materialised (`order[0] == first`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order: Option<Vec<u32>>,
    },
}

impl PlayOrder {
    /// A shuffled order of `0..n` starting at `first`; `artists` (one grouping key per context
    /// index) enables the spreading shuffle and must have `n` entries.
    pub fn shuffled(seed: u64, n: u32, first: u32, artists: Option<&[u64]>) -> PlayOrder {
        let order = artists
            .filter(|a| a.len() == n as usize && n <= SPREAD_LIMIT)
            .map(|a| spread(seed, first, a));
        PlayOrder::Shuffled { seed, first, order }
    }

    /// The context index at play-order position `i` (`i < n`).
    pub fn at(&self, n: u32, i: u32) -> u32 {
        match self {
            PlayOrder::Identity => i,
            PlayOrder::Shuffled { order: Some(o), .. } => o[i as usize],
            PlayOrder::Shuffled { seed, first, .. } => {
                if i == 0 {
                    return *first;
                }
                let j = Feistel::permute(*seed, n as u64 - 1, i as u64 - 1, false) as u32;
                if j >= *first {
                    j + 1
                } else {
                    j
                }
            }
        }
    }

    /// The play-order position of context index `j` (`j < n`).
    pub fn position_of(&self, n: u32, j: u32) -> u32 {
        match self {
            PlayOrder::Identity => j,
            PlayOrder::Shuffled { order: Some(o), .. } => {
                o.iter().position(|&x| x == j).unwrap_or(0) as u32
            }
            PlayOrder::Shuffled { seed, first, .. } => {
                if j == *first {
                    return 0;
                }
                let k = if j > *first { j - 1 } else { j };
                Feistel::permute(*seed, n as u64 - 1, k as u64, true) as u32 + 1
            }
        }
    }
}

/// Fiedler's spread: shuffle within each artist, give the k-th of an artist's m tracks the
/// position k/m + offset + jitter, sort by position; then move `first` to the front.
fn spread(seed: u64, first: u32, artists: &[u64]) -> Vec<u32> {
    let mut rng = SplitMix(seed);
    let mut groups: Vec<(u64, Vec<u32>)> = Vec::new();
    let mut by_key = std::collections::HashMap::new();
    for (j, key) in artists.iter().enumerate() {
        let g = *by_key.entry(*key).or_insert_with(|| {
            groups.push((*key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(j as u32);
    }
    let mut placed: Vec<(f64, u32)> = Vec::with_capacity(artists.len());
    for (_, members) in &mut groups {
        for i in (1..members.len()).rev() {
            let k = rng.below(i as u64 + 1) as usize;
            members.swap(i, k);
        }
        let m = members.len() as f64;
        let offset = rng.unit() / m;
        for (k, j) in members.iter().enumerate() {
            let jitter = (rng.unit() - 0.5) / (5.0 * m);
            placed.push((k as f64 / m + offset + jitter, *j));
        }
    }
    placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut order: Vec<u32> = Vec::with_capacity(placed.len());
    order.push(first);
    order.extend(placed.into_iter().map(|(_, j)| j).filter(|&j| j != first));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_permutation(order: &PlayOrder, n: u32, first: u32) {
        let mut seen = vec![false; n as usize];
        for i in 0..n {
            let j = order.at(n, i);
            assert!(!seen[j as usize]);
            seen[j as usize] = true;
            assert_eq!(order.position_of(n, j), i);
        }
        assert_eq!(order.at(n, 0), first);
    }

    #[test]
    fn both_shuffles_are_permutations_starting_at_first() {
        for n in [1u32, 2, 5, 37, 500] {
            let first = n / 2;
            let artists: Vec<u64> = (0..n as u64).map(|j| j % 4).collect();
            check_permutation(&PlayOrder::shuffled(7, n, first, Some(&artists)), n, first);
            check_permutation(&PlayOrder::shuffled(7, n, first, None), n, first);
        }
    }

    #[test]
    fn spread_keeps_an_artist_apart() {
        // 3 artists with 10 tracks each: a spread order never plays the same artist 3 times in a row.
        let artists: Vec<u64> = (0..30u64).map(|j| j / 10).collect();
        for seed in 0..50 {
            let order = PlayOrder::shuffled(seed, 30, 0, Some(&artists));
            let seq: Vec<u64> = (1..30).map(|i| artists[order.at(30, i) as usize]).collect();
            assert!(
                seq.windows(3).all(|w| !(w[0] == w[1] && w[1] == w[2])),
                "seed {seed}: {seq:?}"
            );
        }
    }

    #[test]
    fn same_seed_same_order() {
        let a = PlayOrder::shuffled(99, 1000, 3, None);
        let b = PlayOrder::shuffled(99, 1000, 3, None);
        assert!((0..1000).all(|i| a.at(1000, i) == b.at(1000, i)));
    }
}
