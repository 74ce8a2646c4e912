//! The CLI and the studio are two front ends over one engine session: for the same project they
//! must reach the same result. Every project of a table (the broken-project corpus, a valid
//! project, one with `target-path`) is built once by the `kiln` binary and once through
//! `kiln_api::Studio` (open project, start a Build run, wait for it to finish), each in its own
//! copy, and the outcomes are compared: overall result, the errors (code, file, line), node
//! statuses, and where run_results.json and manifest.json were written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{fixture, statuses, Sandbox};
use kiln_api::{
    EngineEvent, OpenProjectRequest, RunCommand, RunIdRequest, RunStatus, Severity, StartRunRequest, Studio,
    StudioOptions,
};

/// How a front end ended, in the CLI's terms: exit 0, 1 (nodes failed) or 2 (refused to run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Result {
    Success,
    NodesFailed,
    Refused,
}

/// An error as both front ends can report it: code, file relative to the project, line.
type Located = (String, Option<String>, Option<u32>);

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    result: Result,
    /// Sorted, so that errors of nodes running in parallel compare regardless of order.
    errors: Vec<Located>,
    statuses: BTreeMap<String, String>,
    /// The artifacts present afterwards, relative to the project.
    artifacts: Vec<String>,
}

const ARTIFACTS: &[&str] = &[
    "target/run_results.json",
    "target/manifest.json",
    "custom_target/run_results.json",
    "custom_target/manifest.json",
];

fn relative(root: &Path, file: &str) -> String {
    let file = file.replace('\\', "/");
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for base in [root.to_path_buf(), canonical] {
        let prefix = format!("{}/", base.to_string_lossy().replace('\\', "/"));
        if let Some(rest) = file.strip_prefix(&prefix) {
            return rest.to_string();
        }
    }
    file
}

fn artifacts_and_statuses(root: &Path) -> (Vec<String>, BTreeMap<String, String>) {
    let artifacts: Vec<String> = ARTIFACTS
        .iter()
        .filter(|a| root.join(a).is_file())
        .map(|a| a.to_string())
        .collect();
    let statuses = artifacts
        .iter()
        .find(|a| a.ends_with("run_results.json"))
        .map(|a| statuses(&common::read_json(&root.join(a))))
        .unwrap_or_default();
    (artifacts, statuses)
}

/// `file:line:col`, `file:line` or `file` as the CLI prints after `-->`.
fn parse_location(text: &str) -> (String, Option<u32>) {
    let mut parts: Vec<&str> = text.rsplitn(3, ':').collect();
    parts.reverse();
    let numbers: Vec<Option<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    match (parts.len(), numbers.as_slice()) {
        (3, [_, Some(line), Some(_)]) => (parts[0].to_string(), Some(*line)),
        (3, [_, _, Some(line)]) => (format!("{}:{}", parts[0], parts[1]), Some(*line)),
        (2, [_, Some(line)]) => (parts[0].to_string(), Some(*line)),
        _ => (text.to_string(), None),
    }
}

/// Every `error[K…]` the CLI printed, with the `-->` location that belongs to it.
fn cli_errors(root: &Path, output: &str) -> Vec<Located> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = output.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("error[") else {
            continue;
        };
        let Some((code, _)) = rest.split_once(']') else {
            continue;
        };
        let mut location = (None, None);
        // The message may span lines (DuckDB's `LINE n:` excerpt); its location comes after it.
        for next in &lines[index + 1..] {
            let next = next.trim_start();
            if next.starts_with("error[") || next.starts_with("= help:") || next.starts_with("Error in") {
                break;
            }
            if let Some(at) = next.strip_prefix("--> ") {
                let (file, line) = parse_location(at.trim());
                location = (Some(relative(root, &file)), line);
                break;
            }
        }
        errors.push((code.to_string(), location.0, location.1));
    }
    errors.sort();
    errors
}

fn through_cli(src: &Path) -> Outcome {
    let sandbox = Sandbox::new(src);
    let run = sandbox.kiln(&["build"]);
    assert!(!run.combined().contains("panicked"), "kiln panicked:\n{}", run.all());
    let result = match run.code {
        Some(0) => Result::Success,
        Some(1) => Result::NodesFailed,
        Some(2) => Result::Refused,
        other => panic!("kiln exited with {other:?}:\n{}", run.all()),
    };
    let (artifacts, statuses) = artifacts_and_statuses(&sandbox.project);
    Outcome {
        result,
        errors: cli_errors(&sandbox.project, &run.combined()),
        statuses,
        artifacts,
    }
}

fn api_error(root: &Path, error: &kiln_api::ApiError) -> Located {
    let d = &error.diagnostic;
    (d.code.clone(), d.file.as_deref().map(|f| relative(root, f)), d.line)
}

