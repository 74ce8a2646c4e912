//! The logistics sample (the streaming workshop's project) built for a Redshift target: the DDL
//! Kiln sends — streaming materialized views with AUTO REFRESH over the `kinesis_schema`
//! external schema, tables with their dist/sort keys — compared with the snapshot in
//! tests/snapshots/redshift/ (`KILN_BLESS=1` rewrites it after a reviewed change). No Redshift is
//! reachable here, so the statements go to a recording executor; the same SqlAdapter runs against
//! a real PostgreSQL server in tests/postgres.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kiln_compile::ParseOptions;
use kiln_exec::{CancelToken, Command, RunOptions};
use kiln_pgsql::{Executor, Flavor, RowSink, SqlAdapter};
use kiln_project::{Target, TargetKind};
use kiln_warehouse::{AdapterError, QueryResult};

/// Records what it is asked to run; every relation is missing and every query is empty.
#[derive(Default)]
struct Recorder {
    statements: Mutex<Vec<String>>,
}

impl Executor for Recorder {
    fn kind(&self) -> &'static str {
        "redshift"
    }
    fn run(&self, statements: &[String], atomic: bool) -> Result<u64, AdapterError> {
        let mut seen = self.statements.lock().unwrap();
        if atomic {
            seen.push("-- begin (one transaction)".into());
        }
        seen.extend(statements.iter().map(|s| format!("{s};")));
        if atomic {
            seen.push("-- commit".into());
        }
        Ok(0)
    }
    fn stream(&self, _sql: &str, sink: &mut RowSink<'_>) -> Result<(), AdapterError> {
        sink(&[], Vec::new());
        Ok(())
    }
    fn query(&self, _sql: &str, _limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        Ok(QueryResult::default())
    }
    fn cancel(&self) {}
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn logistics_on_redshift_emits_streaming_materialized_views() {
    let root = repo_root().join("projects").join("logistics");
    let project = kiln_project::load_project(&root).unwrap();
    let mut target = Target::embedded(&root, "logistics");
    target.kind = TargetKind::Redshift;
    target.name = "prod".into();
    target.schema = "logistics".into();
    target.path = None;
    target.database = Some("dev".into());
    let manifest = kiln_compile::parse(&project, &target, &ParseOptions::default()).unwrap();
    let recorder = Arc::new(SqlAdapter::new(Recorder::default(), Flavor::Redshift));
    let mut options = RunOptions::new(Command::Run);
    options.threads = 1;
    let summary = kiln_exec::execute(
        &manifest,
        recorder.clone(),
        &options,
        &|_: &kiln_exec::Event| {},
        &CancelToken::default(),
    )
    .unwrap();
    assert!(summary.success(), "{:#?}", summary.results);
    // One thread, so the statements come in the scheduler's fixed order.
    let actual = recorder.executor().statements.lock().unwrap().join("\n") + "\n";
    assert!(actual.contains("FROM kinesis_schema.order_stream"), "{actual}");

    let snapshot = repo_root().join("tests/snapshots/redshift/logistics_run.sql");
    if std::env::var("KILN_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
        std::fs::write(&snapshot, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_else(|_| {
        panic!(
            "no snapshot {} (run with KILN_BLESS=1 to create it)",
            snapshot.display()
        )
    });
    assert_eq!(
        actual, expected,
        "the Redshift DDL changed; review it and rerun with KILN_BLESS=1"
    );
}
