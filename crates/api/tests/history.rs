//! Listening history (Player V1): playback events show up in recently played tracks and
//! entities; paging, bounds, filters, scopes and privacy.

mod common;

use common::{start_event, Res, TestApp};
use medley_core::policy::Tier;
use medley_service::accounts::NewUser;
use medley_store::Visibility;
use proptest::prelude::*;
use serde_json::{json, Value};

async fn play(app: &TestApp, token: &str, res: &Res, i: usize) {
    app.advance_secs(1);
    app.post("/v1/playback/event")
        .token(token)
        .json(start_event(res.entity(i)))
        .send()
        .await
        .expect(201);
}

#[tokio::test]
async fn playback_events_show_up_in_both_history_endpoints() {
    let app = TestApp::new().await;
    let album = app
        .album_session(&app.token, None, json!({"limit": 3}))
        .await;
    for i in 0..3 {
        play(&app, &app.token, &album, i).await;
    }
    let single = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN"}}))
        .send()
        .await;
    play(&app, &app.token, &single, 0).await;
    let station = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:station:asin:B000QJK5EQ"}}))
        .send()
        .await;
    play(&app, &app.token, &station, 0).await;

    for path in [
        "/player/recentlyPlayed?limit=4",
        "/v1/player/recentlyPlayed?limit=4",
    ] {
        let r = app.get(path).send().await;
        r.expect(200);
        assert_eq!(
            r.node_ids("recentTrackPlayback"),
            ["B08KC1C6BF", "B0BS2S4WXN", "B084KMZM11", "B084KPC3Q7"]
        );
        let user = &r.data()["user"];
        assert_eq!(user["id"], medley_service::demo::DEMO_USER);
        assert_eq!(user["name"], "Demo Listener");
        let conn = &user["recentTrackPlayback"];
        assert_eq!(conn["edgeCount"], 4);
        assert_eq!(conn["pageInfo"]["hasNextPage"], true);
        let edge = &conn["edges"][0];
        assert_eq!(edge["node"]["title"], "Cornfield Chase");
        assert!(edge["playedAt"].as_str().unwrap().ends_with('Z'));
    }
    let r = app.get("/v1/me/recentlyPlayedEntities").send().await;
    r.expect(200);
    let edges = r.data()["user"]["recentEntitiesPlayback"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let shown: Vec<(String, String)> = edges
        .iter()
        .map(|e| {
            (
                e["node"]["_type"].as_str().unwrap().into(),
                e["node"]["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Station".to_string(), "B000QJK5EQ".to_string()),
            ("Track".into(), "B0BS2S4WXN".into()),
            ("Album".into(), "B084KYMDXT".into()),
        ]
    );
    assert_eq!(edges[0]["node"]["title"], "Hans Zimmer Station");
    assert_eq!(edges[2]["node"]["title"], "The New Abnormal [Explicit]");
    assert!(edges[2]["playedDate"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        r.data()["user"]["recentEntitiesPlayback"]["pageInfo"],
        json!({"hasNextPage": false, "token": null})
    );
    let albums = app
        .get("/v1/me/recentlyPlayedEntities?entityTypes=Album,Playlist")
        .send()
        .await;
    assert_eq!(albums.node_ids("recentEntitiesPlayback"), ["B084KYMDXT"]);
    app.get("/v1/me/recentlyPlayedEntities?entityTypes=Song")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
}

#[tokio::test]
async fn bounds_cursors_and_scopes() {
    let app = TestApp::new().await;
    for bad in [
        "limit=0",
        "limit=61",
        "limit=x",
        "cursor=nope",
        "cursor=1:x",
        "limit=1&limit=2",
    ] {
        app.get(&format!("/player/recentlyPlayed?{bad}"))
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    app.get("/player/recentlyPlayed?limit=60")
        .send()
        .await
        .expect(200);
    for bad in ["limit=0", "limit=101", "cursor=12"] {
        app.get(&format!("/v1/me/recentlyPlayedEntities?{bad}"))
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    app.get("/v1/me/recentlyPlayedEntities?limit=100")
        .send()
        .await
        .expect(200);
    let playback_only = app
        .scoped_token(medley_service::demo::DEMO_USER, &["music::playback"])
        .await;
    app.get("/player/recentlyPlayed")
        .token(&playback_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.get("/v1/me/recentlyPlayedEntities")
        .token(&playback_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.get(&format!(
        "/v1/users/{}/recentlyPlayedEntities",
        medley_service::demo::DEMO_USER
    ))
    .token(&playback_only)
    .send()
    .await
    .expect_error(403, "ACCESS_DENIED");
}

async fn listener(app: &TestApp, visibility: Visibility, playback: Visibility) -> (String, String) {
    let u = app
        .medley
        .accounts
        .add_user(NewUser {
            name: "Ada".into(),
            tier: Tier::Unlimited,
            max_streams: 1,
            visibility,
            playback_visibility: playback,
            admin: false,
        })
        .await
        .unwrap();
    let token = app
        .medley
        .accounts
        .issue_token(&u.id, &app.api_key, None, 3600)
        .await
        .unwrap();
    let s = app.album_session(&token, None, json!({})).await;
    play(app, &token, &s, 0).await;
    (u.id.into_string(), token)
}

#[tokio::test]
async fn another_users_history_follows_their_privacy() {
    let app = TestApp::new().await;
    let (open, _) = listener(&app, Visibility::Public, Visibility::Public).await;
    let (shy, _) = listener(&app, Visibility::Private, Visibility::Public).await;
    let (hidden, hidden_token) = listener(&app, Visibility::Public, Visibility::Private).await;
    let r = app
        .get(&format!("/v1/users/{open}/recentlyPlayedEntities"))
        .send()
        .await;
    assert_eq!(
        r.expect(200).node_ids("recentEntitiesPlayback"),
        ["B084KYMDXT"]
    );
    assert_eq!(r.data()["user"]["name"], "Ada");
    let r = app
        .get(&format!("/v1/users/{shy}/recentlyPlayedEntities"))
        .send()
        .await;
    assert_eq!(
        r.expect(200).data()["user"]["name"],
        Value::Null,
        "a private profile keeps its name"
    );
    app.get(&format!("/v1/users/{hidden}/recentlyPlayedEntities"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.get("/v1/users/nobody/recentlyPlayedEntities")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    // Their own history stays theirs.
    let own = app
        .get(&format!("/v1/users/{hidden}/recentlyPlayedEntities"))
        .token(&hidden_token)
        .send()
        .await;
    assert_eq!(
        own.expect(200).node_ids("recentEntitiesPlayback"),
        ["B084KYMDXT"]
    );
    let mine = app.get("/player/recentlyPlayed").send().await;
    assert_eq!(
        mine.data()["user"]["recentTrackPlayback"]["edgeCount"],
        0,
        "no one else's plays"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Walking recently played tracks in any page size yields every play once, newest first,
    /// even when new plays arrive between pages.
    #[test]
    fn paging_yields_every_play_once(page in 1usize..7, plays in 1usize..14, inserts_at in 0usize..4) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let app = TestApp::new().await;
            let s = app.album_session(&app.token, None, json!({"limit": 11, "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_ON"}})).await;
            let mut expected = Vec::new();
            for i in 0..plays {
                play(&app, &app.token, &s, i % 11).await;
                expected.push(s.entity(i % 11)["track"]["id"].as_str().unwrap().to_string());
            }
            expected.reverse();
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            for round in 0.. {
                if round == inserts_at {
                    play(&app, &app.token, &s, 0).await; // lands before the pages already walked
                }
                let mut path = format!("/player/recentlyPlayed?limit={page}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let r = app.get(&path).send().await;
                let conn = r.data()["user"]["recentTrackPlayback"].clone();
                let ids: Vec<String> = conn["edges"].as_array().unwrap().iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_string()).collect();
                assert!(ids.len() <= page);
                seen.extend(ids);
                if conn["pageInfo"]["hasNextPage"] != true {
                    break;
                }
                cursor = Some(conn["pageInfo"]["token"].as_str().unwrap().to_string());
            }
            // A play made before the walk started shows up in it; later ones cannot.
            if inserts_at == 0 {
                expected.insert(0, s.entity(0)["track"]["id"].as_str().unwrap().to_string());
            }
            assert_eq!(seen, expected);
        });
    }
}
