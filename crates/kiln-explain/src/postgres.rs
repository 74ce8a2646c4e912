//! PostgreSQL's `EXPLAIN (FORMAT JSON)`: `[{"Plan": {"Node Type", "Startup Cost", "Total Cost",
//! "Plan Rows", "Plan Width", "Plans": [...], …}}]`.

use serde_json::Value;

use crate::{one_root, value_text, ExplainError, PlanNode};

/// Keys shown as details, in this order (the rest are planner internals such as "Parallel Aware").
const DETAILS: &[&str] = &[
    "Join Type",
    "Hash Cond",
    "Merge Cond",
    "Join Filter",
    "Index Name",
    "Index Cond",
    "Recheck Cond",
    "Filter",
    "Sort Key",
    "Group Key",
    "Strategy",
    "Cache Key",
    "Subplan Name",
    "CTE Name",
    "Function Name",
    "Command",
    "Output",
];

pub(crate) fn parse(text: &str) -> Result<PlanNode, ExplainError> {
    let value: Value = serde_json::from_str(text)?;
    let items = match &value {
        Value::Array(items) => items.clone(),
        Value::Object(_) => vec![value.clone()],
        _ => return Err(ExplainError::Shape("expected an array of {\"Plan\": …}".into())),
    };
    let roots = items
        .iter()
        .map(|item| {
            item.get("Plan")
                .ok_or_else(|| ExplainError::Shape("an entry has no \"Plan\"".into()))
                .and_then(node)
        })
        .collect::<Result<Vec<_>, _>>()?;
    one_root(roots)
}

fn number(value: &Value, key: &str) -> Option<f64> {
    value.get(key).and_then(Value::as_f64)
}

fn node(value: &Value) -> Result<PlanNode, ExplainError> {
    let kind = value
        .get("Node Type")
        .and_then(Value::as_str)
        .ok_or_else(|| ExplainError::Shape("a plan node has no \"Node Type\"".into()))?;
    let mut node = PlanNode::new(kind);
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    node.relation = text("Relation Name").map(|name| {
        let alias = text("Alias").filter(|alias| *alias != name);
        let name = match text("Schema") {
            Some(schema) => format!("{schema}.{name}"),
            None => name,
        };
        match alias {
            Some(alias) => format!("{name} {alias}"),
            None => name,
        }
    });
    for key in DETAILS {
        if let Some(item) = value.get(*key) {
            let shown = value_text(item);
            // An inner join is the default; saying so on every join is noise.
            if !(shown.is_empty() || (*key == "Join Type" && shown == "Inner")) {
                node.detail(*key, shown);
            }
        }
    }
    node.startup_cost = number(value, "Startup Cost");
    node.total_cost = number(value, "Total Cost");
    node.rows = number(value, "Plan Rows");
    node.width = number(value, "Plan Width");
    if let Some(Value::Array(children)) = value.get("Plans") {
        node.children = children.iter().map(self::node).collect::<Result<_, _>>()?;
    }
    Ok(node)
}
