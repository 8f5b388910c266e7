//! The queue engine (docs/api.md, "Queues"): a pure state machine over a session's queue.
//!
//! A queue is a context (album, playlist, artist, track list, station seed) walked in a play
//! order, a user region (queue next / queue last) that is never shuffled, a continuation
//! (autoplay or station) extended lazily, and a history of what actually started. The state
//! is small and its size never depends on the size of the context.

mod entity_ref;
mod order;

pub use entity_ref::Slot;
pub use order::{PlayOrder, SPREAD_LIMIT};

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoopMode {
    LoopOff,
    LoopOne,
    LoopAll,
}

impl LoopMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LoopMode::LoopOff => "LOOP_OFF",
            LoopMode::LoopOne => "LOOP_ONE",
            LoopMode::LoopAll => "LOOP_ALL",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Continuation {
    Off,
    Autoplay,
    Station,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PlaybackState {
    Stopped,
    Playing,
    Paused,
}

impl PlaybackState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlaybackState::Stopped => "STOPPED",
            PlaybackState::Playing => "PLAYING",
            PlaybackState::Paused => "PAUSED",
        }
    }
}

/// An entry together with the track it plays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(rename = "s")]
    pub slot: Slot,
    #[serde(rename = "t")]
    pub track: String,
    /// An id given from outside (fixtures); otherwise the id is derived from the slot.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub ref_id: Option<uuid::Uuid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntry {
    pub seq: u32,
    pub track: String,
}

/// Most entries the user region may hold; more is refused.
pub const MAX_USER_ENTRIES: usize = 1000;
/// History kept per session for `previous`.
pub const MAX_HISTORY: usize = 100;
const MAX_CONTINUATION: usize = 300;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    /// Keys the entity reference ids of this session.
    pub key: u64,
    /// Number of entries in the context (at least 1).
    pub len: u32,
    pub order: PlayOrder,
    /// Play-order position of the context cursor: the current context entry, or the last one
    /// played when the current entry is from the user region or the continuation.
    pub ctx_pos: u32,
    pub cycle: u32,
    pub current: Entry,
    pub started: bool,
    pub state: PlaybackState,
    pub loop_mode: LoopMode,
    /// Under LOOP_ONE, the context still loops: a skip past its end wraps to its start (Alexa's
    /// loop and repeat, both on).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub loop_under_one: bool,
    pub shuffle: bool,
    pub continuation: Continuation,
    pub user_next: Vec<UserEntry>,
    pub user_last: Vec<UserEntry>,
    pub next_seq: u32,
    /// Continuation tracks, the first of which is continuation entry `cont_base`.
    pub cont: Vec<String>,
    pub cont_base: u32,
    /// The continuation entry played last, if any.
    pub cont_pos: Option<u32>,
    pub history: Vec<Entry>,
    /// Index in `history` of the entry started last.
    pub hist_pos: usize,
    /// A user skip (stop `userNext`) happened since the last start: LOOP_ONE lets go for one step.
    pub skip_pending: bool,
}

/// How a queue starts.
pub struct Setup {
    pub key: u64,
    pub len: u32,
    /// Context index of the requested track (`None`: start at the first one).
    pub start_index: Option<u32>,
    /// Shuffle the play order (user's SHUFFLE_ON or the tier's augmented shuffle).
    pub shuffle: Option<ShuffleSeed>,
    /// The shuffle mode shown to the user.
    pub shuffle_shown: bool,
    pub loop_mode: LoopMode,
    pub continuation: Continuation,
}

pub struct ShuffleSeed {
    pub seed: u64,
    /// Keep the requested track first (user shuffle) or pick the first at random (augmented).
    pub keep_start: bool,
    pub artists: Option<Vec<u64>>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("the entity is not part of this session's queue")]
    UnknownEntry,
    #[error("the user region is full ({MAX_USER_ENTRIES} entries)")]
    UserRegionFull,
}

