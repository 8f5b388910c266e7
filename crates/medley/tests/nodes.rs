//! Two `medley serve` processes over one PostgreSQL database, as one service: take-over fenced
//! across nodes, what one node changes honoured by the other within a second, the live device
//! stream, media URLs, account-page sign-ins and rate limits across nodes, `medley lambda` beside
//! a media node, and `kill -9` of one node under load. On SQLite (one process per file) these
//! tests say so and pass.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const CATALOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../service/demo/catalog.json");
const ALBUM: &str = "mrn:1.0:catalog:album:asin:B084KYMDXT";
const FIRST_TRACK: &str = "B084KVZP2G";

fn skip_on_sqlite(test: &str) -> bool {
    if medley_test_store::on_postgres() {
        return false;
    }
    eprintln!(
        "{test}: several nodes need PostgreSQL (MEDLEY_TEST_DATABASE_URL); skipped on SQLite"
    );
    true
}

/// The store of a test, shared by its nodes, and the folder of each node's own files.
struct Cluster {
    dir: PathBuf,
    nodes: Vec<PathBuf>,
}

impl Cluster {
    fn new() -> Cluster {
        let dir = temp_dir();
        let nodes = (0..2)
            .map(|i| {
                let d = dir.join(format!("node-{i}"));
                std::fs::create_dir_all(&d).unwrap();
                d
            })
            .collect();
        assert!(cli(&dir, &["catalog", "import", CATALOG]).0);
        Cluster { dir, nodes }
    }

    /// Node `i`, with its own data folder, over the test's database.
    fn start(&self, i: usize, env: &[(&str, &str)]) -> Server {
        let mut env = env.to_vec();
        env.push(("MEDLEY_DATA_DIR", self.nodes[i].to_str().unwrap()));
        Server::start_env(&self.dir, false, None, &env)
    }

    /// A user (`max_streams` at once), a client and a token: the request headers of `device`.
    fn account(&self, max_streams: u32) -> Account {
        let (ok, out, err) = cli(
            &self.dir,
            &[
                "user",
                "add",
                "--name",
                &format!("listener {}", uuid_like()),
                "--max-streams",
                &max_streams.to_string(),
            ],
        );
        assert!(ok, "{err}");
        let user = one_line(&out);
        let (ok, out, err) = cli(&self.dir, &["client", "add", "--name", "app"]);
        assert!(ok, "{err}");
        let key = one_line(&out);
        let (ok, out, err) = cli(
            &self.dir,
            &[
                "token", "issue", "--user", &user, "--client", &key, "--ttl", "3600",
            ],
        );
        assert!(ok, "{err}");
        Account {
            user,
            key,
            auth: format!("Bearer {}", one_line(&out)),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Clone)]
struct Account {
    user: String,
    key: String,
    auth: String,
}

impl Account {
    fn headers<'a>(&'a self, device: &'a str) -> [(&'a str, &'a str); 3] {
        [
            ("x-api-key", self.key.as_str()),
            ("Authorization", self.auth.as_str()),
            ("X-Amzn-Device-Id", device),
        ]
    }
}

fn create_session(node: &Http, who: &Account, device: &str) -> Value {
    let (status, res) = node.request(
        "POST",
        "/v1/playback/sessions",
        &who.headers(device),
        Some(&json!({"playParams": {"id": ALBUM}, "limit": 3})),
    );
    assert_eq!(status, 200, "{res}");
    res["data"]["entities"][0].clone()
}

fn event(entity: &Value, kind: &str, ts: i64, extra: Value) -> Value {
    let mut e = json!({"type": kind, "clientTimestampInMilliseconds": ts,
        "initialPlaybackDelayMilliseconds": 5, "deviceTimezone": "+00:00",
        "playbackCurrentSpeed": 1.0});
    if let (Value::Object(e), Value::Object(more)) = (&mut e, extra) {
        e.extend(more);
    }
    json!({"metricId": entity["metricId"], "event": e})
}

