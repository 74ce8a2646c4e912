//! EXPLAIN output as one plan tree, whatever the engine: DuckDB's and PostgreSQL's
//! `EXPLAIN (FORMAT JSON)` and Redshift's text EXPLAIN (Redshift has no JSON form) all become a
//! [`Plan`] of [`PlanNode`]s — operator, relation, details such as join conditions and filters,
//! estimated rows and cost when the engine gives them, children — and [`flag`] marks what an
//! analyst should notice: Redshift's broadcasts and redistributions (`DS_BCAST_INNER`,
//! `DS_DIST_BOTH`, `DS_DIST_ALL_INNER`), nested-loop joins and Cartesian products, and on any
//! engine the step with the largest estimated cost of its own and the one with the most rows.
//!
//! Pure: text in, tree out. Running the EXPLAIN is the caller's job (kiln-api's `explainQuery`).

mod duckdb;
mod flags;
mod postgres;
mod redshift;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use flags::flag;

/// The engine whose EXPLAIN output a plan was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "PlanEngine")]
pub enum Engine {
    Duckdb,
    Postgres,
    Redshift,
}

impl Engine {
    /// The engine of an adapter's `kind()` (`duckdb`, `postgres`, `redshift`).
    pub fn from_kind(kind: &str) -> Option<Engine> {
        match kind {
            "duckdb" => Some(Engine::Duckdb),
            "postgres" => Some(Engine::Postgres),
            "redshift" => Some(Engine::Redshift),
            _ => None,
        }
    }

    /// The statement that asks this engine for a plan this crate reads. The query goes on a line
    /// of its own, so an error's line in it is the query's line plus one.
    pub fn explain_sql(self, query: &str) -> String {
        let query = query.trim_end().trim_end_matches(';').trim_end();
        match self {
            Engine::Duckdb | Engine::Postgres => format!("EXPLAIN (FORMAT JSON)\n{query}"),
            Engine::Redshift => format!("EXPLAIN\n{query}"),
        }
    }
}

/// One labelled fact of a step: `Hash Cond` → `("outer".eventid = "inner".eventid)`. The label is
/// empty for Redshift's unlabelled lines (`Send to leader`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanDetail {
    pub label: String,
    pub value: String,
}

/// What kind of thing a [`Flag`] points out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PlanFlagKind")]
pub enum FlagKind {
    /// Redshift copies a whole table to every node (`DS_BCAST_INNER`).
    Broadcast,
    /// Redshift moves rows of both tables, or all rows to one slice (`DS_DIST_BOTH`, `DS_DIST_ALL_INNER`).
    Redistribution,
    /// A nested-loop join or a Cartesian product.
    NestedLoop,
    /// The step with the largest estimated cost of its own.
    HighestCost,
    /// The step with the most estimated rows.
    MostRows,
}

/// Something an analyst should notice about a step, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(rename = "PlanFlag")]
pub struct Flag {
    pub kind: FlagKind,
    pub why: String,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanNode {
    /// The engine's own name for the step: `Hash Join`, `HASH_JOIN`, `Seq Scan`.
    pub operator: String,
    /// The table (with its alias) a scan reads, when it reads one.
    pub relation: Option<String>,
    /// Redshift's data movement for a join (`DS_BCAST_INNER`, `DS_DIST_NONE` …).
    pub distribution: Option<String>,
    pub details: Vec<PlanDetail>,
    /// Estimated cost of the first row and of the whole step including its inputs, in the
    /// engine's units (DuckDB gives none).
    pub startup_cost: Option<f64>,
    pub total_cost: Option<f64>,
    /// The step's own share of the cost: its total less its inputs' totals (never below 0).
    /// Redshift's fixed 1,000,000,000,000 surcharge on leader-node sorts is left out.
    pub self_cost: Option<f64>,
    /// Estimated rows out of the step.
    pub rows: Option<f64>,
    /// Estimated average row width in bytes.
    pub width: Option<f64>,
    pub flags: Vec<Flag>,
    pub children: Vec<PlanNode>,
}

impl PlanNode {
    pub(crate) fn new(operator: impl Into<String>) -> PlanNode {
        PlanNode {
            operator: operator.into(),
            relation: None,
            distribution: None,
            details: Vec::new(),
            startup_cost: None,
            total_cost: None,
            self_cost: None,
            rows: None,
            width: None,
            flags: Vec::new(),
            children: Vec::new(),
        }
    }

    pub(crate) fn detail(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.details.push(PlanDetail {
            label: label.into(),
            value: value.into(),
        });
    }

    /// This node and every node below it, depth first, parents before children.
    pub fn walk(&self) -> Vec<&PlanNode> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }
}

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub engine: Engine,
    pub root: PlanNode,
    /// Lines the engine adds below the tree (Redshift's `----- Tables missing statistics … -----`).
    pub notes: Vec<String>,
    /// The largest `self_cost` and `rows` of any step, for scaling bars; `None` when no step has one.
    pub max_self_cost: Option<f64>,
    pub max_rows: Option<f64>,
}

/// Why EXPLAIN output could not be read as a plan.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("the plan is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the plan does not have the expected shape: {0}")]
    Shape(String),
    #[error("the EXPLAIN output holds no plan")]
    Empty,
}

/// Reads `text`, the engine's EXPLAIN output (DuckDB: the `explain_value` of the
/// `physical_plan` row; PostgreSQL: the JSON document; Redshift: the lines of `QUERY PLAN`
/// joined with newlines), and flags it.
pub fn parse(engine: Engine, text: &str) -> Result<Plan, ExplainError> {
    let (root, notes) = match engine {
        Engine::Duckdb => (duckdb::parse(text)?, Vec::new()),
        Engine::Postgres => (postgres::parse(text)?, Vec::new()),
        Engine::Redshift => redshift::parse(text)?,
    };
    let mut plan = Plan {
        engine,
        root,
        notes,
        max_self_cost: None,
        max_rows: None,
    };
    flag(&mut plan);
    Ok(plan)
}

/// Several top-level plans become children of one `Plans` node.
pub(crate) fn one_root(mut roots: Vec<PlanNode>) -> Result<PlanNode, ExplainError> {
    match roots.len() {
        0 => Err(ExplainError::Empty),
        1 => Ok(roots.remove(0)),
        _ => {
            let mut root = PlanNode::new("Plans");
            root.children = roots;
            Ok(root)
        }
    }
}

/// A JSON value as detail text: strings as they are, arrays joined with `, `.
pub(crate) fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
