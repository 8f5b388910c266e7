//! Playback events and stream concurrency (docs/api.md, "Events and streams").

mod common;

use common::{start_event, stop_event, Res, TestApp};
use medley_core::policy::Tier;
use serde_json::{json, Value};

async fn current(app: &TestApp, token: &str, id: &str) -> Res {
    let r = app
        .get(&format!("/v1/playback/sessions/{id}/current"))
        .token(token)
        .send()
        .await;
    r.expect(200);
    r
}

#[tokio::test]
async fn events_are_validated_field_by_field() {
    let app = TestApp::new().await;
    let res = app.album_session(&app.token, None, json!({})).await;
    let e = res.entity(0);
    let ok = start_event(e);
    let mutate = |f: &dyn Fn(&mut Value)| {
        let mut v = ok.clone();
        f(&mut v);
        v
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            mutate(&|v| {
                v.as_object_mut().unwrap().remove("metricId");
            }),
            "metricId",
        ),
        (
            mutate(&|v| {
                v.as_object_mut().unwrap().remove("event");
            }),
            "event",
        ),
        (
            mutate(&|v| v["event"]["type"] = json!("pause")),
            "event.type",
        ),
        (
            mutate(&|v| {
                v["event"]
                    .as_object_mut()
                    .unwrap()
                    .remove("clientTimestampInMilliseconds");
            }),
            "clientTimestampInMilliseconds",
        ),
        (
            mutate(&|v| v["event"]["deviceTimezone"] = json!("CET")),
            "deviceTimezone",
        ),
        (
            mutate(&|v| v["event"]["playbackCurrentSpeed"] = json!(0)),
            "playbackCurrentSpeed",
        ),
        (
            mutate(&|v| v["options"] = json!({"takeOverType": "SOMETIMES"})),
            "takeOverType",
        ),
    ];
    for (body, needle) in cases {
        let r = app
            .post("/v1/playback/event")
            .json(body.clone())
            .send()
            .await;
        r.expect_error(400, "BAD_REQUEST");
        assert!(
            r.body["message"].as_str().unwrap().contains(needle),
            "{needle}: {}",
            r.body
        );
    }
    // An offset past the track's end: a well-formed event that does not fit its track.
    let r = app
        .post("/v1/playback/event")
        .json(mutate(&|v| {
            v["event"]["playbackStartAbsoluteOffsetMilliseconds"] = json!(310_000)
        }))
        .send()
        .await;
    r.expect_error(409, "CONFLICT");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("beyond the end"));
    // A metricId Medley never handed out names nothing (404), as another user's does.
    for (metric, needle) in [("{}", "playQueueId"), ("garbage", "metricId")] {
        let r = app
            .post("/v1/playback/event")
            .json(mutate(&|v| v["metricId"] = json!(metric)))
            .send()
            .await;
        r.expect_error(404, "RESOURCE_NOT_FOUND");
        assert!(
            r.body["message"].as_str().unwrap().contains(needle),
            "{}",
            r.body
        );
    }
    let mut stop = stop_event(e, "bored", 10);
    app.post("/v1/playback/event")
        .json(stop.clone())
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    stop["event"]["terminationReason"] = json!("userStop");
    stop["event"]["entityProgressSeconds"] = json!(400);
    app.post("/v1/playback/event")
        .json(stop)
        .send()
        .await
        .expect_error(409, "CONFLICT");
    // A metricId whose entity plays another track.
    let mut wrong: Value = serde_json::from_str(e["metricId"].as_str().unwrap()).unwrap();
    wrong["entityId"] = json!("B0BS2S4WXN");
    let body = json!({"metricId": wrong.to_string(), "event": ok["event"]});
    app.post("/v1/playback/event")
        .json(body)
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    // An entity that is not in the session.
    let mut foreign = wrong.clone();
    foreign["entityId"] = e["track"]["id"].clone();
    foreign["playbackInstanceId"] = json!(uuid::Uuid::new_v4());
    let body = json!({"metricId": foreign.to_string(), "event": ok["event"]});
    app.post("/v1/playback/event")
        .json(body)
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    // Nothing of this changed the session.
    assert_eq!(
        current(&app, &app.token, &res.session_id()).await.data()["metadata"]["playbackState"],
        "STOPPED"
    );
}

