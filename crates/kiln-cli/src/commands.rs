//! One function per subcommand. Each loads what it needs and returns the process exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use anyhow::{bail, Context};
use kiln_compile::{CompileState, Manifest, ParseOptions};
use kiln_diagnostics::{Code, Diagnostic, Diagnostics};
use kiln_exec::{CancelToken, Command, RunOptions};
use kiln_graph::{IndirectSelection, ResourceType, SelectOptions};
use kiln_project::ProfileOptions;

use crate::output::{self, Progress};
use crate::{Global, RunArgs, Selection};

pub struct Session {
    pub manifest: Manifest,
    pub parse_seconds: f64,
    /// The streams the project's YAML declares.
    pub streams: Vec<kiln_project::StreamDecl>,
}

fn vars_from(global: &Global) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let Some(text) = &global.vars else {
        return Ok(Default::default());
    };
    let value: serde_json::Value =
        serde_norway::from_str(text).with_context(|| format!("--vars is not YAML: {text}"))?;
    match value {
        serde_json::Value::Object(map) => Ok(map),
        _ => bail!("--vars must be a mapping, e.g. --vars '{{min_price: 5}}'"),
    }
}

pub fn project_root(global: &Global) -> anyhow::Result<PathBuf> {
    let dir = global.project_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    Ok(kiln_project::find_project_root(&dir)?)
}

fn profile_options(global: &Global) -> ProfileOptions {
    ProfileOptions {
        profiles_dir: global.profiles_dir.clone(),
        target: global.target.clone(),
        home: None,
    }
}

pub fn load(global: &Global) -> anyhow::Result<Session> {
    Ok(load_with_project(global)?.0)
}

/// [`load`], keeping the loaded project for commands that need more than the manifest (its
/// dashboards).
pub fn load_with_project(global: &Global) -> anyhow::Result<(Session, kiln_project::Project)> {
    let started = Instant::now();
    let root = project_root(global)?;
    // The studio opens a project the same way (kiln_project::open, then load and parse), so both
    // report the same first error for the same broken project.
    let (_, target) = kiln_project::open(&root, &profile_options(global))?;
    let vars = vars_from(global)?;
    let project = kiln_project::load_project(&root)?;
    let manifest = kiln_compile::parse(&project, &target, &ParseOptions { vars })?;
    output::print_warnings(&manifest.warnings);
    let session = Session {
        manifest,
        parse_seconds: started.elapsed().as_secs_f64(),
        streams: project.streams.clone(),
    };
    Ok((session, project))
}

fn write_manifest(manifest: &Manifest, compiled: &BTreeMap<String, String>) -> anyhow::Result<PathBuf> {
    Ok(kiln_exec::write_manifest(manifest, compiled)?)
}

/// `path` as the user knows it: relative to the project when inside it.
fn shown(manifest: &Manifest, path: &Path) -> String {
    kiln_diagnostics::relative_to(&manifest.root, path)
        .display()
        .to_string()
}

fn select_ids(
    manifest: &Manifest,
    selection: &Selection,
    types: Option<Vec<ResourceType>>,
) -> anyhow::Result<Vec<String>> {
    let indirect = IndirectSelection::from_str(&selection.indirect_selection).map_err(|_| {
        Diagnostic::error(
            Code::Selector,
            format!("unknown --indirect-selection '{}'", selection.indirect_selection),
        )
        .hint("use eager, cautious, buildable or empty")
    })?;
    let report = kiln_graph::select_with_report(
        &manifest.graph,
        &selection.select,
        &selection.exclude,
        SelectOptions {
            resource_types: types,
            indirect_selection: indirect,
        },
    )
    .map_err(|e| {
        Diagnostic::error(Code::Selector, e.to_string())
            .hint("selectors look like: fct_sales, +fct_sales, tag:marts, path:models/staging, source:raw")
    })?;
    for word in &report.unmatched {
        eprintln!("warning: the selector '{word}' matched no nodes");
    }
    Ok(report.selected.into_iter().collect())
}

