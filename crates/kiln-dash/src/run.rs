//! Runs a chart's planned query on a warehouse and shapes the answer the chart draws: resolves an
//! automatic time bucket, down-samples raw series, reads a stat's value and counts what a map
//! had to leave out.

use kiln_warehouse::{Adapter, AdapterError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::lttb::lttb;
use crate::plan::{self, is_temporal, Column, Role, Source};
use crate::spec::{ChartKind, ChartSpec, TimeBucket};
use crate::ChartError;

/// Buckets an automatic time axis aims at.
const AUTO_BUCKETS: f64 = 500.0;

/// What a chart draws: the rows of its planned query, each column with its role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartData {
    /// The spec as drawn: an automatic bucket resolved to the one used.
    pub spec: ChartSpec,
    pub roles: Vec<Role>,
    /// The name of each column of `rows` (a table panel shows them as headers).
    pub columns: Vec<String>,
    #[ts(type = "unknown[][]")]
    pub rows: Vec<Vec<Value>>,
    /// A stat's or gauge's number (over every row).
    #[ts(type = "unknown")]
    pub value: Value,
    /// Raw points read before down-sampling to `rows`, when the engine down-sampled.
    pub sampled_from: Option<u64>,
    /// Things the chart left out, said plainly ("12 rows without valid coordinates").
    pub notes: Vec<String>,
    /// The query that computed `rows`.
    pub sql: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Spec(#[from] ChartError),
    #[error(transparent)]
    Warehouse(#[from] AdapterError),
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn resolve_bucket(
    adapter: &dyn Adapter,
    spec: &ChartSpec,
    source: &Source<'_>,
) -> Result<Option<TimeBucket>, RunError> {
    let Some(x) = spec
        .x
        .as_ref()
        .and_then(|x| source.columns.iter().find(|c| &c.name == x))
    else {
        return Ok(None);
    };
    if !is_temporal(&x.data_type) {
        return Ok(None);
    }
    match spec.bucket {
        Some(TimeBucket::Auto) => {
            let range = adapter.query(&plan::range_sql(&x.name, source.relation), Some(1))?;
            let row = range.rows.first();
            let seconds = match (number(row.and_then(|r| r.first())), number(row.and_then(|r| r.get(1)))) {
                (Some(from), Some(to)) => to - from,
                _ => 0.0,
            };
            Ok(Some(plan::auto_bucket(seconds, AUTO_BUCKETS)))
        }
        other => Ok(other),
    }
}

/// Charts `spec` over `relation` (a table or a parenthesised query whose columns are `columns`),
/// its missing encodings completed from the columns ([`crate::complete`]), down-sampling raw
/// series to at most `max_points` points each.
pub fn chart(
    adapter: &dyn Adapter,
    relation: &str,
    columns: &[Column],
    spec: &ChartSpec,
    max_points: usize,
) -> Result<ChartData, RunError> {
    // What the spec leaves out (an imported Grafana panel names no columns) comes from the
    // columns; `spec` in the answer is the completed one, so the settings show what is drawn.
    let spec = &crate::complete::complete(spec, columns);
    let source = Source { relation, columns };
    let bucket = resolve_bucket(adapter, spec, &source)?;
    let mut drawn = spec.clone();
    if drawn.bucket.is_some() || bucket.is_some() {
        drawn.bucket = bucket;
    }
    let mut notes = Vec::new();
    let mut value = Value::Null;
    let single = matches!(spec.kind, ChartKind::Stat | ChartKind::Gauge);
    if single && spec.x.is_some() {
        let mut total = spec.clone();
        total.x = None;
        let plan = plan::plan(&total, &source, None)?;
        value = first_cell(adapter.query(&plan.sql, Some(1))?.rows);
    }
    let plan = plan::plan(&drawn, &source, bucket)?;
    // A long line or area is thinned in the warehouse first (M4 over a few times the points
    // drawn), then LTTB picks the points to draw from what is left.
    let reduced = plan::reduced_sql(&plan, max_points.max(3) * 2);
    let run = plan::for_warehouse(reduced.clone().unwrap_or_else(|| plan.sql.clone()), adapter.kind());
    let result = adapter.query(&run, None)?;
    let mut names: Vec<String> = result.columns.iter().map(|c| c.name.clone()).collect();
    let mut rows = result.rows;
    let mut raw_points = None;
    if reduced.is_some() {
        names.pop();
        raw_points = rows.first().and_then(|row| number(row.last())).map(|n| n as u64);
        for row in &mut rows {
            row.pop();
        }
    }
    if single && spec.x.is_none() {
        value = first_cell(rows.clone());
    }
    let mut sampled_from = None;
    if plan.raw {
        if rows.len() > plan::MAX_RAW_ROWS {
            rows.truncate(plan::MAX_RAW_ROWS);
            notes.push(format!("only the first {} points were read", plan::MAX_RAW_ROWS));
        }
        let before = raw_points.unwrap_or(rows.len() as u64);
        rows = downsample(rows, &plan, max_points);
        if (rows.len() as u64) < before {
            sampled_from = Some(before);
        }
    }
    if plan.epoch_column {
        names.pop();
        for row in &mut rows {
            row.pop();
        }
    }
    if spec.kind == ChartKind::PointMap {
        if let Some(sql) = plan::off_map_sql(spec, &source) {
            let off = number(adapter.query(&sql, Some(1))?.rows.first().and_then(|r| r.first())).unwrap_or(0.0);
            if off > 0.0 {
                notes.push(format!(
                    "{off} rows have no valid latitude/longitude and are not on the map"
                ));
            }
        }
        if rows.len() > plan::MAX_MARKERS {
            rows.truncate(plan::MAX_MARKERS);
            notes.push(format!("only the first {} markers are drawn", plan::MAX_MARKERS));
        }
    }
    Ok(ChartData {
        spec: drawn,
        roles: plan.roles,
        columns: names,
        rows,
        value,
        sampled_from,
        notes,
        sql: plan.sql,
    })
}

fn first_cell(rows: Vec<Vec<Value>>) -> Value {
    rows.into_iter()
        .next()
        .and_then(|r| r.into_iter().next())
        .unwrap_or(Value::Null)
}

/// Down-samples each series of raw points with LTTB on its first value, keeping x order.
fn downsample(rows: Vec<Vec<Value>>, plan: &plan::Plan, max_points: usize) -> Vec<Vec<Value>> {
    let x_index = if plan.epoch_column { plan.roles.len() } else { 0 };
    let series_index = plan.roles.iter().position(|r| *r == Role::Series);
    let y_index = plan.roles.iter().position(|r| *r == Role::Y).unwrap_or(1);
    let mut groups: Vec<(Value, Vec<usize>)> = Vec::new();
    for (k, row) in rows.iter().enumerate() {
        let key = series_index.and_then(|s| row.get(s).cloned()).unwrap_or(Value::Null);
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, members)) => members.push(k),
            None => groups.push((key, vec![k])),
        }
    }
    let mut keep = vec![false; rows.len()];
    for (_, members) in &groups {
        let points: Vec<(f64, f64)> = members
            .iter()
            .map(|&k| {
                let row = &rows[k];
                (
                    number(row.get(x_index)).unwrap_or(k as f64),
                    number(row.get(y_index)).unwrap_or(0.0),
                )
            })
            .collect();
        for picked in lttb(&points, max_points.max(3)) {
            keep[members[picked]] = true;
        }
    }
    rows.into_iter()
        .zip(keep)
        .filter_map(|(row, kept)| kept.then_some(row))
        .collect()
}
