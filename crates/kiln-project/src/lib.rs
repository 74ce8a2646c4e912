//! Loads a dbt-style project from disk into plain data: which files exist, what the YAML declares and
//! how folder-level configuration applies. Nothing here renders Jinja in models or touches a
//! warehouse; that is `kiln-compile`'s and `kiln-exec`'s job.

mod config;
mod dashboards;
mod profiles;
mod properties;
mod streams;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiln_diagnostics::{relative_to, Code, Diagnostic, Diagnostics, Location};
use serde_json::{Map, Value};

pub use config::{folder_config, NodeConfig};
pub use dashboards::DashboardFile;
pub use profiles::{load_target, profile_targets, ProfileOptions, Secret, Target, TargetKind};
use properties::DeclaresTests;
pub use properties::{ColumnDef, ExposureDef, PropertiesFile, ResourceProps, SourceDef, SourceTableDef};
pub use streams::{
    BufferingDef, DeliveryDecl, DeliveryDef, StreamDecl, StreamDeclKind, StreamDef, DEFAULT_COPY_OPTIONS,
    MAX_BUFFER_MB, MAX_INTERVAL_SECONDS, MAX_RETENTION_HOURS, MAX_SHARDS, MIN_RETENTION_HOURS,
};
pub use yaml::{parse_yaml, parse_yaml_lenient};

pub const PROJECT_FILE: &str = "dbt_project.yml";

/// `dbt_project.yml`, with dbt's defaults filled in.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    pub name: String,
    pub version: Option<String>,
    pub profile: Option<String>,
    pub model_paths: Vec<String>,
    pub seed_paths: Vec<String>,
    pub test_paths: Vec<String>,
    pub analysis_paths: Vec<String>,
    pub macro_paths: Vec<String>,
    pub snapshot_paths: Vec<String>,
    pub docs_paths: Vec<String>,
    /// Dashboards as code (`dashboard-paths`, a Kiln key; `dashboards` by default).
    pub dashboard_paths: Vec<String>,
    pub target_path: String,
    pub clean_targets: Vec<String>,
    pub vars: Map<String, Value>,
    pub models: Option<Value>,
    pub seeds: Option<Value>,
    pub tests: Option<Value>,
    pub analyses: Option<Value>,
    pub snapshots: Option<Value>,
    pub sources: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SqlKind {
    Model,
    Analysis,
    SingularTest,
    Snapshot,
}

/// A SQL file that becomes one node: a model, analysis, singular test or snapshot.
#[derive(Debug, Clone)]
pub struct SqlFile {
    pub kind: SqlKind,
    pub name: String,
    /// Relative to the project root.
    pub path: PathBuf,
    pub raw: String,
    pub fqn: Vec<String>,
    /// Folder-level config merged with the properties YAML `config:`; `config()` calls come later.
    pub config: NodeConfig,
    pub props: Option<ResourceProps>,
    pub props_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct SeedFile {
    pub name: String,
    pub path: PathBuf,
    pub fqn: Vec<String>,
    pub config: NodeConfig,
    pub props: Option<ResourceProps>,
    pub props_file: Option<PathBuf>,
}

/// One table of a declared source, flattened with its source's settings.
#[derive(Debug, Clone)]
pub struct SourceTable {
    pub source_name: String,
    pub name: String,
    pub identifier: String,
    pub database: Option<String>,
    pub schema: String,
    pub description: String,
    pub source_description: String,
    pub loader: String,
    pub external: Option<Value>,
    pub columns: Vec<ColumnDef>,
    pub meta: Map<String, Value>,
    pub tags: Vec<String>,
    pub config: NodeConfig,
    pub file: PathBuf,
    pub line: Option<usize>,
    pub fqn: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct MacroFile {
    pub path: PathBuf,
    pub raw: String,
}

#[derive(Debug, Clone)]
pub struct Exposure {
    pub def: ExposureDef,
    pub file: PathBuf,
    pub fqn: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DocBlock {
    pub name: String,
    pub contents: String,
    pub file: PathBuf,
}

/// What a generic test declared in YAML is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestTarget {
    Model(String),
    Seed(String),
    Snapshot(String),
    Source { source: String, table: String },
}

/// A generic test entry from properties YAML, still unparsed (`unique`, or
/// `{accepted_values: {values: [...]}}` …); `kiln-compile` turns it into a test node.
#[derive(Debug, Clone)]
pub struct TestDef {
    pub target: TestTarget,
    pub column: Option<String>,
    pub entry: Value,
    pub file: PathBuf,
    pub line: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: ProjectConfig,
    pub sql_files: Vec<SqlFile>,
    pub seeds: Vec<SeedFile>,
    pub sources: Vec<SourceTable>,
    pub macros: Vec<MacroFile>,
    pub exposures: Vec<Exposure>,
    /// Dashboards as code; each is (or extends) an exposure in `exposures`.
    pub dashboards: Vec<DashboardFile>,
    /// Kinesis and Firehose streams declared under `streams:` in properties YAML, checked, in
    /// file order; the stream engine creates them.
    pub streams: Vec<StreamDecl>,
    pub docs: BTreeMap<String, DocBlock>,
    pub tests: Vec<TestDef>,
    /// Problems that did not stop loading (unknown properties targets …).
    pub warnings: Diagnostics,
}

impl Project {
    pub fn models(&self) -> impl Iterator<Item = &SqlFile> {
        self.sql_files.iter().filter(|f| f.kind == SqlKind::Model)
    }

