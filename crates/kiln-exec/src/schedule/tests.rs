//! The scheduler through `crate::execute`, over small projects parsed from temporary folders and a
//! fake warehouse that records when each node's statement ran, on which thread, and can be told to
//! fail a node, fail a test or hold its first statement until the test releases it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use kiln_compile::{Manifest, ParseOptions};
use kiln_diagnostics::Code;
use kiln_project::Target;
use kiln_warehouse::{
    Adapter, AdapterError, BuildOptions, ColumnInfo, ExternalTable, IncrementalStrategy, QueryResult, Relation,
    RelationType, Staged,
};
use serde_json::json;

use crate::{execute, CancelToken, Command, Event, NodeResult, NodeStatus, RunOptions, RunSummary};

/// One statement the fake ran for a node: a build (view, table, seed …) or a test's count query.
#[derive(Debug, Clone)]
struct Call {
    /// The relation's identifier for builds, the `'<name>' as test_name` literal for tests.
    label: String,
    thread: ThreadId,
    start: Instant,
    end: Instant,
}

#[derive(Default)]
struct GateState {
    armed: bool,
    entered: bool,
    released: bool,
}

#[derive(Default)]
struct Fake {
    /// Labels whose statement fails with a SQL error.
    broken: BTreeSet<String>,
    /// Test labels whose query finds failing rows.
    failing: BTreeSet<String>,
    /// How long every statement takes, so that overlapping statements really overlap.
    hold: Duration,
    calls: Mutex<Vec<Call>>,
    active: AtomicUsize,
    max_active: AtomicUsize,
    gate: Mutex<GateState>,
    gate_changed: Condvar,
}

impl Fake {
    fn new(hold_ms: u64) -> Self {
        Fake {
            hold: Duration::from_millis(hold_ms),
            ..Fake::default()
        }
    }

    fn broken(mut self, labels: &[&str]) -> Self {
        self.broken.extend(labels.iter().map(|l| l.to_string()));
        self
    }

    fn failing(mut self, labels: &[&str]) -> Self {
        self.failing.extend(labels.iter().map(|l| l.to_string()));
        self
    }

    /// The first statement blocks until [`Fake::release`].
    fn gated(self) -> Self {
        self.gate.lock().unwrap().armed = true;
        self
    }

    fn wait_until_gate_entered(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut state = self.gate.lock().unwrap();
        while !state.entered {
            assert!(Instant::now() < deadline, "no statement reached the gate");
            state = self
                .gate_changed
                .wait_timeout(state, Duration::from_millis(50))
                .unwrap()
                .0;
        }
    }

    fn release(&self) {
        self.gate.lock().unwrap().released = true;
        self.gate_changed.notify_all();
    }

    fn run(&self, label: &str) -> Result<(), AdapterError> {
        let start = Instant::now();
        let now_active = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_active.fetch_max(now_active, Ordering::SeqCst);
        let mut gate = self.gate.lock().unwrap();
        if gate.armed && !gate.entered {
            gate.entered = true;
            self.gate_changed.notify_all();
            while !gate.released {
                gate = self.gate_changed.wait(gate).unwrap();
            }
            drop(gate);
        } else {
            drop(gate);
            std::thread::sleep(self.hold);
        }
        self.active.fetch_sub(1, Ordering::SeqCst);
        self.calls.lock().unwrap().push(Call {
            label: label.to_string(),
            thread: std::thread::current().id(),
            start,
            end: Instant::now(),
        });
        if self.broken.contains(label) {
            return Err(AdapterError::Sql {
                message: format!("Binder Error: {label} is broken"),
                line: None,
                column: None,
            });
        }
        Ok(())
    }

    fn calls(&self) -> Vec<Call> {
        let mut calls = self.calls.lock().unwrap().clone();
        calls.sort_by_key(|c| c.start);
        calls
    }

    fn labels(&self) -> BTreeSet<String> {
        self.calls().into_iter().map(|c| c.label).collect()
    }

    fn call(&self, label: &str) -> Call {
        let calls = self.calls();
        let found: Vec<&Call> = calls.iter().filter(|c| c.label == label).collect();
        assert_eq!(found.len(), 1, "{label} ran {} times: {calls:?}", found.len());
        found[0].clone()
    }
}

