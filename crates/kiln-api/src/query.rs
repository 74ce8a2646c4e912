//! The query console: scripts run statement by statement, results kept in the engine (one table
//! per statement in the in-memory `kiln_results` database) and paged, sorted, filtered and
//! exported from there; plus the schema browser, relation previews and model previews.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_compile::CompileState;
use kiln_diagnostics::Code;
use kiln_project::TargetKind;
use kiln_sql::Statement;
use kiln_warehouse::{is_query, quote_ident, quote_literal, Adapter, AdapterError, ColumnInfo, Flow, QueryResult};
use serde_json::Value;

use crate::connections::Console;
use crate::dto::{
    ColumnDto, CompileModelRequest, DiagnosticDto, Empty, EngineEvent, ExportFormat, ExportQueryRequest,
    ExportQueryResponse, FetchRowsRequest, FetchRowsResponse, FilterMode, PreviewRelationRequest, QueryHistory,
    QueryHistoryEntry, QueryHistoryRequest, QueryIdRequest, RelationDto, RelationKind, RunQueryRequest,
    RunQueryResponse, RunStatementAtRequest, SchemaDto, SchemaResponse, Severity, ShowModelRequest, SortDto,
    SplitScriptRequest, SplitScriptResponse, StatementRangeDto, StatementResultDto,
};
use crate::error::{codes, to_u32, ApiError, ApiResult, ErrorKind};
use crate::paths::{atomic_write, confine_file};
use crate::state::{ProjectState, ResultStore, RESULTS_DB};
use crate::stores::{Filtered, Settled, Stored, HISTORY_FILE, MAX_HISTORY};
use crate::{blocking, lock, Studio};

const DEFAULT_PAGE: usize = 200;
const MAX_PAGE: usize = 10_000;
/// Rows kept from statements that cannot be materialised as a table (SHOW, PRAGMA, DML …).
const MAX_CACHED_ROWS: usize = 100_000;
/// How long the last statement of a script may take to materialise before the console gets its
/// first page from a separate `LIMIT` query instead of waiting for the whole result.
const FIRST_PAGE_WAIT: Duration = Duration::from_millis(60);

pub(crate) fn columns_dto(result: &QueryResult) -> Vec<ColumnDto> {
    result
        .columns
        .iter()
        .map(|c| ColumnDto {
            name: c.name.clone(),
            data_type: Some(c.data_type.clone()),
            description: String::new(),
        })
        .collect()
}

fn sql_diagnostic(error: &AdapterError) -> DiagnosticDto {
    *ApiError::from_adapter(error).diagnostic
}

/// Moves a SQL error's position from the text that ran (which may have `prefix_lines` generated
/// lines on top) into the script the user wrote.
/// DuckDB's own `LINE n:` context in the message is renumbered the same way, so the message and
/// the position never disagree ("LINE 4" beside "Line 3, column 1").
pub(crate) fn locate(mut diagnostic: DiagnosticDto, statement: &Statement, prefix_lines: u32) -> DiagnosticDto {
    match diagnostic.line {
        Some(line) if line > prefix_lines => {
            let in_statement = line - prefix_lines;
            let in_script = to_u32(statement.line) + in_statement - 1;
            diagnostic.message =
                kiln_warehouse::renumber_line_indicator(&diagnostic.message, line as usize, in_script as usize);
            diagnostic.line = Some(in_script);
            if in_statement == 1 {
                diagnostic.column = diagnostic.column.map(|c| c + to_u32(statement.column) - 1);
            }
        }
        _ => {
            diagnostic.line = Some(to_u32(statement.line));
            diagnostic.column = None;
        }
    }
    diagnostic
}

/// Renders Jinja (`ref`, `source`, macros) when the text has any, then translates Redshift SQL
/// for a DuckDB warehouse.
pub(crate) fn prepare_sql(state: &ProjectState, sql: &str) -> Result<String, DiagnosticDto> {
    prepare_sql_on(state, sql, &state.target.kind)
}

/// [`prepare_sql`] for a console connection of type `kind`: only DuckDB gets the translation.
pub(crate) fn prepare_sql_on(state: &ProjectState, sql: &str, kind: &TargetKind) -> Result<String, DiagnosticDto> {
    let rendered = if sql.contains("{{") || sql.contains("{%") || sql.contains("{#") {
        let manifest = state
            .manifest()
            .map_err(|d| *ApiError::from_diagnostics(&d).diagnostic)?;
        manifest
            .compile_inline(sql, &CompileState::default())
            .map_err(|d| crate::diagnostic_dto(&d))?
            .sql
    } else {
        sql.to_string()
    };
    if *kind != TargetKind::DuckDb {
        return Ok(rendered);
    }
    if let Some(found) = kiln_sql::check_redshift_only(&rendered).into_iter().next() {
        let mut diagnostic = *ApiError::new(
            ErrorKind::Unprocessable,
            Code::Untranslatable.as_str(),
            format!(
                "`{}` cannot run on the local DuckDB warehouse: {}",
                found.construct, found.reason
            ),
        )
        .hint("run it on a Redshift connection, or rewrite that part")
        .diagnostic;
        // Relative to the statement; the console places it in the script.
        diagnostic.line = u32::try_from(found.line).ok();
        diagnostic.column = u32::try_from(found.column).ok();
        return Err(diagnostic);
    }
    Ok(kiln_sql::redshift_to_duckdb(&rendered))
}

fn count(adapter: &dyn Adapter, sql: &str) -> Result<u64, AdapterError> {
    let result = adapter.query(sql, Some(1))?;
    Ok(result
        .rows
        .first()
        .and_then(|r| r.first())
        .and_then(Value::as_u64)
        .unwrap_or(0))
}

/// Sees each batch of a result as it streams in.
type FirstRows<'a> = dyn FnMut(&[ColumnInfo], &[Vec<Value>]) + 'a;