/// A window of upcoming entries.
#[derive(Debug, PartialEq, Eq)]
pub struct Window {
    pub slots: Vec<Slot>,
    pub has_more: bool,
    /// Continuation entries still to be generated before the window can be filled.
    pub missing_continuation: u32,
}

impl Queue {
    /// A new queue; the caller fills in `current.track`, the track at the context index the
    /// queue starts on (`current_index`).
    pub fn new(setup: Setup) -> Queue {
        let start = setup.start_index.unwrap_or(0).min(setup.len - 1);
        let (order, ctx_pos) = match setup.shuffle {
            Some(s) => {
                let first = if s.keep_start {
                    start
                } else {
                    crate::rng::SplitMix(s.seed ^ 0x5EED).below(setup.len as u64) as u32
                };
                (
                    PlayOrder::shuffled(s.seed, setup.len, first, s.artists.as_deref()),
                    0,
                )
            }
            None => (PlayOrder::Identity, start),
        };
        let index = order.at(setup.len, ctx_pos);
        Queue {
            key: setup.key,
            len: setup.len,
            order,
            ctx_pos,
            cycle: 0,
            current: Entry {
                slot: Slot::Context { cycle: 0, index },
                track: String::new(),
                ref_id: None,
            },
            started: false,
            state: PlaybackState::Stopped,
            loop_mode: setup.loop_mode,
            loop_under_one: false,
            shuffle: setup.shuffle_shown,
            continuation: setup.continuation,
            user_next: Vec::new(),
            user_last: Vec::new(),
            next_seq: 0,
            cont: Vec::new(),
            cont_base: 0,
            cont_pos: None,
            history: Vec::new(),
            hist_pos: 0,
            skip_pending: false,
        }
    }

    /// The entity reference id of an entry at `slot` that may carry its own (`ref_id`).
    pub fn ref_of(&self, slot: Slot, ref_id: Option<uuid::Uuid>) -> uuid::Uuid {
        ref_id.unwrap_or_else(|| self.entity_ref(slot))
    }

    pub fn entity_ref(&self, slot: Slot) -> uuid::Uuid {
        if slot == self.current.slot {
            if let Some(id) = self.current.ref_id {
                return id;
            }
        }
        slot.to_ref(self.key)
    }

    /// Resolves an entity reference id to one of this queue's entries (slot only; the caller
    /// resolves context tracks).
    pub fn locate(&self, id: uuid::Uuid) -> Option<Slot> {
        if self.current.ref_id == Some(id) {
            return Some(self.current.slot);
        }
        if let Some(e) = self.history.iter().find(|e| e.ref_id == Some(id)) {
            return Some(e.slot);
        }
        let slot = Slot::from_ref(id, self.key)?;
        self.is_known(slot).then_some(slot)
    }

    fn is_known(&self, slot: Slot) -> bool {
        match slot {
            Slot::Context { cycle, index } => index < self.len && cycle <= self.cycle + 1,
            Slot::User { seq } => seq < self.next_seq,
            Slot::Continuation { k } => k < self.cont_base + self.cont.len() as u32,
        }
    }

    /// The track of a user or continuation entry, or of any entry in the history.
    pub fn known_track(&self, slot: Slot) -> Option<&str> {
        if self.current.slot == slot {
            return Some(&self.current.track);
        }
        match slot {
            Slot::User { seq } => self
                .user_next
                .iter()
                .chain(&self.user_last)
                .find(|u| u.seq == seq)
                .map(|u| u.track.as_str()),
            Slot::Continuation { k } => k
                .checked_sub(self.cont_base)
                .and_then(|i| self.cont.get(i as usize))
                .map(String::as_str),
            Slot::Context { .. } => None,
        }
        .or_else(|| {
            self.history
                .iter()
                .rev()
                .find(|e| e.slot == slot)
                .map(|e| e.track.as_str())
        })
    }

