//! Adapter errors, and the parsing of DuckDB's error text into them.

use std::path::PathBuf;

/// Everything an adapter call can fail with. Messages say what went wrong and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// Another process holds the warehouse file's lock.
    #[error(
        "the warehouse file {} is locked by {}; close Kiln Studio or the other `kiln` process \
         using this warehouse, then retry",
        path.display(),
        holder.as_deref().unwrap_or("another process")
    )]
    Locked {
        path: PathBuf,
        /// What DuckDB reports about the lock holder, e.g. `/usr/bin/kiln (PID 4242)`.
        holder: Option<String>,
    },

    /// The warehouse file could not be created or opened.
    #[error(
        "cannot open the warehouse file {}: {message}; make sure its directory exists and is \
         writable, or point the profile's `path` at another location",
        path.display()
    )]
    Open { path: PathBuf, message: String },

    /// An external table's location has no files.
    #[error(
        "no lake files for source {source_name} at {location}; check `location` in the sources \
         YAML, or create the lake files first"
    )]
    MissingLakeFiles { source_name: String, location: String },

    /// A lake file holds a value that does not parse as the declared type (or a malformed row).
    #[error("{0}")]
    LakeData(Box<LakeDataError>),

    /// A seed CSV could not be loaded.
    #[error("{}", render_seed(path, *line, message))]
    Seed {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },

    /// DuckDB rejected or failed a statement. `line`/`column` (1-based) point into the SQL the
    /// caller passed in, when DuckDB reported a position.
    #[error("{message}")]
    Sql {
        message: String,
        line: Option<usize>,
        column: Option<usize>,
    },

    /// A declared column type is not usable.
    #[error(
        "column `{column}` has an unusable data_type `{data_type}`; use a Redshift or DuckDB type \
         such as integer, varchar(50), decimal(8,2), boolean, date or timestamp"
    )]
    InvalidType { column: String, data_type: String },

    /// A file the call needs is missing or unreadable.
    #[error("cannot read {}: {message}", path.display())]
    Io { path: PathBuf, message: String },

    /// The request cannot be served by this adapter.
    #[error("{message}")]
    Unsupported { message: String },

    /// A server warehouse could not be reached or refused the session. `stage` says which step
    /// failed, in the order a connection takes them, so `kiln debug` can name it plainly.
    #[error("{stage}: {message}; {hint}")]
    Connect {
        stage: ConnectStage,
        message: String,
        hint: String,
    },

    /// The warehouse refused for load (too many active statements, throttling, a time-out);
    /// the same request may succeed later.
    #[error("{message}; {hint}")]
    Busy { message: String, hint: String },

    /// The statement was cancelled through [`crate::Adapter::interrupt`].
    #[error("the statement was cancelled before it finished; run it again to retry")]
    Interrupted,
}

/// The step of opening a session on a server warehouse that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ConnectStage {
    /// The profile lacks a setting, or has one that cannot work.
    Settings,
    /// AWS credentials or the temporary database credentials could not be obtained.
    Credentials,
    /// The host name does not resolve.
    Dns,
    /// Nothing answers at host:port (refused, unreachable, timed out).
    Tcp,
    /// The TLS handshake or the certificate check failed.
    Tls,
    /// The server refused the user name or password.
    Authentication,
    /// The user may not connect to, or use, what was asked for.
    Permission,
    /// The database named in the profile does not exist.
    Database,
}

impl std::fmt::Display for ConnectStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConnectStage::Settings => "the profile's connection settings are incomplete",
            ConnectStage::Credentials => "could not get credentials",
            ConnectStage::Dns => "the host name does not resolve",
            ConnectStage::Tcp => "could not reach the server",
            ConnectStage::Tls => "the TLS handshake failed",
            ConnectStage::Authentication => "the server refused the login",
            ConnectStage::Permission => "permission denied",
            ConnectStage::Database => "the database does not exist",
        })
    }
}

/// Where and why a lake file failed to parse; see [`AdapterError::LakeData`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeDataError {
    /// The source table, `schema.table`.
    pub source_name: String,
    pub file: Option<String>,
    /// 1-based line in `file` (header lines count).
    pub line: Option<u64>,
    pub column: Option<String>,
    /// The offending line as DuckDB quotes it.
    pub original_line: Option<String>,
    pub message: String,
}

impl std::fmt::Display for LakeDataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad data in source {}", self.source_name)?;
        let mut place = Vec::new();
        if let Some(file) = &self.file {
            place.push(format!("file {file}"));
        }
        if let Some(l) = self.line {
            place.push(format!("line {l}"));
        }
        if let Some(c) = &self.column {
            place.push(format!("column `{c}`"));
        }
        if !place.is_empty() {
            write!(f, " ({})", place.join(", "))?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(orig) = &self.original_line {
            write!(f, "\n  the line reads: {orig}")?;
        }
        write!(f, "\nfix the file or change data_type in the sources YAML")
    }
}

