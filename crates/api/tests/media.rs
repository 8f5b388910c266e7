//! Signed media URLs: what the Web API and Alexa hand out plays (with Range requests) until it
//! expires, GetItem hands out a fresh one, and a forged or altered URL never plays.

mod common;

use axum::http::StatusCode;
use common::alexa::{directive, reference, send};
use common::{fetch, local, TestApp};
use serde_json::json;

const AUDIO_LEN: usize = 1000;

/// Adds a track with a real audio file to the catalog; returns the file's bytes.
async fn track_with_audio(app: &TestApp) -> Vec<u8> {
    let audio: Vec<u8> = (0..AUDIO_LEN).map(|i| (i % 251) as u8).collect();
    std::fs::create_dir_all(app.dir.join("library/audio")).unwrap();
    std::fs::write(app.dir.join("library/audio/song.flac"), &audio).unwrap();
    let catalog = app.dir.join("library/catalog.json");
    std::fs::write(
        &catalog,
        json!({"artists": [{"id": "ARTX", "name": "Test Artist"}],
               "tracks": [{"id": "TRX1", "title": "Test Song", "duration": 100,
                           "artistIds": ["ARTX"], "file": "audio/song.flac"}]})
        .to_string(),
    )
    .unwrap();
    app.medley
        .library
        .import_catalog_path(&catalog)
        .await
        .unwrap();
    audio
}

/// Starts a session on `track`: the answer, and its media URL as a local path.
/// Plays a track on a device that takes progressive files (DASH is dash.rs's).
async fn play(app: &TestApp, track: &str) -> (common::Res, String) {
    let res = app
        .post("/v1/playback/sessions")
        .header("x-medley-protocol", "PROGRESSIVE")
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{track}")}}))
        .send()
        .await;
    let url = local(
        res.entity(0)["track"]["playbackInformation"]["url"]
            .as_str()
            .unwrap_or_default(),
    );
    (res, url)
}

