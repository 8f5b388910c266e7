//! `POST /alexa` with directives shaped like Amazon's (Alexa.Media.PlayQueue): GetItem, GetView, SetLoop,
//! SetShuffle, and their errors; one queue steered from both surfaces.

mod common;

use common::alexa::{
    audio, bare, directive, error_type, next_item, reference, send, start, track_of,
};
use common::{Res, TestApp, SPEC_ALBUM};
use serde_json::{json, Value};

const ALBUM: &str = "mrn:1.0:catalog:album:asin:B084KYMDXT";

async fn session(app: &TestApp) -> (Res, String, String) {
    let res = app
        .album_session(&app.token, None, json!({"limit": 3}))
        .await;
    let sid = res.session_id();
    let first = res.entity(0)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    (res, sid, first)
}

#[tokio::test]
async fn get_item_and_get_view_answer_as_the_spec_shows() {
    let app = TestApp::new().await;
    let (res, sid, first) = session(&app).await;
    let second = res.entity(1)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = send(
        &app,
        directive(
            "GetItem",
            &app.token,
            json!({"targetItemReference": reference(&sid, &second)}),
        ),
    )
    .await;
    assert_eq!(r["header"]["namespace"], "Alexa.Audio.PlayQueue");
    assert_eq!(r["header"]["name"], "GetItem.Response");
    assert_eq!(r["header"]["payloadVersion"], "1.0");
    let item = &r["payload"]["item"];
    assert_eq!(item["id"], second.as_str());
    assert_eq!(item["metadata"]["type"], "TRACK");
    assert_eq!(item["metadata"]["name"]["speech"]["text"], "Selfless");
    assert_eq!(
        item["metadata"]["art"]["sources"].as_array().unwrap().len(),
        5
    );
    assert_eq!(item["durationInMilliseconds"], 222_000);
    assert_eq!(
        item["controls"][0],
        json!({"type": "COMMAND", "name": "NEXT", "enabled": true})
    );
    assert_eq!(
        item["controls"][2],
        json!({"type": "ADJUST", "name": "SEEK_POSITION", "enabled": true}),
        "seeking is declared, or the Alexa app disables it"
    );
    let until = item["stream"]["validUntil"].as_str().unwrap();
    assert!(
        until.starts_with("2027-01-15T14:") && until.ends_with('Z'),
        "{until}: 6 hours after the test clock (a room move re-fetches the URI mid-track)"
    );
    assert!(item["stream"]["uri"]
        .as_str()
        .unwrap()
        .contains("/media/tracks/B084KPC3Q7"));

    let v = send(
        &app,
        directive(
            "GetView",
            &app.token,
            json!({"currentItemReference": reference(&sid, &first)}),
        ),
    )
    .await;
    assert_eq!(v["header"]["name"], "GetView.Response");
    let items = v["payload"]["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        9,
        "the whole album: at most ten, the current one first"
    );
    assert_eq!(items[0]["id"], first.as_str());
    assert_eq!(
        items[8]["controls"][0]["enabled"], false,
        "nothing after the last track"
    );
    assert_eq!(
        v["payload"]["queueControls"],
        json!([
            {"type": "TOGGLE", "name": "SHUFFLE", "enabled": true, "selected": false},
            {"type": "TOGGLE", "name": "LOOP", "enabled": true, "selected": false},
            {"type": "CYCLE", "name": "REPEAT", "enabled": true, "value": {"status": "OFF"}},
        ])
    );
}

