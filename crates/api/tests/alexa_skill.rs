//! The Music Skill API around the play queue: GetPlayableContent, Initiate (and the stream
//! limit), SetRepeat and ReceiveFeedback, with directives shaped like Amazon's; and a queue
//! started by voice, steered and read on the Web API.

mod common;

use common::alexa::{
    attr, audio, bare, directive, directive_in, error_type, initiate, reference, search, send,
    start, track_of,
};
use common::{start_event, TestApp};
use medley_core::policy::Tier;
use medley_store::Visibility;
use serde_json::{json, Value};

fn feedback(token: &str, queue: &str, item: &str, value: &str) -> Value {
    let mut d = directive_in(
        "Alexa.UserPreference",
        "ReceiveFeedback",
        token,
        json!({"currentItemReference": reference(queue, item),
               "feedback": {"type": "PREFERENCE", "value": value}}),
    );
    d["header"]["payloadVersion"] = json!("2.0");
    d
}

const ALBUM: &str = "mrn:1.0:catalog:album:asin:B084KYMDXT";

/// A start event for `entity` that takes the stream from whatever plays (FORCE).
async fn force_start(app: &TestApp, token: &str, entity: &Value) {
    let mut ev = start_event(entity);
    ev["options"] = json!({"takeOverType": "FORCE"});
    app.post("/v1/playback/event")
        .token(token)
        .json(ev)
        .send()
        .await
        .expect(201);
}

#[tokio::test]
async fn get_playable_content_resolves_every_entity_type() {
    let app = TestApp::new().await;
    let t = &app.token;
    let cases = [
        (
            vec![attr("TRACK", "B084KPC3Q7")],
            "mrn:1.0:catalog:track:asin:B084KPC3Q7",
            "TRACK",
            "Selfless",
        ),
        (
            vec![attr("ALBUM", "B084KYMDXT")],
            ALBUM,
            "ALBUM",
            "The New Abnormal [Explicit]",
        ),
        (
            vec![attr("ARTIST", "B000QJK5EQ")],
            "mrn:1.0:catalog:artist:asin:B000QJK5EQ",
            "ARTIST",
            "Hans Zimmer",
        ),
        (
            vec![attr("PLAYLIST", "B01LS62KK2")],
            "mrn:1.0:catalog:playlist:asin:B01LS62KK2",
            "PLAYLIST",
            "CLASSIC ROCK HITS",
        ),
        (
            vec![attr("GENRE", "Soundtrack")],
            "genre:Soundtrack",
            "GENRE",
            "Soundtrack",
        ),
        (
            vec![attr("STATION", "B00G70DLAS")],
            "mrn:1.0:catalog:station:asin:B00G70DLAS",
            "STATION",
            "The Strokes",
        ),
        // "Play Strokes radio": an artist with MEDIA_TYPE STATION.
        (
            vec![
                attr("ARTIST", "B00G70DLAS"),
                json!({"type": "MEDIA_TYPE", "value": "STATION"}),
            ],
            "mrn:1.0:catalog:station:asin:B00G70DLAS",
            "STATION",
            "The Strokes",
        ),
        // The most specific entity wins; the artist agrees with it. MRN ids are taken too.
        (
            vec![
                attr("ARTIST", "B00G70DLAS"),
                attr("TRACK", "mrn:1.0:catalog:track:asin:B084KPC3Q7"),
                json!({"type": "SORT_TYPE", "value": "POPULARITY"}),
            ],
            "mrn:1.0:catalog:track:asin:B084KPC3Q7",
            "TRACK",
            "Selfless",
        ),
    ];
    for (attributes, id, kind, name) in cases {
        let r = send(&app, search(t, json!(attributes), true)).await;
        assert_eq!(r["header"]["namespace"], "Alexa.Media.Search", "{r}");
        assert_eq!(r["header"]["name"], "GetPlayableContent.Response");
        assert_eq!(r["header"]["payloadVersion"], "1.0");
        let c = &r["payload"]["content"];
        assert_eq!(c["id"], id);
        assert_eq!(c["actions"], json!({"playable": true, "browsable": false}));
        assert_eq!(c["metadata"]["type"], kind);
        assert_eq!(
            c["metadata"]["name"]["speech"],
            json!({"type": "PLAIN_TEXT", "text": name})
        );
        let art = c["metadata"]["art"]["sources"].as_array().unwrap();
        if kind == "TRACK" || kind == "ALBUM" {
            assert_eq!(art.len(), 5, "{kind}: every size of the album's image");
        }
    }
    let track = send(&app, search(t, json!([attr("TRACK", "B084KPC3Q7")]), true)).await;
    assert_eq!(
        track["payload"]["content"]["metadata"]["authors"][0]["name"]["display"],
        "The Strokes"
    );

    let not_found = [
        json!([attr("TRACK", "NOSUCHTRACK")]),
        json!([attr("ALBUM", "NOSUCHALBUM")]),
        json!([attr("GENRE", "Polka")]),
        json!([attr("STATION", "NOSUCHSEED")]),
        // Selfless is not by Hans Zimmer.
        json!([attr("TRACK", "B084KPC3Q7"), attr("ARTIST", "B000QJK5EQ")]),
        // A station of nothing in particular.
        json!([json!({"type": "MEDIA_TYPE", "value": "STATION"})]),
    ];
    for attributes in not_found {
        let r = send(&app, search(t, attributes.clone(), true)).await;
        assert_eq!(r["header"]["namespace"], "Alexa.Media", "{attributes}");
        assert_eq!(error_type(&r), ("ErrorResponse", "CONTENT_NOT_FOUND"));
    }
    // An explicit track is not found when explicit language is not allowed.
    let explicit = json!([attr("TRACK", "B084KVZP2G")]);
    let r = send(&app, search(t, explicit.clone(), false)).await;
    assert_eq!(error_type(&r).1, "CONTENT_NOT_FOUND");
    let r = send(&app, search(t, explicit, true)).await;
    assert_eq!(r["header"]["name"], "GetPlayableContent.Response");

    // (Without selectionCriteria it is "play my music": see play_music_plays_the_users_own_music.)
    for bad in [
        json!({"selectionCriteria": {"attributes": "B084KPC3Q7"}}),
        json!({"selectionCriteria": {"attributes": [{"entityId": "B084KPC3Q7"}]}}),
        json!({"selectionCriteria": {"attributes": [{"type": "TRACK"}]}}),
    ] {
        let r = send(
            &app,
            directive_in("Alexa.Media.Search", "GetPlayableContent", t, bad.clone()),
        )
        .await;
        assert_eq!(
            error_type(&r),
            ("ErrorResponse", "INVALID_DIRECTIVE"),
            "{bad}"
        );
        assert_eq!(r["header"]["namespace"], "Alexa");
    }
    let r = send(
        &app,
        search("not-a-token", json!([attr("TRACK", "B084KPC3Q7")]), true),
    )
    .await;
    assert_eq!(error_type(&r).1, "INVALID_AUTHORIZATION_CREDENTIAL");
}

