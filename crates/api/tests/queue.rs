//! Queue semantics through the HTTP API (docs/api.md, "Queues").

mod common;

use common::{start_event, stop_event, Res, TestApp};
use serde_json::{json, Value};

const ALBUM: [&str; 9] = common::SPEC_ALBUM;

async fn next(app: &TestApp, id: &str, limit: usize) -> Res {
    let r = app
        .get(&format!("/v1/playback/sessions/{id}/next?limit={limit}"))
        .send()
        .await;
    r.expect(200);
    r
}

async fn start(app: &TestApp, entity: &Value) {
    app.post("/v1/playback/event")
        .json(start_event(entity))
        .send()
        .await
        .expect(201);
}

#[tokio::test]
async fn create_shapes_match_the_spec() {
    let app = TestApp::new().await;
    let res = app
        .album_session(&app.token, Some("B084KPC3Q7"), json!({"limit": 3}))
        .await;
    res.expect(200);
    assert_eq!(res.track_ids(), ["B084KPC3Q7", "B084KMZM11", "B084KW75Z6"]);
    let d = res.data();
    assert_eq!(
        d.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["pageInfo", "entities", "metadata"]
    );
    assert_eq!(d["pageInfo"], json!({"hasNextPage": true}));
    assert_eq!(
        d["metadata"],
        json!({"loopMode": "LOOP_OFF", "shuffleMode": "SHUFFLE_OFF", "playbackState": "STOPPED"})
    );
    let e = res.entity(0);
    let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "sessionId",
            "entityReferenceId",
            "metricId",
            "actions",
            "track"
        ]
    );
    let metric: Value = serde_json::from_str(e["metricId"].as_str().unwrap()).unwrap();
    assert_eq!(metric["entityId"], "B084KPC3Q7");
    assert_eq!(metric["playbackInstanceId"], e["entityReferenceId"]);
    assert_eq!(metric["playQueueId"], e["sessionId"]);
    assert_eq!(metric["selectionSourceId"], "B084KYMDXT");
    assert_eq!(metric["selectionSourceType"], "ALBUM");
    assert_eq!(metric["resourceType"], "UNLIMITED_MUSIC");
    assert_eq!(e["actions"].as_object().unwrap().len(), 10);
    let t = &e["track"];
    for k in [
        "id",
        "_type",
        "mediaType",
        "url",
        "playbackInformation",
        "title",
        "subtitle",
        "isrc",
        "images",
        "duration",
        "album",
        "artists",
    ] {
        assert!(t.get(k).is_some(), "track.{k} missing: {t}");
    }
    assert_eq!(t["_type"], "Track");
    assert_eq!(t["subtitle"], "The Strokes - The New Abnormal [Explicit]");
    assert_eq!(
        t["album"],
        json!({"id": "B084KYMDXT", "title": "The New Abnormal [Explicit]"})
    );
    assert_eq!(
        t["artists"],
        json!([{"id": "B00G70DLAS", "name": "The Strokes"}])
    );
    let pi = &t["playbackInformation"];
    assert!(
        pi.get("licenseHeaders").is_none() && pi["licenseUrl"].is_null(),
        "a clear stream claims no DRM: {pi}"
    );
    // The demo catalog has no audio files: their generated tunes play, as DASH where ffmpeg
    // can pack them, else as they are.
    let url = pi["url"].as_str().unwrap();
    if medley_loadgen::audio::ffmpeg_available() {
        assert_eq!(pi["protocol"], "DASH");
        assert_eq!(pi["format"], "OPUS");
        assert!(url.contains("/manifest.mpd?as=dash-hires&"), "{url}");
        assert_eq!(metric["streamOrDRMTech"], "DASH");
    } else {
        assert_eq!(pi["protocol"], "PROGRESSIVE");
        assert!(url.contains("?as=original&"), "{url}");
    }
    // Entity reference ids are distinct UUIDs.
    let ids: std::collections::HashSet<&str> = (0..3)
        .map(|i| res.entity(i)["entityReferenceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn play_params_forms() {
    let app = TestApp::new().await;
    let create = |body: Value| app.post("/v1/playback/sessions").json(body).send();
    // A track alone plays that track.
    let r = create(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN"}, "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}})).await;
    assert_eq!(r.expect(200).track_ids(), ["B0BS2S4WXN"]);
    assert_eq!(r.data()["pageInfo"]["hasNextPage"], false);
    // A container as the id, or containerIds alone, starts at its first track.
    let r = create(
        json!({"playParams": {"id": "mrn:1.0:catalog:playlist:asin:B01LS62KK2"}, "limit": 2}),
    )
    .await;
    assert_eq!(r.expect(200).titles(), ["Bohemian Rhapsody", "Dreams"]);
    let r = create(json!({"playParams": {"containerIds": ["mrn:1.0:catalog:album:asin:B08KBXTZ7X"]}, "limit": 1})).await;
    assert_eq!(r.expect(200).titles(), ["Cornfield Chase"]);
    // A list of tracks, starting inside it.
    let r = create(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B08KC1C6BF", "containerIds": [
        "mrn:1.0:catalog:track:asin:B0BS2S4WXN", "mrn:1.0:catalog:track:asin:B08KC1C6BF", "mrn:1.0:catalog:track:asin:B084KVZP2G"]},
        "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}})).await;
    assert_eq!(r.expect(200).track_ids(), ["B08KC1C6BF", "B084KVZP2G"]);
    // An artist plays their tracks.
    let r =
        create(json!({"playParams": {"id": "mrn:1.0:catalog:artist:asin:B000QJK5EQ"}, "limit": 2}))
            .await;
    assert_eq!(r.expect(200).titles(), ["Cornfield Chase", "Dust"]);
    let metric: Value = serde_json::from_str(r.entity(0)["metricId"].as_str().unwrap()).unwrap();
    assert_eq!(metric["selectionSourceType"], "ARTIST");
}

