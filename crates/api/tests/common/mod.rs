//! `TestApp`: the real router over a fresh store (SQLite in a temp dir, or a schema of the
//! PostgreSQL database `MEDLEY_TEST_DATABASE_URL` names), with a hand-moved clock and the demo
//! data, called in-process.

#![allow(dead_code)]

pub mod alexa;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use medley_core::policy::Tier;
use medley_service::accounts::NewUser;
use medley_service::{ManualClock, Medley, Settings};
use medley_store::Visibility;
use medley_test_store::TestStore;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const DEVICE: &str = "test-device";
/// The spec's album in the demo catalog, in album order.
pub const SPEC_ALBUM: [&str; 9] = [
    "B084KVZP2G",
    "B084KPC3Q7",
    "B084KMZM11",
    "B084KW75Z6",
    "DEMOTR0105",
    "DEMOTR0106",
    "DEMOTR0107",
    "DEMOTR0108",
    "DEMOTR0109",
];
pub const START_MS: i64 = 1_800_000_000_000;

pub struct TestApp {
    pub router: Router,
    pub medley: Medley,
    /// The store under `medley`, with its counters.
    pub store: TestStore,
    pub clock: Arc<ManualClock>,
    pub dir: std::path::PathBuf,
    pub api_key: String,
    pub token: String,
}

pub struct Res {
    pub status: StatusCode,
    pub body: Value,
}

impl Res {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn titles(&self) -> Vec<String> {
        self.data()["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["track"]["title"].as_str().unwrap().to_string())
            .collect()
    }

