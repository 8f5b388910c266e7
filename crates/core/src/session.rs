//! A playback session as the domain knows it: what it plays from (its context), its queue and
//! what it remembers, the streams a user's devices hold, and the rows a played event leaves.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::event::Termination;
use crate::ids::UserId;
use crate::mrn::ItemKind;
use crate::policy::Tier;
use crate::queue::Queue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextKind {
    Album,
    Playlist,
    Artist,
    /// A stored list of tracks: those listed in `containerIds` (`id` = the session id), or a
    /// user playlist's entries as they were at one version (`id` = `PlaylistRecord::snapshot`).
    TrackList,
    /// A single track (`id` = track id).
    Track,
}

impl ContextKind {
    /// The container an item of `kind` plays as (albums, playlists, artists); none for a
    /// track or a station.
    pub fn of_container(kind: crate::mrn::ItemKind) -> Option<ContextKind> {
        use crate::mrn::ItemKind;
        match kind {
            ItemKind::Album => Some(ContextKind::Album),
            ItemKind::Playlist => Some(ContextKind::Playlist),
            ItemKind::Artist => Some(ContextKind::Artist),
            ItemKind::Track | ItemKind::Station => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextRef {
    pub kind: ContextKind,
    pub id: String,
}

/// What a session remembers besides its queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionBody {
    pub context: ContextRef,
    /// The item the user asked for (`selectionSourceId` / `selectionSourceType`).
    pub source_id: String,
    pub source_type: ItemKind,
    pub tier: Tier,
    pub station: bool,
    /// Prime/Free: id of the augmented shuffle that filled the queue.
    pub fulfillment_id: Uuid,
    /// The track the user picked, if any (`isCustomerSelectedEntity`).
    pub requested_track: Option<String>,
    /// Another device took the stream over; the next start needs a take-over option.
    pub taken_over: bool,
    /// An Alexa queue that a newer one replaced (Alexa was told to deactivate it): Alexa's
    /// directives no longer find it, while the Web API still can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<Uuid>,
    /// Progress reported by the last stop event, for restore.
    pub progress_ms: Option<i64>,
    /// Digests of the latest events applied, to recognise a retried one.
    #[serde(default)]
    pub recent_events: Vec<u64>,
    pub queue: Queue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub id: Uuid,
    pub user_id: UserId,
    pub device_id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// Optimistic-concurrency version, bumped by every save.
    pub version: i64,
    pub body: SessionBody,
}

impl Session {
    /// What the listening history credits a play of `track` to: the session's album,
    /// playlist, artist or station, or the track itself.
    pub fn history_source(&self, track: &str) -> (ItemKind, String) {
        match self.body.source_type {
            ItemKind::Track => (ItemKind::Track, track.to_string()),
            kind => (kind, self.body.source_id.clone()),
        }
    }
}

/// One device's stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    pub device_id: String,
    pub session_id: Uuid,
    pub started_ms: i64,
    /// The stream ends by itself then, unless a stop comes first.
    pub ends_ms: i64,
    /// When this stream was established by an AUTO take-over.
    pub auto_takeover_ms: Option<i64>,
    /// The user's take-over epoch when this stream began.
    pub epoch: u64,
}

/// A user's streams, fenced by a take-over epoch and versioned for compare-and-set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStreams {
    #[serde(skip)]
    pub version: i64,
    pub epoch: u64,
    pub streams: Vec<Stream>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub session_id: Uuid,
    pub entity_ref: Uuid,
    pub track_id: String,
    pub kind: String,
    pub user_skip: bool,
    pub device_id: String,
    pub received_ms: i64,
    /// Start events only: what the listening history credits the play to, as
    /// `(type, id)`: the session's album, playlist, artist or station, or the track itself.
    pub source: Option<(ItemKind, String)>,
    /// The event object as reported, JSON.
    pub body: String,
}

/// What happened to a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// It was created, by a device or by voice.
    Started { device_id: String },
    /// Its queue or its modes changed: queue next or last, shuffle, loop, a move by voice.
    QueueChanged,
    /// A device started playing one of its entities.
    Playing {
        device_id: String,
        entity_reference_id: Uuid,
        track_id: String,
        offset_ms: i64,
    },
    /// A device stopped playing one of its entities.
    Stopped {
        device_id: String,
        entity_reference_id: Uuid,
        reason: Termination,
        progress_ms: i64,
    },
    /// Another device's session took its stream.
    StreamTaken { by_session: Uuid, by_device: String },
    /// Its last entry finished and nothing follows.
    Ended,
}

impl Change {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Change::Started { .. } => "session.started",
            Change::QueueChanged => "queue.changed",
            Change::Playing { .. } => "playback.started",
            Change::Stopped { .. } => "playback.stopped",
            Change::StreamTaken { .. } => "stream.taken",
            Change::Ended => "session.ended",
        }
    }
}
