//! Stage/seed/run/test/build from the toolbar: a registry of runs with cancel tokens, their
//! events, and their records under `target/runs/<runId>/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use kiln_exec::history::{self, RunOrigin, RunRecordFile, RunRecorder, LOG_FILE, RECORD_FILE, RUNS_DIR};
use kiln_exec::{CancelToken, Command, Event, NodeResult, NodeStatus, RunOptions};
use kiln_warehouse::QueryResult;

use crate::dto::{
    Empty, EngineEvent, NodeResultDto, NodeStatusDto, RunCommand, RunHistory, RunIdRequest, RunRecord, RunResults,
    RunStatus, SampleDto, StartRunRequest, StartRunResponse,
};
use crate::error::{codes, diagnostic_dto, slash_path, ApiError, ApiResult, ErrorKind};
use crate::model::resource_type_dto;
use crate::paths::atomic_write;
use crate::state::ProjectState;
use crate::stores::RunEntry;
use crate::{blocking, lock, Studio};

/// The studio's own addition to the run's record (kiln-exec's `history`): every node's result
/// with its diagnostic and failing-row sample, for the panel's detail.
pub(crate) const RESULTS_FILE: &str = "results.json";
/// A run of tens of thousands of nodes logs a line or two each; past this the log keeps its
/// beginning and says how much it dropped, and the end (the summary) is always kept.
const MAX_LOG_LINES: usize = 50_000;
/// How many past runs `runHistory` lists and the graph's statuses are read from.
const HISTORY_LIMIT: usize = 200;
const STATUS_RUNS: usize = 50;

fn command_of(command: RunCommand) -> Command {
    match command {
        RunCommand::Stage => Command::Stage,
        RunCommand::Seed => Command::Seed,
        RunCommand::Run => Command::Run,
        RunCommand::Test => Command::Test,
        RunCommand::Build => Command::Build,
    }
}

fn status_dto(status: NodeStatus) -> NodeStatusDto {
    match status {
        NodeStatus::Success => NodeStatusDto::Success,
        NodeStatus::Error => NodeStatusDto::Error,
        NodeStatus::Skipped => NodeStatusDto::Skipped,
        NodeStatus::Pass => NodeStatusDto::Pass,
        NodeStatus::Fail => NodeStatusDto::Fail,
        NodeStatus::Warn => NodeStatusDto::Warn,
    }
}

fn status_name(status: NodeStatusDto) -> &'static str {
    match status {
        NodeStatusDto::Success => "success",
        NodeStatusDto::Error => "error",
        NodeStatusDto::Skipped => "skipped",
        NodeStatusDto::Pass => "pass",
        NodeStatusDto::Fail => "fail",
        NodeStatusDto::Warn => "warn",
        NodeStatusDto::Stale => "stale",
    }
}

pub(crate) fn sample_dto(result: &QueryResult) -> SampleDto {
    SampleDto {
        columns: crate::query::columns_dto(result),
        rows: result.rows.clone(),
    }
}

fn node_result_dto(root: &Path, result: &NodeResult) -> NodeResultDto {
    NodeResultDto {
        unique_id: result.unique_id.clone(),
        name: result.name.clone(),
        resource_type: resource_type_dto(result.resource_type),
        status: status_dto(result.status),
        message: result.message.clone(),
        rows_affected: result.rows_affected,
        failures: result.failures,
        execution_time: result.execution_time,
        compiled_path: result
            .compiled_path
            .as_deref()
            .map(|p| slash_path(&kiln_diagnostics::relative_to(root, p))),
        diagnostic: result.diagnostic.as_ref().map(diagnostic_dto),
        sample: result.sample.as_ref().map(sample_dto),
    }
}

fn counts_of(results: &[NodeResultDto]) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for result in results {
        *counts.entry(status_name(result.status).to_string()).or_insert(0) += 1;
    }
    counts
}

fn check_run_id(run_id: &str) -> ApiResult<()> {
    if run_id.is_empty()
        || !run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::unknown_id("run", run_id));
    }
    Ok(())
}

pub(crate) fn run_dir(state: &ProjectState, run_id: &str) -> PathBuf {
    history::run_dir(&state.target_dir(), run_id)
}

pub(crate) fn run_status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "running",
        RunStatus::Success => "success",
        RunStatus::Error => "error",
        RunStatus::Cancelled => "cancelled",
    }
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    atomic_write(path, text.as_bytes())
}

