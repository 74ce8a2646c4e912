//! Turns a loaded project into a manifest of nodes with resolved dependencies and configuration
//! (the parse phase), and renders any node's SQL on demand (the compile phase).
//!
//! Like dbt, parsing renders every SQL file once with `execute = false` to capture `ref()`,
//! `source()` and `config()` calls; compiling renders again with real relation names, which depend
//! on the referenced nodes' final configuration.

mod artifacts;
mod generic_tests;
mod jinja;
mod static_columns;
mod testgen;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kiln_diagnostics::{Code, Diagnostic, Diagnostics, Location};
use kiln_graph::{Graph, GraphError, GraphNode, ResourceType};
use kiln_project::{ColumnDef, ExposureDef, NodeConfig, Project, SqlKind, Target, TargetKind};
use minijinja::Environment;
use rayon::prelude::*;
use serde_json::{Map, Value};

pub use artifacts::{manifest_json, write_manifest, write_manifest_file};
pub use generic_tests::{generic_tests, package_macros, GenericTest, TestArgument, TestOrigin, PACKAGES_DIR};
pub use jinja::{QueryRunner, RelationValue};
pub use static_columns::WarehouseColumns;
pub use testgen::TEST_CONFIG_KEYS;

const MACROS_TEMPLATE: &str = "__kiln_macros__";
const BUILTIN_MACROS: &str = include_str!("builtin_macros.sql");

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestSeverity {
    Error,
    Warn,
}

#[derive(Debug, Clone)]
pub struct TestInfo {
    pub test_name: String,
    pub generic: bool,
    pub attached_node: Option<String>,
    pub column_name: Option<String>,
    pub kwargs: Map<String, Value>,
    pub severity: TestSeverity,
}

#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub source_name: String,
    pub external: Option<Value>,
    pub loader: String,
    pub source_description: String,
}

/// One resource of the project with everything the graph, the runner and manifest.json need.
#[derive(Debug, Clone)]
pub struct Node {
    pub unique_id: String,
    pub resource_type: ResourceType,
    pub name: String,
    pub package_name: String,
    /// Relative to the project root; for YAML-defined tests, the YAML file.
    pub path: PathBuf,
    /// Line of the YAML entry a test or source comes from.
    pub line: Option<usize>,
    pub fqn: Vec<String>,
    pub config: NodeConfig,
    pub depends_on: Vec<String>,
    pub description: String,
    pub columns: Vec<ColumnDef>,
    pub raw_code: String,
    pub relation: Option<RelationValue>,
    pub test: Option<TestInfo>,
    pub source: Option<SourceInfo>,
    pub exposure: Option<ExposureDef>,
}

impl Node {
    pub fn materialized(&self) -> &str {
        self.config.materialized()
    }

    pub fn is_ephemeral(&self) -> bool {
        self.resource_type == ResourceType::Model && self.materialized() == "ephemeral"
    }

    fn graph_node(&self) -> GraphNode {
        GraphNode {
            unique_id: self.unique_id.clone(),
            resource_type: self.resource_type,
            name: self.name.clone(),
            source_name: self.source.as_ref().map(|s| s.source_name.clone()),
            package_name: self.package_name.clone(),
            fqn: self.fqn.clone(),
            path: self.path.to_string_lossy().replace('\\', "/"),
            tags: self.config.tags(),
            config: self.config.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            depends_on: self.depends_on.clone(),
        }
    }
}

/// Options that change how a project renders.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// `--vars`, overriding `vars:` in dbt_project.yml.
    pub vars: Map<String, Value>,
}

/// The parsed project: nodes, the DAG, and the Jinja environment to compile nodes with.
pub struct Manifest {
    pub project_name: String,
    pub root: PathBuf,
    /// Where artifacts and compiled SQL go: `target-path` of dbt_project.yml under the root.
    pub target_dir: PathBuf,
    pub target: Target,
    pub nodes: BTreeMap<String, Node>,
    pub graph: Graph,
    pub docs: BTreeMap<String, String>,
    pub warnings: Diagnostics,
    compiler: Compiler,
    static_columns: static_columns::Cache,
}

struct Compiler {
    env: Environment<'static>,
    header: String,
    macro_names: std::collections::BTreeSet<String>,
    macro_lines: Vec<(usize, PathBuf, usize)>,
    vars: Arc<Map<String, Value>>,
    index: Arc<Index>,
}

/// What `ref()` and `source()` resolve against.
#[derive(Default)]
struct Index {
    refs: HashMap<String, Vec<(String, String, RelationValue)>>,
    sources: HashMap<(String, String), (String, RelationValue)>,
    docs: BTreeMap<String, String>,
    names: Vec<String>,
    source_names: Vec<String>,
}

