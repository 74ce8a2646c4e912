//! dbt's classic jaffle_shop (written for PostgreSQL) on a real PostgreSQL 15 server, started by
//! the test on 127.0.0.1 only, next to the embedded DuckDB: `kiln build --target pg` builds every
//! model, seed and test there,
//! `kiln diff` finds the marts equal on both warehouses, `kiln debug` names a refused login at
//! the profile line — and a sentinel password appears in no output and no file the runs wrote.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, statuses, Sandbox};
use kiln_pgsql::Executor;
use kiln_postgres::testing::TestCluster;

const SENTINEL: &str = "S3ntinel-pw-7f1c9e";

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn jaffle_shop_on_postgres_matches_duckdb_and_never_shows_the_password() {
    if !TestCluster::available() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: PostgreSQL's server binaries are not installed");
        return;
    }
    let cluster = TestCluster::start().unwrap();
    cluster
        .executor()
        .unwrap()
        .run(
            &[format!("create role analyst login superuser password '{SENTINEL}'")],
            false,
        )
        .unwrap();
    let sandbox = Sandbox::new(&fixture("jaffle_shop"));
    let profiles = format!(
        "jaffle_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      threads: 4\n    pg:\n      type: postgres\n      \
         host: 127.0.0.1\n      port: {port}\n      user: analyst\n      password: {SENTINEL}\n      dbname: postgres\n      \
         schema: jaffle\n      threads: 4\n    pg_bad:\n      type: postgres\n      host: 127.0.0.1\n      port: {port}\n      \
         user: analyst\n      password: not-{SENTINEL}\n      dbname: postgres\n      schema: jaffle\n",
        port = cluster.port()
    );
    std::fs::write(sandbox.path("profiles.yml"), profiles).unwrap();
    let mut outputs = Vec::new();

    let duck = sandbox.kiln_ok(&["build"]);
    outputs.push(duck.combined());
    let pg = sandbox.kiln(&["build", "--target", "pg"]);
    outputs.push(pg.combined());
    assert_eq!(pg.code, Some(0), "{}", pg.all());
    let results = sandbox.json("target/run_results.json");
    let found = statuses(&results);
    let bad: Vec<_> = found
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "success" | "pass"))
        .collect();
    assert!(bad.is_empty(), "on postgres: {bad:?}\n{}", pg.all());
    assert!(found.len() == 31, "3 seeds, 5 models and 23 tests ran: {}", found.len());

    for (model, key) in [
        ("customers", "customer_id"),
        ("orders", "order_id"),
        ("raw_payments", "id"),
    ] {
        let diff = sandbox.kiln(&["diff", "-s", model, "--against", "pg", "--key", key]);
        outputs.push(diff.combined());
        assert_eq!(
            diff.code,
            Some(0),
            "{model} differs between DuckDB and PostgreSQL:\n{}",
            diff.all()
        );
        assert!(diff.stdout.contains("rows differing by key: 0"), "{}", diff.all());
    }

    let debug = sandbox.kiln(&["debug", "--target", "pg"]);
    outputs.push(debug.combined());
    assert_eq!(debug.code, Some(0), "{}", debug.all());
    assert!(
        debug.stdout.contains("connection: OK") && debug.stdout.contains("PostgreSQL 15"),
        "{}",
        debug.all()
    );
    assert!(debug.stdout.contains("password: ****"), "{}", debug.all());
    let refused = sandbox.kiln(&["debug", "--target", "pg_bad"]);
    outputs.push(refused.combined());
    assert_ne!(refused.code, Some(0), "{}", refused.all());
    let text = refused.combined();
    assert!(text.contains("K4006") && text.contains("refused the login"), "{text}");
    assert!(
        text.contains("profiles.yml:20"),
        "located at pg_bad's user line: {text}"
    );

    for (i, output) in outputs.iter().enumerate() {
        assert!(!output.contains(SENTINEL), "output {i} shows the password:\n{output}");
    }
    let mut files = Vec::new();
    for dir in ["target", "logs", ".kiln"] {
        walk(&sandbox.path(dir), &mut files);
    }
    assert!(files.iter().any(|f| f.ends_with("manifest.json")), "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let needle = SENTINEL.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} holds the password",
            file.display()
        );
    }
}
