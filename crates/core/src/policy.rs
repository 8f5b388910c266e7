//! Tier policy (docs/api.md, "Tiers"): which customer actions a tier allows, and skip counting.

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tier {
    Unlimited,
    Prime,
    Free,
}

impl Tier {
    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "UNLIMITED" => Some(Tier::Unlimited),
            "PRIME" => Some(Tier::Prime),
            "FREE" => Some(Tier::Free),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Unlimited => "UNLIMITED",
            Tier::Prime => "PRIME",
            Tier::Free => "FREE",
        }
    }

    /// `resourceType` in metric ids.
    pub fn resource_type(self) -> &'static str {
        match self {
            Tier::Unlimited => "UNLIMITED_MUSIC",
            Tier::Prime => "PRIME_MUSIC",
            Tier::Free => "FREE_MUSIC",
        }
    }

    /// On-demand tiers play the queue as requested; the others always get an augmented shuffle.
    pub fn on_demand(self) -> bool {
        self == Tier::Unlimited
    }
}

/// Skips allowed per rolling hour on the tiers that limit them.
pub const SKIPS_PER_HOUR: u32 = 6;
pub const SKIP_WINDOW_MS: i64 = 60 * 60 * 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Next,
    Previous,
    ScrubForward,
    ScrubBackward,
    LoopOne,
    Rate,
    QueueMutations,
    QueueView,
    LoopAll,
    Shuffle,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Next => "next",
            Action::Previous => "previous",
            Action::ScrubForward => "scrubForward",
            Action::ScrubBackward => "scrubBackward",
            Action::LoopOne => "loopOne",
            Action::Rate => "rate",
            Action::QueueMutations => "queueMutations",
            Action::QueueView => "queueView",
            Action::LoopAll => "loopAll",
            Action::Shuffle => "shuffle",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionState {
    pub is_allowed: bool,
    pub remaining_skips: Option<u32>,
    pub disable_type: Option<&'static str>,
}

/// The state of each of the ten actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actions {
    pub next: ActionState,
    pub previous: ActionState,
    pub scrub_forward: ActionState,
    pub scrub_backward: ActionState,
    pub loop_one: ActionState,
    pub rate: ActionState,
    pub queue_mutations: ActionState,
    pub queue_view: ActionState,
    pub loop_all: ActionState,
    pub shuffle: ActionState,
}

/// What the policy needs to know about the user and the session.
#[derive(Clone, Copy, Debug)]
pub struct PolicyInput {
    pub tier: Tier,
    pub station: bool,
    /// User skips (stop `userNext`) in the last hour.
    pub recent_skips: u32,
}

const NOT_AVAILABLE: Option<&str> = Some("FEATURE_NOT_AVAILABLE");

impl PolicyInput {
    pub fn state(&self, action: Action) -> ActionState {
        let plain = |allowed: bool| ActionState {
            is_allowed: allowed,
            remaining_skips: None,
            disable_type: None,
        };
        let on_demand = self.tier.on_demand();
        match action {
            Action::Next if on_demand => plain(true),
            Action::Next => {
                let remaining = SKIPS_PER_HOUR.saturating_sub(self.recent_skips);
                ActionState {
                    is_allowed: remaining > 0,
                    remaining_skips: Some(remaining),
                    disable_type: (remaining == 0).then_some("NO_MORE_SKIPS"),
                }
            }
            Action::Previous | Action::ScrubForward | Action::ScrubBackward => {
                let allowed = on_demand && !(self.station && action == Action::Previous);
                ActionState {
                    is_allowed: allowed,
                    remaining_skips: None,
                    disable_type: if allowed { None } else { NOT_AVAILABLE },
                }
            }
            Action::Rate => plain(!on_demand),
            Action::LoopOne
            | Action::LoopAll
            | Action::Shuffle
            | Action::QueueMutations
            | Action::QueueView => plain(on_demand && !self.station),
        }
    }

    pub fn actions(&self) -> Actions {
        Actions {
            next: self.state(Action::Next),
            previous: self.state(Action::Previous),
            scrub_forward: self.state(Action::ScrubForward),
            scrub_backward: self.state(Action::ScrubBackward),
            loop_one: self.state(Action::LoopOne),
            rate: self.state(Action::Rate),
            queue_mutations: self.state(Action::QueueMutations),
            queue_view: self.state(Action::QueueView),
            loop_all: self.state(Action::LoopAll),
            shuffle: self.state(Action::Shuffle),
        }
    }

    /// `Err` naming the action when the policy forbids it.
    pub fn require(&self, action: Action) -> Result<(), Refusal> {
        let s = self.state(action);
        if s.is_allowed {
            return Ok(());
        }
        let why = match (s.disable_type, self.station) {
            (Some("NO_MORE_SKIPS"), _) => "no skips remain in the last hour".to_string(),
            (_, true) if self.tier.on_demand() => "it is not available on a station".to_string(),
            _ => format!("the {} tier does not include it", self.tier.as_str()),
        };
        let why = format!("action '{}' is not allowed: {why}", action.name());
        Err(if s.disable_type == Some("NO_MORE_SKIPS") {
            Refusal::NoMoreSkips(why)
        } else {
            Refusal::NotAllowed(why)
        })
    }
}

/// Why the rules refuse a playback change: the tier's, or those of concurrent streams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hourly skip limit is reached.
    NoMoreSkips(String),
    /// The tier (or a station) does not include the action.
    NotAllowed(String),
    /// The user's streams are at their limit and no take-over may end one.
    MaxConcurrency,
    /// An AUTO take-over of a stream that AUTO itself took over moments ago.
    TakeOverFailed,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(tier: Tier, station: bool, skips: u32) -> PolicyInput {
        PolicyInput {
            tier,
            station,
            recent_skips: skips,
        }
    }

    #[test]
    fn unlimited_allows_all_but_rating() {
        let a = input(Tier::Unlimited, false, 0).actions();
        for s in [
            a.next,
            a.previous,
            a.scrub_forward,
            a.scrub_backward,
            a.loop_one,
            a.queue_mutations,
            a.queue_view,
            a.loop_all,
            a.shuffle,
        ] {
            assert!(s.is_allowed);
        }
        assert!(!a.rate.is_allowed);
    }

    #[test]
    fn prime_counts_skips_down_to_zero() {
        let a = input(Tier::Prime, false, 0).actions();
        assert_eq!(a.next.remaining_skips, Some(6));
        assert_eq!(a.previous.disable_type, Some("FEATURE_NOT_AVAILABLE"));
        assert!(a.rate.is_allowed && !a.shuffle.is_allowed && !a.queue_view.is_allowed);
        let a = input(Tier::Free, false, 9).actions();
        assert_eq!(
            a.next,
            ActionState {
                is_allowed: false,
                remaining_skips: Some(0),
                disable_type: Some("NO_MORE_SKIPS")
            }
        );
        assert!(input(Tier::Prime, false, 6).require(Action::Next).is_err());
    }

    #[test]
    fn stations_forbid_queue_controls() {
        let p = input(Tier::Unlimited, true, 0);
        for a in [
            Action::Previous,
            Action::LoopOne,
            Action::LoopAll,
            Action::Shuffle,
            Action::QueueView,
            Action::QueueMutations,
        ] {
            assert!(p.require(a).is_err(), "{a:?}");
        }
        assert!(p.require(Action::Next).is_ok());
    }
}
