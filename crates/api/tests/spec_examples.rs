//! Every example request of the Playback V1 documentation works as written, headers and bodies
//! exactly as shown, against the demo data, and answers the status it documents. The requests
//! are in `fixtures/playback_examples.json`; only the placeholders a developer fills in are
//! replaced.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::Value;

fn examples() -> Vec<Value> {
    serde_json::from_str(include_str!("fixtures/playback_examples.json")).unwrap()
}

#[tokio::test]
async fn every_spec_example_request_works_as_written() {
    let app = TestApp::new().await;
    let examples = examples();
    assert_eq!(
        examples.len(),
        14,
        "Playback V1 documents 14 example requests"
    );
    let mut session = String::new();
    let mut entity = String::new();
    for ex in &examples {
        let fill = |s: &str| {
            s.replace("<base url>", "")
                .replace("<your security profile ID>", &app.api_key)
                .replace("<your auth token>", &app.token)
                .replace("<your session ID>", &session)
                .replace("<sessionId>", &session)
                .replace("<entityReferenceId>", &entity)
        };
        let (method, url) = ex["request"].as_str().unwrap().split_once(' ').unwrap();
        let mut call = app.call(Method::from_bytes(method.as_bytes()).unwrap(), &fill(url));
        for h in [
            "authorization",
            "x-api-key",
            "x-amzn-device-id",
            "x-amzn-audio-device-capability",
            "content-type",
        ] {
            call = call.without(h);
        }
        for (k, v) in ex["headers"].as_object().unwrap() {
            call = call.header(k, &fill(v.as_str().unwrap()));
        }
        if let Some(d) = ex.get("body") {
            call = call.raw(&d.to_string());
        }
        let res = call.send().await;
        assert_eq!(
            res.status.as_u16() as u64,
            ex["status"].as_u64().unwrap(),
            "{}: {} -> {}",
            ex["name"],
            ex["request"],
            res.body
        );
        if session.is_empty() {
            session = res.entity(0)["sessionId"].as_str().unwrap().to_string();
            entity = res.entity(1)["entityReferenceId"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(res.entity(0)["track"]["id"], "B084KVZP2G");
        }
    }
    // The batch example stopped a6e35026… and started e9c5ad6c… (Selfless) in session 8f48fc53….
    let active = app
        .get("/v1/playback/sessions/8f48fc53-b52a-4b68-950b-020fe89e3b46/current")
        .header("x-amzn-device-id", "<your unique device ID>")
        .send()
        .await;
    active.expect(200);
    assert_eq!(
        active.entity(0)["entityReferenceId"],
        "e9c5ad6c-ebba-4c38-966d-c5b5b66ddfa4"
    );
    assert_eq!(active.entity(0)["track"]["title"], "Selfless");
    assert_eq!(active.data()["metadata"]["playbackState"], "PLAYING");
}
