//! The run log: dbt-style lines for node starts and ends and the closing summary. The CLI prints
//! them and the studio's Log tab shows them, so both front ends tell a run the same way.

use std::collections::BTreeMap;

use kiln_graph::ResourceType;
use kiln_warehouse::QueryResult;

use crate::{Command, NodeResult, NodeStatus, RunSummary};

/// `HH:MM:SS` in local time, the prefix of every log line.
pub fn clock() -> String {
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

/// The two lines a run opens with: where it runs, and how many nodes it covers.
pub fn header_lines(
    manifest: &kiln_compile::Manifest,
    threads: usize,
    planned: usize,
    command: Command,
) -> [String; 2] {
    let target = match &manifest.target.path {
        Some(path) => kiln_diagnostics::relative_to(&manifest.root, path)
            .display()
            .to_string(),
        None => manifest.target.name.clone(),
    };
    [
        format!(
            "Running with kiln={} on {} ({target}) with {threads} threads",
            env!("CARGO_PKG_VERSION"),
            manifest.target.kind.as_str(),
        ),
        format!("Found {planned} nodes to {}", command.as_str()),
    ]
}

/// `3 of 151 START sql view model stg_tickit__sales ....... [RUN]`; `None` for tests, which
/// (as in dbt) only log when they finish.
pub fn started_line(index: usize, total: usize, kind: &str, name: &str) -> Option<String> {
    (kind != "test").then(|| {
        format!(
            "{index} of {total} START {}",
            dotted(&describe(kind, name, None), "[RUN]")
        )
    })
}

/// `3 of 151 OK created sql view model main.stg_tickit__sales ... [OK in 0.02s]`.
pub fn finished_line(index: usize, total: usize, result: &NodeResult) -> String {
    let what = describe(&result.kind, &result.name, result.relation_name.as_deref());
    let secs = result.execution_time;
    let body = match result.status {
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
    };
    format!("{index} of {total} {body}")
}

/// The closing lines: what ran and how long, each problem with its error, failing rows and
/// compiled file, and the `Done. PASS=… TOTAL=…` totals. `clock` prefixes the two headline
/// lines, as dbt prints them; empty strings are the blank lines between blocks.
pub fn summary_lines(summary: &RunSummary, clock: &str) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
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
    let ran = if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(", ")
    };
    let mut lines = vec![
        String::new(),
        format!("{clock}  Finished running {ran} in {:.2}s.", summary.elapsed),
        String::new(),
    ];
    let problems: Vec<&NodeResult> = summary
        .results
        .iter()
        .filter(|r| matches!(r.status, NodeStatus::Error | NodeStatus::Fail | NodeStatus::Warn))
        .collect();
    if problems.is_empty() {
        lines.push(format!("{clock}  Completed successfully"));
    } else {
        let failed = problems.iter().any(|r| r.status != NodeStatus::Warn);
        let how = if failed { "errors" } else { "warnings" };
        lines.push(format!("{clock}  Completed with {how}:"));
        for result in problems {
            lines.push(String::new());
            let label = match result.status {
                NodeStatus::Warn => "Warning in",
                NodeStatus::Fail => "Failure in",
                _ => "Error in",
            };
            lines.push(format!("{label} {} {}", result.resource_type, result.name));
            match &result.diagnostic {
                Some(diagnostic) => lines.extend(indent(&diagnostic.to_string())),
                None => lines.push(format!("  {}", result.message)),
            }
            if let Some(sample) = result.sample.as_ref().filter(|s| !s.rows.is_empty()) {
                lines.push("  first failing rows:".to_string());
                lines.extend(indent(&table(sample)));
            }
            if let Some(path) = &result.compiled_path {
                lines.push(format!("  compiled code at {}", path.display()));
            }
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "Done. PASS={} WARN={} ERROR={} SKIP={} TOTAL={}",
        summary.count(NodeStatus::Pass) + summary.count(NodeStatus::Success),
        summary.count(NodeStatus::Warn),
        summary.count(NodeStatus::Error) + summary.count(NodeStatus::Fail),
        summary.count(NodeStatus::Skipped),
        summary.results.len()
    ));
    lines
}

fn indent(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(|l| format!("  {l}"))
}

/// A result as a Markdown-style text table (failing-row samples, `kiln show`).
pub fn table(result: &QueryResult) -> String {
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
