//! The warehouse side of Kiln: an [`Adapter`] trait the execution engine drives from its worker
//! threads, [`DuckDbAdapter`], the embedded DuckDB implementation, [`open`], which picks the
//! adapter for a profile's target, and [`AdapterError::to_diagnostic`], the one mapping of
//! adapter failures to coded diagnostics.
//!
//! Every method takes `&self` and is safe to call from several threads at once; adapters hand
//! each call its own database connection so statements really run in parallel.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

mod batch;
mod connect;
mod diagnostic;
mod duck;
mod error;
mod sql;
mod types;
mod value;

pub use batch::{BatchOutcome, BatchType, BatchValue, RejectedRow, RowBatch};
pub use connect::open;
pub use duck::{result_type, DuckDbAdapter};
pub use error::{renumber_line_indicator, AdapterError, ConnectStage, LakeDataError};
pub use sql::{is_query, quote_ident, quote_literal};
pub use types::duckdb_type;

/// Suffix of the scratch relation a build writes before it swaps the result in.
pub const TEMP_SUFFIX: &str = "__kiln_tmp";

/// A schema-qualified relation (table or view) in the warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Relation {
    /// Catalog/database; `None` means the warehouse's default database.
    pub database: Option<String>,
    pub schema: String,
    pub identifier: String,
}

impl Relation {
    pub fn new(schema: impl Into<String>, identifier: impl Into<String>) -> Self {
        Self {
            database: None,
            schema: schema.into(),
            identifier: identifier.into(),
        }
    }

    pub fn with_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// The scratch relation a build of `self` writes to: same database and schema, so that the
    /// final rename stays inside one catalog.
    pub fn temp_relation(&self) -> Relation {
        Relation {
            database: self.database.clone(),
            schema: self.schema.clone(),
            identifier: format!("{}{}", self.identifier, TEMP_SUFFIX),
        }
    }

    /// `schema.identifier` (or `database.schema.identifier`) without quotes, for messages.
    pub fn unquoted(&self) -> String {
        match &self.database {
            Some(db) => format!("{db}.{}.{}", self.schema, self.identifier),
            None => format!("{}.{}", self.schema, self.identifier),
        }
    }
}

/// Renders the quoted SQL name: `"schema"."identifier"`, with `"database".` in front when set.
impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(db) = &self.database {
            write!(f, "{}.", sql::quote_ident(db))?;
        }
        write!(
            f,
            "{}.{}",
            sql::quote_ident(&self.schema),
            sql::quote_ident(&self.identifier)
        )
    }
}

/// A column declared in YAML (sources, seeds), typed in Redshift or DuckDB spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub data_type: String,
}

impl ColumnDef {
    pub fn new(name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            data_type: data_type.into(),
        }
    }
}

/// Layout of the files behind an external (lake) table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExternalFormat {
    /// Delimited text (`|`, `,`, tab …), optionally gzip-compressed (`*.gz`).
    /// `header_rows` lines are skipped at the top of every file; `quote: None` disables quoting.
    Delimited {
        delimiter: String,
        header_rows: usize,
        quote: Option<String>,
    },
    /// One JSON object per line.
    NdJson,
    Parquet,
}

/// An external table over lake files, staged (loaded) into a warehouse table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalTable {
    pub relation: Relation,
    /// Absolute directory (every file directly inside it), file, or glob pattern.
    pub location: String,
    pub format: ExternalFormat,
    pub columns: Vec<ColumnDef>,
    /// The source's dbt_external_tables declaration when its `location` is on S3: a Redshift
    /// target creates a Spectrum external table from it instead of loading files.
    pub spectrum: Option<SpectrumSpec>,
}

/// dbt_external_tables' keys for a Spectrum table, as written in the sources YAML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpectrumSpec {
    /// `s3://bucket/prefix/`.
    pub location: String,
    /// `row_format`, verbatim (`serde '…' with serdeproperties (…)`, `delimited fields terminated by '|'`).
    pub row_format: Option<String>,
    /// `file_format` (`textfile`, `parquet`, …).
    pub file_format: Option<String>,
    /// `table_properties`, verbatim with its parentheses: `('skip.header.line.count'='1')`.
    pub table_properties: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IncrementalStrategy {
    Append,
    DeleteInsert,
    Merge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RelationType {
    Table,
    View,
}

impl fmt::Display for RelationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RelationType::Table => "table",
            RelationType::View => "view",
        })
    }
}