#[tokio::test]
async fn initiate_starts_a_queue_the_web_api_sees_and_steers() {
    let app = TestApp::new().await;
    let found = send(
        &app,
        search(&app.token, json!([attr("ALBUM", "B084KYMDXT")]), true),
    )
    .await;
    let content = found["payload"]["content"]["id"].as_str().unwrap();
    let (queue, first, r) = start(
        &app,
        &app.token,
        content,
        json!({"shuffle": false, "loop": false}),
    )
    .await;
    assert_eq!(r["header"]["namespace"], "Alexa.Media.Playback");
    assert_eq!(r["header"]["payloadVersion"], "1.0");
    let m = &r["payload"]["playbackMethod"];
    assert_eq!(m["type"], "ALEXA_AUDIO_PLAYER_QUEUE");
    assert_eq!(
        m["rules"],
        json!({"feedback": {"type": "PREFERENCE", "enabled": true}})
    );
    assert_eq!(m["queueIdsToDeactivate"], json!([]));
    assert_eq!(
        m["controls"],
        json!([
            {"type": "TOGGLE", "name": "SHUFFLE", "enabled": true, "selected": false},
            {"type": "TOGGLE", "name": "LOOP", "enabled": true, "selected": false},
            {"type": "CYCLE", "name": "REPEAT", "enabled": true, "value": {"status": "OFF"}},
        ])
    );
    let item = &m["firstItem"];
    assert_eq!(
        item["metadata"]["name"]["display"],
        "The Adults Are Talking [Explicit]"
    );
    assert_eq!(item["rules"], json!({"feedbackEnabled": true}));
    assert_eq!(
        item["controls"][0],
        json!({"type": "COMMAND", "name": "NEXT", "enabled": true})
    );
    assert!(item["stream"]["uri"]
        .as_str()
        .unwrap()
        .contains("/media/tracks/B084KVZP2G"));
    assert!(item.get("feedback").is_none(), "no preference yet");

    // The Web API sees the voice queue: the same session, the same item, playing on Alexa.
    let cur = app
        .get(&format!("/v1/playback/sessions/{queue}/current"))
        .send()
        .await;
    cur.expect(200);
    assert_eq!(cur.entity(0)["entityReferenceId"], first.as_str());
    assert_eq!(cur.data()["metadata"]["playbackState"], "PLAYING");
    let active = app.get("/v1/playback/sessions/active").send().await;
    let listed = active.data()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == queue.as_str())
        .cloned();
    assert_eq!(
        listed.expect("the voice queue is an active session")["deviceId"],
        format!("alexa:{queue}"),
        "a device list can say the music is on Alexa"
    );
    let history = app.get("/v1/me/recentlyPlayedEntities").send().await;
    assert!(
        history.body.to_string().contains("B084KYMDXT"),
        "the album Alexa started is in the history: {}",
        history.body
    );
    // The Web API steers it; voice sees that.
    let queued = app
        .post(&format!("/v1/playback/sessions/{queue}/queue/next"))
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
            json!({"currentItemReference": reference(&queue, &first)}),
        ),
    )
    .await;
    assert_eq!(v["payload"]["items"][1]["id"], queued_id.as_str());
    app.put(&format!("/v1/playback/sessions/{queue}/loop"))
        .json(json!({"loopMode": "LOOP_ONE"}))
        .send()
        .await
        .expect(200);
    let v = send(
        &app,
        directive(
            "GetView",
            &app.token,
            json!({"currentItemReference": reference(&queue, &first)}),
        ),
    )
    .await;
    assert_eq!(v["payload"]["queueControls"][2]["value"]["status"], "ON");
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &app.token,
            json!({"currentItemReference": bare(&queue, &first), "isUserInitiated": true}),
        ),
    )
    .await;
    assert_eq!(
        n["payload"]["item"]["id"],
        queued_id.as_str(),
        "a skip leaves LOOP_ONE"
    );
    let cur = app
        .get(&format!("/v1/playback/sessions/{queue}/current"))
        .send()
        .await;
    assert_eq!(cur.entity(0)["entityReferenceId"], queued_id.as_str());
}

