//! Playback V1.0 request bodies, with the spec's field names and nesting, and what each becomes
//! in the domain. Shapes and bounds are checked as the body is read (`body::Body`); the rules
//! that tie fields together are checked here, naming the field the same way.

use medley_core::event::{
    valid_timezone, EventKind, PlaybackEvent, ReportedEvent, TakeOver, Termination, MAX_SPEED,
};
use medley_core::queue::LoopMode;
use medley_service::playback::{CreateRequest, EventBatch};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::fields::{Between, Count, List, MrnField, TrackMrn};
use crate::ApiError;

/// Most events one batch may carry.
pub const MAX_BATCH_EVENTS: usize = 100;
/// Most tracks `playParams.containerIds` may list.
pub const MAX_CONTAINER_IDS: usize = 5000;

type ContainerIds = List<MrnField, 0, { MAX_CONTAINER_IDS }>;
type Batch = List<Reported, 1, { MAX_BATCH_EVENTS }>;
type KeyIds = List<String, 1, 16>;

/// Create New Session.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateSession {
    play_params: PlayParams,
    playback_options: Option<PlaybackOptions>,
    /// How many entities the answer lists: the current one and those after it.
    #[schema(inline, default = 11)]
    limit: Option<Between<1, 11>>,
}

/// What to play: an item, a list of tracks, or a track within a list.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlayParams {
    id: Option<MrnField>,
    #[schema(inline)]
    container_ids: Option<ContainerIds>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackOptions {
    shuffle_mode: Option<ShuffleMode>,
    /// `LOOP_ON` loops the whole context.
    loop_mode: Option<SessionLoopMode>,
    playback_continuation_mode: Option<ContinuationMode>,
    start_as_station: Option<bool>,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShuffleMode {
    ShuffleOn,
    ShuffleOff,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionLoopMode {
    LoopOn,
    LoopOff,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContinuationMode {
    AutoplayOn,
    AutoplayOff,
}

impl CreateSession {
    pub fn into_domain(self) -> Result<CreateRequest, ApiError> {
        let id = self.play_params.id.map(|m| m.0);
        let container_ids: Vec<_> = self
            .play_params
            .container_ids
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|m| m.0)
            .collect();
        if id.is_none() && container_ids.is_empty() {
            return Err(ApiError::bad_request(
                "playParams.id or playParams.containerIds is required",
            ));
        }
        let opts = self.playback_options;
        let opts = opts.as_ref();
        Ok(CreateRequest {
            id,
            container_ids,
            shuffle: opts
                .and_then(|o| o.shuffle_mode)
                .map(|m| matches!(m, ShuffleMode::ShuffleOn)),
            loop_on: opts
                .and_then(|o| o.loop_mode)
                .map(|m| matches!(m, SessionLoopMode::LoopOn)),
            autoplay: opts
                .and_then(|o| o.playback_continuation_mode)
                .map(|m| matches!(m, ContinuationMode::AutoplayOn)),
            start_as_station: opts.and_then(|o| o.start_as_station).unwrap_or(false),
            limit: self.limit.map_or(11, |l| l.0 as usize),
        })
    }
}

/// Queue Next Track, Queue Last Track.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enqueue {
    pub play_params: EnqueueParams,
}

#[derive(Deserialize, ToSchema)]
pub struct EnqueueParams {
    #[schema(inline)]
    pub id: TrackMrn,
}

/// A Clear Key licence request, as a browser's CDM writes it (W3C Encrypted Media Extensions,
/// "License Request Format"): `kids` are the key ids asked for, base64url without padding.
#[derive(Deserialize, ToSchema)]
pub struct LicenceRequest {
    #[schema(inline)]
    pub kids: KeyIds,
    /// `temporary`: Medley's licences are never persistent.
    #[serde(rename = "type")]
    #[schema(pattern = "^temporary$")]
    pub kind: Option<String>,
}

/// Set Playback Mode to Loop.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetLoop {
    pub loop_mode: LoopModeField,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = LoopMode)]
