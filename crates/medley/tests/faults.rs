//! The store failing under a running server, from outside: the disk under the SQLite file
//! filling up, and the PostgreSQL server stopping and starting again. Either is a temporary
//! condition a client can act on (503, a code of its own, `Retry-After`) on the Web API and
//! Alexa alike, never a 500; `/readyz` says not ready while it lasts and ready once writes
//! succeed again; and every write that was acknowledged is there afterwards.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const ALBUM: &str = "mrn:1.0:catalog:album:asin:B084KYMDXT";

/// Whether this run's tests are on PostgreSQL.
fn on_postgresql() -> bool {
    std::env::var(medley_test_store::DATABASE_URL).is_ok_and(|u| !u.is_empty())
}

/// An answer as a client sees it: status, `Retry-After`, body.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

fn answer(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Answer {
        status: head[9..12].parse().unwrap(),
        retry_after: head
            .lines()
            .find_map(|l| l.strip_prefix("retry-after: ").map(str::to_string)),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

/// Checks a store fault's answer on the Web API: 503, STORE_UNAVAILABLE, Retry-After.
fn assert_store_fault(a: &Answer, what: &str) {
    assert_eq!(a.status, 503, "{what}: {}", a.body);
    assert_eq!(a.body["code"], "STORE_UNAVAILABLE", "{what}: {}", a.body);
    assert_eq!(a.retry_after.as_deref(), Some("1"), "{what}");
}

/// What a user of the demo catalog sends: its headers and the writes it makes.
struct Client {
    key: String,
    auth: String,
    token: String,
}

impl Client {
    fn new(dir: &Path, env: &[(&str, &str)]) -> Client {
        let run = |args: &[&str]| {
            let out = medley(dir)
                .envs(env.iter().copied())
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            one_line(&String::from_utf8(out.stdout).unwrap())
        };
        run(&[
            "catalog",
            "import",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../service/demo/catalog.json"),
        ]);
        let user = run(&["user", "add", "--name", "Ada", "--tier", "UNLIMITED"]);
        let key = run(&["client", "add", "--name", "faults"]);
        let token = run(&[
            "token", "issue", "--user", &user, "--client", &key, "--ttl", "3600",
        ]);
        Client {
            key,
            auth: format!("Bearer {token}"),
            token,
        }
    }

    /// Starts a playback session on `device`: a write.
    fn start(&self, http: &Http, device: &str) -> Answer {
        let headers = [
            ("x-api-key", self.key.as_str()),
            ("Authorization", self.auth.as_str()),
            ("X-Amzn-Device-Id", device),
        ];
        let body = json!({"playParams": {"id": ALBUM}, "limit": 1});
        answer(&http.exchange("POST", "/v1/playback/sessions", &headers, Some(&body)))
    }

    /// The session's current entity: 200 when the session was stored.
    fn current(&self, http: &Http, session: &str) -> u16 {
        let headers = [
            ("x-api-key", self.key.as_str()),
            ("Authorization", self.auth.as_str()),
            ("X-Amzn-Device-Id", "check"),
        ];
        let path = format!("/v1/playback/sessions/{session}/current");
        http.request("GET", &path, &headers, None).0
    }

    /// Alexa starting the album: a write.
    fn initiate(&self, http: &Http) -> Answer {
        let d = voice(
            &self.token,
            "Alexa.Media.Playback",
            "Initiate",
            json!({"contentId": ALBUM, "playbackModes": {"shuffle": false}}),
        );
        answer(&http.exchange("POST", "/alexa", &[], Some(&d)))
    }
}

fn session_of(a: &Answer) -> String {
    a.body["data"]["entities"][0]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session in {}", a.body))
        .to_string()
}

/// Asks `/readyz` until it answers `status`, for at most `within`.
fn readyz_becomes(http: &Http, status: u16, within: Duration) -> Answer {
    let deadline = Instant::now() + within;
    loop {
        let a = answer(&http.exchange("GET", "/readyz", &[], None));
        if a.status == status || Instant::now() > deadline {
            return a;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A small filesystem of its own, mounted while this lives.
struct Mounted(PathBuf);

impl Mounted {
    fn tmpfs(at: &Path, size: &str) -> Option<Mounted> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Mounted(at.to_path_buf()))
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros into `path` until the filesystem is full.
fn fill(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
}

#[test]
fn a_full_disk_is_a_503_to_retry_and_readyz_follows_it() {
    if on_postgresql() {
        eprintln!("skipped a_full_disk_…: the store is PostgreSQL in this run");
        return;
    }
    let dir = temp_dir();
    let Some(mount) = Mounted::tmpfs(&dir.join("data"), "24m") else {
        eprintln!("skipped a_full_disk_…: cannot mount a filesystem of its own here (needs root)");
        return;
    };
    let data = mount.0.clone();
    let client = Client::new(&data, &[]);
    let server = Server::start(&data, false);
    let mut stored = vec![session_of(&client.start(&server, "phone"))];
    assert_eq!(readyz_becomes(&server, 200, Duration::ZERO).status, 200);

    fill(&data.join("filler"));
    // Writes go on until the file cannot grow: then each is a 503 to retry, never a 500.
    let mut refused = 0;
    for i in 0..5000 {
        let a = client.start(&server, &format!("device-{}", i % 50));
        match a.status {
            200 => stored.push(session_of(&a)),
            _ => {
                assert_store_fault(&a, "a session started on a full disk");
                refused += 1;
                if refused == 5 {
                    break;
                }
            }
        }
    }
    assert_eq!(refused, 5, "the disk filled, yet every write succeeded");
    let ready = readyz_becomes(&server, 503, Duration::from_secs(5));
    assert_store_fault(&ready, "/readyz on a full disk");
    let alexa = client.initiate(&server);
    assert_eq!(alexa.status, 503, "{}", alexa.body);
    assert_eq!(alexa.retry_after.as_deref(), Some("1"));
    assert_eq!(
        alexa.body["header"]["name"], "ErrorResponse",
        "{}",
        alexa.body
    );
    assert_eq!(alexa.body["payload"]["type"], "INTERNAL_ERROR");
    assert!(!alexa.body.to_string().contains("disk"), "{}", alexa.body);

    // Room again: ready, and writes succeed.
    std::fs::remove_file(data.join("filler")).unwrap();
    assert_eq!(
        readyz_becomes(&server, 200, Duration::from_secs(10)).status,
        200
    );
    stored.push(session_of(&client.start(&server, "phone")));
    assert_eq!(client.initiate(&server).status, 200);

    // Every acknowledged write is there, after a kill -9 too.
    server.kill9();
    let server = Server::start(&data, false);
    for s in &stored {
        assert_eq!(
            client.current(&server, s),
            200,
            "session {s} was acknowledged"
        );
    }
    drop(server);
    drop(mount);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PostgreSQL server of this test's own, run by the `postgres` user, on a free port.
struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl Postgres {
    fn start(dir: &Path) -> Option<Postgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())?;
        let data = dir.join("pg");
        std::fs::create_dir_all(&data).ok()?;
        let chown = Command::new("chown")
            .arg("postgres")
            .arg(dir)
            .arg(&data)
            .status();
        if !chown.is_ok_and(|s| s.success()) {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let pg = Postgres { bin, data, port };
        pg.run("initdb", &["-U", "postgres", "--auth=trust", "-D"])
            .then_some(())?;
        pg.ctl("start").then_some(pg)
    }

    fn run(&self, program: &str, args: &[&str]) -> bool {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .arg(&self.data)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// `pg_ctl start` or `stop` (fast: connections are cut, as a restart cuts them).
    fn ctl(&self, what: &str) -> bool {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.data.display()
        );
        let log = self.data.join("log");
        let log = log.to_string_lossy();
        let args: Vec<&str> = match what {
            "start" => vec![what, "-w", "-o", &opts, "-l", &log, "-D"],
            _ => vec![what, "-w", "-m", "fast", "-D"],
        };
        self.run("pg_ctl", &args)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.ctl("stop");
    }
}

#[test]
fn a_postgresql_restart_is_a_503_to_retry_and_readyz_follows_it() {
    if !on_postgresql() {
        eprintln!("skipped a_postgresql_restart_…: this run's store is SQLite");
        return;
    }
    let dir = temp_dir();
    let Some(pg) = Postgres::start(&dir) else {
        eprintln!("skipped a_postgresql_restart_…: cannot run a PostgreSQL server of its own here");
        return;
    };
    let url = pg.url();
    let env = [("MEDLEY_DATABASE_URL", url.as_str())];
    let client = Arc::new(Client::new(&dir, &env));
    let unthrottled = [env[0], ("MEDLEY_RATE_LIMIT_PER_SEC", "0")];
    let server = Server::start_env(&dir, false, None, &unthrottled);
    let http = Arc::new(Http::at(&server.addr));

    // Six writers keep starting sessions while the server stops and starts.
    let stop = Arc::new(AtomicBool::new(false));
    let stored = Arc::new(Mutex::new(Vec::new()));
    let refused = Arc::new(Mutex::new(0));
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let (client, http, stop) = (client.clone(), http.clone(), stop.clone());
            let (stored, refused) = (stored.clone(), refused.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let a = client.start(&http, &format!("w{w}-{}", i % 20));
                    match a.status {
                        200 => stored.lock().unwrap().push(session_of(&a)),
                        _ => {
                            assert_store_fault(&a, "a session started while PostgreSQL restarts");
                            *refused.lock().unwrap() += 1;
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    assert!(pg.ctl("stop"), "stopping PostgreSQL");
    std::thread::sleep(Duration::from_millis(500));
    // While it is down: 503s to retry, on the Web API, Alexa and /readyz.
    assert_store_fault(
        &client.start(&http, "down"),
        "a session started while it is down",
    );
    let alexa = client.initiate(&http);
    assert_eq!(alexa.status, 503, "{}", alexa.body);
    assert_eq!(alexa.body["payload"]["type"], "INTERNAL_ERROR");
    assert_store_fault(
        &readyz_becomes(&http, 503, Duration::ZERO),
        "/readyz while it is down",
    );
    assert!(pg.ctl("start"), "starting PostgreSQL again");
    assert_eq!(
        readyz_becomes(&http, 200, Duration::from_secs(15)).status,
        200
    );
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join()
            .expect("a writer saw something other than 200 or a store fault");
    }
    assert!(
        *refused.lock().unwrap() > 0,
        "the writers never noticed the restart"
    );
    assert_eq!(client.start(&http, "after").status, 200);
    assert_eq!(client.initiate(&http).status, 200);
    let stored = stored.lock().unwrap();
    eprintln!(
        "PostgreSQL restarted under 6 writers: {} sessions acknowledged, {} refused with 503",
        stored.len(),
        refused.lock().unwrap()
    );
    for s in stored.iter() {
        assert_eq!(
            client.current(&http, s),
            200,
            "session {s} was acknowledged"
        );
    }
    drop(server);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
}
