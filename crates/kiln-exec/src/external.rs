//! Reads a source's `external:` block — dbt_external_tables' Spectrum shape (`location`,
//! `row_format` with `separatorChar`, `table_properties` with `skip.header.line.count`,
//! `file_format`) or Kiln's plain keys (`format`, `delimiter`, `header`) — into a lake table spec.

use std::path::Path;

use kiln_compile::Node;
use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_warehouse::{ColumnDef, ExternalFormat, ExternalTable, Relation, SpectrumSpec};
use serde_json::Value;

/// `reads_s3`: the target can create Spectrum tables (Redshift), so an `s3://` location is kept
/// as declared; on other targets it is an error, since they read local lake files.
pub fn external_table(
    root: &Path,
    node: &Node,
    relation: Relation,
    reads_s3: bool,
) -> Result<Option<ExternalTable>, Diagnostic> {
    let Some(external) = node.source.as_ref().and_then(|s| s.external.as_ref()) else {
        return Ok(None);
    };
    let location_at = Location {
        file: node.path.clone(),
        line: node.line,
        column: None,
    };
    let text = |key: &str| external.get(key).and_then(Value::as_str).map(str::to_string);
    let Some(location) = text("location") else {
        return Err(Diagnostic::error(
            Code::YamlSyntax,
            format!("source table '{}' has `external:` but no `location:`", node.name),
        )
        .at(location_at)
        .hint("add `location: \"lake/<table>/\"` (a folder, file or glob relative to the project)"));
    };
    let spectrum = location.starts_with("s3://").then(|| SpectrumSpec {
        location: location.clone(),
        row_format: text("row_format"),
        file_format: text("file_format").or_else(|| text("format")),
        table_properties: text("table_properties"),
    });
    if spectrum.is_some() && !reads_s3 {
        return Err(Diagnostic::error(
            Code::MissingLakeFiles,
            format!(
                "source table '{}' lives in S3 ({location}); the embedded DuckDB warehouse reads local lake files",
                node.name
            ),
        )
        .at(location_at)
        .hint(
            "point `location` at a local folder for the local target, or run against a Redshift target with Spectrum",
        ));
    }
    let absolute = if spectrum.is_some() || Path::new(&location).is_absolute() {
        location.clone()
    } else {
        root.join(&location).to_string_lossy().into_owned()
    };

    let format_name = text("format")
        .or_else(|| text("file_format"))
        .unwrap_or_else(|| "textfile".into())
        .to_ascii_lowercase();
    let format = match format_name.as_str() {
        "parquet" => ExternalFormat::Parquet,
        "json" | "ndjson" | "jsonl" => ExternalFormat::NdJson,
        _ => {
            let row_format = text("row_format").unwrap_or_default();
            let delimiter = text("delimiter")
                .or_else(|| capture(&row_format, r"(?i)separatorChar'\s*=\s*'([^']+)'"))
                .or_else(|| capture(&row_format, r"(?i)fields\s+terminated\s+by\s+'([^']+)'"))
                .unwrap_or_else(|| if format_name == "tsv" { "\t".into() } else { ",".into() });
            let properties = text("table_properties").unwrap_or_default();
            let header_rows = match external.get("header") {
                Some(Value::Bool(true)) => 1,
                Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as usize,
                _ => capture(&properties, r"skip\.header\.line\.count'\s*=\s*'(\d+)'")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0),
            };
            let quote = capture(&row_format, r"(?i)quoteChar'\s*=\s*'([^']+)'").or(Some("\"".into()));
            ExternalFormat::Delimited {
                delimiter: unescape(&delimiter),
                header_rows,
                quote,
            }
        }
    };
    let columns = node
        .columns
        .iter()
        .map(|c| ColumnDef {
            name: c.name.clone(),
            data_type: c.data_type.clone().unwrap_or_else(|| "varchar".into()),
        })
        .collect();
    Ok(Some(ExternalTable {
        relation,
        location: absolute,
        format,
        columns,
        spectrum,
    }))
}

fn capture(text: &str, pattern: &str) -> Option<String> {
    regex::Regex::new(pattern)
        .ok()?
        .captures(text)
        .map(|c| c[1].to_string())
}

fn unescape(delimiter: &str) -> String {
    match delimiter {
        "\\t" => "\t".into(),
        "\\001" | "\\u0001" => "\u{1}".into(),
        other => other.to_string(),
    }
}
