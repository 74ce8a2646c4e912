//! Streams declared in the project (`streams:` in any properties YAML file, a Kiln addition dbt
//! ignores): Kinesis data streams and Firehose delivery streams, with where a delivery stream
//! copies its records. Only the declarations are read and checked here; the stream engine
//! (`kiln-stream`) creates the streams, runs a delivery's `create_table` DDL and delivers.
//!
//! ```yaml
//! streams:
//!   - name: sensors
//!     kind: firehose            # firehose | kinesis (default)
//!     retention_hours: 24
//!     delivery:
//!       table: sensor.message
//!       columns: [guid, ts, temp]
//!       copy_options: "json 'auto'"
//!       buffering: {interval_seconds: 1, size_mb: 1}
//!       create_table: ddl/message.sql
//! ```

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use kiln_diagnostics::{Code, Diagnostic, Diagnostics, Location};
use serde::Deserialize;

/// The most shards a declared Kinesis stream may have (the local hub's limit).
pub const MAX_SHARDS: u32 = 64;
/// Kinesis' retention bounds, in hours: one day to one year.
pub const MIN_RETENTION_HOURS: u32 = 24;
pub const MAX_RETENTION_HOURS: u32 = 8760;
/// Firehose's buffering bounds: 0 to 900 seconds, 1 to 128 MiB.
pub const MAX_INTERVAL_SECONDS: u32 = 900;
pub const MAX_BUFFER_MB: u32 = 128;
/// COPY options of a delivery that does not name any: Firehose's JSON delivery into Redshift.
pub const DEFAULT_COPY_OPTIONS: &str = "json 'auto'";

/// Which API a declared stream speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum StreamDeclKind {
    /// A Kinesis data stream (the default): shards, read by consumers and streaming views.
    #[default]
    Kinesis,
    /// A Kinesis Data Firehose delivery stream: no shards, optionally delivering into a table.
    Firehose,
}

impl StreamDeclKind {
    /// `kinesis` or `firehose`, as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamDeclKind::Kinesis => "kinesis",
            StreamDeclKind::Firehose => "firehose",
        }
    }
}

/// A stream of the project, checked: its name, kind and ranges are valid, a delivery only on a
/// Firehose stream, and no other stream of the project has its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDecl {
    pub name: String,
    pub kind: StreamDeclKind,
    /// 1 to [`MAX_SHARDS`] for Kinesis (default 1); always 1 for Firehose.
    pub shards: u32,
    /// [`MIN_RETENTION_HOURS`] to [`MAX_RETENTION_HOURS`] (default 24).
    pub retention_hours: u32,
    pub description: String,
    /// Where a Firehose stream copies its records; `None` for Kinesis streams and for Firehose
    /// streams that only keep their log.
    pub delivery: Option<DeliveryDecl>,
    /// The properties file declaring it, relative to the project root.
    pub file: PathBuf,
    /// The line of its list entry (`- name: …`) in `file`.
    pub line: Option<usize>,
}

/// A Firehose delivery: `COPY <table> (<columns>) FROM <the buffered records> <copy_options>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryDecl {
    /// `schema.table` or `table`, as written.
    pub table: String,
    /// The COPY column list; empty means every column of the table, matched by name.
    pub columns: Vec<String>,
    /// Redshift COPY options ([`DEFAULT_COPY_OPTIONS`] when none are given); the stream engine
    /// says which it can carry out locally.
    pub copy_options: String,
    /// Deliver after this many seconds (0: as soon as records arrive; default 0)…
    pub interval_seconds: u32,
    /// …or once this many MiB are waiting (default 1).
    pub size_mb: u32,
    /// Redshift DDL creating `table`, relative to the project root, run when the table does not
    /// exist; the file exists (checked when the project loads).
    pub create_table: Option<PathBuf>,
}

/// A `streams:` entry as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamDef {
    pub name: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub shards: Option<i64>,
    #[serde(default)]
    pub retention_hours: Option<i64>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub delivery: Option<DeliveryDef>,
}

/// A stream's `delivery:` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryDef {
    pub table: String,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub copy_options: Option<String>,
    #[serde(default)]
    pub buffering: BufferingDef,
    #[serde(default)]
    pub create_table: Option<String>,
}