impl std::error::Error for LakeDataError {}

fn render_seed(path: &std::path::Path, line: Option<u64>, message: &str) -> String {
    let at = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    format!("cannot load seed {at}: {message}\nfix the CSV or the seed's column_types")
}

/// Where a statement's SQL came from, for turning DuckDB's `LINE n` into the caller's line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin {
    /// Generated by the adapter: positions mean nothing to the caller.
    Internal,
    /// The caller's SQL, starting after `prefix_lines` generated lines of the statement.
    User { prefix_lines: usize },
}

pub(crate) fn duckdb_message(err: &duckdb::Error) -> String {
    err.to_string()
}

pub(crate) fn is_interrupt(message: &str) -> bool {
    message.starts_with("INTERRUPT Error") || message.contains("Interrupted!")
}

/// Optimistic-concurrency conflicts between DuckDB transactions: the adapter retries these.
pub(crate) fn is_conflict(err: &AdapterError) -> bool {
    match err {
        AdapterError::Sql { message, .. } => {
            message.contains("TransactionContext Error") && message.contains("onflict")
                || message.contains("write-write conflict")
                || message.contains("Transaction conflict")
        }
        _ => false,
    }
}

/// Maps a DuckDB error raised by `statement` to [`AdapterError::Sql`] (or `Interrupted`).
pub(crate) fn sql_error(err: &duckdb::Error, statement: &str, origin: Origin) -> AdapterError {
    let message = duckdb_message(err);
    if is_interrupt(&message) {
        return AdapterError::Interrupted;
    }
    let (line, column) = match origin {
        Origin::Internal => (None, None),
        Origin::User { prefix_lines } => match line_and_column(&message, statement) {
            Some((l, c)) if l > prefix_lines => (Some(l - prefix_lines), c),
            _ => (None, None),
        },
    };
    let message = match (origin, line) {
        // Keep DuckDB's text but make its `LINE n:` agree with the line we report.
        (Origin::User { prefix_lines }, Some(l)) if prefix_lines > 0 => {
            rewrite_line_indicator(&message, l + prefix_lines, l)
        }
        _ => message,
    };
    AdapterError::Sql { message, line, column }
}

fn rewrite_line_indicator(message: &str, from: usize, to: usize) -> String {
    renumber_line_indicator(message, from, to)
}

/// Renumbers DuckDB's `LINE {from}:` context line to `LINE {to}:` (the line the caller reports,
/// e.g. in the user's script rather than the text that ran), keeping the `^` under the same
/// character when the number's width changes (`LINE 9:` → `LINE 12:`).
pub fn renumber_line_indicator(message: &str, from: usize, to: usize) -> String {
    let old = format!("\nLINE {from}: ");
    let Some(at) = message.find(&old) else {
        return message.to_string();
    };
    let new = format!("\nLINE {to}: ");
    let mut out = String::with_capacity(message.len() + 4);
    out.push_str(&message[..at]);
    out.push_str(&new);
    let rest = &message[at + old.len()..];
    let (context, after) = rest.split_once('\n').map_or((rest, None), |(c, a)| (c, Some(a)));
    out.push_str(context);
    if let Some(after) = after {
        out.push('\n');
        let (caret, tail) = after.split_once('\n').map_or((after, None), |(c, t)| (c, Some(t)));
        if caret.trim_start().starts_with('^') {
            let pad = caret.len() - caret.trim_start().len();
            let shifted = (pad + new.len()).saturating_sub(old.len());
            out.push_str(&" ".repeat(shifted));
            out.push_str(caret.trim_start());
        } else {
            out.push_str(caret);
        }
        if let Some(tail) = tail {
            out.push('\n');
            out.push_str(tail);
        }
    }
    out
}

/// Reads DuckDB's error context:
///
/// ```text
/// Parser Error: syntax error at or near "FORM"
///
/// LINE 3: SELECT * FORM t
///                  ^
/// ```
///
/// The line is DuckDB's. The column is where the caret points, located in `statement` so that
/// DuckDB's `...` truncation of long lines does not shift it.
pub(crate) fn line_and_column(message: &str, statement: &str) -> Option<(usize, Option<usize>)> {
    let start = message.find("\nLINE ")? + 1;
    let rest = &message[start..];
    let mut lines = rest.lines();
    let indicator_line = lines.next()?;
    let after = &indicator_line["LINE ".len()..];
    let colon = after.find(": ")?;
    let line: usize = after[..colon].trim().parse().ok()?;
    let prefix_len = "LINE ".len() + colon + 2;
    let shown = &indicator_line[prefix_len..];
    let caret_line = lines.next().unwrap_or("");
    let caret = caret_line.find('^');
    let column = caret.and_then(|caret_pos| {
        let offset = caret_pos.checked_sub(prefix_len)?;
        let (snippet, offset) = match shown.strip_prefix("...") {
            Some(s) => (s, offset.checked_sub(3)?),
            None => (shown, offset),
        };
        let snippet = snippet.strip_suffix("...").unwrap_or(snippet);
        let source_line = statement
            .split('\n')
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r'));
        match source_line.and_then(|l| l.find(snippet).map(|p| (l, p))) {
            Some((l, pos)) => Some(l[..pos].chars().count() + offset + 1),
            None if !shown.starts_with("...") => Some(offset + 1),
            None => None,
        }
    });
    Some((line, column))
}

