//! `/openapi.json` is generated from the same declarations as the router: a snapshot keeps the
//! document honest, and every documented operation must exist in the router.

mod common;

use axum::http::Method;
use common::TestApp;
use serde_json::Value;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openapi.json");

#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let app = TestApp::new().await;
    let res = app
        .get("/openapi.json")
        .without("authorization")
        .send()
        .await;
    res.expect(200);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(
            SNAPSHOT,
            serde_json::to_string_pretty(&res.body).unwrap() + "\n",
        )
        .unwrap();
    }
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(SNAPSHOT).unwrap()).unwrap();
    assert_eq!(
        res.body, expected,
        "the API changed: review, then run with UPDATE_SNAPSHOTS=1"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_authenticated() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.body;
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 58);
    for (path, item) in paths {
        let concrete = path
            .replace("{sessionId}", &uuid::Uuid::new_v4().to_string())
            .replace("{entityReferenceId}", &uuid::Uuid::new_v4().to_string())
            .replace("{id}", "someone");
        for method in item.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app.call(m, &concrete).without("authorization").send().await;
            res.expect_error(401, "INVALID_AUTH_TYPE");
        }
    }
}