/// Runs `body` on the warehouse and keeps its rows as `relation` in the result store; `first`
/// sees each batch as it arrives (a server's result streams in). On failure, the error and the
/// number of generated lines in front of the caller's SQL (for locating it).
fn materialise(
    store: &ResultStore,
    adapter: &dyn Adapter,
    body: &str,
    relation: &str,
    first: &mut FirstRows<'_>,
) -> Result<(), (AdapterError, u32)> {
    if store.is_beside(adapter) {
        return adapter
            .execute(&format!("CREATE TABLE {relation} AS\n{body}\n"))
            .map(|_| ())
            .map_err(|e| (e, 1));
    }
    // A server's rows, or another connection's beside the warehouse, stream into the store.
    let local = store.adapter();
    let table = relation.rsplit('.').next().unwrap_or(relation).to_string();
    // Bounded: a slow local write holds the server's stream back instead of buffering it all.
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<ColumnInfo>, Vec<Vec<Value>>)>(4);
    let writer = std::thread::Builder::new()
        .name("kiln-results".into())
        .spawn(move || match local.as_duckdb() {
            Some(duck) => duck.write_rows(RESULTS_DB, "main", &table, &mut rx.into_iter()),
            None => Err(AdapterError::Unsupported {
                message: "the result store is not a DuckDB database".into(),
            }),
        })
        .map_err(|e| {
            (
                AdapterError::Unsupported {
                    message: format!("cannot start the result writer: {e}"),
                },
                0,
            )
        })?;
    let streamed = adapter.stream(body, &mut |columns, rows| {
        first(columns, &rows);
        match tx.send((columns.to_vec(), rows)) {
            Ok(()) => Flow::More,
            Err(_) => Flow::Stop,
        }
    });
    drop(tx);
    let written = writer.join().unwrap_or_else(|_| {
        Err(AdapterError::Unsupported {
            message: "the result writer failed".into(),
        })
    });
    streamed.map_err(|e| (e, 0))?;
    written.map(|_| ()).map_err(|e| (e, 0))
}

struct Ran {
    stored: Stored,
    columns: Vec<ColumnDto>,
    first_page: Vec<Vec<Value>>,
    total: Option<u64>,
}

fn run_one(
    state: &ProjectState,
    console: &Console,
    statement: &Statement,
    relation: &str,
    page: usize,
) -> Result<Ran, DiagnosticDto> {
    let adapter = console.adapter.as_ref();
    if console.is_warehouse && console.kind == TargetKind::DuckDb {
        if let Some(message) = streaming_ddl(state, adapter, statement)? {
            let columns = vec![ColumnDto {
                name: "status".into(),
                data_type: Some("VARCHAR".into()),
                description: String::new(),
            }];
            let rows = vec![vec![Value::from(message)]];
            return Ok(Ran {
                stored: Stored::Rows {
                    columns: columns.clone(),
                    rows: Arc::new(rows.clone()),
                },
                columns,
                first_page: rows,
                total: Some(1),
            });
        }
    }
    let sql = prepare_sql_on(state, &statement.sql, &console.kind).map_err(|d| locate(d, statement, 0))?;
    if is_query(&sql) {
        let body = sql.trim_end().trim_end_matches(';');
        let store = state.result_store().map_err(|e| *e.diagnostic)?;
        let results = store.adapter();
        materialise(&store, adapter, body, relation, &mut |_, _| {})
            .map_err(|(e, prefix)| locate(sql_diagnostic(&e), statement, prefix))?;
        let first = results
            .query(&format!("SELECT * FROM {relation} LIMIT {page}"), None)
            .map_err(|e| sql_diagnostic(&e))?;
        let total =
            count(results.as_ref(), &format!("SELECT count(*) FROM {relation}")).map_err(|e| sql_diagnostic(&e))?;
        let columns = columns_dto(&first);
        Ok(Ran {
            stored: Stored::Table {
                relation: relation.to_string(),
                columns: columns.clone(),
                total,
            },
            columns,
            first_page: first.rows,
            total: Some(total),
        })
    } else {
        let result = adapter
            .query(&sql, Some(MAX_CACHED_ROWS))
            .map_err(|e| locate(sql_diagnostic(&e), statement, 0))?;
        let columns = columns_dto(&result);
        let first_page = result.rows.iter().take(page).cloned().collect();
        let total = result.rows.len() as u64;
        Ok(Ran {
            stored: Stored::Rows {
                columns: columns.clone(),
                rows: Arc::new(result.rows),
            },
            columns,
            first_page,
            total: Some(total),
        })
    }
}

/// Redshift's streaming statements (`CREATE EXTERNAL SCHEMA … FROM KINESIS`, materialized
/// views, COPY from S3), which the stream engine carries out; `None` for any other statement.
fn streaming_ddl(
    state: &ProjectState,
    adapter: &dyn Adapter,
    statement: &Statement,
) -> Result<Option<String>, DiagnosticDto> {
    let at_statement = |mut d: DiagnosticDto| {
        d.line = Some(to_u32(statement.line));
        d
    };
    match kiln_sql::parse_redshift_ddl(&statement.sql) {
        Ok(None) => Ok(None),
        Ok(Some(ddl)) => crate::streams::run_ddl(state, adapter, ddl)
            .map(Some)
            .map_err(at_statement),
        Err(e) => {
            let line = to_u32(statement.line) + to_u32(e.line as usize) - 1;
            let column = if e.line == 1 {
                to_u32(statement.column) + to_u32(e.column as usize) - 1
            } else {
                to_u32(e.column as usize)
            };
            Err(DiagnosticDto {
                code: Code::StreamDdl.as_str().to_string(),
                severity: crate::dto::Severity::Error,
                message: e.message,
                file: None,
                line: Some(line),
                column: Some(column),
                hint: None,
            })
        }
    }
}

