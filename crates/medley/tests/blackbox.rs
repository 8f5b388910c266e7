//! Black-box tests of the real `medley` binary: the command line README documents, the CLI
//! working while `serve` runs, acknowledged events surviving `kill -9`, the limits on what one
//! client may hold of the server, and `medley lambda` against a stand-in Lambda Runtime API.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

#[test]
fn cli_prints_what_scripts_expect_and_fails_clearly() {
    let dir = temp_dir();
    let catalog = dir.join("catalog.json");
    std::fs::write(
        &catalog,
        json!({"artists": [{"id": "AR1", "name": "Band"}],
               "albums": [{"id": "AL1", "title": "Record", "artistIds": ["AR1"], "trackIds": ["T1", "T2"]}],
               "tracks": [{"id": "T1", "title": "One", "duration": 100, "albumId": "AL1", "artistIds": ["AR1"], "file": "audio/one.flac"},
                          {"id": "T2", "title": "Two", "duration": 120, "albumId": "AL1", "artistIds": ["AR1"]}]})
        .to_string(),
    )
    .unwrap();
    let (ok, out, _) = cli(&dir, &["catalog", "import", catalog.to_str().unwrap()]);
    assert!(ok);
    assert!(one_line(&out).contains("2 tracks"), "{out}");
    // A dangling reference is an error naming it, and nothing is imported.
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        json!({"albums": [{"id": "AL2", "title": "X", "trackIds": ["T9"]}],
               "tracks": [{"id": "T3", "title": "Three", "duration": 5}]})
        .to_string(),
    )
    .unwrap();
    let (ok, out, err) = cli(&dir, &["catalog", "import", bad.to_str().unwrap()]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("T9"), "{err}");
    let (key, token) = account(&dir, "PRIME");
    assert!(key.starts_with("amzn1.application-oa2-client."));
    assert!(token.starts_with("Atza|"));
    let (ok, _, err) = cli(
        &dir,
        &["token", "issue", "--user", "nobody", "--client", &key],
    );
    assert!(!ok && err.contains("nobody"), "{err}");
    let (ok, _, err) = cli(&dir, &["user", "add", "--name", "x", "--tier", "GOLD"]);
    assert!(!ok && err.contains("GOLD"), "{err}");
    // A plan change prints what the user has now; a bad one changes nothing.
    let (ok, out, _) = cli(&dir, &["user", "add", "--name", "Bea"]);
    assert!(ok);
    let bea = one_line(&out);
    let plan = |tier: &str, streams: &str| {
        cli(
            &dir,
            &[
                "user",
                "plan",
                "--user",
                &bea,
                "--tier",
                tier,
                "--max-streams",
                streams,
            ],
        )
    };
    let (ok, out, err) = plan("FREE", "3");
    assert!(ok, "{err}");
    assert_eq!(one_line(&out), format!("{bea} FREE 3"));
    let (ok, out, err) = cli(&dir, &["user", "plan", "--user", &bea, "--tier", "PRIME"]);
    assert!(ok, "{err}");
    assert_eq!(
        one_line(&out),
        format!("{bea} PRIME 3"),
        "the stream limit stays"
    );
    let (ok, _, err) = plan("PRIME", "0");
    assert!(!ok && err.contains("max-streams"), "{err}");
    let (ok, _, err) = cli(
        &dir,
        &["user", "plan", "--user", "nobody", "--tier", "FREE"],
    );
    assert!(!ok && err.contains("nobody"), "{err}");
    let (ok, _, err) = cli(
        &dir,
        &[
            "token",
            "issue",
            "--user",
            "u",
            "--client",
            &key,
            "--scopes",
            "music::everything",
        ],
    );
    assert!(!ok, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_sets_passwords_and_registers_oauth_clients() {
    let dir = temp_dir();
    let (ok, out, err) = cli_with_input(
        &dir,
        &["user", "add", "--name", "Ann", "--password-stdin"],
        "correct horse\n",
    );
    assert!(ok, "{err}");
    let ann = one_line(&out).to_string();
    assert!(ann.starts_with('A'), "{out}");
    // Too short: refused, and no user is made.
    let (ok, out, err) = cli_with_input(
        &dir,
        &["user", "add", "--name", "Bob", "--password-stdin"],
        "short\n",
    );
    assert!(!ok && out.is_empty() && err.contains("8 to 256"), "{err}");
    let (ok, out, err) = cli_with_input(
        &dir,
        &["user", "passwd", "--user", &ann],
        "battery staple\n",
    );
    assert!(ok && out.is_empty(), "{err}");
    let (ok, _, err) = cli_with_input(
        &dir,
        &["user", "passwd", "--user", "ANOBODY"],
        "battery staple\n",
    );
    assert!(!ok && err.contains("ANOBODY"), "{err}");

    // A confidential OAuth client: its key, then its secret, alone on their lines.
    let (ok, out, err) = cli(
        &dir,
        &[
            "client",
            "add",
            "--name",
            "Skill",
            "--redirect-uri",
            "https://pitangui.amazon.com/api/skill/link/M1",
            "--redirect-uri",
            "https://layla.amazon.com/api/skill/link/M1",
        ],
    );
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("amzn1.application-oa2-client."));
    assert!(lines[1].len() >= 40, "{out}");
    // A public one has no secret; a plain client neither.
    for args in [
        &[
            "client",
            "add",
            "--name",
            "App",
            "--public",
            "--redirect-uri",
            "http://localhost:3000/cb",
        ][..],
        &["client", "add", "--name", "Plain"][..],
    ] {
        let (ok, out, err) = cli(&dir, args);
        assert!(ok && out.lines().count() == 1, "{out}{err}");
    }
    let (ok, _, err) = cli(
        &dir,
        &[
            "client",
            "add",
            "--name",
            "X",
            "--redirect-uri",
            "http://example.org/cb",
        ],
    );
    assert!(!ok && err.contains("https"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn logs_written_to_a_file_are_plain_text() {
    let dir = temp_dir();
    let path = dir.join("medley.log");
    let mut child = medley(&dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("MEDLEY_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut log = String::new();
    while !log.contains("medley listening on") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        log = std::fs::read_to_string(&path).unwrap();
    }
    let addr = log
        .lines()
        .find_map(|l| l.strip_prefix("medley listening on http://"))
        .expect("the server listens");
    // A request is logged at debug level, its status coloured at a terminal.
    let (status, _) = Http::at(addr).request("GET", "/healthz", &[], None);
    assert_eq!(status, 200);
    while !log.contains("path=/healthz") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        log = std::fs::read_to_string(&path).unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(log.contains("DEBUG"), "the debug lines are there: {log}");
    assert!(!log.contains('\u{1b}'), "no colour codes: {log:?}");
    assert!(!log.contains("no public URL"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn listening_on_every_address_without_a_public_url_is_warned_of() {
    let dir = temp_dir();
    let mut child = medley(&dir)
        .args(["serve", "--bind", "0.0.0.0:0"])
        .env_remove("MEDLEY_PUBLIC_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap())) {
        let line = line.unwrap();
        let done = line.starts_with("medley listening on");
        seen.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        seen.iter().any(|l| l.contains("WARN")
            && l.contains("no public URL")
            && l.contains("MEDLEY_PUBLIC_URL")),
        "{seen:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_lists_users_and_finds_them_by_id_or_name() {
    let dir = temp_dir();
    let add = |name: &str| {
        let (ok, out, err) = cli(&dir, &["user", "add", "--name", name]);
        assert!(ok, "{err}");
        one_line(&out).to_string()
    };
    let zoe = add("Zoë Home");
    let ann = add("ann");
    let twin1 = add("Twin");
    let twin2 = add("twin");
    let (ok, out, err) = cli(&dir, &["user", "list"]);
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 4, "{out}");
    assert_eq!(
        rows[0],
        [ann.as_str(), "ann", "UNLIMITED", "1", "member"],
        "by name, case aside"
    );
    assert_eq!(
        rows[3],
        [zoe.as_str(), "Zoë Home", "UNLIMITED", "1", "member"]
    );
    // An admin runs the house; the role shows in the list, and can be taken back.
    let (ok, _, err) = cli(&dir, &["user", "admin", "--user", "zoë home"]);
    assert!(ok, "{err}");
    let (_, out, _) = cli(&dir, &["user", "list"]);
    assert!(out.lines().last().unwrap().ends_with("\tadmin"), "{out}");
    let (ok, _, err) = cli(&dir, &["user", "admin", "--user", &zoe, "--off"]);
    assert!(ok, "{err}");
    let (_, out, _) = cli(&dir, &["user", "list"]);
    assert!(!out.contains("admin"), "{out}");
    let mut twins = vec![rows[1][0], rows[2][0]];
    twins.sort();
    let mut want = vec![twin1.as_str(), twin2.as_str()];
    want.sort();
    assert_eq!(twins, want);
    // A name names the one user who has it, whatever its case.
    let (ok, out, err) = cli(
        &dir,
        &["user", "plan", "--user", "zoë HOME", "--tier", "FREE"],
    );
    assert!(ok, "{err}");
    assert_eq!(one_line(&out), format!("{zoe} FREE 1"));
    let (ok, out, err) = cli_with_input(
        &dir,
        &["user", "passwd", "--user", "Ann"],
        "correct horse\n",
    );
    assert!(ok && out.is_empty(), "{err}");
    // A shared name is refused, naming the ids to choose from; an id still works.
    let (ok, _, err) = cli(&dir, &["user", "plan", "--user", "twin", "--tier", "FREE"]);
    assert!(!ok && err.contains(&twin1) && err.contains(&twin2), "{err}");
    let (ok, out, err) = cli(&dir, &["user", "plan", "--user", &twin2, "--tier", "PRIME"]);
    assert!(ok, "{err}");
    assert_eq!(one_line(&out), format!("{twin2} PRIME 1"));
    let (ok, _, err) = cli(
        &dir,
        &["user", "plan", "--user", "Nobody", "--tier", "FREE"],
    );
    assert!(!ok && err.contains("no user 'Nobody'"), "{err}");
    // What import takes is in its help.
    let (ok, out, _) = cli(&dir, &["catalog", "import", "--help"]);
    assert!(ok && out.contains("folder of audio files"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn configuration_file_sits_between_defaults_and_environment() {
    let dir = temp_dir();
    let from_file = dir.join("from-file");
    let cfg = dir.join("medley.toml");
    std::fs::write(
        &cfg,
        format!("data_dir = {:?}\n", from_file.to_str().unwrap()),
    )
    .unwrap();
    // No MEDLEY_DATA_DIR: the file decides.
    let out = Command::new(env!("CARGO_BIN_EXE_medley"))
        .env_remove("MEDLEY_DATA_DIR")
        .env_remove("MEDLEY_DATABASE_URL")
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "client",
            "add",
            "--name",
            "x",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(from_file.join("medley.db").exists());
    // The environment overrides the file.
    let (ok, _, err) = cli(
        &dir,
        &[
            "--config",
            cfg.to_str().unwrap(),
            "client",
            "add",
            "--name",
            "y",
        ],
    );
    assert!(ok, "{err}");
    if !medley_test_store::on_postgres() {
        assert!(dir.join("medley.db").exists());
    }
    // Unknown keys are refused, naming the file.
    std::fs::write(&cfg, "data_dri = \"oops\"\n").unwrap();
    let (ok, _, err) = cli(
        &dir,
        &[
            "--config",
            cfg.to_str().unwrap(),
            "client",
            "add",
            "--name",
            "z",
        ],
    );
    assert!(!ok && err.contains("medley.toml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_works_while_serve_runs_and_demo_prints_a_working_command() {
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    assert!(
        server.stdout.contains("curl --request POST"),
        "{}",
        server.stdout
    );
    assert!(
        server.stdout.contains(&format!(
            "# the web player: http://{}/ (sign in as Demo Listener with the password medley-demo; user ADEMOUSER0001)",
            server.addr
        )),
        "{}",
        server.stdout
    );
    let (key, token) = server.demo_credentials();
    let body: Value = serde_json::from_str(
        server
            .stdout
            .split("--data '")
            .nth(1)
            .unwrap()
            .trim_end()
            .trim_end_matches('\''),
    )
    .unwrap();
    let auth = format!("Bearer {token}");
    let headers = [
        ("x-api-key", key.as_str()),
        ("Authorization", auth.as_str()),
        ("X-Amzn-Device-Id", "demo-device"),
    ];
    let (status, res) = server.request("POST", "/v1/playback/sessions", &headers, Some(&body));
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["data"]["entities"][0]["track"]["id"], "B084KVZP2G");
    // The demo plays real sound: its tracks' generated songs, as DASH where ffmpeg packs them
    // (Opus in fragmented MP4), else as the WAV files they are.
    let info = &res["data"]["entities"][0]["track"]["playbackInformation"];
    let url = info["url"].as_str().unwrap();
    let path = &url[url.find("/media/").unwrap()..];
    if medley_loadgen::audio::ffmpeg_available() {
        assert_eq!(
            (info["protocol"].as_str(), info["format"].as_str()),
            (Some("DASH"), Some("OPUS"))
        );
        let (status, mpd) = server.raw("GET", path, &[], None);
        assert_eq!(status, 200);
        assert!(String::from_utf8_lossy(&mpd).contains("<Representation id=\"opus192\""));
        let init = path.replace("manifest.mpd", "opus192/init.mp4");
        let (status, head) = server.raw("GET", &init, &[("Range", "bytes=0-7")], None);
        assert_eq!(status, 206);
        assert_eq!(&head[4..8], b"ftyp");
    } else {
        assert_eq!(info["format"], "WAV");
        let (status, head) = server.raw("GET", path, &[("Range", "bytes=0-11")], None);
        assert_eq!(status, 206);
        assert_eq!((&head[..4], &head[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
    }
    // The CLI against the same store while the server runs.
    let (key2, token2) = account(&dir, "UNLIMITED");
    let auth2 = format!("Bearer {token2}");
    let (status, res) = server.request(
        "GET",
        "/v1/playback/sessions/active",
        &[("x-api-key", &key2), ("Authorization", &auth2)],
        None,
    );
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["data"]["sessions"], json!([]));
    let (status, _) = server.request("GET", "/healthz", &[], None);
    assert_eq!(status, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn acknowledged_events_survive_kill_9() {
    let dir = temp_dir();
    let (key, token) = account(&dir, "UNLIMITED");
    let (ok, _, err) = cli(
        &dir,
        &[
            "catalog",
            "import",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../service/demo/catalog.json"),
        ],
    );
    assert!(ok, "{err}");
    let auth = format!("Bearer {token}");
    let headers = [
        ("x-api-key", key.as_str()),
        ("Authorization", auth.as_str()),
        ("X-Amzn-Device-Id", "phone"),
    ];
    let server = Server::start(&dir, false);
    let (status, res) = server.request(
        "POST",
        "/v1/playback/sessions",
        &headers,
        Some(
            &json!({"playParams": {"id": "mrn:1.0:catalog:playlist:asin:B01LS62KK2"}, "limit": 8,
                     "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}}),
        ),
    );
    assert_eq!(status, 200, "{res}");
    let entities = res["data"]["entities"].as_array().unwrap().clone();
    let session = entities[0]["sessionId"].as_str().unwrap().to_string();
    for (i, e) in entities.iter().enumerate() {
        let ev = json!({"metricId": e["metricId"], "event": {"type": "start", "clientTimestampInMilliseconds": 1_000 + i,
            "initialPlaybackDelayMilliseconds": 5, "deviceTimezone": "+00:00", "playbackCurrentSpeed": 1.0,
            "playbackStartAbsoluteOffsetMilliseconds": 0}});
        let (status, body) = server.request("POST", "/v1/playback/event", &headers, Some(&ev));
        assert_eq!(status, 201, "{body}");
    }
    server.kill9();
    let server = Server::start(&dir, false);
    let (status, cur) = server.request(
        "GET",
        &format!("/v1/playback/sessions/{session}/current"),
        &headers,
        None,
    );
    assert_eq!(status, 200, "{cur}");
    assert_eq!(
        cur["data"]["entities"][0]["entityReferenceId"],
        entities[7]["entityReferenceId"]
    );
    assert_eq!(cur["data"]["metadata"]["playbackState"], "PLAYING");
    let (_, prev) = server.request(
        "GET",
        &format!("/v1/playback/sessions/{session}/previous?limit=10"),
        &headers,
        None,
    );
    assert_eq!(
        prev["data"]["entities"].as_array().unwrap().len(),
        7,
        "every acknowledged start is in the history"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_alexa_handler_runs_as_a_lambda_function() {
    let dir = temp_dir();
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../service/demo/catalog.json");
    assert!(cli(&dir, &["catalog", "import", catalog]).0);
    let (_, token) = account(&dir, "UNLIMITED");
    let context = json!({"user": {"id": "amzn1.ask.account.X", "accessToken": token}});
    let directive = |namespace: &str, name: &str, payload: Value| {
        let mut payload = payload;
        payload["requestContext"] = context.clone();
        json!({"header": {"namespace": namespace, "name": name, "messageId": "m-1",
                          "payloadVersion": "1.0"}, "payload": payload})
    };
    let events = vec![
        directive(
            "Alexa.Media.Search",
            "GetPlayableContent",
            json!({"filters": {"explicitLanguageAllowed": true},
                   "selectionCriteria": {"attributes": [{"type": "ALBUM", "entityId": "B084KYMDXT"}]}}),
        ),
        directive(
            "Alexa.Media.Playback",
            "Initiate",
            json!({"contentId": "mrn:1.0:catalog:album:asin:B084KYMDXT", "playbackModes": {}}),
        ),
        json!({"header": {"namespace": "Alexa.Media.PlayQueue"}}),
    ];
    let (api, answers) = fake_runtime_api(events);
    let mut child = medley(&dir)
        .args(["lambda"])
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("MEDLEY_PUBLIC_URL", "https://music.example.org")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(
            answers
                .recv_timeout(Duration::from_secs(30))
                .expect("an answer"),
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(got[0].0, "req-0");
    assert_eq!(got[0].1["header"]["name"], "GetPlayableContent.Response");
    assert_eq!(
        got[0].1["payload"]["content"]["id"],
        "mrn:1.0:catalog:album:asin:B084KYMDXT"
    );
    assert_eq!(got[1].0, "req-1");
    let method = &got[1].1["payload"]["playbackMethod"];
    assert_eq!(
        got[1].1["header"]["name"], "Initiate.Response",
        "{}",
        got[1].1
    );
    assert!(method["firstItem"]["stream"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("https://music.example.org/media/tracks/B084KVZP2G?"));
    assert_eq!(got[2].0, "req-2");
    assert_eq!(got[2].1["payload"]["type"], "INVALID_DIRECTIVE");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads until the server closes the connection; how long that took, or `None` when it kept
/// the connection open past `wait`.
fn closed_within(s: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let start = Instant::now();
    s.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(start.elapsed())
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn every_setting_can_come_from_the_environment_over_the_file() {
    let dir = temp_dir();
    let cfg = dir.join("medley.toml");
    std::fs::write(&cfg, "cors_origins = [\"http://file.example\"]\n").unwrap();
    let server = Server::start_env(
        &dir,
        false,
        Some(&cfg),
        &[(
            "MEDLEY_CORS_ORIGINS",
            "http://localhost:3000, http://127.0.0.1:3000",
        )],
    );
    let preflight = |origin: &str| {
        let raw = server.exchange(
            "OPTIONS",
            "/v1/me",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization,x-api-key"),
            ],
            None,
        );
        String::from_utf8_lossy(&raw).to_ascii_lowercase()
    };
    let allowed = preflight("http://localhost:3000");
    assert!(
        allowed.contains("access-control-allow-origin: http://localhost:3000"),
        "{allowed}"
    );
    let refused = preflight("http://file.example");
    assert!(
        !refused.contains("access-control-allow-origin"),
        "{refused}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn slow_idle_and_surplus_connections_are_closed() {
    let dir = temp_dir();
    let cfg = dir.join("limits.toml");
    std::fs::write(
        &cfg,
        "header_timeout_secs = 1\nbody_timeout_secs = 1\nmax_connections = 4\n",
    )
    .unwrap();
    let (key, token) = account(&dir, "UNLIMITED");
    let server = Server::start_with(&dir, false, Some(&cfg));
    let connect = || TcpStream::connect(&server.addr).unwrap();
    let wait = Duration::from_secs(10);

    // An idle keep-alive connection: one answered request, then nothing.
    let mut idle = connect();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).unwrap();
    assert_eq!(&head[9..12], b"200");
    assert!(
        closed_within(&mut idle, wait).is_some(),
        "an idle connection stays open"
    );

    // Headers that trickle in, a line at a time.
    let mut slow = connect();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    let mut closed = false;
    for i in 0..20 {
        std::thread::sleep(Duration::from_millis(300));
        if slow
            .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
            .is_err()
        {
            closed = true;
            break;
        }
    }
    assert!(
        closed || closed_within(&mut slow, wait).is_some(),
        "slow headers keep a connection"
    );

    // A body that stalls: 408, the house error body.
    let mut stalled = connect();
    stalled
        .write_all(
            format!(
                "POST /v1/playback/sessions HTTP/1.1\r\nHost: x\r\nx-api-key: {key}\r\n\
                 Authorization: Bearer {token}\r\nX-Amzn-Device-Id: d\r\n\
                 Content-Length: 100\r\n\r\n{{\"playParams\""
            )
            .as_bytes(),
        )
        .unwrap();
    stalled.set_read_timeout(Some(wait)).unwrap();
    let mut answer = Vec::new();
    let _ = stalled.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"REQUEST_TIMEOUT\""), "{answer}");

    // Past the cap, a connection is closed at once; the ones held are served.
    let mut held: Vec<TcpStream> = (0..4).map(|_| connect()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut surplus = connect();
    let quick = closed_within(&mut surplus, Duration::from_millis(900));
    assert!(quick.is_some(), "a fifth connection was kept");
    held[0]
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    held[0].read_exact(&mut head).unwrap();
    assert_eq!(&head[9..12], b"200");
    drop(held);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn requests_hyper_cannot_parse_get_the_json_error_body_too() {
    let dir = temp_dir();
    let server = Server::start(&dir, false);
    let answer = |request: Vec<u8>| {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(&request).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        String::from_utf8_lossy(&raw).into_owned()
    };
    let long = format!(
        "GET /v1/search?query={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "x".repeat(100_000)
    );
    let a = answer(long.into_bytes());
    assert!(a.starts_with("HTTP/1.1 414"), "{a}");
    assert!(a.contains("\"code\":\"URI_TOO_LONG\""), "{a}");
    assert!(a.contains("\"reference\":"), "{a}");
    let a = answer(b"NOT HTTP AT ALL\r\n\r\n".to_vec());
    assert!(a.starts_with("HTTP/1.1 400"), "{a}");
    assert!(a.contains("\"code\":\"BAD_REQUEST\""), "{a}");
    // The server goes on serving.
    let (status, _) = server.request("GET", "/healthz", &[], None);
    assert_eq!(status, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn by_voice_an_album_ends_loops_when_asked_and_a_station_goes_on() {
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    let (_, token) = server.demo_credentials();
    let ask = |d: Value| {
        let (status, answer) = server.request("POST", "/alexa", &[], Some(&d));
        assert_eq!(status, 200, "{d}: {answer}");
        answer
    };
    let start = |content: &str| {
        let r = ask(voice(
            &token,
            "Alexa.Media.Playback",
            "Initiate",
            json!({"contentId": content, "playbackModes": {"shuffle": false}}),
        ));
        let m = &r["payload"]["playbackMethod"];
        assert!(m["id"].is_string(), "{r}");
        (
            m["id"].as_str().unwrap().to_string(),
            m["firstItem"]["id"].as_str().unwrap().to_string(),
        )
    };
    let next = |queue: &str, item: &str| {
        ask(voice(
            &token,
            "Alexa.Audio.PlayQueue",
            "GetNextItem",
            json!({"currentItemReference": {"id": item, "queueId": queue, "contentId": "c"},
                   "isUserInitiated": false}),
        ))
    };
    // The spec's album, as a speaker plays it: nine tracks, then finished.
    let (queue, mut item) = start("mrn:1.0:catalog:album:asin:B084KYMDXT");
    let mut played = 1;
    let last = loop {
        let r = next(&queue, &item);
        if r["payload"]["isQueueFinished"] == true {
            assert!(r["payload"].get("item").is_none(), "{r}");
            break item;
        }
        item = r["payload"]["item"]["id"].as_str().unwrap().to_string();
        played += 1;
        assert!(played <= 9, "the album goes on past its end: {r}");
    };
    assert_eq!(played, 9);
    // "Alexa, loop": the first track follows the last.
    let r = ask(voice(
        &token,
        "Alexa.Media.PlayQueue",
        "SetLoop",
        json!({"currentItemReference": {"namespace": "Alexa.Audio.PlayQueue", "name": "item",
               "value": {"id": last, "queueId": queue, "contentId": "c"}}, "enable": true}),
    ));
    assert_eq!(r["header"]["name"], "Response", "{r}");
    let r = next(&queue, &last);
    assert_eq!(r["payload"]["isQueueFinished"], false);
    assert!(r["payload"]["item"]["stream"]["id"]
        .as_str()
        .unwrap()
        .ends_with(":B084KVZP2G"));
    // A station goes on.
    let (queue, mut item) = start("mrn:1.0:catalog:station:asin:B00G70DLAS");
    for _ in 0..25 {
        let r = next(&queue, &item);
        assert_eq!(r["payload"]["isQueueFinished"], false, "{r}");
        item = r["payload"]["item"]["id"].as_str().unwrap().to_string();
    }
    // A body that is no directive: 400 with Alexa's error shape.
    let raw = server.exchange_text("POST", "/alexa", &[], "{not json");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("INVALID_DIRECTIVE"), "{text}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn head_answers_as_get_without_a_body_on_the_wire() {
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    let (key, token) = server.demo_credentials();
    let bearer = format!("Bearer {token}");
    let headers = [
        ("x-api-key", key.as_str()),
        ("authorization", bearer.as_str()),
    ];
    for path in [
        "/v1/me",
        "/v1/search?query=strokes",
        "/v1/tracks/B084KVZP2G",
        "/v1/playback/sessions/active",
    ] {
        let get = server.exchange("GET", path, &headers, None);
        let head = server.exchange("HEAD", path, &headers, None);
        let text = String::from_utf8_lossy(&head);
        assert!(text.starts_with("HTTP/1.1 200"), "HEAD {path}: {text}");
        assert!(
            text.ends_with("\r\n\r\n"),
            "HEAD {path} sends no body: {text}"
        );
        let length = |raw: &[u8]| {
            String::from_utf8_lossy(raw).lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(String::from)
            })
        };
        assert_eq!(length(&head), length(&get), "HEAD {path} says GET's length");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
