//! Users' own playlists through the router: create, describe, visibility, add (with and without
//! duplicates), remove, move, delete, list; privacy towards other users; and a session playing
//! a playlist that changes under it.

mod common;

use common::{start_event, TestApp};
use medley_store::Visibility;
use serde_json::{json, Value};

async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let r = app
        .post("/v1/playlists")
        .token(token)
        .json(body)
        .send()
        .await;
    r.expect(201);
    r.data()["playlist"]["id"].as_str().unwrap().to_string()
}

async fn add(app: &TestApp, token: &str, id: &str, body: Value) -> Value {
    let r = app
        .put(&format!("/v1/playlists/{id}/tracks"))
        .token(token)
        .json(body)
        .send()
        .await;
    r.expect(200);
    r.data().clone()
}

/// (entry id, track id) of every entry, in order.
async fn entries(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let r = app
        .get(&format!("/v1/playlists/{id}/tracks"))
        .token(token)
        .send()
        .await;
    r.expect(200);
    r.data()["playlist"]["tracks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entryId"].as_str().unwrap().to_string(),
                e["node"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn tracks(e: &[(String, String)]) -> Vec<&str> {
    e.iter().map(|(_, t)| t.as_str()).collect()
}

#[tokio::test]
async fn create_describe_fill_reorder_and_delete() {
    let app = TestApp::new().await;
    let t = app.token.clone();
    let r = app
        .post("/v1/playlists")
        .json(json!({"title": "Road trip", "description": "for the drive"}))
        .send()
        .await;
    r.expect(201);
    let pl = &r.data()["playlist"];
    assert_eq!(
        pl["visibility"], "PRIVATE",
        "private unless asked otherwise"
    );
    assert_eq!(pl["trackCount"], 0);
    assert_eq!(pl["curator"]["id"], "ADEMOUSER0001");
    let id = pl["id"].as_str().unwrap().to_string();
    assert_eq!(pl["mrn"], format!("mrn:1.0:catalog:playlist:asin:{id}"));

    let r = app
        .put(&format!("/v1/playlists/{id}"))
        .json(json!({"title": "Road trip 2026", "visibility": "PUBLIC"}))
        .send()
        .await;
    let pl = &r.expect(200).data()["playlist"];
    assert_eq!(pl["title"], "Road trip 2026");
    assert_eq!(pl["description"], "for the drive");
    assert_eq!(pl["visibility"], "PUBLIC");

    // Duplicates are left out unless asked for.
    let d = add(
        &app,
        &t,
        &id,
        json!({"trackIds": ["B084KVZP2G", "B084KPC3Q7", "B084KVZP2G"]}),
    )
    .await;
    assert_eq!(d["tracksAdded"], 2);
    let d = add(
        &app,
        &t,
        &id,
        json!({"trackIds": ["B084KPC3Q7", "B0BS2S4WXN"]}),
    )
    .await;
    assert_eq!(d["tracksAdded"], 1);
    let d = add(
        &app,
        &t,
        &id,
        json!({"trackIds": ["B084KPC3Q7"], "addDuplicateTracks": true}),
    )
    .await;
    assert_eq!(d["tracksAdded"], 1);
    assert_eq!(d["playlist"]["trackCount"], 4);
    let e = entries(&app, &t, &id).await;
    assert_eq!(
        tracks(&e),
        ["B084KVZP2G", "B084KPC3Q7", "B0BS2S4WXN", "B084KPC3Q7"]
    );
    let duration = app.get(&format!("/v1/playlists/{id}")).send().await.data()["playlist"]
        ["duration"]
        .as_u64()
        .unwrap();
    assert!(duration > 600);

    // Remove one of the duplicates (by its entry), move the last to the front.
    app.call(
        axum::http::Method::PATCH,
        &format!("/v1/playlists/{id}/tracks"),
    )
    .json(json!({"remove": [e[1].0]}))
    .send()
    .await
    .expect(200);
    let e = entries(&app, &t, &id).await;
    assert_eq!(tracks(&e), ["B084KVZP2G", "B0BS2S4WXN", "B084KPC3Q7"]);
    let r = app
        .call(
            axum::http::Method::PATCH,
            &format!("/v1/playlists/{id}/tracks"),
        )
        .json(json!({"move": {"entryId": e[2].0, "toIndex": 0}}))
        .send()
        .await;
    assert_eq!(r.expect(200).data()["playlist"]["trackCount"], 3);
    assert_eq!(
        tracks(&entries(&app, &t, &id).await),
        ["B084KPC3Q7", "B084KVZP2G", "B0BS2S4WXN"]
    );
    // Paging the entries one at a time gives the same order.
    let first = app
        .get(&format!("/v1/playlists/{id}/tracks?limit=1"))
        .send()
        .await;
    let cursor = first.data()["playlist"]["tracks"]["pageInfo"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let second = app
        .get(&format!(
            "/v1/playlists/{id}/tracks?limit=1&cursor={cursor}"
        ))
        .send()
        .await;
    assert_eq!(
        second.data()["playlist"]["tracks"]["edges"][0]["node"]["id"],
        "B084KVZP2G"
    );

    // Mine, newest first.
    app.advance_secs(1);
    let newer = create(&app, &t, json!({"title": "Later"})).await;
    let mine = app.get("/v1/me/playlists").send().await;
    assert_eq!(
        mine.expect(200).node_ids("playlists"),
        [newer.clone(), id.clone()]
    );

    app.call(axum::http::Method::DELETE, &format!("/v1/playlists/{id}"))
        .send()
        .await
        .expect(200);
    app.get(&format!("/v1/playlists/{id}"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    assert_eq!(
        app.get("/v1/me/playlists")
            .send()
            .await
            .node_ids("playlists"),
        [newer]
    );
}

#[tokio::test]
async fn bad_edits_are_400s_and_the_catalog_is_read_only() {
    let app = TestApp::new().await;
    let id = create(&app, &app.token, json!({"title": "Mine"})).await;
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": 5}),
        json!({"title": "x".repeat(201)}),
        // Blank to the eye: white space, a no-break space, zero-width characters.
        json!({"title": "   \u{a0}\u{200b}"}),
        json!({"title": "\u{feff}\u{2060}\u{200d}"}),
    ] {
        app.post("/v1/playlists")
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    for body in [
        json!({}),
        json!({"visibility": "FRIENDS"}),
        json!({"title": "  "}),
        json!({"title": "\u{200b}"}),
    ] {
        app.put(&format!("/v1/playlists/{id}"))
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    // Nothing stored changed, and what is invisible at the ends of a title is trimmed.
    let pl = app.get(&format!("/v1/playlists/{id}")).send().await;
    assert_eq!(pl.data()["playlist"]["title"], "Mine");
    app.put(&format!("/v1/playlists/{id}"))
        .json(json!({"title": "\u{200b} Road Trip \u{a0}"}))
        .send()
        .await
        .expect(200);
    let pl = app.get(&format!("/v1/playlists/{id}")).send().await;
    assert_eq!(pl.data()["playlist"]["title"], "Road Trip");
    let tracks = format!("/v1/playlists/{id}/tracks");
    let many: Vec<&str> = vec!["B084KPC3Q7"; 101];
    for body in [
        json!({}),
        json!({"trackIds": []}),
        json!({"trackIds": many}),
        json!({"trackIds": ["B084KPC3Q7"], "addDuplicateTracks": "yes"}),
    ] {
        app.put(&tracks)
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    // Ids the catalog does not have are left out, and said so.
    let r = app
        .put(&tracks)
        .json(json!({"trackIds": ["NOSUCHTRACK", "B084KPC3Q7", "not an id"]}))
        .send()
        .await;
    r.expect(200);
    assert_eq!(r.data()["tracksAdded"], 1);
    assert_eq!(r.data()["notFound"], json!(["NOSUCHTRACK", "not an id"]));
    let r = app
        .put(&tracks)
        .json(json!({"trackIds": ["NOSUCHTRACK"]}))
        .send()
        .await;
    assert_eq!(
        (
            r.data()["tracksAdded"].clone(),
            r.data()["notFound"].clone()
        ),
        (json!(0), json!(["NOSUCHTRACK"]))
    );
    for body in [
        json!({}),
        json!({"remove": []}),
        json!({"move": {"toIndex": 0}}),
        json!({"move": {"entryId": "x", "toIndex": -1}}),
    ] {
        app.call(axum::http::Method::PATCH, &tracks)
            .json(body)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    // An entry the playlist does not have (now): a conflict with what it holds.
    app.call(axum::http::Method::PATCH, &tracks)
        .json(json!({"move": {"entryId": "nope", "toIndex": 0}}))
        .send()
        .await
        .expect_error(409, "CONFLICT");
    // The catalog's playlists cannot be changed.
    app.put("/v1/playlists/B01LS62KK2")
        .json(json!({"title": "Mine now"}))
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.call(axum::http::Method::DELETE, "/v1/playlists/B01LS62KK2")
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    // Writing needs music::library.
    let user = app.get("/v1/me").send().await.data()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reader = app
        .scoped_token(&user, &["music::catalog", "music::library:read"])
        .await;
    app.post("/v1/playlists")
        .token(&reader)
        .json(json!({"title": "x"}))
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.get("/v1/me/playlists")
        .token(&reader)
        .send()
        .await
        .expect(200);
}

#[tokio::test]
async fn other_users_see_public_playlists_only_and_change_none() {
    let app = TestApp::new().await;
    let (_, other) = app
        .person("Other", Visibility::Public, Visibility::Public)
        .await;
    let private = create(&app, &app.token, json!({"title": "My Secret Mix"})).await;
    let public = create(
        &app,
        &app.token,
        json!({"title": "Shared Mix", "visibility": "PUBLIC"}),
    )
    .await;
    for id in [&private, &public] {
        add(&app, &app.token, id, json!({"trackIds": ["B084KVZP2G"]})).await;
    }
    for path in [
        format!("/v1/playlists/{private}"),
        format!("/v1/playlists/{private}/tracks"),
    ] {
        app.get(&path)
            .token(&other)
            .send()
            .await
            .expect_error(404, "RESOURCE_NOT_FOUND");
    }
    app.put(&format!("/v1/playlists/{private}"))
        .token(&other)
        .json(json!({"title": "hacked"}))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.put(&format!("/v1/me/followed/playlists/{private}"))
        .token(&other)
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.post("/v1/playback/sessions")
        .token(&other)
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:playlist:asin:{private}")}}))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    // Nor by voice.
    let search = common::alexa::directive_in(
        "Alexa.Media.Search",
        "GetPlayableContent",
        &other,
        json!({"selectionCriteria": {"attributes": [{"type": "PLAYLIST", "entityId": private}]}}),
    );
    let r = common::alexa::send(&app, search).await;
    assert_eq!(common::alexa::error_type(&r).1, "CONTENT_NOT_FOUND");
    let initiate = common::alexa::directive_in(
        "Alexa.Media.Playback",
        "Initiate",
        &other,
        json!({"contentId": format!("mrn:1.0:catalog:playlist:asin:{private}")}),
    );
    let r = common::alexa::send(&app, initiate).await;
    assert_eq!(common::alexa::error_type(&r).1, "CONTENT_NOT_FOUND");
    // A public one can be read, followed and played, not changed.
    app.get(&format!("/v1/playlists/{public}/tracks"))
        .token(&other)
        .send()
        .await
        .expect(200);
    app.put(&format!("/v1/me/followed/playlists/{public}"))
        .token(&other)
        .send()
        .await
        .expect(200);
    app.post("/v1/playback/sessions")
        .token(&other)
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:playlist:asin:{public}")}}))
        .send()
        .await
        .expect(200);
    for (method, path) in [
        (axum::http::Method::PUT, format!("/v1/playlists/{public}")),
        (
            axum::http::Method::PUT,
            format!("/v1/playlists/{public}/tracks"),
        ),
        (
            axum::http::Method::DELETE,
            format!("/v1/playlists/{public}"),
        ),
    ] {
        app.call(method, &path)
            .token(&other)
            .json(json!({"title": "x", "trackIds": ["B084KPC3Q7"]}))
            .send()
            .await
            .expect_error(403, "ACCESS_DENIED");
    }
    assert!(app
        .get("/v1/me/playlists")
        .token(&other)
        .send()
        .await
        .node_ids("playlists")
        .is_empty());
    // Made private, it disappears from the follower's list.
    app.put(&format!("/v1/playlists/{public}"))
        .json(json!({"visibility": "PRIVATE"}))
        .send()
        .await
        .expect(200);
    let followed = app
        .get("/v1/me/followed/playlists")
        .token(&other)
        .send()
        .await;
    assert!(
        followed.node_ids("followedPlaylists").is_empty(),
        "{}",
        followed.body
    );
    // Users' playlists are not in search results.
    let r = app
        .post("/v1/search/playlists")
        .json(json!({"searchFilters": [{"query": "secret mix"}]}))
        .send()
        .await;
    assert_eq!(r.expect(200).data()["searchPlaylists"]["edgeCount"], 0);
}

#[tokio::test]
async fn a_session_plays_the_playlist_as_it_was_when_it_started() {
    let app = TestApp::new().await;
    let id = create(&app, &app.token, json!({"title": "Changing"})).await;
    add(
        &app,
        &app.token,
        &id,
        json!({"trackIds": ["B084KVZP2G", "B084KPC3Q7", "B084KMZM11", "B084KW75Z6"]}),
    )
    .await;
    let mrn = format!("mrn:1.0:catalog:playlist:asin:{id}");
    let s = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": mrn}, "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}, "limit": 4}))
        .send()
        .await;
    assert_eq!(
        s.expect(200).track_ids(),
        ["B084KVZP2G", "B084KPC3Q7", "B084KMZM11", "B084KW75Z6"]
    );
    app.post("/v1/playback/event")
        .json(start_event(s.entity(0)))
        .send()
        .await
        .expect(201);
    // The playlist changes under the session: its first entries go, the rest reorders.
    let e = entries(&app, &app.token, &id).await;
    app.call(
        axum::http::Method::PATCH,
        &format!("/v1/playlists/{id}/tracks"),
    )
    .json(json!({"remove": [e[0].0, e[1].0]}))
    .send()
    .await
    .expect(200);
    app.call(
        axum::http::Method::PATCH,
        &format!("/v1/playlists/{id}/tracks"),
    )
    .json(json!({"move": {"entryId": e[3].0, "toIndex": 0}}))
    .send()
    .await
    .expect(200);
    let sid = s.session_id();
    let next = app
        .get(&format!("/v1/playback/sessions/{sid}/next?limit=3"))
        .send()
        .await;
    assert_eq!(
        next.track_ids(),
        ["B084KPC3Q7", "B084KMZM11", "B084KW75Z6"],
        "the queue it started with"
    );
    // Every entity id it handed out still resolves to the same track.
    let restored = app
        .get(&format!(
            "/v1/playback/sessions/{sid}/entities/{}?limit=1",
            s.entity(3)["entityReferenceId"].as_str().unwrap()
        ))
        .send()
        .await;
    assert_eq!(restored.track_ids(), ["B084KW75Z6"]);
    // A new session plays the playlist as it is now; history credits the playlist.
    let fresh = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": mrn}, "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}, "limit": 4}))
        .send()
        .await;
    assert_eq!(fresh.track_ids(), ["B084KW75Z6", "B084KMZM11"]);
    let history = app.get("/v1/me/recentlyPlayedEntities").send().await;
    assert!(
        history.body.to_string().contains(&format!("PLAYLIST:{id}")),
        "{}",
        history.body
    );
}