#[tokio::test]
async fn current_follows_start_events_and_previous_follows_history() {
    let app = TestApp::new().await;
    let res = app
        .album_session(&app.token, None, json!({"limit": 4}))
        .await;
    let id = res.session_id();
    // Before any start, current is the first entity.
    let cur = app
        .get(&format!("/v1/playback/sessions/{id}/current"))
        .send()
        .await;
    assert_eq!(cur.expect(200).track_ids(), [ALBUM[0]]);
    assert!(cur.data().get("pageInfo").is_none());
    start(&app, res.entity(0)).await;
    start(&app, res.entity(2)).await; // the user jumped ahead
    let cur = app
        .get(&format!("/v1/playback/sessions/{id}/current"))
        .send()
        .await;
    assert_eq!(cur.track_ids(), [ALBUM[2]]);
    assert_eq!(
        cur.entity(0)["entityReferenceId"],
        res.entity(2)["entityReferenceId"]
    );
    assert_eq!(cur.data()["metadata"]["playbackState"], "PLAYING");
    assert_eq!(next(&app, &id, 2).await.track_ids(), [ALBUM[3], ALBUM[4]]);
    let prev = app
        .get(&format!("/v1/playback/sessions/{id}/previous?limit=5"))
        .send()
        .await;
    assert_eq!(prev.expect(200).track_ids(), [ALBUM[0]]);
    // Going back pops the history.
    app.post("/v1/playback/event")
        .json(stop_event(res.entity(2), "userPrev", 3))
        .send()
        .await
        .expect(201);
    start(&app, prev.entity(0)).await;
    let prev = app
        .get(&format!("/v1/playback/sessions/{id}/previous"))
        .send()
        .await;
    assert_eq!(prev.track_ids(), Vec::<String>::new());
    assert_eq!(next(&app, &id, 1).await.track_ids(), [ALBUM[1]]);
}

