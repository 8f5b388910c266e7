//! From a directive's payload to what the service takes: item ids, switches and modes in the
//! spellings in circulation, and the selection criteria of a search or a screen's browse.

use medley_service::playback::voice::{self, Criteria, PlaybackModes, DISPLAY_ITEMS};
use medley_service::ServiceError;
use serde::Deserialize;
use uuid::Uuid;

use super::directive::{self as d, ItemReference, Leaf, Switch, Text};

pub fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

/// The payload as its directive's type, or why it is not one (the JSON path and what is wrong
/// there).
pub fn payload<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, ServiceError> {
    let mut de = serde_json::Deserializer::from_str(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let why = crate::body::without_position(&e.into_inner().to_string());
        if path == "." {
            bad(format!("payload: {why}"))
        } else {
            bad(format!("payload.{path}: {why}"))
        }
    })
}

/// An item id, or what Alexa is told about one it sent that Medley never gave out.
fn item_id(v: &Text, at: &str) -> Result<Uuid, ServiceError> {
    v.as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ServiceError::NotFound(format!("{at} names no item of Medley's")))
}

/// The `(queueId, id)` of an item reference; `field` names it in messages.
pub fn item_reference(r: &ItemReference, field: &str) -> Result<(Uuid, Uuid), ServiceError> {
    let (queue, id) = r.ids();
    let at = |k: &str| format!("payload.{field}.{k}");
    Ok((item_id(queue, &at("queueId"))?, item_id(id, &at("id"))?))
}

/// JumpToItem's `(queue, target)`.
pub fn jump_target(p: &d::JumpToItem) -> Result<(Uuid, Uuid), ServiceError> {
    if let Some(target) = &p.target_item_reference {
        return item_reference(target, "targetItemReference");
    }
    let Some(target) = &p.target_item_id else {
        return Err(bad(
            "payload.targetItemReference or payload.targetItemId is required",
        ));
    };
    let current = p
        .current_item_reference
        .as_ref()
        .ok_or_else(|| bad("payload.currentItemReference is required"))?;
    let (queue, _) = item_reference(current, "currentItemReference")?;
    Ok((queue, item_id(target, "payload.targetItemId")?))
}

/// The item a ReceiveFeedback is about.
pub fn feedback_reference(p: &d::ReceiveFeedback) -> Result<(Uuid, Uuid), ServiceError> {
    let first = p
        .active_context
        .as_ref()
        .and_then(|c| c.content.as_ref())
        .and_then(|c| c.first());
    let reference = p
        .current_item_reference
        .as_ref()
        .or(first)
        .ok_or_else(|| bad("payload.currentItemReference is required"))?;
    item_reference(reference, "currentItemReference")
}

/// A switch's on or off. Amazon documents no values, so the usual spellings of on and off are
/// taken, in any case.
pub fn switch(v: &Switch, at: &str) -> Result<bool, ServiceError> {
    let word = match v {
        Switch::Bool(b) => return Ok(*b),
        Switch::Word(w) => w.as_str(),
        Switch::Object(o) => match [&o.status, &o.value, &o.enabled, &o.mode]
            .into_iter()
            .find_map(Option::as_ref)
        {
            Some(Leaf::Bool(b)) => return Ok(*b),
            Some(Leaf::Word(w)) => w.as_str(),
            Some(Leaf::Other(_)) | None => "",
        },
        Switch::Other(_) => "",
    };
    match word.to_ascii_uppercase().as_str() {
        "ON" | "ENABLED" | "ONE" | "REPEAT_ONE" | "REPEAT_TRACK" | "TRUE" => Ok(true),
        "OFF" | "DISABLED" | "NONE" | "FALSE" => Ok(false),
        _ => Err(bad(format!(
            "{at} '{word}' is not one of ON, OFF, ENABLED, DISABLED, REPEAT_ONE"
        ))),
    }
}

/// Initiate's `playbackModes` (each mode off when absent).
pub fn playback_modes(m: &d::PlaybackModes) -> Result<PlaybackModes, ServiceError> {
    let mode = |v: &Option<Switch>, k: &str| match v {
        None => Ok(false),
        Some(v) => switch(v, &format!("payload.playbackModes.{k}")),
    };
    Ok(PlaybackModes {
        shuffle: mode(&m.shuffle, "shuffle")?,
        loop_: mode(&m.loop_, "loop")?,
        repeat: mode(&m.repeat, "repeat")?,
    })
}

