//! The open project: its configuration, profile, parsed manifest (re-parsed after changes), warehouse
//! adapter, runs, query sessions and watcher.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use kiln_compile::{Manifest, ParseOptions};
use kiln_diagnostics::Diagnostics;
use kiln_project::{ProfileOptions, Project, ProjectConfig, Target};
use kiln_warehouse::Adapter;
use tokio::sync::broadcast;

use crate::dto::{EngineEvent, NodeStatusDto, ProjectInfo, QueryHistoryEntry};
use crate::error::{slash_path, ApiError, ApiResult};
use crate::stores::{load_history, QueryStore, RunEntry, HISTORY_FILE};
use crate::{lock, StudioOptions};

/// Name of the in-memory database query results are materialised in.
pub(crate) const RESULTS_DB: &str = "kiln_results";

/// Where the query console keeps results so that paging, sorting, filtering, statistics,
/// charts and export all run as SQL on a local DuckDB, whatever the target.
#[derive(Clone)]
pub(crate) enum ResultStore {
    /// Beside the embedded warehouse (attached in memory): a result is `CREATE TABLE … AS` there.
    Warehouse(Arc<dyn Adapter>),
    /// A local in-memory DuckDB of its own, for a server target: a result's rows stream into it
    /// from the server in batches, so memory on the server side stays bounded.
    Local(Arc<kiln_warehouse::DuckDbAdapter>),
}

impl ResultStore {
    pub fn adapter(&self) -> Arc<dyn Adapter> {
        match self {
            ResultStore::Warehouse(adapter) => adapter.clone(),
            ResultStore::Local(local) => local.clone(),
        }
    }

    /// Whether `adapter` is the warehouse the results live beside, so a result is a
    /// `CREATE TABLE … AS` there; any other connection's rows stream into the store.
    pub fn is_beside(&self, adapter: &dyn Adapter) -> bool {
        match self {
            ResultStore::Warehouse(warehouse) => {
                std::ptr::addr_eq(Arc::as_ptr(warehouse), adapter as *const dyn Adapter)
            }
            ResultStore::Local(_) => false,
        }
    }
}

struct Cache {
    generation: u64,
    project: Result<Arc<Project>, Diagnostics>,
    manifest: Result<Arc<Manifest>, Diagnostics>,
}

pub(crate) struct ProjectState {
    pub root: PathBuf,
    /// dbt_project.yml as kiln-project reads it (folders, profile, `target-path`), read without
    /// loading the whole project so that the studio can open (and the explorer can show) a
    /// project whose files are broken.
    pub config: ProjectConfig,
    pub target: Target,
    pub events: broadcast::Sender<EngineEvent>,
    /// Bumped on every change to the project's files; the cache is valid for one generation.
    generation: AtomicU64,
    cache: Mutex<Option<Cache>>,
    adapter: Mutex<Option<Arc<dyn Adapter>>>,
    /// The console's result store, opened with the warehouse.
    results: Mutex<Option<ResultStore>>,
    pub runs: Mutex<BTreeMap<String, RunEntry>>,
    pub queries: Mutex<QueryStore>,
    pub history: Mutex<VecDeque<QueryHistoryEntry>>,
    /// Last known outcome of each node and when it was recorded, for the graph's colours.
    pub statuses: Mutex<HashMap<String, (NodeStatusDto, SystemTime)>>,
    pub watcher: Mutex<Option<notify::RecommendedWatcher>>,
    /// Exports waiting to be fetched as browser downloads.
    pub downloads: Mutex<crate::downloads::Downloads>,
    /// The project's streams, opened on first use.
    streams: Mutex<Option<Arc<crate::streams::StreamEngine>>>,
    /// The console's other connections, each opened on first use.
    pub consoles: crate::connections::OpenConnections,
}

impl ProjectState {
    pub fn open(
        root: PathBuf,
        options: &StudioOptions,
        events: broadcast::Sender<EngineEvent>,
    ) -> ApiResult<Arc<ProjectState>> {
        let profile_options = ProfileOptions {
            profiles_dir: options.profiles_dir.clone(),
            target: options.target.clone(),
            home: None,
        };
        let (config, target) =
            kiln_project::open(&root, &profile_options).map_err(|d| ApiError::from_diagnostics(&d))?;
        let history = load_history(&root.join(HISTORY_FILE));
        Ok(Arc::new(ProjectState {
            root,
            config,
            target,
            events,
            generation: AtomicU64::new(0),
            cache: Mutex::new(None),
            adapter: Mutex::new(None),
            results: Mutex::new(None),
            runs: Mutex::new(BTreeMap::new()),
            queries: Mutex::new(QueryStore::default()),
            history: Mutex::new(history),
            statuses: Mutex::new(HashMap::new()),
            watcher: Mutex::new(None),
            downloads: Mutex::new(crate::downloads::Downloads::default()),
            streams: Mutex::new(None),
            consoles: Default::default(),
        }))
    }

