//! Authentication, headers, documented bounds and every error path answer JSON per docs/api.md, "Errors".

mod common;

use common::TestApp;
use medley_core::policy::Tier;
use serde_json::json;

async fn session(app: &TestApp) -> (String, common::Res) {
    let res = app
        .album_session(&app.token, Some("B084KPC3Q7"), json!({}))
        .await;
    res.expect(200);
    (
        res.entity(0)["sessionId"].as_str().unwrap().to_string(),
        res,
    )
}

#[tokio::test]
async fn authentication_errors() {
    let app = TestApp::new().await;
    let path = "/v1/playback/sessions/active";
    app.get(path)
        .without("authorization")
        .send()
        .await
        .expect_error(401, "INVALID_AUTH_TYPE");
    app.get(path)
        .header("authorization", "Basic abc")
        .send()
        .await
        .expect_error(401, "INVALID_AUTH_TYPE");
    app.get(path)
        .header("authorization", "Bearer ")
        .send()
        .await
        .expect_error(401, "INVALID_AUTH_TOKEN");
    app.get(path)
        .token("Atza|nope")
        .send()
        .await
        .expect_error(401, "INVALID_AUTH_TOKEN");
    app.get(path)
        .without("x-api-key")
        .send()
        .await
        .expect_error(401, "INVALID_API_KEY");
    app.get(path)
        .header("x-api-key", "someone-else")
        .send()
        .await
        .expect_error(401, "INVALID_API_KEY");
    // The token without "Bearer ", as the spec's event examples send it.
    let bare = app.token.clone();
    app.get(path)
        .header("authorization", &bare)
        .send()
        .await
        .expect(200);
    // Header names are case-insensitive.
    app.get(path)
        .without("authorization")
        .header("AUTHORIZATION", &format!("bearer {bare}"))
        .send()
        .await
        .expect(200);
    app.advance_secs(31 * 24 * 3600);
    app.get(path)
        .send()
        .await
        .expect_error(401, "INVALID_ACCESS_TOKEN");
}

#[tokio::test]
async fn a_runaway_client_is_throttled() {
    let app = TestApp::with_settings(medley_service::Settings {
        rate_limit_per_sec: 2,
        ..Default::default()
    })
    .await;
    let path = "/v1/playback/sessions/active";
    for _ in 0..4 {
        app.get(path).send().await.expect(200);
    }
    let res = app.get(path).send().await;
    res.expect_error(429, "THROTTLED");
    // Another user's token has its own budget; this one recovers with time.
    let other = app.user(Tier::Unlimited, 1).await;
    app.get(path).token(&other).send().await.expect(200);
    app.advance_secs(1);
    app.get(path).send().await.expect(200);
}

#[tokio::test]
async fn scopes_are_checked() {
    let app = TestApp::new().await;
    let token = app
        .scoped_token(medley_service::demo::DEMO_USER, &["music::profile"])
        .await;
    app.get("/v1/playback/sessions/active")
        .token(&token)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.album_session(&token, None, json!({}))
        .await
        .expect_error(403, "ACCESS_DENIED");
    // A scope grants its read form: music::library reads what music::library:read does.
    let writer = app
        .scoped_token(medley_service::demo::DEMO_USER, &["music::library"])
        .await;
    app.get("/v1/me/playlists")
        .token(&writer)
        .send()
        .await
        .expect(200);
    let reader = app
        .scoped_token(medley_service::demo::DEMO_USER, &["music::library:read"])
        .await;
    app.post("/v1/playlists")
        .token(&reader)
        .json(json!({"title": "Nope"}))
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
}

