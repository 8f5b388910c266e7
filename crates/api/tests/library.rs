//! A folder of real audio files (generated and tagged here) imported as the catalog: tags,
//! durations, album order from disc and track numbers, unreadable files skipped, stable ids
//! across re-scans, and the files streamed back through their signed URLs.

mod common;

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use common::TestApp;
use medley_loadgen::audio::{write_tags, write_wav, Tags};
use medley_media::tags::Scan;
use medley_store::ImportSummary;
use serde_json::json;

struct Song<'a> {
    file: &'a str,
    tags: Tags<'a>,
    seconds: u32,
}

fn tag(path: &Path, s: &Song) {
    write_tags(path, &s.tags).unwrap();
}

const fn song<'a>(
    file: &'a str,
    title: &'a str,
    artist: &'a str,
    album_artist: Option<&'a str>,
    disc: u32,
    track: u32,
    seconds: u32,
) -> Song<'a> {
    Song {
        file,
        tags: Tags {
            title,
            artist,
            album: "Sine Suite",
            album_artist,
            disc,
            track,
            genre: "Ambient",
            date: "2024-05-17",
            cover: None,
        },
        seconds,
    }
}

const SONGS: [Song; 4] = [
    song(
        "Tones/Sine Suite/a.wav",
        "Second",
        "The Oscillators",
        None,
        1,
        2,
        3,
    ),
    song(
        "Tones/Sine Suite/b.wav",
        "First",
        "The Oscillators",
        None,
        1,
        1,
        2,
    ),
    song(
        "Tones/Sine Suite/c.wav",
        "Encore",
        "The Oscillators",
        None,
        2,
        1,
        1,
    ),
    song(
        "Guests/duet.wav",
        "Duet",
        "Pulse Wave",
        Some("The Oscillators"),
        1,
        3,
        2,
    ),
];

fn library(app: &TestApp) -> PathBuf {
    let root = app.dir.join("music");
    for (i, s) in SONGS.iter().enumerate() {
        let path = root.join(s.file);
        write_wav(&path, s.seconds * 1000, 220.0 * (i + 1) as f64).unwrap();
        tag(&path, s);
    }
    std::fs::write(root.join("Tones/broken.mp3"), b"this is not audio at all").unwrap();
    std::fs::write(root.join("Tones/notes.txt"), b"not scanned").unwrap();
    root
}

/// Imports the folder `root` as the catalog.
async fn scan(app: &TestApp, root: &Path) -> (ImportSummary, Scan) {
    app.medley
        .library
        .import_folder(root, Box::new(|_, _| {}))
        .await
        .unwrap()
}

