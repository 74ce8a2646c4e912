//! Streaming materialized views and Firehose delivery on the project's warehouse.
//!
//! Everything a refresh needs to resume lives in the warehouse itself, in schema
//! [`SCHEMA`]: the views (`views`), the Kinesis external schemas (`external_schemas`), how far
//! each view has read each shard (`scan_states`, like Redshift's `SYS_STREAM_SCAN_STATES`), the
//! records a view could not take (`scan_errors`, like `SYS_STREAM_SCAN_ERRORS`) and the records
//! a delivery could not load (`load_errors`, like `STL_LOAD_ERRORS`). A refresh appends the new
//! rows, the errors and the new scan states in one transaction
//! ([`kiln_warehouse::Adapter::apply_batch`]), so a crash at any point leaves the view and its
//! scan states in step: no record is taken twice or skipped.
//!
//! A view reads its stream through a relation `<external schema>.<stream>`: a warehouse view
//! over the temporary table a refresh fills with the new records ([`BATCH_TABLE`]), so the
//! view's SQL runs as written (aliases, joins to tables, CTEs), translated only from Redshift's
//! dialect. Outside a refresh that relation is empty of meaning — as on Redshift, a stream is
//! read through a materialized view.

mod delivery;
mod refresh;
mod refs;
mod runner;

pub use delivery::{deliver, DeliveryReport};
pub use refresh::{recompute, refresh, scan_states, RefreshReport};
pub use refs::{relations_in, two_part_names};
pub use runner::{Runner, RunnerStatus, ViewStatus};

use kiln_warehouse::{quote_ident, quote_literal, Adapter, AdapterError};

/// The warehouse schema of the stream engine's bookkeeping.
pub const SCHEMA: &str = "kiln_stream";
/// The temporary table a refresh loads new records into.
pub const BATCH_TABLE: &str = "kiln_stream_batch";

/// A materialized view over a Kinesis stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingView {
    pub schema: String,
    pub name: String,
    /// The external schema the definition reads the stream through (`kinesis_schema`).
    pub external_schema: String,
    pub stream: String,
    /// The SELECT as the user wrote it (Redshift's dialect).
    pub definition: String,
    pub auto_refresh: bool,
}

impl StreamingView {
    pub fn relation(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }

