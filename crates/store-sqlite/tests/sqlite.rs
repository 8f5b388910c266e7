//! The SQLite backend on its own: compare-and-set, the write-through copies, atomic commits,
//! catalog import all-or-nothing, and durability across reopening the file.

use medley_core::catalog::CatalogFile;
use medley_core::ids::UserId;
use medley_core::policy::Tier;
use medley_core::queue::{Continuation, LoopMode, Queue, Setup};
use medley_store::*;
use medley_store_sqlite::SqliteStore;
use uuid::Uuid;

fn temp_db() -> std::path::PathBuf {
    std::env::temp_dir()
        .join(format!("medley-sqlite-{}", Uuid::new_v4()))
        .join("medley.db")
}

fn catalog() -> CatalogFile {
    serde_json::from_value(serde_json::json!({
        "artists": [{"id": "AR", "name": "Band"}],
        "albums": [{"id": "AL", "title": "Record", "artistIds": ["AR"], "trackIds": ["T1", "T2"], "releaseDate": "1999-01-01"}],
        "tracks": [{"id": "T1", "title": "One", "duration": 100, "albumId": "AL", "artistIds": ["AR"]},
                   {"id": "T2", "title": "Two", "duration": 200, "albumId": "AL", "artistIds": ["AR"]}],
        "playlists": [{"id": "PL", "title": "Mix", "trackIds": ["T2", "T1", "T2"]}]
    }))
    .unwrap()
}

/// User U1's empty private playlist `MINE`.
fn my_playlist() -> PlaylistRecord {
    PlaylistRecord {
        id: playlist_id("MINE"),
        title: "Mine".into(),
        track_count: 0,
        duration: 0,
        version: 0,
        owner_id: Some(UserId::stored("U1")),
        description: String::new(),
        visibility: Visibility::Private,
        created_ms: 5,
        updated_ms: 5,
    }
}

fn session(user: &str) -> Session {
    let mut queue = Queue::new(Setup {
        key: 1,
        len: 2,
        start_index: None,
        shuffle: None,
        shuffle_shown: false,
        loop_mode: LoopMode::LoopOff,
        continuation: Continuation::Off,
    });
    queue.current.track = "T1".into();
    Session {
        id: Uuid::new_v4(),
        user_id: UserId::stored(user),
        device_id: "d".into(),
        created_ms: 1,
        updated_ms: 1,
        version: 0,
        body: SessionBody {
            context: ContextRef {
                kind: ContextKind::Album,
                id: "AL".into(),
            },
            source_id: "AL".into(),
            source_type: medley_core::mrn::ItemKind::Album,
            tier: Tier::Unlimited,
            station: false,
            fulfillment_id: Uuid::new_v4(),
            requested_track: None,
            taken_over: false,
            replaced_by: None,
            progress_ms: None,
            recent_events: vec![],
            queue,
        },
    }
}

fn skip_event(s: &Session) -> EventRow {
    EventRow {
        session_id: s.id,
        entity_ref: Uuid::new_v4(),
        track_id: "T1".into(),
        kind: "stop".into(),
        user_skip: true,
        device_id: "d".into(),
        received_ms: 10,
        source: None,
        body: "{}".into(),
    }
}

