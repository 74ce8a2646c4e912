//! The engine API behind Kiln Studio. [`Studio`] exposes every operation the app needs as an
//! `async fn` taking and returning the serde types of [`dto`]; `kiln serve` (HTTP + SSE) and the
//! Tauri shell are thin adapters over it, and [`Studio::dispatch`] routes an operation name plus
//! its JSON request for them. Progress of runs and queries, and files changing on disk, arrive on
//! one broadcast stream of [`EngineEvent`]s ([`Studio::subscribe`]).
//!
//! Ownership choices worth knowing:
//! * The studio is the one process holding the project's DuckDB file. While it is open, a `kiln`
//!   CLI run against the same project gets the warehouse's "locked" error, which says to close
//!   the studio.
//! * Query results stay in the engine: each statement is materialised into a table of an
//!   in-memory database attached as `kiln_results`, and the UI pages, sorts and filters it with
//!   `fetchRows`; a ten-million-row result never travels to the UI whole.
//! * Runs are recorded under `target/runs/<runId>/` (`run_results.json`, plus the studio's own
//!   `run.json` and `results.json`), so history survives a restart.
//! * Blocking engine work (parsing, DuckDB, file I/O) runs on tokio's blocking pool.

mod bindings;
mod canvas;
mod charts;
mod column_stats;
mod connections;
mod dashboards;
mod diff;
mod dispatch;
mod downloads;
pub mod dto;
mod edits;
mod error;
mod explain;
mod external_runs;
mod file_ops;
mod files;
mod generic_tests;
mod grafana_import;
mod model;
mod paths;
mod query;
mod runs;
mod selection;
mod state;
mod stores;
mod streams;
mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::broadcast;

pub use bindings::{generated_bindings, stale_bindings, write_bindings, BindingsError, BINDINGS_DIR, REGENERATE};
pub use canvas::{
    CanvasAddStepRequest, CanvasAddStepResponse, CanvasColumn, CanvasJoinCheckRequest, CanvasJoinCheckResponse,
    CanvasOpenRequest, CanvasPreviewRequest, CanvasPreviewResponse, CanvasProfileRequest, CanvasProfileResponse,
    CanvasSchemasRequest, CanvasSchemasResponse, CanvasState, CanvasUpdateRequest, ColumnProfile, JoinCheck, StepInfo,
    StepSchema,
};
pub use dispatch::OPERATIONS;
pub use dto::*;
pub use error::{codes, diagnostic_dto, ApiError, ApiResult, ErrorKind};
pub use explain::{ExplainQueryRequest, ExplainResponse};
pub use file_ops::{
    CreateFileRequest, FileOpResponse, MovePathRequest, PathMove, PathReferences, PathRequest, ReferenceDto,
};
pub use generic_tests::{GenericTestDto, GenericTestsResponse, TestArgumentDto, TestArgumentValue, TestOriginDto};
/// The port the studio serves the project's Kinesis/Firehose endpoint on unless told otherwise.
pub use kiln_stream::api::DEFAULT_PORT as STREAM_PORT;
pub use selection::{SelectNodesRequest, SelectNodesResponse};

use state::ProjectState;

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_CAPACITY: usize = 4096;

/// Settings for a [`Studio`].
#[derive(Debug, Clone, Default)]
pub struct StudioOptions {
    /// Where the recent-projects list lives; `$KILN_CONFIG_DIR`, else `~/.kiln`, when `None`.
    pub config_dir: Option<PathBuf>,
    /// `--profiles-dir` for every project opened.
    pub profiles_dir: Option<PathBuf>,
    /// `--target` for every project opened.
    pub target: Option<String>,
    /// Watch the project folder for changes made outside the app (on unless disabled).
    pub disable_watcher: bool,
    /// Serve the open project's Kinesis/Firehose endpoint on 127.0.0.1 at this port (0: a free
    /// one); `None` serves none. The studio front ends pass
    /// [`kiln_stream::api::DEFAULT_PORT`].
    pub stream_port: Option<u16>,
    /// The loopback address the endpoint listens on (127.0.0.1 when `None`).
    pub stream_host: Option<std::net::IpAddr>,
}

/// The engine behind the studio. Cheap to clone; clones share the open project.
#[derive(Clone)]
pub struct Studio {
    inner: Arc<Inner>,
}