#[allow(clippy::enum_variant_names)] // the spec's values
pub enum LoopModeField {
    LoopOne,
    LoopAll,
    LoopOff,
}

impl From<LoopModeField> for LoopMode {
    fn from(m: LoopModeField) -> Self {
        match m {
            LoopModeField::LoopOne => LoopMode::LoopOne,
            LoopModeField::LoopAll => LoopMode::LoopAll,
            LoopModeField::LoopOff => LoopMode::LoopOff,
        }
    }
}

/// Set Playback Mode to Shuffle.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetShuffle {
    pub shuffle_mode: ShuffleMode,
}

impl SetShuffle {
    pub fn on(&self) -> bool {
        matches!(self.shuffle_mode, ShuffleMode::ShuffleOn)
    }
}

/// Report Single Event.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportEvent {
    /// The `metricId` of the entity the event is about, as the session gave it.
    metric_id: String,
    event: Event,
    options: Option<EventOptions>,
}

/// Report Multiple Events.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportEvents {
    #[schema(inline)]
    events: Batch,
    options: Option<EventOptions>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reported {
    metric_id: String,
    event: Event,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventOptions {
    /// `AUTO` takes the stream over from a device whose track has ended; `FORCE` from any.
    take_over_type: Option<TakeOverType>,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TakeOverType {
    Auto,
    Force,
}

/// A playback event. `start` needs `playbackStartAbsoluteOffsetMilliseconds`; `stop` needs
/// `durationSeconds`, `entityProgressSeconds`, `rebufferCount` and `terminationReason`.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(rename = "type")]
    kind: EventType,
    #[schema(inline)]
    client_timestamp_in_milliseconds: Count,
    #[schema(inline)]
    initial_playback_delay_milliseconds: Count,
    device_timezone: Timezone,
    playback_current_speed: Speed,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    playback_start_absolute_offset_milliseconds: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    duration_seconds: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    entity_progress_seconds: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    rebuffer_count: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    termination_reason: Option<TerminationReason>,
}

#[derive(Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    Start,
    Stop,
}

#[derive(Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum TerminationReason {
    UserStop,
    UserNext,
    UserPrev,
    TrackFinished,
    TrackScrub,
    SystemStop,
}

/// The device's UTC offset, `+02:00` or `-08:00`.
#[derive(Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[+-](0[0-9]|1[0-4]):[0-5][0-9]$", example = "+02:00")]
pub struct Timezone(String);

impl<'de> Deserialize<'de> for Timezone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if valid_timezone(&s) {
            Ok(Timezone(s))
        } else {
            Err(de::Error::custom("must be an offset like +02:00 or -08:00"))
        }
    }
}

/// Playback speed: above 0, at most 16 (1.0 is normal speed).
#[derive(Serialize, ToSchema)]
#[schema(value_type = f64, exclusive_minimum = 0, maximum = 16, example = 1.0)]
pub struct Speed(f64);

impl<'de> Deserialize<'de> for Speed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = f64::deserialize(d)?;
        if s > 0.0 && s <= MAX_SPEED {
            Ok(Speed(s))
        } else {
            Err(de::Error::custom("must be a number above 0 and at most 16"))
        }
    }
}

