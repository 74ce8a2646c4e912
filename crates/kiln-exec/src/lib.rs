//! Executes a parsed project against a warehouse: picks the nodes a command and selection cover,
//! schedules them over worker threads in DAG order, skips the dependents of failures, reports each
//! node as an event, and records everything in `run_results.json`.

mod artifacts;
mod diagnostic;
mod external;
mod results;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use kiln_compile::{CompileState, Manifest, Node, QueryRunner, TestSeverity};
use kiln_diagnostics::{Code, Diagnostic};
use kiln_graph::{select_with_report, IndirectSelection, ResourceType, SelectOptions};
use kiln_project::TargetKind;
use kiln_warehouse::{Adapter, AdapterError, IncrementalStrategy, QueryResult, Relation, RelationType};
use serde::Serialize;

pub use artifacts::{write_manifest, write_run_artifacts, RunArtifacts, MANIFEST_FILE, RUN_RESULTS_FILE};
pub use diagnostic::adapter_diagnostic;
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

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub command: Command,
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

struct Job {
    index: usize,
    id: String,
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
    let total = order.len();
    let position: HashMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();

    // Edges between scheduled nodes, following paths through unscheduled ones (ephemeral models,
    // unselected parents are simply absent, as in dbt).
    let scheduled: BTreeSet<&str> = order.iter().map(String::as_str).collect();
    let mut upstream: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for id in &order {
        let mut deps = BTreeSet::new();
        collect_scheduled_parents(manifest, id, &scheduled, &mut deps, &mut BTreeSet::new());
        upstream.insert(id.as_str(), deps);
    }
    if options.command == Command::Build {
        // In build, a model waits for the tests of its parents, so bad data stops at the test. As in
        // dbt, a test only blocks nodes that depend on *all* of its parents: a relationships test
        // between two branches must not make each branch wait for the other (a scheduling cycle).
        let mut ancestors_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for test_id in order.iter().filter(|id| {
            manifest
                .nodes
                .get(*id)
                .is_some_and(|n| n.resource_type == ResourceType::Test)
        }) {
            let Some(test) = manifest.nodes.get(test_id) else {
                continue;
            };
            let mut candidates = BTreeSet::new();
            for parent in &test.depends_on {
                candidates.extend(manifest.graph.children(parent).unwrap_or_default());
            }
            for child in candidates {
                let is_model = manifest
                    .nodes
                    .get(child)
                    .is_some_and(|n| n.resource_type != ResourceType::Test);
                if !is_model || !scheduled.contains(child) {
                    continue;
                }
                let ancestors = ancestors_of.entry(child).or_insert_with(|| {
                    manifest
                        .graph
                        .ancestors(child, None)
                        .unwrap_or_default()
                        .into_iter()
                        .collect()
                });
                if test.depends_on.iter().all(|p| ancestors.contains(p.as_str())) {
                    upstream.entry(child).or_default().insert(test_id.as_str());
                }
            }
        }
    }
    let mut downstream: HashMap<&str, Vec<&str>> = HashMap::new();
    for (node, deps) in &upstream {
        for dep in deps {
            downstream.entry(dep).or_default().push(node);
        }
    }
    let mut waiting: HashMap<&str, usize> = upstream.iter().map(|(k, v)| (*k, v.len())).collect();

    let threads = options.threads.max(1);
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (result_tx, result_rx) = mpsc::channel::<(usize, NodeResult)>();
    let runner: Arc<dyn QueryRunner> = Arc::new(AdapterRunner(adapter.clone()));
    let mut results: Vec<Option<NodeResult>> = vec![None; total];