/// Firehose buffering hints as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BufferingDef {
    #[serde(default)]
    pub interval_seconds: Option<i64>,
    #[serde(default)]
    pub size_mb: Option<i64>,
}

/// Checks every file's `streams:` and returns the valid declarations, in file order. Problems go
/// to `diagnostics` with the file and line: K8003 for an impossible declaration, K8004 for a
/// missing `create_table` file, K1003 for a name declared twice.
pub(crate) fn load<'a>(
    root: &Path,
    files: impl IntoIterator<Item = (&'a Path, &'a str, Vec<StreamDef>)>,
    diagnostics: &mut Diagnostics,
) -> Vec<StreamDecl> {
    let mut out: Vec<StreamDecl> = Vec::new();
    let mut seen: BTreeMap<String, (PathBuf, Option<usize>)> = BTreeMap::new();
    for (file, text, defs) in files {
        if defs.is_empty() {
            continue;
        }
        let lines = ItemLines::new(text, defs.len());
        for (index, def) in defs.into_iter().enumerate() {
            let at = Where {
                file,
                item: lines.item(index),
                lines: &lines,
                index,
            };
            let Some(decl) = check(root, def, &at, diagnostics) else {
                continue;
            };
            if let Some((first_file, first_line)) = seen.get(&decl.name) {
                let first = match first_line {
                    Some(line) => format!("{}:{line}", first_file.display()),
                    None => first_file.display().to_string(),
                };
                diagnostics.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        format!("two streams are named '{}' (the first at {first})", decl.name),
                    )
                    .at(at.location(at.item))
                    .hint("stream names are unique in a project, whatever their kind; rename or remove one"),
                );
                continue;
            }
            seen.insert(decl.name.clone(), (decl.file.clone(), decl.line));
            out.push(decl);
        }
    }
    out
}

/// Where an entry is, for pointing at it and at its keys.
struct Where<'a> {
    file: &'a Path,
    item: Option<usize>,
    lines: &'a ItemLines<'a>,
    index: usize,
}

impl Where<'_> {
    fn location(&self, line: Option<usize>) -> Location {
        Location {
            file: self.file.to_path_buf(),
            line,
            column: None,
        }
    }

    /// The line of `key:` inside the entry, else the entry's own line.
    fn key(&self, key: &str) -> Location {
        self.location(self.lines.key(self.index, key).or(self.item))
    }
}

fn invalid(at: Location, message: String, hint: &str) -> Diagnostic {
    Diagnostic::error(Code::StreamDecl, message).at(at).hint(hint)
}

/// An integer setting within `min..=max`, or the default when absent.
fn ranged(
    value: Option<i64>,
    default: u32,
    (min, max): (u32, u32),
    what: &str,
    at: Location,
    diagnostics: &mut Diagnostics,
) -> Option<u32> {
    let Some(value) = value else { return Some(default) };
    match u32::try_from(value) {
        Ok(v) if (min..=max).contains(&v) => Some(v),
        _ => {
            diagnostics.push(invalid(
                at,
                format!("{what} is {value}; it must be between {min} and {max}"),
                &format!("write a whole number from {min} to {max}, or leave it out for {default}"),
            ));
            None
        }
    }
}

