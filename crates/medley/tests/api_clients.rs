//! `/openapi.json` as a product: a client generated from it by a standard generator
//! (openapi-python-client) drives a live `medley serve --demo`, and Schemathesis fuzzes every
//! operation of it, with zero failures. A standard OAuth client (requests-oauthlib) signs in
//! through the authorization code flow with PKCE and links a device by code; the web player's
//! flow runs through Debian's nginx with HTTPS, configured by `deploy/nginx/medley.conf` as
//! shipped. All come from PyPI through `api-tests/requirements.txt`
//! into a virtual environment under `target/`; without Python the tests say they were skipped,
//! unless MEDLEY_REQUIRE_PYTHON is set (as `.ci/run` does), where they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{free_port, temp_dir, Server};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The virtual environment with the locked packages, made (or remade, when the lockfile
/// changed) on first use; `None` where Python cannot make one.
fn venv_or_skip(test: &str) -> Option<PathBuf> {
    let have = Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("MEDLEY_REQUIRE_PYTHON").is_none(),
            "{test}: MEDLEY_REQUIRE_PYTHON is set but python3 with venv is missing"
        );
        eprintln!("{test}: skipped, it needs Python 3 with venv (apt-get install python3-venv)");
        return None;
    }
    // The tests run at once; one of them installs.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = root().join("target/api-tests-venv");
    let lock = std::fs::read_to_string(root().join("api-tests/requirements.txt")).unwrap();
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) {
        let run = |cmd: &mut Command, what: &str| {
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
        );
        // The lockfile lists every package, so nothing outside it is installed.
        run(
            Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(root().join("api-tests/requirements.txt")),
            "pip install -r api-tests/requirements.txt",
        );
        std::fs::write(&stamp, &lock).unwrap();
    }
    Some(venv)
}

/// A demo server that does not rate-limit (the fuzzer sends thousands of requests).
fn demo_server(dir: &Path) -> Server {
    Server::start_env(dir, true, None, &[("MEDLEY_RATE_LIMIT_PER_SEC", "0")])
}

/// Longest either check may take; past it, it is stopped and fails.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

fn run(cmd: &mut Command, server: &Server, what: &str) -> String {
    use std::io::Read;
    let (key, token) = server.demo_credentials();
    let mut child = cmd
        .current_dir(root().join("api-tests"))
        .env("MEDLEY_URL", format!("http://{}", server.addr))
        .env("MEDLEY_KEY", key)
        .env("MEDLEY_TOKEN", token)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    match status {
        Some(s) if s.success() => stdout,
        Some(_) => panic!("{what}:\n{stdout}\n{stderr}"),
        None => panic!("{what} ran past {DEADLINE:?}:\n{stdout}\n{stderr}"),
    }
}