    std::thread::scope(|scope| {
        for worker in 0..threads.min(total.max(1)) {
            let job_rx = job_rx.clone();
            let result_tx = result_tx.clone();
            let adapter = adapter.clone();
            let runner = runner.clone();
            let thread_id = format!("Thread-{}", worker + 1);
            let builder = std::thread::Builder::new().name(format!("kiln-worker-{worker}"));
            let spawned = builder.spawn_scoped(scope, move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(job) = job else { return };
                let Some(node) = manifest.nodes.get(&job.id) else {
                    continue;
                };
                sink.event(&Event::Started {
                    index: job.index + 1,
                    total,
                    unique_id: node.unique_id.clone(),
                    name: node.name.clone(),
                    kind: kind_of(node, options.command).to_string(),
                });
                let result = if cancel.is_cancelled() {
                    skipped(node, options.command, "cancelled", &thread_id)
                } else {
                    run_node(manifest, adapter.as_ref(), &runner, node, options, &thread_id)
                };
                for log in result.1 {
                    sink.event(&Event::Log {
                        unique_id: node.unique_id.clone(),
                        message: log,
                    });
                }
                if result_tx.send((job.index, result.0)).is_err() {
                    return;
                }
            });
            if spawned.is_err() {
                break;
            }
        }
        drop(result_tx);

        let mut ready: BTreeSet<usize> = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .filter_map(|(id, _)| position.get(id).copied())
            .collect();
        let mut in_flight = 0;
        let mut done = 0;
        let mut stop = false;
        while done < total {
            while !stop && in_flight < threads {
                let Some(index) = ready.pop_first() else { break };
                if job_tx
                    .send(Job {
                        index,
                        id: order[index].clone(),
                    })
                    .is_err()
                {
                    stop = true;
                    break;
                }
                in_flight += 1;
            }
            if in_flight == 0 {
                // Nothing runs and nothing is ready: everything left is skipped or cancelled.
                for (index, slot) in results.iter_mut().enumerate() {
                    if slot.is_none() {
                        if let Some(node) = manifest.nodes.get(&order[index]) {
                            let reason = if cancel.is_cancelled() {
                                "cancelled"
                            } else if stop {
                                "stopped after an earlier failure (--fail-fast)"
                            } else {
                                "internal error: its dependencies never finished (please report this)"
                            };
                            let result = skipped(node, options.command, reason, "main").0;
                            sink.event(&Event::Finished {
                                index: index + 1,
                                total,
                                result: Box::new(result.clone()),
                            });
                            *slot = Some(result);
                        }
                    }
                }
                break;
            }
            let Ok((index, result)) = result_rx.recv() else { break };
            in_flight -= 1;
            done += 1;
            let blocks = result.status.blocks();
            if blocks && options.fail_fast {
                stop = true;
            }
            if cancel.is_cancelled() {
                stop = true;
            }
            sink.event(&Event::Finished {
                index: index + 1,
                total,
                result: Box::new(result.clone()),
            });
            let id = order[index].as_str();
            results[index] = Some(result);
            let mut frontier = vec![(id, blocks)];
            while let Some((current, failed)) = frontier.pop() {
                for child in downstream.get(current).cloned().unwrap_or_default() {
                    let Some(child_index) = position.get(child).copied() else {
                        continue;
                    };
                    if results[child_index].is_some() {
                        continue;
                    }
                    if failed {
                        let Some(node) = manifest.nodes.get(child) else {
                            continue;
                        };
                        let reason = format!(
                            "skipped because {} did not succeed",
                            manifest.nodes.get(current).map(|n| n.name.as_str()).unwrap_or(current)
                        );
                        let result = skipped(node, options.command, &reason, "main").0;
                        sink.event(&Event::Finished {
                            index: child_index + 1,
                            total,
                            result: Box::new(result.clone()),
                        });
                        results[child_index] = Some(result);
                        done += 1;
                        ready.remove(&child_index);
                        frontier.push((child, true));
                    } else if let Some(count) = waiting.get_mut(child) {
                        *count = count.saturating_sub(1);
                        if *count == 0 {
                            ready.insert(child_index);
                        }
                    }
                }
            }
        }
        drop(job_tx);
    });

    let results: Vec<NodeResult> = results.into_iter().flatten().collect();
    Ok(RunSummary {
        command: options.command,
        results,
        elapsed: started.elapsed().as_secs_f64(),
        invocation_id,
        generated_at: now_rfc3339(),
        unmatched,
    })
}

