//! `kiln diff` between two targets of one profile (two DuckDB files here; the PostgreSQL target
//! test compares DuckDB with a real PostgreSQL server): the same build compares equal, and a
//! build with other data lists the rows that changed, with exit code 1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::run_kiln;

fn project() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    let home = dir.path().join("home");
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let file = |rel: &str, text: &str| std::fs::write(root.join(rel), text).unwrap();
    file(
        "dbt_project.yml",
        "name: shop\nversion: '1'\nconfig-version: 2\nprofile: shop\n",
    );
    file(
        "profiles.yml",
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n    prod:\n      type: duckdb\n      path: prod.duckdb\n",
    );
    file(
        "seeds/orders.csv",
        "id,amount,placed\n1,10.50,2024-01-01\n2,3.25,2024-01-02\n3,7.00,2024-01-03\n",
    );
    file(
        "models/order_totals.sql",
        "{{ config(materialized='table') }}\nselect id, amount + {{ var('bump', 0) }} as amount, placed\nfrom {{ ref('orders') }}\nwhere id <= {{ var('upto', 3) }}\n",
    );
    (dir, root, home)
}

#[test]
fn same_builds_compare_equal_and_changed_rows_are_listed() {
    let (_dir, root, home) = project();
    let ok = |args: &[&str]| {
        let run = run_kiln(&root, &home, args);
        assert_eq!(run.code, Some(0), "kiln {}:\n{}", args.join(" "), run.all());
        run
    };
    ok(&["build"]);
    ok(&["build", "--target", "prod"]);
    let same = ok(&["diff", "-s", "order_totals", "--against", "prod", "--key", "id"]);
    assert!(same.stdout.contains("rows differing by key: 0"), "{}", same.all());
    assert!(same.stdout.trim_end().ends_with("same"), "{}", same.all());

    ok(&["build", "--target", "prod", "--vars", "{bump: 1, upto: 2}"]);
    let run = run_kiln(
        &root,
        &home,
        &["diff", "-s", "order_totals", "--against", "prod", "--key", "id"],
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("rows differing by key: 3"), "{}", run.all());
    assert!(run.stdout.contains("- 3 only in dev"), "{}", run.all());
    assert!(run.stdout.contains("~ 1  amount: 10.5 → 11.5"), "{}", run.all());
    assert!(run.stdout.contains("rows                         3"), "{}", run.all());

    let json = run_kiln(
        &root,
        &home,
        &["diff", "-s", "order_totals", "--against", "prod", "--json"],
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["right_rows"], 2);
    assert!(report["rows_skipped"].as_str().unwrap().contains("no key"));

    let bad = run_kiln(&root, &home, &["diff", "-s", "nope", "--against", "prod"]);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.combined().contains("no model, seed or snapshot is named 'nope'"),
        "{}",
        bad.all()
    );
}
