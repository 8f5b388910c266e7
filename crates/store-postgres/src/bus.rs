//! The nodes' bus over PostgreSQL's LISTEN/NOTIFY: one connection per process, outside the
//! pool, listens on the channel of its schema and sends what the process posts, batched into
//! one `pg_notify` statement per turn. It opens on first use and reconnects when lost; after a
//! reconnect it says `Heard::Gap`, since whatever was notified meanwhile is gone.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use medley_store::Heard;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_postgres::{AsyncMessage, Client, NoTls};

/// PostgreSQL refuses payloads of 8000 bytes or more; a message that long is not sent.
const MAX_PAYLOAD: usize = 7999;
/// Messages sent in one statement at most.
const BATCH: usize = 256;
/// What is heard and not yet taken by a slow listener, at most, before it is told it lagged.
const HEARD_BACKLOG: usize = 4096;
/// The longest wait between two attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

enum Out {
    Message(String),
    Flush(oneshot::Sender<()>),
}

pub(crate) struct PgBus {
    config: tokio_postgres::Config,
    heard: broadcast::Sender<Heard>,
    outbox: OnceLock<mpsc::UnboundedSender<Out>>,
}

impl PgBus {
    pub(crate) fn new(config: tokio_postgres::Config) -> PgBus {
        PgBus {
            config,
            heard: broadcast::channel(HEARD_BACKLOG).0,
            outbox: OnceLock::new(),
        }
    }

    /// The way to the bus task, which starts on first use (within a Tokio runtime) and ends
    /// once the store is dropped.
    fn outbox(&self) -> Option<&mpsc::UnboundedSender<Out>> {
        if let Some(tx) = self.outbox.get() {
            return Some(tx);
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(self.outbox.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            runtime.spawn(run(self.config.clone(), rx, self.heard.clone()));
            tx
        }))
    }

    pub(crate) fn post(&self, message: String) {
        if message.len() > MAX_PAYLOAD {
            tracing::warn!(bytes = message.len(), "a bus message too long to send");
            return;
        }
        if let Some(tx) = self.outbox() {
            let _ = tx.send(Out::Message(message));
        }
    }

    pub(crate) async fn flush(&self) {
        let (done, sent) = oneshot::channel();
        if let Some(tx) = self.outbox() {
            if tx.send(Out::Flush(done)).is_ok() {
                let _ = sent.await;
            }
        }
    }

    pub(crate) fn hear(&self) -> broadcast::Receiver<Heard> {
        let rx = self.heard.subscribe();
        self.outbox();
        rx
    }
}

/// The channel of the schema the connection works in: processes over another schema of the
/// same database (each test has its own) are not heard.
async fn channel(client: &Client) -> Result<String, tokio_postgres::Error> {
    let schema: String = client
        .query_one("SELECT current_schema()::text", &[])
        .await?
        .get(0);
    Ok(format!("medley:{schema}"))
}

/// Keeps the bus connected until the store is gone. What could not be sent before a
/// connection was lost is sent on the next.
async fn run(
    config: tokio_postgres::Config,
    mut outbox: mpsc::UnboundedReceiver<Out>,
    heard: broadcast::Sender<Heard>,
) {
    let mut backoff = Duration::from_millis(50);
    let mut first = true;
    let mut unsent = Unsent::default();
    loop {
        match session(&config, &mut outbox, &heard, first, &mut unsent).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, "the bus connection to PostgreSQL was lost; reconnecting");
            }
        }
        first = false;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Taken from the outbox, not yet sent.
#[derive(Default)]
struct Unsent {
    messages: Vec<String>,
    flushes: Vec<oneshot::Sender<()>>,
}

impl Unsent {
    fn add(&mut self, out: Out) {
        match out {
            Out::Message(m) => self.messages.push(m),
            Out::Flush(done) => self.flushes.push(done),
        }
    }
}

/// One connection's life: listens, then sends what is posted and passes on what is heard,
/// until the connection fails (`Err`) or the store is dropped (`Ok`).
async fn session(
    config: &tokio_postgres::Config,
    outbox: &mut mpsc::UnboundedReceiver<Out>,
    heard: &broadcast::Sender<Heard>,
    first: bool,
    unsent: &mut Unsent,
) -> Result<(), String> {
    let e = |e: tokio_postgres::Error| e.to_string();
    let (client, mut connection) = config.connect(NoTls).await.map_err(e)?;
    let (tx, mut notifications) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    let _ = tx.send(Ok(n));
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            }
        }
    });
    let _stop_driver = AbortOnDrop(driver);
    let channel = channel(&client).await.map_err(e)?;
    let me: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .map_err(e)?
        .get(0);
    let notify = client
        .prepare("SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m")
        .await
        .map_err(e)?;
    client
        .batch_execute(&format!("LISTEN \"{}\"", channel.replace('"', "\"\"")))
        .await
        .map_err(e)?;
    if !first {
        let _ = heard.send(Heard::Gap);
    }
    loop {
        if !unsent.messages.is_empty() || !unsent.flushes.is_empty() {
            while unsent.messages.len() < BATCH {
                match outbox.try_recv() {
                    Ok(out) => unsent.add(out),
                    Err(_) => break,
                }
            }
            if !unsent.messages.is_empty() {
                client
                    .execute(&notify, &[&channel, &unsent.messages])
                    .await
                    .map_err(e)?;
                unsent.messages.clear();
            }
            for done in unsent.flushes.drain(..) {
                let _ = done.send(());
            }
        }
        tokio::select! {
            out = outbox.recv() => match out {
                Some(out) => unsent.add(out),
                None => return Ok(()),
            },
            n = notifications.recv() => match n {
                Some(Ok(n)) if n.process_id() != me => {
                    let _ = heard.send(Heard::Message(Arc::from(n.payload())));
                }
                Some(Ok(_)) => {}
                Some(Err(why)) => return Err(why),
                None => return Err("the connection closed".into()),
            },
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
