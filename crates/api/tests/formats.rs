//! A library in every format Medley scans (FLAC at 24/96 and 16/44.1, MP3, Ogg Vorbis, Opus,
//! M4A/AAC), encoded by ffmpeg and tagged here with cover art: scanned with its tags and
//! audio, and each player served the rendition its quality and tier call for, encoded for real
//! (the bodies are parsed back as audio), while the encode runs and from the cache after, with
//! Range requests. Without ffmpeg every quality serves the file, and `format` says so.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use common::alexa::{directive_in, send};
use common::{fetch, ffmpeg_or_skip, local, TestApp};
use lofty::file::{AudioFile, FileType, TaggedFile, TaggedFileExt};
use lofty::probe::Probe;
use medley_core::policy::Tier;
use medley_loadgen::audio::{encode_tone, write_tags, Tags};
use medley_service::Settings;
use serde_json::{json, Value};

const SECONDS: f64 = 3.0;

/// (file, title, album, track number, sample rate, bits, embedded cover)
const FILES: [(&str, &str, &str, u32, u32, u8, bool); 6] = [
    (
        "Resolution/z highres.flac",
        "Highres",
        "Resolution",
        1,
        96_000,
        24,
        true,
    ),
    (
        "Resolution/a compact.flac",
        "Compact",
        "Resolution",
        2,
        44_100,
        16,
        false,
    ),
    (
        "Resolution/m lossy.mp3",
        "Lossy",
        "Resolution",
        3,
        44_100,
        0,
        false,
    ),
    (
        "Lossy Ways/c vorbis.ogg",
        "Vorbis",
        "Lossy Ways",
        1,
        44_100,
        0,
        true,
    ),
    (
        "Lossy Ways/b opus.opus",
        "Opus",
        "Lossy Ways",
        2,
        48_000,
        0,
        false,
    ),
    (
        "Lossy Ways/a aac.m4a",
        "Aac",
        "Lossy Ways",
        3,
        44_100,
        0,
        false,
    ),
];

