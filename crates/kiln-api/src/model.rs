//! Compiling the model in the editor (including its unsaved buffer), the lineage graph and the
//! docs panel.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kiln_compile::{CompileState, Manifest, Node, ParseOptions};
use kiln_diagnostics::{Code, Diagnostic, Diagnostics};
use kiln_graph::ResourceType;
use kiln_project::{SqlKind, TargetKind};

use crate::dto::{
    ColumnDto, CompileModelRequest, CompileResult, DiagnosticDto, DocsColumnDto, DocsDto, DocsRequest, DocsTestDto,
    EdgeDto, Empty, ExposureDocsDto, GraphDto, GraphNodeDto, Layer, NodeStatusDto, ResourceTypeDto,
};
use crate::error::{diagnostic_dto, slash_path, ApiError, ApiResult};
use crate::paths::confine_file;
use crate::state::ProjectState;
use crate::{blocking, lock, Studio};

pub(crate) fn resource_type_dto(rt: ResourceType) -> ResourceTypeDto {
    match rt {
        ResourceType::Model => ResourceTypeDto::Model,
        ResourceType::Source => ResourceTypeDto::Source,
        ResourceType::Seed => ResourceTypeDto::Seed,
        ResourceType::Test => ResourceTypeDto::Test,
        ResourceType::Analysis => ResourceTypeDto::Analysis,
        ResourceType::Exposure => ResourceTypeDto::Exposure,
        ResourceType::Snapshot => ResourceTypeDto::Snapshot,
        ResourceType::Operation => ResourceTypeDto::Operation,
    }
}

/// Which band of the lineage a node belongs to: by resource type, then by the dbt naming
/// conventions for folders (`staging/`, `intermediate/`, `marts/`) and prefixes (`stg_`, `int_`,
/// `fct_`, `dim_`).
pub(crate) fn layer_of(node: &Node) -> Layer {
    match node.resource_type {
        ResourceType::Source => Layer::Source,
        ResourceType::Seed => Layer::Seed,
        ResourceType::Test => Layer::Test,
        ResourceType::Exposure => Layer::Exposure,
        _ => {
            let folders: Vec<String> = node.fqn.iter().map(|p| p.to_ascii_lowercase()).collect();
            let name = node.name.to_ascii_lowercase();
            let has = |folder: &str| folders.iter().any(|f| f == folder);
            if has("staging") || name.starts_with("stg_") {
                Layer::Staging
            } else if has("intermediate") || name.starts_with("int_") {
                Layer::Intermediate
            } else if has("marts") || has("mart") || name.starts_with("fct_") || name.starts_with("dim_") {
                Layer::Marts
            } else {
                Layer::Other
            }
        }
    }
}

fn sql_kind_prefix(kind: SqlKind) -> &'static str {
    match kind {
        SqlKind::Model => "model",
        SqlKind::Analysis => "analysis",
        SqlKind::SingularTest => "test",
        SqlKind::Snapshot => "snapshot",
    }
}

fn diagnostics_dto(diagnostics: &Diagnostics) -> Vec<DiagnosticDto> {
    diagnostics.0.iter().map(diagnostic_dto).collect()
}

/// Columns declared in YAML, with the warehouse's types filled in when the relation exists.
fn columns_of(manifest: &Manifest, node: &Node, state: &ProjectState) -> Vec<ColumnDto> {
    let mut columns: Vec<ColumnDto> = node
        .columns
        .iter()
        .map(|c| ColumnDto {
            name: c.name.clone(),
            data_type: c.data_type.clone(),
            description: c.description.clone(),
        })
        .collect();
    let relation = kiln_exec::warehouse_relation(node)
        .filter(|_| manifest.relation(&node.unique_id).is_some_and(|r| r.cte.is_none()));
    // Only an already open warehouse is asked: compiling must not take the file from a CLI run.
    if let (Some(relation), Some(adapter)) = (relation, state.adapter_if_open()) {
        if let Ok(actual) = adapter.columns(&relation) {
            let declared: HashMap<String, ColumnDto> =
                columns.drain(..).map(|c| (c.name.to_ascii_lowercase(), c)).collect();
            columns = actual
                .into_iter()
                .map(|c| {
                    let description = declared
                        .get(&c.name.to_ascii_lowercase())
                        .map(|d| d.description.clone())
                        .unwrap_or_default();
                    ColumnDto {
                        name: c.name,
                        data_type: Some(c.data_type),
                        description,
                    }
                })
                .collect();
        }
    }
    columns
}

