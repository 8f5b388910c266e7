//! The embedded SQLite backend: one file under the data dir, WAL, migrations applied on open.
//!
//! Reads run on a small pool of connections: lookups by key where they are asked for, reads
//! whose work depends on the data on the runtime's blocking threads (so a slow search never
//! stalls the async workers), at most one per core at once. Every write goes to one writer thread
//! that groups whatever writes are waiting into a single transaction (each in its own savepoint)
//! and commits with `synchronous=FULL`: a write is acknowledged only once it is on disk, and many
//! writes share one fsync.
//!
//! Every connection that serves requests counts the SQLite virtual-machine steps it runs
//! (`SqliteStore::work`): the measure of a request's cost that tests hold constant. The store
//! also counts its calls (`SqliteStore::calls`), each of which would be a round trip to a
//! database server: tests hold a request to the same number however many items it touches.

mod accounts;
mod browse;
mod catalog;
mod history;
mod hot;
mod limits;
mod playlists;
mod relations;
mod schema;
mod search;
mod sessions;
mod voice_catalog;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use medley_store::{Bus, StoreError, StoreResult};
use rusqlite::Connection;

type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// A write: given the connection (or `None` when the group could not begin), runs and returns
/// how it went and how to answer once the commit is known.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (Done, Reply) + Send>;

/// How a write's own statements went.
#[derive(Clone, Copy, PartialEq)]
enum Done {
    Ok,
    Failed,
    /// Failed for want of the disk or the file (`StoreError::Unavailable`).
    Faulted,
}

/// Scans running at once, at most: one per core (they are CPU work); more wait for a slot
/// instead of opening connections without bound.
fn read_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}
/// How many VM steps between two calls of the step counter (SQLite's progress handler): rare
/// enough to cost nothing measurable, fine enough to tell a constant cost from a growing one.
const STEP_PERIOD: i32 = 64;

/// Below this much free space under the database `/readyz` says not ready: about what a burst
/// of writes adds to the write-ahead log before a checkpoint.
const MIN_FREE_BYTES: u64 = 1 << 20;

/// Every counting connection's own counter (never contended: one connection runs on one
/// thread at a time); the store's work is their sum.
#[derive(Default)]
struct Work(Mutex<Vec<Arc<AtomicU64>>>);

impl Work {
    fn counter(&self) -> Arc<AtomicU64> {
        let c = Arc::new(AtomicU64::new(0));
        self.0.lock().unwrap().push(c.clone());
        c
    }

