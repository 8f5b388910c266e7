//! A request costs the same whatever it plays: every playback request, on a 10-track album, a
//! 100,000-track catalog playlist, a 5,000-track artist and a 10,000-track user playlist, is
//! measured in the SQLite VM steps it runs (`SqliteStore::work`; on PostgreSQL, in its round
//! trips), which do not depend on the machine or on timing. A request whose work grows with
//! the size of its context fails here.

mod common;

use common::{start_event, stop_event, TestApp};
use medley_core::policy::Tier;
use medley_store::{PlaylistEdit, PlaylistRecord, Visibility};
use serde_json::{json, Value};

const BIG: usize = 100_000;
const ARTIST_TRACKS: usize = 5_000;
const USER_PLAYLIST: usize = 10_000;

/// The generated catalog, with one artist credited on its first `ARTIST_TRACKS` tracks.
fn catalog() -> Value {
    let mut c = medley_loadgen::catalog(BIG);
    c["artists"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "BIGARTIST", "name": "Prolific"}));
    for t in c["tracks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .take(ARTIST_TRACKS)
    {
        t["artistIds"] = json!(["BIGARTIST"]);
    }
    c
}

/// Sends a request, checks its status and records the work it cost.
macro_rules! measure {
    ($costs:ident, $app:ident, $name:expr, $call:expr, $status:expr) => {{
        let before = $app.store.work();
        let res = $call.send().await;
        res.expect($status);
        $costs.push(($name, $app.store.work() - before));
        res
    }};
}

/// The requests of a device's life on one context, each with the work it cost.
async fn device_loop(app: &TestApp, token: &str, play_params: Value) -> Vec<(&'static str, u64)> {
    let mut costs = Vec::new();
    let track =
        |id: &str| json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{id}")}});
    let create = |options: Value| {
        app.post("/v1/playback/sessions")
            .token(token)
            .json(json!({"playParams": play_params, "limit": 5, "playbackOptions": options}))
    };
    let created = measure!(
        costs,
        app,
        "create",
        create(json!({"playbackContinuationMode": "AUTOPLAY_OFF"})),
        200
    );
    let sid = created.session_id();
    let get = |path: &str| {
        app.get(&format!("/v1/playback/sessions/{sid}{path}"))
            .token(token)
    };
    let post = |path: &str| {
        app.post(&format!("/v1/playback/sessions/{sid}{path}"))
            .token(token)
    };
    let put = |path: &str| {
        app.put(&format!("/v1/playback/sessions/{sid}{path}"))
            .token(token)
    };
    let event = |body: Value| app.post("/v1/playback/event").token(token).json(body);

    measure!(
        costs,
        app,
        "event start",
        event(start_event(created.entity(0))),
        201
    );
    measure!(costs, app, "current", get("/current"), 200);
    let next = measure!(costs, app, "next", get("/next?limit=5"), 200);
    measure!(
        costs,
        app,
        "event stop",
        event(stop_event(created.entity(0), "userNext", 10)),
        201
    );
    measure!(
        costs,
        app,
        "event start (next)",
        event(start_event(next.entity(0))),
        201
    );
    measure!(costs, app, "previous", get("/previous?limit=5"), 200);
    measure!(costs, app, "queue", get("/queue?limit=10"), 200);
    let entity = created.entity(2)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    measure!(
        costs,
        app,
        "restore",
        get(&format!("/entities/{entity}?limit=5")),
        200
    );
    measure!(
        costs,
        app,
        "queue next",
        post("/queue/next").json(track("BTR00099990")),
        201
    );
    measure!(
        costs,
        app,
        "queue last",
        post("/queue/last").json(track("BTR00099991")),
        201
    );
    measure!(
        costs,
        app,
        "shuffle on",
        put("/shuffle").json(json!({"shuffleMode": "SHUFFLE_ON"})),
        200
    );
    measure!(
        costs,
        app,
        "shuffle off",
        put("/shuffle").json(json!({"shuffleMode": "SHUFFLE_OFF"})),
        200
    );
    measure!(
        costs,
        app,
        "loop",
        put("/loop").json(json!({"loopMode": "LOOP_ALL"})),
        200
    );
    measure!(costs, app, "next (looped)", get("/next?limit=5"), 200);
    measure!(
        costs,
        app,
        "create shuffled",
        create(json!({"shuffleMode": "SHUFFLE_ON"})),
        200
    );
    costs
}

