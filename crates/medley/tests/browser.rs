//! Medley in a real browser: the scripts in `browser-tests/` drive Debian's Chromium with
//! Playwright against a `medley serve --demo`. They need Node.js (npm) and `chromium`; without
//! them the tests say they were skipped, unless MEDLEY_REQUIRE_BROWSER is set (as `.ci/run`
//! does), where they fail. Screenshots land in `target/browser-shots/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cli, cli_with_input, free_port, one_line, temp_dir, Server};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether the browser checks can run here; installs their npm packages on first use.
fn browser_or_skip(test: &str) -> bool {
    let have = available("node") && available("npm") && available(&chromium());
    if !have {
        assert!(
            std::env::var_os("MEDLEY_REQUIRE_BROWSER").is_none(),
            "{test}: MEDLEY_REQUIRE_BROWSER is set but node, npm or {} is missing",
            chromium()
        );
        eprintln!(
            "{test}: skipped, it needs Node.js and Chromium (apt-get install nodejs npm chromium)"
        );
        return false;
    }
    // The tests run at once; one of them installs.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("browser-tests");
    let installed = dir.join("node_modules/.package-lock.json");
    let stale = |f: &str| {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        modified(&installed) < modified(&dir.join(f))
    };
    if stale("package-lock.json") || stale("package.json") {
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("npm runs");
        assert!(
            out.status.success(),
            "npm ci in browser-tests: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    true
}

/// Runs `browser-tests/SCRIPT` with the server's address and, for a demo, its credentials.
fn run_script(script: &str, server: &Server, env: &[(&str, String)]) {
    let shots = root().join("target/browser-shots");
    std::fs::create_dir_all(&shots).unwrap();
    let (key, token) = if server.stdout.contains("Bearer ") {
        server.demo_credentials()
    } else {
        Default::default()
    };
    let out = Command::new("node")
        .arg(script)
        .current_dir(root().join("browser-tests"))
        .env("MEDLEY_URL", format!("http://{}", server.addr))
        .env("MEDLEY_KEY", key)
        .env("MEDLEY_TOKEN", token)
        .env("CHROMIUM", chromium())
        .env("SHOTS", &shots)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script}:\n{stdout}\n{stderr}");
    eprintln!("{stdout}");
}

#[test]
fn a_page_on_an_allowed_origin_calls_the_api_and_others_are_refused() {
    if !browser_or_skip("a_page_on_an_allowed_origin_calls_the_api_and_others_are_refused") {
        return;
    }
    let dir = temp_dir();
    let page_port = free_port();
    let origin = format!("http://localhost:{page_port}");
    let server = Server::start_env(&dir, true, None, &[("MEDLEY_CORS_ORIGINS", &origin)]);
    run_script("cors.mjs", &server, &[("PAGE_PORT", page_port.to_string())]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dash_plays_in_shaka_player_and_dash_js_clear_and_with_clear_key() {
    if !browser_or_skip("dash_plays_in_shaka_player_and_dash_js_clear_and_with_clear_key") {
        return;
    }
    if !medley_loadgen::audio::ffmpeg_available() {
        assert!(
            std::env::var_os("MEDLEY_REQUIRE_FFMPEG").is_none(),
            "MEDLEY_REQUIRE_FFMPEG is set but ffmpeg is missing"
        );
        eprintln!("dash_plays_in_shaka_player_and_dash_js_clear_and_with_clear_key: skipped, DASH needs ffmpeg");
        return;
    }
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    run_script("dash.mjs", &server, &[]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_api_reference_page_renders_the_document_from_the_server_alone() {
    if !browser_or_skip("the_api_reference_page_renders_the_document_from_the_server_alone") {
        return;
    }
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    run_script("docs.mjs", &server, &[]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn signing_in_works_on_a_phone_without_javascript_and_unlinking_from_the_account_page() {
    if !browser_or_skip(
        "signing_in_works_on_a_phone_without_javascript_and_unlinking_from_the_account_page",
    ) {
        return;
    }
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    let redirect = format!("http://{}/callback", server.addr);
    let (ok, out, err) = cli(
        &dir,
        &[
            "client",
            "add",
            "--name",
            "Browser Test App",
            "--redirect-uri",
            &redirect,
            "--public",
        ],
    );
    assert!(ok, "{err}");
    run_script("signin.mjs", &server, &[("CLIENT_ID", one_line(&out))]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Adds a user who signs in with `password`.
fn user_with_password(dir: &Path, name: &str, tier: &str, password: &str) {
    let (ok, _, err) = cli_with_input(
        dir,
        &[
            "user",
            "add",
            "--name",
            name,
            "--tier",
            tier,
            "--password-stdin",
        ],
        &format!("{password}\n"),
    );
    assert!(ok, "{err}");
}

/// Scans in an album with a cover image and a CD-quality FLAC (which standard quality plays as
/// Opus), both made by ffmpeg; its title, or `None` without ffmpeg (unless it is required).
fn album_with_cover_art(dir: &Path) -> Option<String> {
    let ffmpeg_runs = Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ffmpeg_runs {
        assert!(
            std::env::var_os("MEDLEY_REQUIRE_FFMPEG").is_none(),
            "MEDLEY_REQUIRE_FFMPEG is set but ffmpeg is missing"
        );
        eprintln!("the cover art and Opus checks are skipped: they need ffmpeg");
        return None;
    }
    let album = dir.join("scan/Cover Band/Cover Album");
    std::fs::create_dir_all(&album).unwrap();
    let ffmpeg = |args: &[&str]| {
        let out = Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ffmpeg: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let track = album.join("01 Long Tone.flac");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330:duration=40",
        "-ar",
        "44100",
        "-sample_fmt",
        "s16",
        "-metadata",
        "title=Long Tone",
        "-metadata",
        "artist=Cover Band",
        "-metadata",
        "album=Cover Album",
        "-metadata",
        "track=1",
        track.to_str().unwrap(),
    ]);
    let cover = album.join("cover.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=orange:s=400x400",
        "-frames:v",
        "1",
        cover.to_str().unwrap(),
    ]);
    let (ok, _, err) = cli(
        dir,
        &["catalog", "import", dir.join("scan").to_str().unwrap()],
    );
    assert!(ok, "{err}");
    Some("Cover Album".into())
}

#[test]
fn the_web_player_plays_steers_the_queue_and_follows_other_devices_and_alexa() {
    if !browser_or_skip("the_web_player_plays_steers_the_queue_and_follows_other_devices_and_alexa")
    {
        return;
    }
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    user_with_password(&dir, "Free Listener", "FREE", "free-listener-pass");
    let mut env = vec![
        ("FREE_NAME", "Free Listener".to_string()),
        ("FREE_PASSWORD", "free-listener-pass".to_string()),
    ];
    if let Some(album) = album_with_cover_art(&dir) {
        env.push(("ART_ALBUM", album));
        // With ffmpeg the server packs DASH, which the page plays through Shaka Player.
        env.push(("DASH", "1".to_string()));
    }
    run_script("player.mjs", &server, &env);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_web_player_stays_signed_in_through_token_renewals_and_signs_out_for_good() {
    if !browser_or_skip(
        "the_web_player_stays_signed_in_through_token_renewals_and_signs_out_for_good",
    ) {
        return;
    }
    let dir = temp_dir();
    let server = Server::start_env(&dir, true, None, &[("MEDLEY_ACCESS_TOKEN_SECS", "12")]);
    run_script("signedin.mjs", &server, &[]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_web_player_pages_a_100000_track_library_and_renders_only_what_is_on_screen() {
    if !browser_or_skip(
        "the_web_player_pages_a_100000_track_library_and_renders_only_what_is_on_screen",
    ) {
        return;
    }
    let dir = temp_dir();
    let catalog = dir.join("big.json");
    std::fs::write(&catalog, medley_loadgen::catalog(100_000).to_string()).unwrap();
    let (ok, _, err) = cli(&dir, &["catalog", "import", catalog.to_str().unwrap()]);
    assert!(ok, "{err}");
    user_with_password(&dir, "Big Listener", "UNLIMITED", "big-listener-pass");
    let server = Server::start(&dir, false);
    run_script(
        "library.mjs",
        &server,
        &[
            ("USER_NAME", "Big Listener".into()),
            ("USER_PASSWORD", "big-listener-pass".into()),
            ("PLAYLIST", "BENCHPL100K".into()),
        ],
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_web_players_typescript_type_checks() {
    if !browser_or_skip("the_web_players_typescript_type_checks") {
        return;
    }
    // The build installed the player's packages (crates/api/build.rs).
    let out = Command::new("node")
        .args(["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."])
        .current_dir(root().join("web"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tsc --noEmit in web:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
