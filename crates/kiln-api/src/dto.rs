//! Request, response and event types of the engine API. They are the contract with the UI:
//! serde gives them camelCase JSON and ts-rs generates their TypeScript twins into
//! `ui/src/api/generated/` (see `bindings.rs`), so they are never written twice.

use std::collections::BTreeMap;

pub use kiln_exec::history::RunOrigin;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// A request without arguments (`projectInfo {}`, `graph {}` …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Empty {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A user-facing problem: a stable code, where it is, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticDto {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Relative to the project root, with `/` separators.
    pub file: Option<String>,
    /// 1-based.
    pub line: Option<u32>,
    /// 1-based.
    pub column: Option<u32>,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnDto {
    pub name: String,
    pub data_type: Option<String>,
    pub description: String,
}

// ---------------------------------------------------------------------------------------------
// Project

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenProjectRequest {
    /// The project folder (or any folder below it).
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectInfo {
    pub name: String,
    /// Absolute path of the project root.
    pub root: String,
    pub target_name: String,
    pub target_kind: String,
    pub warehouse_path: Option<String>,
    pub schema: String,
    /// Nodes per resource type (`model`, `source`, `test` …); empty while the project does not parse.
    pub counts: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentProjects {
    pub projects: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Files

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Dir,
    Model,
    Source,
    Seed,
    Test,
    Macro,
    Analysis,
    Docs,
    Yaml,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileNode {
    pub name: String,
    /// Relative to the project root with `/` separators; `""` for the root.
    pub path: String,
    pub kind: FileKind,
    pub children: Vec<FileNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReadFileRequest {
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileContent {
    pub path: String,
    pub content: String,
    /// Opaque; changes whenever the content changes. Pass it back as `expectedVersion`.
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WriteFileRequest {
    pub path: String,
    pub content: String,
    /// When set, the write fails with K1006 if the file on disk is no longer this version.
    #[serde(default)]
    #[ts(optional)]
    pub expected_version: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Compile, graph, docs

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompileModelRequest {
    pub path: String,
    /// The unsaved editor buffer; the saved file when absent.
    #[serde(default)]
    #[ts(optional)]
    pub content: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompileResult {
    pub unique_id: Option<String>,
    pub sql: Option<String>,
    /// The SQL as the local DuckDB warehouse runs it (Redshift SQL translated), when that differs
    /// from `sql`; absent on server targets, which run `sql` as it is.
    pub warehouse_sql: Option<String>,
    pub diagnostics: Vec<DiagnosticDto>,
    pub depends_on: Vec<String>,
    pub columns: Vec<ColumnDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ResourceTypeDto {
    Model,
    Source,
    Seed,
    Test,
    Exposure,
    Analysis,
    Snapshot,
    Operation,
    /// A Kinesis or Firehose stream declared in the project's YAML (`streams:`).
    Stream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Source,
    Staging,
    Intermediate,
    Marts,
    Seed,
    Test,
    Exposure,
    Other,
}

/// A node's state from the last run; `stale` when its file changed after that run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatusDto {
    Success,
    Error,
    Skipped,
    Pass,
    Fail,
    Warn,
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GraphNodeDto {
    pub id: String,
    pub name: String,
    pub resource_type: ResourceTypeDto,
    pub layer: Layer,
    pub path: String,
    pub materialized: Option<String>,
    pub tags: Vec<String>,
    pub description: String,
    pub status: Option<NodeStatusDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EdgeDto {
    pub source: String,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GraphDto {
    pub nodes: Vec<GraphNodeDto>,
    pub edges: Vec<EdgeDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocsRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocsColumnDto {
    pub name: String,
    pub data_type: Option<String>,
    pub description: String,
    /// Test names attached to the column (`unique`, `not_null`, `accepted_values` …).
    pub tests: Vec<String>,
    /// The same tests as nodes, for their last results and arguments.
    pub test_nodes: Vec<DocsTestDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocsTestDto {
    /// The test node's unique id (its status is on the graph's node of that id).
    pub id: String,
    pub name: String,
    /// Its arguments as `values: ["a", "b"], quote: false`; empty without.
    pub arguments: String,
}

/// What an exposure declares (dbt's `exposures:` keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExposureDocsDto {
    pub label: Option<String>,
    /// `dashboard`, `notebook`, `analysis`, `ml`, `application`.
    #[serde(rename = "type")]
    pub kind: String,
    pub maturity: Option<String>,
    pub url: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocsDto {
    pub id: String,
    pub name: String,
    pub resource_type: ResourceTypeDto,
    pub description: String,
    pub columns: Vec<DocsColumnDto>,
    pub depends_on: Vec<String>,
    pub referenced_by: Vec<String>,
    pub path: String,
    pub raw_code: String,
    pub compiled_code: Option<String>,
    /// For an exposure: its label, type, maturity, URL and owner.
    pub exposure: Option<ExposureDocsDto>,
}

// ---------------------------------------------------------------------------------------------
// Runs

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RunCommand {
    Stage,
    Seed,
    Run,
    Test,
    Build,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartRunRequest {
    pub command: RunCommand,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Worker threads; the profile's `threads` when absent.
    #[serde(default)]
    #[ts(optional)]
    pub threads: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub full_refresh: Option<bool>,
    /// The window asking (any id it chose), recorded in the run's origin so other windows can
    /// say the run came from elsewhere.
    #[serde(default)]
    #[ts(optional)]
    pub client: Option<String>,
    /// Set by `kiln build` (or stage, seed, run, test) in a terminal that found this studio
    /// holding the warehouse and handed its run over: that process's id. The run's origin is then
    /// the CLI, as if it had run there.
    #[serde(default)]
    #[ts(optional)]
    pub cli_pid: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartRunResponse {
    pub run_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunIdRequest {
    pub run_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Success,
    Error,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub run_id: String,
    pub command: RunCommand,
    pub select: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// Seconds; null while running.
    pub elapsed: Option<f64>,
    pub status: RunStatus,
    /// Nodes per status (`success`, `error`, `skipped`, `pass`, `fail`, `warn`).
    pub counts: BTreeMap<String, u32>,
    /// Where the run was started: the CLI, or a studio window.
    #[serde(default)]
    pub origin: RunOrigin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunHistory {
    pub runs: Vec<RunRecord>,
}

/// The first rows of a result, as JSON values (see `kiln_warehouse::QueryResult` for the
/// encoding of decimals, dates and nested types).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SampleDto {
    pub columns: Vec<ColumnDto>,
    #[ts(type = "unknown[][]")]
    pub rows: Vec<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NodeResultDto {
    pub unique_id: String,
    pub name: String,
    pub resource_type: ResourceTypeDto,
    pub status: NodeStatusDto,
    pub message: String,
    pub rows_affected: Option<u64>,
    pub failures: Option<u64>,
    /// Seconds.
    pub execution_time: f64,
    /// Relative to the project root.
    pub compiled_path: Option<String>,
    pub diagnostic: Option<DiagnosticDto>,
    pub sample: Option<SampleDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunResults {
    pub results: Vec<NodeResultDto>,
    /// The run's log lines, as the CLI prints them.
    pub log: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Queries

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunQueryRequest {
    pub sql: String,
    /// The connection to run on (`profile:<target>`, `saved:<name>`); the studio's target when
    /// absent.
    #[serde(default)]
    #[ts(optional)]
    pub connection: Option<String>,
    /// Rows in `firstPage` (default 200).
    #[serde(default)]
    #[ts(optional)]
    pub page_size: Option<u32>,
    /// Lets the caller name the query up front so it can cancel it before the answer arrives;
    /// generated when absent.
    #[serde(default)]
    #[ts(optional)]
    pub query_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunStatementAtRequest {
    pub sql: String,
    #[serde(default)]
    #[ts(optional)]
    pub connection: Option<String>,
    /// Byte offset of the cursor in `sql`.
    pub offset: u32,
    #[serde(default)]
    #[ts(optional)]
    pub page_size: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub query_id: Option<String>,
}

/// The project's dashboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardList {
    pub dashboards: Vec<DashboardSummaryDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardSummaryDto {
    /// The exposure name: the file name without extension.
    pub name: String,
    /// Relative to the project root.
    pub path: String,
    pub title: String,
    pub panels: u32,
    /// The first problem that keeps it from opening.
    pub error: Option<DiagnosticDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenDashboardRequest {
    pub path: String,
}

/// A dashboard's variables with their choices, listed for the picks made so far: a variable
/// whose query names another (`where state in ($state)`) lists the choices that pick allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardVariablesRequest {
    pub path: String,
    /// The picks so far (`$__all` for All); a variable left out takes its first choice.
    #[serde(default)]
    #[ts(optional)]
    pub variables: Option<kiln_dash::Selection>,
}

/// A Grafana dashboard's JSON to convert into a dashboard file of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportGrafanaRequest {
    /// The JSON model as exported from Grafana.
    pub json: String,
    /// The file's name without `.yml` (default: the dashboard's title, slugged).
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// Replace an existing file of that name.
    #[serde(default)]
    #[ts(optional)]
    pub overwrite: Option<bool>,
    /// The uploaded file's name, for messages and the written file's header.
    #[serde(default)]
    #[ts(optional)]
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportGrafanaResponse {
    /// The dashboard file written, relative to the project root.
    pub path: String,
    pub title: String,
    pub panels: u32,
    /// Each panel, query, variable or option left out, named with its panel.
    pub not_converted: Vec<String>,
    /// Conversions worth knowing (each datasource → the project's target).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardDto {
    pub name: String,
    pub path: String,
    /// None when the file has problems (`diagnostics`).
    pub dashboard: Option<kiln_dash::Dashboard>,
    /// The refresh interval in seconds, none for `off`.
    pub refresh_seconds: Option<f64>,
    pub diagnostics: Vec<DiagnosticDto>,
}

/// One panel's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PanelDataRequest {
    pub path: String,
    /// 0-based index in the file's `panels`.
    pub panel: u32,
    /// A spec being edited, instead of the file's.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub spec: Option<kiln_dash::ChartSpec>,
    #[serde(default)]
    #[ts(optional)]
    pub max_points: Option<u32>,
    /// Cross-filters from clicks on other panels: each applies where the panel's query has the
    /// column, and is said to be skipped where it has not.
    #[serde(default)]
    #[ts(optional)]
    pub filters: Option<Vec<PanelFilter>>,
    /// A time range picked in the studio instead of the file's.
    #[serde(default)]
    #[ts(optional)]
    pub time: Option<kiln_dash::TimeWindow>,
    /// The variables' selections (`$__all` for All); a variable left out takes its first pick.
    #[serde(default)]
    #[ts(optional)]
    pub variables: Option<kiln_dash::Selection>,
}

pub use kiln_dash::PanelFilter;

/// A panel's query ready for the console, and its result's columns (for editing its chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PanelQuery {
    pub sql: String,
    pub columns: Vec<ColumnDto>,
}

/// A dashboard's variables, each with the choices its drop-down offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardVariables {
    pub variables: Vec<VariableChoices>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VariableChoices {
    pub variable: kiln_dash::Variable,
    pub choices: Vec<String>,
    /// What is selected before the user picks (`$__all` for All).
    pub initial: Vec<String>,
    /// Why the choices could not be listed.
    pub error: Option<String>,
}

/// A chart of a console result (after the grid's filter, if any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartDataRequest {
    pub query_id: String,
    pub statement: u32,
    /// What to draw; without one the engine suggests a chart from the result's columns.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub spec: Option<kiln_dash::ChartSpec>,
    /// The grid's filter, read as in [`FetchRowsRequest::filter`].
    #[serde(default)]
    #[ts(optional = nullable)]
    pub filter: Option<String>,
    /// Points per series after down-sampling (default 2,000).
    #[serde(default)]
    #[ts(optional)]
    pub max_points: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SplitScriptRequest {
    pub sql: String,
}

/// The statements of a console script as the engine will run them (split on `;`, and on blank
/// lines between whole statements), so the editor highlights exactly what runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SplitScriptResponse {
    pub statements: Vec<StatementRangeDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementRangeDto {
    /// UTF-16 index of the statement's first character (JavaScript string index).
    pub start: u32,
    /// UTF-16 index just past its last character, before any `;`.
    pub end: u32,
    /// 1-based line of `start`.
    pub line: u32,
    /// The last cursor position (UTF-16 index) at which `runStatementAt` runs this statement;
    /// the next statement's positions start after it.
    pub cursor_end: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementResultDto {
    /// Position within the query (the `statement` of `fetchRows`/`exportQuery`).
    pub index: u32,
    pub sql: String,
    pub columns: Vec<ColumnDto>,
    #[ts(type = "unknown[][]")]
    pub first_page: Vec<Vec<Value>>,
    /// Null while unknown.
    pub total_rows: Option<u64>,
    /// Seconds.
    pub elapsed: f64,
    pub error: Option<DiagnosticDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunQueryResponse {
    pub query_id: String,
    pub statements: Vec<StatementResultDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SortDto {
    pub column: String,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FetchRowsRequest {
    pub query_id: String,
    pub statement: u32,
    pub offset: u64,
    pub limit: u32,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub sort: Option<SortDto>,
    /// A SQL condition over the result's columns (`venue_state = 'CA'`), or else text that any
    /// column's value contains, ignoring case.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub filter: Option<String>,
}

/// How the engine read a grid filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FilterMode {
    Condition,
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FetchRowsResponse {
    #[ts(type = "unknown[][]")]
    pub rows: Vec<Vec<Value>>,
    /// Rows matching the filter.
    pub total_rows: u64,
    /// How the filter was read, when there is one.
    pub filter_mode: Option<FilterMode>,
    /// Why a filter that looks like a SQL condition was searched as text instead.
    pub filter_note: Option<String>,
}

/// Statistics of one column over a statement's whole result (after the grid's filter, if any),
/// computed in the warehouse with the column's own type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnStatsRequest {
    pub query_id: String,
    pub statement: u32,
    pub column: String,
    /// The grid's filter, read as in [`FetchRowsRequest::filter`].
    #[serde(default)]
    #[ts(optional = nullable)]
    pub filter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnStatsResponse {
    pub column: String,
    pub data_type: Option<String>,
    /// Rows the statistics cover: the whole result, or the rows passing the filter.
    pub rows: u64,
    pub nulls: u64,
    pub distinct: u64,
    /// Smallest and largest value in the column's own order (numbers numerically, dates by time).
    #[ts(type = "unknown")]
    pub min: Value,
    #[ts(type = "unknown")]
    pub max: Value,
    /// Mean of a numeric column.
    pub mean: Option<f64>,
    /// The most frequent values, most frequent first.
    pub top: Vec<ValueCountDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ValueCountDto {
    #[ts(type = "unknown")]
    pub value: Value,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryIdRequest {
    pub query_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportQueryRequest {
    pub query_id: String,
    pub statement: u32,
    pub format: ExportFormat,
    /// Relative to the project (`target/exports/sales.csv`) or absolute; for a download, only
    /// its file name counts.
    pub path: String,
    /// Write the file for the browser to download (`GET /api/download/<id>` of `kiln serve`)
    /// rather than at `path` on the engine's disk.
    #[serde(default)]
    #[ts(optional)]
    pub download: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportQueryResponse {
    /// Where the file was written (for a download, the name it is offered under).
    pub path: String,
    pub rows: u64,
    /// The id to fetch a download by, once.
    pub download: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryHistoryEntry {
    pub sql: String,
    pub started_at: String,
    pub elapsed: f64,
    pub rows: Option<u64>,
    pub error: Option<String>,
    /// The connection it ran on; absent for entries from before connections (the studio's target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub connection: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryHistory {
    pub entries: Vec<QueryHistoryEntry>,
}

// ---------------------------------------------------------------------------------------------
// Schema browser

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RelationKind {
    Table,
    View,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RelationDto {
    pub name: String,
    pub kind: RelationKind,
    pub columns: Vec<ColumnDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SchemaDto {
    pub name: String,
    pub relations: Vec<RelationDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SchemaResponse {
    pub schemas: Vec<SchemaDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRelationRequest {
    pub schema: String,
    pub name: String,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShowModelRequest {
    pub path: String,
    pub limit: u32,
    /// The unsaved editor buffer, compiled against the saved project (as dbt Cloud's IDE
    /// previews); the saved file when absent.
    #[serde(default)]
    #[ts(optional)]
    pub content: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Visual edits

/// An edit to preview. Nothing is written until `commitEdit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ApplyEditRequest {
    /// A new model selecting from `upstream` (unique ids of models, seeds, snapshots or sources).
    CreateModel {
        name: String,
        /// Folder for the file, e.g. `models/marts`.
        directory: String,
        upstream: Vec<String>,
    },
    /// Renames (and optionally moves) a model's file and rewrites every `ref()` to it.
    RenameModel {
        path: String,
        new_name: String,
        #[serde(default)]
        #[ts(optional)]
        new_directory: Option<String>,
    },
    /// Adds a generic test (`unique`, `not_null` …) to a column in the model's properties YAML.
    AddColumnTest {
        /// Unique id of a model, seed or snapshot.
        id: String,
        column: String,
        /// As written in YAML: `unique`, `accepted_values`, `dbt_utils.expression_is_true`.
        test: String,
        /// The test's arguments in its signature's order (see `genericTests`), none when absent.
        #[serde(default)]
        #[ts(optional)]
        arguments: Option<Vec<crate::generic_tests::TestArgumentValue>>,
    },
    /// Panels of a dashboard moved, resized or re-charted in the studio, written into its YAML.
    EditDashboard {
        path: String,
        edits: Vec<kiln_dash::PanelEdit>,
    },
    /// A model canvas written into its model file (`path`, relative to the project; a new file
    /// when it does not exist yet). A canvas with no steps is refused (K6007).
    SaveCanvas { path: String, canvas: kiln_canvas::Canvas },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileChangeDto {
    pub path: String,
    /// Null for a new file.
    pub before: Option<String>,
    /// Null for a deleted file.
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EditPreview {
    pub changes: Vec<FileChangeDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommitEditRequest {
    pub changes: Vec<FileChangeDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommitEditResponse {
    /// Paths written or deleted.
    pub paths: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Events

/// Everything the engine reports while it works, in one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum EngineEvent {
    RunStarted {
        run_id: String,
        command: RunCommand,
        total: u32,
        origin: RunOrigin,
    },
    NodeStarted {
        run_id: String,
        unique_id: String,
        name: String,
        index: u32,
        total: u32,
    },
    NodeFinished {
        run_id: String,
        result: Box<NodeResultDto>,
        index: u32,
        total: u32,
    },
    RunFinished {
        run_id: String,
        status: RunStatus,
        elapsed: f64,
        counts: BTreeMap<String, u32>,
    },
    Log {
        run_id: Option<String>,
        message: String,
    },
    /// Files changed on disk (by the studio or anything else), relative to the project root.
    FileChanged {
        paths: Vec<String>,
    },
    QueryProgress {
        query_id: String,
        statement: u32,
        total_rows: Option<u64>,
        done: bool,
    },
}

/// The open project's streams, for the stream console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamsStatus {
    /// `http://127.0.0.1:4577` while the Kinesis/Firehose endpoint is served.
    pub endpoint: Option<String>,
    /// Why the endpoint is not served when the studio asked for it (the port is taken …).
    pub endpoint_error: Option<String>,
    pub streams: Vec<StreamDto>,
    /// Streaming views and Firehose deliveries, with how far behind their stream they are.
    pub consumers: Vec<StreamConsumerDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamDto {
    pub name: String,
    /// `kinesis` or `firehose`.
    pub kind: String,
    pub shards: u32,
    pub retention_hours: u32,
    /// Records and bytes appended since the endpoint opened the stream (for rates).
    pub records_in: u64,
    pub bytes_in: u64,
    /// Records held now.
    pub records_held: u64,
    /// Arrival of the newest record, ms since the epoch (0: none).
    pub newest_arrival_ms: i64,
    /// A delivery stream's table.
    pub delivery_table: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamConsumerDto {
    /// `schema.view`, or `firehose:<stream>`.
    pub name: String,
    pub stream: String,
    pub auto_refresh: bool,
    pub newest_taken_ms: i64,
    pub newest_arrival_ms: i64,
    pub last_refresh_ms: i64,
    pub records: u64,
    pub rejected: u64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PeekStreamRequest {
    pub name: String,
    /// `kinesis` or `firehose`.
    pub kind: String,
    /// Records to return (default 20, at most 500).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// The newest records of a stream, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamRecords {
    pub records: Vec<StreamRecordDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StreamRecordDto {
    pub shard_id: String,
    /// Decimal, as Kinesis writes sequence numbers.
    pub sequence_number: String,
    pub partition_key: String,
    pub arrival_ms: i64,
    /// The payload as text (invalid UTF-8 replaced), cut at 4 KiB.
    pub data: String,
    pub bytes: u32,
}

// ---------------------------------------------------------------------------------------------
// Targets and `kiln diff`

/// A target of the project's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TargetDto {
    pub name: String,
    /// `duckdb`, `postgres`, `redshift`, …
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TargetsResponse {
    /// The target the studio runs on.
    pub current: String,
    /// Every target the profile declares (empty without a profiles.yml).
    pub targets: Vec<TargetDto>,
}

/// Compare a model on the studio's target and another one (`kiln diff`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffModelRequest {
    /// The model's (or seed's, snapshot's) name.
    pub model: String,
    /// The other target of the profile.
    pub against: String,
    /// Columns identifying a row; rows are compared one by one only with a key.
    #[serde(default)]
    pub key: Vec<String>,
    #[serde(default)]
    #[ts(optional)]
    pub row_limit: Option<u64>,
    #[serde(default)]
    #[ts(optional)]
    pub show: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffColumnDto {
    pub name: String,
    pub left_type: Option<String>,
    pub right_type: Option<String>,
    pub compatible: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffChecksumDto {
    pub column: String,
    pub measure: String,
    #[ts(type = "unknown")]
    pub left: Value,
    #[ts(type = "unknown")]
    pub right: Value,
    pub equal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffRowDto {
    /// `onlyLeft`, `onlyRight` or `changed`.
    pub kind: String,
    #[ts(type = "unknown[]")]
    pub key: Vec<Value>,
    /// For `changed`: the columns that differ, with both values.
    pub changes: Vec<DiffChangeDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffChangeDto {
    pub column: String,
    #[ts(type = "unknown")]
    pub left: Value,
    #[ts(type = "unknown")]
    pub right: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffReportDto {
    pub left: String,
    pub right: String,
    /// The relation compared on each side, `schema.name`.
    pub left_relation: String,
    pub right_relation: String,
    pub columns: Vec<DiffColumnDto>,
    pub left_rows: u64,
    pub right_rows: u64,
    pub checksums: Vec<DiffChecksumDto>,
    pub rows_skipped: Option<String>,
    pub differing_rows: u64,
    pub rows: Vec<DiffRowDto>,
    /// Nothing that ran found a difference.
    pub same: bool,
}

// ---------------------------------------------------------------------------------------------
// Connections (the query console's picker and schema browser)

/// Where a connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionSource {
    /// A target of the project's profiles.yml (read-only here).
    Profile,
    /// Saved in the studio: the user's connections.yml, its password in the OS keyring.
    Saved,
}

/// The settings of a saved connection, as the dialog edits them. Never holds a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSpecDto {
    pub name: String,
    /// `postgres` or `redshift`.
    pub kind: String,
    #[serde(default)]
    #[ts(optional)]
    pub host: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub port: Option<u16>,
    #[serde(default)]
    #[ts(optional)]
    pub dbname: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub user: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub schema: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub sslmode: Option<String>,
    /// `data_api` for Redshift's Data API; absent for the wire protocol.
    #[serde(default)]
    #[ts(optional)]
    pub method: Option<String>,
    /// The Data API's keys: `cluster_identifier` or `workgroup_name`, `region`, `aws_profile`,
    /// `secret_arn`, `db_user`.
    #[serde(default)]
    pub data_api: BTreeMap<String, String>,
}

/// A connection the console can run on. Never holds a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDto {
    /// `profile:<target>` or `saved:<name>`: what `runQuery`'s `connection` takes.
    pub id: String,
    pub name: String,
    pub source: ConnectionSource,
    /// `duckdb`, `postgres`, `redshift`, …
    pub kind: String,
    /// The profile target the studio builds on (the console's default).
    pub active: bool,
    /// A saved connection's settings.
    #[serde(default)]
    #[ts(optional)]
    pub spec: Option<ConnectionSpecDto>,
    /// A saved connection's password is in the OS keyring (the kernel keyring forgets on reboot).
    pub has_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsResponse {
    pub connections: Vec<ConnectionDto>,
}

/// A password on its way to the keyring: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(****)")
    }
}

/// Saves (adds or replaces) a connection, after connecting to it; with `testOnly`, only connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveConnectionRequest {
    pub connection: ConnectionSpecDto,
    /// Goes to the OS keyring, never to a file. Absent keeps the saved one.
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub password: Option<Password>,
    /// Connect and answer, saving nothing (the dialog's Test button).
    #[serde(default)]
    #[ts(optional)]
    pub test_only: Option<bool>,
    /// Save without connecting first.
    #[serde(default)]
    #[ts(optional)]
    pub skip_test: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveConnectionResponse {
    pub connection: ConnectionDto,
    /// Whether it connected (and logged in).
    pub tested: bool,
    /// What the test found, e.g. `connected to postgres as kiln`.
    pub message: String,
    /// Whether it was saved (false for `testOnly`).
    pub saved: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeleteConnectionRequest {
    /// `saved:<name>` (profile targets cannot be deleted here).
    pub id: String,
}

/// One level of the schema browser: the schemas of a connection, the relations of one of its
/// schemas, or the columns of one of its relations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowseRequest {
    /// A connection id; the studio's target when absent.
    #[serde(default)]
    #[ts(optional)]
    pub connection: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub schema: Option<String>,
    /// With `schema`: list this relation's columns.
    #[serde(default)]
    #[ts(optional)]
    pub relation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BrowseKind {
    Schema,
    Table,
    View,
    MaterializedView,
    ExternalTable,
    LateBindingView,
    Column,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowseItemDto {
    pub name: String,
    pub kind: BrowseKind,
    /// A column's type, in the server's spelling.
    #[serde(default)]
    #[ts(optional)]
    pub data_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowseResponse {
    /// The connection that answered.
    pub connection: String,
    pub items: Vec<BrowseItemDto>,
}

/// The console's history, optionally only one connection's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueryHistoryRequest {
    #[serde(default)]
    #[ts(optional)]
    pub connection: Option<String>,
}
