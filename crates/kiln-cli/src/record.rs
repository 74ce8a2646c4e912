//! The run's record under `<target>/runs/` (kiln-exec's `history`), so a studio open on the
//! project lists this run, follows it live and says it came from the CLI.

use std::sync::Mutex;

use kiln_compile::Manifest;
use kiln_exec::history::{self, RunOrigin, RunRecordFile, RunRecorder};
use kiln_exec::{log, CancelToken, Event, RunOptions, RunSummary};

pub struct CliRecord {
    recorder: Option<RunRecorder>,
    log: Mutex<Vec<String>>,
}

impl CliRecord {
    /// Starts the record; a project whose target folder cannot be written still runs (with a
    /// warning), as it does without the record.
    pub fn start(manifest: &Manifest, options: &RunOptions, total: usize, header: &[String]) -> Self {
        let record = RunRecordFile {
            run_id: history::new_run_id(),
            command: options.command.as_str().to_string(),
            select: options.select.clone(),
            exclude: options.exclude.clone(),
            started_at: kiln_exec::now_rfc3339(),
            elapsed: None,
            status: "running".into(),
            counts: Default::default(),
            origin: RunOrigin::cli(),
            total: u32::try_from(total).unwrap_or(u32::MAX),
        };
        let recorder = match RunRecorder::start(&manifest.root, &manifest.target_dir, record) {
            Ok(recorder) => Some(recorder),
            Err(e) => {
                eprintln!("warning: {e}; the studio will not list this run");
                None
            }
        };
        CliRecord {
            recorder,
            log: Mutex::new(header.to_vec()),
        }
    }

    fn push(&self, line: String) {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }

    pub fn event(&self, event: &Event) {
        if let Some(recorder) = &self.recorder {
            recorder.event(event);
        }
        let clock = log::clock();
        match event {
            Event::Started {
                index,
                total,
                name,
                kind,
                ..
            } => {
                if let Some(line) = log::started_line(*index, *total, kind, name) {
                    self.push(format!("{clock}  {line}"));
                }
            }
            Event::Finished { index, total, result } => {
                self.push(format!("{clock}  {}", log::finished_line(*index, *total, result)))
            }
            Event::Log { message, .. } => self.push(format!("{clock}  {message}")),
        }
    }

    /// Writes the final record: the run's status, elapsed time, counts and log.
    pub fn finish(
        &self,
        outcome: Result<&RunSummary, &kiln_diagnostics::Diagnostic>,
        cancel: &CancelToken,
        elapsed: f64,
    ) {
        let Some(recorder) = &self.recorder else { return };
        let status = match outcome {
            _ if cancel.is_cancelled() => "cancelled",
            Ok(summary) if summary.success() => "success",
            _ => "error",
        };
        match outcome {
            Ok(summary) => {
                for line in log::summary_lines(summary, &log::clock()) {
                    self.push(line);
                }
            }
            Err(diagnostic) => self.push(diagnostic.to_string()),
        }
        let counts = outcome
            .map(|summary| history::counts_of(summary.results.iter().map(|r| r.status.as_str())))
            .unwrap_or_default();
        let lines = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Err(e) = recorder.finish(status, elapsed, counts, &lines) {
            eprintln!("warning: {e}");
        }
    }
}
