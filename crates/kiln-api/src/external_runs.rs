//! Runs this studio did not start — `kiln build` in a terminal, another studio process on a server
//! target — followed from their records under `<target>/runs/` (kiln-exec's `history`, which
//! every front end writes alike). The file watcher hands over the changed paths there; each
//! foreign run becomes the same events as a run of our own (`runStarted` with its origin, a
//! `nodeStarted` / `nodeFinished` per line of its `events.jsonl`, `runFinished`), so the UI shows
//! its progress, its lineage statuses and where it came from without knowing the difference.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

use kiln_exec::history::{self, RecordedEvent, RunRecordFile, RUNS_DIR};

use crate::dto::{EngineEvent, NodeResultDto, NodeStatusDto, ResourceTypeDto, RunCommand, RunStatus};
use crate::lock;
use crate::model::resource_type_dto;
use crate::state::ProjectState;

/// How far each foreign run has been reported.
#[derive(Debug, Default)]
struct Tail {
    offset: u64,
    started: bool,
    finished: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Tails {
    runs: HashMap<String, Tail>,
}

fn from_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// The run ids of the changed paths that lie in `<target>/runs/<id>/`.
pub(crate) fn run_ids(runs_dir: &Path, paths: &[PathBuf]) -> BTreeSet<String> {
    paths
        .iter()
        .filter_map(|path| path.strip_prefix(runs_dir).ok())
        .filter_map(|rest| rest.components().next())
        .filter_map(|first| first.as_os_str().to_str().map(str::to_string))
        .collect()
}

/// A recorded node result as the panel shows it (without the sample and the diagnostic, which
/// only the studio's own runs keep).
pub(crate) fn result_dto(event: &RecordedEvent) -> Option<NodeResultDto> {
    let RecordedEvent::Finished {
        unique_id,
        name,
        resource_type,
        status,
        message,
        rows_affected,
        failures,
        execution_time,
        compiled_path,
        ..
    } = event
    else {
        return None;
    };
    let resource_type = kiln_graph::ResourceType::from_str(resource_type)
        .map(resource_type_dto)
        .unwrap_or(ResourceTypeDto::Model);
    Some(NodeResultDto {
        unique_id: unique_id.clone(),
        name: name.clone(),
        resource_type,
        status: from_name::<NodeStatusDto>(status)?,
        message: message.clone(),
        rows_affected: *rows_affected,
        failures: *failures,
        execution_time: *execution_time,
        compiled_path: compiled_path.clone(),
        diagnostic: None,
        sample: None,
    })
}

/// The node results recorded in a run's `events.jsonl`, for a run without the studio's own
/// `results.json` (one started from the CLI).
pub(crate) fn recorded_results(dir: &Path) -> Option<Vec<NodeResultDto>> {
    history::read_record(dir)?;
    let (events, _) = history::read_events(dir, 0);
    Some(events.iter().filter_map(result_dto).collect())
}

impl Tails {
    /// Reports what changed in the foreign runs among `paths` (absolute paths from the watcher).
    pub(crate) fn update(&mut self, state: &ProjectState, paths: &[PathBuf]) {
        let runs_dir = state.target_dir().join(RUNS_DIR);
        for run_id in run_ids(&runs_dir, paths) {
            // Our own runs report themselves as they go.
            if lock(&state.runs).contains_key(&run_id) {
                continue;
            }
            let dir = runs_dir.join(&run_id);
            // Read before the events: a record that says the run is over was written after its
            // last event line, so those lines are all there.
            let Some(record) = history::read_record(&dir) else {
                continue;
            };
            let tail = self.runs.entry(run_id.clone()).or_default();
            if tail.finished {
                continue;
            }
            follow(state, &dir, &record, tail);
        }
    }
}

fn follow(state: &ProjectState, dir: &Path, record: &RunRecordFile, tail: &mut Tail) {
    let run_id = &record.run_id;
    if !tail.started {
        let Some(command) = from_name::<RunCommand>(&record.command) else {
            tail.finished = true;
            return;
        };
        tail.started = true;
        state.emit(EngineEvent::RunStarted {
            run_id: run_id.clone(),
            command,
            total: record.total,
            origin: record.origin.clone(),
        });
    }
    let (events, offset) = history::read_events(dir, tail.offset);
    tail.offset = offset;
    for event in &events {
        match event {
            RecordedEvent::Started {
                index,
                total,
                unique_id,
                name,
            } => state.emit(EngineEvent::NodeStarted {
                run_id: run_id.clone(),
                unique_id: unique_id.clone(),
                name: name.clone(),
                index: *index,
                total: *total,
            }),
            RecordedEvent::Finished { index, total, .. } => {
                let Some(result) = result_dto(event) else { continue };
                lock(&state.statuses).insert(result.unique_id.clone(), (result.status, SystemTime::now()));
                state.emit(EngineEvent::NodeFinished {
                    run_id: run_id.clone(),
                    result: Box::new(result),
                    index: *index,
                    total: *total,
                });
            }
        }
    }
    if let Some(status) = from_name::<RunStatus>(&record.status).filter(|s| *s != RunStatus::Running) {
        tail.finished = true;
        state.emit(EngineEvent::RunFinished {
            run_id: run_id.clone(),
            status,
            elapsed: record.elapsed.unwrap_or(0.0),
            counts: record.counts.clone(),
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn changed_paths_name_their_runs() {
        let runs = Path::new("/p/target/runs");
        let paths = vec![
            PathBuf::from("/p/target/runs/r1/run.json"),
            PathBuf::from("/p/target/runs/r1/events.jsonl"),
            PathBuf::from("/p/target/runs/r2"),
            PathBuf::from("/p/target/manifest.json"),
            PathBuf::from("/p/models/a.sql"),
        ];
        assert_eq!(
            run_ids(runs, &paths).into_iter().collect::<Vec<_>>(),
            vec!["r1".to_string(), "r2".to_string()]
        );
    }

    #[test]
    fn a_recorded_result_reads_as_the_panel_s_result() {
        let event = RecordedEvent::Finished {
            index: 1,
            total: 1,
            unique_id: "test.p.not_null_a_id".into(),
            name: "not_null_a_id".into(),
            resource_type: "test".into(),
            status: "fail".into(),
            message: "Got 3 results".into(),
            rows_affected: None,
            failures: Some(3),
            execution_time: 0.25,
            compiled_path: Some("target/compiled/p/t.sql".into()),
        };
        let dto = result_dto(&event).unwrap();
        assert_eq!(dto.resource_type, ResourceTypeDto::Test);
        assert_eq!(dto.status, NodeStatusDto::Fail);
        assert_eq!(dto.failures, Some(3));
    }
}
