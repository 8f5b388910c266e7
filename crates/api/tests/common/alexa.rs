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