pub fn parse(global: &Global) -> anyhow::Result<ExitCode> {
    let (session, project) = load_with_project(global)?;
    check_dashboards(&project)?;
    let write_started = Instant::now();
    let written = write_manifest(&session.manifest, &BTreeMap::new())?;
    let write_seconds = write_started.elapsed().as_secs_f64();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for node in session.manifest.nodes.values() {
        *counts.entry(node.resource_type.as_str()).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}s")).collect();
    println!(
        "Parsed {} in {:.0} ms; wrote {} in {:.0} ms",
        parts.join(", "),
        session.parse_seconds * 1000.0,
        shown(&session.manifest, &written),
        write_seconds * 1000.0
    );
    // The process ends here: freeing hundreds of thousands of small allocations one by one would
    // add a visible fraction to `kiln parse` on large projects for no benefit.
    std::mem::forget(session);
    Ok(ExitCode::SUCCESS)
}

/// Dashboards are checked like models: bad YAML, a panel off the grid, an impossible refresh or
/// time range, a bad variable, a chart naming a column its query does not return — each a coded
/// error at its file and line. (Their `ref()`s are resolved with the exposures, during parsing.)
fn check_dashboards(project: &kiln_project::Project) -> anyhow::Result<()> {
    let mut problems = kiln_diagnostics::Diagnostics::default();
    for dashboard in &project.dashboards {
        match kiln_dash::parse_dashboard(&dashboard.text, &dashboard.path) {
            Ok(parsed) => problems.extend(kiln_diagnostics::Diagnostics(kiln_dash::check_columns(
                &parsed,
                &dashboard.text,
                &dashboard.path,
            ))),
            Err(errors) => problems.extend(kiln_diagnostics::Diagnostics(errors)),
        }
    }
    if problems.has_errors() {
        return Err(problems.into());
    }
    Ok(())
}

