//! `kiln canvas check`: every model of the project opened on the canvas and saved, without
//! edits and with every step printed from its parts, and what came back. The studio's canvas
//! promises that an unedited model saves byte for byte; this is that promise, per model, for CI.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use kiln_graph::ResourceType;

use crate::commands::load;
use crate::Global;

#[derive(Subcommand, Clone, Debug)]
pub enum CanvasCmd {
    /// Report, per model, whether saving it from the canvas changes it. Exit code 1 when one
    /// would change.
    Check(CheckArgs),
}

#[derive(Args, Clone, Debug)]
pub struct CheckArgs {
    /// Only models whose name contains this.
    #[arg(long, short = 's')]
    pub select: Option<String>,
}

pub fn canvas(global: &Global, command: &CanvasCmd) -> anyhow::Result<ExitCode> {
    let CanvasCmd::Check(args) = command;
    let session = load(global)?;
    let mut models: Vec<_> = session
        .manifest
        .nodes
        .values()
        .filter(|n| n.resource_type == ResourceType::Model)
        .filter(|n| args.select.as_deref().is_none_or(|s| n.name.contains(s)))
        .collect();
    models.sort_by(|a, b| a.path.cmp(&b.path));
    let mut changed = 0;
    for node in &models {
        let report = kiln_canvas::round_trip(&node.raw_code);
        let saved = if report.identical {
            "saves unchanged"
        } else {
            changed += 1;
            "WOULD CHANGE"
        };
        let printed = if report.printed_same {
            "reformats to the same query"
        } else {
            "prints a different query"
        };
        let sql = if report.sql_steps.is_empty() {
            String::new()
        } else {
            format!(", kept as SQL: {}", report.sql_steps.join(", "))
        };
        println!(
            "{}: {saved}; {} steps{sql}; edited, {printed}",
            node.path.display(),
            report.steps
        );
        if let Some(error) = &report.parse_error {
            println!("    does not parse: {error}");
        }
    }
    println!(
        "{} models: {} save unchanged, {changed} would change",
        models.len(),
        models.len() - changed
    );
    Ok(if changed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
