//! Reads never write (docs/decisions.md, "Reads never write"): every GET route the OpenAPI
//! document lists, called with real ids on a user with sessions, history, playlists and
//! follows, leaves the store's write count where it was. A route added without a case here
//! fails the test, so a new GET is held to the rule from its first day.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{ffmpeg_or_skip, local, start_event, stop_event, TestApp};
use medley_loadgen::audio::{encode_tone, write_tags, Tags};
use medley_service::accounts::NewClient;
use medley_service::Settings;
use serde_json::json;
use tower::ServiceExt;

/// The status of a GET and the writes it made; the body is read only up to its headers (the
/// notification stream's never ends).
async fn writes_of(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, u64) {
    let req = Request::builder()
        .header("cookie", cookie)
        .method(Method::GET)
        .uri(path)
        .header("authorization", format!("Bearer {}", app.token))
        .header("x-api-key", &app.api_key)
        .header("x-amzn-device-id", common::DEVICE)
        .header("x-amzn-audio-device-capability", "STD_RES,HI_FI,HI_RES")
        .body(Body::empty())
        .unwrap();
    let before = app.store.writes();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    drop(res);
    // Let anything the request left running in the background finish before counting.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    (status, app.store.writes() - before)
}

#[tokio::test]
async fn no_get_route_writes_to_the_store() {
    let app = TestApp::with_settings(Settings {
        rate_limit_per_sec: 0,
        ..Settings::default()
    })
    .await;
    // A user with something of everything: a session that played and moved on (so the
    // continuation and the history have entries), a playlist, follows.
    let session = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "limit": 3}))
        .send()
        .await;
    session.expect(200);
    let sid = session.session_id();
    let (first, second) = (session.entity(0).clone(), session.entity(1).clone());
    app.post("/v1/playback/events")
        .json(json!({"events": [start_event(&first), stop_event(&first, "trackFinished", 30), start_event(&second)]}))
        .send()
        .await
        .expect(201);
    let entity = second["entityReferenceId"].as_str().unwrap().to_string();
    let manifest = dash_manifest(&app).await;
    let progressive = app
        .post("/v1/playback/sessions")
        .header("x-amzn-device-id", "progressive-device")
        .header("x-medley-protocol", "PROGRESSIVE")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KVZP2G"}}))
        .send()
        .await;
    progressive.expect(200);
    let file = local(
        progressive.entity(0)["track"]["playbackInformation"]["url"]
            .as_str()
            .unwrap(),
    );
    let playlist = app
        .post("/v1/playlists")
        .json(json!({"title": "Mine"}))
        .send()
        .await;
    let playlist = playlist.expect(201).data()["playlist"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.put("/v1/me/followed/playlists/B01LS62KK2")
        .send()
        .await
        .expect(200);
    let me = app.get("/v1/me").send().await;
    let user = me.data()["user"]["id"].as_str().unwrap().to_string();
    // Signed in to the account page, and a client to link (the consent page reads both).
    let cookie = signed_in(&app, &user, me.data()["user"]["name"].as_str().unwrap()).await;
    let (client, _) = app
        .medley
        .accounts
        .add_client(NewClient {
            name: "Speaker".into(),
            redirect_uris: vec!["https://example.com/back".into()],
            confidential: true,
        })
        .await
        .unwrap();
    let authorize = format!(
        "/ap/oa?client_id={}&redirect_uri=https%3A%2F%2Fexample.com%2Fback&response_type=code&scope=music%3A%3Aplayback&state=s",
        client.api_key
    );
    let album = app.get("/v1/albums/B084KYMDXT").send().await;
    let artist = album.data()["album"]["artists"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The media key is made on first use: make it now, so that it is not counted below.
    app.get(&file).send_raw().await;

    let doc = app.get("/openapi.json").send().await.body;
    let mut checked = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let paths: Vec<String> = match template.as_str() {
            "/media/tracks/{id}" => vec![file.clone()],
            // A segment's URL as the manifest's template makes it.
            t if t.starts_with("/media/dash/") => match &manifest {
                None => continue,
                Some(url) if t.ends_with("manifest.mpd") => vec![url.clone()],
                Some(url) => {
                    let (base, query) = url.split_once("manifest.mpd?").unwrap();
                    vec![
                        format!("{base}opus48/init.mp4?{query}"),
                        format!("{base}opus48/1.m4s?{query}"),
                    ]
                }
            },
            // Medley's own picture, resized as a client asks for it.
            "/media/images/{id}" => vec!["/media/images/medley?size=120".into()],
            "/v1/playback/sessions/{sessionId}/entities/{entityReferenceId}" => {
                vec![format!("/v1/playback/sessions/{sid}/entities/{entity}")]
            }
            t if t.contains("{sessionId}") => vec![t.replace("{sessionId}", &sid)],
            "/v1/albums" => vec!["/v1/albums?ids=B084KYMDXT".into()],
            "/v1/artists" => vec![format!("/v1/artists?ids={artist}")],
            "/v1/tracks" => vec!["/v1/tracks?ids=B084KVZP2G,DEMOTR0105".into()],
            "/v1/users" => vec![format!("/v1/users?ids={user}")],
            "/v1/search" => vec!["/v1/search?query=strokes&limit=5".into()],
            "/ap/oa" => vec![authorize.clone()],
            t if t.starts_with("/v1/artists/{id}") => vec![t.replace("{id}", &artist)],
            t if t.starts_with("/v1/playlists/{id}") => vec![
                t.replace("{id}", &playlist),
                t.replace("{id}", "B01LS62KK2"),
            ],
            t if t.starts_with("/v1/users/{id}") => vec![t.replace("{id}", &user)],
            "/v1/albums/{id}" => vec!["/v1/albums/B084KYMDXT".into()],
            "/v1/tracks/{id}" => vec!["/v1/tracks/B084KVZP2G".into()],
            "/v1/stations/{id}" => vec!["/v1/stations/B00G70DLAS".into()],
            "/v1/podcasts/shows/{id}" => {
                vec!["/v1/podcasts/shows/8bfa8155-888b-4553-acd3-8f22d43b4c9e".into()]
            }
            t => {
                assert!(!t.contains('{'), "a GET route with no case here: {t}");
                vec![t.to_string()]
            }
        };
        for path in paths {
            let (status, writes) = writes_of(&app, &path, &cookie).await;
            assert!(!status.is_server_error(), "GET {path}: {status}");
            checked.push((path, status.as_u16(), writes));
        }
    }
    for (path, status, writes) in &checked {
        eprintln!("GET {path}: {status}, {writes} writes");
    }
    let writers: Vec<_> = checked.iter().filter(|c| c.2 > 0).collect();
    assert!(writers.is_empty(), "GETs that wrote: {writers:?}");
    // The calls reached what they read.
    assert!(checked.iter().all(|c| c.1 == 200), "{checked:?}");
}

