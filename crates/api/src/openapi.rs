//! The OpenAPI document: generated from the routes' declarations (`#[utoipa::path]` on each
//! handler), with the error answers every operation of the Web API can give.

use serde_json::{json, Map, Value};

/// What every operation can answer besides success (`body`: it takes a request body).
fn error_responses(body: bool) -> Map<String, Value> {
    let mut responses = Map::new();
    for (code, what) in [
        ("400", "Bad input (BAD_REQUEST)"),
        (
            "401",
            "Missing, unknown or expired token, or wrong x-api-key",
        ),
        (
            "403",
            "Scope missing (ACCESS_DENIED) or action not allowed (ACTION_NOT_ALLOWED)",
        ),
        ("404", "Not found, or not the caller's (RESOURCE_NOT_FOUND)"),
    ] {
        responses.insert(code.into(), error_response(what));
    }
    if body {
        responses.insert(
            "413".into(),
            error_response("Body too large (PAYLOAD_TOO_LARGE)"),
        );
    }
    responses
}

/// The whole document, from `typed`, the routes' document.
pub fn document(typed: utoipa::openapi::OpenApi) -> Value {
    let mut doc = base();
    let Ok(Value::Object(typed)) = serde_json::to_value(&typed) else {
        return doc;
    };
    if let Some(Value::Object(paths)) = typed.get("paths") {
        for (path, item) in paths {
            let Value::Object(item) = item else { continue };
            for (method, op) in item {
                let mut op = op.clone();
                let body = op.get("requestBody").is_some();
                // The Web API's operations (those with credentials) share their refusals; the
                // others declare their own.
                let web_api = op.get("security").is_some();
                if let (true, Some(Value::Object(responses))) = (web_api, op.get_mut("responses")) {
                    for (code, r) in error_responses(body) {
                        responses.entry(code).or_insert(r);
                    }
                }
                doc["paths"]
                    .as_object_mut()
                    .expect("paths is an object")
                    .entry(path.clone())
                    .or_insert_with(|| json!({}))[method] = op;
            }
        }
    }
    if let Some(Value::Object(schemas)) = typed.get("components").and_then(|c| c.get("schemas")) {
        let ours = doc["components"]["schemas"]
            .as_object_mut()
            .expect("schemas is an object");
        for (name, schema) in schemas {
            ours.insert(name.clone(), schema.clone());
        }
        cross_field_rules(ours);
        // An Alexa payload is untagged (the event's name says which it is), and several have
        // no required field, so an answer may fit more than one: any of them, not one of them.
        if let Some(Value::Object(payload)) = ours.get_mut("AlexaPayload") {
            if let Some(shapes) = payload.remove("oneOf") {
                payload.insert("anyOf".into(), shapes);
            }
        }
    }
    doc
}

/// Present, and not null.
fn given(fields: &[&str]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_string(), json!({"not": {"type": "null"}})))
        .collect();
    json!({"required": fields, "properties": properties})
}

/// Each of `fields` absent or null (or as `or` says of a field).
fn none_of(fields: &[&str], or: Value) -> Value {
    let mut properties: Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_string(), json!({"type": "null"})))
        .collect();
    if let Value::Object(or) = or {
        properties.extend(or);
    }
    json!({"properties": properties})
}

/// The rules across fields that the request types' derives cannot state, added to the schemas
/// they bind (as `allOf` of `not` and `if`/`then`, which code generators leave be), so that a
/// request the document allows is one the server takes: what each event type needs, what a
/// session plays, a playlist edit that is one of two, a playlist change that changes something.
fn cross_field_rules(schemas: &mut Map<String, Value>) {
    let mut rule = |name: &str, rules: Vec<Value>| {
        if let Some(Value::Object(schema)) = schemas.get_mut(name) {
            schema.insert("allOf".into(), Value::Array(rules));
        }
    };
    let when_type = |kind: &str, fields: &[&str]| {
        json!({"if": {"required": ["type"], "properties": {"type": {"const": kind}}},
               "then": given(fields)})
    };
    rule(
        "Event",
        vec![
            when_type("start", &["playbackStartAbsoluteOffsetMilliseconds"]),
            when_type(
                "stop",
                &[
                    "durationSeconds",
                    "entityProgressSeconds",
                    "rebufferCount",
                    "terminationReason",
                ],
            ),
        ],
    );
    let mrn = |kinds: &str| json!({"pattern": format!("^mrn:1\\.0:catalog:({kinds}):asin:")});
    let tracks = json!({"type": "array", "minItems": 1, "items": mrn("track")});
    rule(
        "PlayParams",
        vec![
            // Something to play.
            json!({"not": none_of(
                &["id"],
                json!({"containerIds": {"anyOf": [{"type": "null"}, {"type": "array", "maxItems": 0}]}}),
            )}),
            // Containers are one album, playlist or artist, or a list of tracks.
            json!({"properties": {"containerIds": {"anyOf": [
                {"type": "null"},
                {"maxItems": 1, "items": mrn("track|album|playlist|artist")},
                {"items": mrn("track")},
            ]}}}),
            // Within a list of tracks, what plays first is one of them.
            json!({
                "if": {"required": ["containerIds"], "properties": {"containerIds": tracks}},
                "then": {"properties": {"id": {"anyOf": [{"type": "null"}, mrn("track")]}}},
            }),
        ],
    );
    let edits = ["remove", "move"];
    rule(
        "EditTracks",
        vec![
            json!({"not": none_of(&edits, json!({}))}),
            json!({"not": given(&edits)}),
        ],
    );
    rule(
        "PlaylistChange",
        vec![json!({"not": none_of(&["title", "description", "visibility"], json!({}))})],
    );
}

fn error_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn base() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Medley", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The Amazon Music Web API (Playback V1, Player V1, User V1, the catalog and search) and the Alexa Music Skill API, served by Medley."},
        // In the order a client developer meets them.
        "tags": [
            {"name": "Playback", "description": "Sessions, their queues and modes, playback events"},
            {"name": "Player", "description": "Recently played tracks and entities"},
            {"name": "Catalog", "description": "Tracks, albums, artists, playlists, stations, podcast shows"},
            {"name": "Search", "description": "By type with filters, and across types"},
            {"name": "Playlists", "description": "The user's own playlists"},
            {"name": "Users", "description": "Profiles"},
            {"name": "Library and follows", "description": "Follows, followers and the library"},
            {"name": "Sign-in", "description": "OAuth 2.0 at Login with Amazon's paths: the authorization code flow with PKCE, and the token endpoint"},
            {"name": "Alexa", "description": "Music Skill API directives"},
            {"name": "Media", "description": "Signed media URLs and cover art"},
            {"name": "Operations", "description": "Health, readiness and metrics"},
        ],
        "paths": {},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}
            },
            // The routes' schemas join these, `Error` (`error::ErrorBody`) among them.
            "schemas": {}
        }
    })
}