fn start(entity: &Value, ts: i64, take_over: Option<&str>) -> Value {
    let mut e = event(
        entity,
        "start",
        ts,
        json!({"playbackStartAbsoluteOffsetMilliseconds": 0}),
    );
    if let Some(t) = take_over {
        e["options"] = json!({"takeOverType": t});
    }
    e
}

fn stop(entity: &Value, ts: i64) -> Value {
    event(
        entity,
        "stop",
        ts,
        json!({"durationSeconds": 1, "entityProgressSeconds": 1, "rebufferCount": 0,
               "terminationReason": "userStop"}),
    )
}

fn state(node: &Http, who: &Account, device: &str, session: &str) -> String {
    let (status, cur) = node.request(
        "GET",
        &format!("/v1/playback/sessions/{session}/current"),
        &who.headers(device),
        None,
    );
    assert_eq!(status, 200, "{cur}");
    cur["data"]["metadata"]["playbackState"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Polls `check` until it holds; how long that took, or `None` after `within`.
fn holds_within(within: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let began = Instant::now();
    while began.elapsed() < within {
        if check() {
            return Some(began.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn take_over_is_fenced_across_nodes() {
    if skip_on_sqlite("take_over_is_fenced_across_nodes") {
        return;
    }
    let cluster = Cluster::new();
    let nodes = [cluster.start(0, &[]), cluster.start(1, &[])];
    let who = cluster.account(1);
    let devices = ["left", "right"];
    let entities: Vec<Value> = (0..2)
        .map(|i| create_session(&nodes[i], &who, devices[i]))
        .collect();
    let nodes = Arc::new(nodes);
    for round in 0..50i64 {
        // Even rounds: both start plainly, so exactly one may. Odd rounds: both force a
        // take-over, so both may succeed one after the other, but one streams at the end.
        let take_over = (round % 2 == 1).then_some("FORCE");
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|i| {
                let (nodes, who, barrier) = (nodes.clone(), who.clone(), barrier.clone());
                let ev = start(&entities[i], 10_000 + round * 100, take_over);
                std::thread::spawn(move || {
                    barrier.wait();
                    nodes[i]
                        .request(
                            "POST",
                            "/v1/playback/event",
                            &who.headers(devices[i]),
                            Some(&ev),
                        )
                        .0
                })
            })
            .collect();
        let mut codes: Vec<u16> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let sessions: Vec<&str> = entities
            .iter()
            .map(|e| e["sessionId"].as_str().unwrap())
            .collect();
        // Each node reads both sessions: they agree on who streams.
        let playing: Vec<Vec<bool>> = (0..2)
            .map(|n| {
                (0..2)
                    .map(|i| state(&nodes[n], &who, devices[i], sessions[i]) == "PLAYING")
                    .collect()
            })
            .collect();
        assert_eq!(playing[0], playing[1], "round {round}: the nodes disagree");
        let streaming: Vec<usize> = (0..2).filter(|i| playing[0][*i]).collect();
        assert_eq!(streaming.len(), 1, "round {round}: {codes:?} {playing:?}");
        codes.sort();
        if take_over.is_none() {
            assert_eq!(codes, [201, 422], "round {round}");
        } else {
            assert!(codes.contains(&201), "round {round}: {codes:?}");
        }
        let winner = streaming[0];
        let (status, body) = nodes[winner].request(
            "POST",
            "/v1/playback/event",
            &who.headers(devices[winner]),
            Some(&stop(&entities[winner], 10_000 + round * 100 + 50)),
        );
        assert_eq!(status, 201, "round {round}: {body}");
    }
}

/// Reads a server-sent event stream from `node` until `wanted` shows up in it.
fn stream_until(node: &Http, who: &Account, wanted: &str, within: Duration) -> Option<String> {
    let mut s = TcpStream::connect(&node.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    write!(
        s,
        "GET /v1/playback/notifications HTTP/1.1\r\nHost: {}\r\nx-api-key: {}\r\nAuthorization: {}\r\n\r\n",
        node.addr, who.key, who.auth
    )
    .unwrap();
    let began = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while began.elapsed() < within {
        if let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got);
            if text.contains(wanted) {
                return Some(text.into_owned());
            }
        }
    }
    None
}

fn set_cookie(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie:")
                .then(|| l[11..].trim())
        })
        .expect("a cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn head_and_body(raw: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_string(), body.to_string())
}

#[test]
fn what_one_node_changes_the_other_honours_within_a_second() {
    if skip_on_sqlite("what_one_node_changes_the_other_honours_within_a_second") {
        return;
    }
    let cluster = Cluster::new();
    // Caches that would keep a stale read for a minute, were nothing said.
    let slow = [("MEDLEY_CACHE_TTL_MS", "60000")];
    let (a, b) = (cluster.start(0, &slow), cluster.start(1, &slow));
    let who = cluster.account(1);
    let second = Duration::from_secs(1);

    // The live device stream on B hears of a session A started.
    let listener = {
        let (b_addr, who) = (b.addr.clone(), who.clone());
        std::thread::spawn(move || {
            let b = Http::at(&b_addr);
            stream_until(&b, &who, "session.started", Duration::from_secs(10))
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let began = Instant::now();
    let entity = create_session(&a, &who, "phone");
    let heard = listener
        .join()
        .unwrap()
        .expect("B's stream told of A's session");
    assert!(
        began.elapsed() < second,
        "heard after {:?}",
        began.elapsed()
    );
    assert!(
        heard.contains(entity["sessionId"].as_str().unwrap()),
        "{heard}"
    );

    // A media URL A signed plays from B.
    let url = entity["track"]["playbackInformation"]["url"]
        .as_str()
        .expect("a media URL")
        .to_string();
    let path = &url[url.find("/media/").expect("a Medley media URL")..];
    // A DASH manifest where ffmpeg packs the song (its segments by Range), else the file.
    let ranged = match path.split_once("manifest.mpd") {
        Some((base, query)) => {
            let (status, mpd) = b.raw("GET", path, &[], None);
            assert_eq!(status, 200, "{path}");
            assert!(String::from_utf8_lossy(&mpd).contains("<MPD "));
            format!("{base}opus48/1.m4s{query}")
        }
        None => path.to_string(),
    };
    let (status, _) = b.raw("GET", &ranged, &[("Range", "bytes=0-99")], None);
    assert_eq!(status, 206, "{ranged}");

    // A profile change on A, and a plan change from the command line, show on B.
    let session = entity["sessionId"].as_str().unwrap().to_string();
    let me = |node: &Http| node.request("GET", "/v1/me", &who.headers("phone"), None).1;
    assert_eq!(me(&b)["data"]["user"]["tier"], "UNLIMITED");
    let (status, body) = a.request(
        "PUT",
        "/v1/me",
        &who.headers("phone"),
        Some(&json!({"name": "Renamed", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"})),
    );
    assert_eq!(status, 200, "{body}");
    let took = holds_within(second, || me(&b)["data"]["user"]["name"] == "Renamed");
    assert!(took.is_some(), "B still shows the old name");
    let (ok, _, err) = cli(
        &cluster.dir,
        &["user", "plan", "--user", &who.user, "--tier", "FREE"],
    );
    assert!(ok, "{err}");
    let took = holds_within(second, || me(&b)["data"]["user"]["tier"] == "FREE");
    assert!(took.is_some(), "B still shows the old tier");

    // A catalog import from the command line shows in what B had cached of the catalog.
    let title = |node: &Http| {
        let (_, cur) = node.request(
            "GET",
            &format!("/v1/playback/sessions/{session}/current"),
            &who.headers("phone"),
            None,
        );
        cur.to_string()
    };
    assert!(title(&b).contains("The Adults Are Talking"));
    let renamed = cluster.dir.join("renamed.json");
    let catalog = std::fs::read_to_string(CATALOG).unwrap();
    std::fs::write(
        &renamed,
        catalog.replace("The Adults Are Talking [Explicit]", "Grown-Ups Talk"),
    )
    .unwrap();
    assert!(
        cli(
            &cluster.dir,
            &["catalog", "import", renamed.to_str().unwrap()]
        )
        .0
    );
    let took = holds_within(second, || title(&b).contains("Grown-Ups Talk"));
    assert!(took.is_some(), "B still shows the old title");

    // A sign-in to the account page on A holds on B; signing out on B ends it on A.
    let (head, page) = head_and_body(&a.exchange_text("GET", "/account", &[], ""));
    let csrf_cookie = set_cookie(&head);
    let csrf = csrf_field(&page).to_string();
    let (ok, _, err) = cli_with_input(
        &cluster.dir,
        &["user", "passwd", "--user", &who.user],
        "a long enough password\n",
    );
    assert!(ok, "{err}");
    let form = format!(
        "csrf={csrf}&login={}&password=a+long+enough+password",
        who.user
    );
    let form_headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", csrf_cookie.as_str()),
    ];
    let (head, _) = head_and_body(&a.exchange_text("POST", "/account", &form_headers, &form));
    assert!(head.starts_with("HTTP/1.1 303"), "{head}");
    let signed_in = format!("{csrf_cookie}; {}", set_cookie(&head));
    let account_page = |node: &Http| {
        head_and_body(&node.exchange_text("GET", "/account", &[("Cookie", signed_in.as_str())], ""))
            .1
    };
    assert!(
        account_page(&b).contains("Renamed"),
        "B does not know A's sign-in"
    );
    let out_headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", signed_in.as_str()),
    ];
    b.exchange_text(
        "POST",
        "/account/sign-out",
        &out_headers,
        &format!("csrf={csrf}"),
    );
    assert!(
        !account_page(&a).contains("Renamed"),
        "A still signs in what B signed out"
    );

    // Unlinking from the command line ends the token on B within a second.
    let (ok, _, err) = cli(&cluster.dir, &["token", "revoke", "--user", &who.user]);
    assert!(ok, "{err}");
    let took = holds_within(second, || {
        b.request("GET", "/v1/me", &who.headers("phone"), None).0 == 401
    });
    assert!(took.is_some(), "B still takes the revoked token");
}

#[test]
fn rate_limits_count_the_requests_of_every_node() {
    if skip_on_sqlite("rate_limits_count_the_requests_of_every_node") {
        return;
    }
    let cluster = Cluster::new();
    // 5 a second with bursts of 10; each node alone sees 10 a second.
    let limit = [("MEDLEY_RATE_LIMIT_PER_SEC", "5")];
    let nodes = [cluster.start(0, &limit), cluster.start(1, &limit)];
    let who = cluster.account(1);
    let began = Instant::now();
    let mut served = 0;
    let mut asked = 0;
    while began.elapsed() < Duration::from_secs(3) {
        let node = &nodes[asked % 2];
        asked += 1;
        let (status, body) = node.request("GET", "/v1/me", &who.headers("phone"), None);
        match status {
            200 => served += 1,
            429 => assert_eq!(body["code"], "THROTTLED", "{body}"),
            other => panic!("{other}: {body}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Counted per node, each would serve its burst and 5 a second: about 2 × (10 + 15). Counted
    // together, about 10 + 15, give or take what the nodes serve between two settlements.
    let seconds = began.elapsed().as_secs_f64();
    let together = 10.0 + 5.0 * seconds;
    assert!(
        (served as f64) < together + 8.0,
        "{served} of {asked} served in {seconds:.1} s: the nodes count apart"
    );
    assert!(
        (served as f64) > together - 8.0,
        "{served} of {asked} served"
    );
}

#[test]
fn the_lambda_function_hands_out_streams_a_media_node_plays() {
    if skip_on_sqlite("the_lambda_function_hands_out_streams_a_media_node_plays") {
        return;
    }
    let cluster = Cluster::new();
    let media = cluster.start(0, &[]);
    let who = cluster.account(1);
    let token = who.auth.trim_start_matches("Bearer ");
    let directive = json!({"header": {"namespace": "Alexa.Media.Playback", "name": "Initiate",
        "messageId": "m-1", "payloadVersion": "1.0"},
        "payload": {"contentId": ALBUM, "playbackModes": {},
                    "requestContext": {"user": {"id": "amzn1.ask.account.X", "accessToken": token}}}});
    let (api, answers) = fake_runtime_api(vec![directive]);
    let mut lambda = medley(&cluster.dir)
        .args(["lambda"])
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("MEDLEY_DATA_DIR", &cluster.nodes[1])
        .env("MEDLEY_PUBLIC_URL", format!("http://{}", media.addr))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (_, answer) = answers
        .recv_timeout(Duration::from_secs(30))
        .expect("an answer");
    lambda.kill().unwrap();
    lambda.wait().unwrap();
    let uri = answer["payload"]["playbackMethod"]["firstItem"]["stream"]["uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_string();
    let path = &uri[uri.find("/media/").unwrap()..];
    assert!(path.contains(FIRST_TRACK), "{uri}");
    let (status, body) = media.raw("GET", path, &[("Range", "bytes=0-99")], None);
    assert_eq!(status, 206, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn kill_9_of_one_node_under_load_loses_no_acknowledged_write() {
    if skip_on_sqlite("kill_9_of_one_node_under_load_loses_no_acknowledged_write") {
        return;
    }
    let cluster = Cluster::new();
    let a = cluster.start(0, &[]);
    let b = Arc::new(cluster.start(1, &[]));
    let (a_addr, a) = (a.addr.clone(), Mutex::new(Some(a)));
    let who = cluster.account(100);
    // Four devices each start a session and its first track, turn about on A and on B; A is
    // killed halfway. What either node acknowledged must be there after.
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String, bool)>::new()));
    let after_kill = Arc::new(Mutex::new(0usize));
    let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (b, who, acked, after_kill, killed, a_addr) = (
                b.clone(),
                who.clone(),
                acknowledged.clone(),
                after_kill.clone(),
                killed.clone(),
                a_addr.clone(),
            );
            std::thread::spawn(move || {
                let a = Http::at(&a_addr);
                for i in 0..30 {
                    std::thread::sleep(Duration::from_millis(40));
                    let device = format!("device-{w}-{i}");
                    let node: &Http = if i % 2 == 0 { &a } else { &b };
                    let was_killed = killed.load(std::sync::atomic::Ordering::SeqCst);
                    let Some((status, res)) = node.try_request(
                        "POST",
                        "/v1/playback/sessions",
                        &who.headers(&device),
                        Some(&json!({"playParams": {"id": ALBUM}, "limit": 2})),
                    ) else {
                        continue; // A is gone: nothing was acknowledged
                    };
                    if node.addr == b.addr && was_killed {
                        assert_eq!(status, 200, "B stopped serving: {res}");
                        *after_kill.lock().unwrap() += 1;
                    }
                    if status != 200 {
                        continue;
                    }
                    let entity = res["data"]["entities"][0].clone();
                    let session = entity["sessionId"].as_str().unwrap().to_string();
                    acked
                        .lock()
                        .unwrap()
                        .push((session.clone(), device.clone(), false));
                    let started = node
                        .try_request(
                            "POST",
                            "/v1/playback/event",
                            &who.headers(&device),
                            Some(&start(&entity, 1_000, None)),
                        )
                        .is_some_and(|(s, _)| s == 201);
                    if started {
                        acked.lock().unwrap().push((session, device, true));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(600));
    killed.store(true, std::sync::atomic::Ordering::SeqCst);
    a.lock().unwrap().take().unwrap().kill9();
    for w in workers {
        w.join().unwrap();
    }
    assert!(
        *after_kill.lock().unwrap() > 0,
        "B served nothing after A died"
    );
    let acknowledged = acknowledged.lock().unwrap();
    assert!(
        acknowledged.iter().filter(|a| a.2).count() > 10,
        "too little load to tell"
    );
    for (session, device, started) in acknowledged.iter() {
        let state = state(&b, &who, device, session);
        if *started {
            assert_eq!(state, "PLAYING", "{session} on {device}");
        }
    }
}
