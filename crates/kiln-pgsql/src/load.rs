//! Reading seed CSVs and local lake files on the client, typing their columns, and cutting the
//! rows into `insert … values` batches. A server warehouse cannot read files on the analyst's
//! machine, so Kiln sends the rows; for lake data that outgrows this, sources move to S3 and
//! Spectrum (see [`crate::render::spectrum_table`]).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use kiln_warehouse::{AdapterError, ExternalFormat};

use crate::render::Flavor;

/// Redshift's (and dbt-redshift's) limit on bind parameters in one statement. Batches stay under
/// it in values, though Kiln inlines them as literals, so a batch is what dbt would send.
pub const PARAMETER_LIMIT: usize = 32_767;

/// Text of one batch's values, at most: far below Redshift's 16 MB statement limit, and small
/// enough that a failing batch is cheap to report.
const BATCH_BYTES: usize = 512 * 1024;

/// Rows read from files: a header and text cells (`None` for an empty cell, which dbt seeds and
/// Spectrum text tables both read as NULL), each with the file and 1-based line it came from.
#[derive(Debug, Default)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub origins: Vec<(PathBuf, u64)>,
}

/// A seed CSV with its header line.
pub fn read_seed(path: &Path, delimiter: &str) -> Result<Rows, AdapterError> {
    let seed_error = |line: Option<u64>, message: String| AdapterError::Seed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let file = File::open(path).map_err(|e| AdapterError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(single_byte(delimiter).map_err(|m| seed_error(None, m))?)
        .has_headers(true)
        .from_reader(file);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| seed_error(Some(1), e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Rows {
        columns,
        ..Rows::default()
    };
    for record in reader.records() {
        let record = record.map_err(|e| seed_error(e.position().map(|p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != rows.columns.len() {
            return Err(seed_error(
                Some(line),
                format!(
                    "{} values where the header has {} columns",
                    record.len(),
                    rows.columns.len()
                ),
            ));
        }
        rows.rows.push(record.iter().map(cell).collect());
        rows.origins.push((path.to_path_buf(), line));
    }
    Ok(rows)
}

/// Every lake file at `location` (a folder's files, one file, or a `*` pattern in the file
/// name), in name order, read with `format` into `columns` (declared order).
pub fn read_lake(
    source_name: &str,
    location: &str,
    format: &ExternalFormat,
    columns: &[String],
) -> Result<Rows, AdapterError> {
    let files = lake_files(location);
    if files.is_empty() {
        return Err(AdapterError::MissingLakeFiles {
            source_name: source_name.to_string(),
            location: location.to_string(),
        });
    }
    let mut rows = Rows {
        columns: columns.to_vec(),
        ..Rows::default()
    };
    for file in files {
        let bad = |line: Option<u64>, message: String| {
            AdapterError::LakeData(Box::new(kiln_warehouse::LakeDataError {
                source_name: source_name.to_string(),
                file: Some(file.to_string_lossy().into_owned()),
                line,
                column: None,
                original_line: None,
                message,
            }))
        };
        let io = |e: std::io::Error| AdapterError::Io {
            path: file.clone(),
            message: e.to_string(),
        };
        let raw = File::open(&file).map_err(io)?;
        let input: Box<dyn Read> = if file.extension().is_some_and(|e| e == "gz") {
            Box::new(MultiGzDecoder::new(raw))
        } else {
            Box::new(raw)
        };
        match format {
            ExternalFormat::Delimited {
                delimiter,
                header_rows,
                quote,
            } => {
                let mut builder = csv::ReaderBuilder::new();
                builder
                    .delimiter(single_byte(delimiter).map_err(|m| bad(None, m))?)
                    .has_headers(false)
                    .flexible(true);
                match quote.as_deref().map(single_byte) {
                    Some(Ok(q)) => {
                        builder.quote(q);
                    }
                    Some(Err(m)) => return Err(bad(None, m)),
                    None => {
                        builder.quoting(false);
                    }
                }
                let mut reader = builder.from_reader(input);
                for record in reader.records() {
                    let record = record.map_err(|e| bad(e.position().map(|p| p.line()), e.to_string()))?;
                    let line = record.position().map_or(0, |p| p.line());
                    if line <= *header_rows as u64 {
                        continue;
                    }
                    if record.len() != columns.len() {
                        return Err(bad(
                            Some(line),
                            format!(
                                "{} fields where the source declares {} columns",
                                record.len(),
                                columns.len()
                            ),
                        ));
                    }
                    rows.rows.push(record.iter().map(cell).collect());
                    rows.origins.push((file.clone(), line));
                }
            }
            ExternalFormat::NdJson => {
                for (index, line) in BufReader::new(input).lines().enumerate() {
                    let number = index as u64 + 1;
                    let line = line.map_err(io)?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let value: serde_json::Value =
                        serde_json::from_str(&line).map_err(|e| bad(Some(number), format!("not JSON: {e}")))?;
                    let Some(object) = value.as_object() else {
                        return Err(bad(Some(number), "a line is not a JSON object".into()));
                    };
                    let row = columns
                        .iter()
                        .map(|c| {
                            object
                                .iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case(c))
                                .and_then(|(_, v)| match v {
                                    serde_json::Value::Null => None,
                                    serde_json::Value::String(s) => Some(s.clone()),
                                    other => Some(other.to_string()),
                                })
                        })
                        .collect();
                    rows.rows.push(row);
                    rows.origins.push((file.clone(), number));
                }
            }
            ExternalFormat::Parquet => {
                return Err(AdapterError::Unsupported {
                    message: format!(
                        "source {source_name} is Parquet; a server warehouse cannot read local Parquet files — \
                         put them on S3 (`location: s3://…`, Redshift Spectrum) or convert them to delimited text"
                    ),
                })
            }
        }
    }
    Ok(rows)
}

fn cell(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn single_byte(delimiter: &str) -> Result<u8, String> {
    match delimiter.as_bytes() {
        [b] => Ok(*b),
        _ => Err(format!("the delimiter {delimiter:?} is not one ASCII character")),
    }
}

fn lake_files(location: &str) -> Vec<PathBuf> {
    let path = Path::new(location);
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default()
    } else if path.is_file() {
        vec![path.to_path_buf()]
    } else {
        let (Some(dir), Some(pattern)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
            return Vec::new();
        };
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.is_file()
                            && p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| wildcard(pattern, n))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    files.retain(|p| {
        !p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
    });
    files.sort();
    files
}

/// `*` matches any run of characters, `?` one; nothing else is special.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The column type dbt would give a seed column it has no `column_types` entry for, from every
/// value in it: integer / bigint, numeric (PostgreSQL) or numeric(18,s) (Redshift), boolean,
/// date, timestamp, else text (PostgreSQL) or varchar of the longest value (Redshift).
pub fn infer_type(flavor: Flavor, values: impl Iterator<Item = Option<String>> + Clone) -> String {
    let present = || values.clone().flatten();
    let all = |test: fn(&str) -> bool| present().all(|v| test(v.trim()));
    if present().next().is_none() {
        return match flavor {
            Flavor::Postgres => "text".into(),
            Flavor::Redshift => "varchar(64)".into(),
        };
    }
    if all(|v| v.parse::<i64>().is_ok()) {
        let wide = present().any(|v| v.trim().parse::<i32>().is_err());
        return if wide { "bigint" } else { "integer" }.into();
    }
    if all(is_decimal) {
        let scale = present()
            .map(|v| v.trim().split_once('.').map_or(0, |(_, f)| f.len()))
            .max()
            .unwrap_or(0);
        return match flavor {
            Flavor::Postgres => "numeric".into(),
            Flavor::Redshift => format!("numeric(18,{})", scale.min(18)),
        };
    }
    if all(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "false")) {
        return "boolean".into();
    }
    if all(is_date) {
        return "date".into();
    }
    if all(is_timestamp) {
        return "timestamp".into();
    }
    match flavor {
        Flavor::Postgres => "text".into(),
        Flavor::Redshift => {
            let longest = present().map(|v| v.len()).max().unwrap_or(1).max(1);
            format!("varchar({longest})")
        }
    }
}

fn is_decimal(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_timestamp(v: &str) -> bool {
    v.len() >= 19
        && is_date(&v[..10])
        && matches!(v.as_bytes()[10], b' ' | b'T')
        && v[11..].bytes().all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.'))
}

/// Row ranges of at most [`PARAMETER_LIMIT`] values and about [`BATCH_BYTES`] of text each.
pub fn batches(rows: &[Vec<Option<String>>], columns: usize) -> Vec<std::ops::Range<usize>> {
    let per_batch = (PARAMETER_LIMIT / columns.max(1)).max(1);
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let size: usize = row.iter().map(|v| v.as_ref().map_or(4, |s| s.len() + 4)).sum();
        if i > start && (i - start >= per_batch || bytes + size > BATCH_BYTES) {
            ranges.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < rows.len() {
        ranges.push(start..rows.len());
    }
    ranges
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn col(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| cell(v)).collect()
    }

    #[test]
    fn types_follow_every_value() {
        let t = |flavor, v: &[&str]| infer_type(flavor, col(v).into_iter());
        assert_eq!(t(Flavor::Postgres, &["1", "", "-3"]), "integer");
        assert_eq!(t(Flavor::Postgres, &["1", "3000000000"]), "bigint");
        assert_eq!(t(Flavor::Postgres, &["1.5", "2"]), "numeric");
        assert_eq!(t(Flavor::Redshift, &["1.25", "2.5"]), "numeric(18,2)");
        assert_eq!(t(Flavor::Postgres, &["true", "FALSE"]), "boolean");
        assert_eq!(t(Flavor::Postgres, &["2008-01-01", "2008-12-31"]), "date");
        assert_eq!(
            t(Flavor::Postgres, &["2008-01-01 10:00:00", "2008-01-01T10:00:00.5"]),
            "timestamp"
        );
        assert_eq!(t(Flavor::Postgres, &["1", "x"]), "text");
        assert_eq!(t(Flavor::Redshift, &["ab", "abcd"]), "varchar(4)");
        assert_eq!(t(Flavor::Redshift, &["", ""]), "varchar(64)");
        assert_eq!(t(Flavor::Postgres, &["."]), "text");
    }

    #[test]
    fn batches_stay_under_the_parameter_limit_and_size() {
        let rows: Vec<Vec<Option<String>>> = (0..100_000).map(|i| vec![Some(i.to_string()); 10]).collect();
        let ranges = batches(&rows, 10);
        assert!(ranges.iter().all(|r| r.len() * 10 <= PARAMETER_LIMIT));
        assert_eq!(ranges.iter().map(|r| r.len()).sum::<usize>(), 100_000);
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        let wide = vec![vec![Some("x".repeat(200_000))]; 5];
        assert_eq!(batches(&wide, 1).len(), 3, "512 KiB of text per batch");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*.csv", "a.csv"));
        assert!(wildcard("part-??.txt", "part-01.txt"));
        assert!(!wildcard("*.csv", "a.csv.gz"));
    }
}
