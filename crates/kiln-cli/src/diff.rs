//! `kiln diff`: one model on the current target and on `--against`, compared by kiln-diff. The
//! command only resolves the model's relation on each target and prints the report.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use kiln_diff::{DiffOptions, RowDiff, Side};
use kiln_warehouse::Relation;

use crate::commands::load;
use crate::Global;

#[derive(Args, Clone, Debug)]
pub struct DiffArgs {
    /// The model, seed or snapshot to compare (its name).
    #[arg(long, short = 's')]
    pub select: String,
    /// The other target of the same profile.
    #[arg(long)]
    pub against: String,
    /// Columns identifying a row, for the row-by-row comparison.
    #[arg(long, num_args = 1..)]
    pub key: Vec<String>,
    /// Compare rows one by one only when both sides have at most this many.
    #[arg(long, default_value_t = 200_000)]
    pub row_limit: u64,
    /// Differing rows to list.
    #[arg(long, default_value_t = 20)]
    pub show: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn diff(global: &Global, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let left = load(global)?;
    let mut other = global.clone();
    other.target = Some(args.against.clone());
    let right = load(&other)?;
    let relation = |manifest: &kiln_compile::Manifest| -> anyhow::Result<Relation> {
        let r = manifest
            .relation_named(&args.select)
            .with_context(|| format!("no model, seed or snapshot is named '{}'", args.select))?;
        Ok(Relation::new(r.schema.clone(), r.identifier.clone()))
    };
    let (left_rel, right_rel) = (relation(&left.manifest)?, relation(&right.manifest)?);
    if left.manifest.target.name == right.manifest.target.name {
        bail!(
            "--against names the current target '{}'; pick another target",
            args.against
        );
    }
    let left_adapter = kiln_targets::open(&left.manifest.target, 1)?;
    let right_adapter = kiln_targets::open(&right.manifest.target, 1)?;
    let options = DiffOptions {
        key: args.key.clone(),
        row_limit: args.row_limit,
        show: args.show,
    };
    let report = kiln_diff::diff(
        &Side {
            label: left.manifest.target.name.clone(),
            adapter: left_adapter.as_ref(),
            relation: left_rel,
        },
        &Side {
            label: right.manifest.target.name.clone(),
            adapter: right_adapter.as_ref(),
            relation: right_rel,
        },
        &options,
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report);
    }
    Ok(if report.same() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print(report: &kiln_diff::DiffReport) {
    let (l, r) = (&report.left, &report.right);
    println!("{:<28} {:<28} {:<28}", "", l, r);
    println!("{:<28} {:<28} {:<28}", "rows", report.left_rows, report.right_rows);
    for c in &report.columns {
        let mark = if c.compatible { " " } else { "≠" };
        println!(
            "{mark} {:<26} {:<28} {:<28}",
            c.name,
            c.left_type.as_deref().unwrap_or("(missing)"),
            c.right_type.as_deref().unwrap_or("(missing)")
        );
    }
    let differing: Vec<_> = report.checksums.iter().filter(|c| !c.equal).collect();
    println!(
        "\nchecksums: {} of {} equal",
        report.checksums.len() - differing.len(),
        report.checksums.len()
    );
    for c in differing {
        println!("≠ {}.{}: {} vs {}", c.column, c.measure, c.left, c.right);
    }
    match &report.rows_skipped {
        Some(why) => println!("\nrows: {why}"),
        None => {
            println!("\nrows differing by key: {}", report.differing_rows);
            for row in &report.rows {
                match row {
                    RowDiff::OnlyLeft { key } => println!("- {} only in {l}", keys(key)),
                    RowDiff::OnlyRight { key } => println!("+ {} only in {r}", keys(key)),
                    RowDiff::Changed { key, columns } => {
                        let changes: Vec<String> = columns.iter().map(|(c, a, b)| format!("{c}: {a} → {b}")).collect();
                        println!("~ {}  {}", keys(key), changes.join(", "));
                    }
                }
            }
        }
    }
    println!("\n{}", if report.same() { "same" } else { "different" });
}

fn keys(values: &[serde_json::Value]) -> String {
    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
}