fn cover() -> Vec<u8> {
    let img = image::RgbImage::from_fn(200, 200, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn write_file(root: &Path, i: usize, seconds: f64) {
    let (file, title, album, track, rate, bits, embed) = FILES[i];
    let path = root.join(file);
    encode_tone(&path, seconds, 220.0 * (i + 1) as f64, rate, bits).unwrap();
    let jpeg = cover();
    let tags = Tags {
        title,
        artist: "The Encoders",
        album,
        album_artist: None,
        disc: 1,
        track,
        genre: "Electronic",
        date: "2025-02-03",
        cover: embed.then_some(jpeg.as_slice()),
    };
    write_tags(&path, &tags).unwrap();
}

async fn library(app: &TestApp) -> PathBuf {
    let root = app.dir.join("formats");
    for i in 0..FILES.len() {
        write_file(&root, i, SECONDS);
    }
    let (summary, scan) = app
        .medley
        .library
        .import_folder(&root, Box::new(|_, _| {}))
        .await
        .unwrap();
    assert!(
        scan.skipped.is_empty(),
        "every file is readable: {:?}",
        scan.skipped
    );
    assert_eq!(summary.tracks, FILES.len());
    root
}

async fn track_id(app: &TestApp, title: &str) -> String {
    let res = app
        .post("/v1/search/tracks")
        .json(json!({"searchFilters": [{"query": title}], "limit": 1}))
        .send()
        .await;
    let node = &res.data()["searchTracks"]["edges"][0]["node"];
    assert_eq!(node["title"], title);
    node["id"].as_str().unwrap().to_string()
}

/// `playbackInformation` of a track started by `token` on a device with `capability` that
/// plays progressive files (DASH has its own tests, in dash.rs).
async fn playback(app: &TestApp, token: &str, track: &str, capability: &str) -> Value {
    let res = app
        .post("/v1/playback/sessions")
        .token(token)
        .header("x-amzn-audio-device-capability", capability)
        .header("x-medley-protocol", "PROGRESSIVE")
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{track}")}}))
        .send()
        .await;
    res.expect(200).entity(0)["track"]["playbackInformation"].clone()
}

fn rendition_of(info: &Value) -> String {
    let url = info["url"].as_str().unwrap();
    let q = url.split_once("?as=").unwrap().1;
    q.split('&').next().unwrap().to_string()
}

fn parse(bytes: &[u8]) -> TaggedFile {
    Probe::new(Cursor::new(bytes.to_vec()))
        .guess_file_type()
        .unwrap()
        .read()
        .expect("the body is a readable audio file")
}

/// Fetches a media URL whole and reads it back as audio.
async fn audio(app: &TestApp, info: &Value) -> (TaggedFile, Vec<u8>) {
    let (status, _, body) = fetch(app, &local(info["url"].as_str().unwrap()), None).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    (parse(&body), body)
}

fn lasts(f: &TaggedFile, seconds: f64) {
    let d = f.properties().duration().as_secs_f64();
    assert!((d - seconds).abs() < 0.2, "lasts {d} s, not {seconds}");
}

#[tokio::test]
async fn every_format_is_scanned_with_its_tags_covers_and_encoding() {
    if !ffmpeg_or_skip("every_format_is_scanned_with_its_tags_covers_and_encoding") {
        return;
    }
    let app = TestApp::new().await;
    library(&app).await;
    let token = app.token.clone();
    let mut albums = std::collections::HashMap::new();
    for (title, format) in [
        ("Highres", "FLAC"),
        ("Compact", "FLAC"),
        ("Lossy", "MP3"),
        ("Vorbis", "VORBIS"),
        ("Opus", "OPUS"),
        ("Aac", "AAC"),
    ] {
        let id = track_id(&app, title).await;
        let track = app.get(&format!("/v1/tracks/{id}")).send().await;
        let t = &track.expect(200).data()["track"];
        assert_eq!(t["duration"], 3, "{title}");
        assert_eq!(t["artists"][0]["name"], "The Encoders");
        albums.insert(
            t["album"]["title"].as_str().unwrap().to_string(),
            t["album"]["id"].clone(),
        );
        let info = playback(&app, &token, &id, "STD_RES,HI_FI,HI_RES").await;
        assert_eq!(info["format"], format, "{title}");
        assert_eq!(
            rendition_of(&info),
            "original",
            "{title} as it is, at HI_RES"
        );
    }
    // Album order comes from the track numbers, not the file names; the covers embedded in a
    // FLAC and in an Ogg file are the albums' images.
    for (album, titles) in [
        ("Resolution", ["Highres", "Compact", "Lossy"]),
        ("Lossy Ways", ["Vorbis", "Opus", "Aac"]),
    ] {
        let id = albums[album].as_str().unwrap();
        let res = app.get(&format!("/v1/albums/{id}")).send().await;
        assert_eq!(res.expect(200).album_titles(), titles);
        let a = &res.data()["album"];
        let image = a["images"][0]["url"].as_str().unwrap();
        let path = &image[image.find("/media/images/").unwrap()..];
        let (status, headers, _) = app.get(path).without("authorization").send_raw().await;
        assert_eq!(status, StatusCode::OK, "{album}");
        assert_eq!(headers["content-type"], "image/jpeg");
    }
}

#[tokio::test]
async fn each_quality_and_tier_gets_its_rendition_encoded_for_real() {
    if !ffmpeg_or_skip("each_quality_and_tier_gets_its_rendition_encoded_for_real") {
        return;
    }
    let app = TestApp::new().await;
    let root = library(&app).await;
    let unlimited = app.token.clone();
    let prime = app.user(Tier::Prime, 1).await;
    let free = app.user(Tier::Free, 1).await;
    let highres = track_id(&app, "Highres").await;
    let compact = track_id(&app, "Compact").await;
    let lossy = track_id(&app, "Lossy").await;

    // HI_RES plays the 24-bit file itself.
    let info = playback(&app, &unlimited, &highres, "STD_RES,HI_FI,HI_RES").await;
    let (f, body) = audio(&app, &info).await;
    assert_eq!(body, std::fs::read(root.join(FILES[0].0)).unwrap());
    assert_eq!(f.properties().bit_depth(), Some(24));

    // HI_FI gets it as 16-bit FLAC at 48 kHz (96 kHz's family).
    let info = playback(&app, &unlimited, &highres, "STD_RES, HI_FI").await;
    assert_eq!(
        (info["format"].as_str(), rendition_of(&info).as_str()),
        (Some("FLAC"), "flac16")
    );
    let (f, _) = audio(&app, &info).await;
    assert_eq!(f.file_type(), FileType::Flac);
    assert_eq!(f.properties().bit_depth(), Some(16));
    assert_eq!(f.properties().sample_rate(), Some(48_000));
    lasts(&f, SECONDS);

    // STD_RES, and every quality on the Prime and Free tiers, gets Opus.
    for (token, capability) in [
        (&unlimited, "STD_RES"),
        (&prime, "STD_RES,HI_FI,HI_RES"),
        (&free, "HI_RES"),
    ] {
        let info = playback(&app, token, &highres, capability).await;
        assert_eq!(info["format"], "OPUS", "{capability}");
        assert_eq!(rendition_of(&info), "opus");
        let (f, _) = audio(&app, &info).await;
        assert_eq!(f.file_type(), FileType::Opus);
        lasts(&f, SECONDS);
    }

    // A CD-quality file is HI_FI as it is; a lossy one is standard as it is.
    let info = playback(&app, &unlimited, &compact, "HI_FI").await;
    assert_eq!(rendition_of(&info), "original");
    let info = playback(&app, &free, &compact, "HI_FI").await;
    assert_eq!(info["format"], "OPUS");
    let info = playback(&app, &free, &lossy, "STD_RES").await;
    assert_eq!(
        (info["format"].as_str(), rendition_of(&info).as_str()),
        (Some("MP3"), "original")
    );

    // An Alexa speaker gets MP3 of a FLAC file, with the MP3's own Content-Type.
    let r = send(
        &app,
        directive_in(
            "Alexa.Media.Playback",
            "Initiate",
            &app.token,
            json!({"contentId": format!("mrn:1.0:catalog:track:asin:{highres}")}),
        ),
    )
    .await;
    let uri = r["payload"]["playbackMethod"]["firstItem"]["stream"]["uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"));
    assert!(uri.contains("?as=mp3&"), "{uri}");
    let (status, headers, body) = app
        .get(&local(uri))
        .without("authorization")
        .without("x-api-key")
        .send_raw()
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "audio/mpeg");
    let f = parse(&body);
    assert_eq!(f.file_type(), FileType::Mpeg);
    assert_eq!(
        f.properties().sample_rate(),
        Some(48_000),
        "a rate Alexa plays"
    );
    lasts(&f, SECONDS);
}