#[tokio::test]
async fn one_queue_two_surfaces() {
    let app = TestApp::new().await;
    let (_, sid, first) = session(&app).await;
    // Voice steers, the Web API sees it.
    for (name, field) in [("SetShuffle", "shuffleMode"), ("SetLoop", "loopMode")] {
        let r = send(
            &app,
            directive(
                name,
                &app.token,
                json!({"currentItemReference": reference(&sid, &first), "enable": true}),
            ),
        )
        .await;
        assert_eq!(
            (
                r["header"]["namespace"].as_str(),
                r["header"]["name"].as_str()
            ),
            (Some("Alexa"), Some("Response"))
        );
        assert_eq!(r["payload"], json!({}));
        let cur = app
            .get(&format!("/v1/playback/sessions/{sid}/current"))
            .send()
            .await;
        assert_ne!(
            cur.data()["metadata"][field],
            if field == "shuffleMode" {
                "SHUFFLE_OFF"
            } else {
                "LOOP_OFF"
            }
        );
    }
    let cur = app
        .get(&format!("/v1/playback/sessions/{sid}/current"))
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["loopMode"], "LOOP_ALL");
    // The Web API steers, voice sees it.
    let queued = app
        .post(&format!("/v1/playback/sessions/{sid}/queue/next"))
        .json(json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN"}}))
        .send()
        .await;
    let queued_id = queued.data()["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    let v = send(
        &app,
        directive(
            "GetView",
            &app.token,
            json!({"currentItemReference": reference(&sid, &first)}),
        ),
    )
    .await;
    assert_eq!(v["payload"]["items"][1]["id"], queued_id.as_str());
    assert_eq!(
        v["payload"]["items"][1]["metadata"]["name"]["display"],
        "Flowers"
    );
    assert_eq!(v["payload"]["queueControls"][0]["selected"], true);
    send(
        &app,
        directive(
            "SetShuffle",
            &app.token,
            json!({"currentItemReference": reference(&sid, &first), "enable": false}),
        ),
    )
    .await;
    let cur = app
        .get(&format!("/v1/playback/sessions/{sid}/current"))
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["shuffleMode"], "SHUFFLE_OFF");
}