#[tokio::test]
async fn playback_requests_cost_the_same_on_any_context() {
    let app = TestApp::new().await;
    app.medley
        .library
        .import_catalog_json(&catalog().to_string())
        .await
        .unwrap();
    let mine = PlaylistRecord {
        id: medley_core::ids::PlaylistId::stored("USERPL10K"),
        title: "Ten thousand".into(),
        track_count: 0,
        duration: 0,
        owner_id: Some(medley_core::ids::UserId::stored("another-user")),
        description: String::new(),
        visibility: Visibility::Public,
        created_ms: 0,
        updated_ms: 0,
        version: 0,
    };
    app.store.create_playlist(&mine).await.unwrap();
    let entries = (0..USER_PLAYLIST)
        .map(|i| (format!("E{i}"), format!("BTR{:08}", (i * 7) % BIG)))
        .collect();
    app.store
        .edit_playlist(
            &medley_core::ids::PlaylistId::stored("USERPL10K"),
            &PlaylistEdit::Append(entries),
            0,
        )
        .await
        .unwrap();

    let contexts = [
        (
            "10-track album",
            json!({"containerIds": ["mrn:1.0:catalog:album:asin:BAL0000001"]}),
        ),
        (
            "100,000-track playlist",
            json!({"containerIds": ["mrn:1.0:catalog:playlist:asin:BENCHPL100K"],
            "id": "mrn:1.0:catalog:track:asin:BTR00050000"}),
        ),
        (
            "5,000-track artist",
            json!({"containerIds": ["mrn:1.0:catalog:artist:asin:BIGARTIST"]}),
        ),
        (
            "10,000-track user playlist",
            json!({"id": "mrn:1.0:catalog:playlist:asin:USERPL10K"}),
        ),
    ];
    let mut table = Vec::new();
    for (name, params) in contexts {
        let token = app.user(Tier::Unlimited, 1).await;
        table.push((name, device_loop(&app, &token, params).await));
    }
    let (_, small) = &table[0];
    let unit = if app.store.is_postgres() {
        "round trips"
    } else {
        "VM steps"
    };
    let mut report = format!("{unit:<20}");
    for (name, _) in &table {
        report += &format!("{name:>28}");
    }
    for (i, (op, _)) in small.iter().enumerate() {
        report += &format!("\n{op:<20}");
        for (_, costs) in &table {
            report += &format!("{:>28}", costs[i].1);
        }
    }
    eprintln!("{report}");
    for (name, costs) in &table[1..] {
        for ((op, base), (_, cost)) in small.iter().zip(costs) {
            // Room for a few rows more (ids differ, a shuffle spreads differently), never for
            // a walk over the context.
            assert!(
                *cost <= base * 3 / 2 + 400,
                "{op} on the {name} costs {cost} {unit}, on the 10-track album {base}\n{report}"
            );
        }
    }
}

#[tokio::test]
async fn a_page_of_the_catalog_by_name_costs_the_same_however_deep() {
    let app = TestApp::new().await;
    app.medley
        .library
        .import_catalog_json(&catalog().to_string())
        .await
        .unwrap();
    // 10,000 albums and 1,000 artists: the first page, then the pages 20 deep.
    for (path, key) in [
        ("/v1/catalog/albums", "albums"),
        ("/v1/catalog/artists", "artists"),
    ] {
        let mut costs = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..20 {
            let url = match &cursor {
                None => format!("{path}?limit=20"),
                Some(c) => format!("{path}?limit=20&cursor={c}"),
            };
            let res = measure!(costs, app, "page", app.get(&url), 200);
            let page = &res.data()[key];
            assert_eq!(page["edges"].as_array().unwrap().len(), 20);
            cursor = page["pageInfo"]["token"].as_str().map(String::from);
            assert!(cursor.is_some(), "{page}");
        }
        let (first, deep) = (costs[0].1, costs[19].1);
        assert!(
            deep <= first * 3 / 2 + 400,
            "{path}: the 20th page costs {deep} VM steps, the first {first}"
        );
    }
}
