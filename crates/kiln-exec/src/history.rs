//! A run's record under `<target>/runs/<run id>/`, written the same way by every front end, so the
//! studio lists (and follows live) a run started from a terminal as it does its own:
//!
//! - `run.json`: what ran, when, where it was started from ([`RunOrigin`]) and, once it is over,
//!   its status, elapsed time and counts per node status. Written when the run starts (status
//!   `running`) and again, last, when it ends.
//! - `events.jsonl`: one [`RecordedEvent`] a line as nodes start and finish, appended as they
//!   happen, so another process can follow the run while it goes.
//! - `log.txt`: the run's log lines, written at the end.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Event, NodeResult};

pub const RUNS_DIR: &str = "runs";
pub const RECORD_FILE: &str = "run.json";
pub const EVENTS_FILE: &str = "events.jsonl";
pub const LOG_FILE: &str = "log.txt";

/// Where a run was started from (the studio's `RunOrigin` type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RunOrigin {
    /// `kiln build` (or stage, seed, run, test) in a terminal; `pid` is that process.
    Cli { pid: u32 },
    /// The studio; `client` names the window (or desktop app) that asked for it, when it said.
    Studio {
        #[serde(default)]
        client: Option<String>,
    },
}

impl Default for RunOrigin {
    /// Records written before origins were kept were all the studio's.
    fn default() -> Self {
        RunOrigin::Studio { client: None }
    }
}

impl RunOrigin {
    /// The origin of a run this process starts from its command line.
    pub fn cli() -> Self {
        RunOrigin::Cli {
            pid: std::process::id(),
        }
    }
}

/// `run.json`. Field names and values are the studio's `RunRecord` (camelCase, lower-case
/// command and status), so either side reads what the other wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecordFile {
    pub run_id: String,
    pub command: String,
    pub select: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub started_at: String,
    pub elapsed: Option<f64>,
    /// `running`, then `success`, `error` or `cancelled`.
    pub status: String,
    #[serde(default)]
    pub counts: BTreeMap<String, u32>,
    pub origin: RunOrigin,
    /// Nodes planned.
    #[serde(default)]
    pub total: u32,
}

/// One line of `events.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum RecordedEvent {
    #[serde(rename_all = "camelCase")]
    Started {
        index: u32,
        total: u32,
        unique_id: String,
        name: String,
    },
    #[serde(rename_all = "camelCase")]
    Finished {
        index: u32,
        total: u32,
        unique_id: String,
        name: String,
        resource_type: String,
        status: String,
        message: String,
        rows_affected: Option<u64>,
        failures: Option<u64>,
        execution_time: f64,
        /// Relative to the project, with forward slashes.
        compiled_path: Option<String>,
    },
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl RecordedEvent {
    /// The line recorded for an engine event; `Log` events are not recorded (the log is).
    pub fn of(root: &Path, event: &Event) -> Option<Self> {
        match event {
            Event::Started {
                index,
                total,
                unique_id,
                name,
                ..
            } => Some(RecordedEvent::Started {
                index: to_u32(*index),
                total: to_u32(*total),
                unique_id: unique_id.clone(),
                name: name.clone(),
            }),
            Event::Finished { index, total, result } => Some(Self::finished(root, *index, *total, result)),
            Event::Log { .. } => None,
        }
    }

    fn finished(root: &Path, index: usize, total: usize, result: &NodeResult) -> Self {
        RecordedEvent::Finished {
            index: to_u32(index),
            total: to_u32(total),
            unique_id: result.unique_id.clone(),
            name: result.name.clone(),
            resource_type: result.resource_type.as_str().to_string(),
            status: result.status.as_str().to_string(),
            message: result.message.clone(),
            rows_affected: result.rows_affected,
            failures: result.failures,
            execution_time: result.execution_time,
            compiled_path: result.compiled_path.as_deref().map(|path| {
                kiln_diagnostics::relative_to(root, path)
                    .to_string_lossy()
                    .replace('\\', "/")
            }),
        }
    }
}