#[tokio::test]
async fn errors_are_alexa_events_never_http_errors() {
    let app = TestApp::new().await;
    let (_, sid, first) = session(&app).await;
    let here = json!({"currentItemReference": reference(&sid, &first)});
    // Tokens.
    let r = send(&app, directive("GetView", "Atza|nope", here.clone())).await;
    assert_eq!(
        error_type(&r),
        ("ErrorResponse", "INVALID_AUTHORIZATION_CREDENTIAL")
    );
    assert_eq!(r["header"]["namespace"], "Alexa");
    let mut no_token = directive("GetView", "", here.clone());
    no_token["payload"]["requestContext"]["user"]
        .as_object_mut()
        .unwrap()
        .remove("accessToken");
    assert_eq!(
        error_type(&send(&app, no_token).await).1,
        "INVALID_AUTHORIZATION_CREDENTIAL"
    );
    app.advance_secs(31 * 24 * 3600);
    let r = send(&app, directive("GetView", &app.token, here.clone())).await;
    assert_eq!(error_type(&r).1, "EXPIRED_AUTHORIZATION_CREDENTIAL");
    let app = TestApp::new().await;
    let (_, sid, first) = session(&app).await;
    // Unknown namespaces and names, missing fields, garbage.
    let mut unknown = directive("GetView", &app.token, json!({}));
    unknown["header"]["namespace"] = json!("Alexa.Media.Telepathy");
    assert_eq!(
        error_type(&send(&app, unknown).await).1,
        "INVALID_DIRECTIVE"
    );
    assert_eq!(
        error_type(&send(&app, directive("Rewind", &app.token, json!({}))).await).1,
        "INVALID_DIRECTIVE"
    );
    assert_eq!(
        error_type(&send(&app, directive("GetView", &app.token, json!({}))).await).1,
        "INVALID_DIRECTIVE"
    );
    let no_enable = directive(
        "SetLoop",
        &app.token,
        json!({"currentItemReference": reference(&sid, &first)}),
    );
    assert_eq!(
        error_type(&send(&app, no_enable).await).1,
        "INVALID_DIRECTIVE"
    );
    // A field of the wrong type is refused by name; an id that is no id of Medley's, whatever
    // its type, is an item Medley does not have.
    let wordy = directive(
        "SetShuffle",
        &app.token,
        json!({"currentItemReference": reference(&sid, &first), "enable": "yes"}),
    );
    let r = send(&app, wordy).await;
    assert_eq!(error_type(&r).1, "INVALID_DIRECTIVE");
    let told = r["payload"]["message"].as_str().unwrap();
    assert!(told.starts_with("payload.enable: invalid type"), "{told}");
    for queue in [json!(42), json!("not-a-queue"), json!(null)] {
        let d = directive(
            "GetView",
            &app.token,
            json!({"currentItemReference": {"value": {"queueId": queue, "id": first}}}),
        );
        let r = send(&app, d).await;
        assert_eq!(error_type(&r).1, "ITEM_NOT_FOUND", "queueId {queue}: {r}");
    }
    // A body that is no directive is malformed: HTTP 400 with Alexa's error shape.
    let malformed = |why: &str, r: &common::Res| {
        assert_eq!(r.status, 400, "{why}: {}", r.body);
        assert_eq!(r.body["header"]["namespace"], "Alexa", "{why}");
        assert_eq!(r.body["header"]["payloadVersion"], "3.0", "{why}");
        assert_eq!(
            error_type(&r.body),
            ("ErrorResponse", "INVALID_DIRECTIVE"),
            "{why}"
        );
    };
    let r = app.post("/alexa").raw("{not json").send().await;
    malformed("not JSON", &r);
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = app.post("/alexa").raw(&huge).send().await;
    malformed("too large", &r);
    let whole = directive("GetView", &app.token, here.clone());
    let without = |pointer: &str| {
        let mut d = whole.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let parent = if parent.is_empty() {
            &mut d
        } else {
            d.pointer_mut(parent).unwrap()
        };
        parent.as_object_mut().unwrap().remove(key);
        d
    };
    for (why, body) in [
        ("an array", json!([whole.clone()])),
        ("no header", without("/header")),
        ("no namespace", without("/header/namespace")),
        ("no name", without("/header/name")),
        ("no messageId", without("/header/messageId")),
        ("no payloadVersion", without("/header/payloadVersion")),
        ("no payload", without("/payload")),
        ("a payload that is no object", {
            let mut d = whole.clone();
            d["payload"] = json!("x");
            d
        }),
    ] {
        let r = app.post("/alexa").json(body).send().await;
        malformed(why, &r);
    }
    // A directive Medley does not know is INVALID_DIRECTIVE, token or not.
    let mut unknown = without("/payload/requestContext/user/accessToken");
    unknown["header"]["name"] = json!("Teleport");
    assert_eq!(
        error_type(&send(&app, unknown).await),
        ("ErrorResponse", "INVALID_DIRECTIVE")
    );
    // One it knows needs the user's token, whatever is wrong with the rest.
    for token in [None, Some(json!(null)), Some(json!("")), Some(json!(5))] {
        let mut d = without("/payload/requestContext/user/accessToken");
        d["payload"]["currentItemReference"] = json!("junk");
        if let Some(t) = token.clone() {
            d["payload"]["requestContext"]["user"]["accessToken"] = t;
        }
        let r = send(&app, d).await;
        assert_eq!(
            error_type(&r),
            ("ErrorResponse", "INVALID_AUTHORIZATION_CREDENTIAL"),
            "{token:?}"
        );
        assert_eq!(r["header"]["namespace"], "Alexa");
    }
    // Items that are not in the queue, and other users' queues.
    let stranger = uuid::Uuid::new_v4().to_string();
    let r = send(
        &app,
        directive(
            "GetItem",
            &app.token,
            json!({"targetItemReference": reference(&sid, &stranger)}),
        ),
    )
    .await;
    assert_eq!(r["header"]["namespace"], "Alexa.Media");
    assert_eq!(error_type(&r), ("ErrorResponse", "ITEM_NOT_FOUND"));
    let other = app.user(medley_core::policy::Tier::Unlimited, 1).await;
    let r = send(
        &app,
        directive(
            "GetView",
            &other,
            json!({"currentItemReference": reference(&sid, &first)}),
        ),
    )
    .await;
    assert_eq!(error_type(&r).1, "ITEM_NOT_FOUND");
    let r = send(
        &app,
        directive(
            "GetItem",
            &app.token,
            json!({"targetItemReference": reference("not-a-uuid", &first)}),
        ),
    )
    .await;
    assert_eq!(error_type(&r).1, "ITEM_NOT_FOUND");
    // A tier without loop: the directive is refused, the queue unchanged.
    let prime = app.user(medley_core::policy::Tier::Prime, 1).await;
    let p = app.album_session(&prime, None, json!({})).await;
    let (psid, pfirst) = (
        p.session_id(),
        p.entity(0)["entityReferenceId"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let r = send(
        &app,
        directive(
            "SetLoop",
            &prime,
            json!({"currentItemReference": reference(&psid, &pfirst), "enable": true}),
        ),
    )
    .await;
    assert_eq!(error_type(&r).1, "INVALID_DIRECTIVE");
}

#[tokio::test]
async fn next_previous_and_jump_move_the_shared_queue_and_feed_history() {
    let app = TestApp::new().await;
    let (res, sid, first) = session(&app).await;
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &app.token,
            json!({"currentItemReference": bare(&sid, &first), "isUserInitiated": false}),
        ),
    )
    .await;
    assert_eq!(n["header"]["name"], "GetNextItem.Response");
    assert_eq!(n["payload"]["isQueueFinished"], false);
    let second = n["payload"]["item"]["id"].as_str().unwrap().to_string();
    assert_eq!(second, res.entity(1)["entityReferenceId"].as_str().unwrap());
    // The Web API sees where voice took the queue, and the play is in the history.
    let cur = app
        .get(&format!("/v1/playback/sessions/{sid}/current"))
        .send()
        .await;
    assert_eq!(cur.entity(0)["entityReferenceId"], second.as_str());
    let played = app.get("/player/recentlyPlayed").send().await;
    assert_eq!(
        played.data()["user"]["recentTrackPlayback"]["edges"][0]["node"]["id"],
        "B084KPC3Q7"
    );
    // Back through history, then jump.
    let prev = send(
        &app,
        audio(
            "GetPreviousItem",
            &app.token,
            json!({"currentItemReference": bare(&sid, &second)}),
        ),
    )
    .await;
    assert_eq!(prev["header"]["name"], "GetPreviousItem.Response");
    assert_eq!(prev["payload"]["item"]["id"], first.as_str());
    let target = res.entity(2)["entityReferenceId"].as_str().unwrap();
    let j = send(
        &app,
        audio(
            "JumpToItem",
            &app.token,
            json!({"targetItemReference": bare(&sid, target)}),
        ),
    )
    .await;
    assert_eq!(j["payload"]["item"]["id"], target);
    assert_eq!(
        j["payload"]["item"]["metadata"]["name"]["display"],
        "Brooklyn Bridge To Chorus"
    );
    let cur = app
        .get(&format!("/v1/playback/sessions/{sid}/current"))
        .send()
        .await;
    assert_eq!(cur.entity(0)["entityReferenceId"], target);
    // The other shape in circulation: `targetItemId` beside the current item's reference.
    let j = send(
        &app,
        audio(
            "JumpToItem",
            &app.token,
            json!({"currentItemReference": bare(&sid, target), "targetItemId": first}),
        ),
    )
    .await;
    assert_eq!(j["header"]["name"], "JumpToItem.Response", "{j}");
    assert_eq!(j["payload"]["item"]["id"], first.as_str());
    // A target outside the queue is an item Medley does not have, in either shape.
    let stranger = uuid::Uuid::new_v4().to_string();
    for payload in [
        json!({"targetItemReference": bare(&sid, &stranger)}),
        json!({"currentItemReference": bare(&sid, &first), "targetItemId": stranger}),
        json!({"currentItemReference": bare(&sid, &first), "targetItemId": "2"}),
        json!({"currentItemReference": bare(&sid, &first), "targetItemId": 2}),
    ] {
        let j = send(&app, audio("JumpToItem", &app.token, payload.clone())).await;
        assert_eq!(
            error_type(&j),
            ("ErrorResponse", "ITEM_NOT_FOUND"),
            "{payload}: {j}"
        );
        assert_eq!(j["header"]["namespace"], "Alexa.Media");
    }
    let j = send(&app, audio("JumpToItem", &app.token, json!({}))).await;
    assert_eq!(error_type(&j).1, "INVALID_DIRECTIVE", "no target at all");
}

