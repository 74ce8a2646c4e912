//! `target/manifest.json` in the shape dbt tooling reads (nodes, sources, exposures, parent and
//! child maps, depends_on, config, columns, compiled code when known).
//!
//! The manifest is serialised straight from borrowed views of the nodes: building a
//! `serde_json::Value` tree first cost more than parsing itself on 10,000-model projects.

use std::collections::BTreeMap;
use std::path::Path;

use kiln_graph::ResourceType;
use kiln_project::ColumnDef;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::{Manifest, Node};

/// dbt's manifest schema version that the written file follows.
const SCHEMA: &str = "https://schemas.getdbt.com/dbt/manifest/v12.json";

struct Columns<'a>(&'a [ColumnDef]);

impl Serialize for Columns<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for column in self.0 {
            map.serialize_entry(
                &column.name,
                &ColumnOut {
                    name: &column.name,
                    description: &column.description,
                    data_type: column.data_type.as_deref(),
                    meta: &column.meta,
                    tags: &column.tags,
                    quote: column.quote,
                    constraints: [(); 0],
                },
            )?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ColumnOut<'a> {
    name: &'a str,
    description: &'a str,
    data_type: Option<&'a str>,
    meta: &'a Map<String, Value>,
    tags: &'a [String],
    quote: Option<bool>,
    constraints: [(); 0],
}

#[derive(Serialize)]
struct DependsOn<'a> {
    nodes: &'a [String],
    macros: [(); 0],
}

#[derive(Serialize)]
struct Checksum {
    name: &'static str,
    checksum: String,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    unique_id: &'a str,
    resource_type: &'static str,
    name: &'a str,
    package_name: &'a str,
    path: String,
    original_file_path: String,
    fqn: &'a [String],
    config: &'a Map<String, Value>,
    tags: Vec<String>,
    description: &'a str,
    columns: Columns<'a>,
    meta: Value,
    depends_on: DependsOn<'a>,
    database: Option<&'a str>,
    schema: Option<&'a str>,
    alias: Option<&'a str>,
    relation_name: Option<String>,
    raw_code: &'a str,
    language: &'static str,
    checksum: Checksum,
    root_path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled_code: Option<&'a str>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

fn node_out<'a>(root: &'a str, node: &'a Node, compiled: Option<&'a str>) -> NodeOut<'a> {
    let relation = node.relation.as_ref();
    let mut extra = Map::new();
    if let Some(test) = &node.test {
        if test.generic {
            extra.insert(
                "test_metadata".into(),
                json!({"name": test.test_name, "kwargs": test.kwargs, "namespace": null}),
            );
        }
        extra.insert("column_name".into(), json!(test.column_name));
        extra.insert("attached_node".into(), json!(test.attached_node));
    }
    if let Some(source) = &node.source {
        extra.insert("source_name".into(), json!(source.source_name));
        extra.insert("source_description".into(), json!(source.source_description));
        extra.insert("loader".into(), json!(source.loader));
        extra.insert("identifier".into(), json!(relation.map(|r| r.identifier.clone())));
        extra.insert("external".into(), source.external.clone().unwrap_or(Value::Null));
    }
    if let Some(exposure) = &node.exposure {
        extra.insert("type".into(), json!(exposure.kind));
        extra.insert("maturity".into(), json!(exposure.maturity));
        extra.insert("url".into(), json!(exposure.url));
        extra.insert("owner".into(), json!(exposure.owner));
        extra.insert("label".into(), json!(exposure.label));
    }
    // dbt's `path` is relative to the resource folder (models/, seeds/ …).
    let mut components = node.path.components();
    components.next();
    NodeOut {
        unique_id: &node.unique_id,
        resource_type: node.resource_type.as_str(),
        name: &node.name,
        package_name: &node.package_name,
        path: components.as_path().to_string_lossy().into_owned(),
        original_file_path: node.path.to_string_lossy().into_owned(),
        fqn: &node.fqn,
        config: &node.config.0,
        tags: node.config.tags(),
        description: &node.description,
        columns: Columns(&node.columns),
        meta: node.config.get("meta").cloned().unwrap_or_else(|| json!({})),
        depends_on: DependsOn {
            nodes: &node.depends_on,
            macros: [],
        },
        database: relation.and_then(|r| r.database.as_deref()),
        schema: relation.map(|r| r.schema.as_str()),
        alias: relation.map(|r| r.identifier.as_str()),
        relation_name: relation.filter(|r| r.cte.is_none()).map(|r| r.rendered()),
        raw_code: &node.raw_code,
        language: "sql",
        checksum: Checksum {
            name: "sha256",
            checksum: crate::testgen::short_hash(&node.raw_code),
        },
        root_path: root,
        compiled: compiled.map(|_| true),
        compiled_code: compiled,
        extra,
    }
}

