//! DuckDB's `EXPLAIN (FORMAT JSON)`: an array of operators, each
//! `{"name", "children", "extra_info": {"Table", "Conditions", "Filters", "Estimated Cardinality" …}}`.
//! DuckDB estimates rows but no cost.

use serde_json::Value;

use crate::{one_root, value_text, ExplainError, PlanNode};

pub(crate) fn parse(text: &str) -> Result<PlanNode, ExplainError> {
    let value: Value = serde_json::from_str(text)?;
    let roots = match &value {
        Value::Array(items) => items.iter().map(node).collect::<Result<Vec<_>, _>>()?,
        Value::Object(_) => vec![node(&value)?],
        _ => return Err(ExplainError::Shape("expected an array of operators".into())),
    };
    one_root(roots)
}

fn node(value: &Value) -> Result<PlanNode, ExplainError> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ExplainError::Shape("an operator has no \"name\"".into()))?;
    let mut node = PlanNode::new(name.trim());
    if let Some(Value::Object(info)) = value.get("extra_info") {
        for (key, item) in info {
            match key.as_str() {
                "Table" => node.relation = Some(value_text(item)),
                "Estimated Cardinality" => node.rows = value_text(item).trim().parse().ok(),
                // The operator name says it already (SEQ_SCAN → "Sequential Scan").
                "Type" => {}
                _ => {
                    let text = value_text(item);
                    if !text.is_empty() {
                        node.detail(key.clone(), text);
                    }
                }
            }
        }
    }
    if let Some(Value::Array(children)) = value.get("children") {
        node.children = children.iter().map(self::node).collect::<Result<_, _>>()?;
    }
    Ok(node)
}