#[tokio::test]
async fn queue_next_and_last_place_entries_and_survive_shuffle() {
    let app = TestApp::new().await;
    let res = app
        .album_session(&app.token, Some(ALBUM[6]), json!({}))
        .await;
    let id = res.session_id();
    let add = |path: &str, track: &str| {
        app.post(&format!("/v1/playback/sessions/{id}/queue/{path}"))
            .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{track}")}}))
            .send()
    };
    add("last", "B0BS2S4WXN").await.expect(201);
    add("next", "B08KC1C6BF").await.expect(201);
    add("next", "B084KPC3Q7").await.expect(201); // a track already in the context: a second entry
    let n = next(&app, &id, 10).await;
    assert_eq!(
        n.track_ids(),
        ["B08KC1C6BF", "B084KPC3Q7", ALBUM[7], ALBUM[8], "B0BS2S4WXN"]
    );
    assert_eq!(n.data()["pageInfo"]["hasNextPage"], false);
    // Shuffle on keeps the current entry and the user region; off restores context order.
    let sh = app
        .put(&format!("/v1/playback/sessions/{id}/shuffle"))
        .json(json!({"shuffleMode": "SHUFFLE_ON"}))
        .send()
        .await;
    assert_eq!(
        sh.expect(200).data()["metadata"]["shuffleMode"],
        "SHUFFLE_ON"
    );
    let cur = app
        .get(&format!("/v1/playback/sessions/{id}/current"))
        .send()
        .await;
    assert_eq!(cur.track_ids(), [ALBUM[6]]);
    let n = next(&app, &id, 10).await;
    let ids = n.track_ids();
    assert_eq!(&ids[..2], ["B08KC1C6BF", "B084KPC3Q7"]);
    assert_eq!(ids.len(), 10);
    // The other 8 album tracks follow, each once, in some order; the queue-last entry after them.
    let mut ctx: Vec<&str> = ids[2..].iter().map(String::as_str).collect();
    ctx.sort();
    let mut others: Vec<&str> = ALBUM.iter().copied().filter(|t| *t != ALBUM[6]).collect();
    others.sort();
    assert_eq!(ctx, others);
    assert_eq!(n.data()["pageInfo"]["hasNextPage"], true);
    app.put(&format!("/v1/playback/sessions/{id}/shuffle"))
        .json(json!({"shuffleMode": "SHUFFLE_OFF"}))
        .send()
        .await
        .expect(200);
    assert_eq!(
        next(&app, &id, 10).await.track_ids(),
        ["B08KC1C6BF", "B084KPC3Q7", ALBUM[7], ALBUM[8], "B0BS2S4WXN"]
    );
    // The queue view is reduced: no metricId, no playback information, empty actions.
    let view = app
        .get(&format!("/v1/playback/sessions/{id}/queue?limit=3"))
        .send()
        .await;
    view.expect(200);
    assert_eq!(view.track_ids(), [ALBUM[6], "B08KC1C6BF", "B084KPC3Q7"]);
    let e = view.entity(0);
    assert!(e.get("metricId").is_none());
    assert_eq!(e["actions"], json!({}));
    assert!(e["track"].get("playbackInformation").is_none());
    assert_eq!(e["track"]["previewUrl"], Value::Null);
    assert_eq!(
        view.data()["pageInfo"],
        json!({"hasNextPage": true, "token": null})
    );
}

#[tokio::test]
async fn loop_modes() {
    let app = TestApp::new().await;
    let res = app
        .album_session(
            &app.token,
            Some(ALBUM[8]),
            json!({"playbackOptions": {"loopMode": "LOOP_ON"}}),
        )
        .await;
    let id = res.session_id();
    assert_eq!(res.data()["metadata"]["loopMode"], "LOOP_ALL");
    // LOOP_ALL wraps to the start of the context.
    assert_eq!(next(&app, &id, 2).await.track_ids(), [ALBUM[0], ALBUM[1]]);
    start(&app, res.entity(0)).await;
    app.put(&format!("/v1/playback/sessions/{id}/loop"))
        .json(json!({"loopMode": "LOOP_ONE"}))
        .send()
        .await
        .expect(200);
    // LOOP_ONE: the automatic next is the current entry again...
    let n = next(&app, &id, 2).await;
    assert_eq!(n.track_ids(), [ALBUM[8]]);
    assert_eq!(
        n.entity(0)["entityReferenceId"],
        res.entity(0)["entityReferenceId"]
    );
    // ...but a user skip leaves the loop for that step: here the album is over.
    app.post("/v1/playback/event")
        .json(stop_event(res.entity(0), "userNext", 10))
        .send()
        .await
        .expect(201);
    let n = next(&app, &id, 5).await;
    assert!(n.track_ids().is_empty());
    assert_eq!(n.data()["pageInfo"]["hasNextPage"], false);
    app.put(&format!("/v1/playback/sessions/{id}/loop"))
        .json(json!({"loopMode": "LOOP_ALL"}))
        .send()
        .await
        .expect(200);
    assert_eq!(next(&app, &id, 1).await.track_ids(), [ALBUM[0]]);
    app.put(&format!("/v1/playback/sessions/{id}/loop"))
        .json(json!({"loopMode": "LOOP_OFF"}))
        .send()
        .await
        .expect(200);
    assert!(next(&app, &id, 5).await.track_ids().is_empty());
}

