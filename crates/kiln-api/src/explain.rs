//! The console's Explain: the statement under the cursor → the warehouse's EXPLAIN in the form
//! kiln-explain reads (`EXPLAIN (FORMAT JSON)` on DuckDB and PostgreSQL, text on Redshift) → a
//! plan tree with what deserves attention flagged. The SQL is prepared exactly as the console
//! runs it (Jinja, and Redshift → DuckDB on the embedded warehouse).

use kiln_diagnostics::Code;
use kiln_explain::{Engine, Plan};
use kiln_sql::Statement;
use kiln_warehouse::QueryResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::dto::DiagnosticDto;
use crate::error::{to_u32, ApiError, ApiResult, ErrorKind};
use crate::query::{locate, prepare_sql_on};
use crate::state::ProjectState;
use crate::{blocking, Studio};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExplainQueryRequest {
    pub sql: String,
    /// Byte offset of the cursor in `sql`: the statement there is explained. Without it `sql`
    /// must hold a single statement.
    #[serde(default)]
    #[ts(optional)]
    pub offset: Option<u32>,
    /// The console's connection (none: the project's target), as for running.
    #[serde(default)]
    #[ts(optional)]
    pub connection: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExplainResponse {
    /// The statement explained, as written in the script.
    pub sql: String,
    /// Its 1-based first line in the script.
    pub line: u32,
    pub plan: Plan,
}

fn statement(request: &ExplainQueryRequest) -> ApiResult<Statement> {
    match request.offset {
        Some(offset) => kiln_sql::statement_at(&request.sql, offset as usize).ok_or_else(|| {
            ApiError::bad_request("there is no SQL statement at the cursor").hint("put the cursor inside a statement")
        }),
        None => {
            let mut statements = kiln_sql::split_statements(&request.sql);
            match statements.len() {
                1 => Ok(statements.remove(0)),
                0 => Err(ApiError::bad_request("there is no SQL statement to explain")),
                n => Err(
                    ApiError::bad_request(format!("the script holds {n} statements; Explain shows one plan"))
                        .hint("pass the cursor's offset to explain the statement under it"),
                ),
            }
        }
    }
}

/// The plan text kiln-explain reads, out of the EXPLAIN result's rows.
fn plan_text(engine: Engine, result: &QueryResult) -> Option<String> {
    let text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match engine {
        // Rows of (explain_key, explain_value); the plan is the `physical_plan` row.
        Engine::Duckdb => result
            .rows
            .iter()
            .find(|row| row.first().and_then(Value::as_str) == Some("physical_plan"))
            .or(result.rows.first())
            .and_then(|row| row.get(1))
            .map(text),
        // One row, one JSON document (a string, or already decoded by the driver).
        Engine::Postgres => result.rows.first().and_then(|row| row.first()).map(text),
        // One row per line of the plan.
        Engine::Redshift => Some(
            result
                .rows
                .iter()
                .filter_map(|row| row.first().map(text))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    }
}

fn unreadable(message: String, statement: &Statement) -> ApiError {
    let mut error = ApiError::new(ErrorKind::Unprocessable, Code::ExplainPlan.as_str(), message)
        .hint("run the statement to check it; if it runs, this EXPLAIN output is one Kiln does not know yet — please report it");
    error.diagnostic.line = Some(to_u32(statement.line));
    error
}

fn explain(studio: &Studio, state: &ProjectState, request: &ExplainQueryRequest) -> ApiResult<ExplainResponse> {
    let statement = statement(request)?;
    let console = studio.console(state, request.connection.as_deref())?;
    let adapter = console.adapter;
    let engine = Engine::from_kind(adapter.kind())
        .ok_or_else(|| ApiError::bad_request(format!("Explain does not support {} warehouses", adapter.kind())))?;
    let located = |d: DiagnosticDto, prefix: u32| ApiError::from_dto(locate(d, &statement, prefix));
    let sql = prepare_sql_on(state, &statement.sql, &console.kind).map_err(|d| located(d, 0))?;
    // The query follows on a line of its own: positions in errors are one line down.
    let result = adapter
        .query(&engine.explain_sql(&sql), None)
        .map_err(|e| located(*ApiError::from_adapter(&e).diagnostic, 1))?;
    let text = plan_text(engine, &result)
        .ok_or_else(|| unreadable("the warehouse answered EXPLAIN with no rows".into(), &statement))?;
    let plan = kiln_explain::parse(engine, &text)
        .map_err(|e| unreadable(format!("cannot read the {} plan: {e}", adapter.kind()), &statement))?;
    Ok(ExplainResponse {
        sql: statement.sql.clone(),
        line: to_u32(statement.line),
        plan,
    })
}

impl Studio {
    /// The plan of the statement under the cursor as a tree, with broadcasts, redistributions,
    /// nested loops and the costliest step flagged.
    pub async fn explain_query(&self, request: ExplainQueryRequest) -> ApiResult<ExplainResponse> {
        let state = self.project()?;
        let studio = self.clone();
        blocking(move || explain(&studio, &state, &request)).await
    }
}