#[tokio::test]
async fn an_encode_plays_while_it_runs_then_serves_ranges_and_follows_file_changes() {
    if !ffmpeg_or_skip("an_encode_plays_while_it_runs_then_serves_ranges_and_follows_file_changes")
    {
        return;
    }
    let app = TestApp::new().await;
    let root = library(&app).await;
    let highres = track_id(&app, "Highres").await;
    let info = playback(&app, &app.token, &highres, "STD_RES").await;
    let url = local(info["url"].as_str().unwrap());

    // Two players at once: one encode, the same bytes for both, a real Opus file.
    let (a, b) = tokio::join!(fetch(&app, &url, None), fetch(&app, &url, None));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.2, b.2);
    lasts(&parse(&a.2), SECONDS);
    let cached: Vec<_> = std::fs::read_dir(app.dir.join("transcoded"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        cached.len(),
        1,
        "one encode, nothing left half-written: {cached:?}"
    );
    assert!(cached[0].ends_with(".opus.opus"), "{cached:?}");

    // From the cache: the same bytes, and Range requests.
    let whole = a.2;
    let (status, range, body) = fetch(&app, &url, Some("bytes=0-99")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range, format!("bytes 0-99/{}", whole.len()));
    assert_eq!(body, whole[..100]);
    let tail = format!("bytes={}-", whole.len() - 10);
    let (status, _, body) = fetch(&app, &url, Some(&tail)).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, whole[whole.len() - 10..]);

    // The file changes (now five seconds long): the same URL encodes it afresh.
    write_file(&root, 0, 5.0);
    app.medley
        .library
        .import_folder(&root, Box::new(|_, _| {}))
        .await
        .unwrap();
    assert_eq!(
        track_id(&app, "Highres").await,
        highres,
        "the re-scan keeps the id"
    );
    let (status, _, body) = fetch(&app, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    lasts(&parse(&body), 5.0);

    // A rendition's URL is no more forgeable than the file's: another rendition, or a URL
    // past its expiry, is refused.
    let forged = url.replace("as=opus", "as=flac16");
    assert_eq!(fetch(&app, &forged, None).await.0, StatusCode::FORBIDDEN);

    // A file ffmpeg cannot read: a clear 503 for a range, never a 500 or wrong audio.
    std::fs::write(root.join(FILES[0].0), b"fLaC but not really").unwrap();
    let (status, _, body) = fetch(&app, &url, Some("bytes=0-9")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("could not be encoded as opus"),
        "{v}"
    );

    app.advance_secs(15 * 60 + 1);
    let (status, _, body) = fetch(&app, &url, Some("bytes=0-9")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&body).contains("expired"));
}

