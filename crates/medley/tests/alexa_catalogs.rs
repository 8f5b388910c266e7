//! `medley alexa catalogs` against the real binary: the files match the JSON Schema written
//! from Amazon's Music Catalog Reference (docs/alexa-catalog.schema.json), every exported id
//! is one GetPlayableContent resolves, popularity follows listening history, private playlists
//! stay out, and a re-scan that retires a track exports it as deleted while what did not
//! change keeps its lastUpdatedTime.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::*;
use serde_json::{json, Value};

const FILES: [(&str, &str, &str); 5] = [
    ("artists.json", "AMAZON.MusicGroup", "ARTIST"),
    ("albums.json", "AMAZON.MusicAlbum", "ALBUM"),
    ("tracks.json", "AMAZON.MusicRecording", "TRACK"),
    ("playlists.json", "AMAZON.MusicPlaylist", "PLAYLIST"),
    ("genres.json", "AMAZON.Genre", "GENRE"),
];

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/alexa-catalog.schema.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

/// Runs the export; returns each catalog, by file name, after checking it against the schema.
fn export(dir: &Path, out: &Path) -> (String, HashMap<&'static str, Value>) {
    let (ok, printed, err) = cli(dir, &["alexa", "catalogs", "--out", out.to_str().unwrap()]);
    assert!(ok, "{err}");
    let validator = schema();
    let mut catalogs = HashMap::new();
    for (file, kind, _) in FILES {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let catalog: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&catalog)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        assert_eq!(catalog["type"], kind);
        assert_eq!(
            catalog["locales"],
            json!([{"country": "US", "language": "en"}])
        );
        let ids: Vec<&str> = catalog["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        let unique: HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{file}: an id twice");
        catalogs.insert(file, catalog);
    }
    (printed, catalogs)
}

fn live(catalog: &Value) -> Vec<&Value> {
    catalog["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("deleted").is_none())
        .collect()
}

fn by_id<'a>(catalog: &'a Value, id: &str) -> Option<&'a Value> {
    catalog["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
}

fn tone(path: &Path, hz: f64) {
    let samples: Vec<i16> = (0..22_050)
        .map(|i| ((i as f64 * hz * std::f64::consts::TAU / 22_050.0).sin() * 8000.0) as i16)
        .collect();
    std::fs::write(path, medley_core::wav::pcm16(22_050, &samples)).unwrap();
}

fn playable_content(token: &str, kind: &str, id: &str) -> Value {
    json!({
        "header": {"namespace": "Alexa.Media.Search", "name": "GetPlayableContent",
                   "messageId": "7b1a0f3e-1d56-4a53-9a36-2f4f4fd3c8a1", "payloadVersion": "1.0"},
        "payload": {
            "requestContext": {"user": {"id": "amzn1.ask.account.AGF7EXAMPLE", "accessToken": token},
                               "location": {"originatingLocale": "en-US"}},
            "filters": {"explicitLanguageAllowed": true},
            "selectionCriteria": {"attributes": [{"type": kind, "entityId": id}]}}})
}

