//! A music folder the running server looks after (`--library`): scanned at start, a file added
//! or removed seen within seconds, and a folder that goes away (an unmounted disk, here renamed
//! away) or turns up empty losing nothing, and coming back.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use medley_loadgen::audio::{write_tags, write_wav, Tags};
use serde_json::{json, Value};

fn song(dir: &Path, file: &str, title: &str, track: u32) {
    let path = dir.join(file);
    write_wav(&path, 1500, 220.0 + 110.0 * track as f64).unwrap();
    write_tags(
        &path,
        &Tags {
            title,
            artist: "Folder Band",
            album: "Watched Album",
            album_artist: None,
            disc: 1,
            track,
            genre: "Rock",
            date: "2020-01-01",
            cover: None,
        },
    )
    .unwrap();
}

/// Waits (at most 20 s) until `probe` answers `Some`.
fn until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(t) = probe() {
            return t;
        }
        assert!(Instant::now() < end, "{what}: not within 20 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn folder(server: &Server) -> Value {
    let (status, body) = server.request("GET", "/readyz", &[], None);
    assert_eq!(status, 200, "{body}");
    body["libraries"][0].clone()
}

/// The band's tracks the library has, by title.
fn titles(server: &Server, key: &str, token: &str) -> Vec<String> {
    let auth = format!("Bearer {token}");
    let (status, body) = server.request(
        "POST",
        "/v1/search/tracks",
        &[
            ("x-api-key", key),
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Some(&json!({"searchFilters": [{"query": "Folder Band"}], "limit": 50})),
    );
    assert_eq!(status, 200, "{body}");
    let mut t: Vec<String> = body["data"]["searchTracks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

#[test]
fn a_watched_folder_follows_its_files_and_an_unmounted_one_loses_nothing() {
    let dir = temp_dir();
    let music = dir.join("music");
    song(&music, "01 One.wav", "One", 1);
    song(&music, "02 Two.wav", "Two", 2);
    let server = Server::start_env(
        &dir,
        true,
        None,
        &[("MEDLEY_LIBRARY", music.to_str().unwrap())],
    );
    let (key, token) = server.demo_credentials();
    let ready = until("the first scan", || {
        let f = folder(&server);
        (f["state"] == "ready").then_some(f)
    });
    assert_eq!(ready["files"], 2, "{ready}");
    assert_eq!(ready["path"], music.to_str().unwrap());
    assert!(ready["scannedAt"].as_str().is_some(), "{ready}");
    assert_eq!(titles(&server, &key, &token), ["One", "Two"]);

    // A file added while it runs shows up, and one removed goes.
    song(&music, "03 Three.wav", "Three", 3);
    until("the added file", || {
        (titles(&server, &key, &token) == ["One", "Three", "Two"]).then_some(())
    });
    std::fs::remove_file(music.join("01 One.wav")).unwrap();
    until("the removed file", || {
        (titles(&server, &key, &token) == ["Three", "Two"]).then_some(())
    });

    // The disk goes away: the folder is unavailable and the library keeps every track.
    let away = dir.join("music-away");
    std::fs::rename(&music, &away).unwrap();
    let gone = until("the missing folder", || {
        let f = folder(&server);
        (f["state"] == "unavailable").then_some(f)
    });
    assert!(
        gone["reason"].as_str().unwrap().contains("cannot read"),
        "{gone}"
    );
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(titles(&server, &key, &token), ["Three", "Two"]);

    // It comes back: ready again, the same tracks.
    std::fs::rename(&away, &music).unwrap();
    until("the folder back", || {
        (folder(&server)["state"] == "ready").then_some(())
    });
    assert_eq!(titles(&server, &key, &token), ["Three", "Two"]);

    // A folder that suddenly holds nothing (a mount point with its disk gone) retires nothing
    // either, and a file added while it comes back is seen with the rest.
    let aside = dir.join("aside");
    std::fs::create_dir_all(&aside).unwrap();
    for f in ["02 Two.wav", "03 Three.wav"] {
        std::fs::rename(music.join(f), aside.join(f)).unwrap();
    }
    let empty = until("the empty folder", || {
        let f = folder(&server);
        (f["state"] == "unavailable").then_some(f)
    });
    assert!(
        empty["reason"].as_str().unwrap().contains("no audio file"),
        "{empty}"
    );
    assert_eq!(titles(&server, &key, &token), ["Three", "Two"]);
    for f in ["02 Two.wav", "03 Three.wav"] {
        std::fs::rename(aside.join(f), music.join(f)).unwrap();
    }
    song(&music, "04 Four.wav", "Four", 4);
    until("the folder full again", || {
        (titles(&server, &key, &token) == ["Four", "Three", "Two"]).then_some(())
    });
    assert_eq!(folder(&server)["state"], "ready");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