/// A statement's result once it can be paged: waits while the background materialisation of
/// the last statement of a script is still going (it always settles, also when cancelled).
pub(crate) fn ready(state: &ProjectState, query_id: &str, index: u32) -> ApiResult<Stored> {
    loop {
        let stored = lock(&state.queries).statement(query_id, index)?;
        let Stored::Pending {
            relation,
            columns,
            settled,
        } = stored
        else {
            return Ok(stored);
        };
        match settled.get() {
            Some(Ok(total)) => {
                return Ok(Stored::Table {
                    relation,
                    columns,
                    total: *total,
                })
            }
            Some(Err(diagnostic)) => {
                return Err(ApiError {
                    kind: ErrorKind::Unprocessable,
                    diagnostic: Box::new(diagnostic.clone()),
                })
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// [`ready`] never hands out a pending result; this is the answer if one slips through anyway.
pub(crate) fn still_materialising() -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        codes::BAD_REQUEST,
        "the result is still being materialised",
    )
    .hint("try again in a moment")
}

fn is_pending(stored: &Stored) -> bool {
    matches!(stored, Stored::Pending { settled, .. } if settled.get().is_none())
}

/// Where the last statement of a script is materialised, and who to tell when it is done.
struct Background<'a> {
    state: &'a Arc<ProjectState>,
    adapter: &'a Arc<dyn Adapter>,
    console: &'a Console,
    query_id: &'a str,
    number: u64,
    index: u32,
    cancel: &'a Arc<AtomicBool>,
}

/// Runs a query so that its first page is back quickly however large the result: the result is
/// materialised by a background thread, and if that takes longer than [`FIRST_PAGE_WAIT`] the
/// first page comes from the same query under a `LIMIT` (DuckDB stops scanning once it has the
/// rows). The stored result settles when the table is complete and a `queryProgress` event
/// carries its row count. Only the last statement of a script runs this way, so statements
/// never overlap. A non-deterministic query (random(), no ORDER BY over parallel scans) may show
/// a first page that differs from the rows paged later.
fn run_query_fast(
    bg: &Background<'_>,
    statement: &Statement,
    sql: &str,
    relation: &str,
    page: usize,
) -> Result<Ran, DiagnosticDto> {
    let body = sql.trim_end().trim_end_matches(';').to_string();
    let store = bg.state.result_store().map_err(|e| *e.diagnostic)?;
    if !store.is_beside(bg.adapter.as_ref()) {
        return run_query_streamed(bg, &store, statement, &body, relation, page);
    }
    let (settled, done_rx, worker) = {
        let adapter = bg.adapter.clone();
        let relation = relation.to_string();
        let statement = statement.clone();
        let body = body.clone();
        spawn_materialise(bg, &store, relation.clone(), move || {
            adapter
                .execute(&format!("CREATE TABLE {relation} AS\n{body}\n"))
                .map_err(|e| locate(sql_diagnostic(&e), &statement, 1))
                .and_then(|_| {
                    count(adapter.as_ref(), &format!("SELECT count(*) FROM {relation}")).map_err(|e| sql_diagnostic(&e))
                })
        })
    };
    if worker.is_err() {
        // No thread to spare: materialise in the foreground, as every other statement does.
        return run_one(bg.state, bg.console, statement, relation, page);
    }
    let finished = match done_rx.recv_timeout(FIRST_PAGE_WAIT) {
        Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => true,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => false,
    };
    let probe = if finished {
        None
    } else {
        bg.adapter
            .query(
                &format!("SELECT * FROM (\n{body}\n) AS kiln_first_rows LIMIT {page}"),
                None,
            )
            .ok()
    };
    match (settled.get(), probe) {
        // Still materialising: answer with the first page now.
        (None, Some(first)) => {
            let columns = columns_dto(&first);
            Ok(Ran {
                stored: Stored::Pending {
                    relation: relation.to_string(),
                    columns: columns.clone(),
                    settled,
                },
                columns,
                first_page: first.rows,
                total: None,
            })
        }
        // Done (or the probe failed, whose error the materialisation reports too): page the table.
        _ => {
            let _ = done_rx.recv();
            settled_table(&store, &settled, relation, page)
        }
    }
}

/// Materialises in a background thread: `job` runs there and returns the row count; the stored
/// result settles with it, a `queryProgress` event carries it, and a session pushed out (or
/// re-run) meanwhile has its table dropped. The receiver hears when the job is over.
fn spawn_materialise(
    bg: &Background<'_>,
    store: &ResultStore,
    relation: String,
    job: impl FnOnce() -> Result<u64, DiagnosticDto> + Send + 'static,
) -> (
    Settled,
    std::sync::mpsc::Receiver<()>,
    std::io::Result<std::thread::JoinHandle<()>>,
) {
    let settled: Settled = Arc::default();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let state = bg.state.clone();
    let results = store.adapter();
    let query_id = bg.query_id.to_string();
    let cancel = bg.cancel.clone();
    let (number, index) = (bg.number, bg.index);
    let worker = {
        let settled = settled.clone();
        std::thread::Builder::new()
            .name("kiln-materialise".into())
            .spawn(move || {
                let outcome = job().map_err(|e| {
                    if cancel.load(Ordering::SeqCst) {
                        cancelled_diagnostic()
                    } else {
                        e
                    }
                });
                let total = outcome.as_ref().ok().copied();
                let _ = settled.set(outcome);
                let _ = done_tx.send(());
                // A session pushed out (or re-run) meanwhile dropped a table that did not exist yet.
                let store = lock(&state.queries);
                if !store.contains(number) {
                    drop_relations(results.as_ref(), &[relation]);
                }
                drop(store);
                state.emit(EngineEvent::QueryProgress {
                    query_id,
                    statement: index,
                    total_rows: total,
                    done: true,
                });
            })
    };
    (settled, done_rx, worker)
}

/// A server target's query: its rows stream into the local result store in the background, and
/// the console answers as soon as the first page has arrived, however large the result.
fn run_query_streamed(
    bg: &Background<'_>,
    store: &ResultStore,
    statement: &Statement,
    body: &str,
    relation: &str,
    page: usize,
) -> Result<Ran, DiagnosticDto> {
    let (first_tx, first_rx) = std::sync::mpsc::channel::<(Vec<ColumnInfo>, Vec<Vec<Value>>)>();
    let store_for_spawn = store.clone();
    let (settled, done_rx, worker) = {
        let adapter = bg.adapter.clone();
        let store = store.clone();
        let results = store.adapter();
        let relation_name = relation.to_string();
        let statement = statement.clone();
        let body = body.to_string();
        spawn_materialise(bg, &store_for_spawn, relation.to_string(), move || {
            let mut held: Option<(Vec<ColumnInfo>, Vec<Vec<Value>>)> = None;
            let mut sent = false;
            let mut first = |columns: &[ColumnInfo], rows: &[Vec<Value>]| {
                if sent {
                    return;
                }
                let entry = held.get_or_insert_with(|| (columns.to_vec(), Vec::new()));
                entry
                    .1
                    .extend(rows.iter().take(page - entry.1.len().min(page)).cloned());
                if entry.1.len() >= page {
                    sent = true;
                    if let Some(first) = held.take() {
                        let _ = first_tx.send(first);
                    }
                }
            };
            let outcome = materialise(&store, adapter.as_ref(), &body, &relation_name, &mut first);
            if let Some(first) = held.take() {
                let _ = first_tx.send(first);
            }
            outcome.map_err(|(e, prefix)| locate(sql_diagnostic(&e), &statement, prefix))?;
            count(results.as_ref(), &format!("SELECT count(*) FROM {relation_name}")).map_err(|e| sql_diagnostic(&e))
        })
    };
    if worker.is_err() {
        return run_one(bg.state, bg.console, statement, relation, page);
    }
    match (first_rx.recv(), settled.get()) {
        (Ok((columns, rows)), None) => {
            // Described by the local table's DuckDB types, not the server's spelling: paging,
            // filters, Σ and charts run on that table and read these (`double precision` is
            // DOUBLE there, a number), and the settled result is the same table.
            let columns = columns
                .into_iter()
                .map(|c| ColumnInfo {
                    data_type: kiln_warehouse::result_type(&c.data_type),
                    name: c.name,
                })
                .collect();
            let columns = columns_dto(&QueryResult {
                columns,
                rows: Vec::new(),
                truncated: false,
            });
            Ok(Ran {
                stored: Stored::Pending {
                    relation: relation.to_string(),
                    columns: columns.clone(),
                    settled,
                },
                columns,
                first_page: rows,
                total: None,
            })
        }
        _ => {
            let _ = done_rx.recv();
            settled_table(store, &settled, relation, page)
        }
    }
}

/// The stored result once its materialisation is over: its first page from the result store.
fn settled_table(store: &ResultStore, settled: &Settled, relation: &str, page: usize) -> Result<Ran, DiagnosticDto> {
    match settled.get() {
        Some(Ok(total)) => {
            let first = store
                .adapter()
                .query(&format!("SELECT * FROM {relation} LIMIT {page}"), None)
                .map_err(|e| sql_diagnostic(&e))?;
            let columns = columns_dto(&first);
            Ok(Ran {
                stored: Stored::Table {
                    relation: relation.to_string(),
                    columns: columns.clone(),
                    total: *total,
                },
                columns,
                first_page: first.rows,
                total: Some(*total),
            })
        }
        Some(Err(diagnostic)) => Err(diagnostic.clone()),
        None => Err(cancelled_diagnostic()),
    }
}

fn cancelled_diagnostic() -> DiagnosticDto {
    ApiError::new(
        ErrorKind::Unprocessable,
        Code::Sql.as_str(),
        "the query was cancelled before this statement finished",
    )
    .hint("run it again")
    .diagnostic
    .as_ref()
    .clone()
}

fn remember(state: &ProjectState, entry: QueryHistoryEntry) {
    let path = state.root.join(HISTORY_FILE);
    // History is a convenience: a read-only project folder must not fail the query.
    let _ = (|| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
        writeln!(
            file,
            "{}",
            serde_json::to_string(&entry).map_err(std::io::Error::other)?
        )
    })();
    let mut history = lock(&state.history);
    history.push_back(entry);
    while history.len() > MAX_HISTORY {
        history.pop_front();
    }
}