#[tokio::test]
async fn initiate_modes_and_genres() {
    let app = TestApp::new().await;
    let (queue, _, r) = start(
        &app,
        &app.token,
        ALBUM,
        json!({"shuffle": true, "loop": false, "repeat": {"status": "ON"}}),
    )
    .await;
    let controls = &r["payload"]["playbackMethod"]["controls"];
    assert_eq!(controls[0]["selected"], true);
    assert_eq!(controls[2]["value"]["status"], "ON");
    let cur = app
        .get(&format!("/v1/playback/sessions/{queue}/current"))
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["shuffleMode"], "SHUFFLE_ON");
    assert_eq!(cur.data()["metadata"]["loopMode"], "LOOP_ONE");

    // A genre plays as an endless station of that genre's neighbourhood.
    let (queue, first, r) = start(&app, &app.token, "genre:Soundtrack", json!({})).await;
    let m = &r["payload"]["playbackMethod"];
    assert_eq!(
        m["controls"][0]["enabled"], false,
        "no shuffle on a station"
    );
    assert!(
        m["firstItem"]["metadata"]["album"]["name"]["display"]
            .as_str()
            .unwrap()
            .starts_with("Interstellar"),
        "a Soundtrack track seeds it: {m}"
    );
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &app.token,
            json!({"currentItemReference": bare(&queue, &first), "isUserInitiated": false}),
        ),
    )
    .await;
    assert_eq!(n["payload"]["isQueueFinished"], false, "{n}");

    for (content, kind) in [
        (
            "mrn:1.0:catalog:album:asin:NOSUCHALBUM",
            "CONTENT_NOT_FOUND",
        ),
        ("genre:Polka", "CONTENT_NOT_FOUND"),
        ("something-else", "CONTENT_NOT_FOUND"),
    ] {
        let r = send(&app, initiate(&app.token, content, json!({}), None)).await;
        assert_eq!(error_type(&r), ("ErrorResponse", kind), "{content}");
        assert_eq!(r["header"]["namespace"], "Alexa.Media");
    }
    let mut no_content = initiate(&app.token, ALBUM, json!({}), None);
    no_content["payload"]
        .as_object_mut()
        .unwrap()
        .remove("contentId");
    assert_eq!(
        error_type(&send(&app, no_content).await).1,
        "INVALID_DIRECTIVE"
    );
    let r = send(
        &app,
        initiate(
            &app.token,
            ALBUM,
            json!({"repeat": {"status": "SOMETIMES"}}),
            None,
        ),
    )
    .await;
    assert_eq!(error_type(&r).1, "INVALID_DIRECTIVE");
}