fn collect_scheduled_parents<'a>(
    manifest: &'a Manifest,
    id: &str,
    scheduled: &BTreeSet<&'a str>,
    out: &mut BTreeSet<&'a str>,
    seen: &mut BTreeSet<String>,
) {
    let Some(node) = manifest.nodes.get(id) else { return };
    for parent in &node.depends_on {
        if !seen.insert(parent.clone()) {
            continue;
        }
        if let Some(found) = scheduled.get(parent.as_str()) {
            out.insert(found);
        } else if manifest.nodes.get(parent).is_some_and(Node::is_ephemeral) {
            // An ephemeral model is inlined, so its own parents are the real dependencies.
            collect_scheduled_parents(manifest, parent, scheduled, out, seen);
        }
    }
}

fn kind_of(node: &Node, command: Command) -> &'static str {
    match node.resource_type {
        ResourceType::Source => "external",
        ResourceType::Seed => "seed",
        ResourceType::Test => "test",
        ResourceType::Analysis => "analysis",
        _ if command == Command::Compile => "compile",
        _ => match node.materialized() {
            "table" => "table",
            "incremental" => "incremental",
            "ephemeral" => "ephemeral",
            _ => "view",
        },
    }
}

fn skipped(node: &Node, command: Command, reason: &str, thread: &str) -> (NodeResult, Vec<String>) {
    let now = now_rfc3339();
    (
        NodeResult {
            unique_id: node.unique_id.clone(),
            name: node.name.clone(),
            resource_type: node.resource_type,
            status: NodeStatus::Skipped,
            message: reason.to_string(),
            rows_affected: None,
            failures: None,
            sample: None,
            started_at: now.clone(),
            completed_at: now,
            execution_time: 0.0,
            thread_id: thread.to_string(),
            compiled_code: None,
            compiled_path: None,
            relation_name: node.relation.as_ref().map(|r| r.rendered()),
            diagnostic: None,
            kind: kind_of(node, command).to_string(),
        },
        Vec::new(),
    )
}

/// The warehouse relation a compiled relation names.
pub fn warehouse_relation(node: &Node) -> Option<Relation> {
    let relation = node.relation.as_ref()?;
    let mut out = Relation::new(relation.schema.clone(), relation.identifier.clone());
    if let Some(db) = &relation.database {
        out = out.with_database(db.clone());
    }
    Some(out)
}

struct AdapterRunner(Arc<dyn Adapter>);

impl QueryRunner for AdapterRunner {
    fn run_query(&self, sql: &str) -> Result<(Vec<String>, Vec<Vec<serde_json::Value>>), String> {
        let result = self.0.query(sql, None).map_err(|e| e.to_string())?;
        Ok((result.columns.into_iter().map(|c| c.name).collect(), result.rows))
    }
}

/// Translates compiled SQL into the warehouse's dialect.
pub fn for_warehouse(manifest: &Manifest, sql: &str) -> String {
    match manifest.target.kind {
        TargetKind::DuckDb => kiln_sql::redshift_to_duckdb(sql),
        _ => sql.to_string(),
    }
}

type Outcome = (NodeResult, Vec<String>);

fn run_node(
    manifest: &Manifest,
    adapter: &dyn Adapter,
    runner: &Arc<dyn QueryRunner>,
    node: &Node,
    options: &RunOptions,
    thread: &str,
) -> Outcome {
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let mut logs = Vec::new();
    let mut compiled_code = None;
    let mut compiled_path = None;
    let outcome = execute_node(
        manifest,
        adapter,
        runner,
        node,
        options,
        &mut logs,
        &mut compiled_code,
        &mut compiled_path,
    );
    let (status, message, rows, failures, sample, diagnostic) = match outcome {
        Ok(done) => (done.status, done.message, done.rows, done.failures, done.sample, None),
        Err(diagnostic) => (
            NodeStatus::Error,
            diagnostic.message.clone(),
            None,
            None,
            None,
            Some(diagnostic),
        ),
    };
    (
        NodeResult {
            unique_id: node.unique_id.clone(),
            name: node.name.clone(),
            resource_type: node.resource_type,
            status,
            message,
            rows_affected: rows,
            failures,
            sample,
            started_at,
            completed_at: now_rfc3339(),
            execution_time: clock.elapsed().as_secs_f64(),
            thread_id: thread.to_string(),
            compiled_code,
            compiled_path,
            relation_name: node.relation.as_ref().filter(|r| r.cte.is_none()).map(|r| r.rendered()),
            diagnostic,
            kind: kind_of(node, options.command).to_string(),
        },
        logs,
    )
}

