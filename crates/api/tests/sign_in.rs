//! Sign-in credentials against the real store: passwords by id or name, the refusals that
//! must all look alike, OAuth clients with redirect URIs and secrets.

mod common;

use common::{user_id, TestApp};
use medley_core::policy::Tier;
use medley_service::accounts::credentials::client_secret_matches;
use medley_service::accounts::{NewClient, NewUser};
use medley_service::demo::{DEMO_NAME, DEMO_PASSWORD, DEMO_USER};
use medley_store::{AccountStore, Visibility};

async fn user(app: &TestApp, name: &str) -> String {
    app.medley
        .accounts
        .add_user(NewUser {
            name: name.into(),
            tier: Tier::Unlimited,
            max_streams: 1,
            visibility: Visibility::Public,
            playback_visibility: Visibility::Public,
            admin: false,
        })
        .await
        .unwrap()
        .id
        .into_string()
}

#[tokio::test]
async fn a_password_signs_in_by_id_or_name_and_every_refusal_is_the_same() {
    let app = TestApp::new().await;
    let ann = user(&app, "Ann Example").await;
    let m = &app.medley;
    // No password yet: nobody signs in as Ann.
    assert!(m
        .accounts
        .check_password(&ann, "correct horse")
        .await
        .unwrap()
        .is_none());
    m.accounts
        .set_password(&user_id(&ann), "correct horse")
        .await
        .unwrap();
    for login in [ann.as_str(), "Ann Example", "  ann example "] {
        let u = m
            .accounts
            .check_password(login, "correct horse")
            .await
            .unwrap();
        assert_eq!(u.map(|u| u.id.into_string()), Some(ann.clone()), "{login}");
    }
    for (login, password) in [
        (ann.as_str(), "correct horsE"),
        ("Ann Example", ""),
        ("Nobody", "correct horse"),
        ("", "correct horse"),
    ] {
        assert!(
            m.accounts
                .check_password(login, password)
                .await
                .unwrap()
                .is_none(),
            "{login}/{password}"
        );
    }
    // The hash is argon2id, never the password.
    let stored = app.store.sign_in_candidates(&ann).await.unwrap();
    assert!(stored[0].1.starts_with("$argon2id$"));
    assert!(!stored[0].1.contains("correct horse"));

    // Bounds, and a user who is not there.
    let e = m
        .accounts
        .set_password(&user_id(&ann), "short")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("8 to 256"), "{e}");
    assert!(m
        .accounts
        .set_password(&user_id("ANOBODY"), "long enough")
        .await
        .is_err());

    // A second user of the same name cannot get a password: a name signs in one user.
    let other = user(&app, "ann EXAMPLE").await;
    let e = m
        .accounts
        .set_password(&user_id(&other), "other horse")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another user"), "{e}");
    // A new password replaces the old one.
    m.accounts
        .set_password(&user_id(&ann), "battery staple")
        .await
        .unwrap();
    assert!(m
        .accounts
        .check_password(&ann, "correct horse")
        .await
        .unwrap()
        .is_none());
    assert!(m
        .accounts
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
        .accounts
        .check_password(DEMO_NAME, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(u.map(|u| u.id.into_string()).as_deref(), Some(DEMO_USER));
}

#[tokio::test]
async fn oauth_clients_register_redirect_uris_and_confidential_ones_a_secret() {
    let app = TestApp::new().await;
    let m = &app.medley;
    let (c, secret) = m
        .accounts
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
        .accounts
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
            .accounts
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
        .accounts
        .add_client(NewClient {
            name: "Secret but nowhere to go".into(),
            redirect_uris: vec![],
            confidential: true,
        })
        .await
        .is_err());
}

// ---- The flows, through the router, as Alexa's account linking and a phone app run them.

use axum::http::{header, HeaderMap, Method, StatusCode};
use base64::Engine;

const ALEXA_REDIRECT: &str = "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA";
const SCOPE: &str = "music::playback music::catalog music::profile";

struct Linking {
    app: TestApp,
    client: String,
    secret: Option<String>,
    redirect: String,
    ann: String,
}

async fn linking(confidential: bool, redirect: &str) -> Linking {
    let app = TestApp::new().await;
    let ann = user(&app, "Ann Example").await;
    app.medley
        .accounts
        .set_password(&user_id(&ann), "correct horse")
        .await
        .unwrap();
    let (c, secret) = app
        .medley
        .accounts
        .add_client(NewClient {
            name: "Test <Skill>".into(),
            redirect_uris: vec![redirect.into()],
            confidential,
        })
        .await
        .unwrap();
    Linking {
        app,
        client: c.api_key,
        secret,
        redirect: redirect.into(),
        ann,
    }
}