    pub fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// A materialized view over tables only (no stream): a refresh recomputes it whole.
    pub fn is_plain(&self) -> bool {
        self.stream.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Warehouse(#[from] AdapterError),
    #[error(transparent)]
    Stream(#[from] crate::StreamError),
    #[error("{0}")]
    Definition(String),
}

const BOOKKEEPING: &str = "
CREATE SCHEMA IF NOT EXISTS kiln_stream;
CREATE TABLE IF NOT EXISTS kiln_stream.external_schemas (
    schema_name VARCHAR PRIMARY KEY, source VARCHAR, iam_role VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS kiln_stream.views (
    view_schema VARCHAR, view_name VARCHAR, external_schema VARCHAR, stream VARCHAR,
    definition VARCHAR, auto_refresh BOOLEAN, created_at TIMESTAMP,
    PRIMARY KEY (view_schema, view_name));
CREATE TABLE IF NOT EXISTS kiln_stream.scan_states (
    consumer VARCHAR, shard_id VARCHAR, last_sequence BIGINT, records BIGINT,
    last_arrival TIMESTAMP, refreshed_at TIMESTAMP, PRIMARY KEY (consumer, shard_id));
CREATE TABLE IF NOT EXISTS kiln_stream.scan_errors (
    consumer VARCHAR, stream VARCHAR, shard_id VARCHAR, sequence_number VARCHAR,
    partition_key VARCHAR, arrival TIMESTAMP, reason VARCHAR, record VARCHAR, logged_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS kiln_stream.load_errors (
    delivery_stream VARCHAR, table_name VARCHAR, sequence_number VARCHAR, colname VARCHAR,
    raw_line VARCHAR, err_reason VARCHAR, starttime TIMESTAMP);
";

/// Creates the bookkeeping tables when missing.
pub fn ensure_bookkeeping(adapter: &dyn Adapter) -> Result<(), ViewError> {
    let _one_at_a_time = catalog_lock();
    if has_bookkeeping(adapter)? {
        return Ok(());
    }
    adapter.execute(BOOKKEEPING)?;
    Ok(())
}

/// Held while this process changes the stream engine's part of the warehouse catalog: two
/// materialized_view models built at once by a run's worker threads would otherwise both create
/// the bookkeeping tables (or their view's tables) and DuckDB would refuse the second with a
/// catalog write-write conflict.
fn catalog_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Records `schema` as mapped to the local Kinesis streams (`CREATE EXTERNAL SCHEMA … FROM
/// KINESIS`). The IAM role is kept only as `default` or `arn` — never a credential.
pub fn register_external_schema(adapter: &dyn Adapter, schema: &str, iam_role: Option<&str>) -> Result<(), ViewError> {
    ensure_bookkeeping(adapter)?;
    let role = match iam_role {
        Some(r) if r.eq_ignore_ascii_case("default") => "default",
        Some(_) => "arn",
        None => "",
    };
    let _one_at_a_time = catalog_lock();
    adapter.execute(&format!(
        "INSERT OR REPLACE INTO kiln_stream.external_schemas VALUES ({}, 'kinesis', {}, CAST(now() AS TIMESTAMP))",
        quote_literal(&schema.to_lowercase()),
        quote_literal(role)
    ))?;
    Ok(())
}

/// Whether the bookkeeping exists, asked without writing: creating it (even `IF NOT EXISTS`)
/// is a catalog write that would conflict with a build running at the same moment.
pub(crate) fn has_bookkeeping(adapter: &dyn Adapter) -> Result<bool, ViewError> {
    let rows = adapter
        .query(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'kiln_stream' AND table_name = 'views'",
            None,
        )?
        .rows;
    Ok(rows
        .first()
        .and_then(|r| r.first())
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
        > 0)
}

/// The external schemas mapped to Kinesis.
pub fn external_schemas(adapter: &dyn Adapter) -> Result<Vec<String>, ViewError> {
    if !has_bookkeeping(adapter)? {
        return Ok(Vec::new());
    }
    let rows = adapter
        .query("SELECT schema_name FROM kiln_stream.external_schemas ORDER BY 1", None)?
        .rows;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.into_iter().next()?.as_str().map(str::to_string))
        .collect())
}

/// The streaming views registered in the warehouse.
pub fn list_views(adapter: &dyn Adapter) -> Result<Vec<StreamingView>, ViewError> {
    if !has_bookkeeping(adapter)? {
        return Ok(Vec::new());
    }
    let rows = adapter
        .query(
            "SELECT view_schema, view_name, external_schema, stream, definition, auto_refresh \
             FROM kiln_stream.views ORDER BY 1, 2",
            None,
        )?
        .rows;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    Ok(rows
        .iter()
        .filter(|r| r.len() == 6)
        .map(|r| StreamingView {
            schema: text(&r[0]),
            name: text(&r[1]),
            external_schema: text(&r[2]),
            stream: text(&r[3]),
            definition: text(&r[4]),
            auto_refresh: r[5].as_bool().unwrap_or(false),
        })
        .collect())
}

/// The stream columns a view's SQL may read, in Redshift's names and the preview-era names the
/// streaming workshop's `create_mv.sql` uses.
const STREAM_COLUMNS: &str = "approximate_arrival_timestamp, partition_key, shard_id, sequence_number, \
     refresh_time, kinesis_data, \
     approximate_arrival_timestamp AS \"ApproximateArrivalTimestamp\", partition_key AS \"PartitionKey\", \
     shard_id AS \"ShardId\", sequence_number AS \"SequenceNumber\", refresh_time AS \"RefreshTime\", \
     kinesis_data AS \"Data\"";

/// The batch table's columns, in order (after `kiln_row`).
pub(crate) fn batch_columns() -> Vec<(String, kiln_warehouse::BatchType)> {
    use kiln_warehouse::BatchType::*;
    [
        ("approximate_arrival_timestamp", TimestampMs),
        ("partition_key", Varchar),
        ("shard_id", Varchar),
        ("sequence_number", Varchar),
        ("refresh_time", TimestampMs),
        ("kinesis_data", Varchar),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t))
    .collect()
}

/// The view's SQL on DuckDB.
pub(crate) fn translated(view: &StreamingView) -> String {
    let sql = kiln_sql::redshift_to_duckdb(view.definition.trim().trim_end_matches(';'));
    format!("SELECT * FROM ({sql}\n) AS kiln_view")
}

/// Creates (or with `replace`, re-creates from the stream's oldest record) a streaming view:
/// the stream relation, the view's table with the columns its SQL yields, and its registry row.
/// Refreshing is separate ([`refresh`]).
pub fn create_view(
    hub: &crate::Hub,
    adapter: &dyn Adapter,
    view: &StreamingView,
    replace: bool,
) -> Result<(), ViewError> {
    if !view.is_plain() {
        hub.get(crate::StreamKind::Kinesis, &view.stream)?;
    }
    create(adapter, view, replace)
}

/// [`create_view`] for a materialized view over tables only, which needs no streams.
pub fn create_plain_view(adapter: &dyn Adapter, view: &StreamingView, replace: bool) -> Result<(), ViewError> {
    if !view.is_plain() {
        return Err(ViewError::Definition(format!(
            "materialized view {} reads stream {}, so it needs the project's streams",
            view.key(),
            view.stream
        )));
    }
    create(adapter, view, replace)
}

fn create(adapter: &dyn Adapter, view: &StreamingView, replace: bool) -> Result<(), ViewError> {
    ensure_bookkeeping(adapter)?;
    let _one_at_a_time = catalog_lock();
    let existing = list_views(adapter)?.into_iter().find(|v| v.key() == view.key());
    if let Some(existing) = &existing {
        if !replace {
            if existing == view {
                return Ok(());
            }
            return Err(ViewError::Definition(format!(
                "materialized view {} already exists; DROP MATERIALIZED VIEW it first (or CREATE OR REPLACE)",
                view.key()
            )));
        }
    }
    adapter.ensure_schema(&view.schema)?;
    let stream_view = if view.is_plain() {
        String::new()
    } else {
        adapter.ensure_schema(&view.external_schema)?;
        format!(
            "CREATE OR REPLACE VIEW {}.{} AS SELECT {STREAM_COLUMNS} FROM temp.main.{BATCH_TABLE};\n",
            quote_ident(&view.external_schema),
            quote_ident(&view.stream)
        )
    };
    let consumer = quote_literal(&view.key());
    // A plain view is filled at once, as Redshift does on CREATE; a streaming one on refresh.
    let limit = if view.is_plain() { "" } else { " LIMIT 0" };
    let sql = format!(
        "{stream_view}DROP TABLE IF EXISTS {rel};\n\
         CREATE TABLE {rel} AS {body}{limit};\n\
         DELETE FROM kiln_stream.scan_states WHERE consumer = {consumer};",
        rel = view.relation(),
        body = translated(view),
    );
    let register = format!(
        "INSERT OR REPLACE INTO kiln_stream.views VALUES ({}, {}, {}, {}, {}, {}, CAST(now() AS TIMESTAMP))",
        quote_literal(&view.schema),
        quote_literal(&view.name),
        quote_literal(&view.external_schema),
        quote_literal(&view.stream),
        quote_literal(&view.definition),
        view.auto_refresh
    );
    let batch = kiln_warehouse::RowBatch {
        table: BATCH_TABLE.into(),
        columns: batch_columns(),
        rows: Vec::new(),
    };
    adapter
        .apply_batch(&batch, &sql, &|_| register.clone())
        .map_err(|e| match e {
            AdapterError::Sql { message, .. } => {
                ViewError::Definition(format!("materialized view {} cannot be created: {message}", view.key()))
            }
            other => ViewError::Warehouse(other),
        })?;
    Ok(())
}

/// Drops a streaming view, its table and its scan states (scan errors stay for inspection).
/// `Ok(false)` when no such streaming view exists.
pub fn drop_view(adapter: &dyn Adapter, schema: &str, name: &str) -> Result<bool, ViewError> {
    let key = format!("{schema}.{name}");
    let Some(view) = list_views(adapter)?.into_iter().find(|v| v.key() == key) else {
        return Ok(false);
    };
    adapter.execute(&format!(
        "BEGIN TRANSACTION; DROP TABLE IF EXISTS {}; \
         DELETE FROM kiln_stream.views WHERE view_schema = {} AND view_name = {}; \
         DELETE FROM kiln_stream.scan_states WHERE consumer = {}; COMMIT",
        view.relation(),
        quote_literal(schema),
        quote_literal(name),
        quote_literal(&key)
    ))?;
    Ok(true)
}