impl jinja::Resolver for Index {
    fn resolve_ref(&self, package: Option<&str>, name: &str) -> Result<(String, RelationValue), String> {
        let candidates = self.refs.get(name).map(Vec::as_slice).unwrap_or_default();
        let found = candidates.iter().find(|(_, pkg, _)| package.is_none_or(|p| p == pkg));
        match found {
            Some((id, _, relation)) => Ok((id.clone(), relation.clone())),
            None => Err(format!(
                "ref('{name}') does not match any model, seed or snapshot{}",
                suggestion(name, &self.names)
            )),
        }
    }

    fn resolve_source(&self, source: &str, table: &str) -> Result<(String, RelationValue), String> {
        match self.sources.get(&(source.to_string(), table.to_string())) {
            Some((id, relation)) => Ok((id.clone(), relation.clone())),
            None => Err(format!(
                "source('{source}', '{table}') is not declared in any sources YAML{}",
                suggestion(&format!("{source}.{table}"), &self.source_names)
            )),
        }
    }

    fn doc(&self, name: &str) -> Option<String> {
        self.docs.get(name).cloned()
    }
}

fn suggestion(name: &str, known: &[String]) -> String {
    match kiln_diagnostics::closest(name, known) {
        Some(k) => format!(" (did you mean '{k}'?)"),
        None => String::new(),
    }
}

/// A node's compiled SQL and what the render logged.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub sql: String,
    pub logs: Vec<String>,
}

/// Facts from the warehouse that change how a node compiles.
#[derive(Clone, Default)]
pub struct CompileState {
    pub is_incremental: bool,
    pub runner: Option<Arc<dyn QueryRunner>>,
}

fn schema_for(target: &Target, config: &NodeConfig) -> String {
    match config.get_str("schema") {
        Some(custom) if !custom.is_empty() => format!("{}_{}", target.schema, custom.trim()),
        _ => target.schema.clone(),
    }
}

fn database_for(target: &Target, config: &NodeConfig, declared: Option<&str>) -> Option<String> {
    // The embedded warehouse is one DuckDB file: a database prefix would name an attached catalog
    // that does not exist, so sources declared with `database: demo` still resolve locally.
    if target.kind == TargetKind::DuckDb {
        return None;
    }
    config
        .get_str("database")
        .or(declared)
        .map(str::to_string)
        .or_else(|| target.database.clone())
}

fn relation_for(target: &Target, node: &Node) -> RelationValue {
    let identifier = node
        .config
        .get_str("alias")
        .map(str::to_string)
        .unwrap_or_else(|| node.name.clone());
    RelationValue {
        database: database_for(target, &node.config, None),
        schema: schema_for(target, &node.config),
        identifier,
        cte: None,
    }
}

/// Rewrites dbt's `{% test name(...) %}` blocks, which minijinja does not know, into macros named
/// `test_name`, keeping the line count so error lines still point at the file.
fn preprocess_macros(raw: &str) -> String {
    let regexes = regexes();
    let opened = regexes.test_open.replace_all(raw, "{%$1 macro test_$2");
    regexes
        .test_close
        .replace_all(&opened, "{%$1 endmacro $2%}")
        .into_owned()
}

struct Regexes {
    test_open: regex::Regex,
    test_close: regex::Regex,
    macro_name: regex::Regex,
}

fn regexes() -> &'static Regexes {
    static CELL: std::sync::OnceLock<Regexes> = std::sync::OnceLock::new();
    CELL.get_or_init(|| Regexes {
        test_open: constant_regex(r"\{%(-?)\s*test\s+([A-Za-z_][A-Za-z0-9_]*)"),
        test_close: constant_regex(r"\{%(-?)\s*endtest\s*(-?)%\}"),
        macro_name: constant_regex(r"\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)"),
    })
}

/// Patterns here are constants covered by tests, so failing to compile one is a bug, not input.
#[allow(clippy::expect_used)]
fn constant_regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("constant regex compiles")
}

