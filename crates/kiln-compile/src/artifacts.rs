//! `target/manifest.json` in the shape dbt tooling reads (nodes, sources, exposures, parent and
//! child maps, depends_on, config, columns, compiled code when known).

use std::collections::BTreeMap;
use std::path::Path;

use kiln_graph::ResourceType;
use serde_json::{json, Map, Value};

use crate::{Manifest, Node};

/// dbt's manifest schema version that the written file follows.
const SCHEMA: &str = "https://schemas.getdbt.com/dbt/manifest/v12.json";

fn columns_json(node: &Node) -> Value {
    let mut columns = Map::new();
    for column in &node.columns {
        columns.insert(
            column.name.clone(),
            json!({
                "name": column.name,
                "description": column.description,
                "data_type": column.data_type,
                "meta": column.meta,
                "tags": column.tags,
                "quote": column.quote,
                "constraints": [],
            }),
        );
    }
    Value::Object(columns)
}

fn node_json(manifest: &Manifest, node: &Node, compiled: Option<&str>) -> Value {
    let (database, schema, alias, relation_name) = match &node.relation {
        Some(r) => (
            r.database.clone(),
            Some(r.schema.clone()),
            Some(r.identifier.clone()),
            r.cte.is_none().then(|| r.rendered()),
        ),
        None => (None, None, None, None),
    };
    let depends_nodes: Vec<&String> = node.depends_on.iter().collect();
    let mut value = json!({
        "unique_id": node.unique_id,
        "resource_type": node.resource_type.as_str(),
        "name": node.name,
        "package_name": node.package_name,
        "path": node.path.strip_prefix(node.path.components().next().map(|c| c.as_os_str()).unwrap_or_default()).unwrap_or(&node.path).to_string_lossy(),
        "original_file_path": node.path.to_string_lossy(),
        "fqn": node.fqn,
        "config": node.config.0,
        "tags": node.config.tags(),
        "description": node.description,
        "columns": columns_json(node),
        "meta": node.config.get("meta").cloned().unwrap_or(json!({})),
        "depends_on": {"nodes": depends_nodes, "macros": []},
        "database": database,
        "schema": schema,
        "alias": alias,
        "relation_name": relation_name,
        "raw_code": node.raw_code,
        "language": "sql",
        "checksum": {"name": "sha256", "checksum": crate::testgen::short_hash(&node.raw_code)},
        "root_path": manifest.root.to_string_lossy(),
    });
    if let (Some(code), Value::Object(map)) = (compiled, &mut value) {
        map.insert("compiled".into(), Value::Bool(true));
        map.insert("compiled_code".into(), Value::String(code.to_string()));
    }
    if let (Some(test), Value::Object(map)) = (&node.test, &mut value) {
        if test.generic {
            map.insert(
                "test_metadata".into(),
                json!({"name": test.test_name, "kwargs": test.kwargs, "namespace": null}),
            );
        }
        map.insert("column_name".into(), json!(test.column_name));
        map.insert("attached_node".into(), json!(test.attached_node));
    }
    if let (Some(source), Value::Object(map)) = (&node.source, &mut value) {
        map.insert("source_name".into(), json!(source.source_name));
        map.insert("source_description".into(), json!(source.source_description));
        map.insert("loader".into(), json!(source.loader));
        map.insert(
            "identifier".into(),
            json!(node.relation.as_ref().map(|r| r.identifier.clone())),
        );
        map.insert("external".into(), source.external.clone().unwrap_or(Value::Null));
    }
    if let (Some(exposure), Value::Object(map)) = (&node.exposure, &mut value) {
        map.insert("type".into(), json!(exposure.kind));
        map.insert("maturity".into(), json!(exposure.maturity));
        map.insert("url".into(), json!(exposure.url));
        map.insert("owner".into(), json!(exposure.owner));
        map.insert("label".into(), json!(exposure.label));
    }
    value
}

/// Builds manifest.json; `compiled` holds compiled SQL by unique_id where it is known.
pub fn manifest_json(
    manifest: &Manifest,
    compiled: &BTreeMap<String, String>,
    invocation_id: &str,
    generated_at: &str,
) -> Value {
    let mut nodes = Map::new();
    let mut sources = Map::new();
    let mut exposures = Map::new();
    let mut parent_map = Map::new();
    let mut child_map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Building each node's JSON is independent work; on large projects it dominates `kiln parse`.
    use rayon::prelude::*;
    let all: Vec<&Node> = manifest.nodes.values().collect();
    let values: Vec<Value> = all
        .par_iter()
        .map(|node| node_json(manifest, node, compiled.get(&node.unique_id).map(String::as_str)))
        .collect();
    for (node, value) in all.into_iter().zip(values) {
        match node.resource_type {
            ResourceType::Source => sources.insert(node.unique_id.clone(), value),
            ResourceType::Exposure => exposures.insert(node.unique_id.clone(), value),
            _ => nodes.insert(node.unique_id.clone(), value),
        };
        parent_map.insert(node.unique_id.clone(), json!(node.depends_on));
        child_map.entry(node.unique_id.clone()).or_default();
        for parent in &node.depends_on {
            child_map
                .entry(parent.clone())
                .or_default()
                .push(node.unique_id.clone());
        }
    }
    let docs: Map<String, Value> = manifest
        .docs
        .iter()
        .map(|(name, contents)| {
            let id = format!("doc.{}.{name}", manifest.project_name);
            (id.clone(), json!({"unique_id": id, "name": name, "block_contents": contents, "package_name": manifest.project_name}))
        })
        .collect();
    json!({
        "metadata": {
            "dbt_schema_version": SCHEMA,
            "dbt_version": "1.11.0",
            "kiln_version": env!("CARGO_PKG_VERSION"),
            "generated_at": generated_at,
            "invocation_id": invocation_id,
            "project_name": manifest.project_name,
            "adapter_type": manifest.target.kind.as_str(),
        },
        "nodes": nodes,
        "sources": sources,
        "exposures": exposures,
        "macros": {},
        "docs": docs,
        "metrics": {},
        "groups": {},
        "selectors": {},
        "disabled": {},
        "parent_map": parent_map,
        "child_map": child_map,
        "group_map": {},
        "semantic_models": {},
        "unit_tests": {},
        "saved_queries": {},
    })
}

pub fn write_manifest(path: &Path, value: &Value) -> std::io::Result<()> {
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
