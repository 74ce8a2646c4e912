//! Charts of console results: the stored result (after the grid's filter) charted by kiln-dash in
//! the warehouse, with a suggested spec when the UI has none yet.

use kiln_dash::{ChartData, ChartSpec, Column};

use crate::dto::{ChartDataRequest, ColumnDto};
use crate::error::{ApiError, ApiResult};
use crate::query::{filtered_table, ready, still_materialising};
use crate::state::ProjectState;
use crate::stores::Stored;
use crate::{blocking, Studio};

/// Points per series a chart receives by default; LTTB keeps the shape.
const DEFAULT_POINTS: u32 = 2_000;
const MAX_POINTS: u32 = 20_000;

fn planner_columns(columns: &[ColumnDto]) -> Vec<Column> {
    columns
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            data_type: c.data_type.clone().unwrap_or_default(),
        })
        .collect()
}

fn chart_data(state: &ProjectState, request: &ChartDataRequest) -> ApiResult<ChartData> {
    let (relation, columns) = match ready(state, &request.query_id, request.statement)? {
        Stored::Table { relation, columns, .. } => (relation, columns),
        Stored::Pending { .. } => return Err(still_materialising()),
        Stored::Failed => {
            return Err(
                ApiError::bad_request("this statement failed and has nothing to chart").hint("fix it and run it again")
            )
        }
        Stored::Rows { .. } => {
            return Err(
                ApiError::bad_request("only the result of a query (SELECT, WITH, FROM …) can be charted")
                    .hint("wrap the statement in a SELECT"),
            )
        }
    };
    let adapter = state.results()?;
    let source = match request.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => {
            let key = (request.query_id.as_str(), request.statement);
            filtered_table(state, adapter.as_ref(), key, &relation, &columns, text)?.relation
        }
        None => relation.clone(),
    };
    let planner = planner_columns(&columns);
    let spec = match &request.spec {
        Some(spec) => spec.clone(),
        None => {
            let sample = adapter
                .query(&format!("SELECT * FROM {relation} LIMIT 200"), Some(200))
                .map_err(|e| ApiError::from_adapter(&e))?;
            kiln_dash::suggest(&planner, &sample.rows)
        }
    };
    if spec.kind == kiln_dash::ChartKind::Table {
        return Ok(table_chart(spec));
    }
    let points = request.max_points.unwrap_or(DEFAULT_POINTS).clamp(3, MAX_POINTS) as usize;
    kiln_dash::chart(adapter.as_ref(), &source, &planner, &spec, points).map_err(ApiError::from)
}

/// A table "chart" is the grid itself: nothing to compute.
fn table_chart(spec: ChartSpec) -> ChartData {
    ChartData {
        spec,
        roles: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        value: serde_json::Value::Null,
        sampled_from: None,
        notes: Vec::new(),
        sql: String::new(),
    }
}

impl Studio {
    /// What a chart of a console result draws: its spec (suggested when none is given) and the
    /// rows its planned query computes in the warehouse.
    pub async fn chart_data(&self, request: ChartDataRequest) -> ApiResult<ChartData> {
        let state = self.project()?;
        blocking(move || chart_data(&state, &request)).await
    }
}