/// Reads the graph's statuses from the latest recorded runs, newest first wins.
pub(crate) fn load_statuses(state: &ProjectState) {
    let mut records = disk_records(state);
    records.truncate(STATUS_RUNS);
    let mut statuses = lock(&state.statuses);
    for record in records {
        let path = run_dir(state, &record.run_id).join(RESULTS_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(results) = serde_json::from_str::<Vec<NodeResultDto>>(&text) else {
            continue;
        };
        let at = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        for result in results {
            statuses.entry(result.unique_id).or_insert((result.status, at));
        }
    }
}

/// Recorded runs on disk, newest first.
fn disk_records(state: &ProjectState) -> Vec<RunRecord> {
    let Ok(entries) = std::fs::read_dir(state.target_dir().join(RUNS_DIR)) else {
        return Vec::new();
    };
    let mut records: Vec<RunRecord> = entries
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path().join(RECORD_FILE)).ok())
        .filter_map(|text| serde_json::from_str(&text).ok())
        .collect();
    records.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.run_id.cmp(&a.run_id)));
    records
}

struct Prepared {
    run_id: String,
    manifest: Arc<kiln_compile::Manifest>,
    adapter: Arc<dyn kiln_warehouse::Adapter>,
    options: RunOptions,
    cancel: CancelToken,
    /// The run's record on disk; `None` when the target folder cannot be written (said in the log).
    recorder: Option<RunRecorder>,
}

fn busy() -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        codes::BAD_REQUEST,
        "another run is still in progress",
    )
    .hint("wait for it to finish or cancel it, then start this one")
}

fn prepare(state: &ProjectState, request: &StartRunRequest) -> ApiResult<Prepared> {
    if state.has_active_run() {
        return Err(busy());
    }
    let manifest = state.require_manifest()?;
    let mut options = RunOptions::new(command_of(request.command));
    options.select = request.select.clone();
    options.exclude = request.exclude.clone();
    options.threads = request
        .threads
        .map(|t| t as usize)
        .unwrap_or(manifest.target.threads)
        .max(1);
    options.full_refresh = request.full_refresh.unwrap_or(false);
    // A bad selector is reported to the caller now rather than as a failed run.
    let (planned, _) = kiln_exec::plan(&manifest, &options)?;
    let adapter = state.adapter()?;
    if manifest.target.kind == kiln_project::TargetKind::DuckDb {
        let engine = state.streams()?;
        // Streams declared since the project opened exist before the models that read them run.
        crate::streams::declare(state, &engine.hub, Some(adapter.as_ref()));
        options.streams = Some(kiln_exec::Streams(engine.hub.clone()));
    }
    let run_id = history::new_run_id();
    let cancel = CancelToken::default();
    let origin = match request.cli_pid {
        Some(pid) => RunOrigin::Cli { pid },
        None => RunOrigin::Studio {
            client: request.client.clone(),
        },
    };
    let record = RunRecord {
        run_id: run_id.clone(),
        command: request.command,
        select: request.select.clone(),
        exclude: request.exclude.clone(),
        started_at: kiln_exec::now_rfc3339(),
        elapsed: None,
        status: RunStatus::Running,
        counts: BTreeMap::new(),
        origin: origin.clone(),
    };
    {
        // Checked again under the lock that registers the run, so two toolbar clicks cannot
        // both start one.
        let mut runs = lock(&state.runs);
        if runs.values().any(RunEntry::is_running) {
            return Err(busy());
        }
        runs.insert(
            run_id.clone(),
            RunEntry {
                record,
                cancel: cancel.clone(),
                results: Vec::new(),
                log: Vec::new(),
            },
        );
    }
    let file = RunRecordFile {
        run_id: run_id.clone(),
        command: options.command.as_str().to_string(),
        select: request.select.clone(),
        exclude: request.exclude.clone(),
        started_at: kiln_exec::now_rfc3339(),
        elapsed: None,
        status: run_status_name(RunStatus::Running).to_string(),
        counts: BTreeMap::new(),
        origin: origin.clone(),
        total: crate::error::to_u32(planned.len()),
    };
    state.emit(EngineEvent::RunStarted {
        run_id: run_id.clone(),
        command: request.command,
        total: crate::error::to_u32(planned.len()),
        origin,
    });
    for line in kiln_exec::log::header_lines(&manifest, options.threads, planned.len(), options.command) {
        log(state, &run_id, line);
    }
    let recorder = match RunRecorder::start(&state.root, &state.target_dir(), file) {
        Ok(recorder) => Some(recorder),
        Err(e) => {
            log(state, &run_id, e.to_string());
            None
        }
    };
    Ok(Prepared {
        run_id,
        manifest,
        adapter,
        options,
        cancel,
        recorder,
    })
}

