//! Input from outside that the handlers never see, or that is merely odd: every refusal is the
//! JSON error body, one rule holds for every list's query string, and free-form input is
//! bounded.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::TestApp;
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn refusals_below_the_handlers_are_json_too() {
    let app = TestApp::new().await;
    // A path that is not UTF-8.
    app.get("/v1/tracks/%ff%fe")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    // A path or query longer than Medley takes.
    let long = "x".repeat(20_000);
    app.get(&format!("/v1/tracks/{long}"))
        .send()
        .await
        .expect_error(414, "URI_TOO_LONG");
    app.get(&format!("/v1/search?query={long}"))
        .send()
        .await
        .expect_error(414, "URI_TOO_LONG");
    // A method the path does not take has a code of its own.
    app.call(axum::http::Method::DELETE, "/v1/playback/sessions")
        .send()
        .await
        .expect_error(405, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn one_rule_for_every_query_string() {
    let app = TestApp::new().await;
    let session = app.album_session(&app.token, None, json!({})).await;
    let sid = session.session_id();
    let lists = [
        format!("/v1/playback/sessions/{sid}/next"),
        "/v1/player/recentlyPlayed".to_string(),
        "/v1/me/followed/artists".to_string(),
        "/v1/search?query=strokes".to_string(),
    ];
    for list in &lists {
        let sep = if list.contains('?') { '&' } else { '?' };
        app.get(&format!("{list}{sep}limit=3"))
            .send()
            .await
            .expect(200);
        for bad in [
            "limit=%205",
            "limit=0",
            "limit=abc",
            "limit=3&limit=4",
            "cursor=%zz",
        ] {
            app.get(&format!("{list}{sep}{bad}"))
                .send()
                .await
                .expect_error(400, "BAD_REQUEST");
        }
        // A parameter the endpoint does not take is refused, naming it.
        let res = app.get(&format!("{list}{sep}limt=3")).send().await;
        res.expect_error(400, "BAD_REQUEST");
        assert!(res.body["message"].as_str().unwrap().contains("limt"));
    }
    // A garbage cursor is refused wherever a cursor is taken; /v1/search takes none.
    app.get("/v1/player/recentlyPlayed?cursor=garbage")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    app.get("/v1/search?query=strokes&cursor=garbage")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    // Endpoints without a list take no limit either.
    app.get("/v1/playback/sessions/active?limit=5")
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
}

#[tokio::test]
async fn free_form_input_is_bounded() {
    let app = TestApp::new().await;
    let create = json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KVZP2G"}});
    let long_device = "d".repeat(60_000);
    app.post("/v1/playback/sessions")
        .header("x-amzn-device-id", &long_device)
        .json(create.clone())
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    app.post("/v1/playback/sessions")
        .header("x-amzn-device-id", &"d".repeat(256))
        .json(create)
        .send()
        .await
        .expect(200);
    for title in ["a\u{0}b", "line\nbreak", "bell\u{7}"] {
        let res = app
            .post("/v1/playlists")
            .json(json!({"title": title}))
            .send()
            .await;
        res.expect_error(400, "BAD_REQUEST");
        assert!(res.body["message"].as_str().unwrap().contains("control"));
    }
    // A description keeps its line breaks.
    app.post("/v1/playlists")
        .json(json!({"title": "Fine", "description": "two\nlines"}))
        .send()
        .await
        .expect(201);
    app.put("/v1/me")
        .json(json!({"name": "nul\u{0}name"}))
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    let me = app.get("/v1/me").send().await;
    assert!(
        !me.body.to_string().contains("\\u0000"),
        "nothing was stored"
    );
}

#[tokio::test]
async fn the_image_style_asked_for_shapes_the_image_urls_of_the_answer() {
    let app = TestApp::new().await;
    let plain = app.get("/v1/albums/B084KYMDXT").send().await;
    let url = |r: &common::Res| {
        r.data()["album"]["images"][0]["url"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        url(&plain),
        "https://m.media-amazon.com/images/I/91hcERG6MkL.jpg"
    );
    let styled = app
        .get("/v1/albums/B084KYMDXT")
        .header("amzn-image-style", "SL160")
        .send()
        .await;
    assert_eq!(
        url(&styled),
        "https://m.media-amazon.com/images/I/91hcERG6MkL._SL160_.jpg"
    );
    // Entities of a playback answer too.
    let session = app
        .post("/v1/playback/sessions")
        .header("amzn-image-style", "sl30")
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B084KVZP2G"}}))
        .send()
        .await;
    session.expect(200);
    assert_eq!(
        session.entity(0)["track"]["images"][0]["url"],
        "https://m.media-amazon.com/images/I/91hcERG6MkL._SL30_.jpg"
    );
    // A style Medley does not know leaves the URLs alone.
    let odd = app
        .get("/v1/albums/B084KYMDXT")
        .header("amzn-image-style", "SL9000")
        .send()
        .await;
    assert_eq!(url(&odd), url(&plain));
}

#[tokio::test]
async fn pages_on_other_origins_may_call_the_api() {
    let app = TestApp::new().await;
    let preflight = app
        .call(axum::http::Method::OPTIONS, "/v1/playback/sessions")
        .without("authorization")
        .without("x-api-key")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,x-api-key,content-type,x-amzn-device-id",
        );
    let (status, headers, _) = preflight.send_raw().await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    let allowed = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-amzn-device-id"),
        "{allowed}"
    );
    let (status, headers, _) = app
        .get("/v1/me")
        .header("origin", "http://localhost:3000")
        .send_raw()
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("x-amzn-requestid"));

    // With a list, only the origins on it.
    let listed = TestApp::with_settings(medley_service::Settings {
        cors_origins: vec!["http://localhost:3000".into()],
        ..Default::default()
    })
    .await;
    for (origin, allowed) in [
        ("http://localhost:3000", true),
        ("https://evil.example", false),
    ] {
        let (_, headers, _) = listed
            .get("/v1/me")
            .header("origin", origin)
            .send_raw()
            .await;
        assert_eq!(
            headers.contains_key("access-control-allow-origin"),
            allowed,
            "{origin}"
        );
    }
}

