//! The music folders Medley looks after (`library` setting): each is scanned at start, again
//! within seconds of a change to its files (file system notifications), and on a period for
//! mounts that send none. A folder that is missing, unreadable or suddenly empty retires
//! nothing: it is shown as unavailable and looked at again every few seconds until it is back.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::Library;
use crate::Clock;

/// How long a folder's files must be quiet after a change before it is scanned: a tagger or a
/// copy writes many files in a row.
const QUIET: Duration = Duration::from_secs(2);
/// The longest a scan waits for quiet while changes keep coming.
const MAX_WAIT: Duration = Duration::from_secs(10);
/// How often an unavailable folder is looked at again.
const RETRY: Duration = Duration::from_secs(5);
/// How many skipped files a folder's status lists.
const SKIPPED_SHOWN: usize = 100;

/// Where a folder's scanning stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FolderState {
    /// Not scanned yet.
    Waiting,
    Scanning {
        done: usize,
        total: usize,
    },
    /// Scanned; what it holds is the library's.
    Ready,
    /// Missing, unreadable or empty: nothing was retired; why.
    Unavailable(String),
}

/// A music folder and its last scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderStatus {
    pub path: String,
    pub state: FolderState,
    /// When the last scan that changed the library finished.
    pub scanned_ms: Option<i64>,
    /// Audio files the last scan found.
    pub files: usize,
    /// Files or folders the last scan could not read, with why (the first hundred).
    pub skipped: Vec<(String, String)>,
}

/// The library's music folders and their scanning.
#[derive(Clone)]
pub struct Folders {
    library: Library,
    clock: Arc<dyn Clock>,
    roots: Arc<Vec<PathBuf>>,
    status: Arc<Mutex<Vec<FolderStatus>>>,
    /// Asks the running loop to scan every folder now.
    wake: Arc<tokio::sync::Notify>,
}