fn macro_names(text: &str) -> Vec<String> {
    regexes()
        .macro_name
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

/// Parses a loaded project. `target` decides schemas and relation names.
pub fn parse(project: &Project, target: &Target, options: &ParseOptions) -> Result<Manifest, Diagnostics> {
    let mut diagnostics = project.warnings.clone();
    let package = project.config.name.clone();

    // Macros: built-ins first, so a project can override them by defining the same name later.
    let mut macros_text = String::new();
    let mut macro_lines = Vec::new();
    let mut line = 1;
    for (path, raw) in std::iter::once((PathBuf::from("<builtin>"), BUILTIN_MACROS.to_string()))
        .chain(project.macros.iter().map(|m| (m.path.clone(), m.raw.clone())))
    {
        let text = preprocess_macros(&raw);
        let lines = text.lines().count().max(1);
        macro_lines.push((line, path, lines));
        macros_text.push_str(&text);
        if !text.ends_with('\n') {
            macros_text.push('\n');
        }
        line += lines;
    }
    let mut names = macro_names(&macros_text);
    names.sort();
    names.dedup();
    let header = if names.is_empty() {
        String::new()
    } else {
        format!("{{% from \"{MACROS_TEMPLATE}\" import {} %}}", names.join(", "))
    };

    let mut env = jinja::build_environment(target);
    if let Err(e) = env.add_template_owned(MACROS_TEMPLATE, macros_text) {
        let (file, line) = map_macro_line(&macro_lines, e.line().unwrap_or(1));
        diagnostics.push(
            Diagnostic::error(
                Code::Jinja,
                format!("macro file does not parse: {}", e.detail().unwrap_or("syntax error")),
            )
            .at(Location::at(file, line, None))
            .hint("fix the Jinja syntax in this macro file"),
        );
        return Err(diagnostics);
    }

    let mut vars = project.config.vars.clone();
    // Package-scoped vars (`vars: {my_project: {x: 1}}`) apply to this project's nodes.
    if let Some(Value::Object(scoped)) = vars.get(&package).cloned() {
        vars.extend(scoped);
    }
    vars.extend(options.vars.clone());

    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    for seed in &project.seeds {
        let id = format!("seed.{package}.{}", seed.name);
        let props = seed.props.clone().unwrap_or_default();
        nodes.insert(
            id.clone(),
            Node {
                unique_id: id,
                resource_type: ResourceType::Seed,
                name: seed.name.clone(),
                package_name: package.clone(),
                path: seed.path.clone(),
                line: None,
                fqn: seed.fqn.clone(),
                config: seed.config.clone(),
                depends_on: Vec::new(),
                description: props.description,
                columns: props.columns,
                raw_code: String::new(),
                relation: None,
                test: None,
                source: None,
                exposure: None,
            },
        );
    }
    for source in &project.sources {
        let id = format!("source.{package}.{}.{}", source.source_name, source.name);
        let relation = RelationValue {
            database: database_for(target, &source.config, source.database.as_deref()),
            schema: source.schema.clone(),
            identifier: source.identifier.clone(),
            cte: None,
        };
        let mut config = source.config.clone();
        if !source.tags.is_empty() {
            config.merge(&NodeConfig(Map::from_iter([(
                "tags".to_string(),
                Value::from(source.tags.clone()),
            )])));
        }
        nodes.insert(
            id.clone(),
            Node {
                unique_id: id,
                resource_type: ResourceType::Source,
                name: source.name.clone(),
                package_name: package.clone(),
                path: source.file.clone(),
                line: source.line,
                fqn: source.fqn.clone(),
                config,
                depends_on: Vec::new(),
                description: source.description.clone(),
                columns: source.columns.clone(),
                raw_code: String::new(),
                relation: Some(relation),
                test: None,
                source: Some(SourceInfo {
                    source_name: source.source_name.clone(),
                    external: source.external.clone(),
                    loader: source.loader.clone(),
                    source_description: source.source_description.clone(),
                }),
                exposure: None,
            },
        );
    }
    for file in &project.sql_files {
        let (resource_type, prefix) = match file.kind {
            SqlKind::Model => (ResourceType::Model, "model"),
            SqlKind::Analysis => (ResourceType::Analysis, "analysis"),
            SqlKind::SingularTest => (ResourceType::Test, "test"),
            SqlKind::Snapshot => (ResourceType::Snapshot, "snapshot"),
        };
        let id = format!("{prefix}.{package}.{}", file.name);
        let props = file.props.clone().unwrap_or_default();
        let mut config = file.config.clone();
        if resource_type == ResourceType::Test && config.get("severity").is_none() {
            config.set("severity", Value::from("ERROR"));
        }
        nodes.insert(
            id.clone(),
            Node {
                unique_id: id,
                resource_type,
                name: file.name.clone(),
                package_name: package.clone(),
                path: file.path.clone(),
                line: None,
                fqn: file.fqn.clone(),
                config,
                depends_on: Vec::new(),
                description: props.description,
                columns: props.columns,
                raw_code: file.raw.clone(),
                relation: None,
                test: (resource_type == ResourceType::Test).then(|| TestInfo {
                    test_name: file.name.clone(),
                    generic: false,
                    attached_node: None,
                    column_name: None,
                    kwargs: Map::new(),
                    severity: TestSeverity::Error,
                }),
                source: None,
                exposure: None,
            },
        );
    }

    let mut index = Index {
        docs: project
            .docs
            .iter()
            .map(|(k, d)| (k.clone(), d.contents.clone()))
            .collect(),
        ..Index::default()
    };
    for node in nodes.values_mut() {
        if matches!(
            node.resource_type,
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
        ) {
            let relation = relation_for(target, node);
            node.relation = Some(relation);
        }
    }
    rebuild_index(&mut index, &nodes);

    let macro_names = names.iter().cloned().collect();
    let mut compiler = Compiler {
        env,
        header,
        macro_names,
        macro_lines,
        vars: Arc::new(vars),
        index: Arc::new(index),
    };

    // Register every SQL node as a template, then render them all in parallel (parse phase).
    let mut sql_ids: Vec<String> = Vec::new();
    for node in nodes.values().filter(|n| !n.raw_code.is_empty()) {
        let source = format!("{}{}", compiler.header, node.raw_code);
        match compiler.env.add_template_owned(node.unique_id.clone(), source) {
            Ok(()) => sql_ids.push(node.unique_id.clone()),
            // A template that does not parse is reported once, here, and not rendered.
            Err(e) => diagnostics.push(compiler.jinja_diagnostic(node, &e, None)),
        }
    }
    let results: Vec<(String, Result<jinja::RenderState, Diagnostic>)> = sql_ids
        .par_iter()
        .filter_map(|id| {
            nodes
                .get(id)
                .map(|node| (id.clone(), compiler.render_parse(node, None)))
        })
        .collect();
    for (id, result) in results {
        match result {
            Ok(state) => {
                if let Some(node) = nodes.get_mut(&id) {
                    node.depends_on = state.refs;
                    node.config.merge(&NodeConfig(state.config));
                    if node.resource_type == ResourceType::Test {
                        if let Some(test) = node.test.as_mut() {
                            test.severity = severity_of(&node.config);
                        }
                    }
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }
    // Disabled nodes leave the project entirely, as in dbt.
    nodes.retain(|_, n| n.config.enabled());

    // Final relations, now that in-file config() calls are known.
    for node in nodes.values_mut() {
        if matches!(
            node.resource_type,
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
        ) {
            let mut relation = relation_for(target, node);
            if node.is_ephemeral() {
                relation.cte = Some(format!("__dbt__cte__{}", node.name));
            }
            node.relation = Some(relation);
        }
    }
    let mut index = Index {
        docs: compiler.index.docs.clone(),
        ..Index::default()
    };
    rebuild_index(&mut index, &nodes);
    compiler.index = Arc::new(index);

    // Generic tests from YAML.
    for def in &project.tests {
        match testgen::test_node(&compiler, project, target, &nodes, def) {
            Ok(Some(node)) => {
                if node.config.enabled() {
                    nodes.insert(node.unique_id.clone(), node);
                }
            }
            Ok(None) => {}
            Err(d) => diagnostics.push(d),
        }
    }
    // Generic tests compile on first use (a project can have tens of thousands), then stay cached.
    let test_sources: HashMap<String, String> = nodes
        .values()
        .filter(|n| n.test.as_ref().is_some_and(|t| t.generic))
        .map(|n| (n.unique_id.clone(), format!("{}{}", compiler.header, n.raw_code)))
        .collect();
    compiler.env.set_loader(move |name| Ok(test_sources.get(name).cloned()));

    // Exposures: depends_on holds `ref('x')` / `source('a', 'b')` strings.
    for exposure in &project.exposures {
        let id = format!("exposure.{package}.{}", exposure.def.name);
        let mut depends_on = Vec::new();
        for dep in &exposure.def.depends_on {
            match compiler.resolve_expression(dep) {
                Ok(ids) => depends_on.extend(ids),
                Err(message) => diagnostics.push(match dashboard_line(project, dep) {
                    // A dependency read from a dashboard's panel query is reported where it is written.
                    Some((file, line)) => Diagnostic::error(
                        Code::UnknownRef,
                        format!("dashboard '{}': {message}", exposure.def.name),
                    )
                    .at(Location {
                        file,
                        line: Some(line),
                        column: None,
                    })
                    .hint("fix the ref() or source() in the panel's query (or the variable's)"),
                    None => Diagnostic::error(Code::UnknownRef, format!("exposure '{}': {message}", exposure.def.name))
                        .at(Location {
                            file: exposure.file.clone(),
                            line: kiln_project::find_line(
                                &std::fs::read_to_string(project.root.join(&exposure.file)).unwrap_or_default(),
                                &exposure.def.name,
                            ),
                            column: None,
                        })
                        .hint("depends_on entries look like ref('model') or source('source', 'table')"),
                }),
            }
        }
        nodes.insert(
            id.clone(),
            Node {
                unique_id: id,
                resource_type: ResourceType::Exposure,
                name: exposure.def.name.clone(),
                package_name: package.clone(),
                path: exposure.file.clone(),
                line: None,
                fqn: exposure.fqn.clone(),
                config: NodeConfig(Map::from_iter([(
                    "tags".into(),
                    Value::from(exposure.def.tags.clone()),
                )])),
                depends_on,
                description: exposure.def.description.clone(),
                columns: Vec::new(),
                raw_code: String::new(),
                relation: None,
                test: None,
                source: None,
                exposure: Some(exposure.def.clone()),
            },
        );
    }

    // Descriptions may use {{ doc('name') }}.
    let docs = compiler.index.docs.clone();
    for node in nodes.values_mut() {
        node.description = render_description(&compiler, &node.description, &node.path, &mut diagnostics);
        for column in node.columns.iter_mut() {
            column.description = render_description(&compiler, &column.description, &node.path, &mut diagnostics);
        }
    }

    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    // Dependencies on disabled nodes would be unknown to the graph; dbt reports them as errors too.
    let graph = Graph::new(nodes.values().map(Node::graph_node).collect()).map_err(|e| graph_diagnostic(&nodes, e))?;
    Ok(Manifest {
        project_name: package,
        root: project.root.clone(),
        target_dir: project.target_dir(),
        target: target.clone(),
        nodes,
        graph,
        docs,
        warnings: diagnostics,
        compiler,
        static_columns: Default::default(),
    })
}

fn render_description(compiler: &Compiler, text: &str, file: &Path, diagnostics: &mut Diagnostics) -> String {
    if !text.contains("{{") {
        return text.to_string();
    }
    let inputs = compiler.inputs(false, None, false);
    let (result, _) = jinja::with_render(inputs, || compiler.env.render_str(text, minijinja::context! {}));
    match result {
        Ok(rendered) => rendered,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::Jinja,
                    format!("description does not render: {}", e.detail().unwrap_or("error")),
                )
                .in_file(file)
                .hint("define the block with {% docs name %}...{% enddocs %} in a .md file"),
            );
            text.to_string()
        }
    }
}

fn severity_of(config: &NodeConfig) -> TestSeverity {
    match config.get_str("severity").map(str::to_ascii_lowercase).as_deref() {
        Some("warn") => TestSeverity::Warn,
        _ => TestSeverity::Error,
    }
}

fn rebuild_index(index: &mut Index, nodes: &BTreeMap<String, Node>) {
    for node in nodes.values() {
        let Some(relation) = &node.relation else { continue };
        match node.resource_type {
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
                index.refs.entry(node.name.clone()).or_default().push((
                    node.unique_id.clone(),
                    node.package_name.clone(),
                    relation.clone(),
                ));
                index.names.push(node.name.clone());
            }
            ResourceType::Source => {
                if let Some(source) = &node.source {
                    index.sources.insert(
                        (source.source_name.clone(), node.name.clone()),
                        (node.unique_id.clone(), relation.clone()),
                    );
                    index.source_names.push(format!("{}.{}", source.source_name, node.name));
                }
            }
            _ => {}
        }
    }
}

