//! Alexa's account linking against the real binary, playing Alexa's part: the authorization
//! request with its regional redirect URL, the sign-in form, the redirect with code and state,
//! the token exchange with HTTP Basic, a directive carrying the access token, a refresh, and
//! after `medley token revoke` a directive answered with the credential error.

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::*;
use serde_json::{json, Value};

const EU_REDIRECT: &str = "https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA";

/// The head and body of an answer, split.
fn split(raw: &[u8]) -> (u16, String, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head[9..12].parse().unwrap();
    (status, head.to_string(), body.to_string())
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in {head}"))
}

fn directive(token: &str) -> Value {
    json!({"header": {"namespace": "Alexa.Media.Search", "name": "GetPlayableContent",
                      "messageId": "2cae4d53-6bc1-4f8f-aa98-7dd2727e0a6b", "payloadVersion": "1.0"},
           "payload": {
               "requestContext": {"user": {"id": "amzn1.ask.account.AGF7EXAMPLE", "accessToken": token},
                                  "location": {"originatingLocale": "en-GB"}},
               "filters": {"explicitLanguageAllowed": true},
               "selectionCriteria": {"attributes": [
                   {"type": "ALBUM", "entityId": "mrn:1.0:catalog:album:asin:B084KYMDXT"}]}}})
}

#[test]
fn alexa_links_an_account_end_to_end() {
    let dir = temp_dir();
    let server = Server::start(&dir, true);
    // The skill's client, registered with Alexa's three regional redirect URLs.
    let (ok, out, err) = cli(
        &dir,
        &[
            "client",
            "add",
            "--name",
            "Medley for Alexa",
            "--redirect-uri",
            "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA",
            "--redirect-uri",
            EU_REDIRECT,
            "--redirect-uri",
            "https://alexa.amazon.co.jp/api/skill/link/M2AAAAAAAAAAAA",
        ],
    );
    assert!(ok, "{err}");
    let mut lines = out.lines();
    let (client, secret) = (lines.next().unwrap(), lines.next().unwrap());
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{client}:{secret}"))
    );

    // 1. Alexa opens the authorization URI in the user's browser.
    let query = serde_urlencoded::to_string([
        ("client_id", client),
        ("scope", "music::playback music::catalog"),
        ("response_type", "code"),
        ("state", "A2SAAEAEHxQ3ZmRh"),
        ("redirect_uri", EU_REDIRECT),
    ])
    .unwrap();
    let (status, head, page) =
        split(&server.exchange_text("GET", &format!("/ap/oa?{query}"), &[], ""));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Medley for Alexa"));
    let cookie = header(&head, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_field(&page);

    // 2. The user signs in as the demo prints it, and allows.
    let mut fields: Vec<(&str, &str)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned().leak() as &str, v.into_owned().leak() as &str))
        .collect();
    fields.extend([
        ("csrf", csrf),
        ("login", "Demo Listener"),
        ("password", "medley-demo"),
        ("decision", "allow"),
    ]);
    let form = serde_urlencoded::to_string(&fields).unwrap();
    let (status, head, body) = split(&server.exchange_text(
        "POST",
        "/ap/oa",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &form,
    ));
    assert_eq!(status, 303, "{body}");
    let location = url::Url::parse(header(&head, "location")).unwrap();
    assert!(location.as_str().starts_with(EU_REDIRECT));
    let back: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(back["state"], "A2SAAEAEHxQ3ZmRh");

    // 3. Alexa exchanges the code, authenticating with HTTP Basic.
    let token_request = |body: String| {
        let (status, _, body) = split(&server.exchange_text(
            "POST",
            "/auth/o2/token",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &basic),
            ],
            &body,
        ));
        (status, serde_json::from_str::<Value>(&body).unwrap())
    };
    let (status, tokens) = token_request(
        serde_urlencoded::to_string([
            ("grant_type", "authorization_code"),
            ("code", back["code"].as_str()),
            ("redirect_uri", EU_REDIRECT),
        ])
        .unwrap(),
    );
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    // 4. A directive carrying the access token finds the album.
    let (status, answer) = server.request(
        "POST",
        "/alexa",
        &[("Content-Type", "application/json")],
        Some(&directive(access)),
    );
    assert_eq!(status, 200);
    assert_eq!(
        answer["header"]["name"], "GetPlayableContent.Response",
        "{answer}"
    );

    // 5. A refresh gives a new access token that works too.
    let (status, renewed) = token_request(
        serde_urlencoded::to_string([("grant_type", "refresh_token"), ("refresh_token", refresh)])
            .unwrap(),
    );
    assert_eq!(status, 200, "{renewed}");
    let access2 = renewed["access_token"].as_str().unwrap();
    let (_, answer) = server.request("POST", "/alexa", &[], Some(&directive(access2)));
    assert_eq!(
        answer["header"]["name"], "GetPlayableContent.Response",
        "{answer}"
    );

    // 6. The user unlinks with the CLI; the running server honours it within a second (it
    // looks for other processes' revocations that often), though it caches tokens for 10 s.
    let (ok, _, err) = cli(
        &dir,
        &[
            "token",
            "revoke",
            "--user",
            "ADEMOUSER0001",
            "--client",
            client,
        ],
    );
    assert!(ok, "{err}");
    let revoked = Instant::now();
    let deadline = revoked + Duration::from_secs(5);
    let answer = loop {
        let (_, answer) = server.request("POST", "/alexa", &[], Some(&directive(access2)));
        if answer["header"]["name"] == "ErrorResponse" || Instant::now() > deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let honoured = revoked.elapsed();
    assert!(
        honoured < Duration::from_secs(3),
        "the revocation took {honoured:?} to reach the server"
    );
    assert_eq!(answer["header"]["namespace"], "Alexa", "{answer}");
    assert_eq!(
        answer["payload"]["type"], "INVALID_AUTHORIZATION_CREDENTIAL",
        "{answer}"
    );
    let (status, e) = token_request(
        serde_urlencoded::to_string([("grant_type", "refresh_token"), ("refresh_token", refresh)])
            .unwrap(),
    );
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    let _ = std::fs::remove_dir_all(&dir);
}