/// Reports one engine event of a studio run: to the UI, the registry and the graph's statuses.
fn report(state: &ProjectState, run_id: &str, root: &Path, event: &Event) {
    match event {
        Event::Started {
            index,
            total,
            unique_id,
            name,
            kind,
        } => {
            state.emit(EngineEvent::NodeStarted {
                run_id: run_id.to_string(),
                unique_id: unique_id.clone(),
                name: name.clone(),
                index: crate::error::to_u32(*index),
                total: crate::error::to_u32(*total),
            });
            if let Some(line) = kiln_exec::log::started_line(*index, *total, kind, name) {
                log(state, run_id, line);
            }
        }
        Event::Finished { index, total, result } => {
            log(state, run_id, kiln_exec::log::finished_line(*index, *total, result));
            let dto = node_result_dto(root, result);
            lock(&state.statuses).insert(dto.unique_id.clone(), (dto.status, SystemTime::now()));
            if let Some(entry) = lock(&state.runs).get_mut(run_id) {
                entry.results.push(dto.clone());
            }
            state.emit(EngineEvent::NodeFinished {
                run_id: run_id.to_string(),
                result: Box::new(dto),
                index: crate::error::to_u32(*index),
                total: crate::error::to_u32(*total),
            });
        }
        Event::Log { unique_id, message } => log(state, run_id, format!("{unique_id}: {message}")),
    }
}

fn execute(state: &ProjectState, prepared: Prepared) {
    let Prepared {
        run_id,
        manifest,
        adapter,
        options,
        cancel,
        recorder,
    } = prepared;
    let started = Instant::now();
    let root = state.root.clone();
    let sink = |event: &Event| {
        if let Some(recorder) = &recorder {
            recorder.event(event);
        }
        report(state, &run_id, &root, event);
    };
    let outcome = kiln_exec::execute(&manifest, adapter, &options, &sink, &cancel);
    let status = match &outcome {
        _ if cancel.is_cancelled() => RunStatus::Cancelled,
        Ok(summary) if summary.success() => RunStatus::Success,
        Ok(_) => RunStatus::Error,
        Err(diagnostic) => {
            log(state, &run_id, diagnostic.to_string());
            RunStatus::Error
        }
    };
    if let Ok(summary) = &outcome {
        for line in kiln_exec::log::summary_lines(summary, &kiln_exec::log::clock()) {
            // The headline lines carry their clock already; the rest are indented detail.
            log_plain(state, &run_id, line);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (record, results, lines) = {
        let mut runs = lock(&state.runs);
        match runs.get_mut(&run_id) {
            Some(entry) => {
                entry.record.status = status;
                entry.record.elapsed = Some(elapsed);
                entry.record.counts = counts_of(&entry.results);
                (entry.record.clone(), entry.results.clone(), entry.log.clone())
            }
            None => return,
        }
    };
    let recorded = RecordedRun {
        record: &record,
        results: &results,
        log: &lines,
    };
    if let Err(message) = record_run(state, &manifest, &recorded, outcome.as_ref().ok(), &options) {
        log(state, &run_id, message);
    }
    if let Some(recorder) = &recorder {
        // Last: a record no longer `running` is a complete run.
        if let Err(e) = recorder.finish(run_status_name(status), elapsed, record.counts.clone(), &lines) {
            log(state, &run_id, e.to_string());
        }
    }
    state.emit(EngineEvent::RunFinished {
        run_id,
        status,
        elapsed,
        counts: record.counts,
    });
}

/// `target/runs/<id>/{run.json, results.json, run_results.json}`, plus the project-wide
/// `target/run_results.json` and `target/manifest.json` that dbt tooling reads, as the CLI writes.
/// What a finished run leaves in its folder.
struct RecordedRun<'a> {
    record: &'a RunRecord,
    results: &'a [NodeResultDto],
    log: &'a [String],
}

/// Adds a line to the run's log (with the clock, as the CLI prints it) and sends it to the UI.
fn log(state: &ProjectState, run_id: &str, line: String) {
    log_plain(state, run_id, format!("{}  {line}", kiln_exec::log::clock()));
}

fn log_plain(state: &ProjectState, run_id: &str, message: String) {
    // Sent under the lock that orders the stored lines, so the live log and the recorded one
    // agree line for line even when worker threads log at once (sending never blocks).
    let mut runs = lock(&state.runs);
    if let Some(entry) = runs.get_mut(run_id) {
        match entry.log.len().cmp(&MAX_LOG_LINES) {
            std::cmp::Ordering::Less => entry.log.push(message.clone()),
            std::cmp::Ordering::Equal => entry.log.push(format!(
                "… the log keeps its first {MAX_LOG_LINES} lines; the run goes on"
            )),
            std::cmp::Ordering::Greater => {}
        }
    }
    state.emit(EngineEvent::Log {
        run_id: Some(run_id.to_string()),
        message,
    });
    drop(runs);
}

fn record_run(
    state: &ProjectState,
    manifest: &kiln_compile::Manifest,
    run: &RecordedRun<'_>,
    summary: Option<&kiln_exec::RunSummary>,
    options: &RunOptions,
) -> Result<(), String> {
    let RecordedRun { record, results, log } = run;
    let dir = run_dir(state, &record.run_id);
    let fail = |path: &Path, e: std::io::Error| format!("cannot record the run in {}: {e}", path.display());
    if let Some(summary) = summary {
        // The project-wide artifacts are written as the CLI writes them; the run's own copy of
        // run_results.json keeps this run's outcome after later runs replace the shared one.
        let written = kiln_exec::write_run_artifacts(manifest, summary, options).map_err(|d| d.to_string())?;
        let copy = dir.join(kiln_exec::RUN_RESULTS_FILE);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::copy(&written.run_results, &copy))
            .map_err(|e| fail(&copy, e))?;
    }
    let path = dir.join(RESULTS_FILE);
    write_json(&path, &results).map_err(|e| fail(&path, e))?;
    // Without a recorder (the folder could not be made at the start) the record is written here.
    if !dir.join(RECORD_FILE).exists() {
        let path = dir.join(LOG_FILE);
        std::fs::write(&path, log.join("\n")).map_err(|e| fail(&path, e))?;
        let path = dir.join(RECORD_FILE);
        write_json(&path, record).map_err(|e| fail(&path, e))?;
    }
    Ok(())
}