fn graph_diagnostic(nodes: &BTreeMap<String, Node>, error: GraphError) -> Diagnostics {
    let message = error.to_string();
    let code = if matches!(error, GraphError::Cycle { .. }) {
        Code::Cycle
    } else {
        Code::UnknownRef
    };
    // A cycle reads `a -> b -> a`: point at the line of `a` that refers to `b`, which closes the loop.
    let path: Vec<&str> = match &error {
        GraphError::Cycle { path } => path.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let location = path.first().and_then(|first| nodes.get(*first)).map(|node| {
        let next = path.get(1).and_then(|id| nodes.get(*id)).map(|n| n.name.as_str());
        let line = next.and_then(|name| {
            node.raw_code
                .lines()
                .position(|l| {
                    (l.contains("ref(") || l.contains("source("))
                        && (l.contains(&format!("'{name}'")) || l.contains(&format!("\"{name}\"")))
                })
                .map(|i| i + 1)
        });
        Location {
            file: node.path.clone(),
            line,
            column: None,
        }
    });
    let mut diagnostic = Diagnostic::error(code, message).hint(
        "remove one of the ref() calls that close the loop, e.g. by moving shared logic into a new upstream model",
    );
    if let Some(location) = location {
        diagnostic = diagnostic.at(location);
    }
    Diagnostics::from(diagnostic)
}

fn map_macro_line(lines: &[(usize, PathBuf, usize)], line: usize) -> (PathBuf, usize) {
    for (start, path, count) in lines {
        if line >= *start && line < start + count {
            return (path.clone(), line - start + 1);
        }
    }
    (PathBuf::from("macros"), line)
}

impl Compiler {
    fn inputs(
        &self,
        execute: bool,
        runner: Option<Arc<dyn QueryRunner>>,
        is_incremental: bool,
    ) -> Arc<jinja::RenderInputs> {
        Arc::new(jinja::RenderInputs {
            resolver: self.index.clone(),
            execute,
            is_incremental,
            runner,
            vars: self.vars.clone(),
        })
    }

    /// The template of a SQL node: the registered one, or — for text being edited — one made from
    /// `node.raw_code` under the node's id, so errors name the same template either way.
    fn template<'s>(
        &'s self,
        node: &'s Node,
        edited: Option<&'s str>,
    ) -> Result<minijinja::Template<'s, 's>, minijinja::Error> {
        match edited {
            Some(source) => self.env.template_from_named_str(&node.unique_id, source),
            None => self.env.get_template(&node.unique_id),
        }
    }

    fn render_parse(&self, node: &Node, edited: Option<&str>) -> Result<jinja::RenderState, Diagnostic> {
        let inputs = self.inputs(false, None, false);
        let (result, state) = jinja::with_render(inputs, || {
            let template = self.template(node, edited)?;
            template.render(minijinja::context! { this => node.relation.clone().map(minijinja::Value::from_object), execute => false })
        });
        match result {
            Ok(_) => Ok(state),
            Err(e) => Err(self.jinja_diagnostic(node, &e, state.failure)),
        }
    }

    fn jinja_diagnostic(
        &self,
        node: &Node,
        error: &minijinja::Error,
        failure: Option<(jinja::FailureKind, String)>,
    ) -> Diagnostic {
        let (code, message) = match failure {
            Some((jinja::FailureKind::UnknownRef, m)) => (Code::UnknownRef, m),
            Some((jinja::FailureKind::UnknownSource, m)) => (Code::UnknownSource, m),
            Some((jinja::FailureKind::Compiler, m)) => (Code::CompilerError, m),
            None => (
                Code::Jinja,
                error
                    .detail()
                    .map(str::to_string)
                    .unwrap_or_else(|| error.kind().to_string()),
            ),
        };
        let hint = match code {
            Code::UnknownRef => "check the name, or create the model/seed it refers to",
            Code::UnknownSource => "declare the table under `sources:` in a YAML file, or fix the names",
            Code::CompilerError => "see the message raised by the project",
            _ => "fix the Jinja syntax or the expression at this line",
        };
        let in_macros = error.name() == Some(MACROS_TEMPLATE);
        let location = if in_macros {
            let (file, line) = map_macro_line(&self.macro_lines, error.line().unwrap_or(1));
            Location::at(file, line, None)
        } else {
            let line = error.line().unwrap_or(1);
            let column = error.range().and_then(|range| {
                let source = format!("{}{}", self.header, node.raw_code);
                let before = source.get(..range.start)?;
                let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
                let shift = if line == 1 { self.header.len() } else { 0 };
                Some(range.start - line_start + 1 - shift.min(range.start - line_start))
            });
            Location {
                file: node.path.clone(),
                line: Some(line),
                column,
            }
        };
        let message = if in_macros {
            format!("{message} (called from {})", node.path.display())
        } else {
            message
        };
        Diagnostic::error(code, message).at(location).hint(hint)
    }

    /// Resolves a `ref('x')`/`source('a','b')` expression string to the ids it names.
    fn resolve_expression(&self, expression: &str) -> Result<Vec<String>, String> {
        let inputs = self.inputs(false, None, false);
        let text = format!("{{{{ {expression} }}}}");
        let (result, state) = jinja::with_render(inputs, || self.env.render_str(&text, minijinja::context! {}));
        match result {
            Ok(_) => Ok(state.refs),
            Err(e) => Err(state.failure.map(|(_, m)| m).unwrap_or_else(|| e.to_string())),
        }
    }
}

