use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

fn track(i: u32) -> String {
    format!("t{i}")
}

fn queue(len: u32, start: Option<u32>, shuffle: bool, cont: Continuation) -> Queue {
    let mut q = Queue::new(Setup {
        key: 77,
        len,
        start_index: start,
        shuffle: shuffle.then_some(ShuffleSeed {
            seed: 5,
            keep_start: true,
            artists: None,
        }),
        shuffle_shown: shuffle,
        loop_mode: LoopMode::LoopOff,
        continuation: cont,
    });
    if let Slot::Context { index, .. } = q.current.slot {
        q.current.track = track(index);
    }
    q
}

fn entry(q: &Queue, slot: Slot) -> Entry {
    let track = match slot {
        Slot::Context { index, .. } => track(index),
        _ => q.known_track(slot).unwrap().to_string(),
    };
    Entry {
        slot,
        track,
        ref_id: None,
    }
}

#[test]
fn album_from_a_track_lists_the_rest_in_order() {
    let q = queue(5, Some(2), false, Continuation::Off);
    assert_eq!(q.current.track, "t2");
    let w = q.upcoming(10);
    assert_eq!(
        w.slots,
        vec![
            Slot::Context { cycle: 0, index: 3 },
            Slot::Context { cycle: 0, index: 4 }
        ]
    );
    assert!(!w.has_more);
    assert_eq!(q.upcoming(1).slots.len(), 1);
    assert!(q.upcoming(1).has_more);
}

#[test]
fn queue_next_goes_first_and_queue_last_after_the_context() {
    let mut q = queue(3, None, false, Continuation::Off);
    let last = q.queue_last("x".into()).unwrap();
    let n1 = q.queue_next("a".into()).unwrap();
    let n2 = q.queue_next("b".into()).unwrap();
    let w = q.upcoming(10).slots;
    assert_eq!(
        w,
        vec![
            n1,
            n2,
            Slot::Context { cycle: 0, index: 1 },
            Slot::Context { cycle: 0, index: 2 },
            last
        ]
    );
}

#[test]
fn loop_all_wraps_and_loop_one_repeats_until_a_skip() {
    let mut q = queue(2, None, false, Continuation::Off);
    q.set_loop(LoopMode::LoopAll);
    assert_eq!(
        q.upcoming(3).slots,
        vec![
            Slot::Context { cycle: 0, index: 1 },
            Slot::Context { cycle: 1, index: 0 },
            Slot::Context { cycle: 1, index: 1 }
        ]
    );
    q.set_loop(LoopMode::LoopOne);
    let cur = q.current.clone();
    q.start(cur.clone());
    assert_eq!(q.upcoming(1).slots, vec![cur.slot]);
    q.stop(true, false);
    assert_eq!(
        q.upcoming(1).slots,
        vec![Slot::Context { cycle: 0, index: 1 }]
    );
}

#[test]
fn loop_and_repeat_together_repeat_the_track_and_wrap_a_skip_past_the_end() {
    let mut q = queue(2, Some(1), false, Continuation::Off);
    let last = q.current.clone();
    q.start(last.clone());
    q.set_loop_and_repeat(false, true);
    q.stop(true, false);
    assert!(
        q.upcoming(1).slots.is_empty(),
        "repeat alone: a skip at the end ends"
    );
    q.set_loop_and_repeat(true, true);
    assert_eq!(q.loop_mode, LoopMode::LoopOne);
    q.start(last.clone());
    assert_eq!(q.upcoming(1).slots, vec![last.slot], "the track repeats");
    q.stop(true, false);
    assert_eq!(
        q.upcoming(1).slots,
        vec![Slot::Context { cycle: 1, index: 0 }],
        "a skip past the end wraps"
    );
    q.set_loop_and_repeat(true, false);
    assert_eq!(q.loop_mode, LoopMode::LoopAll);
    q.set_loop(LoopMode::LoopOne);
    assert!(!q.loops_context(), "the Web API's LOOP_ONE repeats only");
}