#[tokio::test]
async fn compare_and_set_and_the_write_through_copy_stay_consistent() {
    let path = temp_db();
    let store = SqliteStore::open(&path).unwrap();
    let s = session("u1");
    store.create_session(&s, &[]).await.unwrap();
    let mut a = store.session(s.id).await.unwrap().unwrap();
    let stale = a.clone();
    a.body.progress_ms = Some(5);
    store.save_session(&a).await.unwrap();
    // A writer that read before that save loses, and the copy never goes back to its version.
    let mut b = stale.clone();
    b.body.progress_ms = Some(9);
    assert!(matches!(
        store.save_session(&b).await,
        Err(StoreError::Conflict)
    ));
    let now = store.session(s.id).await.unwrap().unwrap();
    assert_eq!(now.version, 1);
    assert_eq!(now.body.progress_ms, Some(5));
    // A batch whose session check fails applies nothing, not even its events.
    let commit = EventCommit {
        user_id: UserId::stored("u1"),
        sessions: vec![stale],
        streams: None,
        events: vec![skip_event(&s)],
    };
    assert!(matches!(
        store.commit_events(&commit).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.skips_since(&UserId::stored("u1"), 0).await.unwrap(),
        0
    );
    let commit = EventCommit {
        sessions: vec![now.clone()],
        streams: Some(UserStreams::default()),
        ..commit
    };
    store.commit_events(&commit).await.unwrap();
    assert_eq!(
        store.skips_since(&UserId::stored("u1"), 0).await.unwrap(),
        1
    );
    assert_eq!(
        store.streams(&UserId::stored("u1")).await.unwrap().version,
        1
    );
    // Reopening the file (a restart) sees exactly what was acknowledged.
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.session(s.id).await.unwrap().unwrap().version, 2);
    assert_eq!(
        store.streams(&UserId::stored("u1")).await.unwrap().version,
        1
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[tokio::test]
async fn expired_sessions_are_purged_with_their_copies() {
    let path = temp_db();
    let store = SqliteStore::open(&path).unwrap();
    let old = session("u");
    let mut recent = session("u");
    recent.updated_ms = 100;
    store.create_session(&old, &["T1".into()]).await.unwrap();
    store.create_session(&recent, &[]).await.unwrap();
    assert_eq!(store.purge_sessions(50).await.unwrap(), 1);
    assert!(store.session(old.id).await.unwrap().is_none());
    assert!(store.session(recent.id).await.unwrap().is_some());
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[tokio::test]
async fn catalog_import_is_idempotent_and_all_or_nothing() {
    let path = temp_db();
    let store = SqliteStore::open(&path).unwrap();
    store.import_catalog(catalog()).await.unwrap();
    store.import_catalog(catalog()).await.unwrap();
    let album = ContextRef {
        kind: ContextKind::Album,
        id: "AL".into(),
    };
    assert_eq!(store.context_len(&album).await.unwrap(), Some(2));
    let pl = ContextRef {
        kind: ContextKind::Playlist,
        id: "PL".into(),
    };
    assert_eq!(
        store.context_tracks(&pl, &[0, 1, 2, 3]).await.unwrap(),
        [
            Some("T2".into()),
            Some("T1".into()),
            Some("T2".into()),
            None
        ]
    );
    assert_eq!(store.context_index_of(&pl, "T2").await.unwrap(), Some(0));
    let artist = ContextRef {
        kind: ContextKind::Artist,
        id: "AR".into(),
    };
    assert_eq!(
        store.context_tracks(&artist, &[0, 1]).await.unwrap(),
        [Some("T1".into()), Some("T2".into())]
    );
    let t = store.tracks(&["T2".into(), "nope".into()]).await.unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].subtitle(), "Band - Record");
    assert_eq!(t[0].year, Some(1999));
    // A dangling reference: nothing of the file is imported.
    let mut bad = catalog();
    bad.tracks[0].title = "Renamed".into();
    bad.playlists[0].track_ids.push("T404".into());
    let err = store.import_catalog(bad).await.unwrap_err();
    assert!(err.to_string().contains("T404"), "{err}");
    assert_eq!(store.tracks(&["T1".into()]).await.unwrap()[0].title, "One");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[tokio::test]
async fn user_playlists_keep_dense_entries_and_leave_the_catalog_alone() {
    let store = SqliteStore::open(&temp_db()).unwrap();
    store.import_catalog(catalog()).await.unwrap();
    let mine = my_playlist();
    store.create_playlist(&mine).await.unwrap();
    let append = PlaylistEdit::Append(vec![
        ("e1".into(), "T1".into()),
        ("e2".into(), "T2".into()),
        ("e3".into(), "T1".into()),
    ]);
    assert!(store
        .edit_playlist(&playlist_id("MINE"), &append, 6)
        .await
        .unwrap());
    let remove = PlaylistEdit::Remove(vec!["e1".into()]);
    assert!(store
        .edit_playlist(&playlist_id("MINE"), &remove, 7)
        .await
        .unwrap());
    let moved = PlaylistEdit::Move {
        entry_id: "e3".into(),
        to: 0,
    };
    assert!(store
        .edit_playlist(&playlist_id("MINE"), &moved, 8)
        .await
        .unwrap());
    let entries = store
        .playlist_entries(&playlist_id("MINE"), None, 10)
        .await
        .unwrap();
    let order: Vec<(u32, &str)> = entries
        .iter()
        .map(|e| (e.index, e.entry_id.as_deref().unwrap()))
        .collect();
    assert_eq!(
        order,
        [(0, "e3"), (1, "e2")],
        "dense indices after every edit"
    );
    let pl = store
        .playlists(&[playlist_id("MINE")])
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!((pl.track_count, pl.duration, pl.updated_ms), (2, 300, 8));
    // The catalog's playlist is neither edited nor deleted through these.
    assert!(!store
        .edit_playlist(&playlist_id("PL"), &remove, 9)
        .await
        .unwrap());
    assert!(!store.delete_playlist(&playlist_id("PL")).await.unwrap());
    assert_eq!(
        store
            .playlist_entries(&playlist_id("PL"), None, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    // A user's playlist is deleted, entries and all.
    assert!(store.delete_playlist(&playlist_id("MINE")).await.unwrap());
    assert!(store
        .playlists(&[playlist_id("MINE")])
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .playlist_entries(&playlist_id("MINE"), None, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_user_playlist_plays_its_versions_and_purging_keeps_the_played_ones() {
    let store = SqliteStore::open(&temp_db()).unwrap();
    store.import_catalog(catalog()).await.unwrap();
    let mut pl = my_playlist();
    store.create_playlist(&pl).await.unwrap();
    let at = |pl: &PlaylistRecord| pl.snapshot();
    let tracks_of = |ctx: ContextRef| {
        let store = &store;
        async move { store.context_tracks(&ctx, &[0, 1, 2]).await.unwrap() }
    };
    let read = |id: &'static str| {
        let store = &store;
        async move {
            store
                .playlists(&[playlist_id(id)])
                .await
                .unwrap()
                .pop()
                .unwrap()
        }
    };
    let add = |t: &str| PlaylistEdit::Append(vec![(format!("e-{t}"), t.to_string())]);
    store
        .edit_playlist(&playlist_id("MINE"), &add("T1"), 6)
        .await
        .unwrap();
    let v1 = read("MINE").await;
    // A session plays version 1.
    let mut playing = session("U1");
    playing.body.context = at(&v1);
    store.create_session(&playing, &[]).await.unwrap();
    store
        .edit_playlist(&playlist_id("MINE"), &add("T2"), 7)
        .await
        .unwrap();
    let v2 = read("MINE").await;
    store
        .edit_playlist(&playlist_id("MINE"), &add("T1"), 8)
        .await
        .unwrap();
    pl = read("MINE").await;
    assert_eq!((v1.version, v2.version, pl.version), (1, 2, 3));
    assert_eq!(store.context_len(&at(&pl)).await.unwrap(), Some(3));
    assert_eq!(store.context_len(&at(&v1)).await.unwrap(), Some(1));
    assert_eq!(pl.duration, 400);

    store.purge_sessions(0).await.unwrap();
    let some = |ids: &[&str]| ids.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
    assert_eq!(
        tracks_of(at(&v1)).await,
        [Some("T1".into()), None, None],
        "played: kept"
    );
    assert_eq!(
        tracks_of(at(&v2)).await,
        [None, None, None],
        "unplayed and past: gone"
    );
    assert_eq!(
        tracks_of(at(&pl)).await,
        some(&["T1", "T2", "T1"]),
        "current: kept"
    );

    // A session cannot start on a version that is gone; the caller reads the playlist again.
    let mut late = session("U1");
    late.body.context = at(&v2);
    assert!(matches!(
        store.create_session(&late, &[]).await,
        Err(StoreError::Conflict)
    ));
}

/// A playlist id these tests name.
fn playlist_id(id: &str) -> medley_core::ids::PlaylistId {
    use medley_core::ids::Id;
    medley_core::ids::PlaylistId::parse(id).expect("a playlist id")
}
