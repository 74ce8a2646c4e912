//! `kiln diff`: one relation on two warehouses — the laptop's DuckDB and Redshift, say — compared
//! the way a team checks a move between them: columns and types, row counts, per-column
//! checksums computed in each warehouse, and, when both sides are small enough to hold, the
//! rows that differ by key.
//!
//! Checksums are plain aggregates both dialects run alike (`count`, `count(distinct)`, `sum`,
//! lengths of text rather than its min/max, since text order depends on the server's collation).
//! Values are compared after both adapters turned them into JSON by the same conventions
//! ([`kiln_warehouse::QueryResult`]), normalised so `12.50` equals `12.5` and a timestamp's `T`
//! equals a space.

use std::collections::HashMap;

use kiln_warehouse::{quote_ident, Adapter, AdapterError, ColumnInfo, Relation};
use serde::Serialize;
use serde_json::Value;

mod normalize;

pub use normalize::{canonical, family, Family};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{side}: {error}")]
    Warehouse { side: String, error: AdapterError },
    #[error("the key column {column} is not in {side}'s {relation}")]
    UnknownKey {
        column: String,
        side: String,
        relation: String,
    },
}

/// One side of the comparison.
pub struct Side<'a> {
    /// What the user calls it: the target's name.
    pub label: String,
    pub adapter: &'a dyn Adapter,
    pub relation: Relation,
}

