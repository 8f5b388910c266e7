//! Reading a directive's payload: item references in both shapes Alexa sends, switches and modes
//! in the spellings in circulation, and the selection criteria of a search or a screen's browse.

use medley_service::playback::voice::{Attribute, Criteria, PlaybackModes, DISPLAY_ITEMS};
use medley_service::ServiceError;
use serde_json::Value;
use uuid::Uuid;

pub fn bad(message: impl Into<String>) -> ServiceError {
    ServiceError::BadRequest(message.into())
}

fn unknown_item(at: &str) -> ServiceError {
    ServiceError::NotFound(format!("{at} names no item of Medley's"))
}

/// An item id, or what Alexa is told about one it sent that Medley never gave out.
fn item_id(v: Option<&Value>, at: &str) -> Result<Uuid, ServiceError> {
    v.and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| unknown_item(at))
}

/// The `{queueId, id}` of an item reference: wrapped (`{namespace, name, value}`) as the
/// Alexa.Media.PlayQueue directives send it, or bare as the Alexa.Audio.PlayQueue ones do.
pub fn item_reference(payload: &Value, field: &str) -> Result<(Uuid, Uuid), ServiceError> {
    let reference = payload
        .get(field)
        .filter(|r| r.is_object())
        .ok_or_else(|| bad(format!("payload.{field} is required")))?;
    let value = reference.get("value").unwrap_or(reference);
    let at = |k: &str| format!("payload.{field}.{k}");
    Ok((
        item_id(value.get("queueId"), &at("queueId"))?,
        item_id(value.get("id"), &at("id"))?,
    ))
}

/// JumpToItem's target, as either shape in circulation: `targetItemReference` (an item
/// reference of its own), or `targetItemId` beside the `currentItemReference` that names the
/// queue. Returns `(queue, target)`.
pub fn jump_target(payload: &Value) -> Result<(Uuid, Uuid), ServiceError> {
    if payload.get("targetItemReference").is_some() {
        return item_reference(payload, "targetItemReference");
    }
    let Some(target) = payload.get("targetItemId") else {
        return Err(bad(
            "payload.targetItemReference or payload.targetItemId is required",
        ));
    };
    let (queue, _) = item_reference(payload, "currentItemReference")?;
    Ok((queue, item_id(Some(target), "payload.targetItemId")?))
}

/// The item a ReceiveFeedback is about: `currentItemReference`, or the first content of
/// `activeContext`, which some captures show instead.
pub fn feedback_reference(payload: &Value) -> Result<(Uuid, Uuid), ServiceError> {
    if payload.get("currentItemReference").is_some() {
        return item_reference(payload, "currentItemReference");
    }
    let first = payload
        .pointer("/activeContext/content/0")
        .cloned()
        .unwrap_or(Value::Null);
    item_reference(
        &serde_json::json!({ "currentItemReference": first }),
        "currentItemReference",
    )
}

pub fn flag(payload: &Value, field: &str) -> Result<bool, ServiceError> {
    payload
        .get(field)
        .and_then(Value::as_bool)
        .ok_or_else(|| bad(format!("payload.{field} must be true or false")))
}

/// A mode's on or off in any shape in circulation: a boolean, a status string, or an object
/// with one (SetRepeat's `mode: {status}`, Initiate's `repeat: {status: "ON"}`). Amazon
/// documents no values, so the usual spellings of on and off are taken.
pub fn switch(v: &Value, at: &str) -> Result<bool, ServiceError> {
    if let Some(b) = v.as_bool() {
        return Ok(b);
    }
    let inner = ["status", "value", "enabled", "mode"]
        .iter()
        .find_map(|k| v.get(*k))
        .unwrap_or(v);
    if let Some(b) = inner.as_bool() {
        return Ok(b);
    }
    let status = inner.as_str().unwrap_or("");
    match status.to_ascii_uppercase().as_str() {
        "ON" | "ENABLED" | "ONE" | "REPEAT_ONE" | "REPEAT_TRACK" | "TRUE" => Ok(true),
        "OFF" | "DISABLED" | "NONE" | "FALSE" => Ok(false),
        _ => Err(bad(format!(
            "{at} '{status}' is not one of ON, OFF, ENABLED, DISABLED, REPEAT_ONE"
        ))),
    }
}