fn run_script(
    state: &Arc<ProjectState>,
    console: Console,
    requested_id: Option<String>,
    statements: Vec<Statement>,
    page_size: Option<u32>,
) -> ApiResult<RunQueryResponse> {
    if statements.is_empty() {
        return Err(ApiError::bad_request("there is no SQL statement to run").hint("type a query, e.g. select 1"));
    }
    let adapter = console.adapter.clone();
    let page = page_size.map(|p| p as usize).unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let (query_id, number, cancel, dropped) = lock(&state.queries).begin(requested_id);
    drop_relations(state.results()?.as_ref(), &dropped);
    state.emit(EngineEvent::QueryProgress {
        query_id: query_id.clone(),
        statement: 0,
        total_rows: None,
        done: false,
    });
    let mut results = Vec::with_capacity(statements.len());
    let mut stored = Vec::with_capacity(statements.len());
    let last = statements.len() - 1;
    for (index, statement) in statements.iter().enumerate() {
        let started_at = kiln_exec::now_rfc3339();
        let clock = Instant::now();
        let relation = format!("{RESULTS_DB}.main.q{number}_{index}");
        let outcome = if cancel.load(Ordering::SeqCst) {
            Err(cancelled_diagnostic())
        } else if index == last {
            let background = Background {
                state,
                adapter: &adapter,
                console: &console,
                query_id: &query_id,
                number,
                index: to_u32(index),
                cancel: &cancel,
            };
            match prepare_sql_on(state, &statement.sql, &console.kind) {
                Ok(sql) if is_query(&sql) => run_query_fast(&background, statement, &sql, &relation, page),
                Ok(_) => run_one(state, &console, statement, &relation, page),
                Err(diagnostic) => Err(locate(diagnostic, statement, 0)),
            }
        } else {
            run_one(state, &console, statement, &relation, page)
        };
        let elapsed = clock.elapsed().as_secs_f64();
        let result = match outcome {
            Ok(ran) => {
                stored.push(ran.stored);
                StatementResultDto {
                    index: to_u32(index),
                    sql: kiln_sql::redact_credentials(&statement.sql),
                    columns: ran.columns,
                    first_page: ran.first_page,
                    total_rows: ran.total,
                    elapsed,
                    error: None,
                }
            }
            Err(mut error) => {
                if cancel.load(Ordering::SeqCst) {
                    error = cancelled_diagnostic();
                }
                stored.push(Stored::Failed);
                StatementResultDto {
                    index: to_u32(index),
                    sql: kiln_sql::redact_credentials(&statement.sql),
                    columns: vec![],
                    first_page: vec![],
                    total_rows: None,
                    elapsed,
                    error: Some(error),
                }
            }
        };
        remember(
            state,
            QueryHistoryEntry {
                sql: kiln_sql::redact_credentials(&statement.sql),
                started_at,
                elapsed,
                rows: result.total_rows,
                error: result.error.as_ref().map(|e| e.message.clone()),
                connection: Some(console.id.clone()),
            },
        );
        state.emit(EngineEvent::QueryProgress {
            query_id: query_id.clone(),
            statement: to_u32(index),
            total_rows: result.total_rows,
            done: index == last,
        });
        results.push(result);
    }
    lock(&state.queries).finish(number, stored);
    Ok(RunQueryResponse {
        query_id,
        statements: results,
    })
}

