//! The model canvas in the studio: a model file opened as steps (kiln-canvas), edited and written
//! back without the studio ever writing SQL, with each step's columns, rows, profile and join
//! checks from the project's warehouse.
//!
//! * `canvasOpen`, `canvasUpdate` and `canvasAddStep` are pure: the canvas, the model text it
//!   writes and what each step is. They run on every edit and touch no warehouse.
//! * `canvasSchemas`, `canvasPreview`, `canvasProfile` and `canvasJoinCheck` run a step's SQL
//!   ([`kiln_canvas::sql_until`]) on the warehouse after rendering its Jinja exactly as the query
//!   console does ([`crate::query::prepare_sql`]).
//! * Previews answer with the first rows and the row count only; the per-column profile (nulls,
//!   distinct values) is a separate `canvasProfile`, so a step over ten million rows shows its
//!   rows before a scan of every column finishes. Both register their `queryId` like the
//!   console's queries, so `cancelQuery` stops them; the registration is dropped when they
//!   answer (it holds no result), so a later `cancelQuery` of that id is an unknown id.
//! * A step whose rows come out of an aggregate is previewed by one query on DuckDB, which
//!   computes the aggregate once for both the first rows and the count (two queries computed it
//!   twice: an aggregate's first rows wait for all of it).
//! * Saving is `applyEdit` with `saveCanvas`: a preview of the file change, which `commitEdit`
//!   writes (refusing when the file changed meanwhile).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use kiln_canvas::{Canvas, CanvasError, JoinCounts, Relation, StepBody, StepKind, StepTemplate, Written};
use kiln_diagnostics::Code;
use kiln_project::TargetKind;
use kiln_warehouse::{quote_ident, Adapter, AdapterError, QueryResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::dto::{EditPreview, FileChangeDto};
use crate::error::{codes, to_u32, ApiError, ApiResult, ErrorKind};
use crate::paths::confine_file;
use crate::query::prepare_sql;
use crate::state::ProjectState;
use crate::{blocking, lock, Studio};

/// Rows a preview shows unless told otherwise, and at most.
const DEFAULT_PREVIEW_ROWS: u32 = 100;
const MAX_PREVIEW_ROWS: u32 = 10_000;
/// Columns a profile covers; a wider step's other columns get no profile.
const MAX_PROFILED_COLUMNS: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasOpenRequest {
    /// The model file, relative to the project (`models/marts/x.sql`), as `readFile` takes it.
    pub path: String,
}

/// A canvas with the model text it writes and what each step is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasState {
    pub canvas: Canvas,
    /// The model file the canvas writes; empty text and no lines for a canvas with no steps.
    pub written: Written,
    /// Per step, in canvas order.
    pub steps: Vec<StepInfo>,
    /// `canvasOpen`: the file exists on disk (false: a new model, opened as a canvas with no
    /// steps). `canvasUpdate` and `canvasAddStep` are not told the file: there it says whether
    /// any step was read from one.
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepInfo {
    pub kind: StepKind,
    /// The relations the step reads (earlier steps, models, seeds, sources, tables).
    pub inputs: Vec<Relation>,
    /// First and last line of the step in `written.sql` (1-based, inclusive); `[0, 0]` for a
    /// step the written text has no lines for.
    pub lines: (u32, u32),
    /// The step is new, or its name or body differs from what was read from the file.
    pub edited: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasUpdateRequest {
    pub canvas: Canvas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasAddStepRequest {
    pub canvas: Canvas,
    /// The step the new one follows and reads; none to add it first (an input or SQL step).
    #[serde(default)]
    #[ts(optional)]
    pub after: Option<u32>,
    pub template: StepTemplate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasAddStepResponse {
    pub state: CanvasState,
    /// Index of the new step.
    pub added: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasSchemasRequest {
    pub canvas: Canvas,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasSchemasResponse {
    /// Per step, in canvas order.
    pub steps: Vec<StepSchema>,
}

/// A step's output columns as the warehouse binds them, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepSchema {
    /// Empty when the step fails.
    pub columns: Vec<CanvasColumn>,
    /// The warehouse's (or Jinja's) message when the step does not bind: a column not found, no
    /// function matching the argument types … A step failing only because a step it reads
    /// fails says so: "step `filtered` fails: …".
    #[serde(default)]
    #[ts(optional)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasColumn {
    pub name: String,
    /// The warehouse's type name (`INTEGER`, `DECIMAL(8,2)`, `VARCHAR`).
    pub data_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasPreviewRequest {
    pub canvas: Canvas,
    /// Index of the step whose rows to show.
    pub step: u32,
    /// Rows to show (100 when absent, at most 10,000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// An id for `cancelQuery`; one is made up when absent.
    #[serde(default)]
    #[ts(optional)]
    pub query_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasPreviewResponse {
    pub columns: Vec<CanvasColumn>,
    /// The first `limit` rows, values as `runQuery` gives them.
    #[ts(type = "unknown[][]")]
    pub rows: Vec<Vec<Value>>,
    /// Every row of the step.
    pub row_count: u64,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasProfileRequest {
    pub canvas: Canvas,
    pub step: u32,
    /// An id for `cancelQuery`; one is made up when absent.
    #[serde(default)]
    #[ts(optional)]
    pub query_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasProfileResponse {
    /// Per column, in the step's order; only the first 60 columns of a wider step.
    pub profile: Vec<ColumnProfile>,
    pub row_count: u64,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnProfile {
    pub column: String,
    pub nulls: u64,
    /// Distinct non-null values; approximate (HyperLogLog, within a few percent) on DuckDB,
    /// 0 for a column whose type cannot be counted that way.
    pub distinct: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasJoinCheckRequest {
    pub canvas: Canvas,
    /// Index of the step whose joins to check.
    pub step: u32,
    /// An id for `cancelQuery`; one is made up when absent.
    #[serde(default)]
    #[ts(optional)]
    pub query_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CanvasJoinCheckResponse {
    /// One per join whose condition is a conjunction of equalities between the rows before it
    /// and the joined input; other joins (cross, ranges, `or`) are not checked.
    pub joins: Vec<JoinCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinCheck {
    /// Position of the join among the step's joins.
    pub join: u32,
    /// Rows before the join (the step's first input and its earlier joins; the step's filter is
    /// not applied).
    pub left_rows: u64,
    /// Of those, rows that find at least one match.
    pub matched_left_rows: u64,
    /// Rows the join outputs, for its kind (inner, left, right, full).
    pub output_rows: u64,
    /// Key values the joined input has more than once.
    pub duplicate_right_keys: u64,
    /// `matchedLeftRows / leftRows` (0 when there are no rows).
    pub match_rate: f64,
    /// Duplicate keys on the joined side repeat rows.
    pub fans_out: bool,
    pub message: String,
}

/// A canvas error as the user sees it (K6007), with what to do about it.
pub(crate) fn canvas_error(error: &CanvasError) -> ApiError {
    let hint = match error {
        CanvasError::NoPreviousStep => {
            "add an input step (a model, seed or source) first, then add this step after it".to_string()
        }
        CanvasError::NoSuchStep(_) => "reopen the model: the canvas changed since this step was picked".to_string(),
        CanvasError::Empty => "add an input step (a model, seed or source) before saving the model".to_string(),
        #[allow(unreachable_patterns)]
        _ => "undo the last change to the canvas and try again".to_string(),
    };
    ApiError::new(ErrorKind::BadRequest, codes::CANVAS, error.to_string()).hint(hint)
}

/// Whether any step of the canvas was read from a file.
fn read_from_file(canvas: &Canvas) -> bool {
    canvas.steps.iter().any(|s| s.source.is_some())
}

fn state_of(canvas: Canvas, exists: bool) -> CanvasState {
    let written = kiln_canvas::write_model(&canvas).unwrap_or(Written {
        sql: String::new(),
        lines: Vec::new(),
    });
    let steps = canvas
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| StepInfo {
            kind: step.kind(),
            inputs: step.inputs().into_iter().cloned().collect(),
            lines: written.lines.get(index).copied().unwrap_or((0, 0)),
            edited: step.edited(),
        })
        .collect();
    CanvasState {
        canvas,
        written,
        steps,
        exists,
    }
}

/// The file's current text, `None` when it does not exist yet.
fn current_text(state: &ProjectState, path: &str) -> ApiResult<(String, Option<String>)> {
    let (absolute, relative) = confine_file(&state.root, path)?;
    match std::fs::read_to_string(&absolute) {
        Ok(text) => Ok((relative, Some(text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((relative, None)),
        Err(e) => Err(ApiError::io(&relative, &e)),
    }
}

fn open(state: &ProjectState, path: &str) -> ApiResult<CanvasState> {
    let (_, text) = current_text(state, path)?;
    Ok(match text {
        Some(text) => state_of(kiln_canvas::read_model(&text), true),
        None => state_of(
            Canvas {
                steps: Vec::new(),
                layout: Default::default(),
                parse_error: None,
            },
            false,
        ),
    })
}

/// `applyEdit`'s `saveCanvas`: the model file the canvas writes, as a change to review.
pub(crate) fn save(state: &ProjectState, path: &str, canvas: &Canvas) -> ApiResult<EditPreview> {
    let (relative, before) = current_text(state, path)?;
    if canvas.steps.is_empty() {
        return Err(canvas_error(&CanvasError::Empty).in_file(relative));
    }
    let written = kiln_canvas::write_model(canvas).map_err(|e| canvas_error(&e).in_file(relative.clone()))?;
    Ok(EditPreview {
        changes: vec![FileChangeDto {
            path: relative,
            before,
            after: Some(written.sql),
        }],
    })
}

fn step_index(step: u32) -> usize {
    step as usize
}

/// Step `index`'s SQL, rendered and translated for the warehouse as the console's queries are.
fn step_sql(state: &ProjectState, canvas: &Canvas, index: usize) -> ApiResult<String> {
    let sql = kiln_canvas::sql_until(canvas, index).map_err(|e| canvas_error(&e))?;
    rendered(state, &sql)
}

fn rendered(state: &ProjectState, sql: &str) -> ApiResult<String> {
    prepare_sql(state, sql)
        .map(|sql| sql.trim_end().trim_end_matches(';').to_string())
        .map_err(ApiError::from_dto)
}

/// A warehouse message for a step: without DuckDB's `LINE n:` context, which points into SQL
/// the canvas generated and the user never sees, nor its list of every candidate function (some
/// fifty lines for `+`).
fn short_message(error: &AdapterError) -> String {
    let message = match error {
        AdapterError::Sql { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let mut short = message.as_str();
    for context in ["\nLINE ", "\n\tCandidate functions:", "\nCandidate functions:"] {
        short = short.split(context).next().unwrap_or_default();
    }
    short.trim().to_string()
}

fn columns_of(result: &QueryResult) -> Vec<CanvasColumn> {
    result
        .columns
        .iter()
        .map(|c| CanvasColumn {
            name: c.name.clone(),
            data_type: c.data_type.clone(),
        })
        .collect()
}

fn limited(sql: &str, limit: u32) -> String {
    format!("SELECT * FROM (\n{sql}\n) AS kiln_canvas LIMIT {limit}")
}

/// Whether step `index`'s rows come out of an aggregate: following each step's main input (the
/// relation it reads `from`) back towards the model's inputs, a step that groups (or keeps
/// distinct rows) comes first. Such a step's first rows wait for the whole aggregate, and a
/// separate `count(*)` would compute it again; its rows are at most the aggregate's, so they can
/// be kept once and both read from them.
fn fed_by_aggregate(canvas: &Canvas, index: usize) -> bool {
    let mut at = index;
    // At most one visit per step: names that loop back are not followed for ever.
    for _ in 0..canvas.steps.len() {
        let Some(StepBody::Select(block)) = canvas.steps.get(at).map(|step| &step.body) else {
            return false;
        };
        if !block.group_by.is_empty() || block.having.is_some() || block.distinct {
            return true;
        }
        let Relation::Step { name } = &block.from.relation else {
            return false;
        };
        match canvas.position(name) {
            Some(earlier) if earlier < at => at = earlier,
            _ => return false,
        }
    }
    false
}

/// The first `limit` rows of a step fed by an aggregate with its row count as a last column
/// (`kiln_rows`), in one query: the step's rows are computed once (DuckDB's `MATERIALIZED`).
fn limited_with_count(sql: &str, limit: u32) -> String {
    format!(
        "WITH kiln_canvas AS MATERIALIZED (\n{sql}\n)\n\
         SELECT *, (SELECT count(*) FROM kiln_canvas) AS kiln_rows FROM kiln_canvas LIMIT {limit}"
    )
}

/// A count read off a result cell, whatever JSON shape the warehouse gives big integers.
fn count_value(value: Option<&Value>) -> u64 {
    match value {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn schemas(state: &ProjectState, canvas: &Canvas) -> ApiResult<CanvasSchemasResponse> {
    let adapter = state.adapter()?;
    let mut steps: Vec<StepSchema> = Vec::with_capacity(canvas.steps.len());
    for index in 0..canvas.steps.len() {
        let outcome = step_sql(state, canvas, index).and_then(|sql| {
            adapter
                .query(&limited(&sql, 0), Some(0))
                .map_err(|e| ApiError::new(ErrorKind::Unprocessable, Code::Sql.as_str(), short_message(&e)))
        });
        let schema = match outcome {
            Ok(result) => StepSchema {
                columns: columns_of(&result),
                error: None,
            },
            Err(error) => {
                let message = error.diagnostic.message.clone();
                // The same failure as an earlier step's: this step fails because it reads that one.
                let earlier = steps
                    .iter()
                    .zip(&canvas.steps)
                    .find(|(schema, _)| schema.error.as_deref() == Some(message.as_str()))
                    .map(|(_, step)| step.name.clone());
                StepSchema {
                    columns: Vec::new(),
                    error: Some(match earlier {
                        Some(name) => format!("step `{name}` fails: {message}"),
                        None => message,
                    }),
                }
            }
        };
        steps.push(schema);
    }
    Ok(CanvasSchemasResponse { steps })
}

/// A canvas query on the project's warehouse, registered with the console's query store so
/// `cancelQuery` with its id interrupts it. The registration holds no result and is removed when
/// this is dropped.
struct Registered<'a> {
    state: &'a ProjectState,
    adapter: Arc<dyn Adapter>,
    number: u64,
    cancel: Arc<AtomicBool>,
}

impl<'a> Registered<'a> {
    /// Opens the warehouse (if it is not yet) and registers `query_id`.
    fn begin(state: &'a ProjectState, query_id: Option<String>) -> ApiResult<Registered<'a>> {
        let adapter = state.adapter()?;
        let (_, number, cancel, dropped) = lock(&state.queries).begin(query_id);
        if !dropped.is_empty() {
            crate::query::drop_relations(state.results()?.as_ref(), &dropped);
        }
        Ok(Registered {
            state,
            adapter,
            number,
            cancel,
        })
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    fn cancelled(&self) -> ApiError {
        ApiError::new(
            ErrorKind::Unprocessable,
            Code::Sql.as_str(),
            "the preview was cancelled before it finished",
        )
        .hint("preview the step again")
    }

    /// Runs one query unless cancelled; an interruption is reported as the cancel.
    fn query(&self, sql: &str, limit: Option<usize>) -> ApiResult<QueryResult> {
        if self.is_cancelled() {
            return Err(self.cancelled());
        }
        self.adapter.query(sql, limit).map_err(|e| {
            if self.is_cancelled() || matches!(e, AdapterError::Interrupted) {
                self.cancelled()
            } else {
                let mut error = ApiError::from_adapter(&e);
                error.diagnostic.message = short_message(&e);
                error.diagnostic.line = None;
                error.diagnostic.column = None;
                error
            }
        })
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        lock(&self.state.queries).sessions.retain(|s| s.number != self.number);
    }
}

/// Step `step`'s SQL for the warehouse, and its query registered under `query_id`: what a
/// preview and a profile start with.
fn step_query<'a>(
    state: &'a ProjectState,
    canvas: &Canvas,
    step: u32,
    query_id: &Option<String>,
) -> ApiResult<(String, Registered<'a>)> {
    let sql = step_sql(state, canvas, step_index(step))?;
    Ok((sql, Registered::begin(state, query_id.clone())?))
}

fn preview(state: &ProjectState, request: &CanvasPreviewRequest) -> ApiResult<CanvasPreviewResponse> {
    let clock = Instant::now();
    let limit = request.limit.unwrap_or(DEFAULT_PREVIEW_ROWS).clamp(1, MAX_PREVIEW_ROWS);
    let (sql, registered) = step_query(state, &request.canvas, request.step, &request.query_id)?;
    let (first, row_count) =
        if state.target.kind == TargetKind::DuckDb && fed_by_aggregate(&request.canvas, step_index(request.step)) {
            rows_and_count_at_once(&registered, &sql, limit)?
        } else {
            rows_then_count(&registered, &sql, limit)?
        };
    Ok(CanvasPreviewResponse {
        columns: columns_of(&first),
        rows: first.rows,
        row_count,
        elapsed_ms: clock.elapsed().as_millis() as u64,
    })
}

/// The first rows under a LIMIT (the warehouse stops once it has them), then, when there may be
/// more, a `count(*)`.
fn rows_then_count(registered: &Registered, sql: &str, limit: u32) -> ApiResult<(QueryResult, u64)> {
    let first = registered.query(&limited(sql, limit), Some(limit as usize))?;
    let row_count = if first.rows.len() < limit as usize {
        first.rows.len() as u64
    } else {
        let counted = registered.query(&format!("SELECT count(*) FROM (\n{sql}\n) AS kiln_canvas"), Some(1))?;
        count_value(counted.rows.first().and_then(|r| r.first()))
    };
    Ok((first, row_count))
}

/// The first rows and the count from one query that computes the step once
/// ([`limited_with_count`]); the count column is taken off the rows.
fn rows_and_count_at_once(registered: &Registered, sql: &str, limit: u32) -> ApiResult<(QueryResult, u64)> {
    let mut first = registered.query(&limited_with_count(sql, limit), Some(limit as usize))?;
    first.columns.pop();
    let mut row_count = 0;
    for row in &mut first.rows {
        row_count = count_value(row.pop().as_ref());
    }
    Ok((first, row_count))
}

fn profile(state: &ProjectState, request: &CanvasProfileRequest) -> ApiResult<CanvasProfileResponse> {
    let clock = Instant::now();
    let (sql, registered) = step_query(state, &request.canvas, request.step, &request.query_id)?;
    let shape = registered.query(&limited(&sql, 0), Some(0))?;
    let columns: Vec<String> = shape
        .columns
        .iter()
        .take(MAX_PROFILED_COLUMNS)
        .map(|c| c.name.clone())
        .collect();
    let distinct = |c: &str| match state.target.kind {
        TargetKind::DuckDb => format!("approx_count_distinct({c})"),
        _ => format!("count(DISTINCT {c})"),
    };
    let aggregate = |with_distinct: bool| {
        let mut parts = vec!["count(*)".to_string()];
        for column in &columns {
            let c = quote_ident(column);
            parts.push(format!("count({c})"));
            parts.push(if with_distinct { distinct(&c) } else { "0".into() });
        }
        format!("SELECT {} FROM (\n{sql}\n) AS kiln_canvas", parts.join(", "))
    };
    // A column whose type cannot be counted distinct (a MAP …) fails the whole aggregate;
    // its nulls are still worth having.
    let result = match registered.query(&aggregate(true), Some(1)) {
        Ok(result) => result,
        Err(error) if registered.is_cancelled() => return Err(error),
        Err(_) => registered.query(&aggregate(false), Some(1))?,
    };
    let row = result.rows.into_iter().next().unwrap_or_default();
    let row_count = count_value(row.first());
    let profile = columns
        .into_iter()
        .enumerate()
        .map(|(i, column)| ColumnProfile {
            column,
            nulls: row_count.saturating_sub(count_value(row.get(1 + 2 * i))),
            distinct: count_value(row.get(2 + 2 * i)),
        })
        .collect();
    Ok(CanvasProfileResponse {
        profile,
        row_count,
        elapsed_ms: clock.elapsed().as_millis() as u64,
    })
}

fn join_check(state: &ProjectState, request: &CanvasJoinCheckRequest) -> ApiResult<CanvasJoinCheckResponse> {
    let checks = kiln_canvas::join_checks(&request.canvas, step_index(request.step)).map_err(|e| canvas_error(&e))?;
    if checks.is_empty() {
        return Ok(CanvasJoinCheckResponse { joins: Vec::new() });
    }
    let registered = Registered::begin(state, request.query_id.clone())?;
    let mut joins = Vec::with_capacity(checks.len());
    for check in checks {
        let sql = rendered(state, &check.sql)?;
        let result = registered.query(&sql, Some(1))?;
        let row: Vec<u64> = result
            .rows
            .first()
            .map(|r| r.iter().map(|v| count_value(Some(v))).collect())
            .unwrap_or_default();
        let counts = JoinCounts::from_row(&row);
        let outcome = check.outcome(&counts);
        joins.push(JoinCheck {
            join: to_u32(check.join),
            left_rows: counts.left_rows,
            matched_left_rows: counts.matched_left_rows,
            output_rows: outcome.output_rows,
            duplicate_right_keys: counts.duplicate_right_keys,
            match_rate: outcome.match_rate,
            fans_out: outcome.fans_out,
            message: outcome.message,
        });
    }
    Ok(CanvasJoinCheckResponse { joins })
}

impl Studio {
    /// `work` on the blocking pool with the open project: the plumbing of every canvas
    /// operation that reads the project or its warehouse.
    async fn on_project<R, T>(&self, request: R, work: fn(&ProjectState, &R) -> ApiResult<T>) -> ApiResult<T>
    where
        R: Send + 'static,
        T: Send + 'static,
    {
        let state = self.project()?;
        blocking(move || work(&state, &request)).await
    }

    /// Opens a model file as a canvas; a file that does not exist yet is an empty canvas for a
    /// new model.
    pub async fn canvas_open(&self, request: CanvasOpenRequest) -> ApiResult<CanvasState> {
        self.on_project(request, |state, request| open(state, &request.path))
            .await
    }

    /// The model text an edited canvas writes and what each step is; touches no warehouse.
    pub async fn canvas_update(&self, request: CanvasUpdateRequest) -> ApiResult<CanvasState> {
        blocking(move || {
            let exists = read_from_file(&request.canvas);
            Ok(state_of(request.canvas, exists))
        })
        .await
    }

    /// Adds a step made from a template after `after`.
    pub async fn canvas_add_step(&self, request: CanvasAddStepRequest) -> ApiResult<CanvasAddStepResponse> {
        blocking(move || {
            let after = request.after.map(step_index);
            let (canvas, added) =
                kiln_canvas::add_step(&request.canvas, after, &request.template).map_err(|e| canvas_error(&e))?;
            let exists = read_from_file(&canvas);
            Ok(CanvasAddStepResponse {
                state: state_of(canvas, exists),
                added: to_u32(added),
            })
        })
        .await
    }

    /// Every step's output columns from the warehouse, or why the step does not bind.
    pub async fn canvas_schemas(&self, request: CanvasSchemasRequest) -> ApiResult<CanvasSchemasResponse> {
        self.on_project(request, |state, request| schemas(state, &request.canvas))
            .await
    }

    /// A step's first rows and its row count.
    pub async fn canvas_preview(&self, request: CanvasPreviewRequest) -> ApiResult<CanvasPreviewResponse> {
        self.on_project(request, preview).await
    }

    /// Nulls and distinct values of each of a step's columns, in one scan.
    pub async fn canvas_profile(&self, request: CanvasProfileRequest) -> ApiResult<CanvasProfileResponse> {
        self.on_project(request, profile).await
    }

    /// How each equality join of a step behaves on the data: matches, output rows, fan-out.
    pub async fn canvas_join_check(&self, request: CanvasJoinCheckRequest) -> ApiResult<CanvasJoinCheckResponse> {
        self.on_project(request, join_check).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use kiln_canvas::{add_step, StepTemplate};

    use super::*;

    fn input() -> StepTemplate {
        StepTemplate::Input {
            relation: Relation::Ref {
                package: None,
                name: "stg_sales".into(),
            },
        }
    }

    #[test]
    fn an_empty_canvas_writes_nothing_and_new_steps_are_edited() {
        let empty = Canvas {
            steps: vec![],
            layout: Default::default(),
            parse_error: None,
        };
        let state = state_of(empty.clone(), false);
        assert_eq!((state.written.sql.as_str(), state.steps.len()), ("", 0));
        let (canvas, _) = add_step(&empty, None, &input()).unwrap();
        let state = state_of(canvas, true);
        assert_eq!(state.steps.len(), 1);
        assert!(state.steps[0].edited);
        assert_eq!(state.steps[0].kind, StepKind::Input);
        assert!(
            state.written.sql.contains("{{ ref('stg_sales') }}"),
            "{}",
            state.written.sql
        );
        assert_eq!(state.steps[0].lines, state.written.lines[0]);
    }

    #[test]
    fn a_step_read_from_the_file_is_edited_once_it_differs() {
        let mut canvas = kiln_canvas::read_model("select 1 as one\n");
        assert!(!state_of(canvas.clone(), true).steps[0].edited);
        canvas.steps[0].name = "renamed".into();
        assert!(state_of(canvas, true).steps[0].edited);
    }

    #[test]
    fn canvas_errors_are_coded_with_a_hint() {
        let error = canvas_error(&CanvasError::NoPreviousStep);
        assert_eq!(error.diagnostic.code, "K6007");
        assert_eq!(error.kind, ErrorKind::BadRequest);
        assert!(error.diagnostic.hint.as_deref().unwrap().contains("input step"));
        assert!(canvas_error(&CanvasError::Empty).diagnostic.hint.is_some());
    }

    #[test]
    fn warehouse_messages_lose_the_generated_sql_context() {
        let error = AdapterError::Sql {
            message: "Binder Error: Referenced column \"x\" not found in FROM clause!\nCandidate bindings: \"y\"\n\nLINE 7: select * from a where x > 1\n                            ^".into(),
            line: Some(7),
            column: Some(29),
        };
        assert_eq!(
            short_message(&error),
            "Binder Error: Referenced column \"x\" not found in FROM clause!\nCandidate bindings: \"y\""
        );
        let error = AdapterError::Sql {
            message: "Binder Error: No function matches '+(DOUBLE, DATE)'. You might need to add explicit type casts.\n\tCandidate functions:\n\t+(TINYINT) -> TINYINT".into(),
            line: None,
            column: None,
        };
        assert_eq!(
            short_message(&error),
            "Binder Error: No function matches '+(DOUBLE, DATE)'. You might need to add explicit type casts."
        );
    }

    #[test]
    fn counts_read_whatever_shape_big_integers_take() {
        assert_eq!(count_value(Some(&Value::from(12u64))), 12);
        assert_eq!(count_value(Some(&Value::from("12345678901234"))), 12_345_678_901_234);
        assert_eq!(count_value(Some(&Value::from(3.0))), 3);
        assert_eq!(count_value(Some(&Value::Null)), 0);
        assert_eq!(count_value(None), 0);
    }

    #[test]
    fn steps_whose_rows_come_out_of_an_aggregate_are_told_apart() {
        let canvas = kiln_canvas::read_model(
            "with sales as (select * from {{ ref('stg_sales') }}),\n\
             kept as (select * from sales where price > 1),\n\
             by_list as (select list_id, sum(price) as revenue from kept group by list_id),\n\
             big as (select *, revenue * 2 as doubled from by_list where revenue > 10),\n\
             back as (select l.*, r.revenue from kept as l join by_list as r on l.list_id = r.list_id),\n\
             sellers as (select distinct list_id from kept),\n\
             counted as (select list_id, count(*) as n from {{ ref('stg_sales') }} group by list_id),\n\
             hand as (select * from counted union all select * from counted)\n\
             select * from hand",
        );
        let fed: Vec<(&str, bool)> = (0..canvas.steps.len())
            .map(|index| (canvas.steps[index].name.as_str(), fed_by_aggregate(&canvas, index)))
            .collect();
        assert_eq!(
            fed,
            [
                ("sales", false),
                ("kept", false),
                ("by_list", true),
                ("big", true),
                // Detail rows joined to an aggregate: as many rows as `kept`, not the aggregate's.
                ("back", false),
                ("sellers", true),
                ("counted", true),
                // A union is not followed.
                ("hand", false),
            ]
        );
        assert!(limited_with_count("select 1", 5).contains("AS MATERIALIZED"));
    }
}