    fn in_continuation(&self) -> bool {
        matches!(self.current.slot, Slot::Continuation { .. })
    }

    fn next_cont(&self) -> u32 {
        self.cont_pos
            .map_or(self.cont_base, |p| (p + 1).max(self.cont_base))
    }

    /// Up to `limit` entries that follow the current one, closest first.
    pub fn upcoming(&self, limit: usize) -> Window {
        let want = limit + 1;
        let mut out: Vec<Slot> = Vec::with_capacity(want);
        let mut missing = 0;
        if self.loop_mode == LoopMode::LoopOne && self.started && !self.skip_pending {
            out.push(self.current.slot);
        }
        out.extend(self.user_next.iter().map(|u| Slot::User { seq: u.seq }));
        if !self.in_continuation() {
            let mut i = self.ctx_pos + 1;
            while i < self.len && out.len() < want {
                out.push(self.context_slot(self.cycle, i));
                i += 1;
            }
        }
        if out.len() < want {
            out.extend(self.user_last.iter().map(|u| Slot::User { seq: u.seq }));
        }
        if self.loops_context() && !self.in_continuation() {
            let mut cycle = self.cycle;
            while out.len() < want {
                cycle += 1;
                for i in 0..self.len {
                    if out.len() >= want {
                        break;
                    }
                    out.push(self.context_slot(cycle, i));
                }
            }
        } else if self.continuation != Continuation::Off {
            let mut k = self.next_cont();
            let end = self.cont_base + self.cont.len() as u32;
            while out.len() < want {
                if k >= end {
                    missing = (want - out.len()) as u32;
                    break;
                }
                out.push(Slot::Continuation { k });
                k += 1;
            }
        }
        out.truncate(want);
        let has_more = out.len() > limit || missing > 0;
        out.truncate(limit);
        Window {
            slots: out,
            has_more,
            missing_continuation: missing,
        }
    }

    fn context_slot(&self, cycle: u32, pos: u32) -> Slot {
        Slot::Context {
            cycle,
            index: self.order.at(self.len, pos),
        }
    }

    /// Entries that played before the current one, most recent first.
    pub fn previous(&self, limit: usize) -> (Vec<&Entry>, bool) {
        let end = match self.history.get(self.hist_pos) {
            Some(e) if e.slot == self.current.slot => self.hist_pos,
            Some(_) => self.hist_pos + 1,
            None => 0,
        };
        let list: Vec<&Entry> = self.history[..end].iter().rev().take(limit + 1).collect();
        let more = list.len() > limit;
        (list.into_iter().take(limit).collect(), more)
    }

    /// Continuation tracks generated by the recommender, appended in order.
    pub fn extend_continuation(&mut self, tracks: Vec<String>) {
        self.cont.extend(tracks);
        let floor = self.cont_pos.unwrap_or(self.cont_base).saturating_sub(50);
        let hist_floor = self
            .history
            .iter()
            .filter_map(|e| match e.slot {
                Slot::Continuation { k } => Some(k),
                _ => None,
            })
            .min()
            .unwrap_or(u32::MAX);
        while self.cont.len() > MAX_CONTINUATION && self.cont_base < floor.min(hist_floor) {
            self.cont.remove(0);
            self.cont_base += 1;
        }
    }

    /// Queue next: after the current entry and after earlier queue-next entries.
    pub fn queue_next(&mut self, track: String) -> Result<Slot, QueueError> {
        let seq = self.take_seq()?;
        self.user_next.push(UserEntry { seq, track });
        Ok(Slot::User { seq })
    }

    /// Queue last: after the context, before any continuation.
    pub fn queue_last(&mut self, track: String) -> Result<Slot, QueueError> {
        let seq = self.take_seq()?;
        self.user_last.push(UserEntry { seq, track });
        Ok(Slot::User { seq })
    }

