//! `/metrics`: requests by route and status, events accepted and refused by reason, live
//! streams, the store writer and the transcoder, in the Prometheus text format. One test: the
//! recorder is the process's, so the counts are read as differences within it.

mod common;

use common::{start_event, TestApp};
use serde_json::json;

/// The value of the sample `name{labels}` (labels as rendered, in order), or 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            (name == series).then(|| value.parse().unwrap())
        })
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let (status, headers, body) = app
        .get("/metrics")
        .without("authorization")
        .without("x-api-key")
        .send_raw()
        .await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    String::from_utf8(body.to_vec()).unwrap()
}

const CREATED: &str = r#"medley_http_request_duration_seconds_count{route="/v1/playback/sessions",method="POST",status="200"}"#;
const CURRENT_404: &str = r#"medley_http_request_duration_seconds_count{route="/v1/playback/sessions/{sessionId}/current",method="GET",status="404"}"#;
const UNMATCHED: &str =
    r#"medley_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}"#;
const ACCEPTED: &str = "medley_playback_events_accepted_total";
const BAD: &str = r#"medley_playback_events_refused_total{reason="BAD_REQUEST"}"#;
const NOT_FOUND: &str = r#"medley_playback_events_refused_total{reason="RESOURCE_NOT_FOUND"}"#;

#[tokio::test]
async fn metrics_count_requests_events_streams_and_the_store() {
    let app = TestApp::new().await;
    let before = scrape(&app).await;

    let session = app.album_session(&app.token, None, json!({})).await;
    session.expect(200);
    let entity = &session.body["data"]["entities"][0];
    app.post("/v1/playback/event")
        .json(start_event(entity))
        .send()
        .await
        .expect(201);
    let mut two = start_event(entity);
    two["event"]["clientTimestampInMilliseconds"] = json!(1);
    app.post("/v1/playback/events")
        .json(json!({"events": [two.clone(), two]}))
        .send()
        .await
        .expect(201);
    app.post("/v1/playback/event")
        .json(json!({"metricId": 1, "event": {"type": "start"}}))
        .send()
        .await
        .expect(400);
    let unknown = uuid::Uuid::new_v4();
    app.get(&format!("/v1/playback/sessions/{unknown}/current"))
        .send()
        .await
        .expect(404);
    app.get("/v1/no/such/thing").send().await.expect(404);

    let after = scrape(&app).await;
    let grew = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(grew(CREATED), 1.0, "{after}");
    // A route's template, never the ids in its path.
    assert_eq!(grew(CURRENT_404), 1.0, "{after}");
    assert!(!after.contains(&unknown.to_string()));
    assert_eq!(grew(UNMATCHED), 1.0, "{after}");
    assert_eq!(grew(ACCEPTED), 3.0, "{after}");
    assert_eq!(grew(BAD), 1.0, "{after}");

    // Events of a session that is not the caller's are refused as not found.
    let stranger = app.user(medley_core::policy::Tier::Unlimited, 1).await;
    app.post("/v1/playback/event")
        .token(&stranger)
        .json(start_event(entity))
        .send()
        .await
        .expect(404);
    assert_eq!(
        sample(&scrape(&app).await, NOT_FOUND) - sample(&before, NOT_FOUND),
        1.0
    );

    // The started track streams until it should have ended, plus the grace period.
    assert_eq!(sample(&after, "medley_live_streams"), 1.0, "{after}");
    app.advance_secs(24 * 3600);
    assert_eq!(sample(&scrape(&app).await, "medley_live_streams"), 0.0);

    // Every write went through the writer's group commits.
    assert!(
        sample(&after, "medley_store_commit_seconds_count") >= 3.0,
        "{after}"
    );
    assert!(after.contains("medley_store_commit_seconds_bucket{le=\"0.001\"}"));
    assert_eq!(sample(&after, "medley_store_write_queue_depth"), 0.0);
    assert_eq!(sample(&after, "medley_transcodes_running"), 0.0);
    assert!(after.contains("# TYPE medley_transcode_cache_bytes gauge"));
    assert!(after.contains("# HELP medley_http_request_duration_seconds HTTP requests"));
}