    fn total(&self) -> u64 {
        let counters = self.0.lock().unwrap();
        counters.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

/// The read side: the pooled connections and what they need to open more.
struct Readers {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
    slots: tokio::sync::Semaphore,
    work: Arc<Work>,
    calls: AtomicU64,
    writes: AtomicU64,
}

impl Readers {
    fn run<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let conn = self.pool.lock().unwrap().pop();
        let conn = match conn {
            Some(c) => c,
            None => open_counted(&self.path, &self.work).map_err(backend)?,
        };
        let out = f(&conn).map_err(backend);
        self.pool.lock().unwrap().push(conn);
        out
    }
}

pub struct SqliteStore {
    readers: Arc<Readers>,
    writer: Mutex<mpsc::Sender<Job>>,
    /// Whether the writer's last group failed for want of the disk or the file.
    write_failing: Arc<AtomicBool>,
    hot: hot::Hot,
    /// One process serves a file, so there is nobody to tell.
    bus: medley_store::LocalBus,
    /// The checkpoint thread runs while this lives.
    _alive: std::sync::Arc<()>,
}

#[async_trait::async_trait]
impl Bus for SqliteStore {
    fn is_shared(&self) -> bool {
        self.bus.is_shared()
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

/// A database error as the store reports it: a full disk, a failing or unopenable file, or a
/// lock held past the busy timeout is `Unavailable` (a retry may succeed); the rest `Backend`.
fn backend(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(
            DiskFull
            | SystemIoFailure
            | CannotOpen
            | ReadOnly
            | DatabaseBusy
            | DatabaseLocked
            | OutOfMemory
            | FileLockingProtocolFailed,
        ) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Whether a statement broke a constraint (a key already there).
/// An id column: the store keeps only ids that were checked on their way in.
fn stored_id<T: medley_core::ids::Id>(r: &rusqlite::Row, at: usize) -> rusqlite::Result<T> {
    Ok(T::stored(r.get(at)?))
}

fn unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// `what` (a user, a playlist) already exists when the statement broke a key; else `backend`.
fn taken(e: rusqlite::Error, what: String) -> StoreError {
    if unique_violation(&e) {
        StoreError::Invalid(format!("{what} already exists"))
    } else {
        backend(e)
    }
}

/// A failure that is not the database's own.
fn broken(why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(why.to_string())
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000;",
    )?;
    Ok(conn)
}

/// A connection whose VM steps count in `work`.
fn open_counted(path: &Path, work: &Work) -> rusqlite::Result<Connection> {
    let conn = open_connection(path)?;
    let work = work.counter();
    conn.progress_handler(
        STEP_PERIOD,
        Some(move || {
            work.fetch_add(STEP_PERIOD as u64, Ordering::Relaxed);
            false
        }),
    );
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| broken(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        let work = Arc::new(Work::default());
        let mut conn = open_counted(path, &work).map_err(backend)?;
        schema::migrate(&mut conn).map_err(backend)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let write_failing = Arc::new(AtomicBool::new(false));
        let failing = write_failing.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx, &failing))
            .map_err(broken)?;
        let alive = std::sync::Arc::new(());
        let checkpoints = open_connection(path).map_err(backend)?;
        let weak = std::sync::Arc::downgrade(&alive);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpoints, weak))
            .map_err(broken)?;
        Ok(SqliteStore {
            readers: Arc::new(Readers {
                path: path.to_path_buf(),
                pool: Mutex::new(Vec::new()),
                slots: tokio::sync::Semaphore::new(read_slots()),
                work,
                calls: AtomicU64::new(0),
                writes: AtomicU64::new(0),
            }),
            writer: Mutex::new(tx),
            write_failing,
            hot: hot::Hot::default(),
            bus: medley_store::LocalBus::default(),
            _alive: alive,
        })
    }

    /// SQLite VM steps run so far by the connections that serve requests (not the background
    /// checkpoints): the work a request costs is the difference across it.
    pub fn work(&self) -> u64 {
        self.readers.work.total()
    }

    /// Whether the last group of writes failed for want of the disk or the file.
    fn write_failing(&self) -> bool {
        self.write_failing.load(Ordering::Relaxed)
    }

    /// Unavailable while the filesystem under the database has less than [`MIN_FREE_BYTES`]
    /// free. A full disk fails writes only now and then (a write that fits where a checkpoint
    /// made room succeeds), so a write that succeeds is no sign that the disk has room again.
    fn disk_has_room(&self) -> StoreResult<()> {
        let path = &self.readers.path;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let Ok(fs) = rustix::fs::statvfs(dir) else {
            return Ok(());
        };
        let free = fs.f_bavail.saturating_mul(fs.f_frsize);
        if free < MIN_FREE_BYTES {
            return Err(StoreError::Unavailable(format!(
                "{} has {free} bytes free",
                dir.display()
            )));
        }
        Ok(())
    }

    /// Reads and writes asked of the store so far: what would be round trips to a server.
    pub fn calls(&self) -> u64 {
        self.readers.calls.load(Ordering::Relaxed)
    }

    /// Writes asked of the store so far.
    pub fn writes(&self) -> u64 {
        self.readers.writes.load(Ordering::Relaxed)
    }

    /// Runs a lookup by key (a handful of index probes, microseconds) on a pooled connection,
    /// right here: handing it to another thread would cost more than it does.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> StoreResult<T> {
        self.readers.run(f)
    }

    /// Runs a read whose work depends on the data (a search, the recommender's candidates, a
    /// list of thousands of entries) on a blocking thread, at most one per core at once, so
    /// that it never stalls the requests the async workers serve meanwhile.
    async fn scan<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        let readers = self.readers.clone();
        let _slot = readers
            .slots
            .acquire()
            .await
            .map_err(|_| broken("the store is closed"))?;
        let r = readers.clone();
        tokio::task::spawn_blocking(move || r.run(f))
            .await
            .map_err(|e| broken(format!("a read failed: {e}")))?
    }

    /// Runs `f` inside the writer's next group commit; resolves once that commit is durable.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.readers.calls.fetch_add(1, Ordering::Relaxed);
        self.readers.writes.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = tokio::sync::oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(broken("could not begin a transaction")),
            };
            let done = match &result {
                Ok(_) => Done::Ok,
                Err(StoreError::Unavailable(_)) => Done::Faulted,
                Err(_) => Done::Failed,
            };
            let reply: Reply = Box::new(move |commit| {
                let _ = tx.send(commit.and(result));
            });
            (done, reply)
        });
        self.writer
            .lock()
            .unwrap()
            .send(job)
            .map_err(|_| broken("the writer thread has stopped"))?;
        metrics::gauge!(WRITE_QUEUE).increment(1.0);
        rx.await
            .map_err(|_| broken("the writer thread dropped a write"))?
    }
}

