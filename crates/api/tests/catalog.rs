//! Catalog lookups through the router: tracks, albums, artists (albums, tracks, related),
//! playlists and their tracks, stations, podcast shows; ids bounds, paging and scopes.

mod common;

use common::{TestApp, SPEC_ALBUM};
use serde_json::{json, Value};

/// Walks a paged list to its end at `limit` per page; the node ids in order.
async fn walk(app: &TestApp, path: &str, key: &[&str], limit: u32) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut url = format!("{path}?limit={limit}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let r = app.get(&url).send().await;
        r.expect(200);
        let mut list = r.data().clone();
        for k in key {
            list = list[*k].clone();
        }
        let edges = list["edges"].as_array().unwrap();
        assert!(edges.len() <= limit as usize);
        assert_eq!(list["edgeCount"], edges.len());
        out.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_string()),
        );
        match list["pageInfo"]["token"].as_str() {
            Some(t) => {
                assert_eq!(list["pageInfo"]["hasNextPage"], true);
                cursor = Some(t.to_string());
            }
            None => {
                assert_eq!(list["pageInfo"]["hasNextPage"], false);
                return out;
            }
        }
    }
    panic!("{path} never ended");
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn tracks_carry_the_reference_fields_and_how_to_play_them() {
    let app = TestApp::new().await;
    let r = app.get("/v1/tracks/B084KVZP2G").send().await;
    r.expect(200);
    let t = &r.data()["track"];
    assert_eq!(t["title"], "The Adults Are Talking [Explicit]");
    assert_eq!(t["shortTitle"], "The Adults Are Talking");
    assert_eq!(t["globalAsin"], "B084KVZP2G");
    assert_eq!(t["mrn"], "mrn:1.0:catalog:track:asin:B084KVZP2G");
    assert_eq!(t["duration"], 309);
    assert_eq!(t["isrc"], "USRC11902726");
    assert_eq!(t["releaseDate"], "2020-04-10");
    assert_eq!(t["album"]["id"], "B084KYMDXT");
    assert_eq!(t["artists"][0]["name"], "The Strokes");
    assert_eq!(
        t["parentalSettings"],
        json!({"isKidFriendly": false, "hasExplicitLanguage": true})
    );
    assert!(t["url"]
        .as_str()
        .unwrap()
        .ends_with("/v1/tracks/B084KVZP2G"));
    // The url a playback entity gives for its track resolves.
    let s = app
        .album_session(&app.token, None, json!({"limit": 1}))
        .await;
    let url = s.entity(0)["track"]["url"].as_str().unwrap();
    let path = &url[url.find("/v1/").unwrap()..];
    app.get(path).send().await.expect(200);

    app.get("/v1/tracks/B084KVZP2G?mediaType=AUDIO")
        .send()
        .await
        .expect(200);
    app.get("/v1/tracks/B084KVZP2G?mediaType=VIDEO")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.get("/v1/tracks/B084KVZP2G?mediaType=HOLOGRAM")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    app.get("/v1/tracks/NOPE")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    // What cannot be an id names nothing, as an unknown id does.
    for path in [
        "/v1/tracks/no%20such",
        "/v1/albums/a%2Fb",
        "/v1/users/%C3%A9",
    ] {
        let r = app.get(path).send().await;
        r.expect_error(404, "RESOURCE_NOT_FOUND");
    }
    let r = app.get("/v1/tracks?ids=no%20such,B084KVZP2G").send().await;
    assert_eq!(ids(&r.expect(200).data()["tracks"]), ["B084KVZP2G"]);
    let r = app
        .get("/v1/tracks?ids=B084KPC3Q7,NOPE,B084KVZP2G")
        .send()
        .await;
    assert_eq!(
        ids(&r.expect(200).data()["tracks"]),
        ["B084KPC3Q7", "B084KVZP2G"],
        "the order asked, unknown ids left out"
    );
    let many = vec!["B084KPC3Q7"; 101].join(",");
    for bad in [
        format!("/v1/tracks?ids={many}"),
        "/v1/tracks?ids=".into(),
        "/v1/tracks".into(),
    ] {
        app.get(&bad).send().await.expect_error(400, "BAD_REQUEST");
    }
    let hundred = vec!["B084KPC3Q7"; 100].join(",");
    app.get(&format!("/v1/tracks?ids={hundred}"))
        .send()
        .await
        .expect(200);
}