    pub fn target_dir(&self) -> PathBuf {
        self.root.join(&self.config.target_path)
    }
}

/// Finds the project root: `dir` itself or its nearest ancestor holding `dbt_project.yml`.
pub fn find_project_root(dir: &Path) -> Result<PathBuf, Diagnostic> {
    let start = dir.canonicalize().map_err(|e| {
        Diagnostic::error(Code::ProjectNotFound, format!("cannot open {}: {e}", dir.display()))
            .hint("pass --project-dir with the folder that holds dbt_project.yml")
    })?;
    for candidate in start.ancestors() {
        if candidate.join(PROJECT_FILE).is_file() {
            return Ok(candidate.to_path_buf());
        }
    }
    Err(Diagnostic::error(
        Code::ProjectNotFound,
        format!("no {PROJECT_FILE} in {} or any parent folder", start.display()),
    )
    .hint("run inside a project, pass --project-dir, or create one with `kiln init`"))
}

/// Reads `dbt_project.yml` alone, with dbt's defaults filled in: enough to know the project's
/// folders, profile and target folder even when its models or YAML files are broken.
pub fn load_config(root: &Path) -> Result<ProjectConfig, Diagnostics> {
    let text = std::fs::read_to_string(root.join(PROJECT_FILE)).map_err(|e| {
        Diagnostic::error(Code::ProjectNotFound, format!("cannot read {PROJECT_FILE}: {e}"))
            .in_file(PROJECT_FILE)
            .hint("run inside a project, pass --project-dir, or create one with `kiln init`")
    })?;
    let raw: Value = parse_yaml(&text, Path::new(PROJECT_FILE))?;
    project_config_from(&raw).map_err(|message| {
        Diagnostics::from(
            Diagnostic::error(Code::YamlSyntax, message)
                .in_file(PROJECT_FILE)
                .hint("see https://docs.getdbt.com/reference/dbt_project.yml"),
        )
    })
}

/// What every front end needs before it parses: the project's configuration and the profile
/// target it runs against (`--profiles-dir`, `--target`). The CLI and the studio both open a
/// project through this, so they find the same profile and report the same errors first.
pub fn open(root: &Path, options: &ProfileOptions) -> Result<(ProjectConfig, Target), Diagnostics> {
    let config = load_config(root)?;
    let target = load_target(root, config.profile.as_deref(), options)?;
    Ok((config, target))
}

/// Loads everything in the project. Every broken file is reported, not just the first.
pub fn load_project(root: &Path) -> Result<Project, Diagnostics> {
    let root = root.to_path_buf();
    let config = load_config(&root)?;

    let mut diagnostics = Diagnostics::default();
    let mut loader = Loader {
        root: &root,
        config: &config,
        diagnostics: &mut diagnostics,
    };
    let mut sql_files = Vec::new();
    let mut seeds = Vec::new();
    let mut macros = Vec::new();
    let mut yaml_files = Vec::new();
    let mut md_files = Vec::new();

    for dir in &config.model_paths {
        loader.collect_sql(dir, SqlKind::Model, config.models.as_ref(), &mut sql_files);
        loader.collect_ext(dir, &["yml", "yaml"], &mut yaml_files);
        loader.collect_ext(dir, &["md"], &mut md_files);
    }
    for dir in &config.analysis_paths {
        loader.collect_sql(dir, SqlKind::Analysis, config.analyses.as_ref(), &mut sql_files);
        loader.collect_ext(dir, &["yml", "yaml"], &mut yaml_files);
    }
    for dir in &config.snapshot_paths {
        loader.collect_sql(dir, SqlKind::Snapshot, config.snapshots.as_ref(), &mut sql_files);
        loader.collect_ext(dir, &["yml", "yaml"], &mut yaml_files);
    }
    for dir in &config.test_paths {
        // Files under tests/generic are generic test definitions (macros), not singular tests.
        let mut found = Vec::new();
        loader.collect_sql(dir, SqlKind::SingularTest, config.tests.as_ref(), &mut found);
        for file in found {
            if file.path.components().any(|c| c.as_os_str() == "generic") {
                macros.push(MacroFile {
                    path: file.path,
                    raw: file.raw,
                });
            } else {
                sql_files.push(file);
            }
        }
        loader.collect_ext(dir, &["yml", "yaml"], &mut yaml_files);
    }
    for dir in &config.macro_paths {
        let mut found = Vec::new();
        loader.collect_ext(dir, &["sql"], &mut found);
        for path in found {
            if let Some(raw) = loader.read(&path) {
                macros.push(MacroFile {
                    path: relative_to(&root, &path),
                    raw,
                });
            }
        }
        loader.collect_ext(dir, &["yml", "yaml"], &mut yaml_files);
    }
    for dir in &config.seed_paths {
        let mut found = Vec::new();
        loader.collect_ext(dir, &["csv"], &mut found);
        for path in found {
            let rel = relative_to(&root, &path);
            let name = file_stem(&path);
            let fqn = fqn_for(&config.name, dir, &rel, &name);
            let folder = folder_config(config.seeds.as_ref(), &fqn);
            seeds.push(SeedFile {
                name,
                path: rel,
                fqn,
                config: folder,
                props: None,
                props_file: None,
            });
        }
        loader.collect_ext(dir, &["yml", "yaml"], &mut yaml_files);
    }
    for dir in &config.docs_paths {
        loader.collect_ext(dir, &["md"], &mut md_files);
    }
    let mut dashboard_files = Vec::new();
    for dir in &config.dashboard_paths {
        loader.collect_ext(dir, &["yml", "yaml"], &mut dashboard_files);
    }
    dashboard_files.sort();
    yaml_files.sort();
    yaml_files.dedup();
    md_files.sort();
    md_files.dedup();
    sql_files.sort_by(|a, b| a.path.cmp(&b.path));
    seeds.sort_by(|a, b| a.path.cmp(&b.path));
    macros.sort_by(|a, b| a.path.cmp(&b.path));

    let docs = loader.collect_docs(&md_files);
    let mut properties = Vec::new();
    for path in &yaml_files {
        let rel = relative_to(&root, path);
        let Some(text) = loader.read(path) else { continue };
        match parse_yaml_lenient::<Option<PropertiesFile>>(&text, &rel) {
            Ok((file, warnings)) => {
                for warning in warnings {
                    loader.diagnostics.push(warning);
                }
                if let Some(file) = file {
                    properties.push((rel, text, file));
                }
            }
            Err(errors) => loader.diagnostics.extend(errors),
        }
    }

    check_duplicates(&sql_files, &seeds, loader.diagnostics);

    let mut project = Project {
        root: root.clone(),
        config: config.clone(),
        sql_files,
        seeds,
        sources: Vec::new(),
        macros,
        exposures: Vec::new(),
        dashboards: Vec::new(),
        streams: Vec::new(),
        docs,
        tests: Vec::new(),
        warnings: Diagnostics::default(),
    };
    project.streams = streams::load(
        &root,
        properties
            .iter_mut()
            .map(|(file, text, props)| (file.as_path(), text.as_str(), std::mem::take(&mut props.streams))),
        &mut diagnostics,
    );
    apply_properties(&mut project, properties, &mut diagnostics);
    project.dashboards = dashboards::load(
        &root,
        &dashboard_files,
        &config.name,
        &mut project.exposures,
        &mut diagnostics,
    );

    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    project.warnings = diagnostics;
    Ok(project)
}

fn apply_properties(
    project: &mut Project,
    properties: Vec<(PathBuf, String, PropertiesFile)>,
    diagnostics: &mut Diagnostics,
) {
    let project_name = project.config.name.clone();
    let sql_by_name: std::collections::HashMap<String, usize> = project
        .sql_files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
    let seed_by_name: std::collections::HashMap<String, usize> = project
        .seeds
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
    for (file, text, props) in properties {
        let lines = NameLines::new(&text);
        for source in props.sources {
            let mut source_config = folder_config(
                project.config.sources.as_ref(),
                &[project_name.clone(), source.name.clone()],
            );
            source_config.merge(&NodeConfig(source.config.clone()));
            for table in &source.tables {
                let mut config = source_config.clone();
                config.merge(&NodeConfig(table.config.clone()));
                let folder_fqn = file
                    .parent()
                    .map(|p| {
                        p.components()
                            .skip(1)
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let mut fqn = vec![project_name.clone()];
                fqn.extend(folder_fqn);
                fqn.push(source.name.clone());
                fqn.push(table.name.clone());
                let line = lines.first(&table.name, 0);
                let mut tags = source.tags.clone();
                tags.extend(table.tags.iter().cloned());
                let target = TestTarget::Source {
                    source: source.name.clone(),
                    table: table.name.clone(),
                };
                push_entry_tests(&mut project.tests, &target, table, &file, &lines, line);
                let mut meta = source.meta.clone();
                meta.extend(table.meta.clone());
                project.sources.push(SourceTable {
                    source_name: source.name.clone(),
                    name: table.name.clone(),
                    identifier: table.identifier.clone().unwrap_or_else(|| table.name.clone()),
                    database: source.database.clone(),
                    schema: source.schema.clone().unwrap_or_else(|| source.name.clone()),
                    description: table.description.clone(),
                    source_description: source.description.clone(),
                    loader: source.loader.clone(),
                    external: table.external.clone(),
                    columns: table.columns.clone(),
                    meta,
                    tags,
                    config,
                    file: file.clone(),
                    line,
                    fqn,
                });
            }
        }
        for model in props.models.into_iter().chain(props.snapshots).chain(props.analyses) {
            let line = lines.first(&model.name, 0);
            let found = sql_by_name.get(&model.name).and_then(|i| project.sql_files.get_mut(*i));
            let Some(sql) = found else {
                let message = format!(
                    "properties for '{}' but no such model, analysis or snapshot",
                    model.name
                );
                diagnostics.push(orphan_properties(message, &file, line).hint("rename the entry or add the SQL file"));
                continue;
            };
            // As in dbt, analyses take no tests.
            if sql.kind != SqlKind::Analysis {
                let target = match sql.kind {
                    SqlKind::Snapshot => TestTarget::Snapshot(model.name.clone()),
                    _ => TestTarget::Model(model.name.clone()),
                };
                push_entry_tests(&mut project.tests, &target, &model, &file, &lines, line);
            }
            attach_properties(&mut sql.config, &mut sql.props_file, &mut sql.props, &file, model);
        }
        for seed_props in props.seeds {
            let line = lines.first(&seed_props.name, 0);
            let Some(seed) = seed_by_name
                .get(&seed_props.name)
                .and_then(|i| project.seeds.get_mut(*i))
            else {
                let message = format!("properties for seed '{}' but no such CSV", seed_props.name);
                diagnostics.push(orphan_properties(message, &file, line));
                continue;
            };
            let target = TestTarget::Seed(seed_props.name.clone());
            push_entry_tests(&mut project.tests, &target, &seed_props, &file, &lines, line);
            attach_properties(
                &mut seed.config,
                &mut seed.props_file,
                &mut seed.props,
                &file,
                seed_props,
            );
        }
        for exposure in props.exposures {
            let fqn = vec![project_name.clone(), exposure.name.clone()];
            project.exposures.push(Exposure {
                def: exposure,
                file: file.clone(),
                fqn,
            });
        }
    }
}

/// Collects the generic tests a properties entry (model, seed, snapshot or source table) declares:
/// its own `tests:`/`data_tests:` at the entry's line, then each column's at that column's line.
fn push_entry_tests(
    tests: &mut Vec<TestDef>,
    target: &TestTarget,
    entry: &impl DeclaresTests,
    file: &Path,
    lines: &NameLines,
    line: Option<usize>,
) {
    let mut push = |column: Option<&str>, entries: &mut dyn Iterator<Item = &Value>, line: Option<usize>| {
        for entry in entries {
            tests.push(TestDef {
                target: target.clone(),
                column: column.map(str::to_string),
                entry: entry.clone(),
                file: file.to_path_buf(),
                line,
            });
        }
    };
    let (tests_key, data_tests_key, columns) = entry.declared_tests();
    push(None, &mut tests_key.iter().chain(data_tests_key), line);
    for column in columns {
        // Column names repeat across entries, so look for the first one after the entry's own line.
        let column_line = lines.first(&column.name, line.unwrap_or(0));
        push(Some(&column.name), &mut column.all_tests(), column_line);
    }
}

/// Records the properties YAML entry of a SQL file or seed: its `config:` over the folder config,
/// and the entry itself for descriptions, columns and docs.
fn attach_properties(
    config: &mut NodeConfig,
    props_file: &mut Option<PathBuf>,
    props: &mut Option<ResourceProps>,
    file: &Path,
    entry: ResourceProps,
) {
    config.merge(&NodeConfig(entry.config.clone()));
    *props_file = Some(file.to_path_buf());
    *props = Some(entry);
}

/// The warning for a properties entry that names no file of the project.
fn orphan_properties(message: String, file: &Path, line: Option<usize>) -> Diagnostic {
    Diagnostic::warning(Code::YamlSyntax, message).at(Location {
        file: file.to_path_buf(),
        line,
        column: None,
    })
}

fn check_duplicates(sql_files: &[SqlFile], seeds: &[SeedFile], diagnostics: &mut Diagnostics) {
    let mut seen: BTreeMap<(&str, bool), &Path> = BTreeMap::new();
    let refable = sql_files
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                matches!(f.kind, SqlKind::Model | SqlKind::Snapshot),
                f.path.as_path(),
            )
        })
        .chain(seeds.iter().map(|s| (s.name.as_str(), true, s.path.as_path())));
    for (name, is_refable, path) in refable {
        if let Some(first) = seen.insert((name, is_refable), path) {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("two resources are named '{name}': {} and {}", first.display(), path.display()),
                )
                .in_file(path)
                .hint("names must be unique across models, seeds and snapshots (and across tests and analyses); rename one file"),
            );
        }
    }
}

