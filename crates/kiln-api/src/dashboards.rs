//! Dashboards of the open project: the list, one dashboard read and checked, and one panel's
//! data — its query compiled like the console's (Jinja, Redshift → DuckDB) and charted by
//! kiln-dash in the warehouse, so a panel over ten million rows sends the UI only what it draws.

use std::path::{Path, PathBuf};

use kiln_dash::{ChartData, Dashboard, Variable};

use crate::dto::{
    DashboardDto, DashboardList, DashboardSummaryDto, DashboardVariables, DashboardVariablesRequest, EditPreview,
    Empty, FileChangeDto, OpenDashboardRequest, PanelDataRequest, PanelQuery, VariableChoices,
};
use crate::error::{diagnostic_dto, ApiError, ApiResult};
use crate::paths::confine_file;
use crate::query::prepare_sql;
use crate::state::ProjectState;
use crate::{blocking, Studio};

const DEFAULT_POINTS: u32 = 2_000;

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

/// A variable's choices: its fixed values, or its query's first column (Jinja compiled like a
/// panel's), with the picks of the variables declared before it written in.
fn choices(
    state: &ProjectState,
    dashboard: &Dashboard,
    variable: &Variable,
    selection: &kiln_dash::Selection,
) -> Result<Vec<String>, String> {
    kiln_dash::variables::variable_choices(&dashboard.variables, variable, selection, &mut |query| {
        let sql = prepare_sql(state, query).map_err(|d| d.message)?;
        let adapter = state.adapter().map_err(|e| e.diagnostic.message.clone())?;
        kiln_dash::variables::query_choices(adapter.as_ref(), &sql)
    })
}