/// The name a test's SQL carries as `'<name>' as test_name`.
fn test_label(sql: &str) -> Option<&str> {
    let end = sql.find("' as test_name")?;
    let start = sql[..end].rfind('\'')?;
    Some(&sql[start + 1..end])
}

impl Adapter for Fake {
    fn kind(&self) -> &'static str {
        "fake"
    }

    fn ensure_schema(&self, _schema: &str) -> Result<(), AdapterError> {
        Ok(())
    }

    fn stage_external(&self, table: &ExternalTable) -> Result<Staged, AdapterError> {
        self.run(&table.relation.identifier)?;
        Ok(Staged { rows: 1, reused: false })
    }

    fn create_view(&self, rel: &Relation, _select_sql: &str, _options: &BuildOptions) -> Result<(), AdapterError> {
        self.run(&rel.identifier)
    }

    fn create_table(&self, rel: &Relation, _select_sql: &str, _options: &BuildOptions) -> Result<u64, AdapterError> {
        self.run(&rel.identifier).map(|()| 1)
    }

    fn incremental(
        &self,
        rel: &Relation,
        _select_sql: &str,
        _strategy: IncrementalStrategy,
        _unique_key: &[String],
        _full_refresh: bool,
        _options: &BuildOptions,
    ) -> Result<u64, AdapterError> {
        self.run(&rel.identifier).map(|()| 1)
    }

    fn load_seed(
        &self,
        rel: &Relation,
        _csv_path: &Path,
        _column_types: &BTreeMap<String, String>,
        _delimiter: &str,
    ) -> Result<u64, AdapterError> {
        self.run(&rel.identifier).map(|()| 2)
    }

    fn relation_type(&self, _rel: &Relation) -> Result<Option<RelationType>, AdapterError> {
        Ok(None)
    }

    fn columns(&self, _rel: &Relation) -> Result<Vec<ColumnInfo>, AdapterError> {
        Ok(Vec::new())
    }

    fn drop_relation(&self, _rel: &Relation) -> Result<(), AdapterError> {
        Ok(())
    }

    fn execute(&self, _sql: &str) -> Result<u64, AdapterError> {
        Ok(0)
    }

    /// Test queries: the count query is the test's statement; the sample query is not recorded.
    fn query(&self, sql: &str, _limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        let label = test_label(sql).unwrap_or("<query>").to_string();
        let column = |name: &str| ColumnInfo {
            name: name.to_string(),
            data_type: "BIGINT".into(),
        };
        if !sql.starts_with("select count(*)") {
            return Ok(QueryResult {
                columns: vec![column("id")],
                rows: vec![vec![json!(7)]],
                truncated: false,
            });
        }
        self.run(&label)?;
        let failures = if self.failing.contains(&label) { 3 } else { 0 };
        Ok(QueryResult {
            columns: vec![column("failures")],
            rows: vec![vec![json!(failures)]],
            truncated: false,
        })
    }

    fn list_relations(&self) -> Result<Vec<(Relation, RelationType)>, AdapterError> {
        Ok(Vec::new())
    }

    fn interrupt(&self) {}
}

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let project = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        project.write("dbt_project.yml", "name: demo\n");
        project
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A view selecting from `parents`.
    fn model(self, name: &str, parents: &[&str]) -> Self {
        let mut sql = String::from("select 1 as id");
        for parent in parents {
            sql.push_str(&format!("\nunion all select id from {{{{ ref('{parent}') }}}}"));
        }
        self.write(&format!("models/{name}.sql"), &sql);
        self
    }

    fn ephemeral(self, name: &str, parent: &str) -> Self {
        let sql = format!("{{{{ config(materialized='ephemeral') }}}}\nselect id from {{{{ ref('{parent}') }}}}");
        self.write(&format!("models/{name}.sql"), &sql);
        self
    }

    /// A singular test of `model`; `config` goes into `config(...)` when not empty.
    fn test(self, name: &str, model: &str, config: &str) -> Self {
        let header = if config.is_empty() {
            String::new()
        } else {
            format!("{{{{ config({config}) }}}}\n")
        };
        let sql = format!("{header}select '{name}' as test_name, id from {{{{ ref('{model}') }}}} where id < 0");
        self.write(&format!("tests/{name}.sql"), &sql);
        self
    }

    fn manifest(&self) -> Manifest {
        let root = self.dir.path();
        let project = kiln_project::load_project(root).unwrap();
        kiln_compile::parse(&project, &Target::embedded(root, "demo"), &ParseOptions::default()).unwrap()
    }
}

