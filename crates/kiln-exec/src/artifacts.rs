//! The artifacts dbt tooling reads, `manifest.json` and `run_results.json`, written into the
//! project's target folder as kiln-project resolves it (`target-path` in dbt_project.yml). The CLI
//! and the studio both write them through here, so a run leaves the same files in the same place
//! whichever front end started it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiln_compile::Manifest;
use kiln_diagnostics::{relative_to, Code, Diagnostic};

use crate::{new_invocation_id, now_rfc3339, run_results_json, write_run_results, RunOptions, RunSummary};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const RUN_RESULTS_FILE: &str = "run_results.json";

/// Where a run's artifacts went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunArtifacts {
    pub run_results: PathBuf,
    pub manifest: PathBuf,
}

fn write_failed(manifest: &Manifest, path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Code::Io, format!("cannot write {}: {error}", path.display()))
        .in_file(relative_to(&manifest.root, path))
        .hint("check that the project's target folder (`target-path`) is writable")
}

/// Writes `<target>/manifest.json` outside a run (parse, compile, docs); `compiled` holds the
/// compiled SQL by unique_id where known. Returns the file written.
pub fn write_manifest(manifest: &Manifest, compiled: &BTreeMap<String, String>) -> Result<PathBuf, Diagnostic> {
    write_manifest_as(manifest, compiled, &new_invocation_id(), &now_rfc3339())
}

fn write_manifest_as(
    manifest: &Manifest,
    compiled: &BTreeMap<String, String>,
    invocation_id: &str,
    generated_at: &str,
) -> Result<PathBuf, Diagnostic> {
    let path = manifest.target_dir.join(MANIFEST_FILE);
    kiln_compile::write_manifest_file(&path, manifest, compiled, invocation_id, generated_at)
        .map_err(|e| write_failed(manifest, &path, &e))?;
    Ok(path)
}

/// Writes a finished run's `<target>/run_results.json` and `<target>/manifest.json` (with the
/// SQL each node ran), under the run's invocation id.
pub fn write_run_artifacts(
    manifest: &Manifest,
    summary: &RunSummary,
    options: &RunOptions,
) -> Result<RunArtifacts, Diagnostic> {
    let args = serde_json::json!({
        "which": options.command.as_str(),
        "select": options.select,
        "exclude": options.exclude,
        "threads": options.threads,
        "full_refresh": options.full_refresh,
        "target": manifest.target.name,
    });
    let run_results = manifest.target_dir.join(RUN_RESULTS_FILE);
    write_run_results(&run_results, &run_results_json(summary, args))
        .map_err(|e| write_failed(manifest, &run_results, &e))?;
    let compiled: BTreeMap<String, String> = summary
        .results
        .iter()
        .filter_map(|r| r.compiled_code.clone().map(|c| (r.unique_id.clone(), c)))
        .collect();
    let manifest_path = write_manifest_as(manifest, &compiled, &summary.invocation_id, &summary.generated_at)?;
    Ok(RunArtifacts {
        run_results,
        manifest: manifest_path,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::Command;

    fn manifest(root: &Path, project_yml: &str) -> Manifest {
        std::fs::write(root.join("dbt_project.yml"), project_yml).unwrap();
        std::fs::create_dir_all(root.join("models")).unwrap();
        std::fs::write(root.join("models/a.sql"), "select 1 as x").unwrap();
        let project = kiln_project::load_project(root).unwrap();
        let target = kiln_project::Target::embedded(root, "t");
        kiln_compile::parse(&project, &target, &kiln_compile::ParseOptions::default()).unwrap()
    }

    fn summary() -> RunSummary {
        RunSummary {
            command: Command::Run,
            results: Vec::new(),
            elapsed: 0.5,
            invocation_id: "run-1".into(),
            generated_at: now_rfc3339(),
            unmatched: Vec::new(),
        }
    }

    #[test]
    fn run_artifacts_follow_target_path() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = manifest(dir.path(), "name: t\ntarget-path: custom_target\n");
        let written = write_run_artifacts(&manifest, &summary(), &RunOptions::new(Command::Run)).unwrap();
        assert_eq!(written.run_results, dir.path().join("custom_target/run_results.json"));
        assert_eq!(written.manifest, dir.path().join("custom_target/manifest.json"));
        assert!(
            !dir.path().join("target").exists(),
            "nothing may land in the default target/"
        );
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&written.run_results).unwrap()).unwrap();
        assert_eq!(results["metadata"]["invocation_id"], "run-1");
        assert_eq!(results["args"]["which"], "run");
        let manifest_json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&written.manifest).unwrap()).unwrap();
        assert_eq!(
            manifest_json["metadata"]["invocation_id"], "run-1",
            "the manifest belongs to the run"
        );
    }

    #[test]
    fn an_unwritable_target_folder_is_a_coded_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = manifest(dir.path(), "name: t\n");
        // A file where the target folder should be: creating the folder fails on every platform.
        std::fs::write(dir.path().join("target"), "not a folder").unwrap();
        let error = write_manifest(&manifest, &BTreeMap::new()).unwrap_err();
        assert_eq!(error.code, Code::Io);
        assert_eq!(
            error.location.map(|l| l.file),
            Some(PathBuf::from("target/manifest.json"))
        );
    }
}