#[tokio::test]
async fn initiate_takes_the_stream_as_force_does() {
    let app = TestApp::new().await;
    let token = app.user(Tier::Unlimited, 1).await;
    let (kitchen, kitchen_first, _) = start(&app, &token, ALBUM, json!({})).await;
    // A second speaker: Alexa is told to deactivate the first queue.
    let (bedroom, bedroom_first, r) = start(
        &app,
        &token,
        "mrn:1.0:catalog:album:asin:DEMOAL0004",
        json!({}),
    )
    .await;
    assert_eq!(
        r["payload"]["playbackMethod"]["queueIdsToDeactivate"],
        json!([kitchen])
    );
    let cur = app
        .get(&format!("/v1/playback/sessions/{kitchen}/current"))
        .token(&token)
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["playbackState"], "STOPPED");
    // The deactivated queue is one Alexa no longer has: an unknown item, never a stale one.
    for d in [
        audio(
            "GetNextItem",
            &token,
            json!({"currentItemReference": bare(&kitchen, &kitchen_first), "isUserInitiated": false}),
        ),
        audio(
            "GetPreviousItem",
            &token,
            json!({"currentItemReference": bare(&kitchen, &kitchen_first)}),
        ),
        directive(
            "GetItem",
            &token,
            json!({"targetItemReference": reference(&kitchen, &kitchen_first)}),
        ),
        directive(
            "GetView",
            &token,
            json!({"currentItemReference": reference(&kitchen, &kitchen_first)}),
        ),
        directive(
            "SetShuffle",
            &token,
            json!({"currentItemReference": reference(&kitchen, &kitchen_first), "enable": true}),
        ),
    ] {
        let n = send(&app, d.clone()).await;
        assert_eq!(error_type(&n), ("ErrorResponse", "ITEM_NOT_FOUND"), "{d}");
        assert_eq!(n["header"]["namespace"], "Alexa.Media");
    }
    // The bedroom queue plays on.
    let n = send(
        &app,
        audio("GetNextItem", &token, json!({"currentItemReference": bare(&bedroom, &bedroom_first), "isUserInitiated": false})),
    )
    .await;
    assert_eq!(n["header"]["name"], "GetNextItem.Response", "{n}");

    // A phone takes the stream over (FORCE).
    let phone = app.album_session(&token, None, json!({})).await;
    force_start(&app, &token, phone.entity(0)).await;
    let next_id = n["payload"]["item"]["id"].as_str().unwrap();
    let n = send(
        &app,
        audio(
            "GetNextItem",
            &token,
            json!({"currentItemReference": bare(&bedroom, next_id), "isUserInitiated": false}),
        ),
    )
    .await;
    assert_eq!(
        error_type(&n).1,
        "DEVICE_LIMIT_REACHED",
        "the bedroom lost its stream too"
    );
    // "Alexa, play …" while the phone streams: the speaker takes over, as FORCE does.
    let r = send(&app, initiate(&token, ALBUM, json!({}), None)).await;
    assert_eq!(r["header"]["name"], "Initiate.Response", "{r}");
    assert_eq!(
        r["payload"]["playbackMethod"]["queueIdsToDeactivate"],
        json!([]),
        "the phone is no Alexa queue"
    );
    let phone_id = phone.session_id();
    let cur = app
        .get(&format!("/v1/playback/sessions/{phone_id}/current"))
        .token(&token)
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["playbackState"], "STOPPED");
    // While the speaker streams, the phone needs a take-over of its own.
    app.post("/v1/playback/event")
        .token(&token)
        .json(start_event(phone.entity(0)))
        .send()
        .await
        .expect_error(422, "MAX_CONCURRENCY_REACHED");

    // Two streams: a second speaker starts without stopping the first.
    let two = app.user(Tier::Unlimited, 2).await;
    let (a, _, _) = start(&app, &two, ALBUM, json!({})).await;
    let (_, _, r) = start(&app, &two, ALBUM, json!({})).await;
    assert_eq!(
        r["payload"]["playbackMethod"]["queueIdsToDeactivate"],
        json!([])
    );
    let cur = app
        .get(&format!("/v1/playback/sessions/{a}/current"))
        .token(&two)
        .send()
        .await;
    assert_eq!(cur.data()["metadata"]["playbackState"], "PLAYING");
}

