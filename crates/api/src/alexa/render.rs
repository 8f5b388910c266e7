//! The events of the Music Skill API that Medley answers with, as Amazon's examples show them:
//! the envelope, items, content, controls and errors.

use medley_core::catalog::{Image, TrackView};
use medley_core::time::iso8601_ms;
use medley_service::playback::voice::{
    ContentGroup, FoundContent, QueueControls, Toggle, VoiceItem,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::urls::Urls;

/// An Alexa event: a header and the payload its name calls for.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaEvent)]
pub struct Event {
    header: EventHeader,
    payload: Payload,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaEventHeader)]
#[serde(rename_all = "camelCase")]
struct EventHeader {
    namespace: String,
    name: String,
    message_id: String,
    payload_version: &'static str,
}

impl Event {
    pub fn new(namespace: &str, name: &str, version: &'static str, payload: Payload) -> Event {
        Event {
            header: EventHeader {
                namespace: namespace.to_string(),
                name: name.to_string(),
                message_id: Uuid::new_v4().to_string(),
                payload_version: version,
            },
            payload,
        }
    }

    /// Alexa.ErrorResponse (general) with one of its types.
    pub fn general_error(kind: &'static str, message: impl Into<String>) -> Event {
        Event::error("Alexa", "3.0", kind, message, None)
    }

    /// Alexa.Media.ErrorResponse with one of its types.
    pub fn media_error(kind: &'static str, message: impl Into<String>) -> Event {
        Event::error("Alexa.Media", "1.0", kind, message, None)
    }

    /// An ErrorResponse on `namespace`; `retry_period` says when a limit resets.
    pub fn error(
        namespace: &str,
        version: &'static str,
        kind: &'static str,
        message: impl Into<String>,
        retry_period: Option<&'static str>,
    ) -> Event {
        Event::new(
            namespace,
            "ErrorResponse",
            version,
            Payload::Error(ErrorPayload {
                kind,
                message: message.into(),
                retry_period,
            }),
        )
    }

    /// Alexa.Response with nothing to say but that the directive was done.
    pub fn ack() -> Event {
        Event::new("Alexa", "Response", "3.0", Payload::Done(DonePayload {}))
    }
}

/// Every payload Medley answers with: which one, the event's name says.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaPayload)]
#[serde(untagged)]
pub enum Payload {
    Error(ErrorPayload),
    Content(ContentPayload),
    Groups(GroupsPayload),
    Initiated(InitiatedPayload),
    View(ViewPayload),
    Moved(MovedPayload),
    Feedback(FeedbackPayload),
    Done(DonePayload),
}

/// An ErrorResponse's payload.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaErrorPayload)]
#[serde(rename_all = "camelCase")]
pub struct ErrorPayload {
    #[serde(rename = "type")]
    kind: &'static str,
    message: String,
    /// SKIP_LIMIT_REACHED only: when the limit resets (`HOURLY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_period: Option<&'static str>,
}

/// GetPlayableContent.Response: what Initiate would play.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaContentPayload)]
pub struct ContentPayload {
    pub content: Content,
}

/// GetDisplayableContent.Response: the shelves of a screen.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaGroupsPayload)]
#[serde(rename_all = "camelCase")]
pub struct GroupsPayload {
    pub content_groups: Vec<Group>,
}

/// Initiate.Response: the queue Alexa plays from now on.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaInitiatedPayload)]
#[serde(rename_all = "camelCase")]
pub struct InitiatedPayload {
    pub playback_method: PlaybackMethod,
}

/// GetView.Response: the queue's controls and the items around the current one.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaViewPayload)]
#[serde(rename_all = "camelCase")]
pub struct ViewPayload {
    pub queue_controls: Vec<Control>,
    pub items: Vec<Item>,
}

