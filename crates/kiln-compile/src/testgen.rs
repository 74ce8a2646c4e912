//! Generic tests declared in YAML (`unique`, `accepted_values: {values: [...]}` …) become test nodes
//! whose SQL calls the test's macro with `model` bound to the tested relation.

use std::collections::BTreeMap;

use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_graph::ResourceType;
use kiln_project::{folder_config, NodeConfig, Project, Target, TestDef, TestTarget};
use serde_json::{Map, Value};

use crate::{severity_of, Compiler, Node, TestInfo};

/// The keys of a YAML test entry that configure the test instead of passing it an argument.
pub const TEST_CONFIG_KEYS: &[&str] = &[
    "severity",
    "where",
    "limit",
    "warn_if",
    "error_if",
    "store_failures",
    "enabled",
    "tags",
    "meta",
    "fail_calc",
];

pub(crate) fn test_node(
    compiler: &Compiler,
    project: &Project,
    _target: &Target,
    nodes: &BTreeMap<String, Node>,
    def: &TestDef,
) -> Result<Option<Node>, Diagnostic> {
    let location = Location {
        file: def.file.clone(),
        line: def.line,
        column: None,
    };
    let error = |message: String, hint: &str| {
        Diagnostic::error(Code::CompilerError, message)
            .at(location.clone())
            .hint(hint.to_string())
    };
    let package = &project.config.name;

    let (test_name, mut args, custom_name) = split_entry(&def.entry).ok_or_else(|| {
        error(
            format!("cannot read test entry {}", def.entry),
            "write a test as `- unique` or `- accepted_values: {values: [a, b]}`",
        )
    })?;
    if test_name.contains('.') {
        return Err(error(
            format!("generic test '{test_name}' comes from a package; packages are not installed by Kiln yet"),
            "define the test in tests/generic/ or macros/ with {% test name(model, column_name) %}",
        ));
    }
    let macro_name = format!("test_{test_name}");
    if !compiler.macro_names.contains(&macro_name) {
        return Err(error(
            format!("unknown generic test '{test_name}'"),
            "built-in tests are unique, not_null, accepted_values and relationships; define others with {% test name(model, column_name) %} in tests/generic/ or macros/",
        ));
    }

    let (attached_id, target_name, model_expr) = match &def.target {
        TestTarget::Model(name) => (
            format!("model.{package}.{name}"),
            name.clone(),
            format!("ref({})", jinja_string(name)),
        ),
        TestTarget::Snapshot(name) => (
            format!("snapshot.{package}.{name}"),
            name.clone(),
            format!("ref({})", jinja_string(name)),
        ),
        TestTarget::Seed(name) => (
            format!("seed.{package}.{name}"),
            name.clone(),
            format!("ref({})", jinja_string(name)),
        ),
        TestTarget::Source { source, table } => (
            format!("source.{package}.{source}.{table}"),
            format!("{source}_{table}"),
            format!("source({}, {})", jinja_string(source), jinja_string(table)),
        ),
    };
    if !nodes.contains_key(&attached_id) {
        // The tested node is disabled; dbt drops its tests too.
        return Ok(None);
    }

    // Split test configuration from the macro's arguments.
    let mut config = Map::new();
    if let Some(Value::Object(nested)) = args.remove("config") {
        config.extend(nested);
    }
    if let Some(Value::Object(arguments)) = args.remove("arguments") {
        args.extend(arguments);
    }
    for key in TEST_CONFIG_KEYS {
        if let Some(value) = args.remove(*key) {
            config.insert((*key).to_string(), value);
        }
    }

    let prefix = if matches!(def.target, TestTarget::Source { .. }) {
        "source_"
    } else {
        ""
    };
    let name = custom_name
        .unwrap_or_else(|| test_display_name(prefix, &test_name, &target_name, def.column.as_deref(), &args));
    let unique_id = format!(
        "test.{package}.{name}.{}",
        short_hash(&format!("{name}|{}|{}", def.file.display(), def.entry))
    );

    let model_arg = match config.get("where").and_then(Value::as_str) {
        Some(filter) => format!(
            "\"(select * from \" ~ {model_expr} ~ \" where \" ~ {} ~ \") dbt_subquery\"",
            jinja_string(filter)
        ),
        None => model_expr,
    };
    let mut call_args = vec![format!("model={model_arg}")];
    if let Some(column) = &def.column {
        call_args.push(format!("column_name={}", jinja_string(column)));
    }
    for (key, value) in &args {
        call_args.push(format!("{key}={}", jinja_literal(value)));
    }
    let raw_code = format!("{{{{ {macro_name}({}) }}}}", call_args.join(", "));

    let mut fqn = vec![package.clone()];
    if let Some(parent) = def.file.parent() {
        fqn.extend(
            parent
                .components()
                .skip(1)
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        );
    }
    fqn.push(name.clone());
    let mut node_config = folder_config(project.config.tests.as_ref(), &fqn);
    node_config.merge(&NodeConfig(config));
    if node_config.get("severity").is_none() {
        node_config.set("severity", Value::from("ERROR"));
    }

    let mut node = Node {
        unique_id: unique_id.clone(),
        resource_type: ResourceType::Test,
        name,
        package_name: package.clone(),
        path: def.file.clone(),
        line: def.line,
        fqn,
        config: node_config.clone(),
        depends_on: Vec::new(),
        description: String::new(),
        columns: Vec::new(),
        raw_code: raw_code.clone(),
        relation: None,
        test: Some(TestInfo {
            test_name: test_name.clone(),
            generic: true,
            attached_node: Some(attached_id.clone()),
            column_name: def.column.clone(),
            kwargs: args,
            severity: severity_of(&node_config),
        }),
        source: None,
        exposure: None,
    };
    // Dependencies come from the tested node plus any ref()/source() among the arguments; rendering
    // every test here would double parse time on large projects, so tests render only when compiled.
    let mut depends_on = vec![attached_id];
    for value in node.test.iter().flat_map(|t| t.kwargs.values()) {
        if let Some(expression) = value
            .as_str()
            .map(str::trim)
            .filter(|s| s.starts_with("ref(") || s.starts_with("source("))
        {
            let ids = compiler.resolve_expression(expression).map_err(|message| {
                Diagnostic::error(Code::UnknownRef, format!("test '{}': {message}", node.name))
                    .at(location.clone())
                    .hint("fix the ref()/source() in the test's arguments")
            })?;
            for id in ids {
                if !depends_on.contains(&id) {
                    depends_on.push(id);
                }
            }
        }
    }
    node.depends_on = depends_on;
    Ok(Some(node))
}