fn compile_yaml(relative: &str, content: &str) -> CompileResult {
    // One pass gives both: a syntax error, or the warnings for keys given twice (no error: the
    // later one wins, as in dbt, and the project load warns about it the same way).
    let diagnostics = match kiln_project::parse_yaml_lenient::<serde_norway::Value>(content, Path::new(relative)) {
        Ok((_, warnings)) => warnings.iter().map(diagnostic_dto).collect(),
        Err(diagnostics) => diagnostics_dto(&diagnostics),
    };
    CompileResult {
        unique_id: None,
        sql: None,
        warehouse_sql: None,
        diagnostics,
        depends_on: vec![],
        columns: vec![],
    }
}

fn failed(diagnostics: Vec<DiagnosticDto>, unique_id: Option<String>) -> CompileResult {
    CompileResult {
        unique_id,
        sql: None,
        warehouse_sql: None,
        diagnostics,
        depends_on: vec![],
        columns: vec![],
    }
}

pub(crate) fn compile(state: &ProjectState, request: &CompileModelRequest) -> ApiResult<CompileResult> {
    let (absolute, relative) = confine_file(&state.root, &request.path)?;
    let is_yaml = relative.ends_with(".yml") || relative.ends_with(".yaml");
    if is_yaml {
        let content = match &request.content {
            Some(content) => content.clone(),
            None => std::fs::read_to_string(&absolute).map_err(|e| ApiError::io(&relative, &e))?,
        };
        return Ok(compile_yaml(&relative, &content));
    }
    let project = match state.project() {
        Ok(project) => project,
        Err(diagnostics) => return Ok(failed(diagnostics_dto(&diagnostics), None)),
    };
    let Some(file) = project.sql_files.iter().find(|f| slash_path(&f.path) == relative) else {
        let diagnostic = Diagnostic::error(
            Code::ProjectNotFound,
            format!("{relative} is not a model, analysis, test or snapshot of this project"),
        )
        .in_file(&relative)
        .hint("save the file under one of the project's model-paths (e.g. models/) to compile it");
        return Ok(failed(vec![diagnostic_dto(&diagnostic)], None));
    };
    let unique_id = format!("{}.{}.{}", sql_kind_prefix(file.kind), project.config.name, file.name);
    let changed = request.content.as_ref().filter(|content| **content != file.raw);
    let (manifest, changed) = match (state.manifest(), changed) {
        (Ok(manifest), changed) => (manifest, changed),
        // The saved project does not parse (often because of this very file): parse it again
        // with the editor's text, so fixing the error clears it before the file is saved.
        (Err(_), Some(content)) => {
            let mut overlay = (*project).clone();
            for sql in overlay.sql_files.iter_mut().filter(|f| slash_path(&f.path) == relative) {
                sql.raw = content.clone();
            }
            match kiln_compile::parse(&overlay, &state.target, &ParseOptions::default()) {
                Ok(manifest) => (Arc::new(manifest), None),
                Err(diagnostics) => return Ok(failed(diagnostics_dto(&diagnostics), Some(unique_id))),
            }
        }
        (Err(diagnostics), None) => return Ok(failed(diagnostics_dto(&diagnostics), Some(unique_id))),
    };
    let Some(saved) = manifest.node(&unique_id) else {
        // Disabled models (`enabled: false`) are not in the manifest.
        return Ok(failed(vec![], Some(unique_id)));
    };
    let mut diagnostics: Vec<DiagnosticDto> = manifest
        .warnings
        .0
        .iter()
        .filter(|d| d.location.as_ref().is_some_and(|l| slash_path(&l.file) == relative))
        .map(diagnostic_dto)
        .collect();
    // Unsaved text is compiled against the saved project's manifest: one render per keystroke
    // instead of a whole-project parse (which the file watcher triggers after Ctrl+S).
    let edited = changed.map(|content| {
        manifest
            .compile_edited(&unique_id, content, &file.config)
            .map(|(node, compiled)| (node, compiled.sql))
    });
    let (node, sql) = match edited {
        Some(Ok((node, sql))) => (node, Some(sql)),
        Some(Err(diagnostic)) => {
            diagnostics.push(diagnostic_dto(&diagnostic));
            (saved.clone(), None)
        }
        None => match manifest.compile(&unique_id, &CompileState::default()) {
            Ok(compiled) => (saved.clone(), Some(compiled.sql)),
            Err(diagnostic) => {
                diagnostics.push(diagnostic_dto(&diagnostic));
                (saved.clone(), None)
            }
        },
    };
    let node = &node;
    if sql.is_some() {
        // As you type: a column read from an upstream that lacks it, before the warehouse says so.
        let adapter = state.adapter_if_open();
        let warehouse = |upstream: &kiln_compile::Node| {
            let relation = kiln_exec::warehouse_relation(upstream)?;
            let columns = adapter.as_ref()?.columns(&relation).ok()?;
            Some(columns.into_iter().map(|c| c.name).collect())
        };
        let found = manifest.unknown_column_diagnostics(&unique_id, &node.raw_code, &warehouse);
        diagnostics.extend(found.iter().map(diagnostic_dto));
    }
    let mut warehouse_sql = None;
    if let (Some(compiled), TargetKind::DuckDb) = (&sql, &state.target.kind) {
        // As you type: what the local warehouse cannot run is flagged before a build meets it.
        let same_lines = compiled.lines().count() == node.raw_code.lines().count();
        for found in kiln_sql::check_redshift_only(compiled) {
            let mut dto = diagnostic_dto(
                &Diagnostic::error(
                    Code::Untranslatable,
                    format!(
                        "`{}` cannot run on the local DuckDB warehouse: {}",
                        found.construct, found.reason
                    ),
                )
                .in_file(&relative)
                .hint("run this model on a Redshift target, or rewrite that part"),
            );
            if same_lines {
                dto.line = u32::try_from(found.line).ok();
                dto.column = u32::try_from(found.column).ok();
            }
            diagnostics.push(dto);
        }
        let translated = kiln_exec::for_warehouse(&manifest, compiled);
        if translated != *compiled {
            warehouse_sql = Some(translated);
        }
    }
    Ok(CompileResult {
        unique_id: Some(unique_id),
        sql,
        warehouse_sql,
        diagnostics,
        depends_on: node.depends_on.clone(),
        columns: columns_of(&manifest, node, state),
    })
}