    /// The titles of an album lookup's tracks, in album order.
    pub fn album_titles(&self) -> Vec<String> {
        self.data()["album"]["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn track_ids(&self) -> Vec<String> {
        self.data()["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["track"]["id"].as_str().unwrap().to_string())
            .collect()
    }

    /// The session id of the first entity.
    /// The node ids of a `{"user": {key: {edges}}}` list.
    pub fn node_ids(&self, key: &str) -> Vec<String> {
        self.data()["user"][key]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn session_id(&self) -> String {
        self.entity(0)["sessionId"].as_str().unwrap().to_string()
    }

    pub fn entity(&self, i: usize) -> &Value {
        &self.data()["entities"][i]
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        self
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(!self.body["message"].as_str().unwrap_or("").is_empty());
        assert!(uuid::Uuid::parse_str(self.body["reference"].as_str().unwrap_or("")).is_ok());
        self
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A request under construction; headers default to a fully authorised device.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl Call<'_> {
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.retain(|(h, _)| !h.eq_ignore_ascii_case(k));
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    pub fn without(mut self, k: &str) -> Self {
        self.headers.retain(|(h, _)| !h.eq_ignore_ascii_case(k));
        self
    }

    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json(mut self, v: Value) -> Self {
        self.body = Some(v.to_string());
        self
    }

    pub fn raw(mut self, s: &str) -> Self {
        self.body = Some(s.to_string());
        self
    }

    /// The answer as it comes: status, headers and body bytes.
    pub async fn send_raw(self) -> (StatusCode, axum::http::HeaderMap, axum::body::Bytes) {
        let mut req = Request::builder().method(self.method).uri(&self.path);
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let req = req
            .body(self.body.map(Body::from).unwrap_or_else(Body::empty))
            .unwrap();
        let res = self.app.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes)
    }

    pub async fn send(self) -> Res {
        let (status, _, bytes) = self.send_raw().await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Res { status, body }
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_settings(Settings::default()).await
    }

    pub async fn with_settings(mut settings: Settings) -> TestApp {
        let dir = std::env::temp_dir().join(format!("medley-test-{}", uuid::Uuid::new_v4()));
        settings.transcode_dir = dir.join("transcoded");
        let store = TestStore::open(&dir).await;
        let clock = Arc::new(ManualClock::new(START_MS));
        let medley = Medley::new(store.shared(), clock.clone(), settings);
        let demo = medley.ensure_demo(None).await.unwrap().unwrap();
        TestApp {
            router: medley_api::router(medley.clone()),
            medley,
            store,
            clock,
            dir,
            api_key: demo.api_key,
            token: demo.token,
        }
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.to_string(),
            headers: vec![
                ("authorization".into(), format!("Bearer {}", self.token)),
                ("x-api-key".into(), self.api_key.clone()),
                ("x-amzn-device-id".into(), DEVICE.into()),
                (
                    "x-amzn-audio-device-capability".into(),
                    "STD_RES,HI_FI,HI_RES".into(),
                ),
                ("content-type".into(), "application/json".into()),
            ],
            body: None,
        }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Call<'_> {
        self.call(Method::PUT, path)
    }

    /// A user of the given tier with a token through the demo client.
    pub async fn user(&self, tier: Tier, max_streams: u32) -> String {
        let user = self
            .medley
            .accounts
            .add_user(NewUser {
                name: "Tester".into(),
                tier,
                max_streams,
                visibility: Visibility::Public,
                playback_visibility: Visibility::Public,
                admin: false,
            })
            .await
            .unwrap();
        self.medley
            .accounts
            .issue_token(&user.id, &self.api_key, None, 24 * 3600)
            .await
            .unwrap()
    }

    /// A token for `user` with only the given scopes, valid ten minutes.
    pub async fn scoped_token(&self, user: &str, scopes: &[&str]) -> String {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.medley
            .accounts
            .issue_token(&user_id(user), &self.api_key, Some(scopes), 600)
            .await
            .unwrap()
    }

    /// Another user with the given visibilities; returns (id, token).
    pub async fn person(
        &self,
        name: &str,
        visibility: Visibility,
        playback_visibility: Visibility,
    ) -> (String, String) {
        let u = self
            .medley
            .accounts
            .add_user(NewUser {
                name: name.into(),
                tier: Tier::Unlimited,
                max_streams: 1,
                visibility,
                playback_visibility,
                admin: false,
            })
            .await
            .unwrap();
        let token = self
            .medley
            .accounts
            .issue_token(&u.id, &self.api_key, None, 3600)
            .await
            .unwrap();
        (u.id.into_string(), token)
    }

    /// Creates a session on the spec's album starting at `track` (None: album start).
    pub async fn album_session(&self, token: &str, track: Option<&str>, extra: Value) -> Res {
        let mut body = json!({
            "playParams": {"containerIds": ["mrn:1.0:catalog:album:asin:B084KYMDXT"]},
            "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"},
        });
        if let Some(t) = track {
            body["playParams"]["id"] = json!(format!("mrn:1.0:catalog:track:asin:{t}"));
        }
        for (k, v) in extra.as_object().unwrap() {
            if k == "playbackOptions" {
                for (ok, ov) in v.as_object().unwrap() {
                    body["playbackOptions"][ok] = ov.clone();
                }
            } else {
                body[k] = v.clone();
            }
        }
        self.post("/v1/playback/sessions")
            .token(token)
            .json(body)
            .send()
            .await
    }

    pub fn advance_secs(&self, s: i64) {
        self.clock.advance_ms(s * 1000);
    }
}

static TS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1_716_493_161_481);

fn client_ts() -> i64 {
    TS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

/// A start event body for an entity (a JSON value from a response).
pub fn start_event(entity: &Value) -> Value {
    json!({
        "metricId": entity["metricId"],
        "event": {
            "type": "start",
            "clientTimestampInMilliseconds": client_ts(),
            "initialPlaybackDelayMilliseconds": 20,
            "deviceTimezone": "+02:00",
            "playbackCurrentSpeed": 1.0,
            "playbackStartAbsoluteOffsetMilliseconds": 0
        }
    })
}

pub fn stop_event(entity: &Value, reason: &str, progress: i64) -> Value {
    json!({
        "metricId": entity["metricId"],
        "event": {
            "type": "stop",
            "clientTimestampInMilliseconds": client_ts(),
            "initialPlaybackDelayMilliseconds": 0,
            "deviceTimezone": "+02:00",
            "playbackCurrentSpeed": 1.0,
            "durationSeconds": progress,
            "entityProgressSeconds": progress,
            "rebufferCount": 0,
            "terminationReason": reason
        }
    })
}

/// The path and query of a media URL, to call in-process.
pub fn local(url: &str) -> String {
    let path = url.split_once("/media/").expect("a media URL").1;
    format!("/media/{path}")
}

/// Fetches a media URL as a player does (no credentials), with an optional Range header: the
/// status, the Content-Range and the body.
pub async fn fetch(app: &TestApp, url: &str, range: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut call = app.get(url).without("authorization").without("x-api-key");
    if let Some(r) = range {
        call = call.header("range", r);
    }
    let (status, headers, body) = call.send_raw().await;
    let content_range = headers
        .get("content-range")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_range, body.to_vec())
}

/// Whether ffmpeg is here for the tests that encode audio files. CI sets
/// MEDLEY_REQUIRE_FFMPEG=1 and so never skips them; elsewhere they say why they pass unrun.
pub fn ffmpeg_or_skip(test: &str) -> bool {
    if medley_loadgen::audio::ffmpeg_available() {
        return true;
    }
    assert!(
        std::env::var_os("MEDLEY_REQUIRE_FFMPEG").is_none(),
        "{test}: MEDLEY_REQUIRE_FFMPEG is set but ffmpeg does not run"
    );
    eprintln!("{test}: skipped, ffmpeg is not installed (apt-get install ffmpeg)");
    false
}

/// A user's id as the service takes it.
pub fn user_id(id: &str) -> medley_core::ids::UserId {
    <medley_core::ids::UserId as medley_core::ids::Id>::parse(id).expect("a user id")
}