/// What the schema browser shows a relation as. Finer than [`RelationType`]: a server knows
/// materialized views, external (Spectrum / foreign) tables and Redshift's late-binding views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogKind {
    Table,
    View,
    MaterializedView,
    ExternalTable,
    /// Redshift's `WITH NO SCHEMA BINDING` view: its columns come from
    /// `pg_get_late_binding_view_cols()`, not the catalog.
    LateBindingView,
}

/// A relation of one schema, as [`Adapter::list_relations_in`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub name: String,
    pub kind: CatalogKind,
}

/// A column of a relation or a query result, with the warehouse's own type name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    pub data_type: String,
}

/// Rows of a query as JSON values.
///
/// Integers up to 64 bits are JSON numbers; DECIMAL, HUGEINT and UHUGEINT are strings so no
/// precision is lost; dates, times and timestamps are ISO-8601 strings (TIMESTAMPTZ in UTC
/// with `Z`); intervals are ISO-8601 durations; lists/arrays are arrays, structs objects,
/// maps objects keyed by the key's text; blobs are base64 strings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QueryResult {
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<serde_json::Value>>,
    /// True when the query produced more rows than the requested limit.
    pub truncated: bool,
}

/// Physical settings of a model's relation, from its config (dbt-redshift's names). Warehouses
/// without such clauses (DuckDB, PostgreSQL) ignore what they cannot express.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildOptions {
    /// `bind: false` makes a late-binding view (`WITH NO SCHEMA BINDING` on Redshift).
    pub bind: Option<bool>,
    /// `dist`: `all`, `even`, `auto`, or a column name (DISTKEY).
    pub dist: Option<String>,
    /// `sort`: the sort key columns, in order.
    pub sort: Vec<String>,
    /// `sort_type`: `compound` (the default) or `interleaved`.
    pub sort_type: Option<String>,
    /// `backup: false` → `BACKUP NO`.
    pub backup: Option<bool>,
}

/// What staging an external table did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staged {
    pub rows: u64,
    /// The table was already staged from the same files and definition, and was kept.
    pub reused: bool,
}

/// What a row sink answers: keep sending rows, or stop (the caller has what it needs; the
/// adapter cancels or drains the rest of the statement and returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    More,
    Stop,
}

/// Receives a result's rows batch by batch, with the result's columns.
pub type RowSink<'a> = dyn FnMut(&[ColumnInfo], Vec<Vec<serde_json::Value>>) -> Flow + 'a;

/// What the execution engine needs from a warehouse. Implementations are shared between worker
/// threads, so every method takes `&self`.
pub trait Adapter: Send + Sync {
    /// Short adapter name, e.g. `"duckdb"`.
    fn kind(&self) -> &'static str;

    fn ensure_schema(&self, schema: &str) -> Result<(), AdapterError>;

    /// Loads lake files into a table with the declared column names and types, so bad data fails
    /// here with file and line and every consumer reads columnar data instead of parsing the
    /// files again. Skips the load when neither the files (names, sizes, modification times) nor
    /// the definition changed since the table was staged.
    fn stage_external(&self, table: &ExternalTable) -> Result<Staged, AdapterError>;

    fn create_view(&self, rel: &Relation, select_sql: &str, options: &BuildOptions) -> Result<(), AdapterError>;

    /// Builds under a temporary name then swaps in one transaction: a failure never leaves a
    /// half-built or missing relation. Replaces an existing view/table of that name. Returns rows.
    fn create_table(&self, rel: &Relation, select_sql: &str, options: &BuildOptions) -> Result<u64, AdapterError>;

    /// Creates the table when missing (or `full_refresh`), else append / delete+insert / merge on
    /// `unique_key`. Returns the number of rows the SELECT produced (the batch size).
    fn incremental(
        &self,
        rel: &Relation,
        select_sql: &str,
        strategy: IncrementalStrategy,
        unique_key: &[String],
        full_refresh: bool,
        options: &BuildOptions,
    ) -> Result<u64, AdapterError>;

    /// Seed from CSV with type inference, `column_types` overriding per column; swap like
    /// `create_table`.
    fn load_seed(
        &self,
        rel: &Relation,
        csv_path: &Path,
        column_types: &BTreeMap<String, String>,
        delimiter: &str,
    ) -> Result<u64, AdapterError>;

    fn relation_type(&self, rel: &Relation) -> Result<Option<RelationType>, AdapterError>;

    fn columns(&self, rel: &Relation) -> Result<Vec<ColumnInfo>, AdapterError>;