/// Kinesis' rule for stream names: 1–128 of `[A-Za-z0-9_.-]`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn check(root: &Path, def: StreamDef, at: &Where<'_>, diagnostics: &mut Diagnostics) -> Option<StreamDecl> {
    let before = diagnostics.0.iter().filter(|d| d.is_error()).count();
    if !valid_name(&def.name) {
        diagnostics.push(invalid(
            at.location(at.item),
            format!("'{}' is not a valid stream name", def.name),
            "use 1 to 128 letters, digits, '_', '.' or '-' (the rule Kinesis and Firehose apply)",
        ));
    }
    let kind = match def.kind.as_deref().map(str::trim) {
        None => StreamDeclKind::Kinesis,
        Some(text) if text.eq_ignore_ascii_case("kinesis") => StreamDeclKind::Kinesis,
        Some(text) if text.eq_ignore_ascii_case("firehose") => StreamDeclKind::Firehose,
        Some(other) => {
            diagnostics.push(invalid(
                at.key("kind"),
                format!("stream '{}' has kind '{other}', which Kiln does not know", def.name),
                "write `kind: kinesis` (a Kinesis data stream, the default) or `kind: firehose` (a delivery stream)",
            ));
            StreamDeclKind::Kinesis
        }
    };
    let shards = match (kind, def.shards) {
        (StreamDeclKind::Firehose, Some(_)) => {
            diagnostics.push(
                Diagnostic::warning(
                    Code::StreamDecl,
                    format!(
                        "delivery stream '{}' has `shards:`, which Firehose does not have; it is ignored",
                        def.name
                    ),
                )
                .at(at.key("shards"))
                .hint("remove `shards:`, or make it `kind: kinesis`"),
            );
            Some(1)
        }
        (StreamDeclKind::Firehose, None) => Some(1),
        (StreamDeclKind::Kinesis, shards) => ranged(
            shards,
            1,
            (1, MAX_SHARDS),
            &format!("the shard count of stream '{}'", def.name),
            at.key("shards"),
            diagnostics,
        ),
    };
    let retention_hours = ranged(
        def.retention_hours,
        MIN_RETENTION_HOURS,
        (MIN_RETENTION_HOURS, MAX_RETENTION_HOURS),
        &format!("the retention of stream '{}' in hours", def.name),
        at.key("retention_hours"),
        diagnostics,
    );
    let delivery = match (kind, def.delivery) {
        (_, None) => None,
        (StreamDeclKind::Kinesis, Some(_)) => {
            diagnostics.push(invalid(
                at.key("delivery"),
                format!("stream '{}' is a Kinesis stream but has a `delivery:`", def.name),
                "only a Firehose delivery stream delivers into a table: add `kind: firehose`, or read the \
                 Kinesis stream with a streaming materialized view instead",
            ));
            None
        }
        (StreamDeclKind::Firehose, Some(delivery)) => check_delivery(root, &def.name, delivery, at, diagnostics),
    };
    let after = diagnostics.0.iter().filter(|d| d.is_error()).count();
    if after > before {
        return None;
    }
    Some(StreamDecl {
        name: def.name,
        kind,
        shards: shards?,
        retention_hours: retention_hours?,
        description: def.description,
        delivery,
        file: at.file.to_path_buf(),
        line: at.item,
    })
}

fn check_delivery(
    root: &Path,
    stream: &str,
    def: DeliveryDef,
    at: &Where<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<DeliveryDecl> {
    let table = def.table.trim().to_string();
    let mut ok = true;
    if table.is_empty() || table.split('.').count() > 3 || table.split('.').any(|p| p.trim().is_empty()) {
        diagnostics.push(invalid(
            at.key("table"),
            format!("the delivery of stream '{stream}' names no table ('{table}')"),
            "write the destination as `table: schema.table`",
        ));
        ok = false;
    }
    if let Some(blank) = def.columns.iter().position(|c| c.trim().is_empty()) {
        diagnostics.push(invalid(
            at.key("columns"),
            format!("column {} of the delivery of stream '{stream}' is empty", blank + 1),
            "list the table's columns by name, or leave `columns:` out to copy into every column",
        ));
        ok = false;
    }
    let interval_seconds = ranged(
        def.buffering.interval_seconds,
        0,
        (0, MAX_INTERVAL_SECONDS),
        &format!("the buffering interval of stream '{stream}' in seconds"),
        at.key("interval_seconds"),
        diagnostics,
    );
    let size_mb = ranged(
        def.buffering.size_mb,
        1,
        (1, MAX_BUFFER_MB),
        &format!("the buffering size of stream '{stream}' in MiB"),
        at.key("size_mb"),
        diagnostics,
    );
    let create_table = match def.create_table.as_deref().map(str::trim) {
        None => None,
        Some(path) => match ddl_file(root, path) {
            Ok(path) => Some(path),
            Err(problem) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::StreamTableDdl,
                        format!("the `create_table` file '{path}' of stream '{stream}' {problem}"),
                    )
                    .at(at.key("create_table"))
                    .hint(format!(
                        "create the file with the Redshift DDL of {table} (a path relative to the project folder), \
                         or remove `create_table:` and create the table yourself"
                    )),
                );
                ok = false;
                None
            }
        },
    };
    let copy_options = match def.copy_options.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_COPY_OPTIONS.to_string(),
        Some(options) => options.to_string(),
    };
    Some(DeliveryDecl {
        table,
        columns: def.columns.iter().map(|c| c.trim().to_string()).collect(),
        copy_options,
        interval_seconds: interval_seconds?,
        size_mb: size_mb?,
        create_table,
    })
    .filter(|_| ok)
}

