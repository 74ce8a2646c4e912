//! [`Adapter::apply_batch`](crate::Adapter::apply_batch) on DuckDB: the rows go in through
//! DuckDB's appender (no SQL text per row), into a temporary table that lives only in this
//! connection's memory.

use duckdb::appender_params_from_iter;
use duckdb::types::{TimeUnit, Value};

use super::{DuckDbAdapter, Lease};
use crate::error::{sql_error, Origin};
use crate::sql::quote_ident;
use crate::{AdapterError, BatchOutcome, BatchType, BatchValue, RejectedRow, RowBatch};

fn value(v: &BatchValue) -> Value {
    match v {
        BatchValue::Text(Some(s)) => Value::Text(s.clone()),
        BatchValue::Int(Some(i)) => Value::BigInt(*i),
        BatchValue::TimestampMs(Some(ms)) => Value::Timestamp(TimeUnit::Millisecond, *ms),
        BatchValue::Bytes(Some(b)) => Value::Blob(b.clone()),
        BatchValue::Text(None) | BatchValue::Int(None) | BatchValue::TimestampMs(None) | BatchValue::Bytes(None) => {
            Value::Null
        }
    }
}

impl DuckDbAdapter {
    pub(crate) fn apply_batch_impl(
        &self,
        batch: &RowBatch,
        sql: &str,
        finish: &dyn Fn(&[RejectedRow]) -> String,
    ) -> Result<BatchOutcome, AdapterError> {
        let lease = self.lease()?;
        lease.needs_reset.set(true);
        let table = quote_ident(&batch.table);
        self.load(&lease, batch, &table)?;
        let outcome = self.apply_loaded(&lease, batch.rows.len(), &table, sql, finish);
        if let Ok(conn) = lease.conn() {
            let _ = conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.main.{table}"));
        }
        outcome
    }

    fn load(&self, lease: &Lease<'_>, batch: &RowBatch, table: &str) -> Result<(), AdapterError> {
        let conn = lease.conn()?;
        let columns: Vec<String> = std::iter::once("kiln_row BIGINT".to_string())
            .chain(
                batch
                    .columns
                    .iter()
                    .map(|(name, ty): &(String, BatchType)| format!("{} {}", quote_ident(name), ty.sql())),
            )
            .collect();
        let create = format!("CREATE OR REPLACE TEMP TABLE {table} ({})", columns.join(", "));
        conn.execute_batch(&create)
            .map_err(|e| sql_error(&e, &create, Origin::Internal))?;
        let map = |e: duckdb::Error| AdapterError::Sql {
            message: format!("cannot load the batch into {table}: {e}"),
            line: None,
            column: None,
        };
        let mut appender = conn
            .appender_to_catalog_and_db(&batch.table, "temp", "main")
            .map_err(map)?;
        for (i, row) in batch.rows.iter().enumerate() {
            let values = std::iter::once(Value::BigInt(i as i64)).chain(row.iter().map(value));
            appender.append_row(appender_params_from_iter(values)).map_err(map)?;
        }
        appender.flush().map_err(map)
    }

    /// Runs `body` in a transaction that is always rolled back: a dry run.
    fn probe(&self, lease: &Lease<'_>, table: &str, keep: Option<(usize, usize)>, sql: &str) -> Result<(), String> {
        let conn = lease.conn().map_err(|e| e.to_string())?;
        let restrict = match keep {
            Some((lo, hi)) => format!("DELETE FROM {table} WHERE kiln_row NOT BETWEEN {lo} AND {hi};"),
            None => format!("DELETE FROM {table};"),
        };
        let result = conn
            .execute_batch("BEGIN TRANSACTION")
            .and_then(|()| conn.execute_batch(&restrict))
            .and_then(|()| conn.execute_batch(sql));
        let _ = conn.execute_batch("ROLLBACK");
        result.map_err(|e| crate::error::first_line(&e.to_string()))
    }

    /// Finds the rows in `lo..=hi` that make `sql` fail on their own.
    fn isolate(
        &self,
        lease: &Lease<'_>,
        table: &str,
        (lo, hi): (usize, usize),
        sql: &str,
        out: &mut Vec<RejectedRow>,
    ) -> Result<(), AdapterError> {
        lease.check_cancelled()?;
        match self.probe(lease, table, Some((lo, hi)), sql) {
            Ok(()) => Ok(()),
            Err(message) if lo == hi => {
                out.push(RejectedRow { row: lo, message });
                Ok(())
            }
            Err(_) => {
                let mid = lo + (hi - lo) / 2;
                self.isolate(lease, table, (lo, mid), sql, out)?;
                self.isolate(lease, table, (mid + 1, hi), sql, out)
            }
        }
    }

    fn apply_loaded(
        &self,
        lease: &Lease<'_>,
        rows: usize,
        table: &str,
        sql: &str,
        finish: &dyn Fn(&[RejectedRow]) -> String,
    ) -> Result<BatchOutcome, AdapterError> {
        let commit = |rejected: &[RejectedRow]| {
            self.transaction(lease, |l| {
                let conn = l.conn()?;
                if !rejected.is_empty() {
                    let rows: Vec<String> = rejected.iter().map(|r| r.row.to_string()).collect();
                    let delete = format!("DELETE FROM {table} WHERE kiln_row IN ({})", rows.join(", "));
                    conn.execute_batch(&delete)
                        .map_err(|e| sql_error(&e, &delete, Origin::Internal))?;
                }
                conn.execute_batch(sql)
                    .map_err(|e| sql_error(&e, sql, Origin::Internal))?;
                let tail = finish(rejected);
                conn.execute_batch(&tail)
                    .map_err(|e| sql_error(&e, &tail, Origin::Internal))
            })
        };
        let first = match commit(&[]) {
            Ok(()) => {
                return Ok(BatchOutcome {
                    kept: rows,
                    rejected: Vec::new(),
                })
            }
            Err(e) => e,
        };
        if matches!(first, AdapterError::Interrupted) || rows == 0 || self.probe(lease, table, None, sql).is_err() {
            // Fails with no rows at all: the statement itself is wrong, not the data.
            return Err(first);
        }
        let mut rejected = Vec::new();
        self.isolate(lease, table, (0, rows - 1), sql, &mut rejected)?;
        if rejected.is_empty() {
            // Only a combination of rows fails (a key clash across them): nothing to set aside.
            return Err(first);
        }
        commit(&rejected)?;
        Ok(BatchOutcome {
            kept: rows - rejected.len(),
            rejected,
        })
    }
}