#[test]
fn a_generated_client_drives_a_live_server() {
    let Some(venv) = venv_or_skip("a_generated_client_drives_a_live_server") else {
        return;
    };
    let dir = temp_dir();
    let server = demo_server(&dir);
    let out = run(
        Command::new(venv.join("bin/python"))
            .arg("client_flow.py")
            .env("OUT", &dir),
        &server,
        "client_flow.py",
    );
    assert!(out.contains("client flow: every check passed"), "{out}");
    eprintln!("{out}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_standard_oauth_client_signs_in_and_links_a_device() {
    let Some(venv) = venv_or_skip("a_standard_oauth_client_signs_in_and_links_a_device") else {
        return;
    };
    let dir = temp_dir();
    let server = demo_server(&dir);
    let redirect = "http://127.0.0.1:9/callback";
    let (ok, out, err) = common::cli(
        &dir,
        &[
            "client",
            "add",
            "--name",
            "Python app",
            "--public",
            "--redirect-uri",
            redirect,
        ],
    );
    assert!(ok, "{err}");
    let out = run(
        Command::new(venv.join("bin/python"))
            .arg("oauth_flow.py")
            .env("OAUTH_CLIENT_ID", out.trim())
            .env("OAUTH_REDIRECT_URI", redirect)
            .env("OAUTH_LOGIN", medley_service::demo::DEMO_NAME)
            .env("OAUTH_PASSWORD", medley_service::demo::DEMO_PASSWORD),
        &server,
        "oauth_flow.py",
    );
    assert!(out.contains("oauth flow: every check passed"), "{out}");
    eprintln!("{out}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn schemathesis_finds_nothing_wrong() {
    let Some(venv) = venv_or_skip("schemathesis_finds_nothing_wrong") else {
        return;
    };
    let dir = temp_dir();
    let server = demo_server(&dir);
    let out = run(
        Command::new(venv.join("bin/schemathesis"))
            .arg("--config-file")
            .arg(root().join("api-tests/schemathesis.toml"))
            .arg("run")
            .arg(format!("http://{}/openapi.json", server.addr)),
        &server,
        "schemathesis run",
    );
    let summary: Vec<&str> = out.lines().rev().take(16).collect();
    eprintln!(
        "{}",
        summary.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    assert!(out.contains("Tested: 97"), "{out}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Debian's nginx and openssl (for a self-signed certificate), or `None` where they are
/// missing, unless MEDLEY_REQUIRE_NGINX is set (as `.ci/run` does).
fn nginx_or_skip(test: &str) -> Option<()> {
    let runs = |p: &str, arg: &str| {
        Command::new(p)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if runs("nginx", "-v") && runs("openssl", "version") {
        return Some(());
    }
    assert!(
        std::env::var_os("MEDLEY_REQUIRE_NGINX").is_none(),
        "{test}: MEDLEY_REQUIRE_NGINX is set but nginx or openssl is missing"
    );
    eprintln!("{test}: skipped, it needs Debian's nginx and openssl (apt-get install nginx)");
    None
}

/// nginx in the foreground, stopped with its workers (SIGTERM) however the test ends.
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// `deploy/nginx/medley.conf` as shipped, pointed at this server, these ports and this
/// certificate: each of those lines must be there to be changed.
fn site(medley: &str, https: u16, http: u16, cert: &Path, key: &Path) -> String {
    let mut site = std::fs::read_to_string(root().join("deploy/nginx/medley.conf")).unwrap();
    for (from, to) in [
        ("server 127.0.0.1:8080;", format!("server {medley};")),
        (
            "listen 443 ssl http2;",
            format!("listen 127.0.0.1:{https} ssl http2;"),
        ),
        ("listen [::]:443 ssl http2;", String::new()),
        ("listen 80;", format!("listen 127.0.0.1:{http};")),
        ("listen [::]:80;", String::new()),
        (
            "/etc/letsencrypt/live/music.example.org/fullchain.pem",
            cert.display().to_string(),
        ),
        (
            "/etc/letsencrypt/live/music.example.org/privkey.pem",
            key.display().to_string(),
        ),
        ("music.example.org", "localhost".into()),
    ] {
        assert!(
            site.contains(from),
            "deploy/nginx/medley.conf has no '{from}'"
        );
        site = site.replace(from, &to);
    }
    site
}

#[test]
fn through_nginx_with_https_the_player_signs_in_plays_and_hears_live_notices() {
    const TEST: &str = "through_nginx_with_https_the_player_signs_in_plays_and_hears_live_notices";
    let Some(venv) = venv_or_skip(TEST) else {
        return;
    };
    if nginx_or_skip(TEST).is_none() {
        return;
    }
    let dir = temp_dir();
    let (https, http) = (free_port(), free_port());
    let public = format!("https://localhost:{https}");
    let server = Server::start_env(
        &dir,
        true,
        None,
        &[
            ("MEDLEY_PUBLIC_URL", &public),
            ("MEDLEY_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    );
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::create_dir_all(dir.join("nginx-temp")).unwrap();
    std::fs::write(
        dir.join("medley.conf"),
        site(&server.addr, https, http, &cert, &key),
    )
    .unwrap();
    // Root's nginx would hand its workers to nobody, who cannot read the test's folder.
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "{user}daemon off;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log {d}/nginx-access.log;\n  client_body_temp_path {d}/nginx-temp/body;\n  \
             proxy_temp_path {d}/nginx-temp/proxy;\n  fastcgi_temp_path {d}/nginx-temp/fastcgi;\n  \
             uwsgi_temp_path {d}/nginx-temp/uwsgi;\n  scgi_temp_path {d}/nginx-temp/scgi;\n  \
             include {d}/medley.conf;\n}}\n",
            user = if root_user { "user root;\n" } else { "" },
            d = dir.display(),
        ),
    )
    .unwrap();
    let mut nginx = Nginx(
        Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", https)).is_err() {
        if let Some(status) = nginx.0.try_wait().unwrap() {
            let log = std::fs::read_to_string(dir.join("nginx-error.log")).unwrap_or_default();
            panic!("nginx exited ({status}): {log}");
        }
        assert!(std::time::Instant::now() < deadline, "nginx did not listen");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = run(
        Command::new(venv.join("bin/python"))
            .arg("proxy_flow.py")
            .env("PROXY_URL", &public)
            .env("PROXY_HTTP_URL", format!("http://127.0.0.1:{http}"))
            .env("PROXY_CA", &cert)
            .env("LOGIN", "Demo Listener")
            .env("PASSWORD", "medley-demo"),
        &server,
        "proxy_flow.py",
    );
    drop(nginx);
    assert!(out.contains("ok: the live stream hears"), "{out}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