pub(crate) fn drop_relations(adapter: &dyn Adapter, relations: &[String]) {
    for relation in relations {
        // A table that is already gone is fine; nothing else can go wrong that matters here.
        let _ = adapter.execute(&format!("DROP TABLE IF EXISTS {relation}"));
    }
}

fn check_sort(columns: &[ColumnDto], sort: Option<&SortDto>) -> ApiResult<Option<usize>> {
    let Some(sort) = sort else { return Ok(None) };
    columns
        .iter()
        .position(|c| c.name == sort.column)
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request(format!("the result has no column '{}'", sort.column))
                .hint("sort by one of the result's columns")
        })
}

pub(crate) fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn compare_values(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering as O;
    match (a, b) {
        (Value::Null, Value::Null) => O::Equal,
        (Value::Null, _) => O::Greater,
        (_, Value::Null) => O::Less,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(O::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => value_text(a).cmp(&value_text(b)),
    }
}

/// Whether a column's text can hold letters; numbers (one definition, kiln-dash's) are searched
/// without `lower()`.
pub(crate) fn is_numeric(data_type: Option<&str>) -> bool {
    kiln_dash::plan::is_numeric(data_type.unwrap_or_default())
}

/// How a grid filter reads: a SQL condition when the text binds as a boolean expression over the
/// result's columns (`venue_state = 'CA'`, `num_tickets > 20`), otherwise text that any column's
/// value contains, ignoring case. A text that looks like a condition but does not bind keeps the
/// warehouse's reason, so the grid can say why it searched for text instead.
fn filter_predicate(
    adapter: &dyn Adapter,
    relation: &str,
    columns: &[ColumnDto],
    text: &str,
) -> (String, FilterMode, Option<String>) {
    let probe = format!("SELECT ({text}) AS kiln_condition FROM {relation} LIMIT 0");
    // One statement only: a filter is an expression, never a way to run a second command.
    let single = kiln_sql::split_statements(&probe).len() == 1;
    let note = if single {
        match adapter.query(&probe, Some(0)) {
            Ok(result) if result.columns.first().is_some_and(|c| c.data_type == "BOOLEAN") => {
                return (format!("({text})"), FilterMode::Condition, None)
            }
            Ok(result) => looks_like_condition(text).then(|| {
                let kind = result.columns.first().map(|c| c.data_type.clone()).unwrap_or_default();
                format!("as a condition it is {kind}, not BOOLEAN")
            }),
            Err(error) => looks_like_condition(text).then(|| first_line(&error.to_string())),
        }
    } else {
        looks_like_condition(text).then(|| "a filter is one condition; it may not contain ';'".to_string())
    };
    let needle = quote_literal(&text.to_lowercase());
    let tests: Vec<String> = columns
        .iter()
        .map(|c| {
            let column = quote_ident(&c.name);
            match c.data_type.as_deref() {
                Some("VARCHAR") => format!("contains(lower({column}), {needle})"),
                t if is_numeric(t) => format!("contains(CAST({column} AS VARCHAR), {needle})"),
                _ => format!("contains(lower(CAST({column} AS VARCHAR)), {needle})"),
            }
        })
        .collect();
    (tests.join(" OR "), FilterMode::Text, note)
}

/// Comparison operators or SQL's condition keywords: the user meant a condition.
fn looks_like_condition(text: &str) -> bool {
    if text.contains(['=', '<', '>']) {
        return true;
    }
    let lower = format!(" {} ", text.to_lowercase());
    [
        " like ",
        " ilike ",
        " in ",
        " in(",
        " is ",
        " between ",
        " and ",
        " or ",
        " not ",
    ]
    .iter()
    .any(|keyword| lower.contains(keyword))
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// The rows of `relation` that pass the filter (see [`filter_predicate`]), materialised once per
/// filter text, with their count.
pub(crate) fn filtered_table(
    state: &ProjectState,
    adapter: &dyn Adapter,
    (query_id, statement): (&str, u32),
    relation: &str,
    columns: &[ColumnDto],
    text: &str,
) -> ApiResult<Filtered> {
    if let Some(hit) = lock(&state.queries).filtered(query_id, statement, text) {
        return Ok(hit);
    }
    let (predicate, mode, note) = filter_predicate(adapter, relation, columns, text);
    let number = lock(&state.queries).next_number();
    let filtered = format!("{relation}_f{number}");
    adapter
        .execute(&format!(
            "CREATE TABLE {filtered} AS SELECT * FROM {relation} WHERE {predicate}"
        ))
        .map_err(|e| ApiError::from_adapter(&e))?;
    let total = count(adapter, &format!("SELECT count(*) FROM {filtered}")).map_err(|e| ApiError::from_adapter(&e))?;
    let entry = Filtered {
        filter: text.to_string(),
        relation: filtered.clone(),
        total,
        mode,
        note,
    };
    let unused = lock(&state.queries).set_filtered(query_id, statement, entry.clone());
    if let Some(unused) = unused {
        drop_relations(adapter, std::slice::from_ref(&unused));
        if unused == filtered {
            return Err(ApiError::unknown_id("query", query_id));
        }
    }
    Ok(entry)
}

fn fetch(state: &ProjectState, request: &FetchRowsRequest) -> ApiResult<FetchRowsResponse> {
    let stored = ready(state, &request.query_id, request.statement)?;
    let limit = (request.limit as usize).min(MAX_PAGE);
    let filter = request.filter.as_deref().map(str::trim).filter(|f| !f.is_empty());
    match stored {
        Stored::Failed => {
            Err(ApiError::bad_request("this statement failed and has no rows").hint("fix it and run it again"))
        }
        Stored::Pending { .. } => Err(still_materialising()),
        Stored::Table {
            relation,
            columns,
            total,
        } => {
            let sort_index = check_sort(&columns, request.sort.as_ref())?;
            let adapter = state.results()?;
            let (source, total_rows, filter_mode, filter_note) = match filter {
                Some(text) if !columns.is_empty() => {
                    let hit = filtered_table(
                        state,
                        adapter.as_ref(),
                        (&request.query_id, request.statement),
                        &relation,
                        &columns,
                        text,
                    )?;
                    (hit.relation, hit.total, Some(hit.mode), hit.note)
                }
                _ => (relation.clone(), total, None, None),
            };
            let order = match (sort_index, &request.sort) {
                // rowid breaks ties so that pages never overlap or skip rows.
                (Some(i), Some(sort)) => format!(
                    " ORDER BY {} {} NULLS LAST, rowid",
                    quote_ident(&columns[i].name),
                    if sort.descending { "DESC" } else { "ASC" }
                ),
                _ => String::new(),
            };
            let sql = format!("SELECT * FROM {source}{order} LIMIT {limit} OFFSET {}", request.offset);
            let rows = adapter.query(&sql, None).map_err(|e| ApiError::from_adapter(&e))?.rows;
            Ok(FetchRowsResponse {
                rows,
                total_rows,
                filter_mode,
                filter_note,
            })
        }
        Stored::Rows { columns, rows } => {
            let sort_index = check_sort(&columns, request.sort.as_ref())?;
            // Kept rows (SHOW, PRAGMA …) are not in the warehouse, so only text applies to them.
            let needle = filter.map(str::to_lowercase);
            let mut picked: Vec<&Vec<Value>> = rows
                .iter()
                .filter(|row| match &needle {
                    Some(text) => row.iter().any(|v| value_text(v).to_lowercase().contains(text.as_str())),
                    None => true,
                })
                .collect();
            if let (Some(i), Some(sort)) = (sort_index, &request.sort) {
                picked.sort_by(|a, b| {
                    let ordering = compare_values(&a[i], &b[i]);
                    if sort.descending && !a[i].is_null() && !b[i].is_null() {
                        ordering.reverse()
                    } else {
                        ordering
                    }
                });
            }
            let total_rows = picked.len() as u64;
            let offset = usize::try_from(request.offset).unwrap_or(usize::MAX);
            let rows = picked.into_iter().skip(offset).take(limit).cloned().collect();
            Ok(FetchRowsResponse {
                rows,
                total_rows,
                filter_mode: needle.map(|_| FilterMode::Text),
                filter_note: None,
            })
        }
    }
}

fn csv_field(value: &Value) -> String {
    let text = value_text(value);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn export(state: &ProjectState, request: &ExportQueryRequest) -> ApiResult<ExportQueryResponse> {
    let stored = ready(state, &request.query_id, request.statement)?;
    // An absolute path may point anywhere, as the export dialog says: the console can already
    // `COPY … TO` any file, so confining exports would protect nothing and only refuse the user.
    // A relative path is the project's and stays inside it.
    let requested = Path::new(&request.path);
    let mut download = None;
    let (absolute, relative) = if request.download.unwrap_or(false) {
        let extension = match request.format {
            ExportFormat::Csv => "csv",
            ExportFormat::Parquet => "parquet",
        };
        let name = crate::downloads::file_name(&request.path, extension);
        let (id, file) = lock(&state.downloads)
            .prepare(&name)
            .map_err(|e| ApiError::io("the download folder", &e))?;
        download = Some(id);
        (file, name)
    } else if requested.is_absolute() && !requested.starts_with(&state.root) {
        (PathBuf::from(&request.path), request.path.clone())
    } else {
        confine_file(&state.root, &request.path)?
    };
    if absolute.is_dir() {
        return Err(
            ApiError::bad_request(format!("{} is a folder", request.path)).hint("add a file name, e.g. result.csv")
        );
    }
    if let Some(parent) = absolute.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ApiError::io(&relative, &e))?;
    }
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scratch = absolute.with_file_name(format!(".{name}{}export", crate::paths::TMP_MARKER));
    let rows = match stored {
        Stored::Failed => {
            return Err(ApiError::bad_request("this statement failed and has no rows to export")
                .hint("fix it and run it again"))
        }
        Stored::Pending { .. } => return Err(still_materialising()),
        Stored::Table { relation, total, .. } => {
            let options = match request.format {
                ExportFormat::Csv => "FORMAT csv, HEADER true",
                ExportFormat::Parquet => "FORMAT parquet",
            };
            let adapter = state.results()?;
            let sql = format!(
                "COPY (SELECT * FROM {relation}) TO {} ({options})",
                quote_literal(&scratch.to_string_lossy())
            );
            if let Err(e) = adapter.execute(&sql) {
                let _ = std::fs::remove_file(&scratch);
                return Err(ApiError::from_adapter(&e));
            }
            total
        }
        Stored::Rows { columns, rows } => {
            if request.format == ExportFormat::Parquet {
                return Err(ApiError::bad_request(
                    "only the results of queries (SELECT, WITH, FROM …) can be exported as Parquet",
                )
                .hint("export this result as CSV, or wrap it in a SELECT"));
            }
            let mut text = columns
                .iter()
                .map(|c| csv_field(&Value::String(c.name.clone())))
                .collect::<Vec<_>>()
                .join(",");
            text.push('\n');
            for row in rows.iter() {
                text.push_str(&row.iter().map(csv_field).collect::<Vec<_>>().join(","));
                text.push('\n');
            }
            atomic_write(&scratch, text.as_bytes()).map_err(|e| ApiError::io(&relative, &e))?;
            rows.len() as u64
        }
    };
    std::fs::rename(&scratch, &absolute).map_err(|e| {
        let _ = std::fs::remove_file(&scratch);
        ApiError::io(&relative, &e)
    })?;
    if let Some(id) = &download {
        lock(&state.downloads).add(id.clone(), absolute, relative.clone());
    }
    Ok(ExportQueryResponse {
        path: relative,
        rows,
        download,
    })
}

fn single_result(sql: String, outcome: Result<QueryResult, DiagnosticDto>, elapsed: f64) -> StatementResultDto {
    match outcome {
        Ok(result) => StatementResultDto {
            index: 0,
            sql,
            columns: columns_dto(&result),
            total_rows: (!result.truncated).then_some(result.rows.len() as u64),
            first_page: result.rows,
            elapsed,
            error: None,
        },
        Err(error) => StatementResultDto {
            index: 0,
            sql,
            columns: vec![],
            first_page: vec![],
            total_rows: None,
            elapsed,
            error: Some(error),
        },
    }
}

fn preview(state: &ProjectState, request: &PreviewRelationRequest) -> ApiResult<StatementResultDto> {
    let adapter = state.adapter()?;
    let limit = (request.limit as usize).clamp(1, MAX_PAGE);
    let sql = format!(
        "SELECT * FROM {}.{} LIMIT {limit}",
        quote_ident(&request.schema),
        quote_ident(&request.name)
    );
    let clock = Instant::now();
    let outcome = adapter.query(&sql, Some(limit)).map_err(|e| sql_diagnostic(&e));
    Ok(single_result(sql, outcome, clock.elapsed().as_secs_f64()))
}

fn show(state: &ProjectState, request: &ShowModelRequest) -> ApiResult<StatementResultDto> {
    let (_, relative) = confine_file(&state.root, &request.path)?;
    let manifest = state.require_manifest()?;
    let node = manifest
        .nodes
        .values()
        .find(|n| crate::error::slash_path(&n.path) == relative && !n.raw_code.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorKind::NotFound,
                Code::UnknownRef.as_str(),
                format!("{relative} is not a model of this project"),
            )
            .in_file(relative.clone())
            .hint("open a model under models/ and save it first")
        })?;
    let compiled = match &request.content {
        // The editor's text, compiled exactly as the editor shows it compiled as you type.
        Some(content) => {
            let edited = crate::model::compile(
                state,
                &CompileModelRequest {
                    path: relative.clone(),
                    content: Some(content.clone()),
                },
            )?;
            match (
                edited.warehouse_sql.or(edited.sql),
                edited.diagnostics.into_iter().find(|d| d.severity == Severity::Error),
            ) {
                (Some(sql), None) => sql,
                (_, Some(problem)) => return Ok(single_result(String::new(), Err(problem), 0.0)),
                (None, None) => {
                    return Err(ApiError::bad_request(format!("{relative} did not compile"))
                        .in_file(relative.clone())
                        .hint("check the editor's problems"))
                }
            }
        }
        None => match manifest.compile(&node.unique_id, &CompileState::default()) {
            Ok(compiled) => kiln_exec::for_warehouse(&manifest, &compiled.sql),
            Err(diagnostic) => {
                return Ok(single_result(
                    String::new(),
                    Err(crate::diagnostic_dto(&diagnostic)),
                    0.0,
                ))
            }
        },
    };
    let adapter = state.adapter()?;
    let limit = (request.limit as usize).clamp(1, MAX_PAGE);
    let body = compiled.trim().trim_end_matches(';');
    let sql = format!("select * from (\n{body}\n) kiln_show limit {limit}");
    let clock = Instant::now();
    let outcome = adapter.query(&sql, Some(limit)).map_err(|e| {
        let mut diagnostic = sql_diagnostic(&e);
        diagnostic.file = Some(relative.clone());
        diagnostic.line = None;
        diagnostic.column = None;
        diagnostic
    });
    Ok(single_result(compiled, outcome, clock.elapsed().as_secs_f64()))
}