#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Columns identifying a row; no row-level comparison without them.
    pub key: Vec<String>,
    /// Row-level comparison only when both sides have at most this many rows (it holds them).
    pub row_limit: u64,
    /// Differing rows listed, at most.
    pub show: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            key: Vec::new(),
            row_limit: 200_000,
            show: 20,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnDiff {
    pub name: String,
    pub left_type: Option<String>,
    pub right_type: Option<String>,
    /// Both sides' types belong to the same family (integer, decimal, text …).
    pub compatible: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Checksum {
    pub column: String,
    /// What was measured, e.g. `non-null`, `distinct`, `sum`, `total length`.
    pub measure: String,
    pub left: Value,
    pub right: Value,
    pub equal: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowDiff {
    OnlyLeft {
        key: Vec<Value>,
    },
    OnlyRight {
        key: Vec<Value>,
    },
    Changed {
        key: Vec<Value>,
        columns: Vec<(String, Value, Value)>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub left: String,
    pub right: String,
    pub columns: Vec<ColumnDiff>,
    pub left_rows: u64,
    pub right_rows: u64,
    pub checksums: Vec<Checksum>,
    /// Why rows were not compared one by one, when they were not.
    pub rows_skipped: Option<String>,
    /// Rows that differ by key (all of them counted, the first `show` listed).
    pub differing_rows: u64,
    pub rows: Vec<RowDiff>,
}

impl DiffReport {
    /// No difference found by anything that ran.
    pub fn same(&self) -> bool {
        self.columns.iter().all(|c| c.compatible)
            && self.left_rows == self.right_rows
            && self.checksums.iter().all(|c| c.equal)
            && self.differing_rows == 0
    }
}

pub fn diff(left: &Side<'_>, right: &Side<'_>, options: &DiffOptions) -> Result<DiffReport, DiffError> {
    let failed = |side: &Side<'_>| {
        let label = side.label.clone();
        move |error| DiffError::Warehouse { side: label, error }
    };
    let left_columns = left.adapter.columns(&left.relation).map_err(failed(left))?;
    let right_columns = right.adapter.columns(&right.relation).map_err(failed(right))?;
    let columns = compare_columns(&left_columns, &right_columns);
    let shared: Vec<(String, Family)> = columns
        .iter()
        .filter(|c| c.compatible)
        .filter_map(|c| Some((c.name.clone(), family(c.left_type.as_deref()?))))
        .collect();

    let (left_rows, left_stats) = checksums(left, &shared).map_err(failed(left))?;
    let (right_rows, right_stats) = checksums(right, &shared).map_err(failed(right))?;
    let checksums = left_stats
        .into_iter()
        .zip(right_stats)
        .map(|((column, measure, family, l), (_, _, _, r))| Checksum {
            equal: normalize::same(family, &l, &r),
            column,
            measure,
            left: l,
            right: r,
        })
        .collect();

    let mut report = DiffReport {
        left: left.label.clone(),
        right: right.label.clone(),
        columns,
        left_rows,
        right_rows,
        checksums,
        rows_skipped: None,
        differing_rows: 0,
        rows: Vec::new(),
    };
    if options.key.is_empty() {
        report.rows_skipped = Some("no key given (--key), so rows were not compared one by one".into());
        return Ok(report);
    }
    for (side, columns) in [(left, &left_columns), (right, &right_columns)] {
        for key in &options.key {
            if !columns.iter().any(|c| c.name.eq_ignore_ascii_case(key)) {
                return Err(DiffError::UnknownKey {
                    column: key.clone(),
                    side: side.label.clone(),
                    relation: side.relation.unquoted(),
                });
            }
        }
    }
    if left_rows.max(right_rows) > options.row_limit {
        report.rows_skipped = Some(format!(
            "more than {} rows on a side, so rows were not compared one by one (raise --row-limit); the checksums cover every row",
            options.row_limit
        ));
        return Ok(report);
    }
    compare_rows(left, right, &shared, options, &mut report)?;
    Ok(report)
}

fn compare_columns(left: &[ColumnInfo], right: &[ColumnInfo]) -> Vec<ColumnDiff> {
    let mut out: Vec<ColumnDiff> = left
        .iter()
        .map(|l| {
            let r = right.iter().find(|r| r.name.eq_ignore_ascii_case(&l.name));
            ColumnDiff {
                name: l.name.clone(),
                left_type: Some(l.data_type.clone()),
                right_type: r.map(|r| r.data_type.clone()),
                compatible: r.is_some_and(|r| family(&l.data_type).compatible(family(&r.data_type))),
            }
        })
        .collect();
    for r in right {
        if !left.iter().any(|l| l.name.eq_ignore_ascii_case(&r.name)) {
            out.push(ColumnDiff {
                name: r.name.clone(),
                left_type: None,
                right_type: Some(r.data_type.clone()),
                compatible: false,
            });
        }
    }
    out
}

type Stat = (String, String, Family, Value);

/// One aggregate query per side: the row count, then each column's measures.
fn checksums(side: &Side<'_>, columns: &[(String, Family)]) -> Result<(u64, Vec<Stat>), AdapterError> {
    let mut exprs = vec!["count(*)".to_string()];
    let mut stats: Vec<(String, String, Family)> = Vec::new();
    for (name, family) in columns {
        let q = quote_ident(name);
        let mut add = |measure: &str, expr: String, family: Family| {
            exprs.push(expr);
            stats.push((name.clone(), measure.to_string(), family));
        };
        add("non-null", format!("count({q})"), Family::Integer);
        match family {
            Family::Integer | Family::Decimal | Family::Float => {
                add("distinct", format!("count(distinct {q})"), Family::Integer);
                add("sum", format!("sum({q})"), *family);
                add("min", format!("min({q})"), *family);
                add("max", format!("max({q})"), *family);
            }
            Family::Date | Family::Timestamp => {
                add("distinct", format!("count(distinct {q})"), Family::Integer);
                add("min", format!("min({q})"), *family);
                add("max", format!("max({q})"), *family);
            }
            Family::Text => {
                // Lengths, not min/max: text order follows the server's collation.
                add("distinct", format!("count(distinct {q})"), Family::Integer);
                add("total length", format!("sum(length({q}))"), Family::Integer);
                add("max length", format!("max(length({q}))"), Family::Integer);
            }
            Family::Boolean => add("true", format!("sum(case when {q} then 1 else 0 end)"), Family::Integer),
            Family::Other => {}
        }
    }
    let sql = format!("select {} from {}", exprs.join(", "), side.relation);
    let result = side.adapter.query(&sql, Some(1))?;
    let row = result.rows.into_iter().next().unwrap_or_default();
    let mut values = row.into_iter();
    let count = values.next().as_ref().and_then(as_u64).unwrap_or(0);
    let stats = stats
        .into_iter()
        .zip(values)
        .map(|((column, measure, family), value)| (column, measure, family, value))
        .collect();
    Ok((count, stats))
}

fn as_u64(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// A side's rows by canonical key: the key's values as read, then the compared columns' values.
type KeyedRows = HashMap<Vec<String>, (Vec<Value>, Vec<Value>)>;

/// Both sides' rows keyed by their canonical key, compared column by column.
fn compare_rows(
    left: &Side<'_>,
    right: &Side<'_>,
    columns: &[(String, Family)],
    options: &DiffOptions,
    report: &mut DiffReport,
) -> Result<(), DiffError> {
    let key_families: Vec<Family> = options
        .key
        .iter()
        .map(|k| {
            columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(k))
                .map_or(Family::Other, |(_, f)| *f)
        })
        .collect();
    let load = |side: &Side<'_>| -> Result<KeyedRows, DiffError> {
        let mut list: Vec<String> = options.key.iter().map(|k| quote_ident(k)).collect();
        list.extend(columns.iter().map(|(c, _)| quote_ident(c)));
        let sql = format!("select {} from {}", list.join(", "), side.relation);
        let result = side.adapter.query(&sql, None).map_err(|error| DiffError::Warehouse {
            side: side.label.clone(),
            error,
        })?;
        Ok(result
            .rows
            .into_iter()
            .map(|mut row| {
                let values = row.split_off(options.key.len().min(row.len()));
                let key = row
                    .iter()
                    .zip(&key_families)
                    .map(|(v, f)| canonical(*f, v).unwrap_or_default())
                    .collect();
                (key, (row, values))
            })
            .collect())
    };
    let left_rows = load(left)?;
    let mut right_rows = load(right)?;
    let mut listed: Vec<(Vec<String>, RowDiff)> = Vec::new();
    let mut differing = 0u64;
    for (key, (key_values, values)) in left_rows {
        match right_rows.remove(&key) {
            None => {
                differing += 1;
                listed.push((key, RowDiff::OnlyLeft { key: key_values }));
            }
            Some((_, other)) => {
                let changed: Vec<(String, Value, Value)> = columns
                    .iter()
                    .zip(values.iter().zip(other.iter()))
                    .filter(|((_, f), (l, r))| !normalize::same(*f, l, r))
                    .map(|((name, _), (l, r))| (name.clone(), l.clone(), r.clone()))
                    .collect();
                if !changed.is_empty() {
                    differing += 1;
                    listed.push((
                        key,
                        RowDiff::Changed {
                            key: key_values,
                            columns: changed,
                        },
                    ));
                }
            }
        }
    }
    for (key, (key_values, _)) in right_rows {
        differing += 1;
        listed.push((key, RowDiff::OnlyRight { key: key_values }));
    }
    // A stable listing: by key, so two runs over the same data print the same rows.
    listed.sort_by(|a, b| compare_keys(&a.0, &b.0));
    report.differing_rows = differing;
    report.rows = listed.into_iter().take(options.show).map(|(_, d)| d).collect();
    Ok(())
}

/// Key order for the listing: numbers by value (so 10 comes after 9), the rest as text.
fn compare_keys(a: &[String], b: &[String]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => x.cmp(y),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}
