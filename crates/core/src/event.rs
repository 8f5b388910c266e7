//! Playback events (Playback V1, "Report Single Event"): parsing and validation with messages that
//! name the offending field.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakeOver {
    Auto,
    Force,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    UserStop,
    UserNext,
    UserPrev,
    TrackFinished,
    TrackScrub,
    SystemStop,
}

impl Termination {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "userStop" => Termination::UserStop,
            "userNext" => Termination::UserNext,
            "userPrev" => Termination::UserPrev,
            "trackFinished" => Termination::TrackFinished,
            "trackScrub" => Termination::TrackScrub,
            "systemStop" => Termination::SystemStop,
            _ => return None,
        })
    }
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
    /// The event object as reported, kept with the stored event.
    pub raw: Value,
}

fn int(obj: &Value, path: &str, key: &str) -> Result<i64, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(format!("{path}.{key} is required")),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 0 => Ok(n),
            Some(_) => Err(format!("{path}.{key} must not be negative")),
            None => Err(format!("{path}.{key} must be an integer")),
        },
    }
}

fn valid_timezone(tz: &str) -> bool {
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
    /// Parses `value` (the `event` object), naming fields under `path` in messages.
    pub fn parse(value: &Value, path: &str) -> Result<PlaybackEvent, String> {
        if !value.is_object() {
            return Err(format!("{path} must be an object"));
        }
        let kind = match value.get("type").and_then(Value::as_str) {
            Some("start") => EventKind::Start {
                offset_ms: int(value, path, "playbackStartAbsoluteOffsetMilliseconds")?,
            },
            Some("stop") => {
                let reason = match value.get("terminationReason") {
                    None | Some(Value::Null) => {
                        return Err(format!("{path}.terminationReason is required"))
                    }
                    Some(v) => v.as_str().and_then(Termination::parse).ok_or_else(|| {
                        format!("{path}.terminationReason must be one of userStop, userNext, userPrev, trackFinished, trackScrub, systemStop")
                    })?,
                };
                EventKind::Stop {
                    duration_s: int(value, path, "durationSeconds")?,
                    progress_s: int(value, path, "entityProgressSeconds")?,
                    rebuffer_count: int(value, path, "rebufferCount")?,
                    reason,
                }
            }
            Some(_) => return Err(format!("{path}.type must be 'start' or 'stop'")),
            None => return Err(format!("{path}.type is required")),
        };
        let timezone = match value.get("deviceTimezone") {
            None | Some(Value::Null) => return Err(format!("{path}.deviceTimezone is required")),
            Some(v) => v
                .as_str()
                .filter(|s| valid_timezone(s))
                .ok_or_else(|| {
                    format!("{path}.deviceTimezone must be an offset like +02:00 or -08:00")
                })?
                .to_string(),
        };
        let speed = match value.get("playbackCurrentSpeed") {
            None | Some(Value::Null) => {
                return Err(format!("{path}.playbackCurrentSpeed is required"))
            }
            Some(v) => v
                .as_f64()
                .filter(|s| *s > 0.0 && *s <= 16.0)
                .ok_or_else(|| {
                    format!("{path}.playbackCurrentSpeed must be a number above 0 and at most 16")
                })?,
        };
        Ok(PlaybackEvent {
            kind,
            client_ts_ms: int(value, path, "clientTimestampInMilliseconds")?,
            initial_delay_ms: int(value, path, "initialPlaybackDelayMilliseconds")?,
            timezone,
            speed,
        })
    }

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

impl ReportedEvent {
    /// Parses `{"metricId": "...", "event": {...}}` at `path`.
    pub fn parse(value: &Value, path: &str) -> Result<ReportedEvent, String> {
        let metric_id = match value.get("metricId") {
            None | Some(Value::Null) => return Err(format!("{path}metricId is required")),
            Some(v) => v
                .as_str()
                .ok_or_else(|| format!("{path}metricId must be a string"))?
                .to_string(),
        };
        let (event, raw) = match value.get("event") {
            None | Some(Value::Null) => return Err(format!("{path}event is required")),
            Some(v) => (PlaybackEvent::parse(v, &format!("{path}event"))?, v.clone()),
        };
        Ok(ReportedEvent {
            metric_id,
            event,
            raw,
        })
    }
}

/// `options.takeOverType`, absent or one of AUTO / FORCE.
pub fn parse_take_over(body: &Value) -> Result<Option<TakeOver>, String> {
    match body.get("options") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => match o.get("takeOverType") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s == "AUTO" => Ok(Some(TakeOver::Auto)),
            Some(Value::String(s)) if s == "FORCE" => Ok(Some(TakeOver::Force)),
            Some(_) => Err("options.takeOverType must be 'AUTO' or 'FORCE'".into()),
        },
        Some(_) => Err("options must be an object".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn start() -> Value {
        json!({"type":"start","clientTimestampInMilliseconds":1716493161481u64,"initialPlaybackDelayMilliseconds":571,
               "deviceTimezone":"+02:00","playbackCurrentSpeed":1.0,"playbackStartAbsoluteOffsetMilliseconds":0})
    }

    #[test]
    fn parses_the_spec_examples() {
        let e = PlaybackEvent::parse(&start(), "event").unwrap();
        assert_eq!(e.kind, EventKind::Start { offset_ms: 0 });
        let stop = json!({"type":"stop","clientTimestampInMilliseconds":1716493236481u64,"initialPlaybackDelayMilliseconds":0,
            "deviceTimezone":"+02:00","playbackCurrentSpeed":1.0,"durationSeconds":75,"entityProgressSeconds":75,
            "rebufferCount":0,"terminationReason":"userStop"});
        let e = PlaybackEvent::parse(&stop, "event").unwrap();
        assert_eq!(e.termination(), Some(Termination::UserStop));
        assert!(e.check_offsets(74, "event").is_err());
        assert!(e.check_offsets(75, "event").is_ok());
    }

    #[test]
    fn names_the_bad_field() {
        let cases: Vec<(Value, &str)> = vec![
            (json!({"type":"pause"}), "event.type"),
            (
                {
                    let mut v = start();
                    v.as_object_mut().unwrap().remove("deviceTimezone");
                    v
                },
                "event.deviceTimezone",
            ),
            (
                {
                    let mut v = start();
                    v["playbackCurrentSpeed"] = json!("fast");
                    v
                },
                "event.playbackCurrentSpeed",
            ),
            (
                {
                    let mut v = start();
                    v["playbackStartAbsoluteOffsetMilliseconds"] = json!(-1);
                    v
                },
                "event.playbackStartAbsoluteOffsetMilliseconds",
            ),
            (
                json!({"type":"stop","clientTimestampInMilliseconds":1,"initialPlaybackDelayMilliseconds":0,"deviceTimezone":"+02:00",
                   "playbackCurrentSpeed":1.0,"durationSeconds":1,"entityProgressSeconds":1,"rebufferCount":0,"terminationReason":"bored"}),
                "event.terminationReason",
            ),
        ];
        for (v, field) in cases {
            let err = PlaybackEvent::parse(&v, "event").unwrap_err();
            assert!(err.starts_with(field), "{err} should name {field}");
        }
    }

    #[test]
    fn take_over_values() {
        assert_eq!(parse_take_over(&json!({})), Ok(None));
        assert_eq!(
            parse_take_over(&json!({"options":{"takeOverType":"AUTO"}})),
            Ok(Some(TakeOver::Auto))
        );
        assert!(parse_take_over(&json!({"options":{"takeOverType":"SOMETIMES"}})).is_err());
    }
}