fn schema(state: &ProjectState) -> ApiResult<SchemaResponse> {
    let adapter = state.adapter()?;
    let relations = adapter.list_relations().map_err(|e| ApiError::from_adapter(&e))?;
    let columns = adapter
        .query(
            // PostgreSQL and Redshift list their catalogs' columns here too (thousands), which the
            // browser never shows: `list_relations` leaves those schemas out.
            "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns \
             WHERE table_catalog = current_database() \
             AND table_schema NOT IN ('pg_catalog', 'information_schema') \
             ORDER BY table_schema, table_name, ordinal_position",
            None,
        )
        .map_err(|e| ApiError::from_adapter(&e))?;
    let mut by_relation: std::collections::HashMap<(String, String), Vec<ColumnDto>> = std::collections::HashMap::new();
    for row in columns.rows {
        let text = |i: usize| row.get(i).map(value_text).unwrap_or_default();
        by_relation.entry((text(0), text(1))).or_default().push(ColumnDto {
            name: text(2),
            data_type: Some(text(3)),
            description: String::new(),
        });
    }
    let mut schemas: Vec<SchemaDto> = Vec::new();
    for (relation, kind) in relations {
        let columns = by_relation
            .remove(&(relation.schema.clone(), relation.identifier.clone()))
            .unwrap_or_default();
        let dto = RelationDto {
            name: relation.identifier.clone(),
            kind: match kind {
                kiln_warehouse::RelationType::Table => RelationKind::Table,
                kiln_warehouse::RelationType::View => RelationKind::View,
            },
            columns,
        };
        match schemas.iter_mut().find(|s| s.name == relation.schema) {
            Some(schema) => schema.relations.push(dto),
            None => schemas.push(SchemaDto {
                name: relation.schema.clone(),
                relations: vec![dto],
            }),
        }
    }
    Ok(SchemaResponse { schemas })
}