#[tokio::test]
async fn set_repeat_and_set_loop_are_two_switches() {
    let app = TestApp::new().await;
    let (queue, first, _) = start(&app, &app.token, ALBUM, json!({})).await;
    let set = |name: &str, payload: Value| {
        let mut p = payload;
        p["currentItemReference"] = reference(&queue, &first);
        directive(name, &app.token, p)
    };
    let loop_mode = || async {
        let cur = app
            .get(&format!("/v1/playback/sessions/{queue}/current"))
            .send()
            .await;
        cur.data()["metadata"]["loopMode"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // What the Alexa app shows: (loop selected, repeat selected).
    let toggles = || async {
        let v = send(&app, set("GetView", json!({}))).await;
        let selected = |name: &str| {
            v["payload"]["queueControls"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
                .map(|c| c["selected"] == true || c["value"]["status"] == "ON")
                .unwrap()
        };
        (selected("LOOP"), selected("REPEAT"))
    };
    let r = send(&app, set("SetRepeat", json!({"mode": {"status": "ON"}}))).await;
    assert_eq!(
        r,
        json!({"header": {"namespace": "Alexa", "name": "Response", "payloadVersion": "3.0",
                                    "messageId": r["header"]["messageId"]}, "payload": {}})
    );
    assert_eq!(loop_mode().await, "LOOP_ONE");
    send(&app, set("SetLoop", json!({"enable": false}))).await;
    assert_eq!(
        loop_mode().await,
        "LOOP_ONE",
        "turning loop off leaves repeat on"
    );
    assert_eq!(toggles().await, (false, true));
    send(&app, set("SetLoop", json!({"enable": true}))).await;
    assert_eq!(loop_mode().await, "LOOP_ONE", "repeat wins the next track");
    assert_eq!(toggles().await, (true, true), "and loop is kept beside it");
    send(&app, set("SetRepeat", json!({"mode": {"status": "OFF"}}))).await;
    assert_eq!(
        loop_mode().await,
        "LOOP_ALL",
        "turning repeat off leaves loop on"
    );
    assert_eq!(toggles().await, (true, false));
    send(&app, set("SetLoop", json!({"enable": false}))).await;
    send(
        &app,
        set("SetRepeat", json!({"mode": {"status": "REPEAT_ONE"}})),
    )
    .await;
    send(
        &app,
        set("SetRepeat", json!({"mode": {"status": "DISABLED"}})),
    )
    .await;
    assert_eq!(loop_mode().await, "LOOP_OFF");
    for bad in [json!({}), json!({"mode": {"status": "TWICE"}})] {
        let r = send(&app, set("SetRepeat", bad)).await;
        assert_eq!(error_type(&r).1, "INVALID_DIRECTIVE");
    }
    // A tier without loops cannot repeat either.
    let free = app.user(Tier::Free, 1).await;
    let s = app.album_session(&free, None, json!({})).await;
    let (fq, fi) = (
        s.session_id(),
        s.entity(0)["entityReferenceId"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let mut d = directive("SetRepeat", &free, json!({"mode": {"status": "ON"}}));
    d["payload"]["currentItemReference"] = reference(&fq, &fi);
    assert_eq!(error_type(&send(&app, d).await).1, "INVALID_DIRECTIVE");
}

#[tokio::test]
async fn feedback_keeps_likes_in_the_library_and_the_recommender_remembers_dislikes() {
    let app = TestApp::new().await;
    let (queue, first, _) = start(&app, &app.token, ALBUM, json!({})).await;
    let r = send(&app, feedback(&app.token, &queue, &first, "POSITIVE")).await;
    assert_eq!(r["header"]["namespace"], "Alexa.UserPreference");
    assert_eq!(r["header"]["name"], "ReceiveFeedback.Response");
    assert_eq!(r["header"]["payloadVersion"], "2.0");
    assert_eq!(r["payload"], json!({}));
    let lib = app.get("/v1/me/library/tracks").send().await;
    assert_eq!(lib.node_ids("libraryTracks"), ["B084KVZP2G"]);
    let item = send(
        &app,
        directive(
            "GetItem",
            &app.token,
            json!({"targetItemReference": reference(&queue, &first)}),
        ),
    )
    .await;
    assert_eq!(
        item["payload"]["item"]["feedback"],
        json!({"type": "PREFERENCE", "value": "POSITIVE"})
    );

    let r = send(&app, feedback(&app.token, &queue, &first, "NEGATIVE")).await;
    assert_eq!(
        r["payload"],
        json!({"skip": true}),
        "a thumbs-down skips what plays"
    );
    let lib = app.get("/v1/me/library/tracks").send().await;
    assert!(lib.node_ids("libraryTracks").is_empty());
    let item = send(
        &app,
        directive(
            "GetItem",
            &app.token,
            json!({"targetItemReference": reference(&queue, &first)}),
        ),
    )
    .await;
    assert_eq!(item["payload"]["item"]["feedback"]["value"], "NEGATIVE");

    // activeContext carries the item in some captures.
    let mut d = feedback(&app.token, &queue, &first, "POSITIVE");
    let p = d["payload"].as_object_mut().unwrap();
    let reference = p.remove("currentItemReference").unwrap();
    p.insert("activeContext".into(), json!({"content": [reference]}));
    assert_eq!(
        send(&app, d).await["header"]["name"],
        "ReceiveFeedback.Response"
    );
    let lib = app.get("/v1/me/library/tracks").send().await;
    assert_eq!(lib.node_ids("libraryTracks"), ["B084KVZP2G"]);

    for (value, item) in [
        ("MAYBE", first.as_str()),
        ("NEGATIVE", "00000000-0000-0000-0000-000000000000"),
    ] {
        let r = send(&app, feedback(&app.token, &queue, item, value)).await;
        assert_ne!(
            r["header"]["name"], "ReceiveFeedback.Response",
            "{value} {item}"
        );
    }
    let someone = app
        .person("Someone", Visibility::Public, Visibility::Public)
        .await
        .1;
    let r = send(&app, feedback(&someone, &queue, &first, "NEGATIVE")).await;
    assert_eq!(error_type(&r).1, "ITEM_NOT_FOUND", "another user's queue");
}

/// Plays a Dua Lipa station by voice for `n` tracks; the track ids it played.
async fn station_plays(app: &TestApp, token: &str, n: usize) -> Vec<String> {
    let (queue, mut current, r) = start(
        app,
        token,
        "mrn:1.0:catalog:station:asin:DEMOAR0006",
        json!({}),
    )
    .await;
    let mut played = vec![track_of(&r["payload"]["playbackMethod"]["firstItem"])];
    for _ in 1..n {
        app.advance_secs(400);
        let r = send(
            app,
            audio(
                "GetNextItem",
                token,
                json!({"currentItemReference": bare(&queue, &current), "isUserInitiated": false}),
            ),
        )
        .await;
        let item = &r["payload"]["item"];
        current = item["id"]
            .as_str()
            .expect("a station never finishes")
            .to_string();
        played.push(track_of(item));
    }
    played
}

#[tokio::test]
async fn a_station_never_plays_a_disliked_track() {
    let app = TestApp::new().await;
    let miley = app.user(Tier::Unlimited, 1).await;
    // Thumbs down on all of Miley Cyrus's album.
    let (queue, first, _) = start(
        &app,
        &miley,
        "mrn:1.0:catalog:album:asin:B0BS2SB6RC",
        json!({}),
    )
    .await;
    let view = send(
        &app,
        directive(
            "GetView",
            &miley,
            json!({"currentItemReference": reference(&queue, &first)}),
        ),
    )
    .await;
    let album: Vec<(String, String)> = view["payload"]["items"].as_array().unwrap()[..5]
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_string(), track_of(i)))
        .collect();
    for (item, _) in &album {
        let r = send(&app, feedback(&miley, &queue, item, "NEGATIVE")).await;
        assert_eq!(r["header"]["name"], "ReceiveFeedback.Response", "{r}");
    }
    let disliked: Vec<&String> = album.iter().map(|(_, t)| t).collect();
    let played = station_plays(&app, &miley, 40).await;
    assert!(
        !played.iter().any(|t| disliked.contains(&t)),
        "a disliked track came back: {played:?}"
    );
    // Someone without those dislikes hears them on the same station.
    let other = app.user(Tier::Unlimited, 1).await;
    let played = station_plays(&app, &other, 40).await;
    assert!(played.iter().any(|t| disliked.contains(&t)), "{played:?}");
}

#[tokio::test]
async fn every_directive_checks_the_token_and_its_scopes() {
    let app = TestApp::new().await;
    let (queue, item, _) = start(&app, &app.token, ALBUM, json!({})).await;
    let cases = [
        (
            "Alexa.Media.Search",
            "GetPlayableContent",
            json!({"selectionCriteria": {"attributes": [attr("ALBUM", "B084KYMDXT")]}}),
        ),
        (
            "Alexa.Media.Playback",
            "Initiate",
            json!({"contentId": ALBUM}),
        ),
        (
            "Alexa.Media.PlayQueue",
            "SetRepeat",
            json!({"currentItemReference": reference(&queue, &item), "mode": {"status": "ON"}}),
        ),
        (
            "Alexa.UserPreference",
            "ReceiveFeedback",
            json!({"currentItemReference": reference(&queue, &item), "feedback": {"value": "POSITIVE"}}),
        ),
        (
            "Alexa.Audio.PlayQueue",
            "GetNextItem",
            json!({"currentItemReference": bare(&queue, &item)}),
        ),
    ];
    let user = app.get("/v1/me").send().await.data()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A token for the right user that lacks playback and favourites scopes.
    let narrow = app.scoped_token(&user, &["music::history"]).await;
    for (namespace, name, payload) in cases {
        let r = send(
            &app,
            directive_in(namespace, name, "Atza|forged", payload.clone()),
        )
        .await;
        assert_eq!(
            error_type(&r).1,
            "INVALID_AUTHORIZATION_CREDENTIAL",
            "{name}"
        );
        let r = send(
            &app,
            directive_in(namespace, name, &narrow, payload.clone()),
        )
        .await;
        // Searching needs music::catalog, as the catalog does on the Web API.
        assert_eq!(
            error_type(&r).1,
            "INVALID_AUTHORIZATION_CREDENTIAL",
            "{name}: {r}"
        );
        let mut unknown = directive_in(namespace, "Frobnicate", &app.token, payload);
        unknown["header"]["name"] = json!(format!("{name}Later"));
        assert_eq!(
            error_type(&send(&app, unknown).await).1,
            "INVALID_DIRECTIVE"
        );
    }
    let lib = app.get("/v1/me/library/tracks").send().await;
    assert!(
        lib.node_ids("libraryTracks").is_empty(),
        "nothing was rated"
    );
}

#[tokio::test]
async fn play_music_plays_the_users_own_music() {
    let app = TestApp::new().await;
    let token = app.user(Tier::Unlimited, 1).await;
    let play_music = |token: &str, sort: Option<&str>| {
        let mut attributes = vec![json!({"type": "MEDIA_TYPE", "value": "TRACK"})];
        if let Some(s) = sort {
            attributes.push(json!({"type": "SORT_TYPE", "value": s}));
        }
        search(token, json!(attributes), true)
    };
    // Nothing played, nothing saved: music from the catalog.
    let r = send(&app, search(&token, json!([]), true)).await;
    assert_eq!(r["payload"]["content"]["id"], "mine:recent", "{r}");
    // "Play my music" as a real Alexa sends it: an empty selectionCriteria, or none.
    for payload in [json!({"selectionCriteria": {}}), json!({})] {
        let d = directive_in("Alexa.Media.Search", "GetPlayableContent", &token, payload);
        let r = send(&app, d).await;
        assert_eq!(r["payload"]["content"]["id"], "mine:recent", "{r}");
    }
    assert_eq!(
        r["payload"]["content"]["metadata"]["name"]["speech"]["text"],
        "music from the catalog"
    );

    // A saved track: the library.
    app.put("/v1/me/library/tracks/B08KC1C6BF")
        .token(&token)
        .send()
        .await
        .expect(200);
    let r = send(&app, play_music(&token, None)).await;
    assert_eq!(
        r["payload"]["content"]["metadata"]["name"]["speech"]["text"],
        "your library"
    );
    let (_, _, started) = start(&app, &token, "mine:recent", json!({})).await;
    assert_eq!(
        started["payload"]["playbackMethod"]["firstItem"]["metadata"]["name"]["display"],
        "Cornfield Chase"
    );

    // A history: Selfless three times, then Brooklyn Bridge once.
    let user = app.get("/v1/me").token(&token).send().await.data()["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (track, times) in [("B084KPC3Q7", 3), ("B084KMZM11", 1)] {
        for _ in 0..times {
            let s = app
                .post("/v1/playback/sessions")
                .token(&token)
                .json(json!({"playParams": {"id": format!("mrn:1.0:catalog:track:asin:{track}")}}))
                .send()
                .await;
            force_start(&app, &token, s.entity(0)).await;
            app.advance_secs(1);
        }
    }
    // (Each Initiate plays its first track, which counts in the history too.)
    let first_track = |r: &Value| {
        r["payload"]["playbackMethod"]["firstItem"]["metadata"]["name"]["display"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    for (sort, id, title) in [
        (Some("RECENCY"), "mine:recent", "Brooklyn Bridge To Chorus"),
        (Some("POPULARITY"), "mine:popular", "Selfless"),
        (None, "mine:recent", "Selfless"),
    ] {
        let r = send(&app, play_music(&token, sort)).await;
        assert_eq!(r["payload"]["content"]["id"], id, "{sort:?}");
        let (_, _, started) = start(&app, &token, id, json!({})).await;
        assert_eq!(first_track(&started), title, "{sort:?}: {started}");
    }
    // A token that may not read the history gets the library instead.
    let narrow = app
        .scoped_token(
            &user,
            &["music::catalog", "music::playback", "music::library"],
        )
        .await;
    let r = send(&app, play_music(&narrow, Some("RECENCY"))).await;
    assert_eq!(
        r["payload"]["content"]["metadata"]["name"]["speech"]["text"],
        "your library"
    );
}

#[tokio::test]
async fn what_the_library_has_no_art_for_gets_medleys_own() {
    let app = TestApp::new().await;
    app.medley
        .library
        .import_catalog_json(
            &json!({"tracks": [{"id": "NOART1", "title": "Bare", "duration": 100}]}).to_string(),
        )
        .await
        .unwrap();
    let r = send(
        &app,
        search(&app.token, json!([attr("TRACK", "NOART1")]), true),
    )
    .await;
    assert_eq!(r["header"]["name"], "GetPlayableContent.Response", "{r}");
    let sources = r["payload"]["content"]["metadata"]["art"]["sources"]
        .as_array()
        .unwrap();
    assert_eq!(sources.len(), 5);
    let url = sources[0]["url"].as_str().unwrap();
    assert_eq!(url, "http://127.0.0.1:8080/media/images/medley");
    for (query, px) in [("", 600), ("?style=SL75", 75)] {
        let (status, headers, body) = app
            .get(&format!("/media/images/medley{query}"))
            .without("authorization")
            .send_raw()
            .await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/png");
        let img = image::load_from_memory(&body).unwrap();
        assert_eq!((img.width(), img.height()), (px, px));
    }
}

#[tokio::test]
async fn what_alexa_heard_but_did_not_match_is_found_by_name() {
    let app = TestApp::new().await;
    let t = &app.token;
    let said = |kind: Option<&str>, value: &str| match kind {
        Some(k) => json!({"type": k, "value": value}),
        None => json!({"value": value}),
    };
    // My own private playlist is found by its name, before the catalog's.
    let r = app
        .post("/v1/playlists")
        .json(json!({"title": "Road Trip", "tracks": []}))
        .send()
        .await;
    r.expect(201);
    let mine = r.data()["playlist"]["id"].as_str().unwrap().to_string();
    app.put(&format!("/v1/playlists/{mine}/tracks"))
        .json(json!({"trackIds": ["B084KPC3Q7"]}))
        .send()
        .await
        .expect(200);
    let cases = [
        // "Play The Strokes radio".
        (
            vec![
                said(Some("ARTIST"), "the strokes"),
                json!({"type": "MEDIA_TYPE", "value": "STATION"}),
            ],
            "mrn:1.0:catalog:station:asin:B00G70DLAS".to_string(),
            "STATION",
        ),
        (
            vec![said(Some("STATION"), "The Strokes")],
            "mrn:1.0:catalog:station:asin:B00G70DLAS".into(),
            "STATION",
        ),
        // "Play soundtrack": a genre, whatever its case.
        (
            vec![said(Some("GENRE"), "soundtrack")],
            "genre:Soundtrack".into(),
            "GENRE",
        ),
        (
            vec![said(None, "Soundtrack")],
            "genre:Soundtrack".into(),
            "GENRE",
        ),
        // Untyped names: the album before a song, an artist, with a typo forgiven.
        (vec![said(None, "the new abnormal")], ALBUM.into(), "ALBUM"),
        (
            vec![said(None, "hans zimer")],
            "mrn:1.0:catalog:artist:asin:B000QJK5EQ".into(),
            "ARTIST",
        ),
        // "Play Selfless by The Strokes": the song, narrowed by the artist said with it.
        (
            vec![
                said(Some("TRACK"), "Selfless"),
                said(Some("ARTIST"), "The Strokes"),
            ],
            "mrn:1.0:catalog:track:asin:B084KPC3Q7".into(),
            "TRACK",
        ),
        // An artist named by id narrows a spoken song too.
        (
            vec![
                said(Some("TRACK"), "selfless"),
                attr("ARTIST", "B00G70DLAS"),
            ],
            "mrn:1.0:catalog:track:asin:B084KPC3Q7".into(),
            "TRACK",
        ),
        // An id wins over a spoken name of the same type.
        (
            vec![
                said(Some("TRACK"), "something else"),
                attr("TRACK", "B084KPC3Q7"),
            ],
            "mrn:1.0:catalog:track:asin:B084KPC3Q7".into(),
            "TRACK",
        ),
        (
            vec![said(Some("PLAYLIST"), "classic rock hits")],
            "mrn:1.0:catalog:playlist:asin:B01LS62KK2".into(),
            "PLAYLIST",
        ),
        (
            vec![said(Some("PLAYLIST"), "road trip")],
            format!("mrn:1.0:catalog:playlist:asin:{mine}"),
            "PLAYLIST",
        ),
        (
            vec![said(None, "Road Trip")],
            format!("mrn:1.0:catalog:playlist:asin:{mine}"),
            "PLAYLIST",
        ),
    ];
    for (attributes, id, kind) in cases {
        let r = send(&app, search(t, json!(attributes), true)).await;
        assert_eq!(
            r["header"]["name"], "GetPlayableContent.Response",
            "{attributes:?}: {r}"
        );
        let c = &r["payload"]["content"];
        assert_eq!(c["id"], id.as_str(), "{attributes:?}");
        assert_eq!(c["metadata"]["type"], kind, "{attributes:?}");
        // What was found plays.
        let (_, first, _) = start(&app, t, &id, json!({})).await;
        assert!(!first.is_empty());
    }

    // Another user's private playlist is nobody else's to find by name.
    let (_, other) = app
        .person("Other", Visibility::Public, Visibility::Public)
        .await;
    let r = send(
        &app,
        search(&other, json!([said(Some("PLAYLIST"), "road trip")]), true),
    )
    .await;
    assert_eq!(
        error_type(&r),
        ("ErrorResponse", "CONTENT_NOT_FOUND"),
        "{r}"
    );

    for attributes in [
        json!([said(None, "zzzq xxqv")]),
        json!([said(Some("GENRE"), "Polka")]),
        // Selfless is not by Hans Zimmer.
        json!([
            said(Some("TRACK"), "Selfless"),
            said(Some("ARTIST"), "Hans Zimmer")
        ]),
    ] {
        let r = send(&app, search(t, attributes.clone(), true)).await;
        assert_eq!(
            error_type(&r),
            ("ErrorResponse", "CONTENT_NOT_FOUND"),
            "{attributes}"
        );
    }
    for attributes in [
        json!([{"type": "TRACK", "value": 5}]),
        json!([{"value": "   "}]),
        json!([{"type": "ARTIST", "value": "a\u{0}b"}]),
        json!([{"value": "x".repeat(201)}]),
    ] {
        let r = send(&app, search(t, attributes.clone(), true)).await;
        assert_eq!(
            error_type(&r),
            ("ErrorResponse", "INVALID_DIRECTIVE"),
            "{attributes}"
        );
    }
}
