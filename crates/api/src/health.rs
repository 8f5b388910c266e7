//! `/healthz` (the process is up) and `/readyz` (the store answers and writes; how the music
//! folders' scans stand).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use medley_service::library::folders::{FolderState, FolderStatus};
use medley_service::Medley;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{self, ApiError};

#[derive(Serialize, ToSchema)]
pub(crate) struct Status {
    status: &'static str,
}

/// The process is up
#[utoipa::path(get, path = "/healthz", tag = "Operations",
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = Status)))]
pub(crate) async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// A file or folder a scan could not read.
#[derive(Serialize, ToSchema)]
struct Skipped {
    path: String,
    reason: String,
}

/// A music folder and its last scan.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Folder {
    path: String,
    /// `waiting` (not scanned yet), `scanning`, `ready` or `unavailable` (missing,
    /// unreadable or empty: nothing was retired; `reason` says why).
    #[schema(pattern = "^(waiting|scanning|ready|unavailable)$")]
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// Files read so far of those found, while scanning.
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<Progress>,
    /// When the last scan that reached the library finished (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    scanned_at: Option<String>,
    /// Audio files the last scan found.
    files: usize,
    /// What the last scan could not read (at most 100).
    skipped: Vec<Skipped>,
}

#[derive(Serialize, ToSchema)]
struct Progress {
    done: usize,
    total: usize,
}

impl From<FolderStatus> for Folder {
    fn from(f: FolderStatus) -> Folder {
        let (state, reason, progress) = match f.state {
            FolderState::Waiting => ("waiting", None, None),
            FolderState::Scanning { done, total } => {
                ("scanning", None, Some(Progress { done, total }))
            }
            FolderState::Ready => ("ready", None, None),
            FolderState::Unavailable(why) => ("unavailable", Some(why), None),
        };
        Folder {
            path: f.path,
            state,
            reason,
            progress,
            scanned_at: f.scanned_ms.map(medley_core::time::iso8601_ms),
            files: f.files,
            skipped: f
                .skipped
                .into_iter()
                .map(|(path, reason)| Skipped { path, reason })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// `ready`.
    status: &'static str,
    /// The music folders (the `library` setting) and their scans. A folder that is
    /// unavailable does not make the server unready: the library keeps what it had.
    libraries: Vec<Folder>,
}

/// The store answers, and writes succeed
///
/// Not ready while the store cannot be reached, or while its writes fail for want of the disk
/// (then this probes with a write of its own, and is ready again once one succeeds). The
/// answer lists the music folders and how their scans stand.
#[utoipa::path(get, path = "/readyz", tag = "Operations",
    responses(
        (status = 200, description = "Ready, with the music folders' scans", body = Readiness),
        (status = 503, description = "The store cannot be reached or cannot write (STORE_UNAVAILABLE), with Retry-After", body = error::ErrorBody),
    ))]
pub(crate) async fn readyz(State(m): State<Medley>) -> Response {
    match m.ready().await {
        Ok(()) => Json(Readiness {
            status: "ready",
            libraries: m.folders.status().into_iter().map(Folder::from).collect(),
        })
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