impl Studio {
    /// Runs every statement of the script in order; each result stays in the engine for
    /// `fetchRows` and `exportQuery`.
    pub async fn run_query(&self, request: RunQueryRequest) -> ApiResult<RunQueryResponse> {
        let state = self.project()?;
        let studio = self.clone();
        blocking(move || {
            let console = studio.console(&state, request.connection.as_deref())?;
            let statements = kiln_sql::split_statements(&request.sql);
            run_script(&state, console, request.query_id, statements, request.page_size)
        })
        .await
    }

    /// Runs only the statement under the cursor (`offset` is a byte offset into `sql`).
    pub async fn run_statement_at(&self, request: RunStatementAtRequest) -> ApiResult<RunQueryResponse> {
        let state = self.project()?;
        let studio = self.clone();
        blocking(move || {
            let statement = kiln_sql::statement_at(&request.sql, request.offset as usize).ok_or_else(|| {
                ApiError::bad_request("there is no SQL statement at the cursor")
                    .hint("put the cursor inside a statement")
            })?;
            let console = studio.console(&state, request.connection.as_deref())?;
            run_script(&state, console, request.query_id, vec![statement], request.page_size)
        })
        .await
    }

    /// Where the statements of a script are, as `runQuery` and `runStatementAt` will cut it.
    /// Needs no open project: it only reads the text.
    pub async fn split_script(&self, request: SplitScriptRequest) -> ApiResult<SplitScriptResponse> {
        blocking(move || {
            let sql = request.sql.as_str();
            // Byte offsets → UTF-16 indices, walking the text once (statements come in order).
            let mut units = 0usize;
            let mut byte = 0usize;
            let mut utf16 = |target: usize| {
                if let Some(between) = sql.get(byte..target) {
                    units += between.encode_utf16().count();
                    byte = target;
                }
                to_u32(units)
            };
            let statements = kiln_sql::statement_regions(sql)
                .into_iter()
                .map(|(s, cursor_end)| StatementRangeDto {
                    start: utf16(s.start),
                    end: utf16(s.end),
                    line: to_u32(s.line),
                    cursor_end: utf16(cursor_end),
                })
                .collect();
            Ok(SplitScriptResponse { statements })
        })
        .await
    }

