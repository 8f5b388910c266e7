//! What the store tells its callers when it refuses a write, on the backend the tests run on: a
//! refusal a client may read is in Medley's words, never the database's (which name tables and
//! constraints).

use medley_store::{GrantRecord, PlaylistRecord, StoreError, Visibility};
use medley_test_store::TestStore;

fn folder() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("medley-refusals-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The words of SQLite's and PostgreSQL's constraint messages.
fn in_the_databases_words(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "constraint",
        "violates",
        "foreign key",
        "duplicate key",
        "grants",
        "playlists_pkey",
    ]
    .iter()
    .any(|w| t.contains(w))
}

#[tokio::test]
async fn refusals_are_in_medleys_words() {
    let dir = folder();
    let store = TestStore::open(&dir).await;
    // A grant for a user and client that do not exist breaks the foreign keys.
    let grant = GrantRecord {
        id: "g1".into(),
        user_id: medley_core::ids::UserId::stored("nobody"),
        client_key: "no-client".into(),
        scopes: vec!["profile".into()],
        refresh_hash: None,
        created_ms: 0,
        revoked_ms: None,
        label: None,
        browser: None,
    };
    match store.create_grant(&grant).await {
        Err(StoreError::Invalid(m)) => assert!(!in_the_databases_words(&m), "{m}"),
        Err(StoreError::Backend(_)) => {} // a cause for the log, never shown
        other => panic!("a dangling grant was not refused: {other:?}"),
    }
    // A playlist whose id is taken.
    let playlist = PlaylistRecord {
        id: medley_core::ids::PlaylistId::stored("p1"),
        title: "Mine".into(),
        track_count: 0,
        duration: 0,
        owner_id: None,
        description: String::new(),
        visibility: Visibility::Private,
        created_ms: 0,
        updated_ms: 0,
        version: 0,
    };
    store.create_playlist(&playlist).await.unwrap();
    match store.create_playlist(&playlist).await {
        Err(StoreError::Invalid(m)) => assert_eq!(m, "playlist 'p1' already exists"),
        other => panic!("a second playlist 'p1': {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