#[tokio::test]
async fn a_queue_that_expired_is_an_item_alexa_cannot_have() {
    let app = TestApp::new().await;
    let (user, token) = app
        .person(
            "Sleeper",
            medley_store::Visibility::Public,
            medley_store::Visibility::Public,
        )
        .await;
    let (queue, first, _) = start(&app, &token, ALBUM, json!({})).await;
    app.advance_secs(31 * 24 * 3600);
    let token = app
        .medley
        .accounts
        .issue_token(&common::user_id(&user), &app.api_key, None, 3600)
        .await
        .unwrap();
    let r = next_item(&app, &token, &queue, &first, false).await;
    assert_eq!(error_type(&r), ("ErrorResponse", "ITEM_NOT_FOUND"), "{r}");
    assert!(r["payload"].get("item").is_none());
}

#[tokio::test]
async fn feedback_is_answered_on_the_namespace_it_came_on() {
    let app = TestApp::new().await;
    let (_, sid, first) = session(&app).await;
    for namespace in ["Alexa.UserPreference", "Alexa.UserPreference.Audio"] {
        let mut d = common::alexa::directive_in(
            namespace,
            "ReceiveFeedback",
            &app.token,
            json!({"currentItemReference": reference(&sid, &first),
                   "feedback": {"type": "PREFERENCE", "value": "POSITIVE"}}),
        );
        d["header"]["payloadVersion"] = json!("2.0");
        let r = send(&app, d).await;
        assert_eq!(r["header"]["name"], "ReceiveFeedback.Response", "{r}");
        assert_eq!(r["header"]["namespace"], namespace);
        assert_eq!(r["header"]["payloadVersion"], "2.0");
    }
}