    /// Drops the table or view; a missing relation is not an error.
    fn drop_relation(&self, rel: &Relation) -> Result<(), AdapterError>;

    /// Runs one or more statements; returns the rows changed by the last one.
    fn execute(&self, sql: &str) -> Result<u64, AdapterError>;

    /// Runs one or more statements and returns the last one's rows, at most `limit` of them.
    fn query(&self, sql: &str, limit: Option<usize>) -> Result<QueryResult, AdapterError>;

    /// Runs one or more statements and hands the last one's rows to `sink` in batches as they
    /// arrive, so a result of any size passes through bounded memory; `sink` is called at least
    /// once so the columns are known. Adapters whose results are local anyway may hand them over
    /// in one batch, as this default does.
    fn stream(&self, sql: &str, sink: &mut RowSink<'_>) -> Result<(), AdapterError> {
        let result = self.query(sql, None)?;
        sink(&result.columns, result.rows);
        Ok(())
    }

    /// User-visible tables and views of the default database (scratch relations excluded).
    fn list_relations(&self) -> Result<Vec<(Relation, RelationType)>, AdapterError>;

    /// The schemas of the default database a user may browse (system schemas left out), for
    /// the schema browser's first level. This default derives them from [`Self::list_relations`],
    /// so it misses empty schemas; adapters with a catalog list them all.
    fn list_schemas(&self) -> Result<Vec<String>, AdapterError> {
        let mut schemas: Vec<String> = self.list_relations()?.into_iter().map(|(r, _)| r.schema).collect();
        schemas.dedup();
        Ok(schemas)
    }

    /// The relations of one schema, for the schema browser's second level (fetched when the
    /// schema is expanded, so a warehouse with thousands of tables answers one schema at a time).
    fn list_relations_in(&self, schema: &str) -> Result<Vec<CatalogEntry>, AdapterError> {
        Ok(self
            .list_relations()?
            .into_iter()
            .filter(|(r, _)| r.schema == schema)
            .map(|(r, kind)| CatalogEntry {
                name: r.identifier,
                kind: match kind {
                    RelationType::Table => CatalogKind::Table,
                    RelationType::View => CatalogKind::View,
                },
            })
            .collect())
    }

    /// A relation's columns for the schema browser's third level. Unlike [`Self::columns`] this
    /// also answers for relations the catalog does not describe (Redshift's late-binding views,
    /// external tables).
    fn browse_columns(&self, rel: &Relation) -> Result<Vec<ColumnInfo>, AdapterError> {
        self.columns(rel)
    }

    /// This adapter as the embedded DuckDB warehouse, when it is one: the studio streams the
    /// rows of a query on another connection into the tables of its attached result database.
    fn as_duckdb(&self) -> Option<&DuckDbAdapter> {
        None
    }

    /// Cancels every statement running right now; the interrupted calls return
    /// [`AdapterError::Interrupted`]. Calls started afterwards are unaffected.
    fn interrupt(&self);

    /// dbt-redshift's `materialized='materialized_view'` on a server warehouse: created when
    /// missing, when something else has the name, or on a full refresh; refreshed otherwise (a
    /// changed definition needs a full refresh, as with dbt). Returns true when it was created.
    /// The embedded warehouse runs materialized views through kiln-stream instead.
    fn materialized_view(
        &self,
        rel: &Relation,
        select_sql: &str,
        auto_refresh: bool,
        full_refresh: bool,
        options: &BuildOptions,
    ) -> Result<bool, AdapterError> {
        let _ = (rel, select_sql, auto_refresh, full_refresh, options);
        Err(AdapterError::Unsupported {
            message: format!("the {} warehouse has no materialized views here", self.kind()),
        })
    }

    /// Loads `batch` into its temporary table and runs `sql` (which reads that table) and then
    /// `finish(&rejected)` in one transaction. When `sql` fails because of particular rows,
    /// each such row is found (by halving the batch), left out and reported — `finish` gets
    /// them so the same transaction can record them — and the rest are committed. An error
    /// that no single row causes (a missing table, a syntax error) fails the call and commits
    /// nothing.
    fn apply_batch(
        &self,
        batch: &RowBatch,
        sql: &str,
        finish: &dyn Fn(&[RejectedRow]) -> String,
    ) -> Result<BatchOutcome, AdapterError> {
        let _ = (batch, sql, finish);
        Err(AdapterError::Unsupported {
            message: format!("the {} warehouse cannot take stream batches yet", self.kind()),
        })
    }
}