/// GetItem, GetNextItem, GetPreviousItem and JumpToItem's Response: the item to play, if any.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaMovedPayload)]
#[serde(rename_all = "camelCase")]
pub struct MovedPayload {
    /// GetNextItem only: whether nothing follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_queue_finished: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// ReceiveFeedback.Response: `skip` when a thumbs-down was on the item playing.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaFeedbackPayload)]
pub struct FeedbackPayload {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skip: bool,
}

/// Alexa.Response: nothing to say but that the directive was done.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaDonePayload)]
pub struct DonePayload {}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaSpeech)]
struct Speech {
    speech: SpeechText,
    display: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaSpeechText)]
struct SpeechText {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

fn speech(text: &str) -> Speech {
    Speech {
        speech: SpeechText {
            kind: "PLAIN_TEXT",
            text: text.to_string(),
        },
        display: text.to_string(),
    }
}

const ART_SIZES: [(&str, u32); 5] = [
    ("X_SMALL", 48),
    ("SMALL", 60),
    ("MEDIUM", 110),
    ("LARGE", 256),
    ("X_LARGE", 600),
];

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaArt)]
struct Art {
    sources: Vec<ArtSource>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaArtSource)]
#[serde(rename_all = "camelCase")]
struct ArtSource {
    url: String,
    size: &'static str,
    width_pixels: u32,
    height_pixels: u32,
}

/// The sources of an item's art: its first image, else Medley's own, since Alexa shows art
/// for every item.
fn art(urls: &Urls, images: &[Image]) -> Art {
    let url = match images.first() {
        Some(img) => urls.image(&img.url),
        None => urls.own_art(),
    };
    let sources = ART_SIZES
        .iter()
        .map(|&(size, px)| ArtSource {
            url: url.clone(),
            size,
            width_pixels: px,
            height_pixels: px,
        })
        .collect();
    Art { sources }
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaNamed)]
struct Named {
    name: Speech,
}

fn authors(t: &TrackView) -> Vec<Named> {
    t.artists
        .iter()
        .map(|a| Named {
            name: speech(&a.name),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaMetadata)]
struct Metadata {
    #[serde(rename = "type")]
    kind: &'static str,
    name: Speech,
    art: Art,
    #[serde(skip_serializing_if = "Option::is_none")]
    authors: Option<Vec<Named>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    album: Option<Named>,
}

/// A control of an item or a queue: a command, an adjustment, a toggle or REPEAT's cycle.
#[derive(Serialize, ToSchema)]
#[schema(as = AlexaControl)]
pub struct Control {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    selected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Status>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaStatus)]
struct Status {
    status: &'static str,
}

fn control(kind: &'static str, name: &'static str, enabled: bool) -> Control {
    Control {
        kind,
        name,
        enabled,
        selected: None,
        value: None,
    }
}

fn toggle(name: &'static str, t: &Toggle) -> Control {
    Control {
        selected: Some(t.selected),
        ..control("TOGGLE", name, t.enabled)
    }
}

/// SHUFFLE and LOOP toggles, and REPEAT as the CYCLE control Amazon's examples show.
pub fn controls(c: &QueueControls) -> Vec<Control> {
    let status = if c.repeat.selected { "ON" } else { "OFF" };
    vec![
        toggle("SHUFFLE", &c.shuffle),
        toggle("LOOP", &c.loop_),
        Control {
            value: Some(Status { status }),
            ..control("CYCLE", "REPEAT", c.repeat.enabled)
        },
    ]
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaItem)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    id: Uuid,
    playback_info: Kind,
    metadata: Metadata,
    duration_in_milliseconds: u64,
    controls: Vec<Control>,
    rules: ItemRules,
    stream: Stream,
    #[serde(skip_serializing_if = "Option::is_none")]
    feedback: Option<Preference>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaKind)]
struct Kind {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaItemRules)]
#[serde(rename_all = "camelCase")]
struct ItemRules {
    feedback_enabled: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaStream)]