impl Event {
    /// The domain's event; `path` names this event in messages (`event`, `events[3].event`).
    fn into_domain(self, path: &str) -> Result<(PlaybackEvent, String), ApiError> {
        let raw = serde_json::to_string(&self).unwrap_or_default();
        let required = |v: Option<Count>, field: &str| {
            v.map(|c| c.0)
                .ok_or_else(|| ApiError::bad_request(format!("{path}.{field} is required")))
        };
        let kind = match self.kind {
            EventType::Start => EventKind::Start {
                offset_ms: required(
                    self.playback_start_absolute_offset_milliseconds,
                    "playbackStartAbsoluteOffsetMilliseconds",
                )?,
            },
            EventType::Stop => EventKind::Stop {
                duration_s: required(self.duration_seconds, "durationSeconds")?,
                progress_s: required(self.entity_progress_seconds, "entityProgressSeconds")?,
                rebuffer_count: required(self.rebuffer_count, "rebufferCount")?,
                reason: match self.termination_reason {
                    Some(r) => r.into(),
                    None => {
                        return Err(ApiError::bad_request(format!(
                            "{path}.terminationReason is required"
                        )))
                    }
                },
            },
        };
        let event = PlaybackEvent {
            kind,
            client_ts_ms: self.client_timestamp_in_milliseconds.0,
            initial_delay_ms: self.initial_playback_delay_milliseconds.0,
            timezone: self.device_timezone.0,
            speed: self.playback_current_speed.0,
        };
        Ok((event, raw))
    }
}

impl From<Termination> for TerminationReason {
    fn from(t: Termination) -> Self {
        match t {
            Termination::UserStop => TerminationReason::UserStop,
            Termination::UserNext => TerminationReason::UserNext,
            Termination::UserPrev => TerminationReason::UserPrev,
            Termination::TrackFinished => TerminationReason::TrackFinished,
            Termination::TrackScrub => TerminationReason::TrackScrub,
            Termination::SystemStop => TerminationReason::SystemStop,
        }
    }
}

impl From<TerminationReason> for Termination {
    fn from(r: TerminationReason) -> Self {
        match r {
            TerminationReason::UserStop => Termination::UserStop,
            TerminationReason::UserNext => Termination::UserNext,
            TerminationReason::UserPrev => Termination::UserPrev,
            TerminationReason::TrackFinished => Termination::TrackFinished,
            TerminationReason::TrackScrub => Termination::TrackScrub,
            TerminationReason::SystemStop => Termination::SystemStop,
        }
    }
}

fn reported(metric_id: String, event: Event, path: &str) -> Result<ReportedEvent, ApiError> {
    let (event, raw) = event.into_domain(path)?;
    Ok(ReportedEvent {
        metric_id,
        event,
        raw,
    })
}

fn take_over(options: Option<EventOptions>) -> Option<TakeOver> {
    options.and_then(|o| o.take_over_type).map(|t| match t {
        TakeOverType::Auto => TakeOver::Auto,
        TakeOverType::Force => TakeOver::Force,
    })
}

impl ReportEvent {
    pub fn into_domain(self) -> Result<EventBatch, ApiError> {
        Ok(EventBatch {
            events: vec![reported(self.metric_id, self.event, "event")?],
            take_over: take_over(self.options),
            batch: false,
        })
    }
}

impl ReportEvents {
    pub fn into_domain(self) -> Result<EventBatch, ApiError> {
        let events = self
            .events
            .0
            .into_iter()
            .enumerate()
            .map(|(i, r)| reported(r.metric_id, r.event, &format!("events[{i}].event")))
            .collect::<Result<_, _>>()?;
        Ok(EventBatch {
            events,
            take_over: take_over(self.options),
            batch: true,
        })
    }
}

