//! What people say to an Echo, as Alexa hands it on: untyped values ("shuffle my music", "my
//! favorites"), "<artist> radio", playlists said with the word "playlist" or misheard, ids
//! Medley does not know beside what was heard, ids sent with the wrong type; and the screens'
//! GetDisplayableContent, whose every item plays.

mod common;

use common::alexa::{attr, directive_in, error_type, search, send, start, track_of};
use common::TestApp;
use medley_store::Visibility;
use serde_json::{json, Value};

const ALBUM: &str = "mrn:1.0:catalog:album:asin:B084KYMDXT";
const STROKES_RADIO: &str = "mrn:1.0:catalog:station:asin:B00G70DLAS";
const CLASSIC_ROCK: &str = "mrn:1.0:catalog:playlist:asin:B01LS62KK2";

fn said(kind: Option<&str>, value: &str) -> Value {
    match kind {
        Some(k) => json!({"type": k, "value": value}),
        None => json!({"value": value}),
    }
}

/// The content GetPlayableContent finds for `attributes`: (id, type, name).
async fn found(app: &TestApp, token: &str, attributes: Value) -> (String, String, String) {
    let r = send(app, search(token, attributes.clone(), true)).await;
    assert_eq!(
        r["header"]["name"], "GetPlayableContent.Response",
        "{attributes}: {r}"
    );
    let c = &r["payload"]["content"];
    (
        c["id"].as_str().unwrap().to_string(),
        c["metadata"]["type"].as_str().unwrap().to_string(),
        c["metadata"]["name"]["display"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

async fn own_playlist(app: &TestApp, title: &str, tracks: &[&str]) -> String {
    let r = app
        .post("/v1/playlists")
        .json(json!({"title": title, "tracks": []}))
        .send()
        .await;
    r.expect(201);
    let id = r.data()["playlist"]["id"].as_str().unwrap().to_string();
    app.put(&format!("/v1/playlists/{id}/tracks"))
        .json(json!({"trackIds": tracks}))
        .send()
        .await
        .expect(200);
    format!("mrn:1.0:catalog:playlist:asin:{id}")
}

#[tokio::test]
async fn the_listeners_own_music_by_the_words_they_use() {
    let app = TestApp::new().await;
    let t = &app.token.clone();
    for liked in ["DEMOTR0107", "B084KPC3Q7"] {
        app.put(&format!("/v1/me/library/tracks/{liked}"))
            .send()
            .await
            .expect(200);
        app.advance_secs(60);
    }
    // "Play my music": the user's own music, in order.
    for words in ["play my music", "my music", "Music"] {
        let (id, kind, _) = found(&app, t, json!([said(None, words)])).await;
        assert_eq!(
            (id.as_str(), kind.as_str()),
            ("mine:recent", "PLAYLIST"),
            "{words}"
        );
    }
    // "Shuffle my music": the same, shuffled when it plays.
    let (id, _, _) = found(&app, t, json!([said(None, "shuffle my music")])).await;
    assert_eq!(id, "shuffle:mine:recent");
    let (_, _, r) = start(&app, t, &id, json!({"shuffle": false})).await;
    let shuffle = r["payload"]["playbackMethod"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "SHUFFLE")
        .cloned()
        .unwrap();
    assert_eq!(shuffle["selected"], true, "{r}");
    // "Play my favorites", "my liked songs": the liked tracks, the latest first.
    for words in ["play my favorites", "my liked songs", "my favourites"] {
        let (id, kind, name) = found(&app, t, json!([said(None, words)])).await;
        assert_eq!(
            (id.as_str(), kind.as_str()),
            ("mine:liked", "PLAYLIST"),
            "{words}"
        );
        assert_eq!(name, "your liked songs");
    }
    let (queue, _, r) = start(&app, t, "mine:liked", json!({})).await;
    assert_eq!(
        track_of(&r["payload"]["playbackMethod"]["firstItem"]),
        "B084KPC3Q7"
    );
    let next = app
        .get(&format!("/v1/playback/sessions/{queue}/next"))
        .send()
        .await;
    assert_eq!(next.track_ids(), ["DEMOTR0107"], "only what was liked");
    let (id, _, _) = found(&app, t, json!([said(None, "shuffle my favorites")])).await;
    assert_eq!(id, "shuffle:mine:liked");
    // A playlist of the user's called that comes first.
    let mine = own_playlist(&app, "My Favorites", &["DEMOTR0108"]).await;
    let (id, _, _) = found(&app, t, json!([said(None, "my favorites")])).await;
    assert_eq!(id, mine);
    // Someone who liked nothing: not found, and why.
    let (_, other) = app
        .person("Other", Visibility::Public, Visibility::Public)
        .await;
    let r = send(
        &app,
        search(&other, json!([said(None, "my liked songs")]), true),
    )
    .await;
    assert_eq!(error_type(&r), ("ErrorResponse", "CONTENT_NOT_FOUND"));
    assert!(r["payload"]["message"].as_str().unwrap().contains("liked"));
}

#[tokio::test]
async fn radio_playlists_and_names_heard_not_quite_right() {
    let app = TestApp::new().await;
    let t = &app.token.clone();
    let road_trip = own_playlist(&app, "Road Trip", &["B084KPC3Q7"]).await;
    let sunday_radio = own_playlist(&app, "Sunday Radio", &["DEMOTR0106"]).await;
    let cases = [
        // "<artist> radio", typed ARTIST or STATION, or untyped: a station of that artist.
        (
            vec![said(Some("ARTIST"), "The Strokes radio")],
            STROKES_RADIO,
        ),
        (
            vec![said(Some("STATION"), "the strokes radio")],
            STROKES_RADIO,
        ),
        (vec![said(None, "The Strokes radio")], STROKES_RADIO),
        (vec![said(None, "play the strokes station")], STROKES_RADIO),
        // An artist matched by id, said with "radio".
        (
            vec![json!({"type": "ARTIST", "entityId": "B00G70DLAS",
                        "value": "the strokes radio"})],
            STROKES_RADIO,
        ),
        // A name that ends in "radio" is that thing, not a station.
        (vec![said(None, "sunday radio")], sunday_radio.as_str()),
        // The word "playlist" said with the name.
        (
            vec![said(Some("PLAYLIST"), "classic rock hits playlist")],
            CLASSIC_ROCK,
        ),
        (vec![said(None, "classic rock hits playlist")], CLASSIC_ROCK),
        (
            vec![said(None, "the classic rock hits playlist")],
            CLASSIC_ROCK,
        ),
        (
            vec![said(None, "play my road trip playlist")],
            road_trip.as_str(),
        ),
        // Heard with small differences: the user's own playlists first, as search matches.
        (
            vec![said(Some("PLAYLIST"), "road trips")],
            road_trip.as_str(),
        ),
        (vec![said(None, "raod trip playlist")], road_trip.as_str()),
        (
            vec![said(Some("PLAYLIST"), "clasic rock hit")],
            CLASSIC_ROCK,
        ),
        (vec![said(None, "my road trip")], road_trip.as_str()),
        // An id Medley does not know, with what was heard beside it.
        (
            vec![json!({"type": "ALBUM", "entityId": "amzn1.nope", "value": "the new abnormal"})],
            ALBUM,
        ),
        (
            vec![json!({"type": "STATION", "entityId": "NOSUCHSEED", "value": "the strokes"})],
            STROKES_RADIO,
        ),
        // A known id sent with the wrong type: the id decides.
        (vec![attr("ARTIST", "B084KYMDXT")], ALBUM),
        (vec![attr("TRACK", "B01LS62KK2")], CLASSIC_ROCK),
    ];
    for (attributes, want) in cases {
        let (id, _, _) = found(&app, t, json!(attributes)).await;
        assert_eq!(id, want, "{attributes:?}");
        // What was found plays.
        let (_, first, _) = start(&app, t, &id, json!({})).await;
        assert!(!first.is_empty());
    }
    // An unknown id with nothing heard beside it is not found.
    let r = send(&app, search(t, json!([attr("ALBUM", "amzn1.nope")]), true)).await;
    assert_eq!(error_type(&r), ("ErrorResponse", "CONTENT_NOT_FOUND"));
}

fn display(token: &str, criteria: Value, limit: Option<u64>) -> Value {
    let mut payload = json!({"filters": {"explicitLanguageAllowed": true},
                             "alexaResolvedSelectionCriteria": criteria});
    if let Some(n) = limit {
        payload["maxResultLimit"] = json!(n);
    }
    let mut d = directive_in(
        "Alexa.Media.Search",
        "GetDisplayableContent",
        token,
        payload,
    );
    d["header"]["payloadVersion"] = json!("2.0");
    d
}

/// The shelves of a GetDisplayableContent answer: (name, the items' ids).
fn shelves(r: &Value) -> Vec<(String, Vec<String>)> {
    assert_eq!(r["header"]["name"], "GetDisplayableContent.Response", "{r}");
    assert_eq!(r["header"]["namespace"], "Alexa.Media.Search");
    assert_eq!(r["header"]["payloadVersion"], "2.0");
    r["payload"]["contentGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let items = g["contentList"].as_array().unwrap();
            for item in items {
                let m = &item["metadata"];
                assert_eq!(m["name"]["speech"]["type"], "PLAIN_TEXT", "{item}");
                let sizes: Vec<&str> = m["art"]["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["size"].as_str().unwrap())
                    .collect();
                assert_eq!(sizes, ["X_SMALL", "SMALL", "MEDIUM", "LARGE", "X_LARGE"]);
                assert_eq!(item["actions"]["playable"], true);
                if m["type"] == "ALBUM" {
                    assert!(m["authors"][0]["name"]["display"].is_string(), "{item}");
                }
            }
            (
                g["metadata"]["name"]["display"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                items
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn screens_browse_shelves_whose_every_item_plays() {
    let app = TestApp::new().await;
    let t = &app.token.clone();
    // Before anything played: the library's shelves.
    let r = send(&app, display(t, json!([]), None)).await;
    let first = shelves(&r);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Your music", "Albums", "Artists", "Stations"],
        "{r}"
    );
    // After playing an album by voice, with a playlist of one's own and a liked track.
    start(&app, t, ALBUM, json!({})).await;
    let mine = own_playlist(&app, "Road Trip", &["B084KPC3Q7"]).await;
    app.put("/v1/me/library/tracks/DEMOTR0107")
        .send()
        .await
        .expect(200);
    let r = send(&app, display(t, json!([]), Some(3))).await;
    let got = shelves(&r);
    let shelf = |name: &str| {
        got.iter()
            .find(|(n, _)| n == name)
            .map(|(_, ids)| ids.clone())
            .unwrap_or_else(|| panic!("no {name} shelf: {r}"))
    };
    assert_eq!(shelf("Recently played"), [ALBUM]);
    assert_eq!(shelf("Your music"), ["mine:liked", "mine:popular"]);
    assert_eq!(shelf("Your playlists"), std::slice::from_ref(&mine));
    assert_eq!(shelf("Albums").len(), 3, "maxResultLimit");
    assert!(shelf("Stations")
        .iter()
        .all(|id| id.starts_with("mrn:1.0:catalog:station:")));
    // Every item plays.
    for (_, ids) in &got {
        for id in ids {
            let (_, first, _) = start(&app, t, id, json!({})).await;
            assert!(!first.is_empty(), "{id}");
        }
    }

    // A spoken query: the best match first, then what matches by kind.
    let query = json!([{"attributes": [{"type": "ARTIST", "value": "the strokes"},
                                      {"type": "SEARCH_METHOD", "value": "RECOMMENDED"}]}]);
    let r = send(&app, display(t, query, None)).await;
    let got = shelves(&r);
    assert_eq!(
        got[0],
        (
            "Top result".to_string(),
            vec!["mrn:1.0:catalog:artist:asin:B00G70DLAS".to_string()]
        )
    );
    let stations = got.iter().find(|(n, _)| n == "Stations").unwrap();
    assert_eq!(stations.1[0], STROKES_RADIO);
    // Nothing matches: not found, on Alexa.Media 1.0.
    let query = json!([{"attributes": [{"value": "zzzq xxqv"}]}]);
    let r = send(&app, display(t, query, None)).await;
    assert_eq!(error_type(&r), ("ErrorResponse", "CONTENT_NOT_FOUND"));
    assert_eq!(r["header"]["namespace"], "Alexa.Media");
    assert_eq!(r["header"]["payloadVersion"], "1.0");
    // Bad requests.
    for bad in [
        display(t, json!("x"), None),
        display(t, json!([{"attributes": 5}]), None),
        display(t, json!([]), Some(0)),
    ] {
        let r = send(&app, bad).await;
        assert_eq!(error_type(&r).1, "INVALID_DIRECTIVE", "{r}");
    }
}
