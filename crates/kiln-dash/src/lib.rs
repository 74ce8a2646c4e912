//! Charts: what a chart shows ([`ChartSpec`]), the first chart a result gets ([`suggest`]), and
//! the query that computes what it draws ([`plan`], [`chart`]): time buckets and aggregation run in
//! the warehouse, long raw series are down-sampled (LTTB) in the engine, so the UI receives a few
//! thousand points however big the table. Dashboards (files of panels, each a query and a spec)
//! build on these.

mod dashboard;
mod grafana;
mod lttb;
pub mod plan;
mod regions;
mod run;
mod spec;
mod suggest;

use kiln_diagnostics::{Code, Diagnostic};

pub use dashboard::{
    panel_line, parse_dashboard, refresh_seconds, Dashboard, GridPos, Panel, TimeWindow, GRID_COLUMNS,
};
pub use grafana::{expand_macros, resolve_time, rfc3339, TimeRange};
pub use lttb::lttb;
pub use plan::{Column, Role};
pub use regions::{country_key, us_state_key};
pub use run::{chart, ChartData, RunError};
pub use spec::{Aggregation, ChartKind, ChartSpec, Measure, RegionSet, TimeBucket};
pub use suggest::suggest;

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
