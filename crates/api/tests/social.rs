//! Follows, followers and the library (User V1): idempotent follow/unfollow, lists newest
//! first with cursors, filters, scopes and privacy.

mod common;

use common::TestApp;
use medley_store::Visibility;
use proptest::prelude::*;
use serde_json::{json, Value};

#[tokio::test]
async fn follow_and_unfollow_every_kind_idempotently() {
    let app = TestApp::new().await;
    let (ada, _) = app
        .person("Ada", Visibility::Public, Visibility::Public)
        .await;
    for (path, key, id) in [
        ("/v1/me/followed/artists", "followedArtists", "B00G70DLAS"),
        (
            "/v1/me/followed/playlists",
            "followedPlaylists",
            "B01LS62KK2",
        ),
        (
            "/v1/me/followed/podcasts/shows",
            "followedPodcastShows",
            "8bfa8155-888b-4553-acd3-8f22d43b4c9e",
        ),
        ("/v1/me/followed/users", "followedUsers", ada.as_str()),
        ("/v1/me/library/tracks", "libraryTracks", "B084KVZP2G"),
    ] {
        for _ in 0..2 {
            app.put(&format!("{path}/{id}")).send().await.expect(200);
        }
        let list = app.get(path).send().await;
        assert_eq!(list.expect(200).node_ids(key), [id], "{path}");
        app.put(&format!("{path}/NOPE404"))
            .send()
            .await
            .expect_error(404, "RESOURCE_NOT_FOUND");
        for _ in 0..2 {
            app.call(axum::http::Method::DELETE, &format!("{path}/{id}"))
                .send()
                .await
                .expect(200);
        }
        assert!(
            app.get(path).send().await.node_ids(key).is_empty(),
            "{path}"
        );
    }
    let r = app.put("/v1/me/followed/artists/B00G70DLAS").send().await;
    assert_eq!(
        r.data()["followArtist"],
        json!({"artist": {"id": "B00G70DLAS", "name": "The Strokes",
        "url": "http://127.0.0.1:8080/v1/artists/B00G70DLAS"}, "followState": "FOLLOW"})
    );
    let r = app
        .call(
            axum::http::Method::DELETE,
            &format!("/v1/me/followed/users/{ada}"),
        )
        .send()
        .await;
    assert_eq!(r.data()["unfollowUser"]["followState"], "UNFOLLOW");
    let r = app.put("/v1/me/library/tracks/B0BS2S4WXN").send().await;
    assert_eq!(r.data()["libraryTrack"]["inLibrary"], true);
    // Following oneself is a well-formed request for an act nobody may take.
    for method in [axum::http::Method::PUT, axum::http::Method::DELETE] {
        app.call(
            method,
            &format!("/v1/me/followed/users/{}", medley_service::demo::DEMO_USER),
        )
        .send()
        .await
        .expect_error(403, "ACTION_NOT_ALLOWED");
    }
}