    pub fn emit(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }

    /// Where the profile's other targets are read from: the same profiles.yml as the studio's
    /// target (for the console's connections and `kiln diff`'s other side), `target` picked.
    pub fn profile_options(&self, target: Option<String>) -> ProfileOptions {
        ProfileOptions {
            profiles_dir: self
                .target
                .source_file
                .as_ref()
                .and_then(|f| f.parent())
                .map(PathBuf::from),
            target,
            home: None,
        }
    }

    pub fn target_dir(&self) -> PathBuf {
        self.root.join(&self.config.target_path)
    }

    /// Marks the parsed project out of date; the next reader parses again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Writes project files and marks the parse out of date as one step for readers: without
    /// the cache lock, a Build pressed between the rename and the invalidation could still
    /// run the project as it was before the save.
    pub fn change_files<T>(&self, change: impl FnOnce() -> T) -> T {
        let _readers_wait = lock(&self.cache);
        let out = change();
        self.invalidate();
        out
    }

    fn cached(&self) -> (Result<Arc<Project>, Diagnostics>, Result<Arc<Manifest>, Diagnostics>) {
        // Held while parsing, so that concurrent callers wait for one parse instead of each
        // starting their own. The generation is read under it, so a reader that waited for
        // `change_files` sees that change's generation.
        let mut cache = lock(&self.cache);
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(entry) = cache.as_ref().filter(|c| c.generation == generation) {
            return (entry.project.clone(), entry.manifest.clone());
        }
        let project = kiln_project::load_project(&self.root).map(Arc::new);
        let manifest = match &project {
            Ok(project) => kiln_compile::parse(project, &self.target, &ParseOptions::default()).map(Arc::new),
            Err(diagnostics) => Err(diagnostics.clone()),
        };
        *cache = Some(Cache {
            generation,
            project: project.clone(),
            manifest: manifest.clone(),
        });
        (project, manifest)
    }

    /// The loaded project files (before Jinja), or what keeps them from loading.
    pub fn project(&self) -> Result<Arc<Project>, Diagnostics> {
        self.cached().0
    }

    /// The parsed project, or what keeps it from parsing.
    pub fn manifest(&self) -> Result<Arc<Manifest>, Diagnostics> {
        self.cached().1
    }

    /// Like [`Self::manifest`], as an API error.
    pub fn require_manifest(&self) -> ApiResult<Arc<Manifest>> {
        self.manifest().map_err(|d| ApiError::from_diagnostics(&d))
    }

    /// The warehouse, opened on first use and kept open: the studio is the one owner of the file.
    pub fn adapter(&self) -> ApiResult<Arc<dyn Adapter>> {
        let mut slot = lock(&self.adapter);
        if let Some(adapter) = slot.as_ref() {
            return Ok(adapter.clone());
        }
        // Workers of a run plus a couple of connections for the query console and the schema browser.
        let adapter = kiln_targets::open(&self.target, self.target.threads.max(1) + 2)?;
        let attach = format!("ATTACH IF NOT EXISTS ':memory:' AS {RESULTS_DB}");
        let store = if adapter.kind() == "duckdb" {
            adapter.execute(&attach).map_err(|e| ApiError::from_adapter(&e))?;
            ResultStore::Warehouse(adapter.clone())
        } else {
            self.local_results()?
        };
        *lock(&self.results) = Some(store);
        *slot = Some(adapter.clone());
        Ok(adapter)
    }

    /// The local result store of a server target (kept if the console made it already).
    fn local_results(&self) -> ApiResult<ResultStore> {
        if let Some(store) = lock(&self.results).clone() {
            return Ok(store);
        }
        let local = kiln_warehouse::DuckDbAdapter::in_memory_with_threads(4).map_err(|e| ApiError::from_adapter(&e))?;
        local
            .execute(&format!("ATTACH IF NOT EXISTS ':memory:' AS {RESULTS_DB}"))
            .map_err(|e| ApiError::from_adapter(&e))?;
        Ok(ResultStore::Local(Arc::new(local)))
    }