#[tokio::test]
async fn autoplay_continues_endlessly_with_recommendations() {
    let app = TestApp::new().await;
    let res = app
        .album_session(
            &app.token,
            Some(ALBUM[8]),
            json!({"playbackOptions": {"playbackContinuationMode": "AUTOPLAY_ON"}}),
        )
        .await;
    let id = res.session_id();
    start(&app, res.entity(0)).await;
    let mut played = vec![ALBUM[8].to_string()];
    for _ in 0..60 {
        let n = next(&app, &id, 3).await;
        assert_eq!(n.track_ids().len(), 3, "autoplay never runs dry");
        assert_eq!(n.data()["pageInfo"]["hasNextPage"], true);
        let e = n.entity(0).clone();
        played.push(e["track"]["id"].as_str().unwrap().to_string());
        start(&app, &e).await;
    }
    // Recommendations come from the catalog beyond the album and vary.
    let distinct: std::collections::HashSet<&String> = played.iter().collect();
    assert!(distinct.len() > 15, "{played:?}");
    assert!(played.iter().any(|t| !ALBUM.contains(&t.as_str())));
    // The first recommendation after a Strokes album shares its genre or artist.
    let first = app
        .get(&format!("/v1/playback/sessions/{id}/previous?limit=10"))
        .send()
        .await;
    assert_eq!(first.expect(200).track_ids().len(), 10);
}

#[tokio::test]
async fn stations_are_endless_and_restricted() {
    let app = TestApp::new().await;
    let res = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KVZP2G"}, "playbackOptions": {"startAsStation": true, "shuffleMode": "SHUFFLE_ON"}}))
        .send()
        .await;
    res.expect(200);
    assert_eq!(res.titles().len(), 11);
    assert_eq!(res.track_ids()[0], "B084KVZP2G");
    let a = &res.entity(0)["actions"];
    for k in [
        "previous",
        "loopOne",
        "loopAll",
        "shuffle",
        "queueView",
        "queueMutations",
    ] {
        assert_eq!(a[k]["isAllowed"], false, "{k}");
    }
    assert_eq!(a["next"]["isAllowed"], true);
    let metric: Value = serde_json::from_str(res.entity(0)["metricId"].as_str().unwrap()).unwrap();
    assert_eq!(metric["selectionSourceType"], "STATION");
    let id = res.session_id();
    for (m, path, body) in [
        ("PUT", "loop", json!({"loopMode": "LOOP_ALL"})),
        ("PUT", "shuffle", json!({"shuffleMode": "SHUFFLE_ON"})),
        (
            "POST",
            "queue/next",
            json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KPC3Q7"}}),
        ),
    ] {
        let call = app.call(
            m.parse().unwrap(),
            &format!("/v1/playback/sessions/{id}/{path}"),
        );
        call.json(body)
            .send()
            .await
            .expect_error(403, "ACTION_NOT_ALLOWED");
    }
    app.get(&format!("/v1/playback/sessions/{id}/previous"))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    app.get(&format!("/v1/playback/sessions/{id}/queue"))
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    // A station MRN seeded from an artist.
    let st = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:station:asin:B00G70DLAS"}}))
        .send()
        .await;
    assert_eq!(st.expect(200).titles().len(), 11);
}

#[tokio::test]
async fn restoring_what_another_device_plays_picks_it_up_where_it_is_now() {
    let app = TestApp::new().await;
    let res = app
        .album_session(&app.token, None, json!({"limit": 2}))
        .await;
    let id = res.session_id();
    let first = res.entity(0)["entityReferenceId"].as_str().unwrap();
    let mut start = start_event(res.entity(0));
    start["event"]["playbackStartAbsoluteOffsetMilliseconds"] = json!(30_000);
    app.post("/v1/playback/event")
        .json(start)
        .send()
        .await
        .expect(201);
    app.advance_secs(12);
    let path = format!("/v1/playback/sessions/{id}/entities/{first}?limit=1");
    let here = || app.get(&path).header("x-amzn-device-id", "the-browser");
    let r = here().send().await;
    r.expect(200);
    let progress = &r.entity(0)["track"]["playbackInformation"]["progressMilliseconds"];
    assert_eq!(progress, 42_000, "30 s in at the start, 12 s played since");
    let active = app.get("/v1/playback/sessions/active").send().await;
    assert_eq!(
        active.data()["sessions"][0]["deviceId"],
        "the-browser",
        "the session moved to the device that restored it"
    );
    // Once stopped, it resumes where the stop left it, however long ago.
    app.post("/v1/playback/event")
        .json(stop_event(res.entity(0), "userStop", 44))
        .send()
        .await
        .expect(201);
    app.advance_secs(600);
    let r = here().send().await;
    r.expect(200);
    assert_eq!(
        r.entity(0)["track"]["playbackInformation"]["progressMilliseconds"],
        44_000
    );
}

