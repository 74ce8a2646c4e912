//! Operation name + JSON request → JSON response, for transports that carry operations by name
//! (`POST /api/<operation>` in `kiln serve`).

use std::future::Future;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::Studio;

fn request<T: DeserializeOwned>(operation: &str, body: Value) -> ApiResult<T> {
    // An absent body means "no arguments".
    let body = if body.is_null() {
        Value::Object(Default::default())
    } else {
        body
    };
    serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(format!("the request for {operation} does not fit: {e}"))
            .hint("see the request type in ui/src/api/generated/")
    })
}

fn response<T: serde::Serialize>(value: T) -> ApiResult<Value> {
    serde_json::to_value(value).map_err(|e| ApiError::internal(format!("cannot encode the response: {e}")))
}

/// An operation's name and the TypeScript names of its request and response types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    pub name: &'static str,
    pub request: String,
    pub response: String,
}

impl Signature {
    /// Takes the method itself (`Studio::open_project`), so the types come from its signature.
    fn of<'a, Req, Resp, Fut>(name: &'static str, cfg: &ts_rs::Config, _method: impl Fn(&'a Studio, Req) -> Fut) -> Self
    where
        Req: ts_rs::TS,
        Resp: ts_rs::TS,
        Fut: Future<Output = ApiResult<Resp>> + 'a,
    {
        Signature {
            name,
            request: Req::name(cfg),
            response: Resp::name(cfg),
        }
    }
}

macro_rules! operations {
    ($($name:literal => $method:ident),* $(,)?) => {
        /// Every operation name [`Studio::dispatch`] accepts.
        pub const OPERATIONS: &[&str] = &[$($name),*];

        /// Every operation with its request and response types, read off the methods themselves
        /// so that the UI's generated `OperationMap` cannot disagree with what dispatch calls.
        pub(crate) fn operation_signatures(cfg: &ts_rs::Config) -> Vec<Signature> {
            vec![$(Signature::of($name, cfg, Studio::$method)),*]
        }

        impl Studio {
            /// Runs the operation `name` (camelCase, as in the contract) with its JSON request.
            pub async fn dispatch(&self, name: &str, body: Value) -> ApiResult<Value> {
                match name {
                    $($name => response(self.$method(request(name, body)?).await?),)*
                    other => Err(ApiError::new(
                        crate::ErrorKind::NotFound,
                        crate::codes::BAD_REQUEST,
                        format!("there is no operation '{other}'"),
                    )
                    .hint(format!("operations: {}", OPERATIONS.join(", ")))),
                }
            }
        }
    };
}

operations! {
    "openProject" => open_project,
    "projectInfo" => project_info,
    "recentProjects" => recent_projects,
    "fileTree" => file_tree,
    "readFile" => read_file,
    "writeFile" => write_file,
    "createFile" => create_file,
    "createFolder" => create_folder,
    "movePath" => move_path,
    "deletePath" => delete_path,
    "pathReferences" => path_references,
    "compileModel" => compile_model,
    "graph" => graph,
    "docs" => docs,
    "genericTests" => generic_tests,
    "startRun" => start_run,
    "cancelRun" => cancel_run,
    "runHistory" => run_history,
    "runResults" => run_results,
    "selectNodes" => select_nodes,
    "runQuery" => run_query,
    "runStatementAt" => run_statement_at,
    "splitScript" => split_script,
    "explainQuery" => explain_query,
    "fetchRows" => fetch_rows,
    "columnStats" => column_stats,
    "chartData" => chart_data,
    "dashboards" => dashboards,
    "openDashboard" => open_dashboard,
    "importGrafanaDashboard" => import_grafana_dashboard,
    "dashboardVariables" => dashboard_variables,
    "panelData" => panel_data,
    "panelQuery" => panel_query,
    "cancelQuery" => cancel_query,
    "exportQuery" => export_query,
    "queryHistory" => query_history,
    "schema" => schema,
    "previewRelation" => preview_relation,
    "showModel" => show_model,
    "applyEdit" => apply_edit,
    "commitEdit" => commit_edit,
    "streams" => streams,
    "peekStream" => peek_stream,
    "targets" => targets,
    "connections" => connections,
    "saveConnection" => save_connection,
    "deleteConnection" => delete_connection,
    "browse" => browse,
    "diffModel" => diff_model,
    "canvasOpen" => canvas_open,
    "canvasUpdate" => canvas_update,
    "canvasAddStep" => canvas_add_step,
    "canvasSchemas" => canvas_schemas,
    "canvasPreview" => canvas_preview,
    "canvasProfile" => canvas_profile,
    "canvasJoinCheck" => canvas_join_check,
}
