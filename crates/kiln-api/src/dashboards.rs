//! Dashboards of the open project: the list, one dashboard read and checked, and one panel's
//! data — its query compiled like the console's (Jinja, Redshift → DuckDB) and charted by
//! kiln-dash in the warehouse, so a panel over ten million rows sends the UI only what it draws.

use std::path::{Path, PathBuf};

use kiln_dash::{ChartData, ChartKind, Column};

use kiln_warehouse::{quote_ident, quote_literal};

use crate::dto::{
    DashboardDto, DashboardList, DashboardSummaryDto, Empty, OpenDashboardRequest, PanelDataRequest, PanelFilter,
};
use crate::error::{diagnostic_dto, ApiError, ApiResult};
use crate::paths::confine_file;
use crate::query::prepare_sql;
use crate::state::ProjectState;
use crate::{blocking, Studio};

const DEFAULT_POINTS: u32 = 2_000;
/// Rows a table panel shows.
const TABLE_ROWS: usize = 1_000;

fn dashboard_files(state: &ProjectState) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in &state.config.dashboard_paths {
        walk(&state.root.join(dir), &mut files);
    }
    files.sort();
    files
}

fn relative(state: &ProjectState, path: &Path) -> String {
    kiln_diagnostics::relative_to(&state.root, path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn name_of(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read(state: &ProjectState, path: &str) -> ApiResult<DashboardDto> {
    let (absolute, relative) = confine_file(&state.root, path)?;
    let text = std::fs::read_to_string(&absolute).map_err(|e| ApiError::io(&relative, &e))?;
    let (dashboard, diagnostics) = match kiln_dash::parse_dashboard(&text, Path::new(&relative)) {
        Ok(dashboard) => (Some(dashboard), Vec::new()),
        Err(problems) => (None, problems.iter().map(diagnostic_dto).collect()),
    };
    let refresh_seconds = dashboard
        .as_ref()
        .and_then(|d| kiln_dash::refresh_seconds(d.refresh.as_deref()).ok().flatten());
    Ok(DashboardDto {
        name: name_of(&relative),
        path: relative,
        dashboard,
        refresh_seconds,
        diagnostics,
    })
}

fn list(state: &ProjectState) -> DashboardList {
    let dashboards = dashboard_files(state)
        .iter()
        .map(|file| {
            let path = relative(state, file);
            match read(state, &path) {
                Ok(dto) => DashboardSummaryDto {
                    name: dto.name,
                    title: dto
                        .dashboard
                        .as_ref()
                        .map(|d| d.title.clone())
                        .unwrap_or_else(|| path.clone()),
                    panels: dto
                        .dashboard
                        .as_ref()
                        .map_or(0, |d| crate::error::to_u32(d.panels.len())),
                    error: dto.diagnostics.into_iter().next(),
                    path,
                },
                Err(error) => DashboardSummaryDto {
                    name: name_of(&path),
                    title: path.clone(),
                    panels: 0,
                    error: Some(*error.diagnostic),
                    path,
                },
            }
        })
        .collect();
    DashboardList { dashboards }
}

fn panel_data(state: &ProjectState, request: &PanelDataRequest) -> ApiResult<ChartData> {
    let dto = read(state, &request.path)?;
    let Some(dashboard) = dto.dashboard else {
        let first = dto.diagnostics.into_iter().next();
        return Err(match first {
            Some(diagnostic) => ApiError::from_dto(diagnostic),
            None => ApiError::bad_request("the dashboard could not be read"),
        });
    };
    let panel = dashboard.panels.get(request.panel as usize).ok_or_else(|| {
        ApiError::bad_request(format!("the dashboard has no panel {}", request.panel + 1))
            .hint("reload the dashboard: its file changed")
    })?;
    let spec = request.spec.clone().unwrap_or_else(|| panel.chart.clone());
    // Grafana's macros first (their expansions are plain SQL), then Jinja and the dialect.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    let query = dashboard
        .time_range(now)
        .and_then(|range| kiln_dash::expand_macros(&panel.query, &range))
        .map_err(|message| {
            ApiError::from(
                kiln_diagnostics::Diagnostic::error(
                    kiln_diagnostics::Code::Dashboard,
                    format!("panel '{}': {message}", panel.title),
                )
                .at(kiln_diagnostics::Location::at(
                    &dto.path,
                    panel_line(state, &dto.path, request.panel),
                    None,
                )),
            )
        })?;
    let sql = prepare_sql(state, &query).map_err(ApiError::from_dto)?;
    let body = sql.trim().trim_end_matches(';');
    let adapter = state.adapter()?;
    let described = adapter
        .query(&format!("SELECT * FROM ({body}) AS panel LIMIT 0"), Some(0))
        .map_err(|e| ApiError::from_adapter(&e))?;
    let (relation, skipped) = filtered(body, &described.columns, request.filters.as_deref().unwrap_or_default());
    if spec.kind == ChartKind::Table {
        let result = adapter
            .query(
                &format!("SELECT * FROM {relation} LIMIT {TABLE_ROWS}"),
                Some(TABLE_ROWS),
            )
            .map_err(|e| ApiError::from_adapter(&e))?;
        return Ok(ChartData {
            spec,
            roles: Vec::new(),
            columns: result.columns.iter().map(|c| c.name.clone()).collect(),
            rows: result.rows,
            value: serde_json::Value::Null,
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
    let points = request.max_points.unwrap_or(DEFAULT_POINTS).clamp(3, 20_000) as usize;
    let mut data = kiln_dash::chart(adapter.as_ref(), &relation, &columns, &spec, points).map_err(ApiError::from)?;
    data.notes.extend(skipped);
    Ok(data)
}

/// The line of a panel's entry in its file, for errors about it.
fn panel_line(state: &ProjectState, path: &str, panel: u32) -> usize {
    std::fs::read_to_string(state.root.join(path))
        .ok()
        .and_then(|text| kiln_dash::panel_line(&text, panel as usize))
        .unwrap_or(1)
}

/// A SQL literal for a clicked value; `None` for values a filter cannot compare (lists, objects).
fn literal(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => Some("NULL".into()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(quote_literal(s)),
        _ => None,
    }
}

/// The panel's query narrowed by the cross-filters whose column it has (compared as text when
/// the types differ, so a clicked '2008-01-01' matches a DATE), and a note per filter skipped.
fn filtered(body: &str, columns: &[kiln_warehouse::ColumnInfo], filters: &[PanelFilter]) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut skipped = Vec::new();
    for filter in filters {
        let known = columns.iter().any(|c| c.name == filter.column);
        match (known, literal(&filter.value)) {
            (true, Some(value)) => {
                let column = quote_ident(&filter.column);
                conditions.push(match &filter.value {
                    serde_json::Value::Null => format!("{column} IS NULL"),
                    serde_json::Value::String(_) => format!("CAST({column} AS VARCHAR) = {value}"),
                    _ => format!("{column} = {value}"),
                });
            }
            _ => skipped.push(format!(
                "not filtered by {} (the panel's query has no such column)",
                filter.column
            )),
        }
    }
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

impl Studio {
    /// The project's dashboards (`dashboards/*.yml`), each with its title or first problem.
    pub async fn dashboards(&self, _request: Empty) -> ApiResult<DashboardList> {
        let state = self.project()?;
        blocking(move || Ok(list(&state))).await
    }

    /// One dashboard as its file says, or the coded problems that keep it from opening.
    pub async fn open_dashboard(&self, request: OpenDashboardRequest) -> ApiResult<DashboardDto> {
        let state = self.project()?;
        blocking(move || read(&state, &request.path)).await
    }

    /// What one panel draws now (its spec, or the one being edited).
    pub async fn panel_data(&self, request: PanelDataRequest) -> ApiResult<ChartData> {
        let state = self.project()?;
        blocking(move || panel_data(&state, &request)).await
    }
}