fn options(command: Command, threads: usize) -> RunOptions {
    RunOptions {
        threads,
        ..RunOptions::new(command)
    }
}

/// Runs and checks what every run must do: one `Finished` event per planned node, and one result
/// per node in the summary.
fn run(manifest: &Manifest, fake: &Arc<Fake>, options: &RunOptions, cancel: &CancelToken) -> Run {
    let events = Mutex::new(Vec::new());
    let sink = |event: &Event| events.lock().unwrap().push(event.clone());
    let adapter: Arc<dyn Adapter> = fake.clone();
    let summary = execute(manifest, adapter, options, &sink, cancel).unwrap();
    let events = events.into_inner().unwrap();
    let mut finished: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Finished { result, .. } => Some(result.unique_id.clone()),
            _ => None,
        })
        .collect();
    finished.sort();
    let mut ids: Vec<String> = summary.results.iter().map(|r| r.unique_id.clone()).collect();
    ids.sort();
    assert_eq!(finished, ids, "every node is reported finished exactly once");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "one result per node"
    );
    Run { summary }
}

struct Run {
    summary: RunSummary,
}

impl Run {
    fn result(&self, name: &str) -> &NodeResult {
        let found: Vec<&NodeResult> = self.summary.results.iter().filter(|r| r.name == name).collect();
        assert_eq!(found.len(), 1, "{name} in {:?}", self.names());
        found[0]
    }

    fn status(&self, name: &str) -> NodeStatus {
        self.result(name).status
    }

    fn names(&self) -> Vec<&str> {
        self.summary.results.iter().map(|r| r.name.as_str()).collect()
    }

    fn with_status(&self, status: NodeStatus) -> BTreeSet<&str> {
        self.summary
            .results
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.name.as_str())
            .collect()
    }
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

fn labels(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn no_node_starts_before_its_parents_finish() {
    // A diamond, a second chain, and g behind a through an ephemeral model (inlined, never run).
    let project = Project::new()
        .model("a", &[])
        .model("b", &["a"])
        .model("c", &["a"])
        .model("d", &["b", "c"])
        .model("e", &[])
        .model("f", &["e"])
        .ephemeral("eph", "a")
        .model("g", &["eph"]);
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(30));
    let run = run(&manifest, &fake, &options(Command::Run, 4), &CancelToken::default());

    assert_eq!(
        run.with_status(NodeStatus::Success),
        set(&["a", "b", "c", "d", "e", "f", "g"])
    );
    assert_eq!(fake.labels(), labels(&["a", "b", "c", "d", "e", "f", "g"]));
    for (parent, child) in [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("e", "f"), ("a", "g")] {
        let (parent_call, child_call) = (fake.call(parent), fake.call(child));
        assert!(
            child_call.start >= parent_call.end,
            "{child} started {:?} before {parent} finished",
            parent_call.end - child_call.start
        );
    }
    // Independent work overlapped, so the ordering above is not just everything running in a row.
    assert!(fake.max_active.load(Ordering::SeqCst) >= 2);
}

#[test]
fn at_most_threads_nodes_run_at_once() {
    let names = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"];
    let project = names.iter().fold(Project::new(), |p, name| p.model(name, &[]));
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(100));
    let run = run(&manifest, &fake, &options(Command::Run, 3), &CancelToken::default());

    assert_eq!(run.with_status(NodeStatus::Success), set(&names));
    assert_eq!(fake.max_active.load(Ordering::SeqCst), 3, "three workers, all busy");
    let threads: BTreeSet<&str> = run.summary.results.iter().map(|r| r.thread_id.as_str()).collect();
    assert_eq!(threads, set(&["Thread-1", "Thread-2", "Thread-3"]));
}

#[test]
fn one_thread_runs_nodes_strictly_one_after_another() {
    let project = Project::new()
        .model("a", &[])
        .model("b", &[])
        .model("c", &["a"])
        .model("d", &[])
        .model("e", &["c", "d"]);
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(15));
    let run = run(&manifest, &fake, &options(Command::Run, 1), &CancelToken::default());

    assert_eq!(run.with_status(NodeStatus::Success), set(&["a", "b", "c", "d", "e"]));
    let calls = fake.calls();
    assert_eq!(calls.len(), 5);
    for pair in calls.windows(2) {
        assert!(
            pair[1].start >= pair[0].end,
            "{} overlapped {}",
            pair[1].label,
            pair[0].label
        );
    }
    assert_eq!(calls.iter().map(|c| c.thread).collect::<HashSet<_>>().len(), 1);
    assert!(run.summary.results.iter().all(|r| r.thread_id == "Thread-1"));
    assert_eq!(fake.max_active.load(Ordering::SeqCst), 1);
}