/// `unique` | `{unique: {...}}` | `{name: x, test_name: unique, ...}` → (test name, args, custom name).
fn split_entry(entry: &Value) -> Option<(String, Map<String, Value>, Option<String>)> {
    match entry {
        Value::String(name) => Some((name.clone(), Map::new(), None)),
        Value::Object(map) => {
            if let Some(test_name) = map.get("test_name").and_then(Value::as_str) {
                let mut args = map.clone();
                args.remove("test_name");
                let custom = args.remove("name").and_then(|v| v.as_str().map(str::to_string));
                return Some((test_name.to_string(), args, custom));
            }
            let (name, value) = map.iter().next()?;
            let mut args = match value {
                Value::Object(inner) => inner.clone(),
                Value::Null => Map::new(),
                _ => return None,
            };
            let custom = args.remove("name").and_then(|v| v.as_str().map(str::to_string));
            Some((name.clone(), args, custom))
        }
        _ => None,
    }
}

/// dbt's generated test names: `accepted_values_stg_x_col__a__b`, shortened with a hash when long.
fn test_display_name(
    prefix: &str,
    test: &str,
    target: &str,
    column: Option<&str>,
    args: &Map<String, Value>,
) -> String {
    let mut parts = vec![format!("{prefix}{test}"), target.to_string()];
    if let Some(column) = column {
        parts.push(column.to_string());
    }
    // dbt orders the arguments by name and collapses runs of other characters into one '_'.
    let mut keys: Vec<&String> = args.keys().collect();
    keys.sort();
    let mut suffix = Vec::new();
    for key in keys {
        if let Some(value) = args.get(key) {
            flatten_arg(value, &mut suffix);
        }
    }
    let mut name = parts.join("_");
    if !suffix.is_empty() {
        name = format!("{name}__{}", suffix.join("__"));
    }
    let mut clean = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            clean.push(c);
            in_run = false;
        } else if !in_run {
            clean.push('_');
            in_run = true;
        }
    }
    if clean.len() > 64 {
        format!("{prefix}{test}_{target}_{}", short_hash(&clean))
    } else {
        clean
    }
}

fn flatten_arg(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| flatten_arg(v, out)),
        Value::String(s) => out.push(s.clone()),
        Value::Object(map) => map.values().for_each(|v| flatten_arg(v, out)),
        other => out.push(other.to_string()),
    }
}

/// FNV-1a, stable across Rust versions (unlike `DefaultHasher`), so unique_ids do not churn.
pub(crate) fn short_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")[..10].to_string()
}

fn jinja_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// A YAML value as a Jinja literal; strings holding `ref(...)`/`source(...)` stay expressions, as dbt
/// renders them.
fn jinja_literal(value: &Value) -> String {
    match value {
        Value::Null => "none".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let trimmed = s.trim();
            if (trimmed.starts_with("ref(") || trimmed.starts_with("source(")) && trimmed.ends_with(')') {
                trimmed.to_string()
            } else {
                jinja_string(s)
            }
        }
        Value::Array(items) => format!("[{}]", items.iter().map(jinja_literal).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", jinja_string(k), jinja_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_dbt() {
        let args = json!({"values": ["Sports", "Shows"]}).as_object().unwrap().clone();
        assert_eq!(
            test_display_name("", "accepted_values", "stg_categories", Some("cat_group"), &args),
            "accepted_values_stg_categories_cat_group__Sports__Shows"
        );
        let args = json!({"to": "ref('stg_venues')", "field": "venue_id"})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(
            test_display_name("", "relationships", "stg_events", Some("venue_id"), &args),
            "relationships_stg_events_venue_id__venue_id__ref_stg_venues_"
        );
        assert_eq!(
            test_display_name("source_", "unique", "raw_a", Some("id"), &Map::new()),
            "source_unique_raw_a_id"
        );
    }

    #[test]
    fn literals_keep_refs_as_expressions() {
        assert_eq!(jinja_literal(&json!("ref('x')")), "ref('x')");
        assert_eq!(
            jinja_literal(&json!(["a'b", 1, null, true])),
            "[\"a'b\", 1, none, true]"
        );
    }
}