#[tokio::test]
async fn batches_apply_all_or_nothing() {
    let app = TestApp::new().await;
    let res = app
        .album_session(&app.token, None, json!({"limit": 4}))
        .await;
    let id = res.session_id();
    let good = start_event(res.entity(2));
    let mut bad = start_event(res.entity(3));
    bad["event"]["deviceTimezone"] = json!("nowhere");
    let r = app
        .post("/v1/playback/events")
        .json(json!({"events": [good, bad]}))
        .send()
        .await;
    r.expect_error(400, "BAD_REQUEST");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .starts_with("events[1].event.deviceTimezone"));
    let cur = current(&app, &app.token, &id).await;
    assert_eq!(
        cur.track_ids(),
        ["B084KVZP2G"],
        "the valid first event was not applied either"
    );
    for body in [
        json!({}),
        json!({"events": []}),
        json!({"events": {}}),
        json!({"events": [1]}),
    ] {
        app.post("/v1/playback/events")
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    let many: Vec<Value> = (0..101).map(|_| start_event(res.entity(0))).collect();
    app.post("/v1/playback/events")
        .json(json!({"events": many}))
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    // A valid batch: the last start wins.
    let batch = json!({"events": [start_event(res.entity(1)), stop_event(res.entity(1), "trackFinished", 222), start_event(res.entity(2))]});
    app.post("/v1/playback/events")
        .json(batch)
        .send()
        .await
        .expect(201);
    let cur = current(&app, &app.token, &id).await;
    assert_eq!(cur.track_ids(), ["B084KMZM11"]);
    let prev = app
        .get(&format!("/v1/playback/sessions/{id}/previous"))
        .send()
        .await;
    assert_eq!(prev.track_ids(), ["B084KPC3Q7"]);
}

#[tokio::test]
async fn retried_events_count_once() {
    let app = TestApp::new().await;
    let free = app.user(Tier::Free, 1).await;
    let res = app.album_session(&free, None, json!({"limit": 3})).await;
    let id = res.session_id();
    let start = start_event(res.entity(0));
    let skip = stop_event(res.entity(0), "userNext", 3);
    for _ in 0..3 {
        app.post("/v1/playback/event")
            .token(&free)
            .json(start.clone())
            .send()
            .await
            .expect(201);
        app.post("/v1/playback/event")
            .token(&free)
            .json(skip.clone())
            .send()
            .await
            .expect(201);
    }
    app.post("/v1/playback/events")
        .token(&free)
        .json(json!({"events": [skip.clone(), skip]}))
        .send()
        .await
        .expect(201);
    let cur = current(&app, &free, &id).await;
    assert_eq!(cur.entity(0)["actions"]["next"]["remainingSkips"], 5);
}

