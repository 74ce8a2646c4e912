//! The shapes of properties YAML files (`version: 2` files with `sources`, `models`, `seeds`,
//! `exposures` …). Unknown keys are accepted, as dbt accepts them, so real projects load unmodified;
//! Kiln's own `streams:` entries are strict instead (see `streams.rs`), since no dbt project has them.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::streams::StreamDef;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PropertiesFile {
    pub version: Option<Value>,
    pub sources: Vec<SourceDef>,
    pub models: Vec<ResourceProps>,
    pub seeds: Vec<ResourceProps>,
    pub snapshots: Vec<ResourceProps>,
    pub analyses: Vec<ResourceProps>,
    pub exposures: Vec<ExposureDef>,
    pub macros: Vec<Value>,
    /// Kinesis and Firehose streams (a Kiln key; dbt ignores it).
    pub streams: Vec<StreamDef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SourceDef {
    pub name: String,
    pub description: String,
    pub database: Option<String>,
    pub schema: Option<String>,
    pub loader: String,
    pub meta: Map<String, Value>,
    pub tags: Vec<String>,
    pub config: Map<String, Value>,
    pub tables: Vec<SourceTableDef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SourceTableDef {
    pub name: String,
    pub identifier: Option<String>,
    pub description: String,
    pub external: Option<Value>,
    pub columns: Vec<ColumnDef>,
    pub tests: Vec<Value>,
    pub data_tests: Vec<Value>,
    pub meta: Map<String, Value>,
    pub tags: Vec<String>,
    pub config: Map<String, Value>,
    pub loaded_at_field: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ColumnDef {
    pub name: String,
    pub description: String,
    pub data_type: Option<String>,
    #[serde(skip_serializing)]
    pub tests: Vec<Value>,
    #[serde(skip_serializing)]
    pub data_tests: Vec<Value>,
    pub meta: Map<String, Value>,
    pub tags: Vec<String>,
    pub quote: Option<bool>,
}

impl ColumnDef {
    pub fn all_tests(&self) -> impl Iterator<Item = &Value> {
        self.tests.iter().chain(self.data_tests.iter())
    }
}

/// A properties entry that declares generic tests, on itself and on its columns.
pub(crate) trait DeclaresTests {
    /// `tests:` and `data_tests:` (dbt accepts both spellings) of the entry, then its columns.
    fn declared_tests(&self) -> (&[Value], &[Value], &[ColumnDef]);
}

impl DeclaresTests for SourceTableDef {
    fn declared_tests(&self) -> (&[Value], &[Value], &[ColumnDef]) {
        (&self.tests, &self.data_tests, &self.columns)
    }
}

impl DeclaresTests for ResourceProps {
    fn declared_tests(&self) -> (&[Value], &[Value], &[ColumnDef]) {
        (&self.tests, &self.data_tests, &self.columns)
    }
}

/// Properties of a model, seed, snapshot or analysis.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResourceProps {
    pub name: String,
    pub description: String,
    pub config: Map<String, Value>,
    pub columns: Vec<ColumnDef>,
    pub tests: Vec<Value>,
    pub data_tests: Vec<Value>,
    pub docs: Option<Value>,
    pub meta: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ExposureDef {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub label: Option<String>,
    pub maturity: Option<String>,
    pub url: Option<String>,
    pub description: String,
    pub depends_on: Vec<String>,
    pub owner: Map<String, Value>,
    pub tags: Vec<String>,
    pub meta: Map<String, Value>,
}
