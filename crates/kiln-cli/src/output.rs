//! Terminal output: dbt-style progress lines, a progress bar on a terminal, and the summary.

use std::io::IsTerminal;
use std::sync::Mutex;

use kiln_diagnostics::{Diagnostic, Diagnostics};
use kiln_exec::{log, Event, RunSummary};

pub fn print_error(error: &anyhow::Error) {
    if let Some(diagnostics) = error.downcast_ref::<Diagnostics>() {
        eprintln!("{diagnostics}");
        let count = diagnostics.errors().count();
        eprintln!("\n{count} error{} found", if count == 1 { "" } else { "s" });
    } else if let Some(diagnostic) = error.downcast_ref::<Diagnostic>() {
        eprintln!("{diagnostic}");
    } else {
        eprintln!("error: {error:#}");
    }
}

pub fn print_warnings(diagnostics: &Diagnostics) {
    for warning in diagnostics.warnings() {
        eprintln!("{warning}");
    }
}

/// Prints node events as they arrive, with a bar while running on a terminal.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lock: Mutex<()>,
}

impl Progress {
    pub fn new(total: usize, enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal() && total > 0).then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {elapsed} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            lock: Mutex::new(()),
        }
    }

    fn line(&self, text: String) {
        let _guard = self.lock.lock();
        match &self.bar {
            Some(bar) => bar.println(text),
            None => println!("{text}"),
        }
    }

    pub fn on_event(&self, event: &Event) {
        match event {
            Event::Started {
                index,
                total,
                name,
                kind,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(name.clone());
                }
                if let Some(line) = log::started_line(*index, *total, kind, name) {
                    self.line(format!("{}  {line}", log::clock()));
                }
            }
            Event::Finished { index, total, result } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!(
                    "{}  {}",
                    log::clock(),
                    log::finished_line(*index, *total, result)
                ));
            }
            Event::Log { message, .. } => self.line(format!("{}  {message}", log::clock())),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub fn print_summary(summary: &RunSummary) {
    for line in log::summary_lines(summary, &log::clock()) {
        println!("{line}");
    }
}

pub fn table(result: &kiln_warehouse::QueryResult) -> String {
    log::table(result)
}
