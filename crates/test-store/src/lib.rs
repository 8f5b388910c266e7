//! The store a test runs on. By default SQLite, in the test's own folder; with
//! `MEDLEY_TEST_DATABASE_URL=postgres://…` set, a schema of its own in that PostgreSQL database,
//! so that the same tests check both backends (`.ci/run` runs them once on each).

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use medley_store::Store;
use medley_store_postgres::PgStore;
use medley_store_sqlite::SqliteStore;

/// The variable that points the tests at a PostgreSQL database.
pub const DATABASE_URL: &str = "MEDLEY_TEST_DATABASE_URL";

/// A test's store, with the counters tests hold requests to.
#[derive(Clone)]
pub enum TestStore {
    Sqlite(Arc<SqliteStore>),
    Postgres(Arc<PgStore>),
}

impl TestStore {
    /// A fresh store for a test whose files live in `dir`.
    pub async fn open(dir: &Path) -> TestStore {
        match database_url(dir) {
            Some(url) => TestStore::Postgres(Arc::new(
                PgStore::connect(&url)
                    .await
                    .expect("connecting to PostgreSQL"),
            )),
            None => TestStore::Sqlite(Arc::new(
                SqliteStore::open(&dir.join("medley.db")).expect("opening SQLite"),
            )),
        }
    }

    pub fn shared(&self) -> Arc<dyn Store> {
        match self {
            TestStore::Sqlite(s) => s.clone(),
            TestStore::Postgres(s) => s.clone(),
        }
    }

    /// Store calls so far: what would be (or are) round trips to a database server.
    pub fn calls(&self) -> u64 {
        match self {
            TestStore::Sqlite(s) => s.calls(),
            TestStore::Postgres(s) => s.calls(),
        }
    }

    /// Writes asked of the store so far (every write goes through the backend's one door).
    pub fn writes(&self) -> u64 {
        match self {
            TestStore::Sqlite(s) => s.writes(),
            TestStore::Postgres(s) => s.writes(),
        }
    }

    /// The work done so far as the backend counts it, deterministically: SQLite's VM steps;
    /// on PostgreSQL, which has no such counter a test can read, its round trips.
    pub fn work(&self) -> u64 {
        match self {
            TestStore::Sqlite(s) => s.work(),
            TestStore::Postgres(s) => s.calls(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestStore::Postgres(_))
    }
}

impl Deref for TestStore {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        match self {
            TestStore::Sqlite(s) => &**s,
            TestStore::Postgres(s) => &**s,
        }
    }
}

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(DATABASE_URL).is_ok_and(|u| !u.is_empty())
}

/// The URL of a PostgreSQL schema of the test's own (named after its folder, so that every
/// process a test starts on that folder shares it), created if need be; `None` when the tests
/// run on SQLite.
pub fn database_url(dir: &Path) -> Option<String> {
    let base = std::env::var(DATABASE_URL).ok().filter(|u| !u.is_empty())?;
    let schema = schema_name(dir);
    let admin = base.clone();
    let create = schema.clone();
    // On a thread of its own: the caller may be inside an async runtime, or not.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("connecting to {admin}: {e}"));
            tokio::spawn(conn);
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {create}"))
                .await
                .unwrap();
        })
    })
    .join()
    .expect("creating the test's schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

fn schema_name(dir: &Path) -> String {
    let name = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, dir.to_string_lossy().as_bytes());
    format!("t_{}", name.simple())
}
