//! Executes one node: compiles it (real relation names, `is_incremental`, ephemeral CTEs), translates
//! the SQL to the warehouse's dialect, materialises it through the adapter, and runs tests with a
//! sample of their failing rows. Failures become coded diagnostics located at the node's file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use kiln_compile::{CompileState, Manifest, Node, QueryRunner, TestSeverity};
use kiln_diagnostics::{Code, Diagnostic};
use kiln_graph::ResourceType;
use kiln_project::TargetKind;
use kiln_warehouse::{Adapter, AdapterError, BuildOptions, IncrementalStrategy, QueryResult, Relation, RelationType};

use crate::{adapter_diagnostic, external, now_rfc3339, Command, NodeResult, NodeStatus, RunOptions};

/// A node's result and the log lines its compilation printed (`{{ log(...) }}`).
pub(crate) type Outcome = (NodeResult, Vec<String>);

/// What the node built, as the progress lines and run_results name it.
pub(crate) fn kind_of(node: &Node, command: Command) -> &'static str {
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
            "materialized_view" => "materialized_view",
            _ => "view",
        },
    }
}

/// The result of a node that never ran, with the reason as its message.
pub(crate) fn skipped(node: &Node, command: Command, reason: &str, thread: &str) -> NodeResult {
    let now = now_rfc3339();
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
    }
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

/// Lets `run_query()` in models and macros read from the warehouse while they compile.
pub(crate) struct AdapterRunner(pub(crate) Arc<dyn Adapter>);

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

/// Runs one node on the calling worker thread and times it. Never fails: an error is the result's
/// status and diagnostic.
pub(crate) fn run_node(
    manifest: &Manifest,
    adapter: &dyn Adapter,
    runner: &Arc<dyn QueryRunner>,
    node: &Node,
    options: &RunOptions,
    thread: &str,
) -> Outcome {
    let started_at = now_rfc3339();
    let clock = Instant::now();
    let mut run = NodeRun {
        manifest,
        adapter,
        runner,
        node,
        options,
        logs: Vec::new(),
        compiled_code: None,
        compiled_path: None,
    };
    let (status, message, rows, failures, sample, diagnostic) = match run.execute() {
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
            compiled_code: run.compiled_code,
            compiled_path: run.compiled_path,
            relation_name: node.relation.as_ref().filter(|r| r.cte.is_none()).map(|r| r.rendered()),
            diagnostic,
            kind: kind_of(node, options.command).to_string(),
        },
        run.logs,
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

/// One node being executed, collecting what the result reports besides its status: compile logs
/// and the compiled SQL (kept even when the warehouse then rejects it, so the user can read it).
struct NodeRun<'a> {
    manifest: &'a Manifest,
    adapter: &'a dyn Adapter,
    runner: &'a Arc<dyn QueryRunner>,
    node: &'a Node,
    options: &'a RunOptions,
    logs: Vec<String>,
    compiled_code: Option<String>,
    compiled_path: Option<PathBuf>,
}