#[tokio::test]
async fn albums_list_their_tracks_in_order() {
    let app = TestApp::new().await;
    let r = app.get("/v1/albums/B084KYMDXT").send().await;
    r.expect(200);
    let a = &r.data()["album"];
    assert_eq!(ids(&a["tracks"]), SPEC_ALBUM);
    assert_eq!(a["trackCount"], 9);
    assert_eq!(a["mrn"], "mrn:1.0:catalog:album:asin:B084KYMDXT");
    assert_eq!(a["releaseDate"], "2020-04-10");
    assert_eq!(a["artists"][0]["id"], "B00G70DLAS");
    assert_eq!(a["parentalSettings"]["hasExplicitLanguage"], true);
    assert_eq!(a["images"].as_array().unwrap().len(), 1);
    let total: u64 = {
        let t = app
            .get(&format!("/v1/tracks?ids={}", SPEC_ALBUM.join(",")))
            .send()
            .await;
        t.data()["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["duration"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(a["duration"], total);
    let r = app.get("/v1/albums?ids=DEMOAL0004,B084KYMDXT").send().await;
    assert_eq!(ids(&r.data()["albums"]), ["DEMOAL0004", "B084KYMDXT"]);
    app.get("/v1/albums/NOPE")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn artists_their_albums_tracks_and_neighbours() {
    let app = TestApp::new().await;
    let a = app.get("/v1/artists/B00G70DLAS").send().await;
    assert_eq!(a.expect(200).data()["artist"]["name"], "The Strokes");
    assert_eq!(
        a.data()["artist"]["mrn"],
        "mrn:1.0:catalog:artist:asin:B00G70DLAS"
    );
    let r = app
        .get("/v1/artists?ids=DEMOAR0004,B00G70DLAS,NOPE")
        .send()
        .await;
    assert_eq!(ids(&r.data()["artists"]), ["DEMOAR0004", "B00G70DLAS"]);

    // An artist with albums of several years (and one undated), paged one by one.
    app.medley.library
        .import_catalog_json(
            &json!({
                "artists": [{"id": "ARTY", "name": "Prolific"}],
                "albums": [
                    {"id": "ALB-OLD", "title": "Old", "artistIds": ["ARTY"], "trackIds": ["T1"], "releaseDate": "2001-01-01"},
                    {"id": "ALB-NEW", "title": "New", "artistIds": ["ARTY"], "trackIds": ["T2"], "releaseDate": "2010-05-05"},
                    {"id": "ALB-UND", "title": "Undated", "artistIds": ["ARTY"], "trackIds": ["T3"]},
                ],
                "tracks": [
                    {"id": "T1", "title": "One", "duration": 100, "albumId": "ALB-OLD", "artistIds": ["ARTY"]},
                    {"id": "T2", "title": "Two", "duration": 100, "albumId": "ALB-NEW", "artistIds": ["ARTY"]},
                    {"id": "T3", "title": "Three", "duration": 100, "albumId": "ALB-UND", "artistIds": ["ARTY"]},
                ],
            })
            .to_string(),
        )
        .await
        .unwrap();
    for limit in [1, 2, 100] {
        assert_eq!(
            walk(
                &app,
                "/v1/artists/ARTY/albums",
                &["artist", "albums"],
                limit
            )
            .await,
            ["ALB-NEW", "ALB-OLD", "ALB-UND"],
            "newest first, undated last"
        );
    }
    let strokes = walk(
        &app,
        "/v1/artists/B00G70DLAS/tracks",
        &["artist", "tracks"],
        4,
    )
    .await;
    assert_eq!(strokes.len(), 9);
    let mut unique = strokes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 9);
    for bad in [
        "/v1/artists/ARTY/albums?cursor=zzz",
        "/v1/artists/B00G70DLAS/tracks?cursor=x",
        "/v1/artists/ARTY/albums?limit=0",
        "/v1/artists/ARTY/albums?limit=101",
    ] {
        app.get(bad).send().await.expect_error(400, "BAD_REQUEST");
    }
    app.get("/v1/artists/NOPE/albums")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");

    // Related artists: the other alternative rock bands before anything else, never itself.
    let r = app
        .get("/v1/artists/B00G70DLAS/relatedArtists?limit=3")
        .send()
        .await;
    let related: Vec<String> = r.expect(200).data()["artist"]["relatedArtists"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(related.len(), 3);
    assert!(!related.contains(&"B00G70DLAS".to_string()));
    let mut top_two = related[..2].to_vec();
    top_two.sort();
    assert_eq!(top_two, ["DEMOAR0004", "DEMOAR0005"], "{related:?}");
}

#[tokio::test]
async fn playlists_stations_and_shows() {
    let app = TestApp::new().await;
    let r = app.get("/v1/playlists/B01LS62KK2").send().await;
    let pl = &r.expect(200).data()["playlist"];
    assert_eq!(pl["title"], "CLASSIC ROCK HITS");
    assert_eq!(pl["trackCount"], 8);
    assert_eq!(pl["visibility"], "PUBLIC");
    assert_eq!(pl["mrn"], "mrn:1.0:catalog:playlist:asin:B01LS62KK2");
    let all = walk(
        &app,
        "/v1/playlists/B01LS62KK2/tracks",
        &["playlist", "tracks"],
        100,
    )
    .await;
    assert_eq!(all.len(), 8);
    assert_eq!(
        walk(
            &app,
            "/v1/playlists/B01LS62KK2/tracks",
            &["playlist", "tracks"],
            3
        )
        .await,
        all,
        "pages of three give the same tracks in the same order"
    );
    let first = app
        .get("/v1/playlists/B01LS62KK2/tracks?limit=1")
        .send()
        .await;
    let cursor = first.data()["playlist"]["tracks"]["edges"][0]["cursor"]
        .as_str()
        .unwrap();
    // Cursors are tokens of the documented pattern (docs/api.md, "Paging"); an edge's cursor
    // starts the page after it.
    assert!(
        cursor.starts_with("v2.") && !cursor.contains(all[0].as_str()),
        "{cursor}"
    );
    let after = app
        .get(&format!(
            "/v1/playlists/B01LS62KK2/tracks?limit=1&cursor={cursor}"
        ))
        .send()
        .await;
    assert_eq!(
        after.data()["playlist"]["tracks"]["edges"][0]["node"]["id"],
        all[1].as_str()
    );
    app.get("/v1/playlists/NOPE")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");

    let r = app.get("/v1/stations/B00G70DLAS").send().await;
    let st = &r.expect(200).data()["station"];
    assert_eq!(st["name"], "The Strokes Station");
    assert_eq!(st["mrn"], "mrn:1.0:catalog:station:asin:B00G70DLAS");
    assert_eq!(st["seed"], json!({"type": "ARTIST", "id": "B00G70DLAS"}));
    // The station MRN plays.
    app.post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": st["mrn"]}}))
        .send()
        .await
        .expect(200);
    app.get("/v1/stations/NOPE")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");

    let r = app
        .get("/v1/podcasts/shows/8bfa8155-888b-4553-acd3-8f22d43b4c9e")
        .send()
        .await;
    assert_eq!(r.expect(200).data()["podcastShow"]["title"], "DISGRACELAND");
    assert_eq!(r.data()["podcastShow"]["episodes"]["edgeCount"], 0);
}

#[tokio::test]
async fn lookups_need_the_catalog_scope() {
    let app = TestApp::new().await;
    let user = app.get("/v1/me").send().await.data()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.scoped_token(&user, &["music::playback"]).await;
    for path in [
        "/v1/tracks/B084KVZP2G",
        "/v1/albums?ids=B084KYMDXT",
        "/v1/artists/B00G70DLAS/relatedArtists",
        "/v1/playlists/B01LS62KK2/tracks",
        "/v1/stations/B00G70DLAS",
    ] {
        app.get(path)
            .token(&token)
            .send()
            .await
            .expect_error(403, "ACCESS_DENIED");
    }
}

#[tokio::test]
async fn the_whole_catalog_pages_by_name() {
    let app = TestApp::new().await;
    // A private playlist of the user is theirs, not the catalog's.
    app.post("/v1/playlists")
        .json(serde_json::json!({"title": "Aaa secret"}))
        .send()
        .await
        .expect(201);
    for (path, key, name, count) in [
        ("/v1/catalog/albums", "albums", "title", 8),
        ("/v1/catalog/artists", "artists", "name", 8),
        ("/v1/catalog/playlists", "playlists", "title", 2),
    ] {
        let mut names: Vec<String> = Vec::new();
        let mut url = format!("{path}?limit=3");
        loop {
            let res = app.get(&url).send().await;
            res.expect(200);
            let page = &res.data()[key];
            for e in page["edges"].as_array().unwrap() {
                names.push(e["node"][name].as_str().unwrap().to_string());
            }
            match page["pageInfo"]["token"].as_str() {
                Some(c) => url = format!("{path}?limit=3&cursor={}", urlencode(c)),
                None => break,
            }
        }
        assert_eq!(names.len(), count, "{path}: {names:?}");
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, sorted, "{path} is in name order");
        assert!(!names.iter().any(|n| n == "Aaa secret"));
    }
    app.get("/v1/catalog/albums?cursor=nonsense")
        .send()
        .await
        .expect(400);
    app.get("/v1/catalog/albums?limit=0")
        .send()
        .await
        .expect(400);
    app.get("/v1/catalog/albums")
        .without("authorization")
        .send()
        .await
        .expect(401);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
