//! Redshift-flavoured SQL for a local DuckDB warehouse.
//!
//! * [`redshift_to_duckdb`] rewrites the Redshift-only parts of a model or script and leaves every
//!   other byte exactly as written: date functions with bare or abbreviated date parts
//!   (`DATEDIFF`, `DATEADD`, `DATE_PART`/`DATEPART`, `DATE_TRUNC`), `GETDATE`/`SYSDATE`/
//!   `CURRENT_DATE`, `CONVERT_TIMEZONE`, `ADD_MONTHS`, `MONTHS_BETWEEN`, `LAST_DAY`, `NEXT_DAY`,
//!   `TO_CHAR`/`TO_DATE` with datetime formats, `NVL`/`NVL2`/`DECODE`/`ISNULL`, `LEN`,
//!   `CHARINDEX`, `BTRIM`, `REGEXP_SUBSTR`/`REGEXP_COUNT`/`REGEXP_REPLACE`, `LISTAGG … WITHIN
//!   GROUP`, `RATIO_TO_REPORT`, `APPROXIMATE`, `SELECT TOP n`, `CONVERT(type, x)`, casts to
//!   Redshift types (`VARCHAR(MAX)`, `FLOAT`, bare `NUMERIC`, `SUPER`, `VARBYTE`), SUPER
//!   navigation and JSON helpers, `IDENTITY` columns and physical-design DDL clauses.
//! * [`check_redshift_only`] lists what is left: Redshift constructs with no DuckDB counterpart
//!   (`UNLOAD`, system tables, `PG_LAST_COPY_ID()`, …) and forms of the above that cannot be
//!   proven equal, each as an [`Untranslatable`] with its line and column.
//! * [`split_statements`] / [`statement_at`] cut a script into statements for "run all" and "run the
//!   statement under the cursor".
//! * [`output_columns`] reads the names of a query's columns from its text, when they are certain,
//!   for checks that run without a warehouse.
//! * [`parse_redshift_ddl`] recognises the Redshift statements DuckDB cannot run and that Kiln's
//!   stream engine carries out itself, and returns them as data ([`RedshiftDdl`]):
//!   `CREATE EXTERNAL SCHEMA … FROM KINESIS | MSK`, `CREATE | REFRESH | DROP MATERIALIZED VIEW`
//!   (the view's query comes back as its exact text and byte offset, to be translated with
//!   [`redshift_to_duckdb`] and to map errors to lines) and Redshift's
//!   `COPY t FROM 's3://…' … CSV IGNOREHEADER 1` (a DuckDB `COPY t FROM 'f' (FORMAT csv)` is not
//!   claimed). A statement that clearly is one of these but is malformed is a [`DdlError`] with the
//!   line and column to point at and what to write instead. COPY credentials are never kept.
//!
//! All of these work on the token stream of the `sqlparser` tokenizer, so string literals, quoted
//! identifiers, comments and dollar-quoted bodies are never mistaken for code.
//!
//! Choices worth knowing when reading translated SQL:
//! * `SYSDATE` becomes `make_timestamp(epoch_us(now()))`: Redshift returns UTC, and
//!   `CAST(now() AS TIMESTAMP)` would follow DuckDB's session TimeZone instead. `GETDATE()` is the
//!   same truncated to the second (Redshift's has no fraction), and `CURRENT_DATE` its date.
//! * `SELECT [DISTINCT] TOP n …` becomes `SELECT [DISTINCT] … LIMIT n` at the end of that query
//!   block; a block with UNION/INTERSECT/EXCEPT/MINUS or its own LIMIT is left alone.
//! * SUPER array subscripts count from 0 in Redshift and from 1 in DuckDB: a constant subscript
//!   after a name (`items[0]`, `o.arr[1][0]`) is shifted by one, a computed one becomes
//!   `[CAST((i) + 1 AS UINTEGER)]`, which DuckDB's VARIANT refuses (it takes constants only;
//!   reported by [`check_redshift_only`]). DuckDB list literals (`[1, 2][1]`), slices and string
//!   keys are not touched; a DuckDB LIST column written `list[1]` is read as Redshift would.
//! * Bare `NUMERIC`/`DECIMAL` is Redshift's `NUMERIC(18, 0)` (DuckDB's default has scale 3), so
//!   `'1.5'::NUMERIC` rounds to 2. `SUPER` is `VARIANT`, `VARBYTE`/`VARBINARY` are `BLOB`.
//! * `CONVERT_TIMEZONE` uses DuckDB's ICU `timezone()` (in DuckDB's official builds) and gives
//!   the naive wall-clock time, never the session zone. IANA names pass through; abbreviations
//!   are fixed offsets in Redshift (`PST` is UTC-8 even in July), so known ones become
//!   `Etc/GMT±h`; POSIX offsets such as `'UTC+3'` are not translated.
//! * Pattern and replacement literals of the REGEXP_ functions are re-quoted from the value
//!   Redshift reads: Redshift treats `\` in '…' as an escape (`'\\d'` is the regex `\d`).
//!   Other string literals keep DuckDB's reading, as before. `REGEXP_REPLACE` replaces every
//!   match (DuckDB's only the first without `'g'`).
//! * `LISTAGG` is `string_agg` with Redshift's empty default delimiter, ignoring empty strings.
//!   `APPROXIMATE COUNT(DISTINCT …)`/`APPROXIMATE PERCENTILE_DISC` run exactly.
//! * A column `IDENTITY(seed, step)` becomes `DEFAULT nextval('<table>_<column>_seq')` and a
//!   `CREATE SEQUENCE IF NOT EXISTS …;` is inserted before that CREATE TABLE, so one statement
//!   turns into two; run translated text as a batch.
//! * `'now'` cast to a date/time type (`('now'::text)::timestamp`) becomes the current UTC time;
//!   DuckDB has no special 'now' string.
//! * One-argument `TRUNC(x)` becomes `CAST(x AS DATE)` only when `x` visibly is a date/time
//!   (a date/time function, cast or keyword, or a column named like `saletime`, `caldate`,
//!   `created_at`); otherwise it is left as DuckDB's numeric `trunc`.
//! * A VARBYTE may reach DuckDB as BLOB or as VARCHAR (a stream's `kinesis_data`/`Data` payload is
//!   VARCHAR on the local warehouse; records that are not UTF-8 are set aside before the view
//!   runs). `FROM_VARBYTE(x, 'utf-8')` becomes
//!   `CASE WHEN typeof(x) = 'BLOB' THEN decode(CAST(x AS BLOB)) ELSE CAST(x AS VARCHAR) END`:
//!   both branches bind for either type, and because `typeof(x)` is a constant once `x` is bound,
//!   DuckDB folds the CASE to the one branch that applies (no per-row cost; a VARCHAR is never
//!   cast to BLOB, which would read `\xNN` escapes in it). A BLOB that is not UTF-8 raises, as in
//!   Redshift. `'hex'`, `'base64'` and `'binary'` work on the BLOB or on the VARCHAR's UTF-8 bytes
//!   the same way; other formats are left for DuckDB to reject. `IS_UTF8(x)` is true for any
//!   non-NULL VARCHAR and, for a BLOB, when it decodes.
//! * `JSON_PARSE(x)` becomes `CAST(json(x) AS VARIANT)`, DuckDB's counterpart of SUPER, so PartiQL
//!   navigation such as `customer_data.state::VARCHAR` or `cs.data.userid::INT` runs unchanged
//!   (a missing key is NULL). Differences from Redshift: navigation is case-sensitive (DuckDB looks
//!   for the key as written, while Redshift, with `enable_case_sensitive_identifier` off, lower-cases
//!   it), and array subscripts count from 1 (`data.items[1]` is Redshift's `data.items[0]`). A
//!   VARIANT shown without a cast reads `{'a': 1}`; `CAST(v AS JSON)` gives Redshift's `{"a":1}`.
//!   Tables with a VARIANT column need a database file at storage version v1.5.0 or later.
//! * `IS_VALID_JSON` is true only for a JSON object and `IS_VALID_JSON_ARRAY` only for an array,
//!   as in Redshift; `CAN_JSON_PARSE` accepts any JSON value.
//! * Casts of extracted text stay casts: `CAST(JSON_EXTRACT_PATH_TEXT(j, 'k', true) AS BIGINT)`
//!   of `"abc"` raises, as on Redshift (the flag only covers malformed JSON). A streaming view sets
//!   such a record aside with the warehouse's message rather than turning it into a silent NULL.
//! * `FLOAT` as a type (after `::`, in `CAST(… AS FLOAT)`, in a CREATE TABLE column list) becomes
//!   `DOUBLE`, and `FLOAT(p)` becomes `REAL` up to 24 bits: Redshift's FLOAT is 8 bytes, DuckDB's
//!   4 bytes.

mod column_check;
mod columns;
mod datepart;
mod ddl;
mod formats;
mod jinja_mask;
mod lexer;
mod redact;
mod redshift_only;
mod split;
mod translate;
mod zones;

pub use column_check::{model_columns, unknown_qualified_columns, UnknownColumn, UpstreamColumns};
pub use columns::output_columns;
pub use ddl::{parse_redshift_ddl, CopyFormat, DdlError, ExternalSource, JsonMode, RedshiftDdl};
pub use jinja_mask::{mask_jinja, Masked, Upstream};
pub use lexer::{lex, Lexed, Tok};
pub use redact::redact_credentials;
pub use redshift_only::{check_redshift_only, Untranslatable};
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
