//! Finding users on the backend the tests run on: every user a page at a time, and a user by
//! id or by name.

use medley_core::ids::UserId;
use medley_core::policy::Tier;
use medley_store::{User, Visibility};
use medley_test_store::TestStore;

fn folder() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("medley-users-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn user(id: &str, name: &str) -> User {
    User {
        id: UserId::stored(id),
        name: name.into(),
        tier: Tier::Unlimited,
        max_streams: 1,
        visibility: Visibility::Public,
        playback_visibility: Visibility::Public,
        created_ms: 0,
        admin: false,
    }
}

#[tokio::test]
async fn users_page_by_id_and_are_found_by_id_or_name() {
    let dir = folder();
    let store = TestStore::open(&dir).await;
    for (id, name) in [("A3", "Cleo"), ("A1", "Twin"), ("A2", "twin"), ("A4", "A1")] {
        store.create_user(&user(id, name)).await.unwrap();
    }
    let ids = |users: Vec<User>| -> Vec<String> {
        users.into_iter().map(|u| u.id.into_string()).collect()
    };
    assert_eq!(
        ids(store.users_after(None, 3).await.unwrap()),
        ["A1", "A2", "A3"]
    );
    let after = UserId::stored("A3");
    assert_eq!(
        ids(store.users_after(Some(&after), 3).await.unwrap()),
        ["A4"]
    );
    let mut twins = ids(store.users_called("TWIN").await.unwrap());
    twins.sort();
    assert_eq!(twins, ["A1", "A2"], "names, case aside");
    // A login that is one user's id and another's name finds both; the caller picks the id.
    let mut both = ids(store.users_called("A1").await.unwrap());
    both.sort();
    assert_eq!(both, ["A1", "A4"]);
    assert!(store.users_called("nobody").await.unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