impl Folders {
    pub(crate) fn new(library: Library, clock: Arc<dyn Clock>, roots: Vec<PathBuf>) -> Folders {
        let roots: Vec<PathBuf> = roots
            .into_iter()
            .map(|r| std::path::absolute(&r).unwrap_or(r))
            .collect();
        let status = roots
            .iter()
            .map(|r| FolderStatus {
                path: r.to_string_lossy().into_owned(),
                state: FolderState::Waiting,
                scanned_ms: None,
                files: 0,
                skipped: Vec::new(),
            })
            .collect();
        Folders {
            library,
            clock,
            roots: Arc::new(roots),
            status: Arc::new(Mutex::new(status)),
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Every folder and where its scanning stands.
    pub fn status(&self) -> Vec<FolderStatus> {
        self.status.lock().unwrap().clone()
    }

    /// Scans every folder again as soon as the running scan (if any) is done.
    pub fn rescan(&self) {
        self.wake.notify_one();
    }

    /// Starts looking after the folders: scans them now, then on their changes, on
    /// `rescan_every` (if any) and on `rescan()`. Runs until the process ends.
    pub fn start(&self, rescan_every: Option<Duration>) {
        if self.roots.is_empty() {
            return;
        }
        let (tx, rx) = mpsc::unbounded_channel::<usize>();
        let roots = self.roots.clone();
        let watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
            let Ok(e) = e else { return };
            if !changes_files(&e.kind) {
                return;
            }
            for (i, root) in roots.iter().enumerate() {
                if e.paths.iter().any(|p| p.starts_with(root)) {
                    let _ = tx.send(i);
                }
            }
        });
        let watcher = match watcher {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(
                    "cannot watch the music folders ({e}); they are rescanned on the period only"
                );
                None
            }
        };
        tokio::spawn(self.clone().run(watcher, rx, rescan_every));
    }

    async fn run(
        self,
        mut watcher: Option<notify::RecommendedWatcher>,
        mut changed: mpsc::UnboundedReceiver<usize>,
        rescan_every: Option<Duration>,
    ) {
        let n = self.roots.len();
        let mut due = vec![true; n];
        let mut watched = vec![false; n];
        let mut next_period = rescan_every.map(|d| tokio::time::Instant::now() + d);
        loop {
            for i in 0..n {
                if !std::mem::take(&mut due[i]) {
                    continue;
                }
                let available = self.scan(i).await;
                // A folder that went away takes its watch with it; watch it again once back.
                if let Some(w) = watcher.as_mut() {
                    if available && !watched[i] {
                        match w.watch(&self.roots[i], RecursiveMode::Recursive) {
                            Ok(()) => watched[i] = true,
                            Err(e) => tracing::warn!(
                                "cannot watch {} ({e}); it is rescanned on the period only",
                                self.roots[i].display()
                            ),
                        }
                    } else if !available && watched[i] {
                        let _ = w.unwatch(&self.roots[i]);
                        watched[i] = false;
                    }
                }
            }
            let unavailable: Vec<usize> = self
                .status()
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s.state, FolderState::Unavailable(_)))
                .map(|(i, _)| i)
                .collect();
            let retry = async {
                if unavailable.is_empty() {
                    std::future::pending::<()>().await
                }
                tokio::time::sleep(RETRY).await
            };
            let period = async {
                match next_period {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                Some(i) = changed.recv() => {
                    due[i] = true;
                    settle(&mut changed, &mut due).await;
                }
                () = retry => unavailable.iter().for_each(|&i| due[i] = true),
                () = period => {
                    due.fill(true);
                    next_period = rescan_every.map(|d| tokio::time::Instant::now() + d);
                }
                () = self.wake.notified() => due.fill(true),
            }
        }
    }

    /// Scans folder `i` and imports it; whether it was there to scan.
    async fn scan(&self, i: usize) -> bool {
        let root = self.roots[i].clone();
        let status = self.status.clone();
        let progress = Box::new(move |done: usize, total: usize| {
            status.lock().unwrap()[i].state = FolderState::Scanning { done, total };
        });
        self.set(i, |s| s.state = FolderState::Scanning { done: 0, total: 0 });
        match self.library.import_folder(&root, progress).await {
            Ok((summary, scan)) => {
                let skipped: Vec<(String, String)> = scan
                    .skipped
                    .iter()
                    .take(SKIPPED_SHOWN)
                    .map(|(p, why)| (p.to_string_lossy().into_owned(), why.clone()))
                    .collect();
                tracing::info!(
                    folder = %root.display(),
                    files = scan.files,
                    tracks = summary.tracks,
                    retired = summary.retired,
                    skipped = scan.skipped.len(),
                    "scanned a music folder"
                );
                let now = self.clock.now_ms();
                self.set(i, |s| {
                    s.state = FolderState::Ready;
                    s.scanned_ms = Some(now);
                    s.files = scan.files;
                    s.skipped = skipped;
                });
                true
            }
            Err(e) => {
                let why = e.to_string();
                let already = self.status()[i].state == FolderState::Unavailable(why.clone());
                if !already {
                    tracing::error!(folder = %root.display(), "music folder unavailable: {why}");
                }
                self.set(i, |s| s.state = FolderState::Unavailable(why));
                false
            }
        }
    }

    fn set(&self, i: usize, change: impl FnOnce(&mut FolderStatus)) {
        change(&mut self.status.lock().unwrap()[i]);
    }
}

/// Whether a file system event may change what a folder holds: reading files (as a scan does)
/// does not.
fn changes_files(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

/// Waits for the folders' changes to settle: until `QUIET` passes without one, at most
/// `MAX_WAIT`; marks each folder that changed meanwhile.
async fn settle(changed: &mut mpsc::UnboundedReceiver<usize>, due: &mut [bool]) {
    let deadline = tokio::time::Instant::now() + MAX_WAIT;
    loop {
        let quiet = tokio::time::sleep(QUIET);
        tokio::select! {
            Some(i) = changed.recv() => due[i] = true,
            () = quiet => return,
            () = tokio::time::sleep_until(deadline) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessMode, CreateKind, MetadataKind, RemoveKind};

    #[test]
    fn reading_a_file_is_no_change_and_writing_one_is() {
        assert!(!changes_files(&EventKind::Access(AccessKind::Open(
            AccessMode::Read
        ))));
        assert!(!changes_files(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!changes_files(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(changes_files(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(changes_files(&EventKind::Create(CreateKind::File)));
        assert!(changes_files(&EventKind::Remove(RemoveKind::Any)));
    }
}