impl Manifest {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Finds a node by name, preferring models.
    pub fn find_by_name(&self, name: &str) -> Option<&Node> {
        let mut candidates: Vec<&Node> = self.nodes.values().filter(|n| n.name == name).collect();
        candidates.sort_by_key(|n| n.resource_type != ResourceType::Model);
        candidates.into_iter().next()
    }

    /// Renders a node's SQL with real relation names, inlining ephemeral models as CTEs.
    pub fn compile(&self, id: &str, state: &CompileState) -> Result<Compiled, Diagnostic> {
        let node = self
            .nodes
            .get(id)
            .ok_or_else(|| Diagnostic::error(Code::UnknownRef, format!("no node '{id}'")))?;
        if node.raw_code.is_empty() {
            return Ok(Compiled {
                sql: String::new(),
                logs: Vec::new(),
            });
        }
        let mut ctes: Vec<(String, String)> = Vec::new();
        let (sql, logs) = self.render_with_ctes(node, None, state, &mut ctes, 0)?;
        Ok(Compiled {
            sql: inject_ctes(&sql, &ctes),
            logs,
        })
    }

    fn render_with_ctes(
        &self,
        node: &Node,
        edited: Option<&str>,
        state: &CompileState,
        ctes: &mut Vec<(String, String)>,
        depth: usize,
    ) -> Result<(String, Vec<String>), Diagnostic> {
        if depth > 64 {
            return Err(
                Diagnostic::error(Code::Cycle, "ephemeral models nest more than 64 levels deep").in_file(&node.path),
            );
        }
        let compiler = &self.compiler;
        let inputs = compiler.inputs(true, state.runner.clone(), state.is_incremental);
        let generic_test = node.test.as_ref().is_some_and(|t| t.generic);
        let (result, render_state) = jinja::with_render(inputs, || {
            if generic_test {
                let source = format!("{}{}", compiler.header, node.raw_code);
                return compiler
                    .env
                    .render_str(&source, minijinja::context! { execute => true });
            }
            let template = compiler.template(node, edited)?;
            template.render(minijinja::context! {
                this => node.relation.clone().map(minijinja::Value::from_object),
                execute => true,
                model => minijinja::context! { name => node.name.clone(), unique_id => node.unique_id.clone() },
            })
        });
        let sql = result.map_err(|e| compiler.jinja_diagnostic(node, &e, render_state.failure))?;
        for id in &render_state.ephemeral_refs {
            let Some(ephemeral) = self.nodes.get(id) else { continue };
            let Some(cte) = ephemeral.relation.as_ref().and_then(|r| r.cte.clone()) else {
                continue;
            };
            if ctes.iter().any(|(name, _)| name == &cte) {
                continue;
            }
            let (inner, _) = self.render_with_ctes(ephemeral, None, &CompileState::default(), ctes, depth + 1)?;
            if !ctes.iter().any(|(name, _)| name == &cte) {
                ctes.push((cte, inner));
            }
        }
        Ok((sql, render_state.logs))
    }