#[tokio::test]
async fn the_web_player_signs_in_from_whatever_address_it_was_opened_at() {
    let app = TestApp::new().await;
    app.medley.accounts.ensure_player_client().await.unwrap();
    let player = medley_service::accounts::PLAYER_CLIENT;
    let other = linking(false, "https://app.example/cb").await;
    let page = |client: &str, host: &str, redirect: &str| {
        let q = form(&[
            ("client_id", client),
            ("redirect_uri", redirect),
            ("response_type", "code"),
            ("scope", SCOPE),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ]);
        let app = if client == player { &app } else { &other.app };
        let host = host.to_string();
        async move {
            let (status, _, body) = app
                .get(&format!("/ap/oa?{q}"))
                .without("authorization")
                .without("x-api-key")
                .header("host", &host)
                .send_raw()
                .await;
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    // The player's page at the address the browser used: a LAN address, localhost, a name.
    for host in ["192.168.1.20:8080", "localhost:8080", "music.home.arpa"] {
        for scheme in ["http", "https"] {
            let (status, html) = page(player, host, &format!("{scheme}://{host}/")).await;
            assert_eq!(status, 200, "{host}: {html}");
            assert!(html.contains("Medley web player"), "{html}");
        }
    }
    // Anywhere else, it is refused on a page of Medley's: another host than the one asked,
    // another path, a query, or an address smuggled into the Host header.
    for (host, redirect) in [
        ("localhost:8080", "http://evil.example/"),
        ("localhost:8080", "http://localhost:8080/elsewhere"),
        ("localhost:8080", "http://localhost:8080/?x=1"),
        ("evil.example/x", "http://evil.example/x/"),
        ("a@evil.example", "http://a@evil.example/"),
    ] {
        let (status, html) = page(player, host, redirect).await;
        assert_eq!(status, 400, "{host} {redirect}: {html}");
        assert!(html.contains("not one it registered"), "{html}");
    }
    // Another app keeps its exact redirect URIs.
    let (status, _) = page(&other.client, "localhost:8080", "http://localhost:8080/").await;
    assert_eq!(status, 400);
}

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A browser as the sign-in form sees it.
#[derive(Default)]
struct Browser {
    /// `medley_browser=…`, once a sign-in gave it one.
    cookie: Option<String>,
    user_agent: Option<&'static str>,
}

impl Linking {
    fn authorize_query(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut q: Vec<(String, String)> = [
            ("client_id", self.client.as_str()),
            ("redirect_uri", self.redirect.as_str()),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("state", "st-123"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            q.retain(|(qk, _)| qk != k);
            if !v.is_empty() {
                q.push((k.to_string(), v.to_string()));
            }
        }
        q
    }

    async fn page(&self, extra: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
        let q = serde_urlencoded::to_string(self.authorize_query(extra)).unwrap();
        let (s, h, b) = self
            .app
            .get(&format!("/ap/oa?{q}"))
            .without("authorization")
            .without("x-api-key")
            .send_raw()
            .await;
        (s, h, String::from_utf8_lossy(&b).into_owned())
    }

    /// Opens the page, then sends its form back with these fields.
    async fn sign_in(
        &self,
        extra: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        self.sign_in_from(&Browser::default(), extra, fields).await
    }

    /// `sign_in` from a browser that has this cookie and User-Agent.
    async fn sign_in_from(
        &self,
        browser: &Browser,
        extra: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let (status, headers, html) = self.page(extra).await;
        assert_eq!(status, 200, "{html}");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        let mut cookie = cookie.split(';').next().unwrap().to_string();
        if let Some(c) = &browser.cookie {
            cookie = format!("{cookie}; {c}");
        }
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let mut pairs = self.authorize_query(extra);
        pairs.push(("csrf".into(), csrf));
        for (k, v) in fields {
            pairs.retain(|(pk, _)| pk != k);
            pairs.push((k.to_string(), v.to_string()));
        }
        let (s, h, b) = self
            .app
            .post("/ap/oa")
            .without("authorization")
            .without("x-api-key")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &cookie)
            .header("user-agent", browser.user_agent.unwrap_or("test"))
            .raw(&serde_urlencoded::to_string(pairs).unwrap())
            .send_raw()
            .await;
        (s, h, String::from_utf8_lossy(&b).into_owned())
    }

    /// Signs Ann in and allows: the redirect's query.
    async fn code(&self, extra: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        let (status, headers, body) = self
            .sign_in(
                extra,
                &[
                    ("login", "Ann Example"),
                    ("password", "correct horse"),
                    ("decision", "allow"),
                ],
            )
            .await;
        assert_eq!(status, 303, "{body}");
        let location = headers[header::LOCATION].to_str().unwrap();
        assert!(
            location.starts_with(&format!("{}?", self.redirect)),
            "{location}"
        );
        query(location)
    }

    async fn token(&self, basic: bool, pairs: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
        let mut pairs: Vec<(&str, &str)> = pairs.to_vec();
        let mut call = self
            .app
            .post("/auth/o2/token")
            .without("authorization")
            .without("x-api-key")
            .header("content-type", "application/x-www-form-urlencoded");
        if basic {
            let creds = format!("{}:{}", self.client, self.secret.as_deref().unwrap_or(""));
            let b = base64::engine::general_purpose::STANDARD.encode(creds);
            call = call.header("authorization", &format!("Basic {b}"));
        } else {
            pairs.push(("client_id", &self.client));
            if let Some(s) = &self.secret {
                pairs.push(("client_secret", s));
            }
        }
        let (status, headers, body) = call.raw(&form(&pairs)).send_raw().await;
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        (status, serde_json::from_slice(&body).unwrap())
    }

    async fn me(&self, access_token: &str) -> crate::common::Res {
        self.app
            .get("/v1/me")
            .token(access_token)
            .header("x-api-key", &self.client)
            .send()
            .await
    }
}

#[tokio::test]
async fn alexa_links_by_code_refreshes_and_is_unlinked() {
    let l = linking(true, ALEXA_REDIRECT).await;
    let (status, headers, html) = l.page(&[]).await;
    assert_eq!(status, 200);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        html.contains("Test &lt;Skill&gt;"),
        "the client's name, escaped"
    );
    assert!(html.contains("play music and control what plays"));
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/ap/oa"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "http public URL: {cookie}");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");

    let q = l.code(&[]).await;
    assert_eq!(q["state"], "st-123");
    assert_eq!(q["scope"], SCOPE);
    let code = q["code"].clone();

    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", ALEXA_REDIRECT),
    ];
    let (status, t) = l.token(true, &exchange).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    let access = t["access_token"].as_str().unwrap().to_string();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    assert!(access.starts_with("Atza|") && refresh.starts_with("Atzr|"));
    let me = l.me(&access).await;
    assert_eq!(me.expect(200).data()["user"]["id"], l.ann.as_str());
    // The x-api-key rule holds: the token is the client's.
    l.app
        .get("/v1/me")
        .token(&access)
        .send()
        .await
        .expect_error(401, "INVALID_API_KEY");
    // Only the scopes granted: no playlists of the library.
    l.app
        .get("/v1/me/playlists")
        .token(&access)
        .header("x-api-key", &l.client)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");

    // A code is used once.
    let (status, e) = l.token(true, &exchange).await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // A refresh, with the body's credentials this time.
    l.app.advance_secs(3601);
    l.me(&access)
        .await
        .expect_error(401, "INVALID_ACCESS_TOKEN");
    let (status, t2) = l
        .token(
            false,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(status, 200, "{t2}");
    let access2 = t2["access_token"].as_str().unwrap().to_string();
    assert_ne!(access2, access);
    assert_eq!(
        t2["refresh_token"],
        refresh.as_str(),
        "a confidential client keeps its own"
    );
    l.me(&access2).await.expect(200);

    // Unlinking ends the refresh token and its access tokens at once.
    assert_eq!(
        l.app
            .medley
            .accounts
            .unlink(&user_id(&l.ann), None)
            .await
            .unwrap(),
        1
    );
    l.me(&access2).await.expect_error(401, "INVALID_AUTH_TOKEN");
    let (status, e) = l
        .token(
            true,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn requests_that_cannot_be_trusted_never_redirect() {
    let l = linking(true, ALEXA_REDIRECT).await;
    for extra in [
        &[("client_id", "amzn1.application-oa2-client.nobody")][..],
        &[("redirect_uri", "https://evil.example/cb")][..],
        &[(
            "redirect_uri",
            "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA/x",
        )][..],
        &[("client_id", "")][..],
    ] {
        let (status, headers, html) = l.page(extra).await;
        assert_eq!(status, 400, "{extra:?}");
        assert!(headers.get(header::LOCATION).is_none(), "{extra:?}");
        assert!(html.contains("cannot sign you in"), "{html}");
    }
    // A client without redirect URIs is no OAuth client.
    let (plain, _) = l
        .app
        .medley
        .accounts
        .add_client(NewClient {
            name: "Plain".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let (status, _, _) = l.page(&[("client_id", &plain.api_key)]).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn refusals_go_back_to_the_client_with_the_oauth_error() {
    let l = linking(true, ALEXA_REDIRECT).await;
    let a43 = "a".repeat(43);
    for (extra, error) in [
        (&[("scope", "music::everything")][..], "invalid_scope"),
        (&[("scope", "")][..], "invalid_scope"),
        (
            &[("response_type", "token")][..],
            "unsupported_response_type",
        ),
        (
            &[
                ("code_challenge", "short"),
                ("code_challenge_method", "S256"),
            ][..],
            "invalid_request",
        ),
        (
            &[
                ("code_challenge", a43.as_str()),
                ("code_challenge_method", "S512"),
            ][..],
            "invalid_request",
        ),
    ] {
        let (status, headers, _) = l.page(extra).await;
        assert_eq!(status, 303, "{extra:?}");
        let q = query(headers[header::LOCATION].to_str().unwrap());
        assert_eq!(q["error"], error, "{extra:?}");
        assert_eq!(q["state"], "st-123");
    }
    // The user says no.
    let (status, headers, _) = l.sign_in(&[], &[("decision", "deny")]).await;
    assert_eq!(status, 303);
    let q = query(headers[header::LOCATION].to_str().unwrap());
    assert_eq!(q["error"], "access_denied");
    assert!(!q.contains_key("code"));
    // A wrong password: the page again, with the name kept and no code.
    let (status, headers, html) = l
        .sign_in(
            &[],
            &[
                ("login", "Ann Example"),
                ("password", "wrong horse"),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert!(headers.get(header::LOCATION).is_none());
    assert!(html.contains("do not match") && html.contains("value=\"Ann Example\""));
}

#[tokio::test]
async fn a_form_without_its_cookie_is_refused() {
    let l = linking(true, ALEXA_REDIRECT).await;
    let mut pairs = l.authorize_query(&[]);
    for (k, v) in [
        ("login", "Ann Example"),
        ("password", "correct horse"),
        ("decision", "allow"),
        ("csrf", "forged"),
    ] {
        pairs.push((k.into(), v.into()));
    }
    for cookie in [None, Some("medley_signin=other")] {
        let mut call = l
            .app
            .call(Method::POST, "/ap/oa")
            .without("authorization")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            call = call.header("cookie", c);
        }
        let (status, headers, _) = call
            .raw(&serde_urlencoded::to_string(&pairs).unwrap())
            .send_raw()
            .await;
        assert_eq!(status, 403, "{cookie:?}");
        assert!(headers.get(header::LOCATION).is_none());
    }
}

async fn exchange(l: &Linking, code: &str, verifier: &str) -> (StatusCode, serde_json::Value) {
    l.token(
        false,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "com.example.player:/oauth"),
            ("code_verifier", verifier),
        ],
    )
    .await
}

#[tokio::test]
async fn a_public_app_links_with_pkce_and_gets_a_refresh_token() {
    let l = linking(false, "com.example.player:/oauth").await;
    // Without PKCE a public client is refused.
    let (status, headers, _) = l.page(&[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        query(headers[header::LOCATION].to_str().unwrap())["error"],
        "invalid_request"
    );

    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let pkce = [
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ];
    // A wrong verifier spends the code.
    let code = l.code(&pkce).await["code"].clone();
    let (status, e) = exchange(&l, &code, &"x".repeat(43)).await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = exchange(&l, &code, verifier).await;
    assert_eq!(status, 400);

    let code = l.code(&pkce).await["code"].clone();
    let (status, t) = exchange(&l, &code, verifier).await;
    assert_eq!(status, 200, "{t}");
    assert!(
        t["refresh_token"].as_str().unwrap().starts_with("Atzr|"),
        "{t}"
    );
    l.me(t["access_token"].as_str().unwrap()).await.expect(200);
}

const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PKCE: [(&str, &str); 2] = [
    (
        "code_challenge",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    ),
    ("code_challenge_method", "S256"),
];

/// A public app's link from this browser: its access and refresh tokens.
async fn public_link(l: &Linking, browser: &Browser) -> (String, String) {
    let (status, headers, body) = l
        .sign_in_from(
            browser,
            &PKCE,
            &[
                ("login", "Ann Example"),
                ("password", "correct horse"),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let code = query(headers[header::LOCATION].to_str().unwrap())["code"].clone();
    let (status, t) = exchange(l, &code, PKCE_VERIFIER).await;
    assert_eq!(status, 200, "{t}");
    (
        t["access_token"].as_str().unwrap().into(),
        t["refresh_token"].as_str().unwrap().into(),
    )
}

async fn refresh(l: &Linking, token: &str) -> (StatusCode, serde_json::Value) {
    l.token(
        false,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

#[tokio::test]
async fn a_public_apps_refresh_token_turns_over_and_a_replaced_one_ends_the_link() {
    let l = linking(false, "com.example.player:/oauth").await;
    let (access1, r1) = public_link(&l, &Browser::default()).await;

    // Each refresh answers a new refresh token; the access token it brings works.
    l.app.advance_secs(3000);
    let (status, t) = refresh(&l, &r1).await;
    assert_eq!(status, 200, "{t}");
    let r2 = t["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r2, r1);
    l.me(t["access_token"].as_str().unwrap()).await.expect(200);
    l.me(&access1).await.expect(200);

    // The answer was lost: the same refresh, retried soon after, still works, once more.
    l.app.advance_secs(10);
    let (status, t) = refresh(&l, &r1).await;
    assert_eq!(status, 200, "{t}");
    let r3 = t["refresh_token"].as_str().unwrap().to_string();
    assert!(r3 != r1 && r3 != r2);
    let (status, t) = refresh(&l, &r3).await;
    assert_eq!(status, 200, "{t}");
    let r4 = t["refresh_token"].as_str().unwrap().to_string();
    let access4 = t["access_token"].as_str().unwrap().to_string();

    // Long after, a replaced token comes back: someone copied it. The link ends, every token
    // of it with it, the thief's and the app's.
    l.app.advance_secs(60);
    let (status, e) = refresh(&l, &r2).await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(
        e["error_description"]
            .as_str()
            .unwrap()
            .contains("sign in again"),
        "{e}"
    );
    let (status, _) = refresh(&l, &r4).await;
    assert_eq!(status, 400, "the current token ends with the link");
    l.me(&access4).await.expect_error(401, "INVALID_AUTH_TOKEN");
    assert!(l
        .app
        .medley
        .accounts
        .links(&ann_of(&l).await)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_thief_who_refreshes_first_is_found_out_when_the_app_refreshes() {
    let l = linking(false, "com.example.player:/oauth").await;
    let (_, r1) = public_link(&l, &Browser::default()).await;
    // The thief refreshes first and gets a good pair.
    let (status, t) = refresh(&l, &r1).await;
    assert_eq!(status, 200);
    let thiefs = t["access_token"].as_str().unwrap().to_string();
    l.me(&thiefs).await.expect(200);
    // The app comes back later with the token it holds: the link ends, the thief's token too.
    l.app.advance_secs(60);
    let (status, _) = refresh(&l, &r1).await;
    assert_eq!(status, 400);
    l.me(&thiefs).await.expect_error(401, "INVALID_AUTH_TOKEN");
}

#[tokio::test]
async fn two_refreshes_at_once_both_get_tokens_and_the_link_lives() {
    let l = linking(false, "com.example.player:/oauth").await;
    let (_, r1) = public_link(&l, &Browser::default()).await;
    let (a, b) = tokio::join!(refresh(&l, &r1), refresh(&l, &r1));
    assert_eq!((a.0.as_u16(), b.0.as_u16()), (200, 200), "{} {}", a.1, b.1);
    let (ra, rb) = (
        a.1["refresh_token"].as_str().unwrap(),
        b.1["refresh_token"].as_str().unwrap(),
    );
    assert_ne!(ra, rb);
    // One of the two is current; the newest wins and the link goes on.
    let current = [ra, rb]
        .into_iter()
        .filter(|r| *r != r1)
        .collect::<Vec<_>>();
    let mut live = 0;
    for r in current {
        if refresh(&l, r).await.0 == 200 {
            live += 1;
            break;
        }
    }
    assert_eq!(live, 1);
}

async fn ann_of(l: &Linking) -> medley_service::accounts::User {
    l.app.store.user(&user_id(&l.ann)).await.unwrap().unwrap()
}

#[tokio::test]
async fn signing_in_again_from_a_browser_replaces_its_link_and_names_it() {
    let l = linking(false, "com.example.player:/oauth").await;
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    // The first sign-in gives the browser its cookie: long-lived, for the sign-in page only.
    let (status, headers, _) = l
        .sign_in_from(
            &Browser {
                cookie: None,
                user_agent: Some(firefox),
            },
            &PKCE,
            &[
                ("login", "Ann Example"),
                ("password", "correct horse"),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let set = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("medley_browser="))
        .expect("a browser cookie");
    for part in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/ap/oa",
        "Max-Age=34560000",
    ] {
        assert!(set.contains(part), "{set}");
    }
    let code = query(headers[header::LOCATION].to_str().unwrap())["code"].clone();
    let (_, t) = exchange(&l, &code, PKCE_VERIFIER).await;
    let first = t["access_token"].as_str().unwrap().to_string();
    let laptop = Browser {
        cookie: Some(set.split(';').next().unwrap().to_string()),
        user_agent: Some(firefox),
    };

    // Signing in again from it: still one link, and the old one's tokens end.
    let (second, _) = public_link(&l, &laptop).await;
    let ann = ann_of(&l).await;
    let links = l.app.medley.accounts.links(&ann).await.unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].label.as_deref(), Some("Firefox on Linux"));
    l.me(&first).await.expect_error(401, "INVALID_AUTH_TOKEN");
    l.me(&second).await.expect(200);

    // Another browser adds its own link.
    let (_, phone_refresh) = public_link(
        &l,
        &Browser {
            cookie: None,
            user_agent: Some(phone),
        },
    )
    .await;
    let links = l.app.medley.accounts.links(&ann).await.unwrap();
    let mut labels: Vec<_> = links.iter().filter_map(|k| k.label.clone()).collect();
    labels.sort();
    assert_eq!(labels, ["Firefox on Linux", "Safari on iPhone"]);

    // Its user names it; a name that will not do is refused, another user's link is not theirs.
    let phone_link = links
        .iter()
        .find(|k| k.label.as_deref() == Some("Safari on iPhone"))
        .unwrap()
        .grant_id
        .clone();
    let accounts = &l.app.medley.accounts;
    assert!(accounts
        .label_link(&ann, &phone_link, "  Ann's phone ")
        .await
        .unwrap());
    assert!(accounts.label_link(&ann, &phone_link, " ").await.is_err());
    let bob = user(&l.app, "Bob").await;
    let bob = l.app.store.user(&user_id(&bob)).await.unwrap().unwrap();
    assert!(!accounts
        .label_link(&bob, &phone_link, "mine")
        .await
        .unwrap());
    let links = accounts.links(&ann).await.unwrap();
    assert!(links
        .iter()
        .any(|k| k.label.as_deref() == Some("Ann's phone")));

    // Signing out of the phone (RFC 7009 revocation) ends its link and only it.
    let (status, _, _) = l
        .post_form(
            "/auth/o2/revoke",
            None,
            &[("token", &phone_refresh), ("client_id", &l.client)],
        )
        .await;
    assert_eq!(status, 200);
    let links = accounts.links(&ann).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].label.as_deref(), Some("Firefox on Linux"));
    let (status, _) = refresh(&l, &phone_refresh).await;
    assert_eq!(status, 400);
    // An unknown token, or one revoked already, is answered the same.
    for token in [phone_refresh.as_str(), "Atzr|nothing"] {
        let (status, _, _) = l
            .post_form(
                "/auth/o2/revoke",
                None,
                &[("token", token), ("client_id", &l.client)],
            )
            .await;
        assert_eq!(status, 200);
    }
    // An access token signs out too.
    let (status, _, _) = l
        .post_form(
            "/auth/o2/revoke",
            None,
            &[("token", &second), ("client_id", &l.client)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(accounts.links(&ann).await.unwrap().is_empty());
    l.me(&second).await.expect_error(401, "INVALID_AUTH_TOKEN");
}

#[tokio::test]
async fn the_token_endpoint_answers_with_lwa_errors() {
    let l = linking(true, ALEXA_REDIRECT).await;
    let code = l.code(&[]).await["code"].clone();
    let good = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", ALEXA_REDIRECT),
    ];
    // Wrong secret, unknown client: 401 invalid_client.
    let mut wrong = Linking {
        secret: Some("guess".into()),
        ..linking(true, ALEXA_REDIRECT).await
    };
    wrong.client = l.client.clone();
    let (status, e) = wrong.token(true, &good).await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (401, Some("invalid_client"))
    );
    for (pairs, error) in [
        (&[("code", code.as_str())][..], "invalid_request"),
        (&[("grant_type", "password")][..], "unsupported_grant_type"),
        (
            &[("grant_type", "authorization_code")][..],
            "invalid_request",
        ),
        (
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://other/"),
            ][..],
            "invalid_grant",
        ),
        (
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", "Atzr|nope"),
            ][..],
            "invalid_grant",
        ),
    ] {
        let (status, e) = l.token(true, pairs).await;
        assert_eq!(
            (status.as_u16(), e["error"].as_str()),
            (400, Some(error)),
            "{pairs:?}"
        );
        assert!(!e["error_description"].as_str().unwrap().is_empty());
    }
    // The redirect mismatch spent the code; a fresh one expires after five minutes.
    let code = l.code(&[]).await["code"].clone();
    l.app.advance_secs(301);
    let (status, e) = l
        .token(
            true,
            &[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", ALEXA_REDIRECT),
            ],
        )
        .await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // Garbage is a clear error, never a 500.
    let (status, _, body) = l
        .app
        .post("/auth/o2/token")
        .without("authorization")
        .header("content-type", "application/x-www-form-urlencoded")
        .raw("grant_type=authorization_code&grant_type=refresh_token")
        .send_raw()
        .await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
}

impl Linking {
    async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let mut call = self
            .app
            .post(path)
            .without("authorization")
            .without("x-api-key")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            call = call.header("cookie", c);
        }
        let (s, h, b) = call.raw(&form(pairs)).send_raw().await;
        (s, h, String::from_utf8_lossy(&b).into_owned())
    }

    async fn poll(&self, device_code: &str) -> (StatusCode, serde_json::Value) {
        let (s, _, b) = self
            .post_form(
                "/auth/o2/token",
                None,
                &[("grant_type", "device_code"), ("device_code", device_code)],
            )
            .await;
        (s, serde_json::from_str(&b).unwrap())
    }
}

/// The CSRF cookie and token of a page.
fn csrf_of(headers: &HeaderMap, html: &str) -> (String, String) {
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    (
        cookie.split(';').next().unwrap().to_string(),
        token.to_string(),
    )
}

#[tokio::test]
async fn a_tv_links_by_code_while_it_polls() {
    let l = linking(false, "http://127.0.0.1:9/unused").await;
    // Asking for codes.
    let (status, _, body) = l
        .post_form(
            "/auth/o2/create/codepair",
            None,
            &[
                ("response_type", "device_code"),
                ("client_id", "amzn1.application-oa2-client.nobody"),
                ("scope", "music::playback"),
            ],
        )
        .await;
    assert_eq!(status, 401, "{body}");
    let (status, _, _) = l
        .post_form(
            "/auth/o2/create/codepair",
            None,
            &[("client_id", &l.client), ("scope", "music::playback")],
        )
        .await;
    assert_eq!(status, 400);
    let (status, _, body) = l
        .post_form(
            "/auth/o2/create/codepair",
            None,
            &[
                ("response_type", "device_code"),
                ("client_id", &l.client),
                ("scope", "music::playback music::profile"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let pair: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(pair["verification_uri"], "http://127.0.0.1:8080/code");
    assert_eq!(
        (pair["expires_in"].as_i64(), pair["interval"].as_i64()),
        (Some(600), Some(5))
    );
    let user_code = pair["user_code"].as_str().unwrap().to_string();
    let device_code = pair["device_code"].as_str().unwrap().to_string();
    assert_eq!(user_code.len(), 6);

    // The device polls: pending, then too fast.
    let (status, e) = l.poll(&device_code).await;
    assert_eq!(
        (status.as_u16(), e["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let (_, e) = l.poll(&device_code).await;
    assert_eq!(e["error"], "slow_down");
    l.app.advance_secs(5);

    // The user opens the page, enters the code as they read it, signs in and allows.
    let (status, headers, html) = {
        let (s, h, b) = l.app.get("/code").without("authorization").send_raw().await;
        (s, h, String::from_utf8_lossy(&b).into_owned())
    };
    assert_eq!(status, 200);
    let (cookie, csrf) = csrf_of(&headers, &html);
    let typed = format!("{}-{}", &user_code[..3], &user_code[3..]).to_lowercase();
    let (status, _, html) = l
        .post_form(
            "/code",
            Some(&cookie),
            &[("csrf", &csrf), ("user_code", "ZZZZZZ")],
        )
        .await;
    assert_eq!(status, 404, "{html}");
    let (status, headers, html) = l
        .post_form(
            "/code",
            Some(&cookie),
            &[("csrf", &csrf), ("user_code", &typed)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Test &lt;Skill&gt;") && html.contains("see and change your profile"),
        "{html}"
    );
    let (cookie, csrf) = csrf_of(&headers, &html);
    let (status, _, _) = l
        .post_form("/code", None, &[("csrf", &csrf), ("user_code", &typed)])
        .await;
    assert_eq!(status, 403, "no cookie, no link");
    let (status, _, html) = l
        .post_form(
            "/code",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("user_code", &typed),
                ("login", "Ann Example"),
                ("password", "correct horse"),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Device linked"), "{html}");

    // The next poll gets tokens, refresh token included; the code is spent.
    let (status, t) = l.poll(&device_code).await;
    assert_eq!(status, 200, "{t}");
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(
        l.me(access).await.expect(200).data()["user"]["id"],
        l.ann.as_str()
    );
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let (_, e) = l.poll(&device_code).await;
    assert_eq!(e["error"], "invalid_grant");
    let (status, t) = l
        .token(
            false,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(status, 200, "{t}");

    // A code nobody enters expires.
    let (_, _, body) = l
        .post_form(
            "/auth/o2/create/codepair",
            None,
            &[
                ("response_type", "device_code"),
                ("client_id", &l.client),
                ("scope", "music::playback"),
            ],
        )
        .await;
    let pair: serde_json::Value = serde_json::from_str(&body).unwrap();
    l.app.advance_secs(601);
    let (_, e) = l.poll(pair["device_code"].as_str().unwrap()).await;
    assert_eq!(e["error"], "expired_token");
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_for_a_while() {
    let l = linking(true, ALEXA_REDIRECT).await;
    let wrong = [
        ("login", "ann example"),
        ("password", "wrong horse"),
        ("decision", "allow"),
    ];
    for _ in 0..medley_service::accounts::lockout::PER_ACCOUNT {
        let (status, _, _) = l.sign_in(&[], &wrong).await;
        assert_eq!(status, 401);
    }
    // Now even the right password is refused, without being looked at.
    let right = [
        ("login", "Ann Example"),
        ("password", "correct horse"),
        ("decision", "allow"),
    ];
    let (status, headers, html) = l.sign_in(&[], &right).await;
    assert_eq!(status, 429, "{html}");
    assert_eq!(headers[header::RETRY_AFTER], "900");
    assert!(html.contains("Try again in 15 minute"), "{html}");
    assert!(headers.get(header::LOCATION).is_none());
    l.app.advance_secs(15 * 60);
    let (status, _, _) = l.sign_in(&[], &right).await;
    assert_eq!(status, 303);
}

impl Linking {
    /// GET with these cookies: status, headers, page.
    async fn get_page(&self, path: &str, cookies: &str) -> (StatusCode, HeaderMap, String) {
        let mut call = self
            .app
            .get(path)
            .without("authorization")
            .without("x-api-key");
        if !cookies.is_empty() {
            call = call.header("cookie", cookies);
        }
        let (s, h, b) = call.send_raw().await;
        (s, h, String::from_utf8_lossy(&b).into_owned())
    }

    /// Signs in to the account page: its session cookie.
    async fn account_session(&self, login: &str, password: &str) -> String {
        let (_, headers, html) = self.get_page("/account", "").await;
        let (csrf_cookie, csrf) = csrf_of(&headers, &html);
        let (status, headers, _) = self
            .post_form(
                "/account",
                Some(&csrf_cookie),
                &[("csrf", &csrf), ("login", login), ("password", password)],
            )
            .await;
        assert_eq!(status, 303);
        assert_eq!(headers[header::LOCATION], "/account");
        let set = headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        set.split(';').next().unwrap().to_string()
    }
}

#[tokio::test]
async fn a_user_sees_their_links_and_unlinks_one() {
    let l = linking(true, ALEXA_REDIRECT).await;
    let code = l.code(&[]).await["code"].clone();
    let (_, t) = l
        .token(
            true,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", ALEXA_REDIRECT),
            ],
        )
        .await;
    let access = t["access_token"].as_str().unwrap().to_string();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();

    // Someone else's session sees nothing of Ann's, and cannot unlink it.
    let bob = user(&l.app, "Bob").await;
    l.app
        .medley
        .accounts
        .set_password(&user_id(&bob), "bob's password")
        .await
        .unwrap();
    let bob_session = l.account_session("Bob", "bob's password").await;
    let (_, headers, html) = l.get_page("/account", &bob_session).await;
    assert!(html.contains("No app or device is linked"), "{html}");
    let grant = l.app.store.user_grants(&user_id(&l.ann)).await.unwrap()[0]
        .id
        .clone();
    let (csrf_cookie, csrf) = csrf_of(&headers, &html);
    let both = format!("{csrf_cookie}; {bob_session}");
    let (status, _, _) = l
        .post_form(
            "/account/unlink",
            Some(&both),
            &[("csrf", &csrf), ("grant", &grant)],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _, _) = l
        .post_form(
            "/account/rename",
            Some(&both),
            &[("csrf", &csrf), ("grant", &grant), ("label", "Bob's now")],
        )
        .await;
    assert_eq!(status, 303);
    l.me(&access).await.expect(200);

    // Ann sees the skill, names it, and unlinks it.
    let session = l.account_session("Ann Example", "correct horse").await;
    let (status, headers, html) = l.get_page("/account", &session).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Test &lt;Skill&gt;") && html.contains(&grant),
        "{html}"
    );
    let (csrf_cookie, csrf) = csrf_of(&headers, &html);
    let both = format!("{csrf_cookie}; {session}");
    for (label, status) in [("Kitchen <Echo>", 303), ("", 400), ("x\u{1}y", 400)] {
        let (got, _, html) = l
            .post_form(
                "/account/rename",
                Some(&both),
                &[("csrf", &csrf), ("grant", &grant), ("label", label)],
            )
            .await;
        assert_eq!(got, status, "{label:?}: {html}");
    }
    let (_, headers, html) = l.get_page("/account", &session).await;
    assert!(
        html.contains("Test &lt;Skill&gt;</strong>: Kitchen &lt;Echo&gt;")
            && html.contains("aria-label=\"Unlink Test &lt;Skill&gt; (Kitchen &lt;Echo&gt;)\""),
        "{html}"
    );
    let (csrf_cookie, csrf) = csrf_of(&headers, &html);
    let both = format!("{csrf_cookie}; {session}");
    let (status, _, _) = l
        .post_form(
            "/account/unlink",
            Some(&session),
            &[("csrf", &csrf), ("grant", &grant)],
        )
        .await;
    assert_eq!(status, 403, "no CSRF cookie, no unlink");
    let (status, _, _) = l
        .post_form(
            "/account/unlink",
            Some(&both),
            &[("csrf", &csrf), ("grant", &grant)],
        )
        .await;
    assert_eq!(status, 303);
    l.me(&access).await.expect_error(401, "INVALID_AUTH_TOKEN");
    let (_, e) = l
        .token(
            true,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
    assert_eq!(e["error"], "invalid_grant");
    let (_, headers, html) = l.get_page("/account", &session).await;
    assert!(html.contains("No app or device is linked"), "{html}");

    // Signing out ends the session.
    let (csrf_cookie, csrf) = csrf_of(&headers, &html);
    let (status, _, _) = l
        .post_form(
            "/account/sign-out",
            Some(&format!("{csrf_cookie}; {session}")),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, 303);
    let (_, _, html) = l.get_page("/account", &session).await;
    assert!(html.contains("Sign in to see"), "{html}");
}

#[tokio::test]
async fn another_process_revoking_a_token_is_honoured_within_a_second() {
    let app = TestApp::new().await;
    app.get("/v1/me").send().await.expect(200);
    // `medley token revoke` in another process changes the store, not this process's cache.
    let now = app.medley.now_ms();
    AccountStore::revoke_grants(&*app.store, &user_id(DEMO_USER), None, now)
        .await
        .unwrap();
    app.clock
        .advance_ms(medley_service::REVOCATION_CHECK_MS - 1);
    app.get("/v1/me").send().await.expect(200);
    app.clock.advance_ms(1);
    app.get("/v1/me")
        .send()
        .await
        .expect_error(401, "INVALID_AUTH_TOKEN");
    // Nothing revoked since: tokens are served from the cache again.
    let (_, other) = app
        .person("Other", Visibility::Public, Visibility::Public)
        .await;
    app.get("/v1/me").token(&other).send().await.expect(200);
    app.clock.advance_ms(medley_service::REVOCATION_CHECK_MS);
    app.get("/v1/me").token(&other).send().await.expect(200);
}

#[tokio::test]
async fn an_admin_runs_the_house_from_the_admin_page_and_no_one_else_does() {
    let l = linking(false, "com.example.player:/oauth").await;
    let accounts = &l.app.medley.accounts;
    let ann = user_id(&l.ann);

    // Ann is a member: the page is not hers, nor are its forms.
    let session = l.account_session("Ann Example", "correct horse").await;
    let (_, headers, html) = l.get_page("/account", &session).await;
    assert!(!html.contains("Run the house"), "{html}");
    let (csrf_cookie, csrf) = csrf_of(&headers, &html);
    let both = format!("{csrf_cookie}; {session}");
    let (status, _, _) = l.get_page("/account/admin", &session).await;
    assert_eq!(status, 403);
    let (status, _, _) = l
        .post_form(
            "/account/admin/users",
            Some(&both),
            &[
                ("csrf", &csrf),
                ("name", "Mallory"),
                ("password", "long enough"),
                ("tier", "UNLIMITED"),
                ("admin", "on"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    assert!(accounts.find_user("Mallory").await.is_err());
    // Nobody signed in is sent to sign in.
    let (status, headers, _) = l.get_page("/account/admin", "").await;
    assert_eq!(status, 303);
    assert_eq!(headers[header::LOCATION], "/account");

    // Made an admin, she finds the page from her account.
    accounts.set_admin(&ann, true).await.unwrap();
    let (_, _, html) = l.get_page("/account", &session).await;
    assert!(html.contains("href=\"/account/admin\""), "{html}");
    let (status, headers, html) = l.get_page("/account/admin", &session).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Ann Example</strong> (admin), UNLIMITED")
            && html.contains("No music folder"),
        "{html}"
    );
    let (csrf_cookie, csrf) = csrf_of(&headers, &html);
    let both = format!("{csrf_cookie}; {session}");
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let both = both.clone();
        let csrf = csrf.clone();
        let l = &l;
        async move {
            let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
            pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            let (status, headers, html) = l.post_form(path, Some(&both), &pairs).await;
            (status, headers, html)
        }
    };

    // She adds Cleo, who signs in with the password given.
    let (status, headers, _) = post(
        "/account/admin/users",
        vec![
            ("name", "Cleo".into()),
            ("password", "cleo's password".into()),
            ("tier", "FREE".into()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(headers[header::LOCATION], "/account/admin");
    let cleo = accounts.find_user("cleo").await.unwrap();
    assert_eq!((cleo.tier, cleo.admin), (Tier::Free, false));
    assert!(accounts
        .check_password("Cleo", "cleo's password")
        .await
        .unwrap()
        .is_some());
    // A name someone signs in with already, a short password, an unknown tier: refused, nothing
    // stored.
    for (name, password, tier) in [
        ("cleo", "another password", "FREE"),
        ("Dora", "short", "FREE"),
        ("Dora", "long enough", "GOLD"),
    ] {
        let (status, _, html) = post(
            "/account/admin/users",
            vec![
                ("name", name.into()),
                ("password", password.into()),
                ("tier", tier.into()),
            ],
        )
        .await;
        assert_eq!(status, 400, "{name} {password} {tier}: {html}");
    }
    let users = accounts.all_users().await.unwrap();
    assert!(!users.iter().any(|u| u.name == "Dora"), "{users:?}");
    assert_eq!(users.iter().filter(|u| u.name == "Cleo").count(), 1);

    // Her tier and password change.
    let (status, _, _) = post(
        "/account/admin/plan",
        vec![("user", cleo.id.to_string()), ("tier", "PRIME".into())],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(accounts.find_user("Cleo").await.unwrap().tier, Tier::Prime);
    let (status, _, _) = post(
        "/account/admin/password",
        vec![
            ("user", cleo.id.to_string()),
            ("password", "a brand new one".into()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(accounts
        .check_password("Cleo", "a brand new one")
        .await
        .unwrap()
        .is_some());
    let (status, _, _) = post(
        "/account/admin/password",
        vec![
            ("user", "ANOBODY".into()),
            ("password", "long enough".into()),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let (status, _, _) = post("/account/admin/rescan", vec![]).await;
    assert_eq!(status, 303);

    // A form without its CSRF token is refused even for her.
    let (status, _, _) = l
        .post_form(
            "/account/admin/plan",
            Some(&session),
            &[("user", cleo.id.as_str()), ("tier", "FREE")],
        )
        .await;
    assert_eq!(status, 403);
}