struct Loader<'a> {
    root: &'a Path,
    config: &'a ProjectConfig,
    diagnostics: &'a mut Diagnostics,
}

impl Loader<'_> {
    fn read(&mut self, path: &Path) -> Option<String> {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(text),
                Err(e) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::Io,
                            format!("file is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                        )
                        .in_file(relative_to(self.root, path))
                        .hint("save the file as UTF-8"),
                    );
                    None
                }
            },
            Err(e) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::Io, format!("cannot read file: {e}")).in_file(relative_to(self.root, path)),
                );
                None
            }
        }
    }

    fn collect_ext(&mut self, dir: &str, extensions: &[&str], out: &mut Vec<PathBuf>) {
        let base = self.root.join(dir);
        if !base.is_dir() {
            return;
        }
        for entry in walkdir::WalkDir::new(&base).follow_links(true).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let path = entry.path();
                    let matches = path
                        .extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| extensions.contains(&e));
                    if matches {
                        out.push(path.to_path_buf());
                    }
                }
                Ok(_) => {}
                Err(e) => self
                    .diagnostics
                    .push(Diagnostic::error(Code::Io, format!("cannot list folder: {e}")).in_file(dir)),
            }
        }
    }

    fn collect_sql(&mut self, dir: &str, kind: SqlKind, tree: Option<&Value>, out: &mut Vec<SqlFile>) {
        let mut paths = Vec::new();
        self.collect_ext(dir, &["sql"], &mut paths);
        for path in paths {
            let Some(raw) = self.read(&path) else { continue };
            let rel = relative_to(self.root, &path);
            let name = file_stem(&path);
            let fqn = fqn_for(&self.config.name, dir, &rel, &name);
            let config = folder_config(tree, &fqn);
            out.push(SqlFile {
                kind,
                name,
                path: rel,
                raw,
                fqn,
                config,
                props: None,
                props_file: None,
            });
        }
    }

    fn collect_docs(&mut self, md_files: &[PathBuf]) -> BTreeMap<String, DocBlock> {
        let mut docs = BTreeMap::new();
        let Ok(pattern) =
            regex::Regex::new(r"(?s)\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}")
        else {
            return docs;
        };
        for path in md_files {
            let Some(text) = self.read(path) else { continue };
            let rel = relative_to(self.root, path);
            for captures in pattern.captures_iter(&text) {
                let name = captures[1].to_string();
                let contents = captures[2].trim().to_string();
                docs.insert(
                    name.clone(),
                    DocBlock {
                        name,
                        contents,
                        file: rel.clone(),
                    },
                );
            }
        }
        docs
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// dbt's fully qualified name: project, the folders below the resource path, then the name.
fn fqn_for(project: &str, resource_dir: &str, rel: &Path, name: &str) -> Vec<String> {
    let mut fqn = vec![project.to_string()];
    let inner = rel.strip_prefix(resource_dir).unwrap_or(rel);
    if let Some(parent) = inner.parent() {
        fqn.extend(
            parent
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        );
    }
    fqn.push(name.to_string());
    fqn
}

/// Lines of every `name: x` entry of a YAML file, scanned once (serde keeps no spans for values).
struct NameLines<'a> {
    lines: std::collections::HashMap<&'a str, Vec<usize>>,
}

