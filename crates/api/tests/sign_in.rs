//! Sign-in credentials against the real store: passwords by id or name, the refusals that
//! must all look alike, OAuth clients with redirect URIs and secrets.

mod common;

use common::{user_id, TestApp};
use medley_core::policy::Tier;
use medley_service::accounts::{NewClient, NewUser};
use medley_service::credentials::client_secret_matches;
use medley_service::demo::{DEMO_NAME, DEMO_PASSWORD, DEMO_USER};
use medley_store::{AccountStore, Visibility};

async fn user(app: &TestApp, name: &str) -> String {
    app.medley
        .add_user(NewUser {
            name: name.into(),
            tier: Tier::Unlimited,
            max_streams: 1,
            visibility: Visibility::Public,
            playback_visibility: Visibility::Public,
        })
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_password_signs_in_by_id_or_name_and_every_refusal_is_the_same() {
    let app = TestApp::new().await;
    let ann = user(&app, "Ann Example").await;
    let m = &app.medley;
    // No password yet: nobody signs in as Ann.
    assert!(m
        .check_password(&ann, "correct horse")
        .await
        .unwrap()
        .is_none());
    m.set_password(&user_id(&ann), "correct horse")
        .await
        .unwrap();
    for login in [ann.as_str(), "Ann Example", "  ann example "] {
        let u = m.check_password(login, "correct horse").await.unwrap();
        assert_eq!(u.map(|u| u.id), Some(ann.clone()), "{login}");
    }
    for (login, password) in [
        (ann.as_str(), "correct horsE"),
        ("Ann Example", ""),
        ("Nobody", "correct horse"),
        ("", "correct horse"),
    ] {
        assert!(
            m.check_password(login, password).await.unwrap().is_none(),
            "{login}/{password}"
        );
    }
    // The hash is argon2id, never the password.
    let stored = app.store.sign_in_candidates(&ann).await.unwrap();
    assert!(stored[0].1.starts_with("$argon2id$"));
    assert!(!stored[0].1.contains("correct horse"));

    // Bounds, and a user who is not there.
    let e = m.set_password(&user_id(&ann), "short").await.unwrap_err();
    assert!(e.to_string().contains("8 to 256"), "{e}");
    assert!(m
        .set_password(&user_id("ANOBODY"), "long enough")
        .await
        .is_err());

    // A second user of the same name cannot get a password: a name signs in one user.
    let other = user(&app, "ann EXAMPLE").await;
    let e = m
        .set_password(&user_id(&other), "other horse")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another user"), "{e}");
    // A new password replaces the old one.
    m.set_password(&user_id(&ann), "battery staple")
        .await
        .unwrap();
    assert!(m
        .check_password(&ann, "correct horse")
        .await
        .unwrap()
        .is_none());
    assert!(m
        .check_password(&ann, "battery staple")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn the_demo_user_signs_in_with_the_printed_password() {
    let app = TestApp::new().await;
    app.medley.ensure_demo(None).await.unwrap();
    let u = app
        .medley
        .check_password(DEMO_NAME, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(u.map(|u| u.id).as_deref(), Some(DEMO_USER));
}

#[tokio::test]
async fn oauth_clients_register_redirect_uris_and_confidential_ones_a_secret() {
    let app = TestApp::new().await;
    let m = &app.medley;
    let (c, secret) = m
        .add_client(NewClient {
            name: "Skill".into(),
            redirect_uris: vec!["https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA".into()],
            confidential: true,
        })
        .await
        .unwrap();
    let secret = secret.unwrap();
    let stored = app.store.client(&c.api_key).await.unwrap().unwrap();
    assert_eq!(stored.redirect_uris, c.redirect_uris);
    assert!(client_secret_matches(&stored, &secret));
    assert!(!client_secret_matches(&stored, "guess"));
    assert_ne!(stored.secret_hash.as_deref(), Some(secret.as_str()));

    let (public, none) = m
        .add_client(NewClient {
            name: "Phone app".into(),
            redirect_uris: vec![
                "http://127.0.0.1:3000/callback".into(),
                "com.example.player:/oauth".into(),
            ],
            confidential: false,
        })
        .await
        .unwrap();
    assert!(none.is_none() && public.secret_hash.is_none());

    for bad in [
        "http://example.org/cb",
        "https://example.org/cb#frag",
        "/relative",
        "javascript:alert(1)",
        "ftp://example.org/cb",
    ] {
        let e = m
            .add_client(NewClient {
                name: "Bad".into(),
                redirect_uris: vec![bad.into()],
                confidential: true,
            })
            .await
            .unwrap_err();
        assert!(e.to_string().contains("redirect URI"), "{bad}: {e}");
    }
    assert!(m
        .add_client(NewClient {
            name: "Secret but nowhere to go".into(),
            redirect_uris: vec![],
            confidential: true,
        })
        .await
        .is_err());
}