#[tokio::test]
async fn library_like_status_and_filters() {
    let app = TestApp::new().await;
    for t in ["B084KVZP2G", "B0BS2S4WXN", "B08KC1C6BF"] {
        app.advance_secs(1);
        app.put(&format!("/v1/me/library/tracks/{t}"))
            .send()
            .await
            .expect(200);
    }
    let all = app.get("/v1/me/library/tracks").send().await;
    assert_eq!(
        all.node_ids("libraryTracks"),
        ["B08KC1C6BF", "B0BS2S4WXN", "B084KVZP2G"]
    );
    assert_eq!(
        all.data()["user"]["libraryTracks"]["edges"][0]["uploaded"],
        false
    );
    let status = app
        .get("/v1/me/library/tracks?trackIds=B0BS2S4WXN,DEMOTR0401")
        .send()
        .await;
    assert_eq!(status.node_ids("libraryTracks"), ["B0BS2S4WXN"]);
    for a in ["B00G70DLAS", "B000QJK5EQ"] {
        app.advance_secs(1);
        app.put(&format!("/v1/me/followed/artists/{a}"))
            .send()
            .await
            .expect(200);
    }
    let only = app
        .get("/v1/me/followed/artists?artistIds=B00G70DLAS")
        .send()
        .await;
    assert_eq!(only.node_ids("followedArtists"), ["B00G70DLAS"]);
    // A filter naming only what cannot be an id matches nothing; a blank one filters nothing.
    let none = app
        .get("/v1/me/followed/artists?artistIds=no%20such,x/y")
        .send()
        .await;
    assert!(none.node_ids("followedArtists").is_empty());
    let blank = app.get("/v1/me/followed/artists?artistIds=").send().await;
    assert_eq!(blank.node_ids("followedArtists").len(), 2);
    app.put("/v1/me/followed/artists/no%20such")
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    for bad in ["limit=0", "limit=101", "cursor=zzz", "cursor=1"] {
        app.get(&format!("/v1/me/library/tracks?{bad}"))
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
        app.get(&format!("/v1/me/followers?{bad}"))
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
}

#[tokio::test]
async fn followers_and_other_users_lists_follow_privacy_and_scopes() {
    let app = TestApp::new().await;
    let (ada, ada_token) = app
        .person("Ada", Visibility::Public, Visibility::Public)
        .await;
    let (hedy, hedy_token) = app
        .person("Hedy", Visibility::Private, Visibility::Public)
        .await;
    app.put(&format!("/v1/me/followed/users/{ada}"))
        .token(&hedy_token)
        .send()
        .await
        .expect(200);
    app.advance_secs(1);
    app.put(&format!("/v1/me/followed/users/{ada}"))
        .send()
        .await
        .expect(200);
    app.put("/v1/me/followed/podcasts/shows/8bfa8155-888b-4553-acd3-8f22d43b4c9e")
        .token(&ada_token)
        .send()
        .await
        .expect(200);
    // Ada's followers, newest first; Hedy's private profile keeps her name hidden.
    let f = app.get("/v1/me/followers").token(&ada_token).send().await;
    assert_eq!(
        f.node_ids("followers"),
        [medley_service::demo::DEMO_USER.to_string(), hedy.clone()]
    );
    assert_eq!(
        f.data()["user"]["followers"]["edges"][1]["node"]["name"],
        Value::Null
    );
    let f = app
        .get(&format!("/v1/users/{ada}/followers?limit=1"))
        .send()
        .await;
    assert_eq!(
        f.expect(200).data()["user"]["followers"]["pageInfo"]["hasNextPage"],
        true
    );
    let next = f.data()["user"]["followers"]["pageInfo"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let f2 = app
        .get(&format!("/v1/users/{ada}/followers?limit=1&cursor={next}"))
        .send()
        .await;
    assert_eq!(f2.node_ids("followers"), std::slice::from_ref(&hedy));
    for path in [
        format!("/v1/users/{hedy}/followed"),
        format!("/v1/users/{hedy}/followed/users"),
    ] {
        app.get(&path)
            .send()
            .await
            .expect_error(404, "RESOURCE_NOT_FOUND");
        assert_eq!(
            app.get(&path)
                .token(&hedy_token)
                .send()
                .await
                .node_ids("followedUsers"),
            std::slice::from_ref(&ada)
        );
    }
    let shows = app
        .get(&format!("/v1/users/{ada}/followed/podcasts/shows"))
        .send()
        .await;
    assert_eq!(
        shows.expect(200).data()["user"]["followedPodcastShows"]["edges"][0]["node"]["title"],
        "DISGRACELAND"
    );
    app.get(&format!("/v1/users/{ada}/followed/podcasts/shows?limit=37"))
        .send()
        .await
        .expect_error(400, "BAD_REQUEST");
    app.get(&format!("/v1/users/{ada}/followed/podcasts/shows?limit=36"))
        .send()
        .await
        .expect(200);
    app.get(&format!("/v1/users/{ada}/followed/artists"))
        .send()
        .await
        .expect(200);
    app.put("/v1/me/followed/playlists/B01LS62KK2")
        .token(&ada_token)
        .send()
        .await
        .expect(200);
    let pl = app
        .get(&format!(
            "/v1/users/{ada}/followed/playlists?playlistIds=B01LS62KK2"
        ))
        .send()
        .await;
    assert_eq!(pl.node_ids("followedPlaylists"), ["B01LS62KK2"]);
    app.get(&format!("/v1/users/{hedy}/followed/playlists"))
        .send()
        .await
        .expect_error(404, "RESOURCE_NOT_FOUND");
    // Scopes: reading needs favorites(:read) for oneself and catalog for others; writing needs favorites.
    let read_only = app.scoped_token(&ada, &["music::favorites:read"]).await;
    app.get("/v1/me/followers")
        .token(&read_only)
        .send()
        .await
        .expect(200);
    app.put("/v1/me/followed/artists/B00G70DLAS")
        .token(&read_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.get(&format!("/v1/users/{ada}/followers"))
        .token(&read_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
    app.get("/v1/me/library/tracks")
        .token(&read_only)
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Paging through followed artists in any page size returns each once, newest first,
    /// also when new follows arrive mid-walk.
    #[test]
    fn paging_follows_returns_each_once(page in 1u32..5, insert_at in 0usize..3) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let app = TestApp::new().await;
            let artists = ["B00G70DLAS", "DEMOAR0002", "B000QJK5EQ", "DEMOAR0004", "DEMOAR0005", "DEMOAR0006"];
            for a in &artists[..5] {
                app.advance_secs(1);
                app.put(&format!("/v1/me/followed/artists/{a}")).send().await.expect(200);
            }
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            for round in 0.. {
                if round == insert_at {
                    app.advance_secs(1);
                    app.put(&format!("/v1/me/followed/artists/{}", artists[5])).send().await.expect(200);
                }
                let mut path = format!("/v1/me/followed/artists?limit={page}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let r = app.get(&path).send().await;
                seen.extend(r.node_ids("followedArtists"));
                let info = &r.data()["user"]["followedArtists"]["pageInfo"];
                if info["hasNextPage"] != true {
                    break;
                }
                cursor = Some(info["token"].as_str().unwrap().to_string());
            }
            let mut expected: Vec<String> = artists[..5].iter().rev().map(|s| s.to_string()).collect();
            if insert_at == 0 {
                expected.insert(0, artists[5].to_string());
            }
            assert_eq!(seen, expected);
        });
    }
}

#[tokio::test]
async fn every_list_endpoint_bounds_its_limit() {
    let app = TestApp::new().await;
    let me = medley_service::demo::DEMO_USER;
    let lists: Vec<(String, u32)> = vec![
        ("/player/recentlyPlayed".into(), 60),
        ("/v1/player/recentlyPlayed".into(), 60),
        ("/v1/me/recentlyPlayedEntities".into(), 100),
        (format!("/v1/users/{me}/recentlyPlayedEntities"), 100),
        ("/v1/me/library/tracks".into(), 100),
        ("/v1/me/followers".into(), 100),
        ("/v1/me/followed/users".into(), 100),
        ("/v1/me/followed/artists".into(), 100),
        ("/v1/me/followed/playlists".into(), 100),
        ("/v1/me/followed/podcasts/shows".into(), 100),
        (format!("/v1/users/{me}/followers"), 100),
        (format!("/v1/users/{me}/followed"), 100),
        (format!("/v1/users/{me}/followed/users"), 100),
        (format!("/v1/users/{me}/followed/artists"), 100),
        (format!("/v1/users/{me}/followed/playlists"), 100),
        (format!("/v1/users/{me}/followed/podcasts/shows"), 36),
    ];
    for (path, max) in lists {
        app.get(&path).send().await.expect(200);
        app.get(&format!("{path}?limit={max}"))
            .send()
            .await
            .expect(200);
        for bad in [
            "0".to_string(),
            (max + 1).to_string(),
            "-1".into(),
            "ten".into(),
        ] {
            let r = app.get(&format!("{path}?limit={bad}")).send().await;
            r.expect_error(400, "BAD_REQUEST");
            assert!(
                r.body["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("between 1 and {max}")),
                "{path}"
            );
        }
        app.get(&format!("{path}?cursor=garbage"))
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
}