    /// Compiles one SQL node as if its file held `raw` (the editor's unsaved text), against this
    /// manifest instead of parsing the whole project again: a keystroke costs one render, not N.
    /// `file_config` is the node's configuration before its own `config()` calls (from
    /// dbt_project.yml and YAML), so removing a `config()` call takes effect too.
    /// Returns the node as the edit makes it (refs, config) and the compiled SQL, or the
    /// diagnostics a full parse would give for this file (unknown ref, Jinja error, new cycle).
    pub fn compile_edited(
        &self,
        id: &str,
        raw: &str,
        file_config: &NodeConfig,
    ) -> Result<(Node, Compiled), Diagnostic> {
        let compiler = &self.compiler;
        let original = self
            .nodes
            .get(id)
            .ok_or_else(|| Diagnostic::error(Code::UnknownRef, format!("no node '{id}'")))?;
        let mut node = original.clone();
        node.raw_code = raw.to_string();
        node.config = file_config.clone();
        if node.resource_type == ResourceType::Test && node.config.get("severity").is_none() {
            node.config.set("severity", Value::from("ERROR"));
        }
        let source = format!("{}{raw}", compiler.header);
        let parsed = compiler.render_parse(&node, Some(&source))?;
        node.config.merge(&NodeConfig(parsed.config));
        node.depends_on = parsed.refs;
        if matches!(node.resource_type, ResourceType::Model | ResourceType::Snapshot) {
            let mut relation = relation_for(&self.target, &node);
            if node.is_ephemeral() {
                relation.cte = Some(format!("__dbt__cte__{}", node.name));
            }
            node.relation = Some(relation);
        }
        // A new ref to this node or to anything built from it would close a cycle.
        let downstream: std::collections::HashSet<&str> = self
            .graph
            .descendants(id, None)
            .unwrap_or_default()
            .into_iter()
            .collect();
        if let Some(looped) = node
            .depends_on
            .iter()
            .find(|dep| dep.as_str() == id || downstream.contains(dep.as_str()))
        {
            let name = self.nodes.get(looped).map_or(looped.as_str(), |n| n.name.as_str());
            let line = raw
                .lines()
                .position(|l| l.contains(&format!("'{name}'")) || l.contains(&format!("\"{name}\"")))
                .map(|i| i + 1);
            return Err(Diagnostic::error(
                Code::Cycle,
                format!("ref('{name}') makes a cycle: {name} already depends on {}", node.name),
            )
            .at(Location {
                file: node.path.clone(),
                line,
                column: None,
            })
            .hint("remove the ref, or move the shared logic into a model both can ref"));
        }
        let mut ctes: Vec<(String, String)> = Vec::new();
        let (sql, logs) = self.render_with_ctes(&node, Some(&source), &CompileState::default(), &mut ctes, 0)?;
        Ok((
            node,
            Compiled {
                sql: inject_ctes(&sql, &ctes),
                logs,
            },
        ))
    }