#[tokio::test]
async fn the_queue_finishes_and_user_skips_count_on_limited_tiers() {
    let app = TestApp::new().await;
    let single = app
        .post("/v1/playback/sessions")
        .json(
            json!({"playParams": {"id": "mrn:1.0:catalog:track:asin:B0BS2S4WXN"},
                     "playbackOptions": {"playbackContinuationMode": "AUTOPLAY_OFF"}}),
        )
        .send()
        .await;
    let (sid, only) = (
        single.session_id(),
        single.entity(0)["entityReferenceId"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &app.token,
            json!({"currentItemReference": bare(&sid, &only), "isUserInitiated": false}),
        ),
    )
    .await;
    assert_eq!(n["payload"]["isQueueFinished"], true);
    assert!(n["payload"].get("item").is_none());
    // Free tier: six user-initiated skips an hour; automatic advances never count.
    let free = app.user(medley_core::policy::Tier::Free, 1).await;
    let s = app
        .album_session(
            &free,
            None,
            json!({"playbackOptions": {"playbackContinuationMode": "AUTOPLAY_ON"}}),
        )
        .await;
    let sid = s.session_id();
    let mut current = s.entity(0)["entityReferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..8 {
        let user = i % 2 == 0 || i >= 6;
        let n = send(
            &app,
            audio(
                "GetNextItem",
                &free,
                json!({"currentItemReference": bare(&sid, &current), "isUserInitiated": user}),
            ),
        )
        .await;
        assert_eq!(n["header"]["name"], "GetNextItem.Response", "step {i}: {n}");
        current = n["payload"]["item"]["id"].as_str().unwrap().to_string();
    }
    let remaining = app
        .get(&format!("/v1/playback/sessions/{sid}/current"))
        .token(&free)
        .send()
        .await;
    assert_eq!(
        remaining.entity(0)["actions"]["next"]["remainingSkips"],
        1,
        "five user skips so far"
    );
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &free,
            json!({"currentItemReference": bare(&sid, &current), "isUserInitiated": true}),
        ),
    )
    .await;
    current = n["payload"]["item"]["id"].as_str().unwrap().to_string();
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &free,
            json!({"currentItemReference": bare(&sid, &current), "isUserInitiated": true}),
        ),
    )
    .await;
    assert_eq!(error_type(&n), ("ErrorResponse", "SKIP_LIMIT_REACHED"));
    assert_eq!(n["header"]["namespace"], "Alexa.Audio");
    assert_eq!(n["payload"]["retryPeriod"], "HOURLY");
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &free,
            json!({"currentItemReference": bare(&sid, &current), "isUserInitiated": false}),
        ),
    )
    .await;
    assert_eq!(
        n["payload"]["isQueueFinished"], false,
        "automatic advances go on"
    );
    let p = send(
        &app,
        audio(
            "GetPreviousItem",
            &free,
            json!({"currentItemReference": bare(&sid, &current)}),
        ),
    )
    .await;
    assert_eq!(
        error_type(&p).1,
        "INVALID_DIRECTIVE",
        "no previous on this tier"
    );
}