struct Done {
    status: NodeStatus,
    message: String,
    rows: Option<u64>,
    failures: Option<u64>,
    sample: Option<QueryResult>,
}

impl Done {
    fn ok(message: impl Into<String>, rows: Option<u64>) -> Done {
        Done {
            status: NodeStatus::Success,
            message: message.into(),
            rows,
            failures: None,
            sample: None,
        }
    }
}

/// Compiles a node and writes the SQL to `target/compiled/`, returning SQL in the warehouse dialect.
pub fn compile_to_disk(
    manifest: &Manifest,
    node: &Node,
    state: &CompileState,
) -> Result<(String, PathBuf, Vec<String>), Diagnostic> {
    let compiled = manifest.compile(&node.unique_id, state)?;
    let path = manifest.compiled_path(node);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::error(Code::Io, format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(&path, &compiled.sql)
        .map_err(|e| Diagnostic::error(Code::Io, format!("cannot write {}: {e}", path.display())))?;
    Ok((compiled.sql, path, compiled.logs))
}

#[allow(clippy::too_many_arguments)]
fn execute_node(
    manifest: &Manifest,
    adapter: &dyn Adapter,
    runner: &Arc<dyn QueryRunner>,
    node: &Node,
    options: &RunOptions,
    logs: &mut Vec<String>,
    compiled_code: &mut Option<String>,
    compiled_path: &mut Option<PathBuf>,
) -> Result<Done, Diagnostic> {
    let relation = warehouse_relation(node);
    let diag = |e: AdapterError, path: Option<&PathBuf>| adapter_diagnostic(manifest, node, &e, path);
    match node.resource_type {
        ResourceType::Source => {
            let Some(relation) = relation else {
                return Ok(Done::ok("no relation", None));
            };
            let Some(table) = external::external_table(&manifest.root, node, relation)? else {
                return Ok(Done::ok("not external", None));
            };
            let staged = adapter.stage_external(&table).map_err(|e| diag(e, None))?;
            let message = if staged.reused {
                format!("unchanged since last staged from {}", table.location)
            } else {
                format!("LOAD from {}", table.location)
            };
            Ok(Done::ok(message, Some(staged.rows)))
        }
        ResourceType::Seed => {
            let Some(relation) = relation else {
                return Ok(Done::ok("no relation", None));
            };
            let column_types: BTreeMap<String, String> = node
                .config
                .get("column_types")
                .and_then(|v| v.as_object())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            let delimiter = node.config.get_str("delimiter").unwrap_or(",");
            let rows = adapter
                .load_seed(&relation, &manifest.root.join(&node.path), &column_types, delimiter)
                .map_err(|e| diag(e, None))?;
            Ok(Done::ok(format!("INSERT {rows}"), Some(rows)))
        }
        ResourceType::Model | ResourceType::Analysis | ResourceType::Snapshot
            if options.command == Command::Compile =>
        {
            let (sql, path, new_logs) = compile_to_disk(
                manifest,
                node,
                &CompileState {
                    is_incremental: false,
                    runner: None,
                },
            )?;
            logs.extend(new_logs);
            *compiled_code = Some(sql);
            *compiled_path = Some(path);
            Ok(Done::ok("compiled", None))
        }
        ResourceType::Model => {
            let Some(relation) = relation else {
                return Ok(Done::ok("no relation", None));
            };
            let materialized = node.materialized().to_string();
            let is_incremental = materialized == "incremental"
                && !(options.full_refresh || node.config.get_bool("full_refresh") == Some(true))
                && adapter.relation_type(&relation).map_err(|e| diag(e, None))? == Some(RelationType::Table);
            let state = CompileState {
                is_incremental,
                runner: Some(runner.clone()),
            };
            let (sql, path, new_logs) = compile_to_disk(manifest, node, &state)?;
            logs.extend(new_logs);
            let sql = for_warehouse(manifest, &sql);
            *compiled_code = Some(sql.clone());
            *compiled_path = Some(path.clone());
            adapter.ensure_schema(&relation.schema).map_err(|e| diag(e, None))?;
            match materialized.as_str() {
                "table" => {
                    let rows = adapter
                        .create_table(&relation, &sql)
                        .map_err(|e| diag(e, Some(&path)))?;
                    Ok(Done::ok(format!("SELECT {rows}"), Some(rows)))
                }
                "incremental" => {
                    let unique_key: Vec<String> = match node.config.get("unique_key") {
                        Some(serde_json::Value::String(s)) => vec![s.clone()],
                        Some(serde_json::Value::Array(items)) => {
                            items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
                        }
                        _ => Vec::new(),
                    };
                    let strategy = match node.config.get_str("incremental_strategy") {
                        Some("append") => IncrementalStrategy::Append,
                        Some("delete+insert") => IncrementalStrategy::DeleteInsert,
                        Some("merge") => IncrementalStrategy::Merge,
                        None if unique_key.is_empty() => IncrementalStrategy::Append,
                        None => IncrementalStrategy::DeleteInsert,
                        Some(other) => {
                            return Err(Diagnostic::error(
                                Code::CompilerError,
                                format!("unknown incremental_strategy '{other}'"),
                            )
                            .in_file(&node.path)
                            .hint("use append, delete+insert or merge"))
                        }
                    };
                    if strategy != IncrementalStrategy::Append && unique_key.is_empty() {
                        return Err(Diagnostic::error(
                            Code::CompilerError,
                            "this incremental strategy needs `unique_key`",
                        )
                        .in_file(&node.path)
                        .hint("add unique_key='id' to config(), or use incremental_strategy='append'"));
                    }
                    let full_refresh = !is_incremental;
                    let rows = adapter
                        .incremental(&relation, &sql, strategy, &unique_key, full_refresh)
                        .map_err(|e| diag(e, Some(&path)))?;
                    Ok(Done::ok(
                        format!("{} {rows}", if full_refresh { "CREATE" } else { "MERGE" }),
                        Some(rows),
                    ))
                }
                _ => {
                    adapter.create_view(&relation, &sql).map_err(|e| diag(e, Some(&path)))?;
                    Ok(Done::ok("CREATE VIEW", None))
                }
            }
        }
        ResourceType::Test => {
            let state = CompileState {
                is_incremental: false,
                runner: Some(runner.clone()),
            };
            let (sql, path, new_logs) = compile_to_disk(manifest, node, &state)?;
            logs.extend(new_logs);
            let sql = for_warehouse(manifest, &sql);
            *compiled_code = Some(sql.clone());
            *compiled_path = Some(path.clone());
            let body = sql.trim().trim_end_matches(';');
            let counted = adapter
                .query(
                    &format!("select count(*) as failures from (\n{body}\n) dbt_internal_test"),
                    Some(1),
                )
                .map_err(|e| diag(e, Some(&path)))?;
            let failures = counted
                .rows
                .first()
                .and_then(|r| r.first())
                .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
                .unwrap_or(0);
            if failures == 0 {
                return Ok(Done {
                    status: NodeStatus::Pass,
                    message: "PASS".into(),
                    rows: None,
                    failures: Some(0),
                    sample: None,
                });
            }
            let sample = adapter
                .query(
                    &format!("select * from (\n{body}\n) dbt_internal_test limit 5"),
                    Some(5),
                )
                .ok();
            let severity = node
                .test
                .as_ref()
                .map(|t| t.severity.clone())
                .unwrap_or(TestSeverity::Error);
            let status = if severity == TestSeverity::Warn {
                NodeStatus::Warn
            } else {
                NodeStatus::Fail
            };
            let noun = if failures == 1 { "result" } else { "results" };
            Ok(Done {
                status,
                message: format!(
                    "Got {failures} {noun}, configured to {} if != 0",
                    if status == NodeStatus::Warn { "warn" } else { "fail" }
                ),
                rows: None,
                failures: Some(failures),
                sample,
            })
        }
        _ => Ok(Done::ok("nothing to do", None)),
    }
}