/// Pieces DuckDB's CSV and JSON readers put into their errors.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ReaderErrorParts {
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub original_line: Option<String>,
    pub message: String,
}

/// Parses e.g.
///
/// ```text
/// Conversion Error: CSV Error on Line: 4
/// Original Line: x3|c|3.00
/// Error when converting column "id". Could not convert string "x3" to 'INTEGER'
/// …
///   file = /lake/sale/sales.txt
/// ```
///
/// and `JSON transform error in file "/x.json", in line 2: Failed to cast …`.
pub(crate) fn parse_reader_error(message: &str) -> ReaderErrorParts {
    let mut parts = ReaderErrorParts::default();
    let mut detail: Option<String> = None;
    if let Some(pos) = message.find("CSV Error on Line: ") {
        let rest = &message[pos + "CSV Error on Line: ".len()..];
        parts.line = rest
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .ok();
        for l in rest.lines().skip(1) {
            if let Some(orig) = l.strip_prefix("Original Line: ") {
                parts.original_line = Some(orig.to_string());
            } else if !l.trim().is_empty() && detail.is_none() {
                detail = Some(l.trim().to_string());
            }
        }
    }
    for l in message.lines() {
        if let Some(f) = l.trim_start().strip_prefix("file = ") {
            parts.file = Some(f.trim().to_string());
        }
    }
    if let Some(pos) = message.find("Error when converting column \"") {
        let rest = &message[pos + "Error when converting column \"".len()..];
        if let Some(end) = rest.find("\".") {
            parts.column = Some(rest[..end].to_string());
            // "…column "id". Could not convert …" — keep the reason, the column is separate.
            let reason = rest[end + 2..].lines().next().unwrap_or("").trim();
            if !reason.is_empty() {
                detail = Some(reason.to_string());
            }
        }
    }
    if let Some(pos) = message.find(" in file \"") {
        let rest = &message[pos + " in file \"".len()..];
        if let Some(end) = rest.find('"') {
            parts.file.get_or_insert_with(|| rest[..end].to_string());
            let after = &rest[end + 1..];
            if let Some(lpos) = after.find("line ") {
                let digits: String = after[lpos + 5..].chars().take_while(|c| c.is_ascii_digit()).collect();
                parts.line = parts.line.or(digits.parse().ok());
            }
            if let Some(colon) = after.find(": ") {
                let reason = after[colon + 2..].lines().next().unwrap_or("").trim();
                if !reason.is_empty() {
                    detail = Some(reason.to_string());
                }
            }
        }
    }
    parts.message = detail.unwrap_or_else(|| first_line(message));
    parts
}

