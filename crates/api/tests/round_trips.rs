//! No request asks the store once per item: over a database server every store call is a round
//! trip, so the active sessions, a batch of events and a search each cost the same number of
//! calls (`SqliteStore::calls`) for one item as for many. The caches are off (a cache would
//! hide a call per item behind the first request).

/// A test app whose every read reaches the store.
async fn uncached() -> TestApp {
    TestApp::with_settings(Settings {
        cache_ttl_ms: 0,
        ..Settings::default()
    })
    .await
}

mod common;

use common::{start_event, stop_event, TestApp};
use medley_service::Settings;
use serde_json::{json, Value};

/// The store calls a request makes.
macro_rules! calls {
    ($app:expr, $call:expr) => {{
        let before = $app.store.calls();
        let res = $call.send().await;
        res.expect(200);
        $app.store.calls() - before
    }};
}

#[tokio::test]
async fn active_sessions_cost_the_same_for_one_device_as_for_eight() {
    let app = uncached().await;
    let mut costs = Vec::new();
    for devices in 1..=8 {
        // Each session on a device of its own.
        let created = app
            .post("/v1/playback/sessions")
            .header("x-amzn-device-id", &format!("device-{devices}"))
            .json(
                json!({"playParams": {"id": "mrn:1.0:catalog:album:asin:B084KYMDXT"}, "limit": 1}),
            )
            .send()
            .await;
        created.expect(200);
        costs.push(calls!(app, app.get("/v1/playback/sessions/active")));
    }
    eprintln!("active sessions, 1 to 8 devices: {costs:?} store calls");
    assert!(
        costs.windows(2).all(|w| w[0] == w[1]),
        "store calls by devices listed: {costs:?}"
    );
}

/// A batch of events: each of the first `entities` entities starts and finishes.
fn batch(entities: &[Value]) -> Value {
    let events: Vec<Value> = entities
        .iter()
        .flat_map(|e| [start_event(e), stop_event(e, "trackFinished", 1)])
        .collect();
    json!({ "events": events })
}

#[tokio::test]
async fn a_batch_of_events_costs_the_same_for_two_entities_as_for_five() {
    let app = uncached().await;
    let mut costs = Vec::new();
    // The first batch of the device takes its stream; the two measured ones each take it over
    // from the session before and move through several entries, so they differ only in how
    // many they report.
    for n in [2, 2, 5] {
        let res = app
            .album_session(&app.token, None, json!({"limit": 5}))
            .await;
        let entities: Vec<Value> = (0..n).map(|i| res.entity(i).clone()).collect();
        let before = app.store.calls();
        app.post("/v1/playback/events")
            .json(batch(&entities))
            .send()
            .await
            .expect(201);
        costs.push(app.store.calls() - before);
    }
    let costs = &costs[1..];
    eprintln!("a batch of 4 and of 10 events: {costs:?} store calls");
    assert_eq!(
        costs[0], costs[1],
        "store calls for 4 and 10 events: {costs:?}"
    );
}

#[tokio::test]
async fn a_search_costs_the_same_for_one_hit_of_each_kind_as_for_ten() {
    let app = uncached().await;
    let search = |limit: u32| app.get(&format!("/v1/search?query=the&limit={limit}"));
    // The first search of a process loads what every later one shares.
    search(1).send().await.expect(200);
    let one = calls!(app, search(1));
    let ten = calls!(app, search(10));
    eprintln!("a search across types, limit 1 and 10: {one} and {ten} store calls");
    assert_eq!(
        one, ten,
        "store calls for one hit of each kind ({one}) and for ten ({ten})"
    );
    let typed = |limit: u32| {
        app.post("/v1/search/tracks")
            .json(json!({"searchFilters": [{"query": "the"}], "limit": limit}))
    };
    let one = calls!(app, typed(1));
    let ten = calls!(app, typed(10));
    assert_eq!(one, ten, "a typed search: {one} and {ten} store calls");
}

#[tokio::test]
async fn the_recommenders_reads_do_not_grow_with_its_listeners() {
    let app = uncached().await;
    let related = || app.get("/v1/artists/B00G70DLAS/relatedArtists?limit=5");
    related().send().await.expect(200);
    let before = calls!(app, related());
    // Four other listeners play the artist's album through.
    for _ in 0..4 {
        let token = app.user(medley_core::policy::Tier::Unlimited, 1).await;
        let res = app.album_session(&token, None, json!({"limit": 5})).await;
        let entities: Vec<Value> = (0..5).map(|i| res.entity(i).clone()).collect();
        app.post("/v1/playback/events")
            .token(&token)
            .json(batch(&entities))
            .send()
            .await
            .expect(201);
    }
    let after = calls!(app, related());
    eprintln!("related artists with no listeners and with four: {before} and {after} store calls");
    assert_eq!(
        before, after,
        "the recommender's store calls grew with its listeners"
    );
}