#[test]
fn a_looping_context_goes_back_from_its_first_entry_to_its_last() {
    let mut q = queue(3, None, false, Continuation::Off);
    assert_eq!(q.wrapped_back(), None, "no loop: nothing before the first");
    q.set_loop(LoopMode::LoopAll);
    assert_eq!(q.wrapped_back(), Some(Slot::Context { cycle: 0, index: 2 }));
    let second = entry(&q, Slot::Context { cycle: 0, index: 1 });
    q.start(second);
    assert_eq!(q.wrapped_back(), None, "only from the first entry");
}

#[test]
fn autoplay_asks_for_continuation_then_serves_it() {
    let mut q = queue(1, None, false, Continuation::Autoplay);
    let w = q.upcoming(3);
    assert_eq!(w.missing_continuation, 4);
    assert!(w.has_more);
    q.extend_continuation(vec!["c0".into(), "c1".into(), "c2".into(), "c3".into()]);
    let w = q.upcoming(3);
    assert_eq!(w.missing_continuation, 0);
    assert_eq!(w.slots[0], Slot::Continuation { k: 0 });
    let e = entry(&q, Slot::Continuation { k: 0 });
    q.start(e);
    assert_eq!(q.upcoming(1).slots, vec![Slot::Continuation { k: 1 }]);
}

#[test]
fn previous_follows_history_and_going_back_pops() {
    let mut q = queue(4, None, true, Continuation::Off);
    let mut played = vec![];
    for _ in 0..3 {
        let next = q.upcoming(1).slots[0];
        let e = if played.is_empty() {
            q.current.clone()
        } else {
            entry(&q, next)
        };
        played.push(e.slot);
        q.start(e);
    }
    let prev: Vec<Slot> = q.previous(10).0.iter().map(|e| e.slot).collect();
    assert_eq!(prev, vec![played[1], played[0]]);
    let back = entry(&q, played[1]);
    q.start(back);
    let prev: Vec<Slot> = q.previous(10).0.iter().map(|e| e.slot).collect();
    assert_eq!(prev, vec![played[0]]);
}

#[test]
fn entity_refs_locate_entries() {
    let mut q = queue(100_000, Some(99_000), false, Continuation::Off);
    let s = q.upcoming(5).slots[4];
    assert_eq!(q.locate(q.entity_ref(s)), Some(s));
    let u = q.queue_next("z".into()).unwrap();
    assert_eq!(q.locate(q.entity_ref(u)), Some(u));
    assert_eq!(q.locate(uuid::Uuid::new_v4()), None);
}

#[derive(Clone, Debug)]
enum Op {
    Next(u8),
    Last(u8),
    Shuffle(bool, u64),
    Loop(u8),
    StartUpcoming(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Next),
        any::<u8>().prop_map(Op::Last),
        (any::<bool>(), any::<u64>()).prop_map(|(b, s)| Op::Shuffle(b, s)),
        (0u8..3).prop_map(Op::Loop),
        (0u8..12).prop_map(Op::StartUpcoming),
    ]
}

/// Applies a queue edit. `StartUpcoming` changes nothing here: it returns the upcoming slot it
/// names, for the caller to start.
fn edit(q: &mut Queue, op: &Op) -> Option<Slot> {
    match *op {
        Op::Next(t) => {
            q.queue_next(format!("n{t}")).unwrap();
        }
        Op::Last(t) => {
            q.queue_last(format!("l{t}")).unwrap();
        }
        Op::Shuffle(on, seed) => q.set_shuffle(on, seed, None),
        Op::Loop(m) => {
            q.set_loop([LoopMode::LoopOff, LoopMode::LoopOne, LoopMode::LoopAll][m as usize])
        }
        Op::StartUpcoming(k) => return q.upcoming(12).slots.get(k as usize).copied(),
    }
    None
}

