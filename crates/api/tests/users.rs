//! User V1 profiles: current user, update, other users, several users; scopes,
//! bounds and privacy.

mod common;

use common::TestApp;
use medley_core::policy::Tier;
use medley_service::accounts::NewUser;
use medley_store::Visibility;
use serde_json::{json, Value};

async fn person(app: &TestApp, name: &str, visibility: Visibility) -> (String, String) {
    let u = app
        .medley
        .accounts
        .add_user(NewUser {
            name: name.into(),
            tier: Tier::Prime,
            max_streams: 1,
            visibility,
            playback_visibility: Visibility::Public,
            admin: false,
        })
        .await
        .unwrap();
    let token = app
        .medley
        .accounts
        .issue_token(&u.id, &app.api_key, None, 3600)
        .await
        .unwrap();
    (u.id.into_string(), token)
}

#[tokio::test]
async fn current_user_and_update() {
    let app = TestApp::new().await;
    let me = app.get("/v1/me").send().await;
    me.expect(200);
    let u = &me.data()["user"];
    assert_eq!(u["id"], medley_service::demo::DEMO_USER);
    assert_eq!(u["name"], "Demo Listener");
    assert_eq!(u["tier"], "UNLIMITED");
    assert_eq!(u["visibility"], "PUBLIC");
    assert!(u["images"].is_array() && u["url"].is_string());
    let body =
        json!({"name": "New Name", "visibility": "PRIVATE", "playbackVisibility": "PRIVATE"});
    let r = app.put("/v1/me").json(body).send().await;
    r.expect(200);
    assert_eq!(r.data()["updateUser"]["name"], "New Name");
    assert_eq!(r.data()["updateUser"]["playbackVisibility"], "PRIVATE");
    assert_eq!(
        app.get("/v1/me").send().await.data()["user"]["name"],
        "New Name"
    );
    for bad in [
        json!({"visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}),
        json!({"name": "  ", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}),
        json!({"name": " \u{a0}\u{200b}", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}),
        json!({"name": "x".repeat(201), "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}),
        json!({"name": "A", "playbackVisibility": "PUBLIC"}),
        json!({"name": "A", "visibility": "public", "playbackVisibility": "PUBLIC"}),
        json!({"name": "A", "visibility": "PUBLIC", "playbackVisibility": 1}),
    ] {
        app.put("/v1/me")
            .json(bad)
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    assert_eq!(
        app.get("/v1/me").send().await.data()["user"]["name"],
        "New Name",
        "bad input changes nothing"
    );
    // A read-only token cannot write the profile, whatever the spec's scope table says.
    let read_only = app
        .scoped_token(medley_service::demo::DEMO_USER, &["music::profile:read"])
        .await;
    app.put("/v1/me")
        .token(&read_only)
        .json(json!({"name": "Sneaky", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}))
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.get("/v1/me")
        .token(&read_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
}

#[tokio::test]
async fn other_users_show_what_their_privacy_allows() {
    let app = TestApp::new().await;
    let (open, _) = person(&app, "Grace", Visibility::Public).await;
    let (closed, closed_token) = person(&app, "Hedy", Visibility::Private).await;
    let r = app.get(&format!("/v1/users/{open}")).send().await;
    let u = r.expect(200).data()["user"].clone();
    assert_eq!(
        (u["name"].clone(), u["tier"].clone()),
        (json!("Grace"), json!("PRIME"))
    );
    let r = app.get(&format!("/v1/users/{closed}")).send().await;
    let u = r.expect(200).data()["user"].clone();
    assert_eq!(u["visibility"], "PRIVATE");
    assert_eq!(
        (u["name"].clone(), u["tier"].clone()),
        (Value::Null, Value::Null)
    );
    let own = app
        .get(&format!("/v1/users/{closed}"))
        .token(&closed_token)
        .send()
        .await;
    assert_eq!(own.data()["user"]["name"], "Hedy");
    app.get("/v1/users/nobody")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    let many = app
        .get(&format!("/v1/users?ids={closed},nobody,{open}"))
        .send()
        .await;
    let ids: Vec<&str> = many.expect(200).data()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [closed.as_str(), open.as_str()]);
    let hundred_and_one = vec!["x"; 101].join(",");
    for bad in [
        "/v1/users",
        "/v1/users?ids=",
        "/v1/users?ids=,,",
        &format!("/v1/users?ids={hundred_and_one}"),
    ] {
        app.get(bad).send().await.expect_error(400, "BAD_REQUEST");
    }
    let hundred = vec![open.as_str(); 100].join(",");
    assert_eq!(
        app.get(&format!("/v1/users?ids={hundred}"))
            .send()
            .await
            .data()["users"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    let profile_only = app
        .scoped_token(medley_service::demo::DEMO_USER, &["music::profile"])
        .await;
    app.get(&format!("/v1/users/{open}"))
        .token(&profile_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
}