pub(crate) fn graph(state: &ProjectState) -> ApiResult<GraphDto> {
    let manifest = state.require_manifest()?;
    let statuses = lock(&state.statuses).clone();
    let mut modified: HashMap<&Path, Option<std::time::SystemTime>> = HashMap::new();
    let mut nodes = Vec::with_capacity(manifest.nodes.len());
    let mut edges = Vec::new();
    for node in manifest.nodes.values() {
        let status = statuses.get(&node.unique_id).map(|(status, at)| {
            let changed = *modified.entry(node.path.as_path()).or_insert_with(|| {
                std::fs::metadata(state.root.join(&node.path))
                    .and_then(|m| m.modified())
                    .ok()
            });
            match changed {
                Some(changed) if changed > *at => NodeStatusDto::Stale,
                _ => *status,
            }
        });
        let materialized = match node.resource_type {
            // A seed is always a table; its config has no `materialized` (dbt's default, view, is a model's).
            ResourceType::Seed => Some("table".to_string()),
            ResourceType::Model | ResourceType::Snapshot => Some(node.materialized().to_string()),
            _ => None,
        };
        nodes.push(GraphNodeDto {
            id: node.unique_id.clone(),
            name: node.name.clone(),
            resource_type: resource_type_dto(node.resource_type),
            layer: layer_of(node),
            path: slash_path(&node.path),
            materialized,
            tags: node.config.tags(),
            description: node.description.clone(),
            status,
        });
        for parent in &node.depends_on {
            edges.push(EdgeDto {
                source: parent.clone(),
                target: node.unique_id.clone(),
            });
        }
    }
    if let Ok(project) = state.project() {
        stream_nodes(&manifest, &project.streams, &mut nodes, &mut edges);
    }
    Ok(GraphDto { nodes, edges })
}