impl Studio {
    /// Starts a run and returns at once; progress arrives as events.
    pub async fn start_run(&self, request: StartRunRequest) -> ApiResult<StartRunResponse> {
        let state = self.project()?;
        let prepared = {
            let state = state.clone();
            blocking(move || prepare(&state, &request)).await?
        };
        let run_id = prepared.run_id.clone();
        let worker = state.clone();
        // Detached: the run reports through events and the registry, not through this handle.
        let _detached = tokio::task::spawn_blocking(move || execute(&worker, prepared));
        Ok(StartRunResponse { run_id })
    }

    /// Stops scheduling new nodes and interrupts the statements running now.
    pub async fn cancel_run(&self, request: RunIdRequest) -> ApiResult<Empty> {
        let state = self.project()?;
        let running = {
            let runs = lock(&state.runs);
            let entry = runs
                .get(&request.run_id)
                .ok_or_else(|| ApiError::unknown_id("run", &request.run_id))?;
            entry.cancel.cancel();
            entry.is_running()
        };
        if running {
            crate::interrupt_warehouse(&state).await?;
        }
        Ok(Empty {})
    }

    /// Runs of this session and recorded ones, newest first.
    pub async fn run_history(&self, _request: Empty) -> ApiResult<RunHistory> {
        let state = self.project()?;
        blocking(move || {
            let mut runs: Vec<RunRecord> = lock(&state.runs).values().map(|e| e.record.clone()).collect();
            for record in disk_records(&state) {
                if !runs.iter().any(|r| r.run_id == record.run_id) {
                    runs.push(record);
                }
            }
            runs.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.run_id.cmp(&a.run_id)));
            runs.truncate(HISTORY_LIMIT);
            Ok(RunHistory { runs })
        })
        .await
    }

    pub async fn run_results(&self, request: RunIdRequest) -> ApiResult<RunResults> {
        let state = self.project()?;
        blocking(move || {
            if let Some(entry) = lock(&state.runs).get(&request.run_id) {
                return Ok(RunResults {
                    results: entry.results.clone(),
                    log: entry.log.clone(),
                });
            }
            check_run_id(&request.run_id)?;
            let dir = run_dir(&state, &request.run_id);
            // Runs recorded before the log was kept have none.
            let log = std::fs::read_to_string(dir.join(LOG_FILE))
                .map(|text| text.lines().map(str::to_string).collect())
                .unwrap_or_default();
            let path = dir.join(RESULTS_FILE);
            if !path.exists() {
                // A run another process recorded (the CLI): its results are its event lines.
                if let Some(results) = crate::external_runs::recorded_results(&dir) {
                    return Ok(RunResults { results, log });
                }
            }
            let text = std::fs::read_to_string(&path).map_err(|_| ApiError::unknown_id("run", &request.run_id))?;
            let results = serde_json::from_str(&text).map_err(|e| {
                ApiError::internal(format!("{} is not a results file Kiln can read: {e}", path.display()))
            })?;
            Ok(RunResults { results, log })
        })
        .await
    }
}