#[tokio::test]
async fn restore_positions_at_the_entity_within_thirty_days() {
    let mut app = TestApp::new().await;
    app.token = app
        .medley
        .accounts
        .issue_token(
            &common::user_id(medley_service::demo::DEMO_USER),
            &app.api_key,
            None,
            100 * 24 * 3600,
        )
        .await
        .unwrap();
    let res = app
        .album_session(&app.token, None, json!({"limit": 5}))
        .await;
    let id = res.session_id();
    start(&app, res.entity(0)).await;
    app.post("/v1/playback/event")
        .json(stop_event(res.entity(0), "userStop", 42))
        .send()
        .await
        .expect(201);
    app.advance_secs(29 * 24 * 3600);
    let target = res.entity(3)["entityReferenceId"].as_str().unwrap();
    let r = app
        .get(&format!(
            "/v1/playback/sessions/{id}/entities/{target}?limit=3"
        ))
        .header("x-amzn-device-id", "another-device")
        .send()
        .await;
    r.expect(200);
    assert_eq!(r.track_ids(), [ALBUM[3], ALBUM[4], ALBUM[5]]);
    assert_eq!(r.entity(0)["entityReferenceId"], target);
    let cur = app
        .get(&format!("/v1/playback/sessions/{id}/current"))
        .send()
        .await;
    assert_eq!(cur.track_ids(), [ALBUM[3]]);
    // Restoring the current entity keeps the progress of the last stop.
    let first = res.entity(0)["entityReferenceId"].as_str().unwrap();
    let r = app
        .get(&format!("/v1/playback/sessions/{id}/entities/{first}"))
        .send()
        .await;
    assert_eq!(r.expect(200).track_ids()[0], ALBUM[0]);
    app.advance_secs(31 * 24 * 3600);
    app.get(&format!("/v1/playback/sessions/{id}/entities/{target}"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.get(&format!("/v1/playback/sessions/{id}/current"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn active_sessions_list_each_device() {
    let app = TestApp::new().await;
    let a = app.album_session(&app.token, None, json!({})).await;
    let b = app
        .post("/v1/playback/sessions")
        .header("x-amzn-device-id", "kitchen-speaker")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN"}}))
        .send()
        .await;
    b.expect(200);
    let active = app.get("/v1/playback/sessions/active").send().await;
    let sessions = active.expect(200).data()["sessions"]
        .as_array()
        .unwrap()
        .clone();
    let ids: Vec<&str> = sessions
        .iter()
        .map(|s| s["sessionId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&a.session_id().as_str()));
    assert!(ids.contains(&b.session_id().as_str()));
    let s = sessions
        .iter()
        .find(|s| s["sessionId"] == b.session_id().as_str())
        .unwrap();
    assert_eq!(s["track"]["title"], "Flowers");
    assert_eq!(s["track"]["previewUrl"], Value::Null);
    assert_eq!(s["metadata"]["playbackState"], "STOPPED");
}

#[tokio::test]
async fn a_playlist_that_shrinks_mid_session_never_breaks_the_session() {
    let app = TestApp::new().await;
    let res = app
        .post("/v1/playback/sessions")
        .json(
            json!({"playParams": {"id": "mrn:1.0:catalog:playlist:asin:DEMOPL0002"},
                     "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}}),
        )
        .send()
        .await;
    let id = res.expect(200).session_id();
    let before = next(&app, &id, 10).await.track_ids().len();
    // Re-import the playlist with two of its six tracks.
    app.medley
        .library
        .import_catalog_json(
            r#"{"playlists": [{"id": "DEMOPL0002", "title": "Medley Demo Mix",
            "trackIds": ["B084KVZP2G", "B0BS2S4WXN"]}]}"#,
        )
        .await
        .unwrap();
    let after = next(&app, &id, 10).await;
    assert!(after.track_ids().len() < before);
    assert_eq!(after.track_ids(), ["B0BS2S4WXN"]);
    app.get(&format!("/v1/playback/sessions/{id}/queue"))
        .send()
        .await
        .expect(200);
}