#[test]
fn dependents_of_a_failure_are_skipped_while_other_branches_run() {
    let project = Project::new()
        .model("a", &[])
        .model("b", &["a"])
        .model("c", &["b"])
        .model("x", &[])
        .model("y", &["x"]);
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(5).broken(&["a"]));
    let run = run(&manifest, &fake, &options(Command::Run, 2), &CancelToken::default());

    let a = run.result("a");
    assert_eq!(a.status, NodeStatus::Error);
    assert_eq!(a.diagnostic.as_ref().map(|d| d.code), Some(Code::Sql));
    assert!(a.message.contains("a is broken"), "{}", a.message);
    assert_eq!(run.status("b"), NodeStatus::Skipped);
    assert_eq!(run.result("b").message, "skipped because a did not succeed");
    assert_eq!(run.status("c"), NodeStatus::Skipped);
    assert_eq!(run.result("c").message, "skipped because b did not succeed");
    assert_eq!(run.with_status(NodeStatus::Success), set(&["x", "y"]));
    assert_eq!(
        fake.labels(),
        labels(&["a", "x", "y"]),
        "skipped nodes never reach the warehouse"
    );
    assert!(!run.summary.success());
}

#[test]
fn fail_fast_stops_handing_out_work_after_the_first_failure() {
    let names = ["a", "b", "c", "d", "e"];
    let project = names.iter().fold(Project::new(), |p, name| p.model(name, &[]));
    let manifest = project.manifest();
    // With one thread the plan's order decides which node runs first; fail that one.
    let first = {
        let probe = Arc::new(Fake::new(0));
        run(&manifest, &probe, &options(Command::Run, 1), &CancelToken::default());
        probe.calls()[0].label.clone()
    };

    let fake = Arc::new(Fake::new(5).broken(&[&first]));
    let fail_fast = RunOptions {
        fail_fast: true,
        ..options(Command::Run, 1)
    };
    let run_ff = run(&manifest, &fake, &fail_fast, &CancelToken::default());
    assert_eq!(fake.labels(), labels(&[&first]), "nothing ran after the failure");
    assert_eq!(run_ff.status(&first), NodeStatus::Error);
    for name in names.iter().filter(|n| **n != first) {
        let result = run_ff.result(name);
        assert_eq!(result.status, NodeStatus::Skipped, "{name}");
        assert_eq!(result.message, "stopped after an earlier failure (--fail-fast)");
    }

    // Without --fail-fast the same failure leaves the independent nodes running.
    let fake = Arc::new(Fake::new(5).broken(&[&first]));
    let run_all = run(&manifest, &fake, &options(Command::Run, 1), &CancelToken::default());
    assert_eq!(fake.labels(), labels(&names));
    assert_eq!(run_all.with_status(NodeStatus::Success).len(), names.len() - 1);
}

#[test]
fn fail_fast_lets_running_nodes_finish_but_starts_no_more() {
    // Two threads: the failure of one node must not abandon the node running beside it.
    let names = ["a", "b", "c", "d", "e", "f"];
    let project = names.iter().fold(Project::new(), |p, name| p.model(name, &[]));
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(40).broken(&names));
    let fail_fast = RunOptions {
        fail_fast: true,
        ..options(Command::Run, 2)
    };
    let run = run(&manifest, &fake, &fail_fast, &CancelToken::default());
    let ran = fake.labels();
    assert_eq!(
        ran.len(),
        2,
        "the two nodes handed out before the failure, and no more: {ran:?}"
    );
    for result in &run.summary.results {
        if ran.contains(&result.name) {
            assert_eq!(result.status, NodeStatus::Error, "{}", result.name);
        } else {
            assert_eq!(result.status, NodeStatus::Skipped, "{}", result.name);
        }
    }
    assert_eq!(run.with_status(NodeStatus::Skipped).len(), names.len() - ran.len());
}