#[test]
fn the_library_exports_as_alexa_catalogs_whose_ids_resolve() {
    let dir = temp_dir();
    let out = dir.join("catalogs");
    let server = Server::start(&dir, true);
    let (key, token) = server.demo_credentials();
    let auth = format!("Bearer {token}");
    let headers = [
        ("x-api-key", key.as_str()),
        ("Authorization", auth.as_str()),
        ("X-Amzn-Device-Id", "phone"),
    ];
    // Two scanned songs beside the demo catalog.
    let music = dir.join("music");
    std::fs::create_dir_all(&music).unwrap();
    tone(&music.join("Tone Poem One.wav"), 220.0);
    tone(&music.join("Tone Poem Two.wav"), 330.0);
    let (ok, _, err) = cli(&dir, &["catalog", "import", music.to_str().unwrap()]);
    assert!(ok, "{err}");
    // A public playlist and a private one of the demo user.
    let mut playlists = Vec::new();
    for (title, visibility) in [("Roadtrip Anthems", "PUBLIC"), ("Secret Mix", "PRIVATE")] {
        let (status, r) = server.request(
            "POST",
            "/v1/playlists",
            &headers,
            Some(&json!({"title": title, "visibility": visibility})),
        );
        assert_eq!(status, 201, "{r}");
        let id = r["data"]["playlist"]["id"].as_str().unwrap().to_string();
        let (status, r) = server.request(
            "PUT",
            &format!("/v1/playlists/{id}/tracks"),
            &headers,
            Some(&json!({"trackIds": ["B084KPC3Q7"]})),
        );
        assert_eq!(status, 200, "{r}");
        playlists.push(id);
    }
    // Listening: the catalog playlist's first tracks are played once each.
    let (status, res) = server.request(
        "POST",
        "/v1/playback/sessions",
        &headers,
        Some(
            &json!({"playParams": {"id": "mrn:1.0:catalog:playlist:asin:B01LS62KK2"}, "limit": 3,
                     "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}}),
        ),
    );
    assert_eq!(status, 200, "{res}");
    let mut played = Vec::new();
    for (i, e) in res["data"]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let ev = json!({"metricId": e["metricId"], "event": {"type": "start",
            "clientTimestampInMilliseconds": 1_000 + i, "initialPlaybackDelayMilliseconds": 5,
            "deviceTimezone": "+00:00", "playbackCurrentSpeed": 1.0,
            "playbackStartAbsoluteOffsetMilliseconds": 0}});
        let (status, body) = server.request("POST", "/v1/playback/event", &headers, Some(&ev));
        assert_eq!(status, 201, "{body}");
        played.push(e["entityReferenceId"].clone());
    }

    let (printed, first) = export(&dir, &out);
    assert!(
        printed.contains(
            "tracks.json: 37 AMAZON.MusicRecording entities (37 new, 0 changed, 0 deleted)"
        ),
        "{printed}"
    );
    let tracks = &first["tracks.json"];
    assert_eq!(
        live(tracks).len(),
        37,
        "the demo's 35 tracks and the 2 scanned"
    );
    // Names as people say them, artists and albums by id and name.
    let selfless = by_id(tracks, "B084KPC3Q7").unwrap();
    assert_eq!(
        selfless["names"],
        json!([{"language": "en", "value": "Selfless"}])
    );
    assert_eq!(selfless["artists"][0]["id"], "B00G70DLAS");
    assert_eq!(selfless["artists"][0]["names"][0]["value"], "The Strokes");
    assert_eq!(selfless["albums"][0]["id"], "B084KYMDXT");
    assert_eq!(
        selfless["albums"][0]["names"][0]["value"], "The New Abnormal",
        "no [Explicit] in a spoken name"
    );
    // Popularity follows plays: the played catalog playlist ranks above the unplayed one.
    let lists = &first["playlists.json"];
    let popularity = |c: &Value, id: &str| {
        by_id(c, id).unwrap()["popularity"]["default"]
            .as_u64()
            .unwrap()
    };
    assert!(popularity(lists, "B01LS62KK2") > 0);
    assert!(
        by_id(lists, &playlists[0]).is_some(),
        "a public user playlist is in"
    );
    assert!(
        by_id(lists, &playlists[1]).is_none(),
        "a private one stays out"
    );
    let played_tracks = live(tracks)
        .iter()
        .filter(|e| e["popularity"]["default"].as_u64().unwrap() > 0)
        .count();
    assert!(
        (1..=3).contains(&played_tracks),
        "{played_tracks} tracks have plays"
    );
    assert!(by_id(&first["genres.json"], "Soundtrack").is_some());

    // Every exported id is content GetPlayableContent finds.
    for (file, _, kind) in FILES {
        for e in live(&first[file]) {
            let id = e["id"].as_str().unwrap();
            let (status, r) = server.request(
                "POST",
                "/alexa",
                &[],
                Some(&playable_content(&token, kind, id)),
            );
            assert_eq!(status, 200);
            assert_eq!(
                r["header"]["name"], "GetPlayableContent.Response",
                "{kind} {id}: {r}"
            );
            let content = r["payload"]["content"]["id"].as_str().unwrap();
            assert!(content.ends_with(id), "{kind} {id} answered {content}");
        }
    }

    // A re-scan retires a song whose file is gone: the next export says it is deleted, and
    // what did not change keeps its time.
    let two = live(tracks)
        .into_iter()
        .find(|e| e["names"][0]["value"] == "Tone Poem Two")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(music.join("Tone Poem Two.wav")).unwrap();
    let (ok, _, err) = cli(&dir, &["catalog", "import", music.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (printed, second) = export(&dir, &out);
    assert!(
        printed.contains(
            "tracks.json: 37 AMAZON.MusicRecording entities (0 new, 0 changed, 1 deleted)"
        ),
        "{printed}"
    );
    let deleted = by_id(&second["tracks.json"], &two).unwrap();
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted.as_object().unwrap().len(), 3, "{deleted}");
    for e in live(&first["tracks.json"]) {
        if e["id"] != two.as_str() {
            let now = by_id(&second["tracks.json"], e["id"].as_str().unwrap()).unwrap();
            assert_eq!(now["lastUpdatedTime"], e["lastUpdatedTime"], "{}", e["id"]);
        }
    }
    // And again: the deletion stays said, at the time it happened.
    let (printed, third) = export(&dir, &out);
    assert!(
        printed.contains("(0 new, 0 changed, 1 deleted)"),
        "{printed}"
    );
    assert_eq!(
        by_id(&third["tracks.json"], &two).unwrap()["lastUpdatedTime"],
        deleted["lastUpdatedTime"]
    );
    drop(server);

    // Refusals are clear.
    let (ok, _, err) = cli(
        &dir,
        &[
            "alexa",
            "catalogs",
            "--out",
            out.to_str().unwrap(),
            "--locale",
            "english",
        ],
    );
    assert!(!ok);
    assert!(err.contains("is not a locale such as en-US"), "{err}");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (ok, _, err) = cli(
        &dir,
        &["alexa", "catalogs", "--out", file.to_str().unwrap()],
    );
    assert!(!ok);
    assert!(err.contains("a-file"), "{err}");
}