/// Initiate's `playbackModes` (each mode off when absent).
pub fn playback_modes(payload: &Value) -> Result<PlaybackModes, ServiceError> {
    let modes = payload.get("playbackModes").unwrap_or(&Value::Null);
    let mode = |k: &str| match modes.get(k) {
        None | Some(Value::Null) => Ok(false),
        Some(v) => switch(v, &format!("payload.playbackModes.{k}")),
    };
    Ok(PlaybackModes {
        shuffle: mode("shuffle")?,
        loop_: mode("loop")?,
        repeat: mode("repeat")?,
    })
}

/// Entity types an attribute may carry an id or a spoken value for.
const ENTITY_TYPES: [&str; 6] = ["TRACK", "ALBUM", "ARTIST", "PLAYLIST", "GENRE", "STATION"];

/// The criteria of a list of attributes (GetPlayableContent's `selectionCriteria.attributes`,
/// each of GetDisplayableContent's `alexaResolvedSelectionCriteria`).
pub fn criteria(
    attributes: &[Value],
    at: &str,
    explicit_allowed: bool,
) -> Result<Criteria, ServiceError> {
    let mut c = Criteria {
        explicit_allowed,
        ..Criteria::default()
    };
    for (i, a) in attributes.iter().enumerate() {
        let text = |k: &str| a.get(k).and_then(Value::as_str).map(String::from);
        let at = format!("{at}[{i}]");
        match text("type").as_deref() {
            Some(kind) if ENTITY_TYPES.contains(&kind) => {
                // What Alexa heard but could not match to a catalog entry comes as a value.
                let (id, said) = (text("entityId"), spoken(a, &at)?);
                if id.is_none() && said.is_none() {
                    return Err(bad(format!(
                        "{at} needs an entityId or a spoken value for {kind}"
                    )));
                }
                c.attributes.push(Attribute {
                    kind: Some(kind.to_string()),
                    id,
                    said,
                });
            }
            Some("MEDIA_TYPE") => c.media_type = text("value"),
            Some("SORT_TYPE") => c.sort = text("value"),
            // Attribute types Amazon may add later do not narrow the content.
            Some(_) => {}
            None => match spoken(a, &at)? {
                Some(said) => c.attributes.push(Attribute {
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
pub fn search_criteria(payload: &Value) -> Result<Criteria, ServiceError> {
    let attributes = match payload.pointer("/selectionCriteria/attributes") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a,
        Some(_) => return Err(bad("payload.selectionCriteria.attributes must be an array")),
    };
    criteria(
        attributes,
        "payload.selectionCriteria.attributes",
        explicit_allowed(payload),
    )
}

pub fn explicit_allowed(payload: &Value) -> bool {
    payload
        .pointer("/filters/explicitLanguageAllowed")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// An attribute's spoken `value`, bounded like a search query; `None` when it has none.
fn spoken(a: &Value, at: &str) -> Result<Option<String>, ServiceError> {
    let Some(v) = a.get("value") else {
        return Ok(None);
    };
    let said = v
        .as_str()
        .ok_or_else(|| bad(format!("{at}.value must be a string")))?;
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
pub fn display_request(payload: &Value) -> Result<(Option<Criteria>, u32), ServiceError> {
    let limit = match payload.get("maxResultLimit") {
        None | Some(Value::Null) => DISPLAY_ITEMS,
        Some(v) => v
            .as_u64()
            .filter(|n| *n >= 1)
            .map(|n| n.min(u32::MAX as u64) as u32)
            .ok_or_else(|| bad("payload.maxResultLimit must be a positive integer"))?,
    };
    let resolved = match payload.get("alexaResolvedSelectionCriteria") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(c)) => c,
        Some(_) => {
            return Err(bad(
                "payload.alexaResolvedSelectionCriteria must be an array",
            ))
        }
    };
    // Each criterion is a list of attributes; taken together, they are the query.
    let mut attributes = Vec::new();
    for (i, c) in resolved.iter().enumerate() {
        match c.get("attributes") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => attributes.extend(a.iter().cloned()),
            Some(_) => {
                return Err(bad(format!(
                    "payload.alexaResolvedSelectionCriteria[{i}].attributes must be an array"
                )))
            }
        }
    }
    let c = criteria(
        &attributes,
        "payload.alexaResolvedSelectionCriteria[].attributes",
        explicit_allowed(payload),
    )?;
    // Attributes that name nothing (SEARCH_METHOD, MEDIA_TYPE alone) ask to browse.
    let query = (!c.attributes.is_empty()).then_some(c);
    Ok((query, limit))
}
