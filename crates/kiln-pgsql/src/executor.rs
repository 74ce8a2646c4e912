//! The one thing a driver crate provides: running SQL on the server. The wire protocol
//! (`kiln-postgres`, on sqlx) and the Redshift Data API (`kiln-redshift-data`) both implement
//! [`Executor`]; everything above it — which statements a materialization is, in which order and
//! transaction — lives once in [`crate::SqlAdapter`].

use kiln_warehouse::{AdapterError, CatalogEntry, ColumnInfo, QueryResult};
pub use kiln_warehouse::{Flow, RowSink};

/// Runs SQL on a PostgreSQL-family server. Shared between threads: every call may run at the
/// same time as others (the wire executor takes a pooled connection per call).
///
/// Values in rows follow [`QueryResult`]'s conventions: integers up to 64 bits as JSON numbers,
/// NUMERIC/DECIMAL as strings (no precision lost), booleans, floats as numbers, dates and
/// timestamps as ISO-8601 strings, SUPER/JSON as their JSON text, anything else as text, NULL as
/// `null`. Column types are the server's type names (`integer`, `numeric(8,2)`, `super`, …).
pub trait Executor: Send + Sync + 'static {
    /// `"postgres"` or `"redshift"`.
    fn kind(&self) -> &'static str;

    /// Runs `statements` in order. With `atomic` they run as one transaction (a failure rolls
    /// every one back); otherwise each commits on its own, and the first failure stops the rest.
    /// Returns the number of rows the last statement affected (0 when the server does not say).
    fn run(&self, statements: &[String], atomic: bool) -> Result<u64, AdapterError>;

    /// Runs one statement and hands its rows to `sink` in batches as they arrive, so a result of
    /// any size passes through bounded memory. `sink` is called at least once (with no rows for
    /// an empty result) so the columns are always known.
    fn stream(&self, sql: &str, sink: &mut RowSink<'_>) -> Result<(), AdapterError>;

    /// One statement's rows, at most `limit` of them (`truncated` when there were more).
    fn query(&self, sql: &str, limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        let mut result = QueryResult::default();
        self.stream(sql, &mut |columns, rows| {
            if result.columns.is_empty() {
                result.columns = columns.to_vec();
            }
            for row in rows {
                if limit.is_some_and(|limit| result.rows.len() >= limit) {
                    result.truncated = true;
                    return Flow::Stop;
                }
                result.rows.push(row);
            }
            Flow::More
        })?;
        Ok(result)
    }

    /// The schemas from the driver's own catalog API (the Data API's `ListSchemas`); `None`
    /// when the driver has none, and [`crate::SqlAdapter`] asks the catalog tables in SQL.
    fn catalog_schemas(&self) -> Option<Result<Vec<String>, AdapterError>> {
        None
    }

    /// The relations of `schema` from the driver's catalog API (`ListTables`); `None` for SQL.
    fn catalog_relations(&self, schema: &str) -> Option<Result<Vec<CatalogEntry>, AdapterError>> {
        let _ = schema;
        None
    }

    /// The columns of `schema.table` from the driver's catalog API (`DescribeTable`); `None`
    /// for SQL.
    fn catalog_columns(&self, schema: &str, table: &str) -> Option<Result<Vec<ColumnInfo>, AdapterError>> {
        let _ = (schema, table);
        None
    }

    /// Cancels every statement this executor is running right now; those calls return
    /// [`AdapterError::Interrupted`]. Calls started afterwards are unaffected.
    fn cancel(&self);
}
