//! What the processes over one store share through it, on the backend the tests run on: rate
//! limits' token buckets, account-page sign-ins and, on PostgreSQL, the bus between nodes.

use std::time::Duration;

use medley_core::ids::UserId;
use medley_store::{BucketRule, Heard};
use medley_test_store::TestStore;

fn folder() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("medley-shared-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const RULE: BucketRule = BucketRule {
    per_sec: 5.0,
    burst: 10.0,
    forget_before_ms: 0,
};

#[tokio::test]
async fn token_buckets_are_taken_from_together_and_refill() {
    let dir = folder();
    let (a, b) = (TestStore::open(&dir).await, TestStore::open(&dir).await);
    let take = |s: &TestStore, key: &str, n: f64, now: i64| {
        let s = s.clone();
        let key = key.to_string();
        async move { s.take_shared(&[(key, n)], RULE, now).await.unwrap()[0] }
    };
    assert_eq!(take(&a, "k", 4.0, 1000).await, 6.0);
    assert_eq!(
        take(&b, "k", 4.0, 1000).await,
        2.0,
        "one bucket, whoever takes"
    );
    // Half a second refills 2.5; never past the burst; never below minus the burst.
    assert_eq!(take(&a, "k", 1.0, 1500).await, 3.5);
    assert_eq!(take(&a, "k", 0.0, 60_000).await, 10.0);
    assert_eq!(take(&a, "k", 50.0, 60_000).await, -10.0);
    // Several keys at once answer in the order asked; a key taken from is not forgotten.
    let many = [
        ("z".to_string(), 1.0),
        ("k".to_string(), 0.0),
        ("m".to_string(), 3.0),
    ];
    let held = b
        .take_shared(
            &many,
            BucketRule {
                forget_before_ms: 59_000,
                ..RULE
            },
            60_000,
        )
        .await
        .unwrap();
    assert_eq!(held, [9.0, -10.0, 7.0]);
    // Idle buckets go: one taken from long ago starts full.
    let later = BucketRule {
        forget_before_ms: 100_000,
        ..RULE
    };
    assert_eq!(
        a.take_shared(&[("z".into(), 1.0)], later, 200_000)
            .await
            .unwrap(),
        [9.0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn account_page_sign_ins_last_until_they_expire_or_close() {
    let dir = folder();
    let (a, b) = (TestStore::open(&dir).await, TestStore::open(&dir).await);
    a.open_web_session("h1", &UserId::stored("U1"), 0, 1000)
        .await
        .unwrap();
    a.open_web_session("h2", &UserId::stored("U2"), 0, 5000)
        .await
        .unwrap();
    assert_eq!(
        b.web_session("h1", 999).await.unwrap(),
        Some(UserId::stored("U1"))
    );
    assert_eq!(b.web_session("h1", 1000).await.unwrap(), None, "expired");
    b.close_web_session("h2").await.unwrap();
    assert_eq!(a.web_session("h2", 0).await.unwrap(), None, "closed");
    assert_eq!(a.web_session("nope", 0).await.unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn next(rx: &mut tokio::sync::broadcast::Receiver<Heard>) -> Heard {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("heard nothing")
        .expect("the bus closed")
}

/// The backend of the connection listening on the bus of `schema`, once it listens.
async fn listener_pid(admin: &tokio_postgres::Client, schema: &str) -> i32 {
    for _ in 0..200 {
        let rows = admin
            .query(
                "SELECT pid FROM pg_stat_activity WHERE query = $1",
                &[&format!("LISTEN \"medley:{schema}\"")],
            )
            .await
            .unwrap();
        if let Some(r) = rows.first() {
            return r.get(0);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let all: Vec<String> = admin
        .query("SELECT coalesce(query, '') FROM pg_stat_activity", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    panic!("nothing listens on the bus of {schema}: {all:?}");
}

#[tokio::test]
async fn nodes_hear_each_other_and_learn_when_they_may_have_missed_something() {
    let dir = folder();
    let (a, b) = (TestStore::open(&dir).await, TestStore::open(&dir).await);
    if !a.is_postgres() {
        assert!(!a.is_shared(), "one process serves a SQLite file");
        a.post("nobody hears this".into());
        a.flush().await;
        assert!(a.hear().try_recv().is_err());
        return;
    }
    assert!(a.is_shared());
    let url = medley_test_store::database_url(&dir).unwrap();
    let (admin, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let schema: String = admin
        .query_one("SELECT current_schema()::text", &[])
        .await
        .unwrap()
        .get(0);
    let mut to_b = b.hear();
    let b_pid = listener_pid(&admin, &schema).await;
    let mut to_a = a.hear();
    a.post("hello".into());
    a.flush().await;
    assert_eq!(next(&mut to_b).await, Heard::Message("hello".into()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(to_a.try_recv().is_err(), "a node does not hear itself");

    // B's bus connection dies: B reconnects and says it may have missed something, then
    // hears again.
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&b_pid])
        .await
        .unwrap();
    assert_eq!(next(&mut to_b).await, Heard::Gap);
    a.post("again".into());
    a.flush().await;
    assert_eq!(next(&mut to_b).await, Heard::Message("again".into()));
    let _ = std::fs::remove_dir_all(&dir);
}
