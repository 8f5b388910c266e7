//! The JSON shapes of the Music Skill API: event envelopes, items, content and controls.

use medley_core::catalog::{Image, TrackView};
use medley_core::time::iso8601_ms;
use medley_service::playback::voice::{
    ContentGroup, FoundContent, QueueControls, Toggle, VoiceItem,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::urls::Urls;

pub fn event(namespace: &str, name: &str, version: &str, payload: Value) -> Value {
    json!({
        "header": {
            "namespace": namespace,
            "name": name,
            "messageId": Uuid::new_v4().to_string(),
            "payloadVersion": version,
        },
        "payload": payload,
    })
}

const ART_SIZES: [(&str, u32); 5] = [
    ("X_SMALL", 48),
    ("SMALL", 60),
    ("MEDIUM", 110),
    ("LARGE", 256),
    ("X_LARGE", 600),
];

fn speech(text: &str) -> Value {
    json!({"speech": {"type": "PLAIN_TEXT", "text": text}, "display": text})
}

/// The sources of an item's art: its first image, else Medley's own, since Alexa shows art
/// for every item.
fn art(urls: &Urls, images: &[Image]) -> Value {
    let url = match images.first() {
        Some(img) => urls.image(&img.url),
        None => urls.own_art(),
    };
    let sources: Vec<Value> = ART_SIZES
        .iter()
        .map(|(size, px)| json!({"url": url, "size": size, "widthPixels": px, "heightPixels": px}))
        .collect();
    json!({ "sources": sources })
}

fn authors(t: &TrackView) -> Value {
    t.artists
        .iter()
        .map(|a| json!({"name": speech(&a.name)}))
        .collect()
}

pub fn item(urls: &Urls, item: &VoiceItem) -> Value {
    let t = &item.track;
    let mut metadata = json!({
        "type": "TRACK",
        "name": speech(&t.title),
        "art": art(urls, &t.images),
        "authors": authors(t),
    });
    if let Some(album) = &t.album {
        metadata["album"] = json!({"name": speech(&album.title)});
    }
    let mut out = json!({
        "id": item.id,
        "playbackInfo": {"type": "DEFAULT"},
        "metadata": metadata,
        "durationInMilliseconds": t.duration as u64 * 1000,
        "controls": [
            {"type": "COMMAND", "name": "NEXT", "enabled": item.next_enabled},
            {"type": "COMMAND", "name": "PREVIOUS", "enabled": item.previous_enabled},
            // An undeclared control is a disabled one in the Alexa app.
            {"type": "ADJUST", "name": "SEEK_POSITION", "enabled": true},
        ],
        "rules": {"feedbackEnabled": true},
        "stream": {
            "id": format!("{}:{}", item.id, t.id),
            "uri": urls.media(&item.stream),
            "offsetInMilliseconds": 0,
            "validUntil": iso8601_ms(item.stream.expires_ms()),
        },
    });
    if let Some(f) = item.feedback {
        out["feedback"] = json!({"type": "PREFERENCE", "value": f.as_str()});
    }
    out
}

pub fn content(urls: &Urls, found: &FoundContent) -> Value {
    let mut metadata = json!({
        "type": found.kind,
        "name": speech(&found.name),
        "art": art(urls, found.sample.as_ref().map_or(&[][..], |t| &t.images)),
    });
    // Amazon's MediaMetadata has authors for a track, and requires them for an album.
    if let Some(t) = found.sample.as_ref() {
        if matches!(found.kind, "TRACK" | "ALBUM") {
            metadata["authors"] = authors(t);
        }
    }
    json!({
        "id": found.id(),
        "actions": {"playable": true, "browsable": false},
        "metadata": metadata,
    })
}

fn toggle(name: &str, t: &Toggle) -> Value {
    json!({"type": "TOGGLE", "name": name, "enabled": t.enabled, "selected": t.selected})
}

/// SHUFFLE and LOOP toggles, and REPEAT as the CYCLE control Amazon's examples show.
pub fn controls(c: &QueueControls) -> Value {
    json!([
        toggle("SHUFFLE", &c.shuffle),
        toggle("LOOP", &c.loop_),
        {"type": "CYCLE", "name": "REPEAT", "enabled": c.repeat.enabled,
         "value": {"status": if c.repeat.selected { "ON" } else { "OFF" }}},
    ])
}

/// GetDisplayableContent's shelves: each a name and the content it holds.
pub fn groups(urls: &Urls, groups: &[ContentGroup]) -> Value {
    groups
        .iter()
        .map(|g| {
            json!({
                "metadata": {"name": speech(g.name)},
                "contentList": g.items.iter().map(|f| content(urls, f)).collect::<Vec<_>>(),
            })
        })
        .collect()
}