/// Sortable, file-name safe and unique: `20240131T120501-3f2a-7`.
pub fn new_run_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stamp: String = crate::now_rfc3339()
        .chars()
        .take(19)
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // The process id keeps two processes starting a run in the same instant apart.
    let mixed = (nanos ^ std::process::id().rotate_left(16)) & 0xffff;
    format!("{stamp}-{mixed:04x}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// `<target>/runs/<run id>`.
pub fn run_dir(target_dir: &Path, run_id: &str) -> PathBuf {
    target_dir.join(RUNS_DIR).join(run_id)
}

/// Writes `path` through a temporary file and a rename, so a reader never sees half of it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[derive(Debug, thiserror::Error)]
#[error("cannot record the run in {path}: {source}")]
pub struct RecordError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Keeps a run's record while it runs. Thread-safe: worker threads report events at once.
pub struct RunRecorder {
    dir: PathBuf,
    root: PathBuf,
    record: Mutex<RunRecordFile>,
    events: Mutex<Option<File>>,
}

impl std::fmt::Debug for RunRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RunRecorder({})", self.dir.display())
    }
}

impl RunRecorder {
    /// Creates the run's folder and writes `run.json` with status `running`. `root` is the
    /// project's folder, which compiled paths are recorded relative to.
    pub fn start(root: &Path, target_dir: &Path, mut record: RunRecordFile) -> Result<Self, RecordError> {
        let dir = run_dir(target_dir, &record.run_id);
        let failed = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RecordError { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(failed(&dir))?;
        record.status = "running".into();
        let events_path = dir.join(EVENTS_FILE);
        let events = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&events_path)
            .map_err(failed(&events_path))?;
        let recorder = RunRecorder {
            dir,
            root: root.to_path_buf(),
            record: Mutex::new(record),
            events: Mutex::new(Some(events)),
        };
        recorder.write_record()?;
        Ok(recorder)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write_record(&self) -> Result<(), RecordError> {
        let path = self.dir.join(RECORD_FILE);
        let text = {
            let record = self.record.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            serde_json::to_string_pretty(&*record).map_err(std::io::Error::other)
        };
        text.and_then(|text| write_atomically(&path, text.as_bytes()))
            .map_err(|source| RecordError { path, source })
    }

    /// Appends a node's start or end to `events.jsonl`. A failed write stops the recording of
    /// events (the run goes on; its record still gets written at the end).
    pub fn event(&self, event: &Event) {
        let Some(recorded) = RecordedEvent::of(&self.root, event) else {
            return;
        };
        let Ok(mut line) = serde_json::to_string(&recorded) else {
            return;
        };
        line.push('\n');
        let mut events = self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(file) = events.as_mut() {
            if file.write_all(line.as_bytes()).is_err() {
                *events = None;
            }
        }
    }

    /// Writes `log.txt` and the final `run.json` (last: a run whose record is not `running` is
    /// complete).
    pub fn finish(
        &self,
        status: &str,
        elapsed: f64,
        counts: BTreeMap<String, u32>,
        log: &[String],
    ) -> Result<(), RecordError> {
        drop(
            self.events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take(),
        );
        let log_path = self.dir.join(LOG_FILE);
        std::fs::write(&log_path, log.join("\n")).map_err(|source| RecordError { path: log_path, source })?;
        {
            let mut record = self.record.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            record.status = status.to_string();
            record.elapsed = Some(elapsed);
            record.counts = counts;
        }
        self.write_record()
    }
}

/// Node counts per status (`success`, `error`, `skipped`, `pass`, `fail`, `warn`).
pub fn counts_of<'a>(statuses: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for status in statuses {
        *counts.entry(status.to_string()).or_insert(0) += 1;
    }
    counts
}

