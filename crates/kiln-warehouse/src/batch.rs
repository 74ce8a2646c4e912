//! Batches of rows handed to the warehouse by the stream engine: loaded into a scratch table,
//! transformed and committed together with their bookkeeping in one transaction.

/// The type of a batch column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchType {
    Varchar,
    BigInt,
    /// Milliseconds since the epoch, stored as a TIMESTAMP.
    TimestampMs,
    Blob,
}

impl BatchType {
    pub fn sql(self) -> &'static str {
        match self {
            BatchType::Varchar => "VARCHAR",
            BatchType::BigInt => "BIGINT",
            BatchType::TimestampMs => "TIMESTAMP",
            BatchType::Blob => "BLOB",
        }
    }
}

/// One value of a batch row; `None` is NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchValue {
    Text(Option<String>),
    Int(Option<i64>),
    TimestampMs(Option<i64>),
    Bytes(Option<Vec<u8>>),
}

/// Rows to load into a temporary table named `table` with `columns`, plus a `kiln_row`
/// BIGINT column numbering the rows from 0 (how rejected rows are reported).
#[derive(Debug, Clone, Default)]
pub struct RowBatch {
    pub table: String,
    pub columns: Vec<(String, BatchType)>,
    pub rows: Vec<Vec<BatchValue>>,
}

/// A row that made the batch's SQL fail on its own, with the warehouse's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub row: usize,
    pub message: String,
}

/// What applying a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Rows of the batch that were kept (all but the rejected).
    pub kept: usize,
    pub rejected: Vec<RejectedRow>,
}
