//! One dashboard panel, from its query text to what it draws — the path the studio's panels and
//! `kiln chart` share: variables and Grafana macros are written into the SQL here; the caller
//! compiles Jinja and the dialect (it owns the project), then [`panel_chart`] narrows the result
//! by cross-filters and charts it in the warehouse.

use kiln_warehouse::{quote_ident, quote_literal, Adapter, ColumnInfo};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::run::{chart, ChartData, RunError};
use crate::spec::{ChartKind, ChartSpec};
use crate::variables::{interpolate, Selection, Variable};
use crate::{expand_macros, window_range, Column, Dashboard, Panel, TimeWindow};

/// Rows a table panel shows.
pub const TABLE_ROWS: usize = 1_000;

/// Rows whose `column` equals `value` (a clicked bar, region or marker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PanelFilter {
    pub column: String,
    #[ts(type = "unknown")]
    pub value: Value,
}

/// A panel's query with the selected variables and the time range (`window`, else the
/// dashboard's) written in; Jinja is left for the caller. `choices` lists a variable's choices
/// when "All" or an empty pick needs them.
pub fn panel_sql(
    dashboard: &Dashboard,
    panel: &Panel,
    window: Option<&TimeWindow>,
    selection: &Selection,
    choices: &mut dyn FnMut(&Variable) -> Result<Vec<String>, String>,
    now: f64,
) -> Result<String, String> {
    // Grafana's order: template variables first, then macros (whose arguments may hold them).
    let sql = interpolate(&panel.query, &dashboard.variables, selection, choices)?;
    let range = window_range(window.or(dashboard.time.as_ref()), now)?;
    expand_macros(&sql, &range)
}

/// What a panel over `body` (compiled SQL, one statement) draws with `spec`, narrowed by
/// `filters`; a table panel gets its first rows as they are.
pub fn panel_chart(
    adapter: &dyn Adapter,
    body: &str,
    spec: &ChartSpec,
    filters: &[PanelFilter],
    points: usize,
) -> Result<ChartData, RunError> {
    let body = body.trim().trim_end_matches(';');
    let described = adapter.query(&format!("SELECT * FROM ({body}) AS panel LIMIT 0"), Some(0))?;
    let columns_of = |info: &[ColumnInfo]| -> Vec<Column> {
        info.iter()
            .map(|c| Column {
                name: c.name.clone(),
                data_type: c.data_type.clone(),
            })
            .collect()
    };
    // A numeric `time` of epoch seconds (Grafana's macros) is drawn as the time it means.
    let timed = crate::complete::epoch_time_sql(body, &columns_of(&described.columns));
    let (body, described) = match &timed {
        Some(timed) => (
            timed.as_str(),
            adapter.query(&format!("SELECT * FROM ({timed}) AS panel LIMIT 0"), Some(0))?,
        ),
        None => (body, described),
    };
    let (relation, skipped) = filtered(body, &described.columns, filters);
    if spec.kind == ChartKind::Table {
        let result = adapter.query(
            &format!("SELECT * FROM {relation} LIMIT {TABLE_ROWS}"),
            Some(TABLE_ROWS),
        )?;
        return Ok(ChartData {
            spec: spec.clone(),
            roles: Vec::new(),
            columns: result.columns.iter().map(|c| c.name.clone()).collect(),
            rows: result.rows,
            value: Value::Null,
            sampled_from: None,
            notes: result
                .truncated
                .then(|| format!("the first {TABLE_ROWS} rows"))
                .into_iter()
                .chain(skipped)
                .collect(),
            sql: body.to_string(),
        });
    }
    let columns: Vec<Column> = described
        .columns
        .into_iter()
        .map(|c| Column {
            name: c.name,
            data_type: c.data_type,
        })
        .collect();
    let mut data = chart(adapter, &relation, &columns, spec, points)?;
    data.notes.extend(skipped);
    Ok(data)
}

/// A SQL literal for a clicked value; `None` for values a filter cannot compare (lists, objects).
fn literal(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("NULL".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(quote_literal(s)),
        _ => None,
    }
}

/// The conditions of the cross-filters on columns `has`, and a note for each it skips.
fn conditions(has: &dyn Fn(&str) -> bool, filters: &[PanelFilter]) -> (Vec<String>, Vec<String>) {
    let mut conditions = Vec::new();
    let mut skipped = Vec::new();
    for filter in filters {
        match (has(&filter.column), literal(&filter.value)) {
            (true, Some(value)) => {
                let column = quote_ident(&filter.column);
                // Compared as text when the types differ, so a clicked '2008-01-01' matches a DATE.
                conditions.push(match &filter.value {
                    Value::Null => format!("{column} IS NULL"),
                    Value::String(_) => format!("CAST({column} AS VARCHAR) = {value}"),
                    _ => format!("{column} = {value}"),
                });
            }
            _ => skipped.push(format!(
                "not filtered by {} (the panel's query has no such column)",
                filter.column
            )),
        }
    }
    (conditions, skipped)
}

/// The panel's query narrowed by the cross-filters whose column it has, and a note per filter
/// skipped.
fn filtered(body: &str, columns: &[ColumnInfo], filters: &[PanelFilter]) -> (String, Vec<String>) {
    let (conditions, skipped) = conditions(&|name| columns.iter().any(|c| c.name == name), filters);
    let relation = if conditions.is_empty() {
        format!("({body}) AS panel")
    } else {
        format!(
            "(SELECT * FROM ({body}) AS unfiltered WHERE {}) AS panel",
            conditions.join(" AND ")
        )
    };
    (relation, skipped)
}

/// A panel's query as a user reads it in the console: the cross-filters on `columns` (the
/// query's result columns) as a readable WHERE around it.
pub fn filtered_query(query: &str, columns: &[String], filters: &[PanelFilter]) -> String {
    let body = query.trim().trim_end_matches(';');
    let (conditions, _) = conditions(&|name| columns.iter().any(|c| c == name), filters);
    if conditions.is_empty() {
        return body.to_string();
    }
    format!(
        "select * from (\n{body}\n) as panel\nwhere {}",
        conditions.join("\n  and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_query_applies_only_filters_on_its_columns() {
        let filters = [
            PanelFilter {
                column: "cat_name".into(),
                value: Value::String("O'Neil".into()),
            },
            PanelFilter {
                column: "qty".into(),
                value: Value::from(2),
            },
            PanelFilter {
                column: "elsewhere".into(),
                value: Value::from(1),
            },
        ];
        let columns = ["cat_name".to_string(), "qty".to_string()];
        assert_eq!(
            filtered_query("select * from t;", &columns, &filters),
            "select * from (\nselect * from t\n) as panel\nwhere CAST(\"cat_name\" AS VARCHAR) = 'O''Neil'\n  and \"qty\" = 2"
        );
        assert_eq!(filtered_query("select 1", &columns, &[]), "select 1");
    }
}