/// Reads `run.json` of the run in `dir`; `None` while it is being written or when it is not one.
pub fn read_record(dir: &Path) -> Option<RunRecordFile> {
    let text = std::fs::read_to_string(dir.join(RECORD_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The whole lines of `events.jsonl` from byte `offset`, and the offset after the last whole line
/// (a line still being written is read next time).
pub fn read_events(dir: &Path, offset: u64) -> (Vec<RecordedEvent>, u64) {
    let Ok(bytes) = std::fs::read(dir.join(EVENTS_FILE)) else {
        return (Vec::new(), offset);
    };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    let Some(last_newline) = bytes[start..].iter().rposition(|b| *b == b'\n') else {
        return (Vec::new(), offset);
    };
    let end = start + last_newline + 1;
    let events = String::from_utf8_lossy(&bytes[start..end])
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    (events, end as u64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn record(run_id: &str, origin: RunOrigin) -> RunRecordFile {
        RunRecordFile {
            run_id: run_id.into(),
            command: "build".into(),
            select: vec!["+fct_sales".into()],
            exclude: vec![],
            started_at: crate::now_rfc3339(),
            elapsed: None,
            status: String::new(),
            counts: BTreeMap::new(),
            origin,
            total: 2,
        }
    }

    fn started(index: usize, id: &str) -> Event {
        Event::Started {
            index,
            total: 2,
            unique_id: id.into(),
            name: id.rsplit('.').next().unwrap_or(id).into(),
            kind: "table".into(),
        }
    }

    #[test]
    fn a_cli_run_is_recorded_with_its_origin_and_followed_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let id = new_run_id();
        let recorder = RunRecorder::start(dir.path(), &target, record(&id, RunOrigin::cli())).unwrap();
        let written = read_record(recorder.dir()).unwrap();
        assert_eq!(written.status, "running");
        assert_eq!(
            written.origin,
            RunOrigin::Cli {
                pid: std::process::id()
            }
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(recorder.dir().join(RECORD_FILE)).unwrap()).unwrap();
        assert_eq!(json["origin"]["kind"], "cli", "the wire shape the studio reads");

        recorder.event(&started(1, "model.p.a"));
        let (events, offset) = read_events(recorder.dir(), 0);
        assert_eq!(events.len(), 1);
        // A half-written line is left for the next read.
        std::fs::OpenOptions::new()
            .append(true)
            .open(recorder.dir().join(EVENTS_FILE))
            .unwrap()
            .write_all(b"{\"event\":\"sta")
            .unwrap();
        let (more, same) = read_events(recorder.dir(), offset);
        assert!(more.is_empty());
        assert_eq!(same, offset);

        recorder
            .finish(
                "error",
                1.5,
                counts_of(["pass", "fail", "pass"]),
                &["a".into(), "b".into()],
            )
            .unwrap();
        let done = read_record(recorder.dir()).unwrap();
        assert_eq!(done.status, "error");
        assert_eq!(done.elapsed, Some(1.5));
        assert_eq!(done.counts.get("pass"), Some(&2));
        assert_eq!(done.counts.get("fail"), Some(&1));
        assert_eq!(std::fs::read_to_string(recorder.dir().join(LOG_FILE)).unwrap(), "a\nb");
    }

    #[test]
    fn a_studio_origin_names_its_window() {
        let origin = RunOrigin::Studio {
            client: Some("w1".into()),
        };
        let json = serde_json::to_value(&origin).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "studio", "client": "w1"}));
        let back: RunOrigin = serde_json::from_value(serde_json::json!({"kind": "studio"})).unwrap();
        assert_eq!(back, RunOrigin::Studio { client: None });
    }

    #[test]
    fn run_ids_are_unique_and_file_name_safe() {
        let ids: std::collections::BTreeSet<String> = (0..100).map(|_| new_run_id()).collect();
        assert_eq!(ids.len(), 100);
        assert!(ids
            .iter()
            .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')));
    }
}
