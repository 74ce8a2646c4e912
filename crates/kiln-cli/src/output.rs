//! Terminal output: dbt-style progress lines, a progress bar on a terminal, and the summary.

use std::io::IsTerminal;
use std::sync::Mutex;

use kiln_diagnostics::{Diagnostic, Diagnostics};
use kiln_exec::{Event, NodeResult, NodeStatus, RunSummary};
use kiln_graph::ResourceType;

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

fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

fn dotted(left: &str, right: &str) -> String {
    let width: usize = 80;
    let dots = width
        .saturating_sub(left.chars().count() + right.chars().count() + 2)
        .max(3);
    format!("{left} {} {right}", ".".repeat(dots))
}

fn describe(kind: &str, name: &str, relation: Option<&str>) -> String {
    let target = relation.map(|r| r.replace('"', "")).unwrap_or_else(|| name.to_string());
    match kind {
        "external" => format!("external table {target}"),
        "seed" => format!("seed file {target}"),
        "test" => format!("test {name}"),
        "view" | "table" | "incremental" => format!("sql {kind} model {target}"),
        other => format!("{other} {name}"),
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
                if kind != "test" {
                    self.line(format!(
                        "{}  {index} of {total} START {}",
                        clock(),
                        dotted(&describe(kind, name, None), "[RUN]")
                    ));
                }
            }
            Event::Finished { index, total, result } => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.line(format!("{}  {index} of {total} {}", clock(), finished_line(result)));
            }
            Event::Log { message, .. } => self.line(format!("{}  {message}", clock())),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn finished_line(result: &NodeResult) -> String {
    let what = describe(&result.kind, &result.name, result.relation_name.as_deref());
    let secs = result.execution_time;
    match result.status {
        NodeStatus::Success => {
            let verb = match result.kind.as_str() {
                // The lake files did not change since the last stage, so nothing was loaded.
                "external" if result.message.starts_with("unchanged") => "OK unchanged",
                "external" => "OK staged",
                "seed" => "OK loaded",
                _ => "OK created",
            };
            let tag = match (result.kind.as_str(), result.rows_affected) {
                ("seed", Some(rows)) => format!("[INSERT {rows} in {secs:.2}s]"),
                ("external", Some(rows)) => format!("[ROWS {rows} in {secs:.2}s]"),
                (_, Some(rows)) => format!("[SELECT {rows} in {secs:.2}s]"),
                _ => format!("[OK in {secs:.2}s]"),
            };
            dotted(&format!("{verb} {what}"), &tag)
        }
        NodeStatus::Pass => dotted(&format!("PASS {}", result.name), &format!("[PASS in {secs:.2}s]")),
        NodeStatus::Warn => dotted(
            &format!("WARN {} {}", result.failures.unwrap_or(0), result.name),
            &format!("[WARN {} in {secs:.2}s]", result.failures.unwrap_or(0)),
        ),
        NodeStatus::Fail => dotted(
            &format!("FAIL {} {}", result.failures.unwrap_or(0), result.name),
            &format!("[FAIL {} in {secs:.2}s]", result.failures.unwrap_or(0)),
        ),
        NodeStatus::Error => dotted(&format!("ERROR {what}"), &format!("[ERROR in {secs:.2}s]")),
        NodeStatus::Skipped => dotted(&format!("SKIP {what}"), "[SKIP]"),
    }
}

pub fn print_summary(summary: &RunSummary) {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for result in &summary.results {
        let label = match result.resource_type {
            ResourceType::Test => "data test".to_string(),
            ResourceType::Seed => "seed".to_string(),
            ResourceType::Source => "external table".to_string(),
            _ => format!("{} model", result.kind),
        };
        *counts.entry(label).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(label, n)| format!("{n} {label}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    println!();
    println!(
        "{}  Finished running {} in {:.2}s.",
        clock(),
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        },
        summary.elapsed
    );

    let problems: Vec<&NodeResult> = summary
        .results
        .iter()
        .filter(|r| matches!(r.status, NodeStatus::Error | NodeStatus::Fail | NodeStatus::Warn))
        .collect();
    if problems.is_empty() {
        println!("\n{}  Completed successfully", clock());
    } else {
        let failed = problems.iter().any(|r| r.status != NodeStatus::Warn);
        println!(
            "\n{}  {}",
            clock(),
            if failed {
                "Completed with errors:"
            } else {
                "Completed with warnings:"
            }
        );
        for result in problems {
            println!();
            let label = match result.status {
                NodeStatus::Warn => "Warning in",
                NodeStatus::Fail => "Failure in",
                _ => "Error in",
            };
            println!("{label} {} {}", result.resource_type, result.name);
            match &result.diagnostic {
                Some(diagnostic) => println!("{}", indent(&diagnostic.to_string())),
                None => println!("  {}", result.message),
            }
            if let Some(sample) = result.sample.as_ref().filter(|s| !s.rows.is_empty()) {
                println!("  first failing rows:");
                println!("{}", indent(&table(sample)));
            }
            if let Some(path) = &result.compiled_path {
                println!("  compiled code at {}", path.display());
            }
        }
    }
    println!(
        "\nDone. PASS={} WARN={} ERROR={} SKIP={} TOTAL={}",
        summary.count(NodeStatus::Pass) + summary.count(NodeStatus::Success),
        summary.count(NodeStatus::Warn),
        summary.count(NodeStatus::Error) + summary.count(NodeStatus::Fail),
        summary.count(NodeStatus::Skipped),
        summary.results.len()
    );
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

pub fn table(result: &kiln_warehouse::QueryResult) -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN);
    table.set_header(result.columns.iter().map(|c| c.name.clone()));
    for row in &result.rows {
        table.add_row(row.iter().map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "NULL".to_string(),
            other => other.to_string(),
        }));
    }
    table.to_string()
}