pub fn compile(global: &Global, selection: &Selection) -> anyhow::Result<ExitCode> {
    let session = load(global)?;
    let manifest = &session.manifest;
    let started = Instant::now();
    let ids = select_ids(
        manifest,
        selection,
        Some(vec![ResourceType::Model, ResourceType::Test, ResourceType::Analysis]),
    )?;
    let nodes: Vec<&kiln_compile::Node> = ids
        .iter()
        .filter_map(|id| manifest.nodes.get(id))
        .filter(|n| !n.raw_code.is_empty())
        .collect();
    let results: Vec<Result<(String, String), Diagnostic>> = std::thread::scope(|scope| {
        let chunks = nodes.chunks(nodes.len().div_ceil(available_threads()).max(1));
        let handles: Vec<_> = chunks
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|node| {
                            kiln_exec::compile_to_disk(manifest, node, &CompileState::default())
                                .map(|(sql, _, _)| (node.unique_id.clone(), sql))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut compiled = BTreeMap::new();
    let mut errors = Diagnostics::default();
    for result in results {
        match result {
            Ok((id, sql)) => {
                compiled.insert(id, sql);
            }
            Err(d) => errors.push(d),
        }
    }
    write_manifest(manifest, &compiled)?;
    if errors.has_errors() {
        return Err(errors.into());
    }
    println!(
        "Compiled {} nodes in {:.0} ms (parse {:.0} ms) to {}/",
        compiled.len(),
        started.elapsed().as_secs_f64() * 1000.0,
        session.parse_seconds * 1000.0,
        shown(manifest, &manifest.target_dir.join("compiled"))
    );
    Ok(ExitCode::SUCCESS)
}

fn available_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

pub fn ls(global: &Global, selection: &Selection, resource_types: &[String], output: &str) -> anyhow::Result<ExitCode> {
    let session = load(global)?;
    let types = if resource_types.is_empty() {
        None
    } else {
        let mut parsed = Vec::new();
        for name in resource_types {
            parsed.push(ResourceType::from_str(name).map_err(|_| {
                Diagnostic::error(Code::Selector, format!("unknown resource type '{name}'"))
                    .hint("use model, source, seed, test, analysis, exposure or snapshot")
            })?);
        }
        Some(parsed)
    };
    let ids = select_ids(&session.manifest, selection, types)?;
    for id in ids {
        let Some(node) = session.manifest.nodes.get(&id) else {
            continue;
        };
        match output {
            "name" => println!("{}", node.name),
            "path" => println!("{}", node.path.display()),
            "json" => println!(
                "{}",
                serde_json::json!({"unique_id": node.unique_id, "name": node.name, "resource_type": node.resource_type.as_str(), "path": node.path, "tags": node.config.tags(), "depends_on": node.depends_on, "config": node.config.0})
            ),
            _ => match node.resource_type {
                ResourceType::Source => println!(
                    "source:{}",
                    node.fqn
                        .first()
                        .cloned()
                        .into_iter()
                        .chain(node.source.as_ref().map(|s| s.source_name.clone()))
                        .chain([node.name.clone()])
                        .collect::<Vec<_>>()
                        .join(".")
                ),
                ResourceType::Exposure => println!("exposure:{}.{}", node.package_name, node.name),
                _ => println!("{}", node.fqn.join(".")),
            },
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The project's streams, for `materialized_view` models that read one: opened when the project
/// has any (the warehouse is open by then, so no studio holds them).
fn open_streams(
    session: &Session,
    adapter: &dyn kiln_warehouse::Adapter,
) -> anyhow::Result<Option<kiln_exec::Streams>> {
    let manifest = &session.manifest;
    let dir = manifest.root.join(kiln_stream::PROJECT_STREAMS_DIR);
    if manifest.target.kind != kiln_project::TargetKind::DuckDb || (!dir.is_dir() && session.streams.is_empty()) {
        return Ok(None);
    }
    let hub = kiln_stream::Hub::open(&dir, kiln_stream::HubOptions::default())?;
    let errors = kiln_stream::declare::apply(&hub, Some(adapter), &manifest.root, &session.streams);
    if let Some(first) = errors.first() {
        anyhow::bail!(
            "{} of the project's streams cannot be set up; the first: {first}",
            errors.len()
        );
    }
    Ok(Some(kiln_exec::Streams(std::sync::Arc::new(hub))))
}

pub fn run(global: &Global, command: Command, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let session = load(global)?;
    let manifest = &session.manifest;
    let threads = args.threads.unwrap_or(manifest.target.threads).max(1);
    let mut options = RunOptions::new(command);
    options.select = args.selection.select.clone();
    options.exclude = args.selection.exclude.clone();
    options.threads = threads;
    options.full_refresh = args.full_refresh;
    options.fail_fast = args.fail_fast;
    options.indirect_selection = IndirectSelection::from_str(&args.selection.indirect_selection).map_err(|_| {
        Diagnostic::error(
            Code::Selector,
            format!("unknown --indirect-selection '{}'", args.selection.indirect_selection),
        )
    })?;

    // In the studio's order (selection, then warehouse), so both refuse a run for the same reason;
    // the artifacts are written once, when the run is over, as the studio writes them.
    let (planned, unmatched) = kiln_exec::plan(manifest, &options)?;
    let adapter = match kiln_targets::open(&manifest.target, threads) {
        Ok(adapter) => adapter,
        // A studio open on the project holds the DuckDB file: the run goes to it.
        Err(locked)
            if locked.code == Code::WarehouseLocked && manifest.target.kind == kiln_project::TargetKind::DuckDb =>
        {
            return crate::handoff::run_in_studio(global, command, args, manifest, &unmatched, locked);
        }
        Err(error) => return Err(error.into()),
    };
    options.streams = open_streams(&session, adapter.as_ref())?;
    let header: Vec<String> = kiln_exec::log::header_lines(manifest, threads, planned.len(), command)
        .into_iter()
        .map(|line| format!("{}  {line}", kiln_exec::log::clock()))
        .collect();
    for line in &header {
        println!("{line}");
    }
    println!();
    let record = crate::record::CliRecord::start(manifest, &options, planned.len(), &header);

    let cancel = CancelToken::default();
    {
        let cancel = cancel.clone();
        let adapter = adapter.clone();
        // A second Ctrl-C falls through to the default handler only if this one fails to install.
        let _ = ctrlc::set_handler(move || {
            eprintln!("\ncancelling: waiting for running statements to stop…");
            cancel.cancel();
            adapter.interrupt();
        });
    }
    let progress = Progress::new(planned.len(), !global.no_progress);
    let sink = |event: &kiln_exec::Event| {
        progress.on_event(event);
        record.event(event);
    };
    let started = Instant::now();
    let outcome = kiln_exec::execute(manifest, adapter, &options, &sink, &cancel);
    record.finish(outcome.as_ref(), &cancel, started.elapsed().as_secs_f64());
    let summary = outcome?;
    progress.finish();
    for word in &summary.unmatched {
        eprintln!("warning: the selector '{word}' matched no nodes");
    }

    kiln_exec::write_run_artifacts(manifest, &summary, &options)?;
    output::print_summary(&summary);
    Ok(if summary.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn show(global: &Global, selection: &Selection, inline: Option<&str>, limit: usize) -> anyhow::Result<ExitCode> {
    let session = load(global)?;
    let manifest = &session.manifest;
    let sql = match inline {
        Some(sql) => manifest.compile_inline(sql, &CompileState::default())?.sql,
        None => {
            let ids = select_ids(
                manifest,
                selection,
                Some(vec![
                    ResourceType::Model,
                    ResourceType::Seed,
                    ResourceType::Analysis,
                    ResourceType::Source,
                    ResourceType::Test,
                ]),
            )?;
            let Some(id) = ids.first() else {
                bail!("--select matched nothing; name a model, e.g. `kiln show -s fct_sales`")
            };
            let node = manifest.nodes.get(id).context("selected node vanished")?;
            match node.resource_type {
                ResourceType::Seed | ResourceType::Source => format!(
                    "select * from {}",
                    node.relation.as_ref().map(|r| r.rendered()).unwrap_or_default()
                ),
                _ => manifest.compile(id, &CompileState::default())?.sql,
            }
        }
    };
    let adapter = kiln_targets::open(&manifest.target, 1)?;
    let sql = kiln_exec::for_warehouse(manifest, &sql);
    let started = Instant::now();
    let result = adapter
        .query(
            &format!(
                "select * from (\n{}\n) kiln_show limit {}",
                sql.trim().trim_end_matches(';'),
                limit + 1
            ),
            Some(limit),
        )
        .map_err(|e| e.to_diagnostic(Some(&manifest.root)))?;
    println!("{}", output::table(&result));
    println!(
        "{} rows{} in {:.3}s",
        result.rows.len(),
        if result.truncated {
            " (more available; raise --limit)"
        } else {
            ""
        },
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn docs_generate(global: &Global) -> anyhow::Result<ExitCode> {
    let (session, project) = load_with_project(global)?;
    let manifest = &session.manifest;
    let mut compiled = BTreeMap::new();
    for node in manifest.nodes.values().filter(|n| !n.raw_code.is_empty()) {
        if let Ok(c) = manifest.compile(&node.unique_id, &CompileState::default()) {
            compiled.insert(node.unique_id.clone(), c.sql);
        }
    }
    let manifest_path = write_manifest(manifest, &compiled)?;
    let adapter = kiln_targets::open(&manifest.target, 1)?;
    let mut catalog_nodes = serde_json::Map::new();
    let mut catalog_sources = serde_json::Map::new();
    for node in manifest.nodes.values() {
        let Some(relation) = kiln_exec::warehouse_relation(node) else {
            continue;
        };
        if node.relation.as_ref().is_some_and(|r| r.cte.is_some()) {
            continue;
        }
        let Ok(Some(kind)) = adapter.relation_type(&relation) else {
            continue;
        };
        let columns = adapter.columns(&relation).unwrap_or_default();
        let columns_json: serde_json::Map<String, serde_json::Value> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.name.clone(),
                    serde_json::json!({"type": c.data_type, "index": i + 1, "name": c.name, "comment": null}),
                )
            })
            .collect();
        let entry = serde_json::json!({
            "unique_id": node.unique_id,
            "metadata": {"type": kind.to_string().to_uppercase(), "schema": relation.schema, "name": relation.identifier, "database": relation.database, "comment": null, "owner": null},
            "columns": columns_json,
            "stats": {},
        });
        if node.resource_type == ResourceType::Source {
            catalog_sources.insert(node.unique_id.clone(), entry);
        } else {
            catalog_nodes.insert(node.unique_id.clone(), entry);
        }
    }
    let catalog = serde_json::json!({
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json", "generated_at": kiln_exec::now_rfc3339(), "invocation_id": kiln_exec::new_invocation_id()},
        "nodes": catalog_nodes,
        "sources": catalog_sources,
        "errors": null,
    });
    let target_dir = &manifest.target_dir;
    std::fs::create_dir_all(target_dir)?;
    std::fs::write(target_dir.join("catalog.json"), serde_json::to_string_pretty(&catalog)?)?;
    let dashboards = crate::chart::docs_section(manifest, &project.dashboards, adapter.as_ref());
    std::fs::write(target_dir.join("index.html"), docs_html(manifest, &dashboards))?;
    println!(
        "Wrote {}, {} ({} relations) and {}",
        shown(manifest, &manifest_path),
        shown(manifest, &target_dir.join("catalog.json")),
        catalog_nodes_len(&catalog),
        shown(manifest, &target_dir.join("index.html"))
    );
    Ok(ExitCode::SUCCESS)
}

fn catalog_nodes_len(catalog: &serde_json::Value) -> usize {
    catalog["nodes"].as_object().map(|m| m.len()).unwrap_or(0)
        + catalog["sources"].as_object().map(|m| m.len()).unwrap_or(0)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A static, dependency-free docs page; the studio's docs panel is the rich view. `dashboards`
/// is the dashboards section (HTML), put after the nodes.
fn docs_html(manifest: &Manifest, dashboards: &str) -> String {
    let mut body = String::new();
    for node in manifest
        .nodes
        .values()
        .filter(|n| n.resource_type != ResourceType::Test)
    {
        body.push_str(&format!(
            "<section><h2>{} <small>{}</small></h2><p>{}</p>",
            escape(&node.name),
            node.resource_type.as_str(),
            escape(&node.description)
        ));
        if !node.depends_on.is_empty() {
            body.push_str(&format!(
                "<p class=deps>depends on: {}</p>",
                escape(&node.depends_on.join(", "))
            ));
        }
        if !node.columns.is_empty() {
            body.push_str("<table><tr><th>column</th><th>type</th><th>description</th></tr>");
            for c in &node.columns {
                body.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&c.name),
                    escape(c.data_type.as_deref().unwrap_or("")),
                    escape(&c.description)
                ));
            }
            body.push_str("</table>");
        }
        body.push_str("</section>\n");
    }
    format!(
        "<!doctype html><meta charset=utf-8><title>{0} docs</title><style>body{{font:14px system-ui;max-width:960px;margin:2em auto}}small{{color:#888;font-weight:normal}}table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:4px 8px;text-align:left}}.deps{{color:#555}}.panel{{margin:1em 0}}.panel svg{{max-width:100%;height:auto;border:1px solid #e2e4e8}}.note{{color:#555}}pre{{background:#f6f7f9;padding:8px;overflow:auto}}</style><h1>{0}</h1>\n{1}{2}",
        escape(&manifest.project_name),
        body,
        dashboards
    )
}

pub fn clean(global: &Global) -> anyhow::Result<ExitCode> {
    let root = project_root(global)?;
    // dbt_project.yml alone: a project whose models are broken can still be cleaned.
    let config = kiln_project::load_config(&root)?;
    for target in &config.clean_targets {
        let path = root.join(target);
        let inside = path
            .canonicalize()
            .map(|p| p.starts_with(&root) && p != root)
            .unwrap_or(false);
        if !path.exists() {
            continue;
        }
        if !inside {
            bail!(
                "refusing to delete {} because it is outside the project (or the project itself)",
                path.display()
            );
        }
        std::fs::remove_dir_all(&path).with_context(|| format!("cannot delete {}", path.display()))?;
        println!("Deleted {}", target);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn demo_tickit(global: &Global, scale: f64, out: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let out = match out {
        Some(out) => out,
        None => project_root(global)?.join("lake"),
    };
    let started = Instant::now();
    let tables = kiln_demo::generate_tickit(&out, scale)
        .with_context(|| format!("cannot generate the TICKIT lake in {}", out.display()))?;
    for table in &tables {
        println!("{:>10} rows  {}", table.rows, table.path.display());
    }
    println!(
        "Generated TICKIT at scale {scale} in {:.2}s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn debug(global: &Global) -> anyhow::Result<ExitCode> {
    let root = project_root(global)?;
    let (config, target) = kiln_project::open(&root, &profile_options(global))?;
    println!("kiln version: {}", env!("CARGO_PKG_VERSION"));
    println!("project: {} ({})", config.name, root.display());
    match &target.source_file {
        Some(file) => println!("profile: {} from {}", target.profile_name, file.display()),
        None => println!(
            "profile: {} not found in any profiles.yml; using the embedded DuckDB warehouse",
            target.profile_name
        ),
    }
    println!(
        "target: {} (type {}, schema {}, threads {})",
        target.name,
        target.kind.as_str(),
        target.schema,
        target.threads
    );
    if let Some(path) = &target.path {
        println!("warehouse file: {}", path.display());
    }
    if let Some(host) = &target.host {
        let default_port = if target.kind == kiln_project::TargetKind::Postgres {
            5432
        } else {
            5439
        };
        println!("host: {host}:{}", target.port.unwrap_or(default_port));
    }
    if let Some(user) = &target.user {
        println!("user: {user}");
    }
    if let Some(database) = &target.database {
        println!("database: {database}");
    }
    for key in [
        "method",
        "sslmode",
        "cluster_identifier",
        "cluster_id",
        "workgroup_name",
        "db_user",
        "iam_profile",
        "region",
    ] {
        if let Some(value) = target.settings.get(key).and_then(|v| v.as_str()) {
            println!("{key}: {value}");
        }
    }
    if target.password.is_some() {
        println!("password: ****");
    }
    // `method: iam`: the AWS stage first (AWS credentials, then the temporary database login),
    // so its failures are told apart from the database's.
    if let Some(check) = kiln_targets::check_iam(&target) {
        match check {
            Ok(check) => println!(
                "temporary credentials: OK ({} issued database user {}, valid for {} more minutes)",
                check.operation,
                check.user,
                check.valid_for.as_secs() / 60
            ),
            Err(diagnostic) => {
                println!("temporary credentials: FAILED");
                return Err(diagnostic.into());
            }
        }
    }
    // Opening a server target connects and logs in, so each failure (name lookup, TCP, TLS,
    // login, permission, database) is reported here in plain words, at the profile line to fix.
    let adapter = match kiln_targets::open(&target, 1) {
        Ok(adapter) => adapter,
        Err(diagnostic) => {
            println!("connection: FAILED");
            return Err(diagnostic.into());
        }
    };
    let probe = if adapter.kind() == "duckdb" {
        "select 'DuckDB ' || version()"
    } else {
        "select version()"
    };
    let version = adapter
        .query(probe, Some(1))
        .map_err(|e| kiln_targets::connect_diagnostic(&target, &e))?;
    println!("connection: OK");
    if let Some(text) = version.rows.first().and_then(|r| r.first()).and_then(|v| v.as_str()) {
        println!("server: {text}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn init(name: &str) -> anyhow::Result<ExitCode> {
    let root = Path::new(name);
    if root.exists() {
        bail!("{} already exists; pick another name or remove it", root.display());
    }
    let project_name: String = root
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect()
        })
        .unwrap_or_else(|| "my_project".into());
    let files = [
        ("dbt_project.yml", format!("name: {project_name}\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: {project_name}\n\nmodels:\n  {project_name}:\n    example:\n      +materialized: view\n")),
("models/example/my_first_model.sql", "select 1 as id, 'hello' as greeting\nunion all\nselect 2, 'world'\n".to_string()),
        ("models/example/my_second_model.sql", "select id, upper(greeting) as shout\nfrom {{ ref('my_first_model') }}\n".to_string()),
        ("models/example/schema.yml", "version: 2\nmodels:\n  - name: my_first_model\n    description: A starter model.\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n".to_string()),
        (".gitignore", "target/\n.kiln/\nlogs/\n".to_string()),
    ];
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "Created project {project_name} in {}. Next: cd {} && kiln build",
        root.display(),
        root.display()
    );
    Ok(ExitCode::SUCCESS)
}