    fn take_seq(&mut self) -> Result<u32, QueueError> {
        if self.user_next.len() + self.user_last.len() >= MAX_USER_ENTRIES {
            return Err(QueueError::UserRegionFull);
        }
        self.next_seq += 1;
        Ok(self.next_seq - 1)
    }

    /// Shuffle on: the context cursor's entry stays, the rest is shuffled. Off: context order
    /// resumes after that entry. The user region is untouched either way.
    pub fn set_shuffle(&mut self, on: bool, seed: u64, artists: Option<&[u64]>) {
        let index = self.order.at(self.len, self.ctx_pos);
        if on {
            self.order = PlayOrder::shuffled(seed, self.len, index, artists);
            self.ctx_pos = 0;
        } else {
            self.order = PlayOrder::Identity;
            self.ctx_pos = index;
        }
        self.shuffle = on;
    }

    pub fn set_loop(&mut self, mode: LoopMode) {
        self.loop_mode = mode;
        self.loop_under_one = false;
    }

    /// Loop (the context) and repeat (the current track) as two switches: repeat wins for the
    /// automatic next, loop still wraps a skip past the context's end.
    pub fn set_loop_and_repeat(&mut self, loop_context: bool, repeat_one: bool) {
        self.loop_mode = match (loop_context, repeat_one) {
            (_, true) => LoopMode::LoopOne,
            (true, false) => LoopMode::LoopAll,
            (false, false) => LoopMode::LoopOff,
        };
        self.loop_under_one = loop_context && repeat_one;
    }

    /// The context starts over after its last entry.
    pub fn loops_context(&self) -> bool {
        self.loop_mode == LoopMode::LoopAll
            || (self.loop_mode == LoopMode::LoopOne && self.loop_under_one)
    }

    /// What comes before the first context entry of a looping context: its last entry (of the
    /// pass before, if there was one). `None` when the context does not loop or the current
    /// entry is not its first.
    pub fn wrapped_back(&self) -> Option<Slot> {
        let first = matches!(self.current.slot, Slot::Context { .. }) && self.ctx_pos == 0;
        (self.loops_context() && first)
            .then(|| self.context_slot(self.cycle.saturating_sub(1), self.len - 1))
    }

    /// Makes `entry` current without starting it (restore, or a start event).
    pub fn position_at(&mut self, entry: Entry) {
        match entry.slot {
            Slot::Context { cycle, index } => {
                self.ctx_pos = self.order.position_of(self.len, index);
                self.cycle = cycle;
            }
            Slot::User { seq } => {
                self.user_next.retain(|u| u.seq != seq);
                self.user_last.retain(|u| u.seq != seq);
            }
            Slot::Continuation { k } => self.cont_pos = Some(k),
        }
        self.current = entry;
    }

    /// A start event for `entry`: it becomes current and enters the history.
    pub fn start(&mut self, entry: Entry) {
        let slot = entry.slot;
        let at = |i: usize| self.history.get(i).map(|e| e.slot);
        if self.hist_pos > 0 && at(self.hist_pos - 1) == Some(slot) && self.started {
            self.hist_pos -= 1;
        } else if at(self.hist_pos + 1) == Some(slot) && self.started {
            self.hist_pos += 1;
        } else if !(at(self.hist_pos) == Some(slot) && self.started) {
            self.history.truncate(self.hist_pos + 1);
            self.history.push(entry.clone());
            if self.history.len() > MAX_HISTORY {
                self.history.remove(0);
            }
            self.hist_pos = self.history.len() - 1;
        }
        self.position_at(entry);
        self.started = true;
        self.skip_pending = false;
        self.state = PlaybackState::Playing;
    }

    /// A stop event; `user_skip` is a stop with terminationReason `userNext`.
    pub fn stop(&mut self, user_skip: bool, paused: bool) {
        self.skip_pending = user_skip;
        self.state = if paused {
            PlaybackState::Paused
        } else {
            PlaybackState::Stopped
        };
    }
}

#[cfg(test)]
mod tests;
