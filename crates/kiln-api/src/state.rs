//! The open project: its layout, profile, parsed manifest (re-parsed after changes), warehouse
//! adapter, runs, query sessions and watcher.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use kiln_compile::{Manifest, ParseOptions};
use kiln_diagnostics::{Code, Diagnostic, Diagnostics};
use kiln_project::{ProfileOptions, Project, Target, TargetKind};
use kiln_warehouse::{Adapter, DuckDbAdapter};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::dto::{EngineEvent, NodeStatusDto, ProjectInfo, QueryHistoryEntry};
use crate::error::{slash_path, ApiError, ApiResult, ErrorKind};
use crate::query::QueryStore;
use crate::runs::RunEntry;
use crate::{lock, StudioOptions};

/// Name of the in-memory database query results are materialised in.
pub(crate) const RESULTS_DB: &str = "kiln_results";

/// The folders of `dbt_project.yml`, read without loading the whole project so that the studio
/// can open (and the explorer can show) a project whose files are broken.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub name: String,
    pub profile: Option<String>,
    pub model_paths: Vec<String>,
    pub seed_paths: Vec<String>,
    pub test_paths: Vec<String>,
    pub analysis_paths: Vec<String>,
    pub macro_paths: Vec<String>,
    pub snapshot_paths: Vec<String>,
    pub target_path: String,
}

impl Layout {
    fn read(root: &Path) -> Result<Layout, Diagnostics> {
        let text = std::fs::read_to_string(root.join(kiln_project::PROJECT_FILE)).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(Code::ProjectNotFound, format!("cannot read dbt_project.yml: {e}"))
                    .in_file(kiln_project::PROJECT_FILE),
            )
        })?;
        let raw: Value = kiln_project::parse_yaml(&text, Path::new(kiln_project::PROJECT_FILE))?;
        let folder_name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let string = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_string);
        let paths = |key: &str, default: &str| -> Vec<String> {
            let list = match raw.get(key) {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                Some(Value::String(one)) => vec![one.clone()],
                _ => vec![default.to_string()],
            };
            list.into_iter().map(|p| p.trim_end_matches('/').to_string()).collect()
        };
        Ok(Layout {
            name: string("name").unwrap_or(folder_name),
            profile: string("profile"),
            model_paths: paths("model-paths", "models"),
            seed_paths: paths("seed-paths", "seeds"),
            test_paths: paths("test-paths", "tests"),
            analysis_paths: paths("analysis-paths", "analyses"),
            macro_paths: paths("macro-paths", "macros"),
            snapshot_paths: paths("snapshot-paths", "snapshots"),
            target_path: string("target-path")
                .unwrap_or_else(|| "target".into())
                .trim_end_matches('/')
                .to_string(),
        })
    }
}

struct Cache {
    generation: u64,
    project: Result<Arc<Project>, Diagnostics>,
    manifest: Result<Arc<Manifest>, Diagnostics>,
}

pub(crate) struct ProjectState {
    pub root: PathBuf,
    pub layout: Layout,
    pub target: Target,
    pub events: broadcast::Sender<EngineEvent>,
    /// Bumped on every change to the project's files; the cache is valid for one generation.
    generation: AtomicU64,
    cache: Mutex<Option<Cache>>,
    adapter: Mutex<Option<Arc<dyn Adapter>>>,
    pub runs: Mutex<BTreeMap<String, RunEntry>>,
    pub queries: Mutex<QueryStore>,
    pub history: Mutex<VecDeque<QueryHistoryEntry>>,
    /// Last known outcome of each node and when it was recorded, for the graph's colours.
    pub statuses: Mutex<HashMap<String, (NodeStatusDto, SystemTime)>>,
    pub watcher: Mutex<Option<notify::RecommendedWatcher>>,
}

impl ProjectState {
    pub fn open(
        root: PathBuf,
        options: &StudioOptions,
        events: broadcast::Sender<EngineEvent>,
    ) -> ApiResult<Arc<ProjectState>> {
        let layout = Layout::read(&root).map_err(|d| ApiError::from_diagnostics(&d))?;
        let profile_options = ProfileOptions {
            profiles_dir: options.profiles_dir.clone(),
            target: options.target.clone(),
            home: None,
        };
        let target = kiln_project::load_target(&root, layout.profile.as_deref(), &profile_options)?;
        let history = crate::query::load_history(&root.join(crate::query::HISTORY_FILE));
        let state = Arc::new(ProjectState {
            root,
            layout,
            target,
            events,
            generation: AtomicU64::new(0),
            cache: Mutex::new(None),
            adapter: Mutex::new(None),
            runs: Mutex::new(BTreeMap::new()),
            queries: Mutex::new(QueryStore::default()),
            history: Mutex::new(history),
            statuses: Mutex::new(HashMap::new()),
            watcher: Mutex::new(None),
        });
        crate::runs::load_statuses(&state);
        Ok(state)
    }

    pub fn emit(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }

    pub fn target_dir(&self) -> PathBuf {
        self.root.join(&self.layout.target_path)
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
        let adapter = open_adapter(&self.target)?;
        adapter
            .execute(&format!("ATTACH IF NOT EXISTS ':memory:' AS {RESULTS_DB}"))
            .map_err(|e| ApiError::from_adapter(&e))?;
        *slot = Some(adapter.clone());
        Ok(adapter)
    }

    /// The warehouse if it is already open; never opens it.
    pub fn adapter_if_open(&self) -> Option<Arc<dyn Adapter>> {
        lock(&self.adapter).clone()
    }

    pub fn has_active_run(&self) -> bool {
        lock(&self.runs).values().any(|r| r.is_running())
    }

    /// Lets go of the warehouse file and stops watching.
    pub fn close(&self) {
        lock(&self.watcher).take();
        lock(&self.queries).clear();
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
            name: self.layout.name.clone(),
            root: slash_path(&self.root),
            target_name: self.target.name.clone(),
            target_kind: self.target.kind.as_str().to_string(),
            warehouse_path: self.target.path.as_deref().map(slash_path),
            schema: self.target.schema.clone(),
            counts,
        }
    }
}

fn open_adapter(target: &Target) -> ApiResult<Arc<dyn Adapter>> {
    if target.kind != TargetKind::DuckDb {
        return Err(ApiError::new(
            ErrorKind::Unprocessable,
            Code::Profile.as_str(),
            format!(
                "target '{}' has type {}, which this build of Kiln cannot connect to yet",
                target.name,
                target.kind.as_str()
            ),
        )
        .hint("use a duckdb target (or no profile, for the embedded warehouse)"));
    }
    // Workers of a run plus a couple of connections for the query console and the schema browser.
    let connections = target.threads.max(1) + 2;
    let adapter = match &target.path {
        Some(path) => DuckDbAdapter::open(path, connections),
        None => DuckDbAdapter::in_memory_with_threads(connections),
    };
    let adapter = adapter.map_err(|e| ApiError::from_adapter(&e))?;
    Ok(Arc::new(adapter))
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
