//! The OpenAPI document: generated from the route declarations in `v1` (the typed routes'
//! `#[utoipa::path]`s and the table's entries), with the error answers every operation can give.

use serde_json::{json, Map, Value};

use crate::v1::OPERATIONS;

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

/// The whole document: the table's operations, and `typed`, the typed routes' document.
pub fn document(typed: utoipa::openapi::OpenApi) -> Value {
    let mut doc = table_document();
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
    }
    doc
}

fn error_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn table_document() -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let mut params: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| {
                // Playback ids are UUIDs; user ids are opaque.
                let mut schema = json!({"type": "string"});
                if name != "id" {
                    schema["format"] = json!("uuid");
                }
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        if let Some((min, max, default)) = op.limit {
            params.push(json!({"name": "limit", "in": "query", "required": false,
                "schema": {"type": "integer", "minimum": min, "maximum": max, "default": default}}));
        }
        for name in op.query {
            params.push(json!({"name": name, "in": "query", "required": false,
                               "schema": {"type": "string"}}));
        }
        params.push(
            json!({"name": "X-Amzn-Device-Id", "in": "header", "required": op.device,
                           "schema": {"type": "string"}}),
        );
        if op.device {
            params.push(
                json!({"name": "X-Amzn-Audio-Device-Capability", "in": "header",
                "required": false, "description": "Comma list of STD_RES, HI_FI, HI_RES, …",
                "schema": {"type": "string", "default": "STD_RES"}}),
            );
            params.push(
                json!({"name": "X-Amzn-Audio-DRMType", "in": "header", "required": false,
                "schema": {"type": "string", "default": "NONE"}}),
            );
        }
        let mut responses = Map::new();
        responses.insert(op.ok.to_string(), json!({"description": "Success"}));
        responses.extend(error_responses(op.body));
        if op.path.ends_with("/event") || op.path.ends_with("/events") {
            responses.insert(
                "422".into(),
                error_response("MAX_CONCURRENCY_REACHED or TAKE_OVER_DEVICE_STREAMING_ERROR"),
            );
        }
        let tag = match op.module {
            "playback" => "Playback",
            "catalog" => "Catalog",
            "playlists" => "Playlists",
            "search" => "Search",
            "users" => "Users",
            _ => "Library and follows",
        };
        let mut operation = json!({
            "tags": [tag],
            "operationId": op.operation_id,
            "summary": op.summary,
            "security": [{"bearer": [op.scope], "apiKey": []}],
            "parameters": params,
            "responses": responses,
        });
        if op.body {
            operation["requestBody"] = json!({"required": true,
                "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        paths
            .entry(op.path)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("path items are objects")
            .insert(op.method.into(), operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Medley", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The Amazon Music Web API (Playback V1, Player V1), served by Medley."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}
            },
            // The typed routes' schemas join these, `Error` (`error::ErrorBody`) among them.
            "schemas": {}
        }
    })
}
