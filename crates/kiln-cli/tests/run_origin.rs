//! A `kiln run` from the command line leaves the same run record the studio writes (kiln-exec's
//! `history`), with the CLI as its origin, and the studio lists it, says where it came from and
//! shows its results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use kiln_api::{Empty, OpenProjectRequest, RunIdRequest, RunOrigin, RunStatus, Studio, StudioOptions};

const KILN: &str = env!("CARGO_BIN_EXE_kiln");

fn project(root: &Path) {
    std::fs::write(root.join("dbt_project.yml"), "name: origin\nprofile: origin\n").unwrap();
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::write(root.join("models/a.sql"), "select 1 as id").unwrap();
    std::fs::write(
        root.join("models/schema.yml"),
        "version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null]\n",
    )
    .unwrap();
}

#[test]
fn a_cli_run_is_recorded_with_its_origin_and_the_studio_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("origin");
    std::fs::create_dir_all(&root).unwrap();
    project(&root);
    let output = Command::new(KILN)
        .args(["build", "--no-progress"])
        .current_dir(&root)
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_PROFILES_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let runs: Vec<_> = std::fs::read_dir(root.join("target/runs")).unwrap().flatten().collect();
    assert_eq!(runs.len(), 1, "one record for one run");
    let record = kiln_exec::history::read_record(&runs[0].path()).unwrap();
    assert_eq!(record.status, "success");
    assert!(matches!(record.origin, RunOrigin::Cli { pid } if pid != std::process::id()));
    assert_eq!(record.counts.get("success"), Some(&1));
    assert_eq!(record.counts.get("pass"), Some(&1));
    let log = std::fs::read_to_string(runs[0].path().join("log.txt")).unwrap();
    assert!(
        log.contains("OK created"),
        "the log is the one the terminal printed:\n{log}"
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(studio_lists(dir.path(), &root, &record.run_id));
}

async fn studio_lists(home: &Path, root: &Path, run_id: &str) {
    let studio = Studio::new(StudioOptions {
        config_dir: Some(home.join(".kiln")),
        disable_watcher: true,
        ..StudioOptions::default()
    });
    studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
        .unwrap();
    let history = studio.run_history(Empty {}).await.unwrap();
    assert_eq!(history.runs.len(), 1);
    let run = &history.runs[0];
    assert_eq!(run.run_id, run_id);
    assert_eq!(run.status, RunStatus::Success);
    assert!(matches!(run.origin, RunOrigin::Cli { .. }));
    let results = studio
        .run_results(RunIdRequest {
            run_id: run.run_id.clone(),
        })
        .await
        .unwrap();
    let mut names: Vec<&str> = results.results.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, vec!["a", "not_null_a_id"]);
    assert!(!results.log.is_empty());
}