#[tokio::test]
async fn device_id_is_required_where_the_examples_send_it() {
    let app = TestApp::new().await;
    let (id, res) = session(&app).await;
    let entity = res.entity(1)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    let create = app
        .post("/v1/playback/sessions")
        .without("x-amzn-device-id")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}}))
        .send()
        .await;
    create.expect_error(400, "BAD_REQUEST");
    assert!(create.body["message"]
        .as_str()
        .unwrap()
        .contains("X-Amzn-Device-Id"));
    for path in [
        format!("/v1/playback/sessions/{id}/current"),
        format!("/v1/playback/sessions/{id}/next"),
        format!("/v1/playback/sessions/{id}/previous"),
        format!("/v1/playback/sessions/{id}/queue"),
        format!("/v1/playback/sessions/{id}/entities/{entity}"),
    ] {
        app.get(&path)
            .without("x-amzn-device-id")
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
        app.get(&path).send().await.expect(200);
    }
    let ev = common::start_event(res.entity(0));
    app.post("/v1/playback/event")
        .without("x-amzn-device-id")
        .json(ev)
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    // Queue next/last, loop, shuffle and active sessions work without it (and without Content-Type).
    let track = json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KPC3Q7"}});
    for (path, body, status) in [
        (
            format!("/v1/playback/sessions/{id}/queue/next"),
            track.clone(),
            201,
        ),
        (
            format!("/v1/playback/sessions/{id}/queue/last"),
            track.clone(),
            201,
        ),
    ] {
        app.post(&path)
            .without("x-amzn-device-id")
            .without("content-type")
            .json(body)
            .send()
            .await
            .expect(status);
    }
    app.put(&format!("/v1/playback/sessions/{id}/loop"))
        .without("x-amzn-device-id")
        .without("content-type")
        .json(json!({"loopMode": "LOOP_ALL"}))
        .send()
        .await
        .expect(200);
    app.put(&format!("/v1/playback/sessions/{id}/shuffle"))
        .without("x-amzn-device-id")
        .without("content-type")
        .json(json!({"shuffleMode": "SHUFFLE_ON"}))
        .send()
        .await
        .expect(200);
    app.get("/v1/playback/sessions/active")
        .without("x-amzn-device-id")
        .send()
        .await
        .expect(200);
}

#[tokio::test]
async fn create_limit_is_one_to_eleven() {
    let app = TestApp::new().await;
    for bad in [
        json!(0),
        json!(12),
        json!(-1),
        json!("5"),
        json!(5.5),
        json!(true),
    ] {
        app.album_session(&app.token, None, json!({"limit": bad}))
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    let one = app
        .album_session(&app.token, None, json!({"limit": 1}))
        .await;
    assert_eq!(one.expect(200).titles().len(), 1);
    assert_eq!(one.data()["pageInfo"]["hasNextPage"], true);
    let all = app
        .album_session(
            &app.token,
            None,
            json!({"limit": 11, "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_ON"}}),
        )
        .await;
    assert_eq!(all.expect(200).titles().len(), 11);
}

#[tokio::test]
async fn list_limits_are_one_to_ten() {
    let app = TestApp::new().await;
    let (id, res) = session(&app).await;
    let entity = res.entity(0)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    for base in [
        format!("/v1/playback/sessions/{id}/next"),
        format!("/v1/playback/sessions/{id}/previous"),
        format!("/v1/playback/sessions/{id}/queue"),
        format!("/v1/playback/sessions/{id}/entities/{entity}"),
    ] {
        for bad in ["0", "11", "-2", "x", "1.5", ""] {
            app.get(&format!("{base}?limit={bad}"))
                .send()
                .await
                .expect_error(400, "BAD_REQUEST");
        }
        app.get(&format!("{base}?limit=1&limit=2"))
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
        app.get(&format!("{base}?limit=10"))
            .send()
            .await
            .expect(200);
        app.get(&format!("{base}?limit=1")).send().await.expect(200);
    }
}