const MAX_GROUP: usize = 256;

/// Writes waiting for the writer thread (a gauge).
const WRITE_QUEUE: &str = "medley_store_write_queue_depth";
/// How long each group commit took, from BEGIN to durable COMMIT (a histogram).
const COMMIT_SECONDS: &str = "medley_store_commit_seconds";

/// Copies committed WAL pages into the database file in the background (PASSIVE: it never
/// blocks a commit), so that the writer's own automatic checkpoint, which bounds the WAL,
/// finds little left to do and commits do not stall behind it.
fn checkpoint_loop(conn: Connection, alive: std::sync::Weak<()>) {
    while alive.upgrade().is_some() {
        std::thread::sleep(std::time::Duration::from_millis(250));
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!("checkpoint: {e}");
        }
    }
}

/// Runs a statement the writer uses over and over, prepared once.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

/// Runs the writes in groups, one transaction each; `failing` says whether the last group failed
/// for want of the disk or the file.
fn writer_loop(conn: Connection, rx: mpsc::Receiver<Job>, failing: &AtomicBool) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        metrics::gauge!(WRITE_QUEUE).decrement(jobs.len() as f64);
        let began = std::time::Instant::now();
        let mut replies: Vec<Reply> = Vec::with_capacity(jobs.len());
        if let Err(e) = run(&conn, "BEGIN IMMEDIATE") {
            let e = backend(e);
            failing.store(matches!(e, StoreError::Unavailable(_)), Ordering::Relaxed);
            for job in jobs {
                let (_, reply) = job(None);
                reply(Err(e.clone()));
            }
            continue;
        }
        let mut faulted = false;
        for job in jobs {
            let savepoint = run(&conn, "SAVEPOINT job");
            let (done, reply) = job(Some(&conn));
            faulted |= done == Done::Faulted;
            if savepoint.is_ok() {
                let end = if done == Done::Ok {
                    run(&conn, "RELEASE job")
                } else {
                    run(&conn, "ROLLBACK TO job").and_then(|_| run(&conn, "RELEASE job"))
                };
                if let Err(e) = end {
                    tracing::error!("savepoint: {e}");
                }
            }
            replies.push(reply);
        }
        let commit = run(&conn, "COMMIT").map(|_| ()).map_err(backend);
        if commit.is_err() {
            let _ = run(&conn, "ROLLBACK");
        }
        faulted |= matches!(commit, Err(StoreError::Unavailable(_)));
        failing.store(faulted, Ordering::Relaxed);
        metrics::histogram!(COMMIT_SECONDS).record(began.elapsed().as_secs_f64());
        for reply in replies {
            reply(commit.clone());
        }
    }
}