/// DuckDB's "No files found that match the pattern" → the pattern.
pub(crate) fn missing_files_pattern(message: &str) -> Option<String> {
    let marker = "No files found that match the pattern \"";
    let pos = message.find(marker)?;
    let rest = &message[pos + marker.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

pub(crate) fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

/// DuckDB's lock error names the holder: `Conflicting lock is held in /usr/bin/kiln (PID 42)`.
pub(crate) fn lock_holder(message: &str) -> Option<Option<String>> {
    if !message.contains("Could not set lock on file") {
        return None;
    }
    let marker = "Conflicting lock is held in ";
    let holder = message.find(marker).map(|pos| {
        let rest = &message[pos + marker.len()..];
        let end = [". ", " by user", "\n"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        rest[..end].trim().to_string()
    });
    Some(holder)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    #[test]
    fn renumbering_keeps_the_caret_under_its_character() {
        let msg = "Parser Error: syntax error at or near \"baz\"\n\nLINE 9: foo bar baz\n                ^";
        let out = super::renumber_line_indicator(msg, 9, 12);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2], "LINE 12: foo bar baz");
        assert_eq!(lines[3].find('^'), lines[2].find("baz"));
        let back = super::renumber_line_indicator(&out, 12, 3);
        assert_eq!(back, msg.replace("LINE 9", "LINE 3"));
        assert_eq!(super::renumber_line_indicator("no context", 1, 2), "no context");
    }

    use super::*;

    const CSV_CAST: &str = "Conversion Error: CSV Error on Line: 4\nOriginal Line: x3|c|3.00\n\
        Error when converting column \"id\". Could not convert string \"x3\" to 'INTEGER'\n\n\
        Column id is being converted as type INTEGER\n\n  file = /tmp/lake/bad.txt\n  delimiter = | (Set By User)\n";

    #[test]
    fn parses_csv_cast_error() {
        let p = parse_reader_error(CSV_CAST);
        assert_eq!(p.line, Some(4));
        assert_eq!(p.file.as_deref(), Some("/tmp/lake/bad.txt"));
        assert_eq!(p.column.as_deref(), Some("id"));
        assert_eq!(p.original_line.as_deref(), Some("x3|c|3.00"));
        assert_eq!(p.message, "Could not convert string \"x3\" to 'INTEGER'");
    }

    #[test]
    fn parses_csv_column_count_error() {
        let msg = "Invalid Input Error: CSV Error on Line: 4\nOriginal Line: 5|e|extra\n\
                   Expected Number of Columns: 2 Found: 3\nPossible fixes:\n  file = /l/b.txt.gz\n";
        let p = parse_reader_error(msg);
        assert_eq!(p.line, Some(4));
        assert_eq!(p.file.as_deref(), Some("/l/b.txt.gz"));
        assert_eq!(p.column, None);
        assert_eq!(p.message, "Expected Number of Columns: 2 Found: 3");
    }

    #[test]
    fn parses_json_error() {
        let msg = "Invalid Input Error: JSON transform error in file \"/tmp/bad.json\", in line 2: \
                   Failed to cast value to numerical: \"zz\"\nTry setting 'auto_detect' to true";
        let p = parse_reader_error(msg);
        assert_eq!(p.file.as_deref(), Some("/tmp/bad.json"));
        assert_eq!(p.line, Some(2));
        assert_eq!(p.message, "Failed to cast value to numerical: \"zz\"");
    }

    #[test]
    fn parses_line_and_column() {
        let stmt = "select 1,\n  2 from t\nwhere x = = 1";
        let msg = "Parser Error: syntax error at or near \"=\"\n\nLINE 3: where x = = 1\n                  ^";
        assert_eq!(line_and_column(msg, stmt), Some((3, Some(11))));
    }

    #[test]
    fn column_survives_truncated_lines() {
        let long = format!("select {} + foo(", "a + ".repeat(40));
        let stmt = format!("\n{long}");
        let shown_from = 90;
        let caret_at = long.len() - 1;
        let shown = &long[shown_from..];
        let prefix = "LINE 2: ...";
        let msg = format!(
            "Parser Error: x\n\n{prefix}{shown}\n{}^",
            " ".repeat(prefix.len() + caret_at - shown_from)
        );
        assert_eq!(line_and_column(&msg, &stmt), Some((2, Some(caret_at + 1))));
    }

    #[test]
    fn user_origin_shifts_lines() {
        let stmt = "CREATE TABLE x AS\nselect\n  foo bar baz";
        let msg = "Parser Error: syntax error at or near \"baz\"\n\nLINE 3:   foo bar baz\n                  ^";
        let err = duckdb::Error::DuckDBFailure(duckdb::ffi::Error::new(1), Some(msg.to_string()));
        match sql_error(&err, stmt, Origin::User { prefix_lines: 1 }) {
            AdapterError::Sql { message, line, column } => {
                assert_eq!(line, Some(2));
                assert_eq!(column, Some(11));
                assert!(message.contains("\nLINE 2:   foo bar baz"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parses_lock_holder() {
        let msg = "IO Error: Could not set lock on file \"/w/x.duckdb\": Conflicting lock is held in \
                   /usr/bin/python3.11 (PID 4242) by user root. See also https://duckdb.org";
        assert_eq!(
            lock_holder(msg),
            Some(Some("/usr/bin/python3.11 (PID 4242)".to_string()))
        );
        assert_eq!(lock_holder("IO Error: Cannot open file"), None);
    }

    #[test]
    fn lake_message_names_file_line_and_fix() {
        let e = AdapterError::LakeData(Box::new(LakeDataError {
            source_name: "tickit_external.sale".into(),
            file: Some("/lake/sale/a.txt".into()),
            line: Some(7),
            column: Some("qtysold".into()),
            original_line: Some("1|2|x".into()),
            message: "Could not convert".into(),
        }));
        let s = e.to_string();
        assert!(s.contains("/lake/sale/a.txt"), "{s}");
        assert!(s.contains("line 7"), "{s}");
        assert!(s.contains("qtysold"), "{s}");
        assert!(s.contains("1|2|x"), "{s}");
        assert!(s.contains("data_type in the sources YAML"), "{s}");
    }
}
