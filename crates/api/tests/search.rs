//! Search through the router over the demo catalog plus 4,000 generated tracks: a relevance
//! table (query → expected top results), fields, orders, paging, bounds and the search across
//! types.

mod common;

use common::{start_event, TestApp};
use serde_json::{json, Value};

const GENERATED: usize = 4000;

async fn app() -> (TestApp, Value) {
    let app = TestApp::new().await;
    let generated = medley_loadgen::catalog(GENERATED);
    app.medley
        .library
        .import_catalog_json(&generated.to_string())
        .await
        .unwrap();
    app.medley.library
        .import_catalog_json(
            &json!({
                "artists": [{"id": "NDLAR01", "name": "Beyoncé"}],
                "albums": [{"id": "NDLAL01", "title": "I Am... Sasha Fierce", "artistIds": ["NDLAR01"],
                            "trackIds": ["NDLTR01"], "releaseDate": "2008-11-12"}],
                "tracks": [{"id": "NDLTR01", "title": "Halo", "duration": 261, "albumId": "NDLAL01",
                            "artistIds": ["NDLAR01"], "isrc": "USSM10804554"}],
            })
            .to_string(),
        )
        .await
        .unwrap();
    (app, generated)
}

async fn search(app: &TestApp, kind: &str, body: Value) -> Value {
    let r = app
        .post(&format!("/v1/search/{kind}"))
        .json(body.clone())
        .send()
        .await;
    assert_eq!(r.status, 200, "{kind} {body}: {}", r.body);
    r.body["data"].clone()
}