    /// Renders ad-hoc SQL (the query runner, `kiln show --inline`) with refs, sources and macros.
    pub fn compile_inline(&self, sql: &str, state: &CompileState) -> Result<Compiled, Diagnostic> {
        let compiler = &self.compiler;
        let inputs = compiler.inputs(true, state.runner.clone(), false);
        let source = format!("{}{sql}", compiler.header);
        let (result, render_state) = jinja::with_render(inputs, || {
            compiler
                .env
                .render_str(&source, minijinja::context! { execute => true })
        });
        match result {
            Ok(rendered) => {
                let mut ctes = Vec::new();
                for id in &render_state.ephemeral_refs {
                    let Some(ephemeral) = self.nodes.get(id) else { continue };
                    let Some(cte) = ephemeral.relation.as_ref().and_then(|r| r.cte.clone()) else {
                        continue;
                    };
                    let (inner, _) = self.render_with_ctes(ephemeral, None, &CompileState::default(), &mut ctes, 1)?;
                    if !ctes.iter().any(|(name, _)| name == &cte) {
                        ctes.push((cte, inner));
                    }
                }
                Ok(Compiled {
                    sql: inject_ctes(&rendered, &ctes),
                    logs: render_state.logs,
                })
            }
            Err(e) => {
                let pseudo = Node {
                    unique_id: "inline".into(),
                    resource_type: ResourceType::Analysis,
                    name: "inline".into(),
                    package_name: self.project_name.clone(),
                    path: PathBuf::from("<inline>"),
                    line: None,
                    fqn: Vec::new(),
                    config: NodeConfig::default(),
                    depends_on: Vec::new(),
                    description: String::new(),
                    columns: Vec::new(),
                    raw_code: sql.to_string(),
                    relation: None,
                    test: None,
                    source: None,
                    exposure: None,
                };
                Err(compiler.jinja_diagnostic(&pseudo, &e, render_state.failure))
            }
        }
    }