#[tokio::test]
async fn concurrency_and_take_over() {
    let app = TestApp::new().await;
    let phone = app.album_session(&app.token, None, json!({})).await;
    let speaker = app
        .post("/v1/playback/sessions")
        .header("x-amzn-device-id", "speaker")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:album:asin:B08KBXTZ7X"}}))
        .send()
        .await;
    speaker.expect(200);
    let ev = |res: &Res, take_over: Option<&str>| {
        let mut e = start_event(res.entity(0));
        if let Some(t) = take_over {
            e["options"] = json!({"takeOverType": t});
        }
        e
    };
    app.post("/v1/playback/event")
        .json(ev(&phone, None))
        .send()
        .await
        .expect(201);
    let speaker_start = |t: Option<&str>| {
        app.post("/v1/playback/event")
            .header("x-amzn-device-id", "speaker")
            .json(ev(&speaker, t))
            .send()
    };
    let r = speaker_start(None).await;
    r.expect_error(422, "MAX_CONCURRENCY_REACHED");
    assert_eq!(
        r.body["message"],
        "Maximum number of concurrent listening is reached."
    );
    speaker_start(Some("FORCE")).await.expect(201);
    // The phone learns it lost the stream, and its next plain start is refused.
    let cur = current(&app, &app.token, &phone.session_id()).await;
    assert_eq!(cur.data()["metadata"]["playbackState"], "STOPPED");
    app.post("/v1/playback/event")
        .json(ev(&phone, None))
        .send()
        .await
        .expect_error(422, "MAX_CONCURRENCY_REACHED");
    // AUTO takes over a stream that FORCE established...
    app.post("/v1/playback/event")
        .json(ev(&phone, Some("AUTO")))
        .send()
        .await
        .expect(201);
    // ...but not one that AUTO took over less than ten seconds ago.
    app.advance_secs(5);
    let r = speaker_start(Some("AUTO")).await;
    r.expect_error(422, "TAKE_OVER_DEVICE_STREAMING_ERROR");
    assert_eq!(r.body["message"], "Failed to take over device streaming.");
    app.advance_secs(6);
    speaker_start(Some("AUTO")).await.expect(201);
    // A stopped stream frees the slot.
    app.post("/v1/playback/event")
        .header("x-amzn-device-id", "speaker")
        .json(stop_event(speaker.entity(0), "userStop", 10))
        .send()
        .await
        .expect(201);
    // Nothing streams now: the phone that lost its stream starts again without a take-over.
    let cur = current(&app, &app.token, &phone.session_id()).await;
    assert_eq!(cur.data()["metadata"]["playbackState"], "STOPPED");
    app.post("/v1/playback/event")
        .json(ev(&phone, None))
        .send()
        .await
        .expect(201);
}

#[tokio::test]
async fn streams_end_with_the_track_and_limits_follow_max_streams() {
    let app = TestApp::new().await;
    let family = app.user(Tier::Unlimited, 2).await;
    let mut sessions = Vec::new();
    for device in ["a", "b", "c"] {
        let r = app
            .post("/v1/playback/sessions")
            .token(&family)
            .header("x-amzn-device-id", device)
            .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B08KC1C6BF"}}))
            .send()
            .await;
        r.expect(200);
        sessions.push(r);
    }
    let start = |i: usize| {
        app.post("/v1/playback/event")
            .token(&family)
            .header("x-amzn-device-id", ["a", "b", "c"][i])
            .json(start_event(sessions[i].entity(0)))
            .send()
    };
    start(0).await.expect(201);
    start(1).await.expect(201);
    start(2).await.expect_error(422, "MAX_CONCURRENCY_REACHED");
    // Cornfield Chase lasts 127 s; after it and the grace period the streams have ended.
    app.advance_secs(127 + 31);
    start(2).await.expect(201);
}

/// Two devices racing to start never both stream: in every round exactly one start wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_devices_never_both_stream() {
    let app = std::sync::Arc::new(TestApp::new().await);
    for round in 0..20 {
        let token = app.user(Tier::Unlimited, 1).await;
        let mut sessions = Vec::new();
        for device in ["left", "right"] {
            let r = app
                .post("/v1/playback/sessions")
                .token(&token)
                .header("x-amzn-device-id", device)
                .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN"}}))
                .send()
                .await;
            sessions.push(r.entity(0).clone());
        }
        let mut tasks = Vec::new();
        for (i, device) in ["left", "right"].into_iter().enumerate() {
            let app = app.clone();
            let token = token.clone();
            let entity = sessions[i].clone();
            tasks.push(tokio::spawn(async move {
                app.post("/v1/playback/event")
                    .token(&token)
                    .header("x-amzn-device-id", device)
                    .json(start_event(&entity))
                    .send()
                    .await
                    .status
                    .as_u16()
            }));
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        codes.sort();
        assert_eq!(codes, [201, 422], "round {round}");
    }
}