/// The status of a request, its body left unread (a notification stream's never ends).
async fn status_of(app: &TestApp, method: Method, path: &str) -> StatusCode {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {}", app.token))
        .header("x-api-key", &app.api_key)
        .header("x-amzn-device-id", common::DEVICE)
        .body(Body::empty())
        .unwrap();
    app.router.clone().oneshot(req).await.unwrap().status()
}

/// HEAD is answered by the route's GET; the HTTP server sends no body with it (in-process
/// the router's body is still there, so only statuses are compared here; the black-box test
/// checks the wire).
#[tokio::test]
async fn head_answers_as_get_does_on_every_route() {
    let app = TestApp::new().await;
    let session = app.album_session(&app.token, None, json!({})).await;
    let sid = session.session_id();
    let entity = session.entity(0)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = app.get("/openapi.json").send().await.body;
    let paths = doc["paths"].as_object().unwrap();
    let (mut with_get, mut without) = (0, 0);
    for (template, item) in paths {
        let path = template
            .replace("{sessionId}", &sid)
            .replace("{entityReferenceId}", &entity)
            .replace("{id}", "B084KVZP2G")
            .replace("{representation}", "opus48")
            .replace("{segment}", "1");
        let status = status_of(&app, Method::HEAD, &path).await;
        assert!(!status.is_server_error(), "HEAD {path}: {status}");
        if item.get("get").is_some() {
            let get = status_of(&app, Method::GET, &path).await;
            assert_eq!(status, get, "HEAD {path} answers as GET does");
            with_get += 1;
        } else {
            assert_eq!(status, 405, "HEAD {path}: no GET to answer it");
            without += 1;
        }
    }
    assert!(with_get > 40 && without > 5, "{with_get} {without}");
    // Without a token, as GET is.
    let (status, _, _) = app
        .call(Method::HEAD, "/v1/me")
        .without("authorization")
        .send_raw()
        .await;
    assert_eq!(status, 401);
}