#[tokio::test]
async fn the_endpoint_root_is_a_page_for_the_alexa_app() {
    let app = TestApp::new().await;
    let (status, headers, body) = app.get("/alexa").without("authorization").send_raw().await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8_lossy(&body).contains("Alexa music skill"));
}

/// Lets `queue` play on from `item` as a speaker does (GetNextItem at each track's end) for at
/// most `max` more tracks: the tracks it played, the last item's id, and whether it finished.
async fn play_on(
    app: &TestApp,
    queue: &str,
    item: &str,
    max: usize,
) -> (Vec<String>, String, bool) {
    let (mut played, mut current) = (Vec::new(), item.to_string());
    for _ in 0..max {
        app.advance_secs(10);
        let r = next_item(app, &app.token, queue, &current, false).await;
        assert_eq!(r["header"]["name"], "GetNextItem.Response", "{r}");
        if r["payload"]["isQueueFinished"] == true {
            assert!(r["payload"].get("item").is_none(), "{r}");
            return (played, current, true);
        }
        current = r["payload"]["item"]["id"].as_str().unwrap().to_string();
        played.push(track_of(&r["payload"]["item"]));
    }
    (played, current, false)
}

fn set(name: &str, token: &str, queue: &str, item: &str, mut payload: Value) -> Value {
    payload["currentItemReference"] = reference(queue, item);
    directive(name, token, payload)
}

