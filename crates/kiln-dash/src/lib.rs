//! Charts: what a chart shows ([`ChartSpec`]), the first chart a result gets ([`suggest`]), and
//! the query that computes what it draws ([`plan`], [`chart`]): time buckets and aggregation run in
//! the warehouse, long raw series are down-sampled (LTTB) in the engine, so the UI receives a few
//! thousand points however big the table. Dashboards (files of panels, each a query and a spec)
//! build on these.

mod check;
mod complete;
mod dashboard;
mod edit;
mod grafana;
mod grafana_import;
mod lttb;
mod panel;
pub mod plan;
mod regions;
pub mod render;
mod run;
mod spec;
mod suggest;
pub mod variables;

use kiln_diagnostics::{Code, Diagnostic};

pub use check::check_columns;
pub use complete::complete;
pub use dashboard::{
    panel_line, parse_dashboard, refresh_seconds, window_range, Dashboard, GridPos, Panel, TimeWindow, GRID_COLUMNS,
};
pub use edit::{edit_dashboard, PanelEdit};
pub use grafana::{expand_macros, resolve_time, rfc3339, TimeRange};
pub use grafana_import::{import_grafana, slug, write_imported, Imported, MIN_SCHEMA_VERSION};
pub use lttb::lttb;
pub use panel::{filtered_query, panel_chart, panel_sql, PanelFilter, TABLE_ROWS};
pub use plan::{Column, Role};
pub use regions::{country_key, us_state_key};
pub use run::{chart, ChartData, RunError};
pub use spec::{Aggregation, ChartKind, ChartSpec, Measure, RegionSet, TimeBucket};
pub use suggest::suggest;
pub use variables::{Selection, Variable};

/// A spec that does not fit the data it charts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error("{message}")]
    Spec { message: String, hint: String },
}

impl ChartError {
    /// The coded diagnostic users see (K7001).
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            ChartError::Spec { message, hint } => {
                Diagnostic::error(Code::ChartSpec, message.clone()).hint(hint.clone())
            }
        }
    }
}
