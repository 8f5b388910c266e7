//! Playback events (Playback V1, "Report Single Event") as the domain sees them, and the rules
//! an event must keep beyond its shape: a UTC offset, offsets within the track.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakeOver {
    Auto,
    Force,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Termination {
    UserStop,
    UserNext,
    UserPrev,
    TrackFinished,
    TrackScrub,
    SystemStop,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    Start {
        offset_ms: i64,
    },
    Stop {
        duration_s: i64,
        progress_s: i64,
        rebuffer_count: i64,
        reason: Termination,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlaybackEvent {
    pub kind: EventKind,
    pub client_ts_ms: i64,
    pub initial_delay_ms: i64,
    pub timezone: String,
    pub speed: f64,
}

/// One reported event with the metric id it refers to.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportedEvent {
    pub metric_id: String,
    pub event: PlaybackEvent,
    /// The event object, as JSON text, kept with the stored event.
    pub raw: String,
}

/// The fastest playback an event may report (`playbackCurrentSpeed`, above 0).
pub const MAX_SPEED: f64 = 16.0;

/// A UTC offset as the spec writes it: `+02:00`, `-08:00` (hours up to 14).
pub fn valid_timezone(tz: &str) -> bool {
    let b = tz.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b':'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
        && (tz[1..3].parse::<u32>().unwrap_or(99) <= 14)
        && (tz[4..6].parse::<u32>().unwrap_or(99) < 60)
}

impl PlaybackEvent {
    /// Offsets must lie within the track (`duration_s` seconds long).
    pub fn check_offsets(&self, duration_s: u32, path: &str) -> Result<(), String> {
        let d = duration_s as i64;
        match &self.kind {
            EventKind::Start { offset_ms } if *offset_ms > d * 1000 => Err(format!(
                "{path}.playbackStartAbsoluteOffsetMilliseconds ({offset_ms}) is beyond the end of the track ({} ms)",
                d * 1000
            )),
            EventKind::Stop { progress_s, .. } if *progress_s > d => Err(format!(
                "{path}.entityProgressSeconds ({progress_s}) is beyond the end of the track ({d} s)"
            )),
            _ => Ok(()),
        }
    }

    pub fn is_start(&self) -> bool {
        matches!(self.kind, EventKind::Start { .. })
    }

    pub fn termination(&self) -> Option<Termination> {
        match self.kind {
            EventKind::Stop { reason, .. } => Some(reason),
            EventKind::Start { .. } => None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        if self.is_start() {
            "start"
        } else {
            "stop"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_lie_within_the_track() {
        let stop = PlaybackEvent {
            kind: EventKind::Stop {
                duration_s: 75,
                progress_s: 75,
                rebuffer_count: 0,
                reason: Termination::UserStop,
            },
            client_ts_ms: 1716493236481,
            initial_delay_ms: 0,
            timezone: "+02:00".into(),
            speed: 1.0,
        };
        assert_eq!(stop.termination(), Some(Termination::UserStop));
        assert!(stop.check_offsets(74, "event").is_err());
        assert!(stop.check_offsets(75, "event").is_ok());
    }

    #[test]
    fn timezones_are_offsets() {
        for ok in ["+02:00", "-08:00", "+14:00", "+05:45"] {
            assert!(valid_timezone(ok), "{ok}");
        }
        for bad in ["CET", "+2:00", "+15:00", "+02:60", "02:00", "+02:00 "] {
            assert!(!valid_timezone(bad), "{bad}");
        }
    }
}
