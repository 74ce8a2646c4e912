//! The selector box's live preview: which nodes a dbt selector picks, answered by the engine's own
//! selection (kiln-graph, as `kiln ls -s` runs it: every resource type, tests selected eagerly)
//! so the count the toolbar shows is the one a run would start from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use kiln_diagnostics::{Code, Diagnostic};
use kiln_graph::{IndirectSelection, SelectOptions};

use crate::error::ApiResult;
use crate::{blocking, Studio};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SelectNodesRequest {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SelectNodesResponse {
    /// Unique ids of the selected nodes, sorted.
    pub ids: Vec<String>,
    /// Selector words that matched nothing.
    pub unmatched: Vec<String>,
}

impl Studio {
    /// The nodes `select` minus `exclude` picks, as `kiln ls -s … --exclude …` lists them.
    pub async fn select_nodes(&self, request: SelectNodesRequest) -> ApiResult<SelectNodesResponse> {
        let state = self.project()?;
        blocking(move || {
            let manifest = state.require_manifest()?;
            let options = SelectOptions {
                resource_types: None,
                indirect_selection: IndirectSelection::Eager,
            };
            let report = kiln_graph::select_with_report(&manifest.graph, &request.select, &request.exclude, options)
                .map_err(|e| {
                    Diagnostic::error(Code::Selector, e.to_string())
                        .hint("selectors look like: fct_sales, +fct_sales, tag:marts, path:models/staging, source:raw")
                })?;
            Ok(SelectNodesResponse {
                ids: report.selected.into_iter().collect(),
                unmatched: report.unmatched,
            })
        })
        .await
    }
}
