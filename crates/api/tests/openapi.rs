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
    assert_eq!(paths.len(), 85);
    for (path, item) in paths {
        let concrete = path
            .replace("{sessionId}", &uuid::Uuid::new_v4().to_string())
            .replace("{entityReferenceId}", &uuid::Uuid::new_v4().to_string())
            .replace("{id}", "someone");
        for (method, op) in item.as_object().unwrap() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let call = app.call(m, &concrete).without("authorization");
            if op.get("security").is_some() {
                call.send().await.expect_error(401, "INVALID_AUTH_TYPE");
            } else {
                // The operational routes, media (signed URLs), Alexa (a token in the body) and
                // sign-in (which hands out the tokens).
                let (status, _, body) = call.send_raw().await;
                let body = String::from_utf8_lossy(&body);
                assert!(!body.contains("no such endpoint"), "{method} {path}");
                assert_ne!(status, 405, "{method} {path} is not routed");
            }
        }
    }
}

/// The scope an operation's document shows is the scope it enforces: a token with every scope
/// but that one (and the one that grants it) is refused, before the request is looked at
/// further.
#[tokio::test]
async fn every_operation_enforces_the_scope_its_document_shows() {
    const ALL: [&str; 9] = [
        "music::playback",
        "music::history",
        "music::catalog",
        "music::library",
        "music::library:read",
        "music::profile",
        "music::profile:read",
        "music::favorites",
        "music::favorites:read",
    ];
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.body;
    let user = medley_service::demo::DEMO_USER;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{sessionId}", &uuid::Uuid::new_v4().to_string())
            .replace("{entityReferenceId}", &uuid::Uuid::new_v4().to_string())
            .replace("{id}", "someone");
        for (method, op) in item.as_object().unwrap() {
            let Some(scope) = op["security"][0]["bearer"][0].as_str() else {
                continue;
            };
            assert!(ALL.contains(&scope), "{method} {path}: {scope}");
            // A scope grants its read form, so a read is tried without both.
            let granting = scope.strip_suffix(":read");
            let others: Vec<&str> = ALL
                .iter()
                .copied()
                .filter(|s| *s != scope && Some(*s) != granting)
                .collect();
            let token = app.scoped_token(user, &others).await;
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app.call(m, &concrete).token(&token).send().await;
            assert_eq!(
                res.status, 403,
                "{method} {path} without {scope}: {}",
                res.body
            );
            assert_eq!(res.body["code"], "ACCESS_DENIED", "{method} {path}");
        }
    }
}

/// A generator reads the document whole: every `$ref` resolves, every operation id is unique,
/// and every typed operation states the schema of its success answer.
#[tokio::test]
async fn the_document_is_whole() {
    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.body;
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for piece in text.split("\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "{name} is referred to but not defined"
        );
    }
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(
                ids.insert(id.to_string()),
                "{id} ({method} {path}) is used twice"
            );
        }
    }
    for path in ["/v1/playback/sessions", "/v1/me"] {
        let answers = &doc["paths"][path];
        let ok = answers
            .as_object()
            .unwrap()
            .values()
            .flat_map(|op| op["responses"].as_object().unwrap().iter())
            .filter(|(code, _)| code.starts_with('2'));
        for (code, r) in ok {
            assert!(
                r["content"]["application/json"]["schema"].is_object(),
                "{path} {code} has no schema"
            );
        }
    }
}

/// Every kind of answer `/alexa` gives fits the event the document declares for it.
#[tokio::test]
async fn alexa_answers_fit_the_documented_event() {
    use common::alexa::{attr, audio, bare, directive, next_item, search, send, start};
    use serde_json::json;

    let app = TestApp::new().await;
    let doc = app.get("/openapi.json").send().await.body;
    let schema = json!({
        "$ref": "#/components/schemas/AlexaEvent",
        "components": doc["components"],
    });
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    assert!(!validator.is_valid(&json!({"header": {}, "payload": {"type": 1}})));
    let token = app.token.clone();
    let (queue, first, initiated) = start(
        &app,
        &token,
        "mrn:1.0:catalog:album:asin:B084KYMDXT",
        json!({}),
    )
    .await;
    let next = next_item(&app, &token, &queue, &first, true).await;
    let second = next["payload"]["item"]["id"].as_str().unwrap().to_string();
    let current = json!({"currentItemReference": bare(&queue, &second)});
    let wrapped = json!({"currentItemReference": common::alexa::reference(&queue, &first)});
    let mut answers = vec![
        initiated,
        next,
        send(&app, directive("GetView", &token, wrapped.clone())).await,
        send(&app, directive("SetShuffle", &token, json!({"currentItemReference": common::alexa::reference(&queue, &first), "enable": true}))).await,
        send(&app, audio("GetPreviousItem", &token, current.clone())).await,
        send(&app, search(&token, json!([attr("ALBUM", "B084KYMDXT")]), true)).await,
        send(&app, directive("GetItem", &token, json!({"targetItemReference": bare(&queue, &first)}))).await,
        send(&app, directive("GetView", &token, json!({}))).await,
        send(&app, directive("GetView", "not-a-token", wrapped)).await,
    ];
    let mut feedback = common::alexa::directive_in(
        "Alexa.UserPreference",
        "ReceiveFeedback",
        &token,
        json!({"currentItemReference": bare(&queue, &first), "feedback": {"type": "PREFERENCE", "value": "NEGATIVE"}}),
    );
    answers.push(send(&app, feedback.clone()).await);
    feedback["payload"]["feedback"]["value"] = json!("POSITIVE");
    answers.push(send(&app, feedback).await);
    let mut display = search(&token, json!([]), true);
    display["header"]["name"] = json!("GetDisplayableContent");
    answers.push(send(&app, display).await);
    for a in &answers {
        let errors: Vec<String> = validator.iter_errors(a).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{a}\n{errors:?}");
    }
    let names: Vec<&str> = answers
        .iter()
        .map(|a| a["header"]["name"].as_str().unwrap())
        .collect();
    for name in [
        "Initiate.Response",
        "GetNextItem.Response",
        "GetView.Response",
        "Response",
        "GetPreviousItem.Response",
        "GetPlayableContent.Response",
        "GetItem.Response",
        "ErrorResponse",
        "ReceiveFeedback.Response",
        "GetDisplayableContent.Response",
    ] {
        assert!(names.contains(&name), "{name} not among {names:?}");
    }
}