/// Entity types an attribute may carry an id or a spoken value for.
const ENTITY_TYPES: [&str; 6] = ["TRACK", "ALBUM", "ARTIST", "PLAYLIST", "GENRE", "STATION"];

/// The criteria of a list of attributes (GetPlayableContent's `selectionCriteria.attributes`,
/// all of GetDisplayableContent's `alexaResolvedSelectionCriteria` taken together).
fn criteria<'a>(
    attributes: impl Iterator<Item = &'a d::Attribute>,
    at: &str,
    filters: &d::Filters,
) -> Result<Criteria, ServiceError> {
    let mut c = Criteria {
        explicit_allowed: filters.explicit_language_allowed.unwrap_or(true),
        ..Criteria::default()
    };
    for (i, a) in attributes.enumerate() {
        let at = format!("{at}[{i}]");
        match a.kind.as_deref() {
            Some(kind) if ENTITY_TYPES.contains(&kind) => {
                // What Alexa heard but could not match to a catalog entry comes as a value.
                let said = spoken(a, &at)?;
                if a.entity_id.is_none() && said.is_none() {
                    return Err(bad(format!(
                        "{at} needs an entityId or a spoken value for {kind}"
                    )));
                }
                c.attributes.push(voice::Attribute {
                    kind: Some(kind.to_string()),
                    id: a.entity_id.clone(),
                    said,
                });
            }
            Some("MEDIA_TYPE") => c.media_type = a.value.clone(),
            Some("SORT_TYPE") => c.sort = a.value.clone(),
            // Attribute types Amazon may add later do not narrow the content.
            Some(_) => {}
            None => match spoken(a, &at)? {
                Some(said) => c.attributes.push(voice::Attribute {
                    kind: None,
                    id: None,
                    said: Some(said),
                }),
                None => return Err(bad(format!("{at} needs a type or a spoken value"))),
            },
        }
    }
    Ok(c)
}

/// GetPlayableContent's selection criteria. "Alexa, play my music" comes with an empty (or
/// absent) `selectionCriteria`: no attribute names anything, and the user's own music plays.
pub fn search_criteria(p: &d::GetPlayableContent) -> Result<Criteria, ServiceError> {
    let attributes = p
        .selection_criteria
        .as_ref()
        .and_then(|s| s.attributes.as_deref())
        .unwrap_or_default();
    criteria(
        attributes.iter(),
        "payload.selectionCriteria.attributes",
        &p.filters,
    )
}

/// An attribute's spoken `value`, bounded like a search query; `None` when it has none.
fn spoken(a: &d::Attribute, at: &str) -> Result<Option<String>, ServiceError> {
    let Some(said) = a.value.as_deref() else {
        return Ok(None);
    };
    if said.trim().is_empty() {
        return Ok(None);
    }
    let max = medley_service::library::search::MAX_QUERY;
    if let Some(why) = medley_core::text::refusal(&format!("{at}.value"), said, max, false) {
        return Err(bad(why));
    }
    Ok(Some(said.trim().to_string()))
}

/// GetDisplayableContent's query (`None`: browse) and how many items a shelf may hold.
pub fn display_request(
    p: &d::GetDisplayableContent,
) -> Result<(Option<Criteria>, u32), ServiceError> {
    let limit = match p.max_result_limit {
        None => DISPLAY_ITEMS,
        Some(0) => return Err(bad("payload.maxResultLimit must be a positive integer")),
        Some(n) => n.min(u32::MAX as u64) as u32,
    };
    // Each criterion is a list of attributes; taken together, they are the query.
    let attributes = p
        .alexa_resolved_selection_criteria
        .iter()
        .flatten()
        .filter_map(|c| c.attributes.as_ref())
        .flatten();
    let c = criteria(
        attributes,
        "payload.alexaResolvedSelectionCriteria[].attributes",
        &p.filters,
    )?;
    // Attributes that name nothing (SEARCH_METHOD, MEDIA_TYPE alone) ask to browse.
    let query = (!c.attributes.is_empty()).then_some(c);
    Ok((query, limit))
}
