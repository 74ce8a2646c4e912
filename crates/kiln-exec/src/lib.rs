//! Executes a parsed project against a warehouse: picks the nodes a command and selection cover,
//! schedules them over worker threads in DAG order, skips the dependents of failures, reports each
//! node as an event, and records everything in `run_results.json`.
//!
//! `schedule` decides when each node runs (DAG order, thread limit, skips, cancel, fail-fast),
//! `node` what running one means (compile, materialise, test), `results` the run_results JSON.

mod artifacts;
mod diagnostic;
mod external;
pub mod history;
pub mod log;
mod node;
mod results;
mod schedule;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use kiln_compile::{Manifest, Node, QueryRunner};
use kiln_diagnostics::{Code, Diagnostic};
use kiln_graph::{select_with_report, IndirectSelection, ResourceType, SelectOptions};
use kiln_warehouse::{Adapter, QueryResult};
use serde::Serialize;

pub use artifacts::{write_manifest, write_run_artifacts, RunArtifacts, MANIFEST_FILE, RUN_RESULTS_FILE};
pub use diagnostic::adapter_diagnostic;
use node::AdapterRunner;
pub use node::{compile_to_disk, for_warehouse, warehouse_relation};
pub use results::{run_results_json, write_run_results};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    Stage,
    Seed,
    Run,
    Test,
    Build,
    Compile,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Stage => "stage",
            Command::Seed => "seed",
            Command::Run => "run",
            Command::Test => "test",
            Command::Build => "build",
            Command::Compile => "compile",
        }
    }

    fn handles(self, node: &Node) -> bool {
        let staged =
            node.resource_type == ResourceType::Source && node.source.as_ref().is_some_and(|s| s.external.is_some());
        match self {
            Command::Stage => staged,
            Command::Seed => node.resource_type == ResourceType::Seed,
            Command::Run => node.resource_type == ResourceType::Model && !node.is_ephemeral(),
            Command::Test => node.resource_type == ResourceType::Test,
            Command::Build => {
                staged
                    || matches!(node.resource_type, ResourceType::Seed | ResourceType::Test)
                    || (node.resource_type == ResourceType::Model && !node.is_ephemeral())
            }
            Command::Compile => matches!(
                node.resource_type,
                ResourceType::Model | ResourceType::Test | ResourceType::Analysis
            ),
        }
    }
}

/// The project's open streams, for models materialized as streaming views.
#[derive(Clone)]
pub struct Streams(pub Arc<kiln_stream::Hub>);

impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Streams({})", self.0.root().display())
    }
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub command: Command,
    /// Without them, a `materialized_view` model can only read tables.
    pub streams: Option<Streams>,
    pub select: Vec<String>,
    pub exclude: Vec<String>,
    pub threads: usize,
    pub full_refresh: bool,
    pub fail_fast: bool,
    pub indirect_selection: IndirectSelection,
}

impl RunOptions {
    pub fn new(command: Command) -> Self {
        RunOptions {
            command,
            streams: None,
            select: Vec::new(),
            exclude: Vec::new(),
            threads: 4,
            full_refresh: false,
            fail_fast: false,
            indirect_selection: IndirectSelection::Eager,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatus {
    Success,
    Error,
    Skipped,
    Pass,
    Fail,
    Warn,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Success => "success",
            NodeStatus::Error => "error",
            NodeStatus::Skipped => "skipped",
            NodeStatus::Pass => "pass",
            NodeStatus::Fail => "fail",
            NodeStatus::Warn => "warn",
        }
    }

    /// Whether dependents must be skipped.
    pub fn blocks(self) -> bool {
        matches!(self, NodeStatus::Error | NodeStatus::Fail | NodeStatus::Skipped)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeResult {
    pub unique_id: String,
    pub name: String,
    pub resource_type: ResourceType,
    pub status: NodeStatus,
    pub message: String,
    pub rows_affected: Option<u64>,
    pub failures: Option<u64>,
    /// First failing rows of a test.
    pub sample: Option<QueryResult>,
    pub started_at: String,
    pub completed_at: String,
    pub execution_time: f64,
    pub thread_id: String,
    pub compiled_code: Option<String>,
    pub compiled_path: Option<PathBuf>,
    pub relation_name: Option<String>,
    pub diagnostic: Option<Diagnostic>,
    /// What the node built: "view", "table", "incremental", "seed", "external", "test".
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Started {
        index: usize,
        total: usize,
        unique_id: String,
        name: String,
        kind: String,
    },
    Finished {
        index: usize,
        total: usize,
        result: Box<NodeResult>,
    },
    Log {
        unique_id: String,
        message: String,
    },
}

pub trait EventSink: Send + Sync {
    fn event(&self, event: &Event);
}

impl<F: Fn(&Event) + Send + Sync> EventSink for F {
    fn event(&self, event: &Event) {
        self(event)
    }
}

/// Cancels a run from another thread (Ctrl-C, the studio's Cancel button).
#[derive(Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub command: Command,
    pub results: Vec<NodeResult>,
    pub elapsed: f64,
    pub invocation_id: String,
    pub generated_at: String,
    /// Selector words that matched nothing.
    pub unmatched: Vec<String>,
}

impl RunSummary {
    pub fn count(&self, status: NodeStatus) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    pub fn success(&self) -> bool {
        !self
            .results
            .iter()
            .any(|r| matches!(r.status, NodeStatus::Error | NodeStatus::Fail | NodeStatus::Skipped))
    }
}

/// Picks the nodes a command covers, in topological order.
pub fn plan(manifest: &Manifest, options: &RunOptions) -> Result<(Vec<String>, Vec<String>), Diagnostic> {
    let select_options = SelectOptions {
        resource_types: None,
        indirect_selection: options.indirect_selection,
    };
    let selection =
        select_with_report(&manifest.graph, &options.select, &options.exclude, select_options).map_err(|e| {
            Diagnostic::error(Code::Selector, e.to_string()).hint("see `kiln ls --help` for the selector syntax")
        })?;
    let chosen: BTreeSet<String> = selection
        .selected
        .into_iter()
        .filter(|id| manifest.nodes.get(id).is_some_and(|n| options.command.handles(n)))
        .collect();
    let order = manifest
        .graph
        .topological_order_of(&chosen)
        .map_err(|e| Diagnostic::error(Code::Cycle, e.to_string()))?
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok((order, selection.unmatched))
}

pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub fn new_invocation_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mixed = nanos ^ (u128::from(std::process::id()) << 64);
    let hex = format!("{mixed:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Runs `options.command` over the selection. Never panics on user errors: failed nodes are
/// recorded and their dependents skipped; the rest carries on.
pub fn execute(
    manifest: &Manifest,
    adapter: Arc<dyn Adapter>,
    options: &RunOptions,
    sink: &dyn EventSink,
    cancel: &CancelToken,
) -> Result<RunSummary, Diagnostic> {
    let started = Instant::now();
    let invocation_id = new_invocation_id();
    let (order, unmatched) = plan(manifest, options)?;
    let runner: Arc<dyn QueryRunner> = Arc::new(AdapterRunner(adapter.clone()));
    let run_node =
        |node: &Node, thread: &str| node::run_node(manifest, adapter.as_ref(), &runner, node, options, thread);
    let results = schedule::run(manifest, &order, options, sink, cancel, &run_node);
    Ok(RunSummary {
        command: options.command,
        results,
        elapsed: started.elapsed().as_secs_f64(),
        invocation_id,
        generated_at: now_rfc3339(),
        unmatched,
    })
}