/// The id of the first of `kind` (`albums`, `artists`) a search for `query` finds.
async fn first_found(app: &TestApp, kind: &str, query: &str) -> String {
    let found = app
        .post(&format!("/v1/search/{kind}"))
        .json(json!({"searchFilters": [{"query": query}]}))
        .send()
        .await;
    let key = format!("search{}{}", kind[..1].to_uppercase(), &kind[1..]);
    found.data()[key.as_str()]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_scanned_folder_becomes_the_catalog_and_plays() {
    let app = TestApp::new().await;
    let root = library(&app);
    let (sum, scan) = scan(&app, &root).await;
    assert_eq!(
        scan.files, 5,
        "four songs and the broken mp3; the .txt is not audio"
    );
    assert_eq!(scan.skipped.len(), 1);
    assert!(scan.skipped[0].0.ends_with("broken.mp3"));
    assert_eq!((sum.artists, sum.albums, sum.tracks), (2, 1, 4));

    let album_id = first_found(&app, "albums", "sine suite").await;
    let album = app.get(&format!("/v1/albums/{album_id}")).send().await;
    let a = &album.expect(200).data()["album"];
    assert_eq!(
        album.album_titles(),
        ["First", "Second", "Duet", "Encore"],
        "disc, then track number"
    );
    assert_eq!(
        a["artists"][0]["name"], "The Oscillators",
        "the album artist"
    );
    assert_eq!(a["releaseDate"], "2024-05-17");
    assert_eq!(a["duration"], 2 + 3 + 2 + 1);
    let duet = &a["tracks"][2]["id"];
    let t = app
        .get(&format!("/v1/tracks/{}", duet.as_str().unwrap()))
        .send()
        .await;
    assert_eq!(t.data()["track"]["artists"][0]["name"], "Pulse Wave");
    assert_eq!(t.data()["track"]["genre"], "Ambient");
    assert_eq!(t.data()["track"]["audioQualities"], json!(["SD", "HD"]));

    // Play the album: its first entity's URL streams the file, whole or by range.
    let s = app
        .post("/v1/playback/sessions")
        .header("x-medley-protocol", "PROGRESSIVE")
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:album:asin:{album_id}")}}))
        .send()
        .await;
    let info = &s.expect(200).entity(0)["track"]["playbackInformation"];
    assert_eq!(info["format"], "WAV");
    let url = info["url"].as_str().unwrap();
    let local = &url[url.find("/media/").unwrap()..];
    let bytes = std::fs::read(root.join(SONGS[1].file)).unwrap();
    let (status, _, body) = app.get(local).without("authorization").send_raw().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_ref(), bytes.as_slice());
    let (status, headers, body) = app
        .get(local)
        .without("authorization")
        .header("range", "bytes=100-199")
        .send_raw()
        .await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        headers["content-range"],
        format!("bytes 100-199/{}", bytes.len()).as_str()
    );
    assert_eq!(body.as_ref(), &bytes[100..200]);
}

#[tokio::test]
async fn a_rescan_keeps_every_id_and_updates_changed_files() {
    let app = TestApp::new().await;
    let root = library(&app);
    let ids = |app: &TestApp| {
        let m = app.medley.clone();
        async move {
            let found = medley_service::library::ranking::search(
                &*m.store,
                &medley_store::SearchRequest {
                    kinds: vec![medley_store::SearchKind::Track],
                    filters: vec![medley_store::SearchFilter {
                        field: Some(medley_store::SearchField::ArtistName),
                        query: "oscillators".into(),
                    }],
                    order: medley_store::SearchOrder::Name,
                    offset: 0,
                    limit: 100,
                },
            )
            .await
            .unwrap();
            found.into_iter().map(|h| h.id).collect::<Vec<_>>()
        }
    };
    scan(&app, &root).await;
    let before = ids(&app).await;
    assert_eq!(before.len(), 3);
    // A liked track: a re-scan must keep the like pointing at it.
    app.put(&format!("/v1/me/library/tracks/{}", before[0]))
        .send()
        .await
        .expect(200);
    let changed = Song {
        tags: Tags {
            title: "Second (Live)",
            ..SONGS[0].tags
        },
        ..SONGS[0]
    };
    tag(&root.join(SONGS[0].file), &changed);
    scan(&app, &root).await;
    let after = ids(&app).await;
    let mut a = after.clone();
    let mut b = before.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same ids");
    let liked = app.get("/v1/me/library/tracks").send().await;
    assert_eq!(liked.node_ids("libraryTracks"), [before[0].clone()]);
    let titles = app
        .post("/v1/search/tracks")
        .json(json!({"searchFilters": [{"query": "live"}]}))
        .send()
        .await;
    assert_eq!(
        titles.data()["searchTracks"]["edges"][0]["node"]["title"],
        "Second (Live)",
        "the changed tag is read again"
    );

    // Files removed since: their tracks retire, the album closes ranks, an artist left with
    // nothing goes.
    let duet = app
        .post("/v1/search/tracks")
        .json(json!({"searchFilters": [{"query": "duet"}]}))
        .send()
        .await
        .data()["searchTracks"]["edges"][0]["node"]
        .clone();
    std::fs::remove_file(root.join(SONGS[3].file)).unwrap();
    std::fs::remove_file(root.join(SONGS[2].file)).unwrap();
    let (sum, _) = scan(&app, &root).await;
    assert_eq!(sum.retired, 2);
    app.get(&format!("/v1/tracks/{}", duet["id"].as_str().unwrap()))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    app.get(&format!(
        "/v1/artists/{}",
        duet["artists"][0]["id"].as_str().unwrap()
    ))
    .send()
    .await
    .expect_error(404, "RESOURCE_NOT_FOUND");
    let album_id = duet["album"]["id"].as_str().unwrap();
    let album = app.get(&format!("/v1/albums/{album_id}")).send().await;
    assert_eq!(album.album_titles(), ["First", "Second (Live)"]);
    let s = app
        .post("/v1/playback/sessions")
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:album:asin:{album_id}")}, "limit": 5}))
        .send()
        .await;
    assert_eq!(s.expect(200).titles()[..2], ["First", "Second (Live)"]);
    // The like of a track whose file is gone stays, and resolves again if the file returns.
    let liked = app.get("/v1/me/library/tracks").send().await;
    assert_eq!(liked.node_ids("libraryTracks"), [before[0].clone()]);
}

