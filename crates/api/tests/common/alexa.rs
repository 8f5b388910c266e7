//! Directives shaped like the ones Amazon sends, and reading their answers.

use serde_json::{json, Value};

use super::TestApp;

/// A directive of `namespace` as Amazon sends it, with the user's token in its request context.
pub fn directive_in(namespace: &str, name: &str, token: &str, payload: Value) -> Value {
    let mut p = payload;
    p["requestContext"] = json!({"user": {"id": "amzn1.ask.account.TEST", "accessToken": token},
                                 "location": {"originatingLocale": "en-US"}});
    json!({"header": {"namespace": namespace, "name": name,
                      "messageId": "abcdefghijklmnopqrstuvwxy", "payloadVersion": "1.0"},
           "payload": p})
}

/// An Alexa.Media.PlayQueue directive.
pub fn directive(name: &str, token: &str, payload: Value) -> Value {
    directive_in("Alexa.Media.PlayQueue", name, token, payload)
}

pub fn reference(queue: &str, item: &str) -> Value {
    json!({"namespace": "Alexa.Audio.PlayQueue", "name": "item",
           "value": {"id": item, "queueId": queue, "contentId": "whatever"}})
}

pub async fn send(app: &TestApp, body: Value) -> Value {
    let r = app
        .post("/alexa")
        .without("authorization")
        .without("x-api-key")
        .json(body)
        .send()
        .await;
    r.expect(200);
    r.body
}

pub fn error_type(v: &Value) -> (&str, &str) {
    (
        v["header"]["name"].as_str().unwrap(),
        v["payload"]["type"].as_str().unwrap_or(""),
    )
}

pub fn audio(name: &str, token: &str, payload: Value) -> Value {
    directive_in("Alexa.Audio.PlayQueue", name, token, payload)
}

pub fn bare(queue: &str, item: &str) -> Value {
    json!({"id": item, "queueId": queue, "contentId": "whatever"})
}

pub fn search(token: &str, attributes: Value, explicit: bool) -> Value {
    directive_in(
        "Alexa.Media.Search",
        "GetPlayableContent",
        token,
        json!({"filters": {"explicitLanguageAllowed": explicit},
               "selectionCriteria": {"attributes": attributes}}),
    )
}

pub fn attr(kind: &str, id: &str) -> Value {
    json!({"type": kind, "entityId": id,
           "authoritySources": [{"context": null, "name": "", "relevance": null}]})
}

pub fn initiate(token: &str, content_id: &str, modes: Value, current: Option<Value>) -> Value {
    let mut payload = json!({"filters": {"explicitLanguageAllowed": true},
                             "contentId": content_id, "playbackModes": modes});
    if let Some(c) = current {
        payload["currentItemReference"] = c;
    }
    directive_in("Alexa.Media.Playback", "Initiate", token, payload)
}

/// Starts a queue by voice; returns (queueId, first item id, the whole answer).
pub async fn start(
    app: &TestApp,
    token: &str,
    content: &str,
    modes: Value,
) -> (String, String, Value) {
    let r = send(app, initiate(token, content, modes, None)).await;
    assert_eq!(r["header"]["name"], "Initiate.Response", "{r}");
    let m = &r["payload"]["playbackMethod"];
    (
        m["id"].as_str().unwrap().to_string(),
        m["firstItem"]["id"].as_str().unwrap().to_string(),
        r,
    )
}

/// The catalog id of the track an item plays.
pub fn track_of(item: &Value) -> String {
    let stream = item["stream"]["id"].as_str().unwrap();
    stream.rsplit(':').next().unwrap().to_string()
}

/// GetNextItem after `item` of `queue`; the whole answer.
pub async fn next_item(app: &TestApp, token: &str, queue: &str, item: &str, user: bool) -> Value {
    let d = audio(
        "GetNextItem",
        token,
        json!({"currentItemReference": bare(queue, item), "isUserInitiated": user}),
    );
    send(app, d).await
}