/// A `create_table` path, relative to the project root: it must stay inside the project and the
/// file must exist.
fn ddl_file(root: &Path, written: &str) -> Result<PathBuf, &'static str> {
    let path = Path::new(written);
    if written.is_empty() {
        return Err("is empty");
    }
    let escapes = path
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)));
    if escapes {
        return Err("is outside the project");
    }
    if !root.join(path).is_file() {
        return Err("does not exist");
    }
    Ok(path.components().collect())
}

/// The lines of the `streams:` list's entries in a file (serde keeps no spans for values): the
/// `i`th `- ` item at the list's indentation is the `i`th stream. When the layout is not the
/// plain block style (flow lists, anchors), every entry points at the `streams:` line.
struct ItemLines<'a> {
    lines: Vec<&'a str>,
    /// 1-based line of `streams:`.
    list: Option<usize>,
    /// Per entry: 1-based first line and the line after its last.
    items: Vec<(usize, usize)>,
}

fn indentation(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    (!trimmed.is_empty() && !trimmed.starts_with('#')).then(|| line.len() - trimmed.len())
}

impl<'a> ItemLines<'a> {
    fn new(text: &'a str, expected: usize) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let list = lines.iter().position(|l| {
            l.strip_prefix("streams")
                .map(str::trim_start)
                .is_some_and(|rest| rest.starts_with(':'))
        });
        let mut items = Vec::new();
        if let Some(start) = list {
            let mut column = None;
            let mut starts = Vec::new();
            let mut end = lines.len();
            for (i, line) in lines.iter().enumerate().skip(start + 1) {
                let Some(indent) = indentation(line) else { continue };
                let item = line.trim_start().starts_with("- ") || line.trim() == "-";
                if indent == 0 && !item {
                    end = i;
                    break; // the next top-level key
                }
                if item && column.is_none_or(|c| c == indent) {
                    column = Some(indent);
                    starts.push(i + 1);
                }
            }
            let ends = starts.iter().skip(1).copied().chain([end + 1]);
            items = starts.iter().copied().zip(ends).collect();
        }
        if items.len() != expected {
            items.clear();
        }
        ItemLines {
            lines,
            list: list.map(|l| l + 1),
            items,
        }
    }

    fn item(&self, index: usize) -> Option<usize> {
        self.items.get(index).map(|(first, _)| *first).or(self.list)
    }

    /// The first line of entry `index` holding `key:` (block or flow style).
    fn key(&self, index: usize, key: &str) -> Option<usize> {
        let (first, end) = *self.items.get(index)?;
        (first..end).find(|&n| self.lines.get(n - 1).is_some_and(|line| holds_key(line, key)))
    }
}