#[tokio::test]
async fn a_voice_queue_ends_where_the_alexa_document_says() {
    let app = TestApp::new().await;
    let t = &app.token.clone();
    // An album with loop off: its tracks in order, then the queue is finished, and the Web API
    // agrees that nothing follows.
    let (queue, first, r) = start(&app, t, ALBUM, json!({})).await;
    assert_eq!(
        track_of(&r["payload"]["playbackMethod"]["firstItem"]),
        SPEC_ALBUM[0]
    );
    let (played, last, finished) = play_on(&app, &queue, &first, 20).await;
    assert_eq!(played, SPEC_ALBUM[1..]);
    assert!(finished, "the album ends after its last track");
    let next = app
        .get(&format!("/v1/playback/sessions/{queue}/next"))
        .send()
        .await;
    assert_eq!(next.data()["entities"], json!([]));
    assert_eq!(next.data()["pageInfo"]["hasNextPage"], false);
    // Loop on at the last track: the first track comes next.
    let r = send(
        &app,
        set("SetLoop", t, &queue, &last, json!({"enable": true})),
    )
    .await;
    assert_eq!(r["header"]["name"], "Response", "{r}");
    let r = next_item(&app, t, &queue, &last, false).await;
    assert_eq!(r["payload"]["isQueueFinished"], false);
    assert_eq!(track_of(&r["payload"]["item"]), SPEC_ALBUM[0]);

    // With loop on, the track before the first is the last.
    let (queue, first, _) = start(&app, t, ALBUM, json!({})).await;
    let previous = json!({"currentItemReference": bare(&queue, &first)});
    let r = send(&app, audio("GetPreviousItem", t, previous.clone())).await;
    assert_eq!(
        error_type(&r).1,
        "ITEM_NOT_FOUND",
        "loop off: nothing before"
    );
    send(
        &app,
        set("SetLoop", t, &queue, &first, json!({"enable": true})),
    )
    .await;
    let r = send(&app, audio("GetPreviousItem", t, previous)).await;
    assert_eq!(track_of(&r["payload"]["item"]), SPEC_ALBUM[8], "{r}");

    // A playlist, an artist and the user's own music end too.
    for content in [
        "mrn:1.0:catalog:playlist:asin:B01LS62KK2",
        "mrn:1.0:catalog:artist:asin:B00G70DLAS",
        "mine:recent",
    ] {
        let (queue, first, _) = start(&app, t, content, json!({})).await;
        let (played, _, finished) = play_on(&app, &queue, &first, 400).await;
        assert!(finished, "{content} ends after {} tracks", played.len() + 1);
    }
    // A station goes on.
    let station = "mrn:1.0:catalog:station:asin:B00G70DLAS";
    let (queue, first, _) = start(&app, t, station, json!({})).await;
    let (played, _, finished) = play_on(&app, &queue, &first, 30).await;
    assert!(!finished);
    assert_eq!(played.len(), 30);
}

#[tokio::test]
async fn loop_and_repeat_asked_together_at_initiate_are_both_honoured() {
    let app = TestApp::new().await;
    let t = &app.token.clone();
    let track = "mrn:1.0:catalog:track:asin:DEMOTR0109";
    // Repeat as Alexa sends it (an object) beside loop: the last track of the album repeats by
    // itself, and a skip past it wraps to the first.
    let modes = json!({"shuffle": false, "loop": true, "repeat": {"status": "ON"}});
    let (queue, first, r) = start(&app, t, ALBUM, modes).await;
    let controls = &r["payload"]["playbackMethod"]["controls"];
    assert!(controls
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "LOOP" && c["selected"] == true));
    assert!(controls
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "REPEAT" && c["value"]["status"] == "ON"));
    let r = next_item(&app, t, &queue, &first, false).await;
    assert_eq!(track_of(&r["payload"]["item"]), SPEC_ALBUM[0], "repeat");
    let r = next_item(&app, t, &queue, &first, true).await;
    assert_eq!(
        track_of(&r["payload"]["item"]),
        SPEC_ALBUM[1],
        "a skip moves on"
    );
    // From the album's last track, in a fresh queue started at it.
    let modes = json!({"loop": true, "repeat": true});
    let (queue, last, r) = start(&app, t, track, modes).await;
    assert_eq!(
        track_of(&r["payload"]["playbackMethod"]["firstItem"]),
        "DEMOTR0109"
    );
    let r = next_item(&app, t, &queue, &last, true).await;
    assert_eq!(
        track_of(&r["payload"]["item"]),
        "DEMOTR0109",
        "a lone track loops on itself"
    );
    let (queue, last, _) = start(&app, t, track, json!({"repeat": true})).await;
    let r = next_item(&app, t, &queue, &last, true).await;
    assert_eq!(r["payload"]["isQueueFinished"], true, "repeat alone: {r}");
    // Prime has neither: the music plays, the modes stay off.
    let prime = app.user(medley_core::policy::Tier::Prime, 1).await;
    let (_, _, r) = start(
        &app,
        &prime,
        ALBUM,
        json!({"loop": true, "repeat": {"status": "ON"}}),
    )
    .await;
    for c in r["payload"]["playbackMethod"]["controls"]
        .as_array()
        .unwrap()
    {
        if c["name"] == "LOOP" || c["name"] == "REPEAT" {
            assert_eq!(c["enabled"], false, "{c}");
        }
    }
}