/// Restore is the one GET the spec makes a change: it writes when it moves the queue to another
/// entry or the session to another device, and only then.
#[tokio::test]
async fn restore_writes_only_when_it_changes_something() {
    let app = TestApp::new().await;
    let session = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "limit": 3}))
        .send()
        .await;
    let sid = session.expect(200).session_id();
    let entity = |i: usize| {
        session.entity(i)["entityReferenceId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let restore = |entity: String, device: &'static str| {
        let path = format!("/v1/playback/sessions/{sid}/entities/{entity}");
        let app = &app;
        async move {
            let before = app.store.writes();
            app.get(&path)
                .header("x-amzn-device-id", device)
                .send()
                .await
                .expect(200);
            app.store.writes() - before
        }
    };
    assert_eq!(
        restore(entity(0), common::DEVICE).await,
        0,
        "the current entry, here"
    );
    assert_eq!(restore(entity(1), common::DEVICE).await, 1, "another entry");
    assert_eq!(restore(entity(1), common::DEVICE).await, 0, "now current");
    assert_eq!(
        restore(entity(1), "another-device").await,
        1,
        "another device"
    );
    assert_eq!(
        restore(entity(1), "another-device").await,
        0,
        "and there now"
    );
}

/// A FLAC file in the library, played on a device that takes DASH: its manifest's URL (None
/// without ffmpeg, which DASH needs; CI has it).
async fn dash_manifest(app: &TestApp) -> Option<String> {
    if !ffmpeg_or_skip("no_get_route_writes_to_the_store (DASH)") {
        return None;
    }
    let root = app.dir.join("library");
    let path = root.join("tone.flac");
    encode_tone(&path, 3.0, 440.0, 44_100, 16).unwrap();
    let tags = Tags {
        title: "Tone",
        artist: "The Readers",
        album: "Read Only",
        album_artist: None,
        disc: 1,
        track: 1,
        genre: "Electronic",
        date: "2026-12-07",
        cover: None,
    };
    write_tags(&path, &tags).unwrap();
    app.medley
        .library
        .import_folder(&root, Box::new(|_, _| {}))
        .await
        .unwrap();
    let found = app
        .post("/v1/search/tracks")
        .json(json!({"searchFilters": [{"query": "Tone"}], "limit": 1}))
        .send()
        .await;
    let track = found.data()["searchTracks"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let played = app
        .post("/v1/playback/sessions")
        .header("x-amzn-device-id", "dash-device")
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{track}")}}))
        .send()
        .await;
    let info = &played.expect(200).entity(0)["track"]["playbackInformation"];
    assert_eq!(info["protocol"], "DASH", "{info}");
    Some(local(info["url"].as_str().unwrap()))
}

/// Signs `user` in to the account page: the session cookie.
async fn signed_in(app: &TestApp, user: &str, name: &str) -> String {
    app.medley
        .accounts
        .set_password(&common::user_id(user), "correct horse")
        .await
        .unwrap();
    let (_, headers, html) = app
        .get("/account")
        .without("authorization")
        .send_raw()
        .await;
    let csrf_cookie = headers[header::SET_COOKIE].to_str().unwrap();
    let csrf_cookie = csrf_cookie.split(';').next().unwrap();
    let html = String::from_utf8_lossy(&html);
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .unwrap();
    let form = serde_urlencoded::to_string([
        ("csrf", csrf),
        ("login", name),
        ("password", "correct horse"),
    ])
    .unwrap();
    let (status, headers, _) = app
        .post("/account")
        .without("authorization")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", csrf_cookie)
        .raw(&form)
        .send_raw()
        .await;
    assert_eq!(status, 303);
    let session = headers[header::SET_COOKIE].to_str().unwrap();
    format!("{csrf_cookie}; {}", session.split(';').next().unwrap())
}
