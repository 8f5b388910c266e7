//! Every example request of spec/000 works as written, headers and bodies exactly as shown,
//! against the demo data. Only the placeholders a developer fills in are replaced.

mod common;

use axum::http::Method;
use common::TestApp;

struct Example {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    data: Option<String>,
}

/// Splits a curl command into words, honouring single quotes and line continuations.
fn words(cmd: &str) -> Vec<String> {
    let cmd = cmd.replace("\\\n", " ");
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_word = false;
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn examples() -> Vec<Example> {
    let spec = include_str!("fixtures/spec000.txt");
    let mut out = Vec::new();
    let mut rest = spec;
    while let Some(at) = rest.find("curl --request") {
        let block = &rest[at..];
        // A command ends at the first line that does not continue it.
        let mut end = 0;
        let mut lines = block.split_inclusive('\n');
        for line in lines.by_ref() {
            end += line.len();
            let t = line.trim_end();
            let opens_data = t.contains("--data '") && !t.ends_with('\'');
            if opens_data {
                // The body runs until a line that is exactly "}'".
                for l in lines.by_ref() {
                    end += l.len();
                    if l.trim_end() == "}'" {
                        break;
                    }
                }
                break;
            }
            if !t.ends_with('\\') {
                break;
            }
        }
        let w = words(&block[..end]);
        let mut ex = Example {
            method: String::new(),
            url: String::new(),
            headers: Vec::new(),
            data: None,
        };
        let mut i = 1;
        while i < w.len() {
            match w[i].as_str() {
                "--request" => {
                    ex.method = w[i + 1].clone();
                    ex.url = w[i + 2].clone();
                    i += 3;
                }
                "--header" => {
                    let (k, v) = w[i + 1].split_once(':').unwrap();
                    ex.headers
                        .push((k.trim().to_string(), v.trim().to_string()));
                    i += 2;
                }
                "--data" => {
                    ex.data = Some(w[i + 1].clone());
                    i += 2;
                }
                other => panic!("unexpected curl word {other}"),
            }
        }
        out.push(ex);
        rest = &rest[at + end..];
    }
    out
}

#[tokio::test]
async fn every_spec_example_request_works_as_written() {
    let app = TestApp::new().await;
    let examples = examples();
    assert_eq!(examples.len(), 14, "spec/000 has 14 example requests");
    let mut session = String::new();
    let mut entity = String::new();
    let mut statuses = Vec::new();
    for ex in &examples {
        let fill = |s: &str| {
            s.replace("<base url>", "")
                .replace("<your security profile ID>", &app.api_key)
                .replace("<your auth token>", &app.token)
                .replace("<your session ID>", &session)
                .replace("<sessionId>", &session)
                .replace("<entityReferenceId>", &entity)
        };
        let mut call = app.call(
            Method::from_bytes(ex.method.as_bytes()).unwrap(),
            &fill(&ex.url),
        );
        for h in [
            "authorization",
            "x-api-key",
            "x-amzn-device-id",
            "x-amzn-audio-device-capability",
            "content-type",
        ] {
            call = call.without(h);
        }
        for (k, v) in &ex.headers {
            call = call.header(k, &fill(v));
        }
        if let Some(d) = &ex.data {
            call = call.raw(d);
        }
        let res = call.send().await;
        assert!(
            res.status.is_success(),
            "{} {} -> {}: {}",
            ex.method,
            ex.url,
            res.status,
            res.body
        );
        if session.is_empty() {
            session = res.entity(0)["sessionId"].as_str().unwrap().to_string();
            entity = res.entity(1)["entityReferenceId"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(res.entity(0)["track"]["id"], "B084KVZP2G");
        }
        statuses.push(res.status.as_u16());
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 200, 200, 201, 201, 200, 200, 201, 201, 201]
    );
    // The batch example stopped a6e35026… and started e9c5ad6c… (Selfless) in session 8f48fc53….
    let active = app
        .get("/v1/playback/sessions/8f48fc53-b52a-4b68-950b-020fe89e3b46/current")
        .header("x-amzn-device-id", "<your unique device ID>")
        .send()
        .await;
    active.expect(200);
    assert_eq!(
        active.entity(0)["entityReferenceId"],
        "e9c5ad6c-ebba-4c38-966d-c5b5b66ddfa4"
    );
    assert_eq!(active.entity(0)["track"]["title"], "Selfless");
    assert_eq!(active.data()["metadata"]["playbackState"], "PLAYING");
}
