//! A Grafana dashboard imported from the studio: the JSON the user picked is converted by
//! kiln-dash (as `kiln dashboard import` does) and written into the project's first dashboard
//! folder; the file watcher then lists it like any other dashboard.

use std::path::Path;

use crate::dto::{ImportGrafanaRequest, ImportGrafanaResponse};
use crate::error::{slash_path, to_u32, ApiError, ApiResult};
use crate::state::ProjectState;
use crate::{blocking, Studio};

fn import(state: &ProjectState, request: &ImportGrafanaRequest) -> ApiResult<ImportGrafanaResponse> {
    let source = request.file_name.as_deref().unwrap_or("grafana.json");
    let imported = kiln_dash::import_grafana(&request.json, Path::new(source)).map_err(|problems| {
        problems
            .into_iter()
            .next()
            .map(ApiError::from)
            .unwrap_or_else(|| ApiError::bad_request("the Grafana dashboard could not be read"))
    })?;
    let folder = state
        .config
        .dashboard_paths
        .first()
        .map_or("dashboards", String::as_str);
    let stem = match request.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => kiln_dash::slug(&imported.dashboard.title),
    };
    let path = kiln_dash::write_imported(
        &state.root.join(folder),
        Path::new(folder),
        &stem,
        &imported.yaml,
        request.overwrite.unwrap_or(false),
    )?;
    Ok(ImportGrafanaResponse {
        path: slash_path(&kiln_diagnostics::relative_to(&state.root, &path)),
        title: imported.dashboard.title,
        panels: to_u32(imported.dashboard.panels.len()),
        not_converted: imported.not_converted,
        notes: imported.notes,
    })
}

impl Studio {
    /// Converts a Grafana dashboard's JSON into `dashboards/<name>.yml`; refuses to replace a
    /// file unless `overwrite`. What could not be converted is in the answer and the file.
    pub async fn import_grafana_dashboard(&self, request: ImportGrafanaRequest) -> ApiResult<ImportGrafanaResponse> {
        let state = self.project()?;
        blocking(move || import(&state, &request)).await
    }
}
