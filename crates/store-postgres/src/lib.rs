//! The PostgreSQL backend: every store trait over a pool of connections to one database, so
//! that several Medley processes (nodes) share it. Migrations apply at connect, under an
//! advisory lock, so nodes starting together apply them once.
//!
//! Every write runs in one transaction and is acknowledged once PostgreSQL committed it.
//! Concurrent writers are kept apart by the rows they touch: versioned compare-and-set for
//! sessions and streams (a lost race is `StoreError::Conflict`, which the service retries),
//! row locks where a read decides a write. Nothing is cached here: another node may have
//! written any row since.
//!
//! The store counts its calls (`PgStore::calls`): each is at least one round trip to the
//! server, and tests hold a request to the same number however many items it touches.

mod accounts;
mod browse;
mod bus;
mod catalog;
mod history;
mod limits;
mod playlists;
mod relations;
mod schema;
mod search;
mod sessions;
mod voice_catalog;

use std::sync::atomic::{AtomicU64, Ordering};

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use medley_store::{StoreError, StoreResult};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// Connections a node keeps open at most.
const POOL_SIZE: usize = 16;

pub struct PgStore {
    pool: Pool,
    calls: AtomicU64,
    writes: AtomicU64,
    bus: bus::PgBus,
}

pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(crate) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A database error as the store reports it: a unique or foreign-key violation is the caller's
/// (`Invalid`, in Medley's words: the database's names its tables and constraints, so it goes
/// to the log); a lost connection, a server shutting down or short of resources is
/// `Unavailable`; the rest the backend's.
pub(crate) fn pg(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if db.code().code().starts_with("23") => {
            tracing::info!(
                code = db.code().code(),
                "the database refused a write: {}",
                db.message()
            );
            StoreError::Invalid(
                "the request names something that does not exist, or adds what is already there"
                    .into(),
            )
        }
        Some(db) if is_fault(db.code().code()) => {
            StoreError::Unavailable(format!("{}: {}", db.code().code(), db.message()))
        }
        Some(db) => StoreError::Backend(format!("{}: {}", db.code().code(), db.message())),
        None if e.is_closed() || io_failure(&e) => StoreError::Unavailable(e.to_string()),
        None => StoreError::Backend(e.to_string()),
    }
}

/// Whether the connection's socket failed under the error.
fn io_failure(e: &tokio_postgres::Error) -> bool {
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// SQLSTATEs of a server that cannot serve just now: connection exceptions (08), insufficient
/// resources such as a full disk (53), and an administrator's shutdown or a server still
/// starting (57P01 to 57P03).
fn is_fault(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// `what` (a user, a playlist) already exists when the statement broke a key; else `pg`.
pub(crate) fn taken(e: tokio_postgres::Error, what: String) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Invalid(format!("{what} already exists"))
    } else {
        pg(e)
    }
}

pub(crate) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// Runs a statement prepared once per connection.
pub(crate) async fn rows<C: GenericClient>(
    c: &C,
    sql: &str,
    p: Params<'_>,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let st = c.prepare_cached(sql).await?;
    c.query(&st, p).await
}

pub(crate) async fn row_opt<C: GenericClient>(
    c: &C,
    sql: &str,
    p: Params<'_>,
) -> Result<Option<Row>, tokio_postgres::Error> {
    let st = c.prepare_cached(sql).await?;
    c.query_opt(&st, p).await
}

pub(crate) async fn exec<C: GenericClient>(
    c: &C,
    sql: &str,
    p: Params<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let st = c.prepare_cached(sql).await?;
    c.execute(&st, p).await
}

/// The first column of every row.
pub(crate) async fn column<C: GenericClient, T>(
    c: &C,
    sql: &str,
    p: Params<'_>,
) -> Result<Vec<T>, tokio_postgres::Error>
where
    T: for<'a> tokio_postgres::types::FromSql<'a>,
{
    Ok(rows(c, sql, p)
        .await?
        .iter()
        .map(|r| r.get::<_, T>(0))
        .collect())
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and applies pending
    /// migrations.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("the database URL: {e}")))?;
        let bus = bus::PgBus::new(config.clone());
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(backend)?;
        let store = PgStore {
            pool,
            calls: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            bus,
        };
        let mut c = store.client().await?;
        schema::migrate(&mut c).await?;
        Ok(store)
    }

    /// Reads and writes asked of the store so far: each at least one round trip.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Writes asked of the store so far.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// A pooled connection for a write: counted while it waits for one (as the SQLite
    /// backend counts writes waiting for its writer), timed until it is done.
    pub(crate) async fn writer(&self) -> StoreResult<Write> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!(WRITE_QUEUE).increment(1.0);
        let client = self.client().await;
        metrics::gauge!(WRITE_QUEUE).decrement(1.0);
        Ok(Write {
            client: client?,
            began: std::time::Instant::now(),
        })
    }

    /// A pooled connection for one store call.
    pub(crate) async fn client(&self) -> StoreResult<Object> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot reach the database: {e}")))
    }
}

/// Several nodes may serve from one database: they hear each other over LISTEN/NOTIFY.
#[async_trait::async_trait]
impl medley_store::Bus for PgStore {
    fn is_shared(&self) -> bool {
        true
    }
    fn post(&self, message: String) {
        self.bus.post(message)
    }
    async fn flush(&self) {
        self.bus.flush().await
    }
    fn hear(&self) -> tokio::sync::broadcast::Receiver<medley_store::Heard> {
        self.bus.hear()
    }
}

/// Writes waiting for a connection (a gauge).
const WRITE_QUEUE: &str = "medley_store_write_queue_depth";
/// How long each write took, from its first statement to its commit (a histogram).
const COMMIT_SECONDS: &str = "medley_store_commit_seconds";

/// The connection a write runs on; records how long it took when it is done.
pub(crate) struct Write {
    client: Object,
    began: std::time::Instant,
}

impl std::ops::Deref for Write {
    type Target = Object;
    fn deref(&self) -> &Object {
        &self.client
    }
}

impl std::ops::DerefMut for Write {
    fn deref_mut(&mut self) -> &mut Object {
        &mut self.client
    }
}

impl Drop for Write {
    fn drop(&mut self) {
        metrics::histogram!(COMMIT_SECONDS).record(self.began.elapsed().as_secs_f64());
    }
}

/// An unsigned count or position as PostgreSQL's `bigint`.
/// An id column: the store keeps only ids that were checked on their way in.
pub(crate) fn stored_id<T: medley_core::ids::Id>(r: &tokio_postgres::Row, at: usize) -> T {
    T::stored(r.get(at))
}

pub(crate) fn big(n: impl Into<u64>) -> i64 {
    i64::try_from(n.into()).unwrap_or(i64::MAX)
}

/// A `bigint` read back as a count or position.
pub(crate) fn small(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