/// Whether `key:` appears in the line as a key: after the indentation, `- `, `{` or `,`.
fn holds_key(line: &str, key: &str) -> bool {
    let content = line.split(" #").next().unwrap_or(line);
    content.match_indices(key).any(|(at, _)| {
        let before = content[..at].trim_end().chars().last();
        let after = content[at + key.len()..].trim_start();
        matches!(before, None | Some('-' | '{' | ',')) && after.starts_with(':')
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::load_project;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "dbt_project.yml", "name: demo\n");
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        dir
    }

    /// The errors of loading, as (code, file:line, message).
    fn errors(files: &[(&str, &str)]) -> Vec<(Code, String, String)> {
        let dir = project(files);
        let errors = load_project(dir.path()).unwrap_err();
        errors
            .errors()
            .map(|d| {
                let at = d.location.as_ref().map(ToString::to_string).unwrap_or_default();
                (d.code, at, d.message.clone())
            })
            .collect()
    }

    const SENSORS: &str = "\
version: 2
sources:
  - name: sensor
    tables:
      - name: message
streams:
  # the simulator's stream
  - name: sensors
    kind: firehose
    retention_hours: 48
    description: IoT readings.
    delivery:
      table: sensor.message
      columns: [guid, ts, temp]
      copy_options: \"json 'auto'\"
      buffering: {interval_seconds: 1, size_mb: 2}
      create_table: ddl/message.sql
  - name: clicks
    shards: 4
  - kind: firehose
    name: raw
";

    #[test]
    fn declared_streams_load_with_defaults_file_and_line() {
        let dir = project(&[
            ("models/streams.yml", SENSORS),
            ("ddl/message.sql", "create table sensor.message (guid varchar(36));"),
        ]);
        let project = load_project(dir.path()).unwrap();
        assert!(project.warnings.is_empty(), "{}", project.warnings);
        let file = PathBuf::from("models/streams.yml");
        assert_eq!(
            project.streams,
            vec![
                StreamDecl {
                    name: "sensors".into(),
                    kind: StreamDeclKind::Firehose,
                    shards: 1,
                    retention_hours: 48,
                    description: "IoT readings.".into(),
                    delivery: Some(DeliveryDecl {
                        table: "sensor.message".into(),
                        columns: vec!["guid".into(), "ts".into(), "temp".into()],
                        copy_options: "json 'auto'".into(),
                        interval_seconds: 1,
                        size_mb: 2,
                        create_table: Some(PathBuf::from("ddl/message.sql")),
                    }),
                    file: file.clone(),
                    line: Some(8),
                },
                StreamDecl {
                    name: "clicks".into(),
                    kind: StreamDeclKind::Kinesis,
                    shards: 4,
                    retention_hours: 24,
                    description: String::new(),
                    delivery: None,
                    file: file.clone(),
                    line: Some(18),
                },
                StreamDecl {
                    name: "raw".into(),
                    kind: StreamDeclKind::Firehose,
                    shards: 1,
                    retention_hours: 24,
                    description: String::new(),
                    delivery: None,
                    file,
                    line: Some(20),
                },
            ]
        );
        // The rest of the file still reads as before.
        assert_eq!(project.sources[0].name, "message");
    }

    #[test]
    fn delivery_defaults() {
        let dir = project(&[(
            "models/s.yml",
            "streams:\n- name: f\n  kind: Firehose\n  delivery:\n    table: t\n",
        )]);
        let project = load_project(dir.path()).unwrap();
        let delivery = project.streams[0].delivery.clone().unwrap();
        assert_eq!(
            delivery,
            DeliveryDecl {
                table: "t".into(),
                columns: Vec::new(),
                copy_options: DEFAULT_COPY_OPTIONS.into(),
                interval_seconds: 0,
                size_mb: 1,
                create_table: None,
            }
        );
        assert_eq!(project.streams[0].line, Some(2), "an indentless list");
    }

    #[test]
    fn unknown_kind_points_at_its_line() {
        let found = errors(&[("models/s.yml", "streams:\n  - name: a\n    kind: kafka\n")]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (code, at, message) = &found[0];
        assert_eq!((*code, at.as_str()), (Code::StreamDecl, "models/s.yml:3"));
        assert!(message.contains("kind 'kafka'"), "{message}");
    }

    #[test]
    fn delivery_on_a_kinesis_stream_is_an_error() {
        let yaml = "streams:\n  - name: a\n    shards: 2\n    delivery:\n      table: s.t\n";
        let found = errors(&[("models/s.yml", yaml)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (code, at, message) = &found[0];
        assert_eq!((*code, at.as_str()), (Code::StreamDecl, "models/s.yml:4"));
        assert!(message.contains("Kinesis stream but has a `delivery:`"), "{message}");
    }

    #[test]
    fn shards_and_other_ranges() {
        let yaml = "\
streams:
  - name: zero
    shards: 0
  - name: many
    kind: kinesis
    shards: 65
  - name: negative
    shards: -1
  - name: short
    retention_hours: 1
  - name: slow
    kind: firehose
    delivery:
      table: t
      buffering:
        interval_seconds: 901
        size_mb: 0
";
        let found = errors(&[("models/s.yml", yaml)]);
        let summary: Vec<(Code, &str, bool)> = found
            .iter()
            .map(|(code, at, message)| (*code, at.as_str(), message.contains("must be between")))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Code::StreamDecl, "models/s.yml:3", true),
                (Code::StreamDecl, "models/s.yml:6", true),
                (Code::StreamDecl, "models/s.yml:8", true),
                (Code::StreamDecl, "models/s.yml:10", true),
                (Code::StreamDecl, "models/s.yml:16", true),
                (Code::StreamDecl, "models/s.yml:17", true),
            ]
        );
        assert!(found[0].2.contains("between 1 and 64"), "{}", found[0].2);
    }

    #[test]
    fn shards_on_a_firehose_stream_are_ignored_with_a_warning() {
        let dir = project(&[(
            "models/s.yml",
            "streams:\n  - name: f\n    kind: firehose\n    shards: 3\n",
        )]);
        let project = load_project(dir.path()).unwrap();
        assert_eq!(project.streams[0].shards, 1);
        let warning = project.warnings.warnings().next().unwrap();
        assert_eq!(warning.code, Code::StreamDecl);
        assert_eq!(warning.location.as_ref().unwrap().to_string(), "models/s.yml:4");
    }

    #[test]
    fn bad_names_are_errors() {
        let found = errors(&[("models/s.yml", "streams:\n  - name: 'has space'\n")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1.as_str()), (Code::StreamDecl, "models/s.yml:2"));
    }

    #[test]
    fn duplicate_names_across_files() {
        let found = errors(&[
            ("models/a.yml", "streams:\n  - name: sensors\n    kind: firehose\n"),
            (
                "models/b/b.yml",
                "version: 2\nstreams:\n  - name: other\n  - name: sensors\n",
            ),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (code, at, message) = &found[0];
        assert_eq!((*code, at.as_str()), (Code::DuplicateName, "models/b/b.yml:4"));
        assert!(message.contains("(the first at models/a.yml:2)"), "{message}");
    }

    #[test]
    fn create_table_file_must_exist_inside_the_project() {
        let yaml = "\
streams:
  - name: a
    kind: firehose
    delivery:
      table: s.t
      create_table: ddl/missing.sql
  - name: b
    kind: firehose
    delivery:
      table: s.t
      create_table: ../outside.sql
";
        let found = errors(&[("models/s.yml", yaml)]);
        let summary: Vec<(Code, &str)> = found.iter().map(|(c, at, _)| (*c, at.as_str())).collect();
        assert_eq!(
            summary,
            vec![
                (Code::StreamTableDdl, "models/s.yml:6"),
                (Code::StreamTableDdl, "models/s.yml:11")
            ]
        );
        assert!(found[0].2.contains("does not exist"), "{}", found[0].2);
        assert!(found[1].2.contains("outside the project"), "{}", found[1].2);
    }

    #[test]
    fn unknown_keys_are_yaml_errors_at_their_line() {
        let found = errors(&[("models/s.yml", "streams:\n  - name: a\n    shard: 2\n")]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (code, at, message) = &found[0];
        assert_eq!(*code, Code::YamlSyntax);
        assert!(at.starts_with("models/s.yml:3"), "{at}");
        assert!(message.contains("unknown field `shard`"), "{message}");
    }

    #[test]
    fn flow_style_lists_point_at_the_streams_line() {
        let found = errors(&[("models/s.yml", "version: 2\nstreams: [{name: a, kind: nope}]\n")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1.as_str()), (Code::StreamDecl, "models/s.yml:2"));
    }

    #[test]
    fn keys_are_found_in_block_and_flow_style() {
        assert!(holds_key("    shards: 2", "shards"));
        assert!(holds_key("  - shards: 2", "shards"));
        assert!(holds_key("buffering: {interval_seconds: 1, size_mb: 2}", "size_mb"));
        assert!(!holds_key("description: the shards: field", "shards"));
        assert!(!holds_key("create_table: x", "table"));
    }
}