    /// A page of a statement's result, optionally sorted by one column and filtered by text.
    pub async fn fetch_rows(&self, request: FetchRowsRequest) -> ApiResult<FetchRowsResponse> {
        let state = self.project()?;
        blocking(move || fetch(&state, &request)).await
    }

    /// Skips the statements not started yet and interrupts the running one. While a run is in
    /// progress the running statement is left to finish: DuckDB's interrupt would stop the
    /// run's statements too.
    pub async fn cancel_query(&self, request: QueryIdRequest) -> ApiResult<Empty> {
        let state = self.project()?;
        let running = {
            let store = lock(&state.queries);
            let session = store
                .sessions
                .iter()
                .find(|s| s.id == request.query_id)
                .ok_or_else(|| ApiError::unknown_id("query", &request.query_id))?;
            session.cancel.store(true, Ordering::SeqCst);
            session.running || session.statements.iter().any(is_pending)
        };
        if running && !state.has_active_run() {
            crate::interrupt_warehouse(&state).await?;
            let consoles = state.clone();
            blocking(move || {
                consoles.consoles.interrupt_all();
                Ok(())
            })
            .await?;
        }
        Ok(Empty {})
    }

    /// Writes a statement's whole result to a file inside the project.
    pub async fn export_query(&self, request: ExportQueryRequest) -> ApiResult<ExportQueryResponse> {
        let state = self.project()?;
        blocking(move || export(&state, &request)).await
    }

    /// Statements run in the console, newest first; with `connection`, only those run on it
    /// (entries from before connections count as the studio's target's).
    pub async fn query_history(&self, request: QueryHistoryRequest) -> ApiResult<QueryHistory> {
        let state = self.project()?;
        blocking(move || {
            let active = format!("profile:{}", state.target.name);
            let wanted = request.connection.filter(|c| !c.is_empty());
            let on = |entry: &QueryHistoryEntry| match &wanted {
                None => true,
                Some(id) => entry.connection.as_deref().unwrap_or(&active) == id,
            };
            Ok(QueryHistory {
                entries: lock(&state.history).iter().rev().filter(|e| on(e)).cloned().collect(),
            })
        })
        .await
    }

    /// Schemas, tables, views and their columns in the warehouse.
    pub async fn schema(&self, _request: Empty) -> ApiResult<SchemaResponse> {
        let state = self.project()?;
        blocking(move || schema(&state)).await
    }

    pub async fn preview_relation(&self, request: PreviewRelationRequest) -> ApiResult<StatementResultDto> {
        let state = self.project()?;
        blocking(move || preview(&state, &request)).await
    }

    /// Compiles the saved model and shows its first rows.
    pub async fn show_model(&self, request: ShowModelRequest) -> ApiResult<StatementResultDto> {
        let state = self.project()?;
        blocking(move || show(&state, &request)).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn locates_errors_in_the_script() {
        let statement = Statement {
            sql: "select\n  nope".into(),
            start: 20,
            end: 33,
            line: 3,
            column: 5,
        };
        let diagnostic = *ApiError::bad_request("x").diagnostic;
        let at = |line, column| {
            locate(
                DiagnosticDto {
                    line: Some(line),
                    column: Some(column),
                    ..diagnostic.clone()
                },
                &statement,
                1,
            )
        };
        let second = at(3, 3);
        assert_eq!((second.line, second.column), (Some(4), Some(3)));
        let first = at(2, 2);
        assert_eq!((first.line, first.column), (Some(3), Some(6)));
    }

    #[test]
    fn sorts_nulls_last_and_numbers_numerically() {
        let mut values = vec![Value::Null, Value::from(10), Value::from(9), Value::from(-1)];
        values.sort_by(compare_values);
        assert_eq!(
            values,
            vec![Value::from(-1), Value::from(9), Value::from(10), Value::Null]
        );
    }

    #[test]
    fn quotes_csv_fields_that_need_it() {
        assert_eq!(csv_field(&Value::from("a,b")), "\"a,b\"");
        assert_eq!(csv_field(&Value::from("say \"hi\"")), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(&Value::Null), "");
        assert_eq!(csv_field(&Value::from(1.5)), "1.5");
    }
}
