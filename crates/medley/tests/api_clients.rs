//! `/openapi.json` as a product: a client generated from it by a standard generator
//! (openapi-python-client) drives a live `medley serve --demo`, and Schemathesis fuzzes every
//! operation of it, with zero failures. A standard OAuth client (requests-oauthlib) signs in
//! through the authorization code flow with PKCE and links a device by code. All come from PyPI through `api-tests/requirements.txt`
//! into a virtual environment under `target/`; without Python the tests say they were skipped,
//! unless MEDLEY_REQUIRE_PYTHON is set (as `.ci/run` does), where they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{temp_dir, Server};

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