impl NodeRun<'_> {
    fn execute(&mut self) -> Result<Done, Diagnostic> {
        let relation = warehouse_relation(self.node);
        match self.node.resource_type {
            ResourceType::Model | ResourceType::Analysis | ResourceType::Snapshot
                if self.options.command == Command::Compile =>
            {
                let state = CompileState {
                    is_incremental: false,
                    runner: None,
                };
                let (sql, path, logs) = compile_to_disk(self.manifest, self.node, &state)?;
                self.logs.extend(logs);
                self.compiled_code = Some(sql);
                self.compiled_path = Some(path);
                Ok(Done::ok("compiled", None))
            }
            kind @ (ResourceType::Source | ResourceType::Seed | ResourceType::Model) => {
                let Some(relation) = relation else {
                    return Ok(Done::ok("no relation", None));
                };
                match kind {
                    ResourceType::Source => self.stage(relation),
                    ResourceType::Seed => self.seed(relation),
                    _ => self.materialise(relation),
                }
            }
            ResourceType::Test => self.test(),
            _ => Ok(Done::ok("nothing to do", None)),
        }
    }

    fn diag(&self, error: AdapterError, compiled_path: Option<&PathBuf>) -> Diagnostic {
        adapter_diagnostic(self.manifest, self.node, &error, compiled_path)
    }

    /// Compiles for execution (with `run_query` against the warehouse) and records the SQL.
    fn compile(&mut self, is_incremental: bool) -> Result<(String, PathBuf), Diagnostic> {
        let state = CompileState {
            is_incremental,
            runner: Some(self.runner.clone()),
        };
        let (sql, path, logs) = compile_to_disk(self.manifest, self.node, &state)?;
        self.logs.extend(logs);
        if self.manifest.target.kind == TargetKind::DuckDb {
            if let Some(found) = kiln_sql::check_redshift_only(&sql).into_iter().next() {
                return Err(untranslatable(self.manifest, self.node, &path, &found));
            }
        }
        let sql = for_warehouse(self.manifest, &sql);
        self.compiled_code = Some(sql.clone());
        self.compiled_path = Some(path.clone());
        Ok((sql, path))
    }

    fn stage(&self, relation: Relation) -> Result<Done, Diagnostic> {
        let Some(table) = external::external_table(
            &self.manifest.root,
            self.node,
            relation,
            self.manifest.target.kind == TargetKind::Redshift,
        )?
        else {
            return Ok(Done::ok("not external", None));
        };
        let staged = self.adapter.stage_external(&table).map_err(|e| self.diag(e, None))?;
        let message = if staged.reused {
            format!("unchanged since last staged from {}", table.location)
        } else {
            format!("LOAD from {}", table.location)
        };
        Ok(Done::ok(message, Some(staged.rows)))
    }

    fn seed(&self, relation: Relation) -> Result<Done, Diagnostic> {
        let config = &self.node.config;
        let column_types: BTreeMap<String, String> = config
            .get("column_types")
            .and_then(|v| v.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let delimiter = config.get_str("delimiter").unwrap_or(",");
        let csv = self.manifest.root.join(&self.node.path);
        let rows = self
            .adapter
            .load_seed(&relation, &csv, &column_types, delimiter)
            .map_err(|e| self.diag(e, None))?;
        Ok(Done::ok(format!("INSERT {rows}"), Some(rows)))
    }

    fn materialise(&mut self, relation: Relation) -> Result<Done, Diagnostic> {
        let node = self.node;
        let materialized = node.materialized().to_string();
        if materialized == "materialized_view" {
            self.adapter
                .ensure_schema(&relation.schema)
                .map_err(|e| self.diag(e, None))?;
            return self.materialized_view(&relation);
        }
        // Incremental only when the table is already there: a first run, a view of that name or a
        // full refresh builds it from scratch.
        let is_incremental = materialized == "incremental"
            && !(self.options.full_refresh || node.config.get_bool("full_refresh") == Some(true))
            && self.adapter.relation_type(&relation).map_err(|e| self.diag(e, None))? == Some(RelationType::Table);
        let (sql, path) = self.compile(is_incremental)?;
        self.adapter
            .ensure_schema(&relation.schema)
            .map_err(|e| self.diag(e, None))?;
        let failed = |e: AdapterError| self.diag(e, Some(&path));
        let options = build_options(node);
        match materialized.as_str() {
            "table" => {
                let rows = self.adapter.create_table(&relation, &sql, &options).map_err(failed)?;
                Ok(Done::ok(format!("SELECT {rows}"), Some(rows)))
            }
            "incremental" => {
                let (strategy, unique_key) = incremental_strategy(node)?;
                let full_refresh = !is_incremental;
                let rows = self
                    .adapter
                    .incremental(&relation, &sql, strategy, &unique_key, full_refresh, &options)
                    .map_err(failed)?;
                let verb = if full_refresh { "CREATE" } else { "MERGE" };
                Ok(Done::ok(format!("{verb} {rows}"), Some(rows)))
            }
            _ => {
                self.adapter.create_view(&relation, &sql, &options).map_err(failed)?;
                Ok(Done::ok("CREATE VIEW", None))
            }
        }
    }

    /// dbt-redshift's `materialized='materialized_view'`: over a Kinesis stream (a two-part name
    /// whose name is one of the project's streams) a streaming view the refresh loop keeps fresh
    /// when `auto_refresh` is set; over tables, a table recomputed on refresh. An unchanged
    /// definition keeps the view and what it has read; a changed one (or a full refresh) reads
    /// its stream again from the oldest record kept.
    fn materialized_view(&mut self, relation: &Relation) -> Result<Done, Diagnostic> {
        use kiln_stream::views::{self, StreamingView};
        let state = CompileState {
            is_incremental: false,
            runner: Some(self.runner.clone()),
        };
        let (sql, path, logs) = compile_to_disk(self.manifest, self.node, &state)?;
        self.logs.extend(logs);
        self.compiled_code = Some(for_warehouse(self.manifest, &sql));
        self.compiled_path = Some(path.clone());
        let located = |message: String| {
            Diagnostic::error(Code::StreamDdl, message).at(kiln_diagnostics::Location::at(
                self.node.path.clone(),
                self.node.line.unwrap_or(1),
                None,
            ))
        };
        if self.manifest.target.kind != TargetKind::DuckDb {
            // On the server, the view is the server's own (a Redshift streaming view reads
            // Kinesis there); Kiln creates or refreshes it as dbt-redshift does.
            let created = self
                .adapter
                .materialized_view(
                    relation,
                    &for_warehouse(self.manifest, &sql),
                    self.node.config.get_bool("auto_refresh").unwrap_or(false),
                    self.options.full_refresh || self.node.config.get_bool("full_refresh") == Some(true),
                    &build_options(self.node),
                )
                .map_err(|e| self.diag(e, Some(&path)))?;
            let verb = if created { "CREATE" } else { "REFRESH" };
            return Ok(Done::ok(format!("{verb} MATERIALIZED VIEW"), None));
        }
        let hub = self.options.streams.as_ref().map(|s| s.0.clone());
        let streams: Vec<(String, String)> = views::two_part_names(&sql)
            .into_iter()
            .filter(|(_, name)| {
                hub.as_ref()
                    .is_some_and(|h| h.get(kiln_stream::StreamKind::Kinesis, name).is_ok())
            })
            .collect();
        if streams.len() > 1 {
            return Err(located(format!(
                "a streaming materialized view reads one stream; this one reads {}",
                streams
                    .iter()
                    .map(|(s, n)| format!("{s}.{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let (external_schema, stream) = streams.into_iter().next().unwrap_or_default();
        let view = StreamingView {
            schema: relation.schema.clone(),
            name: relation.identifier.clone(),
            external_schema,
            stream,
            definition: sql,
            auto_refresh: self.node.config.get_bool("auto_refresh").unwrap_or(false),
        };
        let failed = |e: views::ViewError| match e {
            views::ViewError::Warehouse(e) => self.diag(e, Some(&path)),
            other => located(other.to_string()),
        };
        let registered = views::list_views(self.adapter).map_err(failed)?;
        let unchanged = registered.iter().any(|v| v == &view) && !self.options.full_refresh;
        if !unchanged {
            // What an earlier materialization (a view, a table) left under that name.
            if !registered.iter().any(|v| v.key() == view.key()) {
                self.adapter.drop_relation(relation).map_err(|e| self.diag(e, None))?;
            }
            match &hub {
                Some(hub) if !view.is_plain() => {
                    views::register_external_schema(self.adapter, &view.external_schema, None).map_err(failed)?;
                    views::create_view(hub, self.adapter, &view, true).map_err(failed)?;
                }
                _ => views::create_plain_view(self.adapter, &view, true).map_err(failed)?,
            }
        }
        if view.is_plain() {
            if unchanged {
                views::recompute(self.adapter, &view).map_err(failed)?;
            }
            return Ok(Done::ok("MATERIALIZED VIEW", None));
        }
        let Some(hub) = hub else {
            return Err(located("the project's streams are not open".into()));
        };
        let mut taken = 0usize;
        loop {
            let r = views::refresh(&hub, self.adapter, &view, 8).map_err(failed)?;
            taken += r.records - r.rejected;
            if view.is_plain() || r.batches < 8 {
                break;
            }
        }
        Ok(Done::ok(format!("MATERIALIZED VIEW {taken}"), Some(taken as u64)))
    }

    /// Counts the failing rows; when there are some, keeps the first five for the report.
    fn test(&mut self) -> Result<Done, Diagnostic> {
        let (sql, path) = self.compile(false)?;
        let body = sql.trim().trim_end_matches(';');
        let counted = self
            .adapter
            .query(
                &format!("select count(*) as failures from (\n{body}\n) dbt_internal_test"),
                Some(1),
            )
            .map_err(|e| self.diag(e, Some(&path)))?;
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
        // The sample only illustrates the failure, so a sample query that fails leaves it out.
        let sample = self
            .adapter
            .query(
                &format!("select * from (\n{body}\n) dbt_internal_test limit 5"),
                Some(5),
            )
            .ok();
        let severity = self
            .node
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
}

/// `incremental_strategy` and `unique_key` from the node's config; without a strategy, dbt's
/// default: append, or delete+insert when there is a key.
/// A Redshift construct the local warehouse cannot run (K4008), named with the model and the
/// line: in the model file when rendering kept its lines, else in the compiled SQL.
fn untranslatable(
    manifest: &Manifest,
    node: &Node,
    compiled: &std::path::Path,
    found: &kiln_sql::Untranslatable,
) -> Diagnostic {
    let compiled_text = std::fs::read_to_string(compiled).unwrap_or_default();
    let same_lines = compiled_text.lines().count() == node.raw_code.lines().count();
    let line = usize::try_from(found.line).unwrap_or(1);
    let column = usize::try_from(found.column).ok();
    let (file, line, column) = if same_lines {
        (node.path.clone(), line, column)
    } else {
        (kiln_diagnostics::relative_to(&manifest.root, compiled), line, column)
    };
    Diagnostic::error(
        Code::Untranslatable,
        format!(
            "{} uses `{}`, which the local DuckDB warehouse cannot run: {}",
            node.name, found.construct, found.reason
        ),
    )
    .at(kiln_diagnostics::Location::at(file, line, column))
    .hint("run this model on a Redshift target, or rewrite that part in SQL both warehouses run")
}

/// dbt-redshift's physical configs (`bind`, `dist`, `sort`, `sort_type`, `backup`); `sort` may be
/// one column or a list.
fn build_options(node: &Node) -> BuildOptions {
    let config = &node.config;
    let sort = match config.get("sort") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    BuildOptions {
        bind: config.get_bool("bind"),
        dist: config.get_str("dist").map(str::to_string),
        sort,
        sort_type: config.get_str("sort_type").map(str::to_string),
        backup: config.get_bool("backup"),
    }
}

fn incremental_strategy(node: &Node) -> Result<(IncrementalStrategy, Vec<String>), Diagnostic> {
    let unique_key: Vec<String> = match node.config.get("unique_key") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let strategy = match node.config.get_str("incremental_strategy") {
        Some("append") => IncrementalStrategy::Append,
        Some("delete+insert") => IncrementalStrategy::DeleteInsert,
        Some("merge") => IncrementalStrategy::Merge,
        None if unique_key.is_empty() => IncrementalStrategy::Append,
        None => IncrementalStrategy::DeleteInsert,
        Some(other) => {
            return Err(
                Diagnostic::error(Code::CompilerError, format!("unknown incremental_strategy '{other}'"))
                    .in_file(&node.path)
                    .hint("use append, delete+insert or merge"),
            )
        }
    };
    if strategy != IncrementalStrategy::Append && unique_key.is_empty() {
        return Err(
            Diagnostic::error(Code::CompilerError, "this incremental strategy needs `unique_key`")
                .in_file(&node.path)
                .hint("add unique_key='id' to config(), or use incremental_strategy='append'"),
        );
    }
    Ok((strategy, unique_key))
}