#[test]
fn cancel_stops_scheduling_and_reports_the_rest_as_cancelled() {
    let project = Project::new()
        .model("a", &[])
        .model("b", &[])
        .model("c", &["a"])
        .model("d", &["b"]);
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(5).gated());
    let cancel = CancelToken::default();
    let run = std::thread::scope(|scope| {
        let running = scope.spawn(|| run(&manifest, &fake, &options(Command::Run, 1), &cancel));
        fake.wait_until_gate_entered();
        cancel.cancel();
        fake.release();
        running.join().unwrap()
    });

    let calls = fake.calls();
    assert_eq!(
        calls.len(),
        1,
        "only the node running at the cancel reached the warehouse: {calls:?}"
    );
    let first = calls[0].label.as_str();
    assert_eq!(run.status(first), NodeStatus::Success, "the running node finished");
    for result in run.summary.results.iter().filter(|r| r.name != first) {
        assert_eq!(result.status, NodeStatus::Skipped, "{}", result.name);
        assert_eq!(result.message, "cancelled", "{}", result.name);
    }
    assert_eq!(run.summary.results.len(), 4);
}

#[test]
fn a_run_cancelled_before_it_starts_runs_nothing() {
    let project = Project::new().model("a", &[]).model("b", &["a"]).model("c", &[]);
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(0));
    let cancel = CancelToken::default();
    cancel.cancel();
    let run = run(&manifest, &fake, &options(Command::Run, 2), &cancel);

    assert!(fake.calls().is_empty());
    assert_eq!(run.with_status(NodeStatus::Skipped), set(&["a", "b", "c"]));
    assert_eq!(run.result("a").message, "cancelled");
    assert_eq!(run.result("c").message, "cancelled");
    // A cancelled node counts as not succeeded, so its dependents say whom they waited for.
    assert_eq!(run.result("b").message, "skipped because a did not succeed");
}

#[test]
fn build_a_failing_test_skips_its_models_children() {
    let project = Project::new()
        .model("a", &[])
        .model("b", &["a"])
        .test("check_a", "a", "")
        .model("x", &[])
        .model("y", &["x"])
        .test("check_x", "x", "")
        .model("w", &[])
        .model("w2", &["w"])
        .test("check_w", "w", "severity='warn'");
    let manifest = project.manifest();
    let fake = Arc::new(Fake::new(10).failing(&["check_a", "check_w"]));
    let run = run(&manifest, &fake, &options(Command::Build, 4), &CancelToken::default());

    assert_eq!(run.status("a"), NodeStatus::Success);
    let check_a = run.result("check_a");
    assert_eq!(check_a.status, NodeStatus::Fail);
    assert_eq!(check_a.failures, Some(3));
    assert!(
        check_a.sample.as_ref().is_some_and(|s| !s.rows.is_empty()),
        "failing rows sampled"
    );
    assert_eq!(run.status("b"), NodeStatus::Skipped);
    assert_eq!(run.result("b").message, "skipped because check_a did not succeed");
    assert!(!fake.labels().contains("b"));

    // A passing test and a warning both let the children run, after the test.
    assert_eq!(run.status("check_x"), NodeStatus::Pass);
    assert_eq!(run.status("check_w"), NodeStatus::Warn);
    assert_eq!(run.status("y"), NodeStatus::Success);
    assert_eq!(run.status("w2"), NodeStatus::Success);
    for (test, child) in [("check_x", "y"), ("check_w", "w2")] {
        assert!(
            fake.call(child).start >= fake.call(test).end,
            "{child} ran before {test} finished"
        );
    }
}

#[test]
fn run_does_not_wait_for_tests_and_test_runs_only_tests() {
    let project = Project::new()
        .model("a", &[])
        .model("b", &["a"])
        .test("check_a", "a", "");
    let manifest = project.manifest();

    let fake = Arc::new(Fake::new(0).failing(&["check_a"]));
    let run_models = run(&manifest, &fake, &options(Command::Run, 2), &CancelToken::default());
    assert_eq!(run_models.names().len(), 2);
    assert_eq!(run_models.with_status(NodeStatus::Success), set(&["a", "b"]));

    let fake = Arc::new(Fake::new(0).failing(&["check_a"]));
    let run_tests = run(&manifest, &fake, &options(Command::Test, 2), &CancelToken::default());
    assert_eq!(run_tests.names(), vec!["check_a"]);
    assert_eq!(run_tests.status("check_a"), NodeStatus::Fail);
    assert_eq!(fake.labels(), labels(&["check_a"]));
}