    /// The console's result store (opening the warehouse first if needed; a server target's
    /// store is local and opens without it, so saved connections work while the target is down).
    pub fn result_store(&self) -> ApiResult<ResultStore> {
        if let Some(store) = lock(&self.results).clone() {
            return Ok(store);
        }
        if self.target.kind != kiln_project::TargetKind::DuckDb {
            let store = self.local_results()?;
            *lock(&self.results) = Some(store.clone());
            return Ok(store);
        }
        self.adapter()?;
        lock(&self.results)
            .clone()
            .ok_or_else(|| ApiError::internal("the result store did not open with the warehouse"))
    }

    /// The adapter result tables (`kiln_results.main.q…`) are read and written through.
    pub fn results(&self) -> ApiResult<Arc<dyn Adapter>> {
        Ok(self.result_store()?.adapter())
    }

    /// The warehouse if it is already open; never opens it.
    pub fn adapter_if_open(&self) -> Option<Arc<dyn Adapter>> {
        lock(&self.adapter).clone()
    }

    /// The project's streams, opened on first use; on a DuckDB warehouse the refresh loop of its
    /// streaming views and deliveries runs while they are open.
    pub fn streams(&self) -> ApiResult<Arc<crate::streams::StreamEngine>> {
        let mut slot = lock(&self.streams);
        if let Some(engine) = slot.as_ref() {
            return Ok(engine.clone());
        }
        let adapter = match self.target.kind {
            kiln_project::TargetKind::DuckDb => Some(self.adapter()?),
            _ => None,
        };
        let engine = Arc::new(crate::streams::StreamEngine::open(self, adapter).map_err(|e| {
            ApiError::new(
                crate::ErrorKind::Locked,
                kiln_diagnostics::Code::Stream.as_str(),
                e.to_string(),
            )
        })?);
        *slot = Some(engine.clone());
        Ok(engine)
    }

    pub fn has_active_run(&self) -> bool {
        lock(&self.runs).values().any(|r| r.is_running())
    }

    /// Lets go of the warehouse file and stops watching.
    pub fn close(&self) {
        if let Some(streams) = lock(&self.streams).take() {
            streams.stop();
        }
        lock(&self.watcher).take();
        lock(&self.queries).clear();
        self.consoles.clear();
        lock(&self.adapter).take();
    }

    pub fn info(&self) -> ProjectInfo {
        let mut counts = BTreeMap::new();
        if let Ok(manifest) = self.manifest() {
            for node in manifest.nodes.values() {
                *counts.entry(node.resource_type.as_str().to_string()).or_insert(0) += 1;
            }
        }
        ProjectInfo {
            name: self.config.name.clone(),
            root: slash_path(&self.root),
            target_name: self.target.name.clone(),
            target_kind: self.target.kind.as_str().to_string(),
            warehouse_path: self.target.path.as_deref().map(slash_path),
            schema: self.target.schema.clone(),
            counts,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_reader_arriving_mid_save_waits_and_sees_the_saved_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("dbt_project.yml"),
            "name: tiny\nversion: '1.0'\nconfig-version: 2\nprofile: tiny\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("models")).unwrap();
        let model = dir.path().join("models/a.sql");
        std::fs::write(&model, "select 1 as x").unwrap();
        let (events, _) = broadcast::channel(16);
        let options = StudioOptions {
            disable_watcher: true,
            ..StudioOptions::default()
        };
        let state = ProjectState::open(dir.path().to_path_buf(), &options, events).unwrap();
        assert!(state.manifest().is_ok(), "the tiny project parses before the save");

        let (written_tx, written_rx) = std::sync::mpsc::channel();
        let writer = {
            let state = state.clone();
            std::thread::spawn(move || {
                state.change_files(|| {
                    std::fs::write(&model, "select * from {{ ref('missing') }}").unwrap();
                    written_tx.send(()).unwrap();
                    // Wide open: the file is on disk, the parse is not yet marked stale.
                    std::thread::sleep(Duration::from_millis(150));
                });
            })
        };
        written_rx.recv().unwrap();
        // A Build pressed the moment the file is on disk must not run the project as it was.
        let manifest = state.manifest();
        writer.join().unwrap();
        let Err(errors) = manifest else {
            panic!(
                "the saved, broken ref must be seen; after the save: {:?}",
                state.manifest().err()
            );
        };
        assert!(errors.0.iter().any(|d| d.message.contains("missing")), "{errors:?}");
    }
}