#[tokio::test]
async fn without_ffmpeg_every_quality_serves_the_file_and_says_so() {
    let app = TestApp::with_settings(Settings {
        ffmpeg: app_dir_program(),
        ..Settings::default()
    })
    .await;
    // A CD-quality WAV (written without an encoder): above STD_RES.
    let samples: Vec<i16> = (0..44_100)
        .map(|i| ((i % 100) * 300 - 15_000) as i16)
        .collect();
    let root = app.dir.join("wav");
    std::fs::create_dir_all(&root).unwrap();
    let bytes = medley_core::wav::pcm16(44_100, &samples);
    std::fs::write(root.join("cd.wav"), &bytes).unwrap();
    app.medley
        .library
        .import_folder(&root, Box::new(|_, _| {}))
        .await
        .unwrap();
    let id = track_id(&app, "cd").await;
    let free = app.user(Tier::Free, 1).await;
    let info = playback(&app, &free, &id, "STD_RES").await;
    assert_eq!(info["format"], "WAV", "the format names what is served");
    assert_eq!(rendition_of(&info), "original");
    let (status, _, body) = fetch(&app, &local(info["url"].as_str().unwrap()), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, bytes);
}

/// A program that does not exist, so the transcoder finds no ffmpeg.
fn app_dir_program() -> String {
    std::env::temp_dir()
        .join("medley-no-such-ffmpeg")
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn the_cache_keeps_the_most_recent_renditions_within_its_size() {
    if !ffmpeg_or_skip("the_cache_keeps_the_most_recent_renditions_within_its_size") {
        return;
    }
    // No room at all: only the rendition made last stays.
    let app = TestApp::with_settings(Settings {
        transcode_cache_mb: 0,
        ..Settings::default()
    })
    .await;
    library(&app).await;
    let cached = || {
        std::fs::read_dir(app.dir.join("transcoded"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    let mut seen = Vec::new();
    for title in ["Highres", "Compact", "Highres"] {
        let id = track_id(&app, title).await;
        let info = playback(&app, &app.token, &id, "STD_RES").await;
        let (f, _) = audio(&app, &info).await;
        lasts(&f, SECONDS);
        let now = cached();
        assert_eq!(now.len(), 1, "{now:?}");
        seen.push(now[0].clone());
        // What /metrics reports: the one file's size, and no encode left running.
        let stats = app.medley.stats().await.unwrap();
        let size = std::fs::metadata(app.dir.join("transcoded").join(&now[0]))
            .unwrap()
            .len();
        assert_eq!(stats.transcode_cache_bytes, size);
        assert_eq!(stats.transcodes_running, 0);
    }
    assert_ne!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2], "made again once it was evicted");
}