impl<'a> NameLines<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines: std::collections::HashMap<&'a str, Vec<usize>> = std::collections::HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
            if let Some(rest) = trimmed.strip_prefix("name:") {
                let name = rest.trim().trim_matches(|c| c == '"' || c == '\'');
                lines.entry(name).or_default().push(index + 1);
            }
        }
        NameLines { lines }
    }

    /// The first line declaring `name` after line `after`.
    fn first(&self, name: &str, after: usize) -> Option<usize> {
        let found = self.lines.get(name)?;
        found
            .iter()
            .copied()
            .find(|l| *l > after)
            .or_else(|| found.first().copied())
    }
}

/// The 1-based line of the first `name: <needle>` entry (or `- <needle>`), for pointing a user at
/// the YAML entry a problem comes from; serde does not keep spans for values.
pub fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
            trimmed
                .strip_prefix("name:")
                .map(|rest| rest.trim().trim_matches(|c| c == '"' || c == '\'') == needle)
                .unwrap_or(false)
        })
        .map(|index| index + 1)
}

fn project_config_from(raw: &Value) -> Result<ProjectConfig, String> {
    let object = raw
        .as_object()
        .ok_or("dbt_project.yml must be a mapping of keys to values")?;
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .ok_or("dbt_project.yml has no `name:`; add `name: my_project`")?
        .to_string();
    // `models/` and `models` name the same folder; without the slash, paths compare as folder names.
    let folder = |path: &str| path.trim_end_matches('/').to_string();
    let paths = |key: &str, default: &[&str]| -> Vec<String> {
        match object.get(key) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(folder).collect(),
            Some(Value::String(one)) => vec![folder(one)],
            _ => default.iter().map(|s| s.to_string()).collect(),
        }
    };
    let string = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
    let model_paths = paths("model-paths", &["models"]);
    let analysis_paths = paths("analysis-paths", &["analyses"]);
    let seed_paths = paths("seed-paths", &["seeds"]);
    let macro_paths = paths("macro-paths", &["macros"]);
    let snapshot_paths = paths("snapshot-paths", &["snapshots"]);
    let test_paths = paths("test-paths", &["tests"]);
    let docs_default: Vec<String> = model_paths
        .iter()
        .chain(&analysis_paths)
        .chain(&seed_paths)
        .chain(&macro_paths)
        .chain(&snapshot_paths)
        .chain(&test_paths)
        .cloned()
        .collect();
    let docs_paths = match object.get("docs-paths") {
        Some(_) => paths("docs-paths", &[]),
        None => docs_default,
    };
    Ok(ProjectConfig {
        name,
        version: object
            .get("version")
            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())),
        profile: string("profile"),
        model_paths,
        seed_paths,
        test_paths,
        analysis_paths,
        macro_paths,
        snapshot_paths,
        docs_paths,
        dashboard_paths: paths("dashboard-paths", &["dashboards"]),
        target_path: string("target-path")
            .map(|p| folder(&p))
            .unwrap_or_else(|| "target".into()),
        clean_targets: paths("clean-targets", &["target", "dbt_packages"]),
        vars: object
            .get("vars")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        models: object.get("models").cloned(),
        seeds: object.get("seeds").cloned(),
        tests: object.get("data_tests").or_else(|| object.get("tests")).cloned(),
        analyses: object.get("analyses").cloned(),
        snapshots: object.get("snapshots").cloned(),
        sources: object.get("sources").cloned(),
    })
}