fn loaded(state: &ProjectState, path: &str) -> ApiResult<(DashboardDto, Dashboard)> {
    let dto = read(state, path)?;
    match dto.dashboard.clone() {
        Some(dashboard) => Ok((dto, dashboard)),
        None => Err(match dto.diagnostics.into_iter().next() {
            Some(diagnostic) => ApiError::from_dto(diagnostic),
            None => ApiError::bad_request("the dashboard could not be read"),
        }),
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// A panel's query with the picked variables and time range written in (Jinja kept, so the
/// console shows `ref()`s), narrowed by the cross-filters: what "open in the console" opens.
fn panel_query(state: &ProjectState, request: &PanelDataRequest) -> ApiResult<PanelQuery> {
    let (dto, dashboard) = loaded(state, &request.path)?;
    let (_, query) = expanded(state, &dto, &dashboard, request)?;
    let sql = prepare_sql(state, &query).map_err(ApiError::from_dto)?;
    let described = state
        .adapter()?
        .query(
            &format!("SELECT * FROM ({}) AS panel LIMIT 0", sql.trim().trim_end_matches(';')),
            Some(0),
        )
        .map_err(|e| ApiError::from_adapter(&e))?;
    let names: Vec<String> = described.columns.iter().map(|c| c.name.clone()).collect();
    // Only the filters the panel follows: its result's columns say which.
    let filters = request.filters.as_deref().unwrap_or_default();
    Ok(PanelQuery {
        sql: kiln_dash::filtered_query(&query, &names, filters),
        columns: crate::query::columns_dto(&described),
    })
}

/// The panel a request names and its query with variables and macros written in.
fn expanded<'a>(
    state: &ProjectState,
    dto: &DashboardDto,
    dashboard: &'a Dashboard,
    request: &PanelDataRequest,
) -> ApiResult<(&'a kiln_dash::Panel, String)> {
    let panel = dashboard.panels.get(request.panel as usize).ok_or_else(|| {
        ApiError::bad_request(format!("the dashboard has no panel {}", request.panel + 1))
            .hint("reload the dashboard: its file changed")
    })?;
    let selection = request.variables.clone().unwrap_or_default();
    let query = kiln_dash::panel_sql(
        dashboard,
        panel,
        request.time.as_ref(),
        &selection,
        &mut |variable| choices(state, dashboard, variable, &selection),
        now(),
    )
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
    Ok((panel, query))
}

fn panel_data(state: &ProjectState, request: &PanelDataRequest) -> ApiResult<ChartData> {
    let (dto, dashboard) = loaded(state, &request.path)?;
    // Variables and Grafana's macros first (their expansions are plain SQL), then Jinja and
    // the dialect.
    let (panel, query) = expanded(state, &dto, &dashboard, request)?;
    let spec = request.spec.clone().unwrap_or_else(|| panel.chart.clone());
    let sql = prepare_sql(state, &query).map_err(ApiError::from_dto)?;
    let adapter = state.adapter()?;
    let points = request.max_points.unwrap_or(DEFAULT_POINTS).clamp(3, 20_000) as usize;
    let filters = request.filters.as_deref().unwrap_or_default();
    kiln_dash::panel_chart(adapter.as_ref(), &sql, &spec, filters, points).map_err(ApiError::from)
}

/// Each variable's choices and first selection; a variable whose query fails says why and
/// leaves the others usable.
fn variables(state: &ProjectState, request: &DashboardVariablesRequest) -> ApiResult<DashboardVariables> {
    let (_, dashboard) = loaded(state, &request.path)?;
    let selection = request.variables.clone().unwrap_or_default();
    let variables = dashboard
        .variables
        .iter()
        .map(|variable| {
            let (choices, error) = match choices(state, &dashboard, variable, &selection) {
                Ok(choices) => (choices, None),
                Err(message) => (Vec::new(), Some(format!("variable '{}': {message}", variable.name))),
            };
            VariableChoices {
                initial: kiln_dash::variables::initial(variable, &choices),
                choices,
                error,
                variable: variable.clone(),
            }
        })
        .collect();
    Ok(DashboardVariables { variables })
}

fn first_problem(problems: Vec<kiln_diagnostics::Diagnostic>) -> ApiError {
    ApiError::from_diagnostics(&kiln_diagnostics::Diagnostics(problems))
}

/// The file change that moves, resizes or re-charts panels, for the user to review.
pub(crate) fn edit(state: &ProjectState, path: &str, edits: &[kiln_dash::PanelEdit]) -> ApiResult<EditPreview> {
    let (absolute, relative) = confine_file(&state.root, path)?;
    let text = std::fs::read_to_string(&absolute).map_err(|e| ApiError::io(&relative, &e))?;
    let dashboard = kiln_dash::parse_dashboard(&text, Path::new(&relative)).map_err(first_problem)?;
    let after = kiln_dash::edit_dashboard(&text, &dashboard, edits).map_err(|message| {
        ApiError::from(
            kiln_diagnostics::Diagnostic::error(kiln_diagnostics::Code::Dashboard, message)
                .at(kiln_diagnostics::Location::at(&relative, 1, None)),
        )
    })?;
    // The edited file must still be a dashboard the engine accepts (a panel off the grid is not).
    kiln_dash::parse_dashboard(&after, Path::new(&relative)).map_err(first_problem)?;
    Ok(EditPreview {
        changes: vec![FileChangeDto {
            path: relative,
            before: Some(text),
            after: Some(after),
        }],
    })
}

/// The line of a panel's entry in its file, for errors about it.
fn panel_line(state: &ProjectState, path: &str, panel: u32) -> usize {
    std::fs::read_to_string(state.root.join(path))
        .ok()
        .and_then(|text| kiln_dash::panel_line(&text, panel as usize))
        .unwrap_or(1)
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

    /// Each variable of a dashboard with its choices (variable queries run now).
    pub async fn dashboard_variables(&self, request: DashboardVariablesRequest) -> ApiResult<DashboardVariables> {
        let state = self.project()?;
        blocking(move || variables(&state, &request)).await
    }

    /// A panel's query as the console should open it: variables, time range and cross-filters
    /// written in.
    pub async fn panel_query(&self, request: PanelDataRequest) -> ApiResult<PanelQuery> {
        let state = self.project()?;
        blocking(move || panel_query(&state, &request)).await
    }

    /// What one panel draws now (its spec, or the one being edited).
    pub async fn panel_data(&self, request: PanelDataRequest) -> ApiResult<ChartData> {
        let state = self.project()?;
        blocking(move || panel_data(&state, &request)).await
    }
}
