//! Node configuration and dbt's inheritance rules: folder-level `+config` in `dbt_project.yml`,
//! then `config:` in properties YAML, then `config()` in the file itself, each overriding the last,
//! except `tags` (accumulated) and `meta` (merged key by key).

use serde_json::{Map, Value};

/// Keys that hold a mapping as their value, so a mapping under them is a config, not a folder.
const MAPPING_CONFIGS: &[&str] = &[
    "meta",
    "docs",
    "persist_docs",
    "grants",
    "column_types",
    "contract",
    "labels",
    "quoting",
    "vars",
];

/// Config keys dbt accepts without the `+` prefix in `dbt_project.yml`.
const PLAIN_CONFIGS: &[&str] = &[
    "materialized",
    "tags",
    "schema",
    "alias",
    "database",
    "enabled",
    "bind",
    "sort",
    "sort_type",
    "dist",
    "backup",
    "full_refresh",
    "unique_key",
    "incremental_strategy",
    "on_schema_change",
    "pre-hook",
    "post-hook",
    "severity",
    "where",
    "store_failures",
    "quote_columns",
    "delimiter",
    "limit",
    "error_if",
    "warn_if",
    "group",
    "access",
    "transient",
    "meta",
    "docs",
    "persist_docs",
    "grants",
    "column_types",
    "contract",
];

/// A node's configuration: an ordered JSON object, so it serialises into manifest.json as dbt's does.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct NodeConfig(pub Map<String, Value>);

impl NodeConfig {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    pub fn get_bool(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" => Some(true),
                "false" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn materialized(&self) -> &str {
        self.get_str("materialized").unwrap_or("view")
    }

    pub fn enabled(&self) -> bool {
        self.get_bool("enabled").unwrap_or(true)
    }

    pub fn tags(&self) -> Vec<String> {
        match self.0.get("tags") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }

    pub fn set(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }

    /// Layers `other` on top of `self` following dbt's merge rules.
    pub fn merge(&mut self, other: &NodeConfig) {
        for (key, value) in &other.0 {
            let key = key.trim_start_matches('+');
            match key {
                "tags" => {
                    let mut tags = self.tags();
                    for tag in NodeConfig(Map::from_iter([("tags".to_string(), value.clone())])).tags() {
                        if !tags.contains(&tag) {
                            tags.push(tag);
                        }
                    }
                    self.0.insert("tags".into(), Value::from(tags));
                }
                "meta" => match (self.0.get_mut("meta"), value) {
                    (Some(Value::Object(existing)), Value::Object(new)) => {
                        for (k, v) in new {
                            existing.insert(k.clone(), v.clone());
                        }
                    }
                    _ => {
                        self.0.insert("meta".into(), value.clone());
                    }
                },
                _ => {
                    self.0.insert(key.to_string(), value.clone());
                }
            }
        }
    }
}

/// Resolves the folder-level configuration for a node from a `dbt_project.yml` section (`models:`,
/// `seeds:`, `tests:` …). `fqn` is `[project, folder…, name]`; the tree's top-level keys are package
/// names, and configs set directly at the top apply to every node.
pub fn folder_config(tree: Option<&Value>, fqn: &[String]) -> NodeConfig {
    let mut config = NodeConfig::default();
    let Some(Value::Object(root)) = tree else {
        return config;
    };
    apply_level(&mut config, root);
    let mut level = root;
    for part in fqn {
        match level.get(part).or_else(|| level.get(&format!("+{part}"))) {
            Some(Value::Object(next)) if !is_config_key(part, &Value::Object(next.clone())) => {
                apply_level(&mut config, next);
                level = next;
            }
            _ => break,
        }
    }
    config
}

fn apply_level(config: &mut NodeConfig, level: &Map<String, Value>) {
    let mut own = NodeConfig::default();
    for (key, value) in level {
        if is_config_key(key, value) {
            own.0.insert(key.trim_start_matches('+').to_string(), value.clone());
        }
    }
    config.merge(&own);
}

fn is_config_key(key: &str, value: &Value) -> bool {
    if key.starts_with('+') {
        return true;
    }
    if !value.is_object() {
        return PLAIN_CONFIGS.contains(&key) || !key.chars().all(|c| c.is_alphanumeric() || c == '_');
    }
    MAPPING_CONFIGS.contains(&key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fqn(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn folders_inherit_and_tags_accumulate() {
        let tree = json!({
            "+tags": ["all"],
            "tickit": {
                "+materialized": "view",
                "staging": {"+bind": false, "+tags": "staging", "materialized": "view"},
                "marts": {"+materialized": "table", "tags": ["marts"], "sales": {"+schema": "sales"},
                          "meta": {"owner": "x"}}
            }
        });
        let staging = folder_config(Some(&tree), &fqn(&["tickit", "staging", "stg_a"]));
        assert_eq!(staging.materialized(), "view");
        assert_eq!(staging.get_bool("bind"), Some(false));
        assert_eq!(staging.tags(), vec!["all", "staging"]);

        let sale = folder_config(Some(&tree), &fqn(&["tickit", "marts", "sales", "fct_sales"]));
        assert_eq!(sale.materialized(), "table");
        assert_eq!(sale.get_str("schema"), Some("sales"));
        assert_eq!(sale.tags(), vec!["all", "marts"]);
        assert_eq!(sale.get("meta"), Some(&json!({"owner": "x"})));
    }

    #[test]
    fn later_layers_override_except_tags_and_meta() {
        let mut base = NodeConfig(
            json!({"materialized": "view", "tags": ["a"], "meta": {"x": 1}})
                .as_object()
                .unwrap()
                .clone(),
        );
        let top = NodeConfig(
            json!({"materialized": "table", "tags": "b", "meta": {"y": 2}})
                .as_object()
                .unwrap()
                .clone(),
        );
        base.merge(&top);
        assert_eq!(base.materialized(), "table");
        assert_eq!(base.tags(), vec!["a", "b"]);
        assert_eq!(base.get("meta"), Some(&json!({"x": 1, "y": 2})));
    }
}
