//! Tier policy (docs/api.md, "Tiers"): actions, skip counting over a rolling hour, augmented shuffle,
//! quality gating.

mod common;

use common::{start_event, stop_event, TestApp};
use medley_core::policy::Tier;
use serde_json::{json, Value};

fn metric(e: &Value) -> Value {
    serde_json::from_str(e["metricId"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn prime_gets_the_spec_actions_and_augmented_shuffle() {
    let app = TestApp::new().await;
    let prime = app.user(Tier::Prime, 1).await;
    let res = app
        .album_session(&prime, Some("B084KVZP2G"), json!({"limit": 9}))
        .await;
    res.expect(200);
    let a = &res.entity(0)["actions"];
    assert_eq!(a["next"], json!({"isAllowed": true, "remainingSkips": 6}));
    assert_eq!(
        a["previous"],
        json!({"isAllowed": false, "disableType": "FEATURE_NOT_AVAILABLE"})
    );
    assert_eq!(
        a["scrubForward"],
        json!({"isAllowed": false, "disableType": "FEATURE_NOT_AVAILABLE"})
    );
    assert_eq!(a["rate"], json!({"isAllowed": true}));
    for k in [
        "loopOne",
        "loopAll",
        "shuffle",
        "queueMutations",
        "queueView",
    ] {
        assert_eq!(a[k], json!({"isAllowed": false}), "{k}");
    }
    let m = metric(res.entity(0));
    assert_eq!(m["resourceType"], "PRIME_MUSIC");
    assert_eq!(m["fulfillmentSourceType"], "AUGMENTED_SHUFFLE");
    assert_eq!(m["isOnDemandQueue"], "false");
    assert!(m.get("trackCount").is_none());
    // The whole album is there, each track once, in a shuffled order.
    let mut ids = res.track_ids();
    ids.sort();
    let mut album = common::SPEC_ALBUM.to_vec();
    album.sort();
    assert_eq!(ids, album);
    let id = res.entity(0)["sessionId"].as_str().unwrap();
    app.get(&format!("/v1/playback/sessions/{id}/previous"))
        .token(&prime)
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.get(&format!("/v1/playback/sessions/{id}/queue"))
        .token(&prime)
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.put(&format!("/v1/playback/sessions/{id}/shuffle"))
        .token(&prime)
        .json(json!({"shuffleMode": "SHUFFLE_ON"}))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.put(&format!("/v1/playback/sessions/{id}/loop"))
        .token(&prime)
        .json(json!({"loopMode": "LOOP_ONE"}))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.post(&format!("/v1/playback/sessions/{id}/queue/last"))
        .token(&prime)
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KPC3Q7"}}))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.album_session(
        &prime,
        None,
        json!({"playbackOptions": {"loopMode": "LOOP_ON"}}),
    )
    .await
    .expect_error(403, "ACTION_NOT_ALLOWED");
}

#[tokio::test]
async fn prime_skips_count_down_over_a_rolling_hour() {
    let app = TestApp::new().await;
    let free = app.user(Tier::Free, 1).await;
    let res = app
        .album_session(
            &free,
            None,
            json!({"limit": 11, "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_ON"}}),
        )
        .await;
    res.expect(200);
    let id = res.entity(0)["sessionId"].as_str().unwrap().to_string();
    async fn remaining(app: &TestApp, token: &str, id: &str) -> Value {
        let cur = app
            .get(&format!("/v1/playback/sessions/{id}/current"))
            .token(token)
            .send()
            .await;
        cur.entity(0)["actions"]["next"].clone()
    }
    for i in 0..6 {
        let e = res.entity(i);
        app.post("/v1/playback/event")
            .token(&free)
            .json(start_event(e))
            .send()
            .await
            .expect(201);
        app.post("/v1/playback/event")
            .token(&free)
            .json(stop_event(e, "userNext", 5))
            .send()
            .await
            .expect(201);
        app.advance_secs(60);
        assert_eq!(
            remaining(&app, &free, &id).await["remainingSkips"],
            5 - i as i64
        );
    }
    assert_eq!(
        remaining(&app, &free, &id).await,
        json!({"isAllowed": false, "remainingSkips": 0, "disableType": "NO_MORE_SKIPS"})
    );
    let e = res.entity(6);
    app.post("/v1/playback/event")
        .token(&free)
        .json(start_event(e))
        .send()
        .await
        .expect(201);
    app.post("/v1/playback/event")
        .token(&free)
        .json(stop_event(e, "userNext", 5))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    // A track that finishes is not a skip.
    app.post("/v1/playback/event")
        .token(&free)
        .json(stop_event(e, "trackFinished", 5))
        .send()
        .await
        .expect(201);
    // An hour after the first skip, one skip is back.
    app.advance_secs(3600 - 6 * 60 + 1);
    assert_eq!(
        remaining(&app, &free, &id).await,
        json!({"isAllowed": true, "remainingSkips": 1})
    );
    // Scrubbing and previous are not in the tier.
    app.post("/v1/playback/event")
        .token(&free)
        .json(stop_event(e, "trackScrub", 5))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.post("/v1/playback/event")
        .token(&free)
        .json(stop_event(e, "userPrev", 5))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
}