#[derive(Serialize)]
struct ManifestOut<'a> {
    metadata: Value,
    nodes: BTreeMap<&'a str, NodeOut<'a>>,
    sources: BTreeMap<&'a str, NodeOut<'a>>,
    exposures: BTreeMap<&'a str, NodeOut<'a>>,
    macros: Map<String, Value>,
    docs: Map<String, Value>,
    metrics: Map<String, Value>,
    groups: Map<String, Value>,
    selectors: Map<String, Value>,
    disabled: Map<String, Value>,
    parent_map: BTreeMap<&'a str, &'a [String]>,
    child_map: BTreeMap<&'a str, Vec<&'a str>>,
    group_map: Map<String, Value>,
    semantic_models: Map<String, Value>,
    unit_tests: Map<String, Value>,
    saved_queries: Map<String, Value>,
}

fn manifest_out<'a>(
    manifest: &'a Manifest,
    root: &'a str,
    compiled: &'a BTreeMap<String, String>,
    invocation_id: &str,
    generated_at: &str,
) -> ManifestOut<'a> {
    let mut out = ManifestOut {
        metadata: json!({
            "dbt_schema_version": SCHEMA,
            "dbt_version": "1.11.0",
            "kiln_version": env!("CARGO_PKG_VERSION"),
            "generated_at": generated_at,
            "invocation_id": invocation_id,
            "project_name": manifest.project_name,
            "adapter_type": manifest.target.kind.as_str(),
        }),
        nodes: BTreeMap::new(),
        sources: BTreeMap::new(),
        exposures: BTreeMap::new(),
        macros: Map::new(),
        docs: manifest
            .docs
            .iter()
            .map(|(name, contents)| {
                let id = format!("doc.{}.{name}", manifest.project_name);
                let doc = json!({"unique_id": id, "name": name, "block_contents": contents, "package_name": manifest.project_name});
                (id, doc)
            })
            .collect(),
        metrics: Map::new(),
        groups: Map::new(),
        selectors: Map::new(),
        disabled: Map::new(),
        parent_map: BTreeMap::new(),
        child_map: BTreeMap::new(),
        group_map: Map::new(),
        semantic_models: Map::new(),
        unit_tests: Map::new(),
        saved_queries: Map::new(),
    };
    for node in manifest.nodes.values() {
        let value = node_out(root, node, compiled.get(&node.unique_id).map(String::as_str));
        let id = node.unique_id.as_str();
        match node.resource_type {
            ResourceType::Source => out.sources.insert(id, value),
            ResourceType::Exposure => out.exposures.insert(id, value),
            _ => out.nodes.insert(id, value),
        };
        out.parent_map.insert(id, &node.depends_on);
        out.child_map.entry(id).or_default();
        for parent in &node.depends_on {
            out.child_map.entry(parent.as_str()).or_default().push(id);
        }
    }
    out
}

/// Builds manifest.json as a JSON value; `compiled` holds compiled SQL by unique_id where known.
pub fn manifest_json(
    manifest: &Manifest,
    compiled: &BTreeMap<String, String>,
    invocation_id: &str,
    generated_at: &str,
) -> Value {
    let root = manifest.root.to_string_lossy();
    serde_json::to_value(manifest_out(manifest, &root, compiled, invocation_id, generated_at)).unwrap_or(Value::Null)
}

/// Streams manifest.json to `path` without building a JSON tree in memory.
pub fn write_manifest_file(
    path: &Path,
    manifest: &Manifest,
    compiled: &BTreeMap<String, String>,
    invocation_id: &str,
    generated_at: &str,
) -> std::io::Result<()> {
    let root = manifest.root.to_string_lossy();
    write_manifest(
        path,
        &manifest_out(manifest, &root, compiled, invocation_id, generated_at),
    )
}

pub fn write_manifest<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    serde_json::to_writer(&mut writer, value).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut writer)?;
    drop(writer);
    std::fs::rename(tmp, path)
}
