//! DASH as the Device API describes it: a Web API device gets a signed MPD offering the
//! representations its capability and tier allow (Opus at 48, 192 and 320 kbps, 16-bit FLAC,
//! FLAC at the file's own resolution), parsed and checked here; its segments are real
//! fragmented MP4 that ffprobe decodes back; `CLEARKEY` devices get CENC-encrypted segments and
//! a licence only the session's user gets. Progressive files stay for what DASH does not take
//! (lossy files, Alexa, `X-Medley-Protocol: PROGRESSIVE`, no ffmpeg).

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use base64::Engine;
use common::{fetch, ffmpeg_or_skip, local, TestApp};
use medley_core::policy::Tier;
use medley_loadgen::audio::{encode_tone, write_tags, Tags};
use medley_service::Settings;
use serde_json::{json, Value};

const SECONDS: u32 = 9;

/// A 24-bit 96 kHz FLAC and an MP3, scanned into the catalog; their track ids.
async fn library(app: &TestApp) -> (String, String) {
    let root = app.dir.join("dash-library");
    let mut ids = Vec::new();
    for (file, title, rate, bits) in [
        ("hires.flac", "Hires", 96_000, 24),
        ("lossy.mp3", "Lossy", 44_100, 0),
    ] {
        let path = root.join(file);
        encode_tone(&path, f64::from(SECONDS), 330.0, rate, bits).unwrap();
        let tags = Tags {
            title,
            artist: "The Segments",
            album: "Adaptive",
            album_artist: None,
            disc: 1,
            track: ids.len() as u32 + 1,
            genre: "Electronic",
            date: "2025-02-03",
            cover: None,
        };
        write_tags(&path, &tags).unwrap();
        ids.push(title);
    }
    app.medley
        .library
        .import_folder(&root, Box::new(|_, _| {}))
        .await
        .unwrap();
    let mut out = Vec::new();
    for title in ids {
        let res = app
            .post("/v1/search/tracks")
            .json(json!({"searchFilters": [{"query": title}], "limit": 1}))
            .send()
            .await;
        out.push(
            res.data()["searchTracks"]["edges"][0]["node"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    (out[0].clone(), out[1].clone())
}

/// The first entity of a session started on a device with these headers.
async fn play(app: &TestApp, token: &str, track: &str, headers: &[(&str, &str)]) -> Value {
    let mut call = app.post("/v1/playback/sessions").token(token);
    for (k, v) in headers {
        call = call.header(k, v);
    }
    let res = call
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{track}")}}))
        .send()
        .await;
    res.expect(200).entity(0).clone()
}

/// A representation as the manifest lists it.
#[derive(Debug, PartialEq)]
struct Rep {
    id: String,
    codecs: String,
    bandwidth: u64,
    rate: u32,
    channels: String,
}

/// What a manifest says, checked against the DASH schema's shape on the way.
#[derive(Debug)]
struct Mpd {
    duration: String,
    reps: Vec<Rep>,
    /// cenc:default_KID of each AdaptationSet that has one.
    kids: Vec<String>,
    clear_key: bool,
    init: String,
    media: String,
}

fn parse_mpd(text: &str) -> Mpd {
    let doc = roxmltree::Document::parse(text).expect("the manifest is XML");
    let mpd = doc.root_element();
    assert_eq!(mpd.tag_name().name(), "MPD");
    assert_eq!(
        mpd.tag_name().namespace(),
        Some("urn:mpeg:dash:schema:mpd:2011")
    );
    assert_eq!(mpd.attribute("type"), Some("static"));
    assert_eq!(
        mpd.attribute("profiles"),
        Some("urn:mpeg:dash:profile:isoff-live:2011")
    );
    let cenc = "urn:mpeg:cenc:2013";
    let mut out = Mpd {
        duration: mpd
            .attribute("mediaPresentationDuration")
            .unwrap()
            .to_string(),
        reps: Vec::new(),
        kids: Vec::new(),
        clear_key: false,
        init: String::new(),
        media: String::new(),
    };
    let periods: Vec<_> = mpd
        .children()
        .filter(|n| n.has_tag_name("Period"))
        .collect();
    assert_eq!(periods.len(), 1);
    for set in periods[0]
        .children()
        .filter(|n| n.has_tag_name("AdaptationSet"))
    {
        assert_eq!(set.attribute("mimeType"), Some("audio/mp4"));
        assert_eq!(set.attribute("contentType"), Some("audio"));
        let codecs = set.attribute("codecs").unwrap().to_string();
        for cp in set
            .children()
            .filter(|n| n.has_tag_name("ContentProtection"))
        {
            if let Some(kid) = cp.attribute((cenc, "default_KID")) {
                assert_eq!(cp.attribute("value"), Some("cenc"));
                out.kids.push(kid.to_string());
            }
            if cp.attribute("schemeIdUri") == Some("urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e")
            {
                out.clear_key = true;
            }
        }
        let template = set
            .children()
            .find(|n| n.has_tag_name("SegmentTemplate"))
            .expect("a SegmentTemplate");
        assert_eq!(template.attribute("timescale"), Some("1000"));
        assert_eq!(template.attribute("duration"), Some("4000"));
        assert_eq!(template.attribute("startNumber"), Some("1"));
        out.init = template.attribute("initialization").unwrap().to_string();
        out.media = template.attribute("media").unwrap().to_string();
        for r in set.children().filter(|n| n.has_tag_name("Representation")) {
            let channels = r
                .children()
                .find(|n| n.has_tag_name("AudioChannelConfiguration"))
                .and_then(|c| c.attribute("value"))
                .unwrap()
                .to_string();
            out.reps.push(Rep {
                id: r.attribute("id").unwrap().to_string(),
                codecs: codecs.clone(),
                bandwidth: r.attribute("bandwidth").unwrap().parse().unwrap(),
                rate: r.attribute("audioSamplingRate").unwrap().parse().unwrap(),
                channels,
            });
        }
    }
    out
}

async fn manifest(app: &TestApp, url: &str) -> (String, Mpd) {
    let (status, _, body) = fetch(app, &local(url), None).await;
    let text = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    let parsed = parse_mpd(&text);
    (text, parsed)
}

/// The URL of a segment, from the manifest's template, relative to the manifest's URL.
fn segment_url(manifest_url: &str, template: &str, rep: &str, number: Option<u32>) -> String {
    let base = manifest_url.split("manifest.mpd").next().unwrap();
    let mut t = template.replace("$RepresentationID$", rep);
    if let Some(n) = number {
        t = t.replace("$Number$", &n.to_string());
    }
    local(&format!("{base}{t}"))
}

async fn get_ok(app: &TestApp, path: &str) -> Vec<u8> {
    let (status, _, body) = fetch(app, path, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// ffprobe's view of a file: its stream's fields and the format's duration.
fn probe(bytes: &[u8], key: Option<&str>) -> BTreeMap<String, String> {
    let path = std::env::temp_dir().join(format!("medley-dash-{}.mp4", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    let mut cmd = std::process::Command::new("ffprobe");
    cmd.args(["-v", "error"]);
    if let Some(k) = key {
        cmd.args(["-decryption_key", k]);
    }
    let out = cmd
        .args([
            "-show_entries",
            "stream=codec_name,sample_rate,channels,bits_per_raw_sample:format=duration",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The samples ffmpeg decodes from `bytes` (as 32-bit PCM), or its complaint.
fn decode(bytes: &[u8], key: Option<&str>) -> Result<Vec<u8>, String> {
    let path = std::env::temp_dir().join(format!("medley-dash-{}.mp4", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    let mut cmd = std::process::Command::new("ffmpeg");
    cmd.args(["-nostdin", "-v", "error"]);
    if let Some(k) = key {
        cmd.args(["-decryption_key", k]);
    }
    let out = cmd
        .arg("-i")
        .arg(&path)
        .args(["-f", "s32le", "-"])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    match out.status.success() && out.stderr.is_empty() {
        true => Ok(out.stdout),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

#[tokio::test]
async fn manifests_offer_what_the_capability_and_tier_allow_and_segments_decode() {
    if !ffmpeg_or_skip("manifests_offer_what_the_capability_and_tier_allow_and_segments_decode") {
        return;
    }
    let app = TestApp::new().await;
    let (hires, lossy) = library(&app).await;
    let token = app.token.clone();
    let cap = |c: &'static str| [("x-amzn-audio-device-capability", c)];

    // Standard quality: Opus at the Device API's three bit rates, at 48 kHz.
    let e = play(&app, &token, &hires, &cap("STD_RES")).await;
    let info = &e["track"]["playbackInformation"];
    assert_eq!(info["protocol"], "DASH");
    assert_eq!(info["format"], "OPUS");
    assert!(info["licenseUrl"].is_null() && info.get("licenseHeaders").is_none());
    let metric: Value = serde_json::from_str(e["metricId"].as_str().unwrap()).unwrap();
    assert_eq!(metric["streamOrDRMTech"], "DASH");
    let url = info["url"].as_str().unwrap().to_string();
    assert!(url.contains(&format!(
        "/media/dash/{hires}/manifest.mpd?as=dash-std&expires="
    )));
    let (_, mpd) = manifest(&app, &url).await;
    assert_eq!(mpd.duration, format!("PT{SECONDS}S"));
    let opus = |id: &str, kbps: u64| Rep {
        id: id.into(),
        codecs: "opus".into(),
        bandwidth: kbps * 1000,
        rate: 48_000,
        channels: "2".into(),
    };
    assert_eq!(
        mpd.reps,
        [
            opus("opus48", 48),
            opus("opus192", 192),
            opus("opus320", 320)
        ]
    );
    assert!(mpd.kids.is_empty() && !mpd.clear_key);

    // HI_FI adds 16-bit FLAC at 48 kHz (the 48 kHz family of 96 kHz); HI_RES the file's own.
    let e = play(&app, &token, &hires, &cap("STD_RES,HI_FI")).await;
    assert_eq!(e["track"]["playbackInformation"]["format"], "OPUS_FLAC");
    let (_, mpd) = manifest(
        &app,
        e["track"]["playbackInformation"]["url"].as_str().unwrap(),
    )
    .await;
    let ids: Vec<&str> = mpd.reps.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["opus48", "opus192", "opus320", "flac16"]);
    assert_eq!(
        (mpd.reps[3].codecs.as_str(), mpd.reps[3].rate),
        ("flac", 48_000)
    );

    let e = play(&app, &token, &hires, &cap("STD_RES,HI_FI,HI_RES")).await;
    let hires_url = e["track"]["playbackInformation"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, mpd) = manifest(&app, &hires_url).await;
    let flac = mpd.reps.iter().find(|r| r.id == "flac").unwrap();
    assert_eq!((flac.codecs.as_str(), flac.rate), ("flac", 96_000));

    // The Prime tier gets standard quality whatever the device takes.
    let prime = app.user(Tier::Prime, 1).await;
    let e = play(&app, &prime, &hires, &cap("STD_RES,HI_FI,HI_RES")).await;
    let (_, mpd) = manifest(
        &app,
        e["track"]["playbackInformation"]["url"].as_str().unwrap(),
    )
    .await;
    assert_eq!(mpd.reps.len(), 3);
    assert!(mpd.reps.iter().all(|r| r.codecs == "opus"));

    // Every segment of every representation decodes: Opus at 48 kHz, FLAC at 16 bits/48 kHz
    // and at 24 bits/96 kHz; 9 s make segments of 4, 4 and 1 s, and there is no fourth.
    let (_, mpd) = manifest(&app, &hires_url).await;
    for (rep, codec, rate, bits) in [
        ("opus48", "opus", "48000", None),
        ("opus320", "opus", "48000", None),
        ("flac16", "flac", "48000", Some("16")),
        ("flac", "flac", "96000", Some("24")),
    ] {
        let init = get_ok(&app, &segment_url(&hires_url, &mpd.init, rep, None)).await;
        let mut whole = init.clone();
        for (n, seconds) in [(1, 4.0), (2, 4.0), (3, 1.0)] {
            let seg = get_ok(&app, &segment_url(&hires_url, &mpd.media, rep, Some(n))).await;
            let mut one = init.clone();
            one.extend_from_slice(&seg);
            let p = probe(&one, None);
            assert_eq!(p["codec_name"], codec, "{rep} {n}");
            assert_eq!(p["sample_rate"], rate, "{rep} {n}");
            assert_eq!(p["channels"], "2", "{rep} {n}");
            if let Some(bits) = bits {
                assert_eq!(p["bits_per_raw_sample"], bits, "{rep} {n}");
            }
            let samples = decode(&one, None).unwrap().len() / 8;
            let expected = seconds * rate.parse::<f64>().unwrap();
            assert!(
                (samples as f64 - expected).abs() <= 0.03 * expected,
                "{rep} segment {n}: {samples} samples, not about {expected}"
            );
            whole.extend_from_slice(&seg);
        }
        let total = decode(&whole, None).unwrap().len() / 8;
        let expected = f64::from(SECONDS) * rate.parse::<f64>().unwrap();
        assert!(
            (total as f64 - expected).abs() <= 0.02 * expected,
            "{rep}: {total}"
        );
        let (status, _, _) = fetch(
            &app,
            &segment_url(&hires_url, &mpd.media, rep, Some(4)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{rep} has three segments");
    }
    // Once encoded (ffmpeg has exited: its last fragment comes a moment before), the
    // manifest's bandwidths are measured ones.
    let estimated = mpd.reps.iter().find(|r| r.id == "flac").unwrap().bandwidth;
    let mut measured = estimated;
    for _ in 0..100 {
        let (_, now) = manifest(&app, &hires_url).await;
        measured = now.reps.iter().find(|r| r.id == "flac").unwrap().bandwidth;
        if measured != estimated {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_ne!(measured, estimated, "measured once encoded");
    assert!(measured > 100_000, "{measured}");

    // Range works on segments; a range past the end is 416.
    let seg1 = segment_url(&hires_url, &mpd.media, "opus192", Some(1));
    let whole = get_ok(&app, &seg1).await;
    let (status, range, part) = fetch(&app, &seg1, Some("bytes=0-99")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(range, format!("bytes 0-99/{}", whole.len()));
    assert_eq!(part, whole[..100]);
    let (status, _, _) = fetch(&app, &seg1, Some(&format!("bytes={}-", whole.len()))).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);

    // A representation the URL was not signed for, or a malformed segment, is 404.
    let e = play(&app, &token, &hires, &cap("STD_RES")).await;
    let std_url = e["track"]["playbackInformation"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, std_mpd) = manifest(&app, &std_url).await;
    for path in [
        segment_url(&std_url, &std_mpd.media, "flac", Some(1)),
        segment_url(&std_url, &std_mpd.media, "opus192", Some(0)),
        segment_url(
            &std_url,
            &std_mpd.media.replace(".m4s", ".mp3"),
            "opus192",
            Some(1),
        ),
    ] {
        let (status, _, body) = fetch(&app, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "RESOURCE_NOT_FOUND");
    }

    // A lossy file keeps its progressive URL: Medley never re-encodes one.
    let e = play(&app, &token, &lossy, &cap("STD_RES,HI_FI,HI_RES")).await;
    let info = &e["track"]["playbackInformation"];
    assert_eq!(
        (info["protocol"].as_str(), info["format"].as_str()),
        (Some("PROGRESSIVE"), Some("MP3"))
    );
    // A device that asks for files gets one.
    let e = play(
        &app,
        &token,
        &hires,
        &[("x-medley-protocol", "PROGRESSIVE")],
    )
    .await;
    assert_eq!(e["track"]["playbackInformation"]["protocol"], "PROGRESSIVE");
    let res = app
        .post("/v1/playback/sessions")
        .header("x-medley-protocol", "HLS")
        .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{hires}")}}))
        .send()
        .await;
    res.expect_error(400, "BAD_REQUEST");
}

#[tokio::test]
async fn dash_urls_are_signed_and_expire() {
    let app = TestApp::new().await;
    if !ffmpeg_or_skip("dash_urls_are_signed_and_expire") {
        return;
    }
    let e = play(&app, &app.token.clone(), "B084KPC3Q7", &[]).await;
    let url = e["track"]["playbackInformation"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, mpd) = manifest(&app, &url).await;
    let seg = segment_url(&url, &mpd.media, "opus48", Some(1));
    get_ok(&app, &seg).await;
    let sig = url.split("sig=").nth(1).unwrap();
    for forged in [
        seg.replace(sig, "AAAAAAAAAAAAAAAAAAAAAA"),
        seg.replace("as=dash-hires&", "as=dash-std&"),
        local(&url).replace("B084KPC3Q7", "B084KMZM11"),
    ] {
        let (status, _, _) = fetch(&app, &forged, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{forged}");
    }
    app.advance_secs(Settings::default().stream_uri_ttl_secs + 1);
    for expired in [local(&url), seg] {
        let (status, _, body) = fetch(&app, &expired, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{expired}");
        assert!(String::from_utf8_lossy(&body).contains("expired"));
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn clear_key_devices_get_encrypted_segments_and_only_their_user_the_key() {
    if !ffmpeg_or_skip("clear_key_devices_get_encrypted_segments_and_only_their_user_the_key") {
        return;
    }
    let app = TestApp::new().await;
    let (hires, _) = library(&app).await;
    let token = app.token.clone();
    let headers = [
        ("x-amzn-audio-device-capability", "STD_RES,HI_FI,HI_RES"),
        ("x-amzn-audio-drmtype", "WIDEVINE,CLEARKEY"),
    ];
    let e = play(&app, &token, &hires, &headers).await;
    let info = &e["track"]["playbackInformation"];
    assert_eq!(info["protocol"], "DASH");
    assert_eq!(info["format"], "ENCRYPTED_OPUS_FLAC");
    let session = e["sessionId"].as_str().unwrap();
    let licence_url = info["licenseUrl"].as_str().unwrap();
    assert!(licence_url.ends_with(&format!("/v1/playback/sessions/{session}/license")));
    assert_eq!(
        info["licenseHeaders"],
        json!({
            "x-amz-music-asin": hires,
            "x-amz-music-rid": e["entityReferenceId"],
            "x-amz-music-drm-type": "CLEARKEY",
        })
    );
    let url = info["url"].as_str().unwrap().to_string();
    let (text, mpd) = manifest(&app, &url).await;
    assert!(mpd.clear_key);
    assert_eq!(mpd.kids.len(), 2, "both adaptation sets name the key id");
    assert_eq!(mpd.kids[0], mpd.kids[1], "one key per track");
    let kid = uuid::Uuid::parse_str(&mpd.kids[0]).unwrap();

    // The licence: the browser's request, with the token and licenseHeaders.
    let licence_path = format!("/v1/playback/sessions/{session}/license");
    let ask = |token: &str, asin: &str, kids: Vec<String>| {
        app.post(&licence_path)
            .token(token)
            .header("x-amz-music-asin", asin)
            .json(json!({"kids": kids, "type": "temporary"}))
    };
    let res = ask(&token, &hires, vec![b64(kid.as_bytes())]).send().await;
    res.expect(200);
    let keys = &res.body["keys"];
    assert_eq!(res.body["type"], "temporary");
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(keys[0]["kty"], "oct");
    assert_eq!(keys[0]["kid"], b64(kid.as_bytes()));
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(keys[0]["k"].as_str().unwrap())
        .unwrap();
    assert_eq!(key.len(), 16);
    let hex_key: String = key.iter().map(|b| format!("{b:02x}")).collect();
    for shown in [hex_key.clone(), b64(&key)] {
        assert!(!text.contains(&shown), "the key is never in the manifest");
    }

    // Segments are encrypted: they decode with the key to what the clear stream holds, and
    // not without it.
    let clear = play(&app, &token, &hires, &headers[..1]).await;
    let clear_url = clear["track"]["playbackInformation"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, clear_mpd) = manifest(&app, &clear_url).await;
    for rep in ["opus192", "flac"] {
        for n in [1, 3] {
            let sealed = [
                get_ok(&app, &segment_url(&url, &mpd.init, rep, None)).await,
                get_ok(&app, &segment_url(&url, &mpd.media, rep, Some(n))).await,
            ]
            .concat();
            let plain = [
                get_ok(&app, &segment_url(&clear_url, &clear_mpd.init, rep, None)).await,
                get_ok(
                    &app,
                    &segment_url(&clear_url, &clear_mpd.media, rep, Some(n)),
                )
                .await,
            ]
            .concat();
            assert_ne!(sealed, plain);
            let p = probe(&sealed, Some(&hex_key));
            assert_eq!(p["codec_name"], if rep == "flac" { "flac" } else { "opus" });
            assert_eq!(
                decode(&sealed, Some(&hex_key)).unwrap(),
                decode(&plain, None).unwrap(),
                "{rep} segment {n} decrypts to the clear one"
            );
            let wrong = "00112233445566778899aabbccddeeff";
            assert!(
                decode(&sealed, Some(wrong)).is_err(),
                "{rep} {n} needs its key"
            );
        }
    }

    // Refused: another user (as an unknown session), no token, another track's key, a
    // malformed request, an expired session.
    let other = app.user(Tier::Unlimited, 1).await;
    ask(&other, &hires, vec![b64(kid.as_bytes())])
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    ask(&token, &hires, vec![b64(kid.as_bytes())])
        .without("authorization")
        .send()
        .await
        .expect_error(401, "INVALID_AUTH_TYPE");
    ask(&token, "B084KPC3Q7", vec![b64(kid.as_bytes())])
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    ask(&token, &hires, vec![])
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    app.post(&licence_path)
        .token(&token)
        .json(json!({"kids": [b64(kid.as_bytes())]}))
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    app.advance_secs(31 * 24 * 3600);
    let fresh = app
        .medley
        .accounts
        .issue_token(&common::user_id("ADEMOUSER0001"), &app.api_key, None, 3600)
        .await
        .unwrap();
    ask(&fresh, &hires, vec![b64(kid.as_bytes())])
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn widevine_gets_a_clear_stream_that_claims_no_encryption() {
    if !ffmpeg_or_skip("widevine_gets_a_clear_stream_that_claims_no_encryption") {
        return;
    }
    let app = TestApp::new().await;
    let e = play(
        &app,
        &app.token.clone(),
        "B084KPC3Q7",
        &[("x-amzn-audio-drmtype", "WIDEVINE")],
    )
    .await;
    let info = &e["track"]["playbackInformation"];
    assert_eq!(info["protocol"], "DASH");
    assert_eq!(info["format"], "OPUS");
    assert!(info["licenseUrl"].is_null() && info.get("licenseHeaders").is_none());
    let (_, mpd) = manifest(&app, info["url"].as_str().unwrap()).await;
    assert!(mpd.kids.is_empty() && !mpd.clear_key);
}

#[tokio::test]
async fn without_ffmpeg_every_device_gets_progressive_files() {
    let app = TestApp::with_settings(Settings {
        ffmpeg: String::new(),
        ..Settings::default()
    })
    .await;
    let e = play(
        &app,
        &app.token.clone(),
        "B084KPC3Q7",
        &[("x-amzn-audio-drmtype", "CLEARKEY")],
    )
    .await;
    let info = &e["track"]["playbackInformation"];
    assert_eq!(info["protocol"], "PROGRESSIVE");
    assert_eq!(info["format"], "WAV");
    assert!(info["licenseUrl"].is_null());
    let (status, _, body) = fetch(&app, &local(info["url"].as_str().unwrap()), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..4], b"RIFF");
}

#[tokio::test]
async fn a_failed_encode_tells_the_client_to_retry_and_the_log_why() {
    if !ffmpeg_or_skip("a_failed_encode_tells_the_client_to_retry_and_the_log_why") {
        return;
    }
    // An ffmpeg that lists the real encoders but fails every encode, saying what ffmpeg says:
    // the paths of the files it was given.
    let dir = std::env::temp_dir().join(format!("medley-broken-ffmpeg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("ffmpeg");
    std::fs::write(
        &fake,
        "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -encoders ] && exec ffmpeg \"$@\"; done\n\
         echo \"/srv/private/music/secret.flac: Invalid data found when processing input\" >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let app = TestApp::with_settings(Settings {
        ffmpeg: fake.to_string_lossy().into_owned(),
        transcode_dir: dir.join("cache"),
        ..Settings::default()
    })
    .await;
    let e = play(&app, &app.token.clone(), "B084KPC3Q7", &[]).await;
    let url = e["track"]["playbackInformation"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, mpd) = manifest(&app, &url).await;
    let seg = segment_url(&url, &mpd.media, "opus48", Some(1));
    let (status, _, body) = fetch(&app, &seg, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["code"], "UNAVAILABLE");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("retry"), "{message}");
    assert!(
        !message.contains("secret") && !message.contains("ffmpeg") && !message.contains('/'),
        "ffmpeg's words stay in the log: {message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