/// The line where `profile_name:` starts in a profiles file, for pointing at it in errors.
fn find_profile_line(file: &Path, profile_name: &str) -> Option<usize> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .position(|l| l.trim_end() == format!("{profile_name}:"))
        .map(|i| i + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn properties_attach_tests_and_configs_to_each_resource_kind() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "dbt_project.yml", "name: demo\n");
        write(root, "models/m.sql", "select 1 as id");
        write(root, "snapshots/snap.sql", "select 1 as id");
        write(root, "analyses/an.sql", "select 1 as id");
        write(root, "seeds/countries.csv", "code\nNO\n");
        let yaml = "version: 2
sources:
  - name: raw
    tables:
      - name: t
        tests: [src_own]
        columns:
          - name: id
            tests: [src_col]
models:
  - name: m
    config:
      materialized: table
    tests: [m_own]
    data_tests: [m_data]
    columns:
      - name: id
        tests: [m_col]
  - name: ghost
snapshots:
  - name: snap
    columns:
      - name: id
        tests: [snap_col]
analyses:
  - name: an
    description: An analysis.
    tests: [an_own]
seeds:
  - name: countries
    config:
      delimiter: ';'
    columns:
      - name: id
        data_tests: [seed_col]
  - name: nowhere
";
        write(root, "models/props.yml", yaml);

        let project = load_project(root).unwrap();
        let line_of = |needle: &str| yaml.lines().position(|l| l.contains(needle)).map(|i| i + 1);
        let found: Vec<(TestTarget, Option<&str>, &str, Option<usize>)> = project
            .tests
            .iter()
            .map(|t| (t.target.clone(), t.column.as_deref(), t.entry.as_str().unwrap(), t.line))
            .collect();
        let source = TestTarget::Source {
            source: "raw".into(),
            table: "t".into(),
        };
        let model = TestTarget::Model("m".into());
        assert_eq!(
            found,
            vec![
                (source.clone(), None, "src_own", line_of("- name: t")),
                (source, Some("id"), "src_col", line_of("- name: id")),
                (model.clone(), None, "m_own", line_of("- name: m")),
                (model.clone(), None, "m_data", line_of("- name: m")),
                // The first `id` after the model's line, not the source's column of that name.
                (model, Some("id"), "m_col", line_of("tests: [m_col]").map(|l| l - 1)),
                (
                    TestTarget::Snapshot("snap".into()),
                    Some("id"),
                    "snap_col",
                    line_of("tests: [snap_col]").map(|l| l - 1)
                ),
                (
                    TestTarget::Seed("countries".into()),
                    Some("id"),
                    "seed_col",
                    line_of("data_tests: [seed_col]").map(|l| l - 1)
                ),
            ],
            "analyses take no tests"
        );

        let file = |name: &str| project.sql_files.iter().find(|f| f.name == name).unwrap();
        assert_eq!(file("m").config.materialized(), "table");
        assert_eq!(file("m").props_file.as_deref(), Some(Path::new("models/props.yml")));
        assert_eq!(file("an").props.as_ref().unwrap().description, "An analysis.");
        let seed = &project.seeds[0];
        assert_eq!(seed.config.get_str("delimiter"), Some(";"));
        assert_eq!(seed.props.as_ref().unwrap().columns[0].name, "id");
        assert_eq!(seed.props_file.as_deref(), Some(Path::new("models/props.yml")));

        let warnings: Vec<(&str, Option<usize>, bool)> = project
            .warnings
            .0
            .iter()
            .map(|d| {
                let line = d.location.as_ref().and_then(|l| l.line);
                (d.message.as_str(), line, d.hint.is_some())
            })
            .collect();
        assert_eq!(
            warnings,
            vec![
                (
                    "properties for 'ghost' but no such model, analysis or snapshot",
                    line_of("- name: ghost"),
                    true
                ),
                (
                    "properties for seed 'nowhere' but no such CSV",
                    line_of("- name: nowhere"),
                    false
                ),
            ]
        );
    }

    #[test]
    fn loads_models_sources_tests_docs_and_seeds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "dbt_project.yml", "name: demo\nprofile: demo\nmodels:\n  demo:\n    staging:\n      +materialized: view\n      +tags: [stg]\n");
        write(root, "models/staging/stg_a.sql", "select 1 as id");
        write(
            root,
            "models/staging/schema.yml",
            "version: 2\nsources:\n  - name: raw\n    schema: raw_s\n    tables:\n      - name: a\n        columns:\n          - name: id\n            tests: [unique, not_null]\nmodels:\n  - name: stg_a\n    description: '{{ doc(\"a\") }}'\n    config:\n      tags: [extra]\n    columns:\n      - name: id\n        data_tests:\n          - accepted_values:\n              values: [1, 2]\n",
        );
        write(root, "models/docs.md", "{% docs a %}\nThe A model.\n{% enddocs %}");
        write(root, "seeds/countries.csv", "code,name\nNO,Norway\n");
        write(
            root,
            "tests/generic/is_even.sql",
            "{% test is_even(model, column_name) %}select 1{% endtest %}",
        );
        write(root, "tests/assert_x.sql", "select 1 where false");

        let project = load_project(root).unwrap();
        let model = project.models().next().unwrap();
        assert_eq!(model.fqn, vec!["demo", "staging", "stg_a"]);
        assert_eq!(model.config.materialized(), "view");
        assert_eq!(model.config.tags(), vec!["stg", "extra"]);
        assert_eq!(project.sources[0].schema, "raw_s");
        assert_eq!(project.tests.len(), 3);
        assert_eq!(project.docs["a"].contents, "The A model.");
        assert_eq!(project.seeds[0].name, "countries");
        assert_eq!(project.macros.len(), 1);
        assert_eq!(
            project
                .sql_files
                .iter()
                .filter(|f| f.kind == SqlKind::SingularTest)
                .count(),
            1
        );
    }

    #[test]
    fn yaml_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "dbt_project.yml", "name: demo\n");
        write(
            root,
            "models/bad.yml",
            "version: 2\nmodels:\n  - name: a\n   description: x\n",
        );
        let errors = load_project(root).unwrap_err();
        let text = errors.to_string();
        assert!(text.contains("K1002"), "{text}");
        assert!(text.contains("models/bad.yml:4"), "{text}");
    }

    #[test]
    fn duplicate_model_names_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "dbt_project.yml", "name: demo\n");
        write(root, "models/a/x.sql", "select 1");
        write(root, "models/b/x.sql", "select 2");
        let errors = load_project(root).unwrap_err();
        assert!(errors.to_string().contains("two resources are named 'x'"), "{errors}");
    }
}