#[tokio::test]
async fn bad_bodies_are_400_never_500() {
    let app = TestApp::new().await;
    let create = |body: &str| app.post("/v1/playback/sessions").raw(body).send();
    for body in [
        "",
        "not json",
        "[]",
        "{}",
        r#"{"playParams": 5}"#,
        r#"{"playParams": {}}"#,
        r#"{"playParams": {"id": 7}}"#,
        r#"{"playParams": {"id": "B084KVZP2G"}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:podcast:asin:X"}}"#,
        r#"{"playParams": {"containerIds": "mrn:1.0:catalog:album:asin:B084KYMDXT"}}"#,
        r#"{"playParams": {"containerIds": ["mrn:1.0:catalog:album:asin:B084KYMDXT", "mrn:1.0:catalog:album:asin:B0BS2SB6RC"]}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "playbackOptions": {"shuffleMode": "YES"}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "playbackOptions": {"loopMode": "LOOP_ALL"}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "playbackOptions": {"startAsStation": "yes"}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "playbackOptions": {"playbackContinuationMode": 1}}"#,
    ] {
        let res = create(body).await;
        assert_eq!(res.status, 400, "{body}: {}", res.body);
        assert_eq!(res.code(), "BAD_REQUEST");
    }
    // A track that is not in the album named is not found there.
    let msg = create(r#"{"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN", "containerIds": ["mrn:1.0:catalog:album:asin:B084KYMDXT"]}}"#).await;
    msg.expect_error(404, "RESOURCE_NOT_FOUND");
    assert!(msg.body["message"].as_str().unwrap().contains("B0BS2S4WXN"));
    for body in [
        r#"{"playParams": {"id": "mrn:1.0:catalog:album:asin:NOPE"}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:track:asin:NOPE"}}"#,
        r#"{"playParams": {"containerIds": ["mrn:1.0:catalog:track:asin:B084KVZP2G", "mrn:1.0:catalog:track:asin:NOPE"]}}"#,
        r#"{"playParams": {"id": "mrn:1.0:catalog:station:asin:NOPE"}}"#,
    ] {
        create(body).await.expect_error(404, "RESOURCE_NOT_FOUND");
    }
    let big = format!(r#"{{"pad": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    create(&big).await.expect_error(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn unknown_routes_methods_and_ids() {
    let app = TestApp::new().await;
    app.get("/v1/nothing")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    let m = app
        .call(axum::http::Method::DELETE, "/v1/playback/sessions")
        .send()
        .await;
    assert_eq!(m.status, 405);
    assert!(m.body["reference"].is_string());
    app.get("/v1/playback/sessions/not-a-uuid/current")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    let missing = uuid::Uuid::new_v4();
    app.get(&format!("/v1/playback/sessions/{missing}/current"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    let (id, _) = session(&app).await;
    let other = uuid::Uuid::new_v4();
    app.get(&format!("/v1/playback/sessions/{id}/entities/{other}"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.get(&format!("/v1/playback/sessions/{id}/entities/zzz"))
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
}

#[tokio::test]
async fn mutation_bodies_are_validated() {
    let app = TestApp::new().await;
    let (id, _) = session(&app).await;
    let q = format!("/v1/playback/sessions/{id}/queue/next");
    for body in [
        json!({}),
        json!({"playParams": {}}),
        json!({"playParams": {"id": "nope"}}),
        json!({"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}}),
    ] {
        app.post(&q)
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    app.post(&q)
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:NOPE"}}))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    let l = format!("/v1/playback/sessions/{id}/loop");
    for body in [
        json!({}),
        json!({"loopMode": "LOOP_ON"}),
        json!({"loopMode": 1}),
    ] {
        app.put(&l)
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    let s = format!("/v1/playback/sessions/{id}/shuffle");
    for body in [json!({}), json!({"shuffleMode": "ON"})] {
        app.put(&s)
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
}

#[tokio::test]
async fn another_users_session_is_not_found() {
    let app = TestApp::new().await;
    let (id, res) = session(&app).await;
    let other = app.user(Tier::Unlimited, 1).await;
    for path in ["current", "next", "previous", "queue"] {
        app.get(&format!("/v1/playback/sessions/{id}/{path}"))
            .token(&other)
            .send()
            .await
            .expect_error(404, "RESOURCE_NOT_FOUND");
    }
    app.post(&format!("/v1/playback/sessions/{id}/queue/next"))
        .token(&other)
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KPC3Q7"}}))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.put(&format!("/v1/playback/sessions/{id}/loop"))
        .token(&other)
        .json(json!({"loopMode": "LOOP_ONE"}))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.put(&format!("/v1/playback/sessions/{id}/shuffle"))
        .token(&other)
        .json(json!({"shuffleMode": "SHUFFLE_ON"}))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    // Their metricId is refused too, and nothing of theirs shows in our active sessions.
    app.post("/v1/playback/event")
        .token(&other)
        .json(common::start_event(res.entity(0)))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    let active = app
        .get("/v1/playback/sessions/active")
        .token(&other)
        .send()
        .await;
    assert_eq!(active.expect(200).data()["sessions"], json!([]));
    // The owner's session is untouched.
    let cur = app
        .get(&format!("/v1/playback/sessions/{id}/current"))
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["loopMode"], "LOOP_OFF");
}
