//! A temporary copy of projects/tickit with a tiny generated lake, a bare `shop` project, and
//! helpers to run builds and follow events.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use kiln_api::{EngineEvent, OpenProjectRequest, RunCommand, RunQueryRequest, StartRunRequest, Studio, StudioOptions};
use serde_json::Value;
use tokio::sync::broadcast::Receiver;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub studio: Studio,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if matches!(
            name_text.as_ref(),
            "lake" | "target" | ".kiln" | "logs" | "dbt_packages"
        ) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn tickit_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tickit");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/tickit");
    copy_dir(&source, &root);
    kiln_demo::generate_tickit(&root.join("lake"), 0.01).unwrap();
    let root = root.canonicalize().unwrap();
    (dir, root)
}

/// A studio with its user-level files in `config_dir`, opened on the project at `root`; without
/// `watch` it never watches the files (tests that write files and ask again need no events).
pub async fn open_studio(config_dir: &Path, root: &Path, watch: bool) -> Studio {
    let studio = Studio::new(StudioOptions {
        config_dir: Some(config_dir.to_path_buf()),
        disable_watcher: !watch,
        ..StudioOptions::default()
    });
    studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
        .unwrap();
    studio
}

/// profiles.yml for [`shop_project`]: target `dev`, an embedded DuckDB file `dev.duckdb`.
pub const SHOP_DUCKDB_PROFILES: &str =
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n";

/// A project `shop` in `dir/shop`: its dbt_project.yml, `profiles` as its profiles.yml and an
/// empty `models/` folder. The root is returned as written, not canonicalised.
pub fn shop_project(dir: &Path, profiles: &str) -> PathBuf {
    let root = dir.join("shop");
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::write(
        root.join("dbt_project.yml"),
        "name: shop\nversion: '1'\nconfig-version: 2\nprofile: shop\n",
    )
    .unwrap();
    std::fs::write(root.join("profiles.yml"), profiles).unwrap();
    root
}

pub async fn open_tickit() -> Fixture {
    let (dir, root) = tickit_copy();
    let studio = open_studio(&dir.path().join("config"), &root, true).await;
    Fixture { dir, root, studio }
}

/// Events up to and including `runFinished` of `run_id`.
pub async fn until_run_finished(rx: &mut Receiver<EngineEvent>, run_id: &str) -> Vec<EngineEvent> {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(600), rx.recv())
            .await
            .expect("the run did not finish within 10 minutes")
            .expect("the event stream closed");
        let done = matches!(&event, EngineEvent::RunFinished { run_id: id, .. } if id == run_id);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

/// Builds `select` (as `kiln build --select …`, two threads) and waits for the run to finish;
/// the events up to its `runFinished`.
pub async fn build(studio: &Studio, select: &[&str]) -> Vec<EngineEvent> {
    let mut events = studio.subscribe();
    let run = studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: select.iter().map(|s| s.to_string()).collect(),
            exclude: vec![],
            threads: Some(2),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    until_run_finished(&mut events, &run.run_id).await
}

/// The first value of the first row a console query answers; its statement must not fail.
pub async fn scalar(studio: &Studio, sql: &str) -> Value {
    let response = studio
        .run_query(RunQueryRequest {
            sql: sql.into(),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    let result = &response.statements[0];
    assert!(result.error.is_none(), "{sql}: {:?}", result.error);
    result.first_page[0][0].clone()
}
