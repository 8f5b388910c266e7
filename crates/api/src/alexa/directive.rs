//! A directive as Alexa sends it, read by derive: the envelope every directive has, then the
//! payload its directive calls for. The shapes in circulation are types of their own (an item
//! reference wrapped or bare, a switch as a boolean, a word or an object), and an id is taken
//! whatever it is, so that one Medley never gave out is ITEM_NOT_FOUND rather than a malformed
//! directive (docs/decisions.md, "The Alexa directive").

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

/// What every directive has: a header, and a payload read once the header says what it is.
#[derive(Deserialize)]
pub struct Envelope<'a> {
    #[serde(default)]
    pub header: Header,
    #[serde(borrow)]
    pub payload: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Header {
    pub namespace: Option<Text>,
    pub name: Option<Text>,
    pub message_id: Option<Text>,
    pub payload_version: Option<Text>,
}

/// A JSON value kept only when it is a string: where Medley reads an id, a token or a word,
/// anything else is as good as nothing.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Text {
    Is(String),
    #[allow(dead_code)]
    Not(IgnoredAny),
}

impl Default for Text {
    fn default() -> Text {
        Text::Not(IgnoredAny)
    }
}

impl Text {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Text::Is(s) => Some(s),
            Text::Not(_) => None,
        }
    }
}

/// Who the directive acts for: `requestContext.user.accessToken`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Asker {
    pub request_context: RequestContext,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestContext {
    pub user: User,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    pub access_token: Text,
}

/// An item of a queue: wrapped (`{namespace, name, value: {queueId, id}}`) as the
/// Alexa.Media.PlayQueue directives send it, or bare as the Alexa.Audio.PlayQueue ones do.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemReference {
    pub value: Option<ItemIds>,
    #[serde(default)]
    pub queue_id: Text,
    #[serde(default)]
    pub id: Text,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemIds {
    pub queue_id: Text,
    pub id: Text,
}

impl ItemReference {
    /// The `(queueId, id)` it holds, wrapped or bare.
    pub fn ids(&self) -> (&Text, &Text) {
        match &self.value {
            Some(v) => (&v.queue_id, &v.id),
            None => (&self.queue_id, &self.id),
        }
    }
}

/// A mode's on or off in any shape in circulation: a boolean, a word, or an object holding one
/// (SetRepeat's `mode: {status}`, Initiate's `repeat: {status: "ON"}`).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Switch {
    Bool(bool),
    Word(String),
    Object(SwitchObject),
    #[allow(dead_code)]
    Other(IgnoredAny),
}

#[derive(Deserialize)]
pub struct SwitchObject {
    pub status: Option<Leaf>,
    pub value: Option<Leaf>,
    pub enabled: Option<Leaf>,
    pub mode: Option<Leaf>,
}

/// What a switch's object holds.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Leaf {
    Bool(bool),
    Word(String),
    #[allow(dead_code)]
    Other(IgnoredAny),
}

/// One attribute of a search's or a screen's selection criteria.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub entity_id: Option<String>,
    /// What Alexa heard, where it could not match it to an entry of the catalog.
    pub value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Filters {
    pub explicit_language_allowed: Option<bool>,
}

/// Alexa.Media.Search GetPlayableContent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPlayableContent {
    pub selection_criteria: Option<SelectionCriteria>,
    #[serde(default)]
    pub filters: Filters,
}

#[derive(Deserialize)]
pub struct SelectionCriteria {
    pub attributes: Option<Vec<Attribute>>,
}

/// Alexa.Media.Search GetDisplayableContent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetDisplayableContent {
    pub max_result_limit: Option<u64>,
    pub alexa_resolved_selection_criteria: Option<Vec<SelectionCriteria>>,
    #[serde(default)]
    pub filters: Filters,
}

/// Alexa.Media.Playback Initiate.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiate {
    pub content_id: String,
    #[serde(default)]
    pub playback_modes: PlaybackModes,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlaybackModes {
    pub shuffle: Option<Switch>,
    #[serde(rename = "loop")]
    pub loop_: Option<Switch>,
    pub repeat: Option<Switch>,
}

/// GetItem: the item Alexa is about to play.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Targeted {
    pub target_item_reference: ItemReference,
}

/// GetView and GetPreviousItem: the queue and the item playing.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Current {
    pub current_item_reference: ItemReference,
}

/// SetLoop and SetShuffle.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enable {
    pub current_item_reference: ItemReference,
    pub enable: bool,
}

/// SetRepeat.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetRepeat {
    pub current_item_reference: ItemReference,
    pub mode: Switch,
}

/// GetNextItem.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetNextItem {
    pub current_item_reference: ItemReference,
    #[serde(default)]
    pub is_user_initiated: bool,
}

/// JumpToItem: `targetItemReference`, or `targetItemId` beside the `currentItemReference` that
/// names the queue (both are in circulation).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JumpToItem {
    pub target_item_reference: Option<ItemReference>,
    pub target_item_id: Option<Text>,
    pub current_item_reference: Option<ItemReference>,
}

/// ReceiveFeedback: about `currentItemReference`, or the first of `activeContext.content`,
/// which some captures show instead.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiveFeedback {
    pub current_item_reference: Option<ItemReference>,
    pub active_context: Option<ActiveContext>,
    #[serde(default)]
    pub feedback: FeedbackValue,
}

#[derive(Deserialize)]
pub struct ActiveContext {
    pub content: Option<Vec<ItemReference>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedbackValue {
    pub value: Text,
}