/// How many events a batch body lists, for counting a refused one: the list's length where the
/// body has one.
pub fn listed_events(body: &[u8]) -> usize {
    #[derive(Deserialize)]
    struct Listed {
        events: Vec<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Listed>(body).map_or(1, |l| l.events.len().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::parse;

    const START: &str = r#"{"type":"start","clientTimestampInMilliseconds":1716493161481,
        "initialPlaybackDelayMilliseconds":571,"deviceTimezone":"+02:00",
        "playbackCurrentSpeed":1.0,"playbackStartAbsoluteOffsetMilliseconds":0}"#;

    fn report(event: &str) -> Result<EventBatch, String> {
        let body = format!(r#"{{"metricId": "m", "event": {event}}}"#);
        parse::<ReportEvent>(body.as_bytes())
            .and_then(ReportEvent::into_domain)
            .map_err(|e| e.message)
    }

    #[test]
    fn reads_the_spec_examples() {
        let b = report(START).unwrap();
        assert_eq!(b.events[0].event.kind, EventKind::Start { offset_ms: 0 });
        let stop = r#"{"type":"stop","clientTimestampInMilliseconds":1716493236481,
            "initialPlaybackDelayMilliseconds":0,"deviceTimezone":"+02:00",
            "playbackCurrentSpeed":1.0,"durationSeconds":75,"entityProgressSeconds":75,
            "rebufferCount":0,"terminationReason":"userStop"}"#;
        let b = report(stop).unwrap();
        assert_eq!(b.events[0].event.termination(), Some(Termination::UserStop));
        // What is stored is the event as read, in the spec's names.
        assert!(b.events[0]
            .raw
            .contains(r#""terminationReason":"userStop""#));
    }

    #[test]
    fn a_refusal_names_the_field() {
        let with = |field: &str, value: &str| {
            let mut v: serde_json::Value = serde_json::from_str(START).unwrap();
            match value {
                "" => {
                    v.as_object_mut().unwrap().remove(field);
                }
                _ => v[field] = serde_json::from_str(value).unwrap(),
            }
            report(&v.to_string()).unwrap_err()
        };
        for (field, value, starts) in [
            ("type", r#""pause""#, "event.type: unknown variant `pause`"),
            ("deviceTimezone", "", "event.deviceTimezone is required"),
            (
                "deviceTimezone",
                r#""CET""#,
                "event.deviceTimezone: must be an offset",
            ),
            (
                "playbackCurrentSpeed",
                r#""fast""#,
                "event.playbackCurrentSpeed: invalid type",
            ),
            (
                "playbackCurrentSpeed",
                "0",
                "event.playbackCurrentSpeed: must be a number above 0",
            ),
            (
                "playbackStartAbsoluteOffsetMilliseconds",
                "-1",
                "event.playbackStartAbsoluteOffsetMilliseconds: -1 is out of range",
            ),
            (
                "playbackStartAbsoluteOffsetMilliseconds",
                "",
                "event.playbackStartAbsoluteOffsetMilliseconds is required",
            ),
        ] {
            let message = with(field, value);
            assert!(message.starts_with(starts), "{field}={value}: {message}");
        }
        let stop = START.replace(r#""start""#, r#""stop""#);
        assert_eq!(
            report(&stop).unwrap_err(),
            "event.durationSeconds is required"
        );
    }

    #[test]
    fn a_batch_names_the_event() {
        let bad = START.replace("+02:00", "nowhere");
        let body = format!(
            r#"{{"events": [{{"metricId": "m", "event": {START}}}, {{"metricId": "m", "event": {bad}}}]}}"#
        );
        let message = parse::<ReportEvents>(body.as_bytes())
            .err()
            .unwrap()
            .message;
        assert!(
            message.starts_with("events[1].event.deviceTimezone"),
            "{message}"
        );
        assert_eq!(listed_events(body.as_bytes()), 2);
        let empty = parse::<ReportEvents>(br#"{"events": []}"#)
            .err()
            .unwrap()
            .message;
        assert_eq!(empty, "events: holds 0 items: expected 1 to 100");
    }

    #[test]
    fn take_over_values() {
        let body = |t: &str| {
            format!(r#"{{"metricId": "m", "event": {START}, "options": {{"takeOverType": {t}}}}}"#)
        };
        let read = |t: &str| {
            parse::<ReportEvent>(body(t).as_bytes())
                .and_then(ReportEvent::into_domain)
                .map(|b| b.take_over)
                .map_err(|e| e.message)
        };
        assert_eq!(read(r#""AUTO""#), Ok(Some(TakeOver::Auto)));
        assert_eq!(read("null"), Ok(None));
        assert!(read(r#""SOMETIMES""#)
            .unwrap_err()
            .starts_with("options.takeOverType"));
    }
}
