//! The flat node records handed over by the project loader.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The kind of resource a node is, named as dbt names it (`resource_type:model`, `--resource-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    Model,
    Source,
    Seed,
    Test,
    Analysis,
    Exposure,
    Snapshot,
    Operation,
}

impl ResourceType {
    /// Every resource type, in declaration order.
    pub const ALL: [ResourceType; 8] = [
        ResourceType::Model,
        ResourceType::Source,
        ResourceType::Seed,
        ResourceType::Test,
        ResourceType::Analysis,
        ResourceType::Exposure,
        ResourceType::Snapshot,
        ResourceType::Operation,
    ];

    /// The dbt spelling, as used in unique ids and in `resource_type:` selectors.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Model => "model",
            ResourceType::Source => "source",
            ResourceType::Seed => "seed",
            ResourceType::Test => "test",
            ResourceType::Analysis => "analysis",
            ResourceType::Exposure => "exposure",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Operation => "operation",
        }
    }

    /// dbt keeps sources and exposures outside `manifest.nodes`; several selector methods
    /// (`fqn`, `config`, `test_type`, ...) only look at the "parsed" nodes, so we mirror that split.
    pub(crate) fn is_parsed_node(self) -> bool {
        !matches!(self, ResourceType::Source | ResourceType::Exposure)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that is not one of the [`ResourceType`] names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown resource type `{0}`; expected one of: model, source, seed, test, analysis, exposure, snapshot, operation"
)]
pub struct ParseResourceTypeError(pub String);

impl FromStr for ResourceType {
    type Err = ParseResourceTypeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceType::ALL
            .into_iter()
            .find(|rt| rt.as_str() == s)
            .ok_or_else(|| ParseResourceTypeError(s.to_string()))
    }
}

/// One resource of the project, with its dependencies already resolved to unique ids.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GraphNode {
    /// "model.tickit.fct_sales", "source.tickit.tickit_external.sale", "seed.tickit.countries",
    /// "test.tickit.not_null_stg_x_id.<hash>", "exposure.tickit.dash".
    pub unique_id: String,
    pub resource_type: ResourceType,
    /// "fct_sales"; for a source table "sale".
    pub name: String,
    /// "tickit_external" for sources.
    pub source_name: Option<String>,
    /// "tickit".
    pub package_name: String,
    /// dbt fqn: ["tickit","marts","sales","fct_sales"]; sources ["tickit","staging","tickit_external","sale"].
    pub fqn: Vec<String>,
    /// Relative to the project root with '/' separators: "models/marts/sales/fct_sales.sql".
    pub path: String,
    pub tags: Vec<String>,
    /// e.g. "materialized": "table".
    pub config: BTreeMap<String, serde_json::Value>,
    /// unique_ids of parents (already resolved; unknown ids are an error).
    pub depends_on: Vec<String>,
}