proptest! {
    /// No sequence of queue next/last, shuffle, loop changes and starts loses or duplicates an
    /// entry: pending user entries appear exactly once in the upcoming list, context entries at
    /// most once per pass, and with shuffle off the context resumes in order after the cursor.
    #[test]
    fn no_entry_lost_or_duplicated(len in 1u32..40, start in 0u32..40, ops in prop::collection::vec(op(), 0..60)) {
        let mut q = queue(len, Some(start % len), false, Continuation::Off);
        for op in ops {
            if let Some(s) = edit(&mut q, &op) {
                let e = entry(&q, s);
                q.start(e);
            }
            // Check with loop off so the window is finite and exact.
            let mut view = q.clone();
            view.set_loop(LoopMode::LoopOff);
            let total = len as usize + view.user_next.len() + view.user_last.len() + 1;
            let w = view.upcoming(total).slots;
            prop_assert!(w.len() < total);
            let users: Vec<u32> = w.iter().filter_map(|s| match s { Slot::User { seq } => Some(*seq), _ => None }).collect();
            let mut pending: Vec<u32> = view.user_next.iter().chain(&view.user_last).map(|u| u.seq).collect();
            let mut got = users.clone();
            got.sort(); pending.sort();
            prop_assert_eq!(got, pending);
            let ctx: Vec<u32> = w.iter().filter_map(|s| match s { Slot::Context { index, .. } => Some(*index), _ => None }).collect();
            let distinct: HashSet<u32> = ctx.iter().copied().collect();
            prop_assert_eq!(distinct.len(), ctx.len());
            let cursor = view.order.at(len, view.ctx_pos);
            prop_assert!(!distinct.contains(&cursor));
            if !view.shuffle {
                let expect: Vec<u32> = (cursor + 1..len).collect();
                prop_assert_eq!(ctx, expect);
            } else {
                // Shuffled: every context entry but the cursor's is still ahead of or behind it, once.
                let behind: HashSet<u32> = (0..view.ctx_pos).map(|i| view.order.at(len, i)).collect();
                prop_assert_eq!(distinct.len() + behind.len() + 1, len as usize);
            }
        }
    }

    /// Previous follows history: after any sequence of forward starts (among the upcoming
    /// entries, with queue edits, shuffle and loop changes in between), `previous` lists what
    /// actually started, most recent first, whatever the play order was.
    #[test]
    fn previous_follows_history(len in 1u32..30, ops in prop::collection::vec(op(), 1..80)) {
        let mut q = queue(len, None, false, Continuation::Off);
        let mut started: Vec<Slot> = Vec::new();
        for op in ops {
            let Some(s) = edit(&mut q, &op) else { continue };
            // Starting the entry just before the current one is "going back"; this property
            // covers forward plays only.
            if started.len() >= 2 && started[started.len() - 2] == s {
                continue;
            }
            let e = entry(&q, s);
            q.start(e);
            if started.last() != Some(&s) {
                started.push(s);
            }
        }
        let keep = started.len().min(MAX_HISTORY);
        let expect: Vec<Slot> = started[started.len() - keep..].iter().rev().skip(1).copied().collect();
        let got: Vec<Slot> = q.previous(MAX_HISTORY).0.iter().map(|e| e.slot).collect();
        prop_assert_eq!(got, expect);
    }

    /// Shuffle on then off restores context order after the entry that was current.
    #[test]
    fn unshuffle_restores_order(len in 2u32..300, start in 0u32..300, seed: u64) {
        let mut q = queue(len, Some(start % len), false, Continuation::Off);
        let before = q.upcoming(len as usize).slots;
        q.set_shuffle(true, seed, None);
        let shuffled: HashSet<Slot> = q.upcoming(len as usize).slots.into_iter().collect();
        prop_assert_eq!(shuffled.len(), len as usize - 1);
        q.set_shuffle(false, 0, None);
        prop_assert_eq!(q.upcoming(len as usize).slots, before);
    }
}
