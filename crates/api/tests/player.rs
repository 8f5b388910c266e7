//! The web player's page and bundle at the root, beside the Player API's own paths.

mod common;

use common::TestApp;

#[tokio::test]
async fn the_web_player_is_served_at_the_root() {
    let app = TestApp::new().await;
    let (status, headers, body) = app.get("/").without("authorization").send_raw().await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let page = String::from_utf8(body.to_vec()).unwrap();
    assert!(page.contains("/web/app.js"), "{page}");
    let (status, headers, body) = app
        .get("/web/app.js")
        .without("authorization")
        .send_raw()
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/javascript");
    assert!(body.len() > 1000, "the bundle is there");
    app.get("/web/nothing.js").send().await.expect(404);
    // The Player API keeps its own path.
    app.get("/player/recentlyPlayed?limit=1")
        .send()
        .await
        .expect(200);
}