async fn through_studio(src: &Path) -> Outcome {
    let sandbox = Sandbox::new(src);
    let root = sandbox.project.clone();
    let studio = Studio::new(StudioOptions {
        config_dir: Some(sandbox.home.join(".kiln")),
        disable_watcher: true,
        ..StudioOptions::default()
    });
    let refused = |error: kiln_api::ApiError| {
        let (artifacts, statuses) = artifacts_and_statuses(&root);
        Outcome {
            result: Result::Refused,
            errors: vec![api_error(&root, &error)],
            statuses,
            artifacts,
        }
    };
    let mut events = studio.subscribe();
    if let Err(error) = studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
    {
        return refused(error);
    }
    let started = studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: vec![],
            exclude: vec![],
            threads: None,
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await;
    let run_id = match started {
        Ok(started) => started.run_id,
        Err(error) => {
            studio.close_project();
            return refused(error);
        }
    };
    let status = tokio::time::timeout(Duration::from_secs(300), async {
        loop {
            match events.recv().await {
                Ok(EngineEvent::RunFinished { run_id: id, status, .. }) if id == run_id => return status,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("the event stream ended: {e}"),
            }
        }
    })
    .await
    .expect("the studio's run finishes");
    let results = studio.run_results(RunIdRequest { run_id }).await.unwrap().results;
    studio.close_project();
    let mut errors: Vec<Located> = results
        .iter()
        .filter_map(|r| r.diagnostic.as_ref())
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code.clone(), d.file.as_deref().map(|f| relative(&root, f)), d.line))
        .collect();
    errors.sort();
    let (artifacts, statuses) = artifacts_and_statuses(&root);
    Outcome {
        result: match status {
            RunStatus::Success => Result::Success,
            RunStatus::Error => Result::NodesFailed,
            other => panic!("the studio's run ended {other:?}"),
        },
        errors,
        statuses,
        artifacts,
    }
}

/// A small valid project whose artifacts belong in `custom_target/`.
fn custom_target_project(dir: &Path) -> PathBuf {
    let root = dir.join("custom_target_project");
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "dbt_project.yml",
        "name: custom\nversion: '1.0'\nconfig-version: 2\nprofile: custom\ntarget-path: custom_target\n",
    );
    write("models/numbers.sql", "select 1 as id union all select 2\n");
    write("models/doubled.sql", "select id * 2 as id from {{ ref('numbers') }}\n");
    write(
        "models/schema.yml",
        "version: 2\nmodels:\n  - name: doubled\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n",
    );
    root
}

#[test]
fn the_cli_and_the_studio_agree_on_every_project() {
    // The studio finds profiles like the CLI does; give it the same empty home the CLI's
    // sandboxes get, before any thread starts, so no user profile changes the outcome.
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::env::set_var("HOME", &home);
    for name in ["DBT_PROFILES_DIR", "DBT_PROJECT_DIR", "DBT_TARGET", "KILN_CONFIG_DIR"] {
        std::env::remove_var(name);
    }

    let broken = fixture("broken");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&broken)
        .unwrap()
        .filter_map(std::result::Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| (format!("broken/{}", e.file_name().to_string_lossy()), e.path()))
        .collect();
    cases.sort();
    assert!(cases.len() >= 11, "the broken corpus shrank: {cases:?}");
    cases.push(("jaffle_shop".into(), fixture("jaffle_shop")));
    cases.push(("custom_target".into(), custom_target_project(scratch.path())));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut mismatches = Vec::new();
    let mut outcomes = BTreeMap::new();
    for (name, src) in &cases {
        let cli = through_cli(src);
        let studio = runtime.block_on(through_studio(src));
        if cli != studio {
            mismatches.push(format!("=== {name} ===\ncli:    {cli:?}\nstudio: {studio:?}"));
        }
        outcomes.insert(name.clone(), cli);
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} projects differ between the CLI and the studio:\n\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n\n")
    );

    // The comparison is only worth something if the table covers each kind of outcome.
    let of = |name: &str| &outcomes[name];
    assert_eq!(of("jaffle_shop").result, Result::Success);
    assert!(of("jaffle_shop").errors.is_empty());
    assert_eq!(of("broken/sql_error").result, Result::NodesFailed);
    assert_eq!(
        of("broken/sql_error")
            .errors
            .first()
            .map(|e| (e.0.as_str(), e.1.as_deref(), e.2)),
        Some(("K4001", Some("models/bad_model.sql"), Some(3)))
    );
    assert_eq!(of("broken/unknown_ref").result, Result::Refused);
    assert_eq!(
        of("broken/unwritable_profile").errors,
        vec![("K4005".to_string(), Some("profiles.yml".to_string()), Some(6))]
    );
    let custom = of("custom_target");
    assert_eq!(custom.result, Result::Success);
    assert_eq!(
        custom.artifacts,
        vec!["custom_target/run_results.json", "custom_target/manifest.json"],
        "target-path decides where both front ends write"
    );
    assert_eq!(
        custom.statuses.get("model.custom.doubled").map(String::as_str),
        Some("success")
    );
}

#[test]
fn parse_and_compile_write_under_target_path_too() {
    let scratch = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::new(&custom_target_project(scratch.path()));
    let parsed = sandbox.kiln_ok(&["parse"]);
    assert!(
        parsed.stdout.contains("custom_target/manifest.json"),
        "{}",
        parsed.all()
    );
    sandbox.kiln_ok(&["compile"]);
    assert!(sandbox.path("custom_target/manifest.json").is_file());
    assert!(
        sandbox
            .path("custom_target/compiled/custom/models/doubled.sql")
            .is_file(),
        "compiled SQL follows target-path"
    );
    assert!(
        !sandbox.path("target").exists(),
        "nothing may land in the default target/"
    );
}
