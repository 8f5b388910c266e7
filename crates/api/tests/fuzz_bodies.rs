//! Bad input is a clear 4xx, never a 500: random JSON bodies (and random mutations of valid
//! ones) against every endpoint that takes a body.

mod common;

use common::TestApp;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-zA-Z0-9:._ -]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("mrn:1.0:catalog:track:asin:B084KVZP2G"),
            Just("mrn:1.0:catalog:album:asin:B084KYMDXT"),
            Just("SHUFFLE_ON"),
            Just("LOOP_ONE"),
            Just("start"),
            Just("stop"),
            Just("+02:00"),
            Just("AUTO"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        let keys = prop_oneof![
            Just("playParams".to_string()),
            Just("id".to_string()),
            Just("containerIds".to_string()),
            Just("playbackOptions".to_string()),
            Just("limit".to_string()),
            Just("metricId".to_string()),
            Just("event".to_string()),
            Just("events".to_string()),
            Just("type".to_string()),
            Just("options".to_string()),
            Just("loopMode".to_string()),
            Just("shuffleMode".to_string()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn random_bodies_never_cause_a_server_error() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(TestApp::new());
    let res = rt.block_on(app.album_session(&app.token, None, json!({"limit": 2})));
    let session = res.session_id();
    let metric = res.entity(0)["metricId"].clone();
    let paths = [
        ("POST", "/v1/playback/sessions".to_string()),
        (
            "POST",
            format!("/v1/playback/sessions/{session}/queue/next"),
        ),
        (
            "POST",
            format!("/v1/playback/sessions/{session}/queue/last"),
        ),
        ("PUT", format!("/v1/playback/sessions/{session}/loop")),
        ("PUT", format!("/v1/playback/sessions/{session}/shuffle")),
        ("POST", "/v1/playback/event".to_string()),
        ("POST", "/v1/playback/events".to_string()),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(
            &(0..paths.len(), json_value(), any::<bool>()),
            |(p, mut body, with_metric)| {
                // Half the time, plant a real metric id so validation goes deeper.
                if with_metric {
                    if let Some(obj) = body.as_object_mut() {
                        obj.insert("metricId".into(), metric.clone());
                    }
                }
                let (method, path) = &paths[p];
                let res = rt.block_on(
                    app.call(method.parse().unwrap(), path)
                        .json(body.clone())
                        .send(),
                );
                prop_assert!(
                    res.status.is_client_error() || res.status.is_success(),
                    "{method} {path} {body} -> {} {}",
                    res.status,
                    res.body
                );
                if res.status.is_client_error() {
                    prop_assert!(res.body["message"].as_str().is_some_and(|m| !m.is_empty()));
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Every `(path, value)` leaf and object of a JSON tree, by JSON pointer.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| pointers(x, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn mutated_directives_always_get_an_alexa_answer() {
    use common::alexa::{bare, directive_in, reference};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(TestApp::new());
    let res = rt.block_on(app.album_session(&app.token, None, json!({"limit": 2})));
    let (q, i) = (
        res.session_id(),
        res.entity(0)["entityReferenceId"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let t = &app.token;
    let templates = [
        directive_in(
            "Alexa.Media.Search",
            "GetPlayableContent",
            t,
            json!({
            "filters": {"explicitLanguageAllowed": true},
            "selectionCriteria": {"attributes": [{"type": "ALBUM", "entityId": "B084KYMDXT"},
                                                 {"type": "MEDIA_TYPE", "value": "STATION"}]}}),
        ),
        directive_in(
            "Alexa.Media.Playback",
            "Initiate",
            t,
            json!({
            "contentId": "mrn:1.0:catalog:album:asin:B084KYMDXT",
            "currentItemReference": reference(&q, &i),
            "playbackModes": {"shuffle": true, "loop": false, "repeat": {"status": "OFF"}}}),
        ),
        directive_in(
            "Alexa.Media.PlayQueue",
            "GetItem",
            t,
            json!({"targetItemReference": reference(&q, &i)}),
        ),
        directive_in(
            "Alexa.Media.PlayQueue",
            "GetView",
            t,
            json!({"currentItemReference": reference(&q, &i)}),
        ),
        directive_in(
            "Alexa.Media.PlayQueue",
            "SetShuffle",
            t,
            json!({"currentItemReference": reference(&q, &i), "enable": true}),
        ),
        directive_in(
            "Alexa.Media.PlayQueue",
            "SetLoop",
            t,
            json!({"currentItemReference": reference(&q, &i), "enable": true}),
        ),
        directive_in(
            "Alexa.Media.PlayQueue",
            "SetRepeat",
            t,
            json!({"currentItemReference": reference(&q, &i), "mode": {"status": "ON"}}),
        ),
        directive_in(
            "Alexa.Audio.PlayQueue",
            "GetNextItem",
            t,
            json!({"currentItemReference": bare(&q, &i), "isUserInitiated": true}),
        ),
        directive_in(
            "Alexa.Audio.PlayQueue",
            "GetPreviousItem",
            t,
            json!({"currentItemReference": bare(&q, &i)}),
        ),
        directive_in(
            "Alexa.Audio.PlayQueue",
            "JumpToItem",
            t,
            json!({"targetItemReference": bare(&q, &i)}),
        ),
        directive_in(
            "Alexa.UserPreference",
            "ReceiveFeedback",
            t,
            json!({
            "currentItemReference": reference(&q, &i), "feedback": {"type": "PREFERENCE", "value": "NEGATIVE"}}),
        ),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    runner
        .run(
            &(
                0..templates.len(),
                any::<prop::sample::Index>(),
                json_value(),
            ),
            |(d, at, value)| {
                let mut body = templates[d].clone();
                let mut spots = Vec::new();
                pointers(&body, String::new(), &mut spots);
                let spot = at.get(&spots).clone();
                match body.pointer_mut(&spot) {
                    Some(slot) if !spot.is_empty() => *slot = value,
                    _ => body = value,
                }
                let res = rt.block_on(app.post("/alexa").json(body.clone()).send());
                // 400 only for a body that is no directive, and then with Alexa's error shape.
                prop_assert!(matches!(res.status.as_u16(), 200 | 400), "{}", res.status);
                if res.status == 400 {
                    prop_assert_eq!(
                        (
                            &res.body["header"]["namespace"],
                            &res.body["payload"]["type"]
                        ),
                        (&json!("Alexa"), &json!("INVALID_DIRECTIVE"))
                    );
                    let envelope = ["namespace", "name", "messageId", "payloadVersion"]
                        .iter()
                        .all(|k| body["header"][k].as_str().is_some_and(|v| !v.is_empty()))
                        && body["payload"].is_object();
                    prop_assert!(!envelope, "a whole directive got 400: {}", body);
                }
                let header = &res.body["header"];
                prop_assert!(
                    header["namespace"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("Alexa"))
                        && header["name"]
                            .as_str()
                            .is_some_and(|n| n.ends_with("Response")),
                    "{} -> {}",
                    body,
                    res.body
                );
                prop_assert_ne!(res.body["payload"]["type"].as_str(), Some("INTERNAL_ERROR"));
                Ok(())
            },
        )
        .unwrap();
}