/// A `w`×`h` gradient, encoded as `format`.
fn picture(w: u32, h: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).unwrap();
    (img.width(), img.height())
}

#[tokio::test]
async fn cover_art_from_a_folder_or_a_file_is_served_at_every_style() {
    let app = TestApp::new().await;
    let root = app.dir.join("covers");
    let png = picture(200, 120, image::ImageFormat::Png);
    let jpeg = picture(300, 300, image::ImageFormat::Jpeg);
    let mut folder = song("Folder Album/01.wav", "Framed", "Painter", None, 1, 1, 1);
    folder.tags.album = "Folder Album";
    let mut embedded = song("Embedded Album/01.wav", "Inside", "Painter", None, 1, 1, 1);
    embedded.tags.album = "Embedded Album";
    embedded.tags.cover = Some(&jpeg);
    for s in [&folder, &embedded] {
        write_wav(&root.join(s.file), 1000, 330.0).unwrap();
        tag(&root.join(s.file), s);
    }
    std::fs::write(root.join("Folder Album/Cover.png"), &png).unwrap();
    scan(&app, &root).await;

    let cover_of = |album: &'static str| {
        let app = &app;
        async move {
            let r = app
                .post("/v1/search/albums")
                .json(json!({"searchFilters": [{"field": "name", "query": album}]}))
                .send()
                .await;
            let url = r.data()["searchAlbums"]["edges"][0]["node"]["images"][0]["url"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(
                url.starts_with("http://127.0.0.1:8080/media/images/"),
                "{url}"
            );
            url[url.find("/media/").unwrap()..].to_string()
        }
    };
    let fetch = |path: String, style: Option<&'static str>| {
        let app = &app;
        async move {
            let mut call = app.get(&path).without("authorization").without("x-api-key");
            if let Some(s) = style {
                call = call.header("amzn-image-style", s);
            }
            call.send_raw().await
        }
    };
    let framed = cover_of("folder album").await;
    let (status, headers, body) = fetch(framed.clone(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(body.as_ref(), png.as_slice(), "the original as it is");
    let (_, headers, body) = fetch(format!("{framed}?style=SL75"), None).await;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(dimensions(&body), (75, 45), "fitted, proportions kept");
    let (_, _, body) = fetch(framed.clone(), Some("SL30")).await;
    assert_eq!(
        dimensions(&body),
        (30, 18),
        "the style header works as well"
    );
    let (_, _, body) = fetch(framed.clone(), Some("SL500")).await;
    assert_eq!(body.as_ref(), png.as_slice(), "never enlarged");

    let inside = cover_of("embedded album").await;
    let (status, headers, body) = fetch(inside.clone(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(dimensions(&body), (300, 300));
    let (_, _, body) = fetch(format!("{inside}?style=SL160"), None).await;
    assert_eq!(dimensions(&body), (160, 160));
    // The album's tracks show its cover too.
    let t = app
        .post("/v1/search/tracks")
        .json(json!({"searchFilters": [{"query": "inside"}]}))
        .send()
        .await;
    let track_image = t.data()["searchTracks"]["edges"][0]["node"]["images"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(track_image.ends_with(&inside), "{track_image}");

    let (status, _, _) = fetch(format!("{inside}?style=SL999"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = fetch("/media/images/MIMNOSUCHTHING".into(), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Albums as ripped and tagged in the wild, each format written by ffmpeg's own muxer: disc
/// and track numbers as `n/m`, and a compilation flagged without an album artist.
#[tokio::test]
async fn albums_follow_disc_and_track_numbers_and_compilations_stay_whole() {
    if !common::ffmpeg_or_skip("albums_follow_disc_and_track_numbers") {
        return;
    }
    let app = TestApp::new().await;
    let root = app.dir.join("tagged");
    let disc = |title, disc, track| -> Vec<(&str, &str)> {
        vec![
            ("title", title),
            ("artist", "The Ripped"),
            ("album", "Two Discs"),
            ("disc", disc),
            ("track", track),
        ]
    };
    let hit = |title, artist, track| -> Vec<(&str, &str)> {
        vec![
            ("title", title),
            ("artist", artist),
            ("album", "Summer Hits"),
            ("track", track),
            ("compilation", "1"),
        ]
    };
    let files = [
        ("Set/d2t2.mp3", disc("Fourth", "2/2", "2/2")),
        ("Set/d1t2.flac", disc("Second", "1/2", "2/2")),
        ("Set/d2t1.opus", disc("Third", "2/2", "1/2")),
        ("Set/d1t1.ogg", disc("First", "1/2", "01/2")),
        ("Hits/a.flac", hit("Alpha Song", "Alpha", "1/3")),
        ("Hits/b.mp3", hit("Beta Song", "Beta", "2/3")),
        ("Hits/c.m4a", hit("Gamma Song", "Gamma", "3/3")),
    ];
    for (i, (file, tags)) in files.iter().enumerate() {
        let pitch = 300.0 + 50.0 * i as f64;
        medley_loadgen::audio::encode_tagged_tone(&root.join(file), 1.0, pitch, 44_100, 16, tags)
            .unwrap();
    }
    let (sum, scan) = scan(&app, &root).await;
    assert!(scan.skipped.is_empty(), "{:?}", scan.skipped);
    assert_eq!((sum.albums, sum.tracks), (2, 7), "one album each");
    let album = |query: &'static str| {
        let app = &app;
        async move {
            let id = first_found(app, "albums", query).await;
            app.get(&format!("/v1/albums/{id}")).send().await
        }
    };
    let discs = album("two discs").await;
    assert_eq!(
        discs.album_titles(),
        ["First", "Second", "Third", "Fourth"],
        "disc 1 before disc 2, whatever the format"
    );
    // Each track says where it is, so a player can head each disc.
    let numbers: Vec<(u64, u64)> = discs.data()["album"]["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let n = |k: &str| t[k].as_u64().unwrap();
            (n("discNumber"), n("trackNumber"))
        })
        .collect();
    assert_eq!(numbers, [(1, 1), (1, 2), (2, 1), (2, 2)]);
    let hits = album("summer hits").await;
    assert_eq!(
        hits.album_titles(),
        ["Alpha Song", "Beta Song", "Gamma Song"]
    );
    assert_eq!(
        hits.expect(200).data()["album"]["artists"][0]["name"],
        "Various Artists"
    );
    // An artist who is only on the compilation has it on their page.
    let gamma = first_found(&app, "artists", "gamma").await;
    let page = app.get(&format!("/v1/artists/{gamma}/albums")).send().await;
    let albums: Vec<&str> = page.expect(200).data()["artist"]["albums"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(albums, ["Summer Hits"]);
}
