//! Redshift-flavoured SQL for a local DuckDB warehouse.
//!
//! * [`redshift_to_duckdb`] rewrites the Redshift-only parts of a model or script (date functions
//!   with bare date parts, `GETDATE`/`SYSDATE`, `NVL`/`NVL2`/`DECODE`, JSON helpers, `VARCHAR(MAX)`,
//!   physical-design DDL clauses) and leaves every other byte exactly as written.
//! * [`split_statements`] / [`statement_at`] cut a script into statements for "run all" and "run the
//!   statement under the cursor".
//!
//! Both work on the token stream of the `sqlparser` tokenizer, so string literals, quoted
//! identifiers, comments and dollar-quoted bodies are never mistaken for code.
//!
//! Choices worth knowing when reading translated SQL:
//! * `GETDATE()`/`SYSDATE` become `make_timestamp(epoch_us(now()))`: Redshift returns UTC, and
//!   `CAST(now() AS TIMESTAMP)` would follow DuckDB's session TimeZone instead.
//! * A column `IDENTITY(seed, step)` becomes `DEFAULT nextval('<table>_<column>_seq')` and a
//!   `CREATE SEQUENCE IF NOT EXISTS …;` is inserted before that CREATE TABLE, so one statement
//!   turns into two; run translated text as a batch.
//! * `'now'` cast to a date/time type (`('now'::text)::timestamp`) becomes the current UTC time;
//!   DuckDB has no special 'now' string.
//! * One-argument `TRUNC(x)` becomes `CAST(x AS DATE)` only when `x` visibly is a date/time
//!   (a date/time function, cast or keyword, or a column named like `saletime`, `caldate`,
//!   `created_at`); otherwise it is left as DuckDB's numeric `trunc`.

mod datepart;
mod lexer;
mod split;
mod translate;

pub use split::{split_statements, statement_at, statement_regions, Statement};
pub use translate::{redshift_to_duckdb, try_redshift_to_duckdb};

/// Errors from reading SQL text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    /// The text could not be tokenized from this point on.
    #[error(
        "cannot read the SQL at line {line}, column {column}: {message}; \
         close the string, quoted identifier, comment or $$ body that starts there"
    )]
    Tokenize {
        /// 1-based line of the problem.
        line: u64,
        /// 1-based column (in characters) of the problem.
        column: u64,
        /// The tokenizer's description.
        message: String,
    },
}