#[serde(rename_all = "camelCase")]
struct Stream {
    id: String,
    uri: String,
    offset_in_milliseconds: u64,
    valid_until: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaPreference)]
struct Preference {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'static str,
}

pub fn item(urls: &Urls, item: &VoiceItem) -> Item {
    let t = &item.track;
    Item {
        id: item.id,
        playback_info: Kind { kind: "DEFAULT" },
        metadata: Metadata {
            kind: "TRACK",
            name: speech(&t.title),
            art: art(urls, &t.images),
            authors: Some(authors(t)),
            album: t.album.as_ref().map(|a| Named {
                name: speech(&a.title),
            }),
        },
        duration_in_milliseconds: t.duration as u64 * 1000,
        controls: vec![
            control("COMMAND", "NEXT", item.next_enabled),
            control("COMMAND", "PREVIOUS", item.previous_enabled),
            // An undeclared control is a disabled one in the Alexa app.
            control("ADJUST", "SEEK_POSITION", true),
        ],
        rules: ItemRules {
            feedback_enabled: true,
        },
        stream: Stream {
            id: format!("{}:{}", item.id, t.id),
            uri: urls.media(&item.stream),
            offset_in_milliseconds: 0,
            valid_until: iso8601_ms(item.stream.expires_ms()),
        },
        feedback: item.feedback.map(|f| Preference {
            kind: "PREFERENCE",
            value: f.as_str(),
        }),
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaContent)]
pub struct Content {
    id: String,
    actions: Actions,
    metadata: Metadata,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaActions)]
struct Actions {
    playable: bool,
    browsable: bool,
}

pub fn content(urls: &Urls, found: &FoundContent) -> Content {
    let sample = found.sample.as_deref();
    Content {
        id: found.id(),
        actions: Actions {
            playable: true,
            browsable: false,
        },
        metadata: Metadata {
            kind: found.kind,
            name: speech(&found.name),
            art: art(urls, sample.map_or(&[][..], |t| &t.images)),
            // Amazon's MediaMetadata has authors for a track, and requires them for an album.
            authors: sample
                .filter(|_| matches!(found.kind, "TRACK" | "ALBUM"))
                .map(authors),
            album: None,
        },
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaGroup)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    metadata: GroupName,
    content_list: Vec<Content>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaGroupName)]
struct GroupName {
    name: Speech,
}

/// GetDisplayableContent's shelves: each a name and the content it holds.
pub fn groups(urls: &Urls, groups: &[ContentGroup]) -> Vec<Group> {
    groups
        .iter()
        .map(|g| Group {
            metadata: GroupName {
                name: speech(g.name),
            },
            content_list: g.items.iter().map(|f| content(urls, f)).collect(),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaPlaybackMethod)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackMethod {
    #[serde(rename = "type")]
    kind: &'static str,
    id: Uuid,
    controls: Vec<Control>,
    rules: QueueRules,
    queue_ids_to_deactivate: Vec<Uuid>,
    first_item: Item,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaQueueRules)]
struct QueueRules {
    feedback: FeedbackRule,
}

#[derive(Serialize, ToSchema)]
#[schema(as = AlexaFeedbackRule)]
struct FeedbackRule {
    #[serde(rename = "type")]
    kind: &'static str,
    enabled: bool,
}

/// Initiate's answer: the queue Alexa plays from now on, and the queues it replaces.
pub fn playback_method(
    urls: &Urls,
    started: &medley_service::playback::voice::Initiated,
) -> PlaybackMethod {
    PlaybackMethod {
        kind: "ALEXA_AUDIO_PLAYER_QUEUE",
        id: started.queue_id,
        controls: controls(&started.controls),
        rules: QueueRules {
            feedback: FeedbackRule {
                kind: "PREFERENCE",
                enabled: true,
            },
        },
        queue_ids_to_deactivate: started.deactivate.clone(),
        first_item: item(urls, &started.first),
    }
}