fn error_code(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v["code"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn media_urls_play_until_they_expire_and_get_item_renews_them() {
    let app = TestApp::new().await;
    let audio = track_with_audio(&app).await;
    let (res, url) = play(&app, "TRX1").await;
    res.expect(200);
    assert_eq!(
        res.entity(0)["track"]["playbackInformation"]["format"],
        "FLAC"
    );
    let (status, _, body) = fetch(&app, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, audio);
    let (status, range, body) = fetch(&app, &url, Some("bytes=10-19")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range, format!("bytes 10-19/{AUDIO_LEN}"));
    assert_eq!(body, audio[10..20]);

    // Alexa's stream URI for the same item.
    let (queue, item) = (
        res.session_id(),
        res.entity(0)["entityReferenceId"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let get_item = || {
        send(
            &app,
            directive(
                "GetItem",
                &app.token,
                json!({"targetItemReference": reference(&queue, &item)}),
            ),
        )
    };
    let r = get_item().await;
    let stream = local(r["payload"]["item"]["stream"]["uri"].as_str().unwrap());
    assert_eq!(fetch(&app, &stream, None).await.0, StatusCode::OK);
    // A Web API URL expires after 15 minutes; a stream URI of Alexa's outlives its track by
    // hours.
    app.advance_secs(15 * 60 + 1);
    assert_eq!(fetch(&app, &url, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(fetch(&app, &stream, None).await.0, StatusCode::OK);
    // A second past validUntil it is refused; GetItem gives a fresh one that plays.
    app.advance_secs(6 * 3600 - 15 * 60);
    let (status, _, body) = fetch(&app, &stream, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ACCESS_DENIED");
    assert!(String::from_utf8_lossy(&body).contains("expired"));
    assert_eq!(fetch(&app, &url, None).await.0, StatusCode::FORBIDDEN);
    let r = get_item().await;
    let fresh = local(r["payload"]["item"]["stream"]["uri"].as_str().unwrap());
    assert_ne!(fresh, stream);
    let (status, _, body) = fetch(&app, &fresh, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, audio);
}

#[tokio::test]
async fn forged_or_altered_urls_never_play() {
    let app = TestApp::new().await;
    track_with_audio(&app).await;
    let (_, url) = play(&app, "TRX1").await;
    assert_eq!(fetch(&app, &url, None).await.0, StatusCode::OK);
    let (base, sig) = url.rsplit_once("&sig=").unwrap();
    let mut flipped = sig.to_string();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    let expires: i64 = url
        .split("expires=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    for (altered, status, code) in [
        (format!("{base}&sig={flipped}"), 403, "ACCESS_DENIED"),
        (url.replace("as=original", "as=opus"), 403, "ACCESS_DENIED"),
        (
            url.replace(
                &format!("expires={expires}"),
                &format!("expires={}", expires + 3600),
            ),
            403,
            "ACCESS_DENIED",
        ),
        (url.replace("/TRX1?", "/B084KPC3Q7?"), 403, "ACCESS_DENIED"),
        (base.to_string(), 400, "BAD_REQUEST"),
        (
            url.replace(&format!("expires={expires}"), "expires=soon"),
            400,
            "BAD_REQUEST",
        ),
    ] {
        assert_ne!(altered, url);
        let (got, _, body) = fetch(&app, &altered, None).await;
        assert_eq!(got.as_u16(), status, "{altered}");
        assert_eq!(error_code(&body), code, "{altered}");
    }
    // A genuine URL for a track without an audio file (the demo catalog's, here) plays its
    // generated tune.
    let (_, demo_url) = play(&app, "B084KPC3Q7").await;
    let (status, _, body) = fetch(&app, &demo_url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..4], b"RIFF");
}

#[tokio::test]
async fn ranges_follow_rfc_9110_and_every_refusal_is_json() {
    let app = TestApp::new().await;
    let audio = track_with_audio(&app).await;
    let (_, url) = play(&app, "TRX1").await;
    // A Range this server does not take is ignored: the whole file, 200.
    for ignored in [
        "items=0-5",
        "bytes=abc",
        "bytes=",
        "bytes=9-3",
        "bytes=0-1,5-6",
    ] {
        let (status, range, body) = fetch(&app, &url, Some(ignored)).await;
        assert_eq!((status, range.as_str()), (StatusCode::OK, ""), "{ignored}");
        assert_eq!(body, audio, "{ignored}");
    }
    // A suffix longer than the file is the whole file, as a range.
    let (status, range, body) = fetch(&app, &url, Some("bytes=-3000000")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range, format!("bytes 0-{}/{AUDIO_LEN}", AUDIO_LEN - 1));
    assert_eq!(body, audio);
    // Positions past what any file holds clamp to the file, however many digits they have.
    let huge = "99999999999999999999999";
    for clamped in [
        format!("bytes=0-{huge}"),
        format!("bytes=-{huge}"),
        "bytes=0-999999".to_string(),
    ] {
        let (status, range, body) = fetch(&app, &url, Some(&clamped)).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT, "{clamped}");
        assert_eq!(range, format!("bytes 0-{}/{AUDIO_LEN}", AUDIO_LEN - 1));
        assert_eq!(body, audio, "{clamped}");
    }
    let (status, range, body) = fetch(&app, &url, Some(&format!("bytes=990-{huge}"))).await;
    assert_eq!((status, body.len()), (StatusCode::PARTIAL_CONTENT, 10));
    assert_eq!(range, format!("bytes 990-999/{AUDIO_LEN}"));
    let (status, _, _) = fetch(&app, &url, Some(&format!("bytes={huge}-"))).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    let (status, range, body) = fetch(&app, &url, Some("bytes=-10")).await;
    assert_eq!((status, body.len()), (StatusCode::PARTIAL_CONTENT, 10));
    assert_eq!(range, format!("bytes 990-999/{AUDIO_LEN}"));
    // Only a range no byte of the file satisfies is 416, with the JSON body.
    let (status, _, body) = fetch(&app, &url, Some("bytes=5000-")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(error_code(&body), "RANGE_NOT_SATISFIABLE");
}

#[tokio::test]
async fn a_track_without_a_file_plays_its_generated_tune() {
    let app = TestApp::new().await;
    app.medley
        .library
        .import_catalog_json(
            &json!({"tracks": [{"id": "NOFILE1", "title": "Only Metadata", "duration": 3}]})
                .to_string(),
        )
        .await
        .unwrap();
    let (res, url) = play(&app, "NOFILE1").await;
    res.expect(200);
    let info = &res.entity(0)["track"]["playbackInformation"];
    assert_eq!(info["format"], "WAV", "never null: {info}");
    let (status, _, body) = fetch(&app, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..4], b"RIFF");
    assert_eq!(
        body.len(),
        44 + 3 * 8000,
        "8 kHz, 8-bit, mono, three seconds"
    );
    // The same tune every time, with Range like any file.
    let (status, range, part) = fetch(&app, &url, Some("bytes=44-143")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range, format!("bytes 44-143/{}", body.len()));
    assert_eq!(part, body[44..144]);
}