    /// The relation a node builds, rendered for SQL.
    pub fn relation(&self, id: &str) -> Option<&RelationValue> {
        self.nodes.get(id).and_then(|n| n.relation.as_ref())
    }

    /// The relation of the model, seed or snapshot named `name` (what `kiln diff` and the
    /// studio's Compare look up by the name a user types).
    pub fn relation_named(&self, name: &str) -> Option<&RelationValue> {
        self.nodes
            .values()
            .find(|n| n.name == name)
            .and_then(|n| n.relation.as_ref())
    }

    /// Where `kiln compile` writes a node's SQL: `<target-path>/compiled/<project>/<path>`; YAML
    /// tests go under the YAML file's path, as dbt does.
    pub fn compiled_path(&self, node: &Node) -> PathBuf {
        let base = self.target_dir.join("compiled").join(&self.project_name);
        if node.test.as_ref().is_some_and(|t| t.generic) {
            base.join(&node.path).join(format!("{}.sql", node.name))
        } else {
            base.join(&node.path)
        }
    }
}

/// Inlines ephemeral models: `with a as (...), <original with-list>` or a new `with` in front.
fn inject_ctes(sql: &str, ctes: &[(String, String)]) -> String {
    if ctes.is_empty() {
        return sql.to_string();
    }
    let rendered: Vec<String> = ctes
        .iter()
        .map(|(name, body)| format!("{name} as (\n{}\n)", body.trim()))
        .collect();
    let joined = rendered.join(",\n");
    let trimmed = sql.trim_start();
    let offset = sql.len() - trimmed.len();
    if trimmed.len() >= 5
        && trimmed[..4].eq_ignore_ascii_case("with")
        && trimmed[4..].starts_with(|c: char| c.is_whitespace())
    {
        format!("{}with {joined},\n{}", &sql[..offset], trimmed[4..].trim_start())
    } else {
        format!("with {joined}\n{sql}")
    }
}

/// Where a dashboard's query writes `dep` (`ref('x')`, normalised by kiln-project): the first
/// line of a dashboard file that calls the same function on the same quoted names.
fn dashboard_line(project: &Project, dep: &str) -> Option<(std::path::PathBuf, usize)> {
    let (function, rest) = dep.split_once('(')?;
    let names: Vec<&str> = rest
        .trim_end_matches(')')
        .split(',')
        .map(|n| n.trim().trim_matches(['\'', '"']))
        .collect();
    project.dashboards.iter().find_map(|dashboard| {
        dashboard.text.lines().enumerate().find_map(|(k, line)| {
            let calls = line.contains(&format!("{function}(")) || line.contains(&format!("{function} ("));
            let named = names
                .iter()
                .all(|n| line.contains(&format!("'{n}'")) || line.contains(&format!("\"{n}\"")));
            (calls && named).then(|| (dashboard.path.clone(), k + 1))
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