fn hit_ids(data: &Value) -> Vec<String> {
    let list = data.as_object().unwrap().values().next().unwrap();
    list["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn q(query: &str) -> Value {
    json!({"searchFilters": [{"query": query}]})
}

#[tokio::test]
async fn relevance_table() {
    let (app, generated) = app().await;
    // A generated track found by its title and artist among thousands of similar names.
    let t = &generated["tracks"][1234];
    let artist = generated["artists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == t["artistIds"][0])
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let generated_query = format!("{} {artist}", t["title"].as_str().unwrap());
    let generated_id = t["id"].as_str().unwrap();

    let table: Vec<(&str, Value, &str, usize)> = vec![
        // (type, body, expected id, must be within the first n)
        ("artists", q("strok"), "B00G70DLAS", 1),
        ("artists", q("The Strokes"), "B00G70DLAS", 1),
        ("tracks", q("strokes adults"), "B084KVZP2G", 1),
        ("tracks", q("adults strokes"), "B084KVZP2G", 1),
        ("artists", q("BEYONCE"), "NDLAR01", 1),
        ("tracks", q("beyoncé halo"), "NDLTR01", 1),
        ("albums", q("sasha fierce"), "NDLAL01", 1),
        ("artists", q("stroeks"), "B00G70DLAS", 1),
        ("albums", q("interstelar"), "B08KBXTZ7X", 1),
        ("artists", q("zimmr hans"), "B000QJK5EQ", 1),
        ("tracks", q("USRC11902726"), "B084KVZP2G", 1),
        ("tracks", q("ussm10804554"), "NDLTR01", 1),
        ("tracks", q("B084KPC3Q7"), "B084KPC3Q7", 1),
        ("playlists", q("classic rock"), "B01LS62KK2", 1),
        (
            "podcastShows",
            q("disgrace"),
            "8bfa8155-888b-4553-acd3-8f22d43b4c9e",
            1,
        ),
        ("tracks", q(&generated_query), generated_id, 3),
        (
            "tracks",
            json!({"searchFilters": [{"field": "name", "query": "adults"}, {"field": "artistName", "query": "strokes"}]}),
            "B084KVZP2G",
            1,
        ),
    ];
    for (kind, body, expected, within) in table {
        let ids = hit_ids(&search(&app, kind, body.clone()).await);
        let at = ids.iter().position(|i| i == expected);
        assert!(
            at.is_some_and(|p| p < within),
            "{kind} {body}: expected {expected} in the first {within}, got {:?}",
            &ids[..ids.len().min(5)]
        );
    }
}

#[tokio::test]
async fn fields_narrow_exactly() {
    let (app, _) = app().await;
    let exact =
        |field: &str, query: &str| json!({"searchFilters": [{"field": field, "query": query}]});
    assert_eq!(
        hit_ids(&search(&app, "tracks", exact("isrc", "usrc11902726")).await),
        ["B084KVZP2G"]
    );
    let mut killers = hit_ids(&search(&app, "tracks", exact("artistName", "killers")).await);
    killers.sort();
    assert_eq!(killers.len(), 3, "{killers:?}");
    let soundtrack = hit_ids(&search(&app, "tracks", exact("categoryId", "Soundtrack")).await);
    assert_eq!(soundtrack.len(), 6);
    assert_eq!(
        hit_ids(&search(&app, "albums", exact("artistId", "B00G70DLAS")).await),
        ["B084KYMDXT"]
    );
    let on_album = hit_ids(&search(&app, "tracks", exact("albumId", "B084KYMDXT")).await);
    assert_eq!(on_album.len(), 9);
    assert_eq!(
        hit_ids(&search(&app, "artists", exact("id", "B00G70DLAS")).await),
        ["B00G70DLAS"]
    );
    // Fields a type does not have match nothing of it.
    assert!(hit_ids(&search(&app, "playlists", exact("isrc", "USRC11902726")).await).is_empty());
    // Text and exact filters together.
    let both = json!({"searchFilters": [{"field": "albumId", "query": "B084KYMDXT"}, {"query": "talking"}]});
    assert_eq!(hit_ids(&search(&app, "tracks", both).await), ["B084KVZP2G"]);
    let nothing = hit_ids(&search(&app, "tracks", q("qwertyuiopasdf")).await);
    assert!(nothing.is_empty(), "{nothing:?}");
}

#[tokio::test]
async fn orders_and_pages() {
    let (app, _) = app().await;
    // Popularity from real listening: play one Strokes track twice, another once.
    let s = app
        .album_session(&app.token, None, json!({"limit": 3}))
        .await;
    for i in [1, 1, 0] {
        app.post("/v1/playback/event")
            .json(start_event(s.entity(i)))
            .send()
            .await
            .expect(201);
    }
    let by = |sort: &str| json!({"searchFilters": [{"field": "artistName", "query": "strokes"}], "sortBy": sort});
    let popular = hit_ids(&search(&app, "tracks", by("popularity")).await);
    assert_eq!(&popular[..2], ["B084KPC3Q7", "B084KVZP2G"]);
    let data = search(&app, "tracks", by("name")).await;
    let titles: Vec<String> = data["searchTracks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
    let data = search(
        &app,
        "albums",
        json!({"searchFilters": [{"query": "midnight"}], "sortBy": "release"}),
    )
    .await;
    let dates: Vec<String> = data["searchAlbums"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["releaseDate"].as_str().unwrap().to_string())
        .collect();
    assert!(dates.len() > 5);
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );

    // Paging with the token gives the same results as one big page, each once.
    let whole = hit_ids(
        &search(
            &app,
            "tracks",
            json!({"searchFilters": [{"query": "midnight"}], "limit": 100}),
        )
        .await,
    );
    assert!(whole.len() > 20);
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    while paged.len() < whole.len() {
        let mut body = json!({"searchFilters": [{"query": "midnight"}], "limit": 7});
        if let Some(t) = &token {
            body["token"] = json!(t);
        }
        let data = search(&app, "tracks", body).await;
        paged.extend(hit_ids(&data));
        token = data["searchTracks"]["pageInfo"]["token"]
            .as_str()
            .map(String::from);
        assert_eq!(
            data["searchTracks"]["pageInfo"]["hasNextPage"],
            token.is_some()
        );
        if token.is_none() {
            break;
        }
    }
    assert_eq!(paged[..whole.len()], whole[..]);
}

#[tokio::test]
async fn bad_searches_are_clear_400s() {
    let (app, _) = app().await;
    for body in [
        json!({}),
        json!({"searchFilters": []}),
        json!({"searchFilters": [{"query": ""}]}),
        json!({"searchFilters": [{"query": "   "}]}),
        json!({"searchFilters": [{"field": "mood", "query": "happy"}]}),
        json!({"searchFilters": [{"query": 5}]}),
        json!({"searchFilters": [{"query": "rock"}], "limit": 0}),
        json!({"searchFilters": [{"query": "rock"}], "limit": 101}),
        json!({"searchFilters": [{"query": "rock"}], "token": "next please"}),
        json!({"searchFilters": [{"query": "rock"}], "sortBy": "mood"}),
    ] {
        app.post("/v1/search/tracks")
            .json(body.clone())
            .send()
            .await
            .expect_error(400, "BAD_REQUEST");
    }
    for path in [
        "/v1/search",
        "/v1/search?query=",
        "/v1/search?query=rock&limit=51",
    ] {
        app.get(path).send().await.expect_error(400, "BAD_REQUEST");
    }
    let user = app.get("/v1/me").send().await.data()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.scoped_token(&user, &["music::playback"]).await;
    app.post("/v1/search/tracks")
        .token(&token)
        .json(q("rock"))
        .send()
        .await
        .expect_error(403, "ACCESS_DENIED");
}

#[tokio::test]
async fn searching_every_type_puts_top_hits_first() {
    let (app, _) = app().await;
    let r = app.get("/v1/search?query=strokes&limit=5").send().await;
    r.expect(200);
    let view = &r.body["data"][0];
    assert_eq!(view["_type"], "View");
    assert_eq!(view["id"], "catalog");
    let groups = view["content"]["entityGroups"].as_array().unwrap();
    assert_eq!(groups[0]["id"], "topHits");
    assert_eq!(groups[0]["title"], "Top hits");
    let top = &groups[0]["entities"][0];
    assert_eq!(
        (top["_type"].as_str(), top["id"].as_str()),
        (Some("Artist"), Some("B00G70DLAS"))
    );
    let ids: Vec<&str> = groups.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["topHits", "tracks", "albums", "artists"]);
    assert_eq!(groups[1]["entities"].as_array().unwrap().len(), 5);
    assert!(groups[1]["entities"][0]["mrn"]
        .as_str()
        .unwrap()
        .starts_with("mrn:1.0:catalog:track:"));
}