/// The project's declared streams as the sources they are: a Kinesis stream feeds the models
/// whose SQL reads `<external schema>.<stream>`; a Firehose stream feeds the source or model
/// that is its delivery table.
fn stream_nodes(
    manifest: &kiln_compile::Manifest,
    streams: &[kiln_project::StreamDecl],
    nodes: &mut Vec<GraphNodeDto>,
    edges: &mut Vec<EdgeDto>,
) {
    let relation_of = |node: &kiln_compile::Node| {
        node.relation
            .as_ref()
            .map(|r| (r.schema.to_lowercase(), r.identifier.to_lowercase()))
    };
    let reads: Vec<(&kiln_compile::Node, Vec<(String, String)>)> = manifest
        .nodes
        .values()
        .filter(|n| n.resource_type == ResourceType::Model && !n.raw_code.is_empty())
        .map(|n| (n, kiln_stream::views::two_part_names(&n.raw_code)))
        .collect();
    for decl in streams {
        let id = format!("stream.{}.{}", manifest.project_name, decl.name);
        nodes.push(GraphNodeDto {
            id: id.clone(),
            name: decl.name.clone(),
            resource_type: ResourceTypeDto::Stream,
            layer: Layer::Source,
            path: slash_path(&decl.file),
            materialized: Some(decl.kind.as_str().to_string()),
            tags: Vec::new(),
            description: decl.description.clone(),
            status: None,
        });
        let mut targets: Vec<String> = Vec::new();
        match &decl.delivery {
            Some(delivery) => {
                let table = delivery.table.to_lowercase();
                let (schema, name) = table.split_once('.').unwrap_or(("main", table.as_str()));
                targets.extend(
                    manifest
                        .nodes
                        .values()
                        .filter(|n| relation_of(n).is_some_and(|(s, i)| s == schema && i == name))
                        .map(|n| n.unique_id.clone()),
                );
            }
            None => {
                let stream = decl.name.to_lowercase();
                targets.extend(
                    reads
                        .iter()
                        .filter(|(_, names)| names.iter().any(|(_, n)| *n == stream))
                        .map(|(n, _)| n.unique_id.clone()),
                );
            }
        }
        for target in targets {
            edges.push(EdgeDto {
                source: id.clone(),
                target,
            });
        }
    }
}

pub(crate) fn docs(state: &ProjectState, id: &str) -> ApiResult<DocsDto> {
    let manifest = state.require_manifest()?;
    let node = manifest.node(id).ok_or_else(|| {
        ApiError::new(
            crate::ErrorKind::NotFound,
            Code::UnknownRef.as_str(),
            format!("there is no node '{id}'"),
        )
        .hint("pick a node from the graph; ids look like model.<project>.<name>")
    })?;
    let mut tests_by_column: HashMap<String, Vec<DocsTestDto>> = HashMap::new();
    for candidate in manifest.nodes.values() {
        let Some(test) = &candidate.test else { continue };
        if test.attached_node.as_deref() != Some(id) {
            continue;
        }
        if let Some(column) = &test.column_name {
            tests_by_column
                .entry(column.to_ascii_lowercase())
                .or_default()
                .push(DocsTestDto {
                    id: candidate.unique_id.clone(),
                    name: test.test_name.clone(),
                    arguments: test
                        .kwargs
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
        }
    }
    let types: HashMap<String, String> = columns_of(&manifest, node, state)
        .into_iter()
        .filter_map(|c| c.data_type.map(|t| (c.name.to_ascii_lowercase(), t)))
        .collect();
    let columns = node
        .columns
        .iter()
        .map(|c| DocsColumnDto {
            name: c.name.clone(),
            data_type: c
                .data_type
                .clone()
                .or_else(|| types.get(&c.name.to_ascii_lowercase()).cloned()),
            description: c.description.clone(),
            tests: tests_by_column
                .get(&c.name.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .map(|t| t.name.clone())
                .collect(),
            test_nodes: tests_by_column
                .get(&c.name.to_ascii_lowercase())
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let compiled_code = if node.raw_code.is_empty() {
        None
    } else {
        manifest.compile(id, &CompileState::default()).ok().map(|c| c.sql)
    };
    Ok(DocsDto {
        id: node.unique_id.clone(),
        name: node.name.clone(),
        resource_type: resource_type_dto(node.resource_type),
        description: node.description.clone(),
        columns,
        depends_on: node.depends_on.clone(),
        referenced_by: manifest
            .graph
            .children(id)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect(),
        path: slash_path(&node.path),
        raw_code: node.raw_code.clone(),
        compiled_code,
        exposure: node.exposure.as_ref().map(|e| {
            let owner = |key: &str| e.owner.get(key).and_then(|v| v.as_str()).map(str::to_string);
            ExposureDocsDto {
                label: e.label.clone(),
                kind: e.kind.clone(),
                maturity: e.maturity.clone(),
                url: e.url.clone(),
                owner_name: owner("name"),
                owner_email: owner("email"),
                tags: e.tags.clone(),
            }
        }),
    })
}

impl Studio {
    /// Compiles the file as if its text were `content`; diagnostics point into that text.
    pub async fn compile_model(&self, request: CompileModelRequest) -> ApiResult<CompileResult> {
        let state = self.project()?;
        blocking(move || compile(&state, &request)).await
    }

    pub async fn graph(&self, _request: Empty) -> ApiResult<GraphDto> {
        let state = self.project()?;
        blocking(move || graph(&state)).await
    }

    pub async fn docs(&self, request: DocsRequest) -> ApiResult<DocsDto> {
        let state = self.project()?;
        blocking(move || docs(&state, &request.id)).await
    }
}
