//! `kiln dashboard …`: dashboards as files. `import` converts a Grafana dashboard's JSON into
//! `<project>/<dashboard-paths[0]>/<name>.yml` (the conversion is kiln-dash's; this only finds
//! the folder, reads and writes the files and prints what was left out).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kiln_diagnostics::{Code, Diagnostic, Diagnostics, Location};

use crate::commands::project_root;
use crate::Global;

pub fn import(global: &Global, file: &Path, name: Option<&str>, force: bool) -> anyhow::Result<ExitCode> {
    let root = project_root(global)?;
    // dbt_project.yml alone: a project whose models are broken can still take a dashboard.
    let config = kiln_project::load_config(&root)?;
    let text = std::fs::read_to_string(file).map_err(|error| {
        Diagnostic::error(Code::Io, format!("cannot read {}: {error}", file.display()))
            .at(Location::file(file))
            .hint("give the path of a dashboard JSON exported from Grafana")
    })?;
    let imported = kiln_dash::import_grafana(&text, file).map_err(Diagnostics)?;
    let folder = PathBuf::from(config.dashboard_paths.first().map_or("dashboards", String::as_str));
    let stem = name.map_or_else(|| kiln_dash::slug(&imported.dashboard.title), str::to_string);
    let path = kiln_dash::write_imported(&root.join(&folder), &folder, &stem, &imported.yaml, force)?;
    let shown = kiln_diagnostics::relative_to(&root, &path);
    println!(
        "Imported '{}' into {} ({} panel{})",
        imported.dashboard.title,
        shown.display(),
        imported.dashboard.panels.len(),
        if imported.dashboard.panels.len() == 1 { "" } else { "s" }
    );
    for note in &imported.notes {
        println!("  {note}");
    }
    if imported.not_converted.is_empty() {
        println!("Everything was converted.");
    } else {
        println!(
            "Not converted ({}), also listed at the top of the file:",
            imported.not_converted.len()
        );
        for item in &imported.not_converted {
            println!("  - {item}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
