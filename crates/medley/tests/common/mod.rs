//! What the black-box tests of the `medley` binary share: running it, a server on a free port,
//! raw HTTP requests to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary on the data dir `dir`, and on its own PostgreSQL schema where the tests run on
/// PostgreSQL (`MEDLEY_TEST_DATABASE_URL`).
pub fn medley(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_medley"));
    c.env("MEDLEY_DATA_DIR", dir);
    match medley_test_store::database_url(dir) {
        Some(url) => c.env("MEDLEY_DATABASE_URL", url),
        None => c.env_remove("MEDLEY_DATABASE_URL"),
    };
    c
}

/// Runs a CLI command; returns (exit ok, stdout, stderr).
pub fn cli(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = medley(dir).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs a CLI command with `input` on its standard input; returns (exit ok, stdout, stderr).
pub fn cli_with_input(dir: &Path, args: &[&str], input: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = medley(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A loopback port free at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("medley-bb-{}", uuid_like()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

pub struct Server {
    pub child: Child,
    pub http: Http,
    pub stdout: String,
}

/// Requests to a server at an address.
pub struct Http {
    pub addr: String,
}

impl std::ops::Deref for Server {
    type Target = Http;
    fn deref(&self) -> &Http {
        &self.http
    }
}

impl Server {
    pub fn start(dir: &Path, demo: bool) -> Server {
        Server::start_with(dir, demo, None)
    }

    /// A server reading the configuration file `config`.
    pub fn start_with(dir: &Path, demo: bool, config: Option<&Path>) -> Server {
        Server::start_env(dir, demo, config, &[])
    }

    /// A server reading the configuration file `config`, with more environment.
    pub fn start_env(
        dir: &Path,
        demo: bool,
        config: Option<&Path>,
        env: &[(&str, &str)],
    ) -> Server {
        let mut args = Vec::new();
        if let Some(c) = config {
            args.extend(["--config", c.to_str().unwrap()]);
        }
        args.extend(["serve", "--bind", "127.0.0.1:0"]);
        if demo {
            args.push("--demo");
        }
        let mut child = medley(dir)
            .args(&args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        // What is awaited is the line saying it listens; the bound is for a server that never
        // will. A demo start on PostgreSQL beside the rest of the suite has taken over 30 s.
        let deadline = Instant::now() + Duration::from_secs(120);
        let addr = loop {
            assert!(Instant::now() < deadline, "server did not start");
            let line = lines.next().expect("server exited").unwrap();
            if let Some(a) = line.strip_prefix("medley listening on http://") {
                break a.to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let mut stdout = String::new();
        if demo {
            let mut out = child.stdout.take().unwrap();
            let mut buf = [0u8; 4096];
            let deadline = Instant::now() + Duration::from_secs(10);
            while !stdout.contains("--data") && Instant::now() < deadline {
                let n = out.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                stdout.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
        Server {
            child,
            http: Http { addr },
            stdout,
        }
    }

    pub fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

impl Http {
    pub fn at(addr: &str) -> Http {
        Http {
            addr: addr.to_string(),
        }
    }

    /// As `request`, but `None` when the server is not there or answers no whole response.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Option<(u16, Value)> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let raw = self.send(method, path, headers, &body).ok()?;
        let status: u16 = std::str::from_utf8(raw.get(9..12)?).ok()?.parse().ok()?;
        let start = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        Some((
            status,
            serde_json::from_slice(&raw[start..]).unwrap_or(Value::Null),
        ))
    }

    /// One request on a connection of its own; everything the server answered.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> std::io::Result<Vec<u8>> {
        let mut s = TcpStream::connect(&self.addr)?;
        s.write_all(self.text_request(method, path, headers, body).as_bytes())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        Ok(raw)
    }

    fn text_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> String {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        req
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let (status, body) = self.raw(method, path, headers, body);
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// The status and body bytes of one request.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Vec<u8>) {
        let raw = self.exchange(method, path, headers, body);
        let status: u16 = std::str::from_utf8(&raw[9..12]).unwrap().parse().unwrap();
        let start = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(raw.len(), |i| i + 4);
        (status, raw[start..].to_vec())
    }

    /// The whole answer to one request, head and body.
    pub fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Vec<u8> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.exchange_text(method, path, headers, &body)
    }

    /// The whole answer to one request with a body of any type, head and body.
    pub fn exchange_text(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Vec<u8> {
        self.send(method, path, headers, body).unwrap()
    }
}

impl Server {
    /// The x-api-key and token of the demo's printed curl command.
    pub fn demo_credentials(&self) -> (String, String) {
        let after = |marker: &str| {
            self.stdout
                .split(marker)
                .nth(1)
                .expect("the demo command")
                .split('\'')
                .next()
                .unwrap()
                .to_string()
        };
        (after("x-api-key: "), after("Bearer "))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a sign-in form's hidden `csrf` field.
pub fn csrf_field(page: &str) -> &str {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a form with a csrf field")
        .split('"')
        .next()
        .unwrap()
}

pub fn one_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 1, "expected exactly one line, got {s:?}");
    lines[0].trim().to_string()
}

/// Creates a user, client and token with the CLI; returns (api key, token).
/// A directive as Alexa sends it, with a user's access token.
pub fn voice(token: &str, namespace: &str, name: &str, mut payload: Value) -> Value {
    payload["requestContext"] = serde_json::json!({"user": {"id": "amzn1.ask.account.X", "accessToken": token},
                                       "location": {"originatingLocale": "en-US"}});
    serde_json::json!({"header": {"namespace": namespace, "name": name, "messageId": "m-1",
                      "payloadVersion": "1.0"}, "payload": payload})
}

/// The x-api-key and token of a new user of `tier` on the store of `dir`.
pub fn account(dir: &Path, tier: &str) -> (String, String) {
    let (ok, out, err) = cli(
        dir,
        &[
            "user",
            "add",
            "--name",
            "Ada",
            "--tier",
            tier,
            "--max-streams",
            "1",
        ],
    );
    assert!(ok, "{err}");
    let user = one_line(&out);
    let (ok, out, err) = cli(dir, &["client", "add", "--name", "test app"]);
    assert!(ok, "{err}");
    let key = one_line(&out);
    let (ok, out, err) = cli(
        dir,
        &[
            "token", "issue", "--user", &user, "--client", &key, "--ttl", "600",
        ],
    );
    assert!(ok, "{err}");
    (key, one_line(&out))
}

/// A stand-in for the Lambda Runtime API on loopback: hands out `events` one by one as
/// invocations, and sends back each (request id, answer) posted for them.
pub fn fake_runtime_api(
    events: Vec<Value>,
) -> (String, std::sync::mpsc::Receiver<(String, Value)>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut events = events.into_iter().enumerate();
        for conn in listener.incoming() {
            let mut conn = conn.unwrap();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let path = request_line.split_whitespace().nth(1).unwrap().to_string();
            if path == "/2018-06-01/runtime/invocation/next" {
                let Some((i, event)) = events.next() else {
                    // Nothing more to do: hold the long poll until the test ends.
                    std::thread::sleep(Duration::from_secs(60));
                    return;
                };
                let event = event.to_string();
                write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-{i}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{event}",
                    event.len()
                )
                .unwrap();
            } else {
                let id = path
                    .strip_prefix("/2018-06-01/runtime/invocation/")
                    .and_then(|p| p.strip_suffix("/response"))
                    .unwrap_or("?")
                    .to_string();
                conn.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
                    .unwrap();
                tx.send((id, serde_json::from_slice(&body).unwrap()))
                    .unwrap();
            }
        }
    });
    (addr, rx)
}