struct Inner {
    options: StudioOptions,
    events: broadcast::Sender<EngineEvent>,
    project: Mutex<Option<Arc<ProjectState>>>,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The data behind these locks stays consistent between statements, so a panic elsewhere
    // must not take the whole studio down with it.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs blocking engine work on tokio's blocking pool.
/// Cancels whatever the project's warehouse is running, if it is open (run and query cancel share it).
pub(crate) async fn interrupt_warehouse(state: &ProjectState) -> ApiResult<()> {
    if let Some(adapter) = state.adapter_if_open() {
        blocking(move || {
            adapter.interrupt();
            Ok(())
        })
        .await?;
    }
    Ok(())
}

pub(crate) async fn blocking<T, F>(work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ApiResult<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) => Err(ApiError::internal(format!("an engine task failed: {e}"))),
    }
}

impl Studio {
    pub fn new(options: StudioOptions) -> Studio {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        Studio {
            inner: Arc::new(Inner {
                options,
                events,
                project: Mutex::new(None),
            }),
        }
    }

    /// Every [`EngineEvent`] from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    pub(crate) fn project(&self) -> ApiResult<Arc<ProjectState>> {
        lock(&self.inner.project).clone().ok_or_else(ApiError::no_project)
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        // No subscriber is not an error: the UI may simply not be listening yet.
        let _ = self.inner.events.send(event);
    }

    fn config_dir(&self) -> Option<PathBuf> {
        self.inner
            .options
            .config_dir
            .clone()
            .or_else(|| std::env::var_os("KILN_CONFIG_DIR").map(PathBuf::from))
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".kiln")))
    }

    /// Opens a project (closing the current one): loads its layout and profile, takes the
    /// warehouse file and starts watching the folder.
    pub async fn open_project(&self, request: OpenProjectRequest) -> ApiResult<ProjectInfo> {
        let previous = lock(&self.inner.project).clone();
        if let Some(previous) = &previous {
            if previous.has_active_run() {
                return Err(ApiError::new(
                    ErrorKind::Conflict,
                    codes::BAD_REQUEST,
                    "a run is in progress in the open project",
                )
                .hint("cancel the run or wait for it to finish, then open the other project"));
            }
        }
        let options = self.inner.options.clone();
        let events = self.inner.events.clone();
        let studio = self.clone();
        let info = blocking(move || {
            let root = kiln_project::find_project_root(std::path::Path::new(&request.path))?;
            // The old project lets go of its warehouse before the new one opens it: the same
            // DuckDB file opened twice in one process would not be protected by the file lock.
            if let Some(previous) = lock(&studio.inner.project).take() {
                previous.close();
            }
            let state = ProjectState::open(root, &options, events)?;
            runs::load_statuses(&state);
            if !options.disable_watcher {
                if let Err(message) = watch::start(&state) {
                    studio.emit(EngineEvent::Log { run_id: None, message });
                }
            }
            if let Err(e) = state.adapter() {
                studio.emit(EngineEvent::Log {
                    run_id: None,
                    message: e.diagnostic.message.clone(),
                });
            }
            if let Some(port) = options.stream_port {
                let served = state
                    .streams()
                    .map_err(|e| e.diagnostic.message.clone())
                    .and_then(|engine| engine.serve(options.stream_host, port));
                let message = match served {
                    Ok(addr) => format!("Kinesis/Firehose endpoint for this project on http://{addr}"),
                    Err(message) => message,
                };
                studio.emit(EngineEvent::Log { run_id: None, message });
            }
            let info = state.info();
            *lock(&studio.inner.project) = Some(state);
            Ok(info)
        })
        .await?;
        if let Some(dir) = self.config_dir() {
            let root = info.root.clone();
            // The recent list is a convenience; failing to write it must not fail the open.
            let _ = blocking(move || Ok(files::remember_project(&dir, &root))).await;
        }
        Ok(info)
    }

    pub async fn project_info(&self, _request: Empty) -> ApiResult<ProjectInfo> {
        let state = self.project()?;
        blocking(move || Ok(state.info())).await
    }

    pub async fn recent_projects(&self, _request: Empty) -> ApiResult<RecentProjects> {
        let dir = self.config_dir();
        blocking(move || {
            Ok(RecentProjects {
                projects: dir.map(|d| files::recent_projects(&d)).unwrap_or_default(),
            })
        })
        .await
    }

    /// Closes the project: cancels nothing, but releases the warehouse file and the watcher.
    pub fn close_project(&self) {
        if let Some(state) = lock(&self.inner.project).take() {
            state.close();
        }
    }
}
