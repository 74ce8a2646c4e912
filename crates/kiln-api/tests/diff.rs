//! The studio's Compare (`kiln diff` through the API): the profile's targets for the picker, and a
//! model built on the studio's target compared with the same model on another target.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{open_studio, until_run_finished};
use kiln_api::dto::{DiffModelRequest, Empty, RunCommand, StartRunRequest};
use kiln_warehouse::Adapter;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_compared_with_another_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
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
        "models/totals.sql",
        "{{ config(materialized='table') }}\nselect i as id, i * 2 as amount from range(1, 6) t(i)\n",
    );
    file("seeds/rates.csv", "id,rate\n1,0.5\n");
    // prod holds the model with one row changed and one missing.
    {
        let prod = kiln_warehouse::DuckDbAdapter::open(&root.join("prod.duckdb"), 1).unwrap();
        prod.execute("create table main.totals as select i as id, case when i = 2 then 99 else i * 2 end as amount from range(1, 5) t(i)")
            .unwrap();
    }
    let studio = open_studio(&dir.path().join("config"), &root, true).await;

    let targets = studio.targets(Empty {}).await.unwrap();
    assert_eq!(targets.current, "dev");
    let names: Vec<(&str, &str)> = targets
        .targets
        .iter()
        .map(|t| (t.name.as_str(), t.kind.as_str()))
        .collect();
    assert_eq!(names, vec![("dev", "duckdb"), ("prod", "duckdb")]);

    // A seed is a table in the lineage (it has no `materialized` of its own).
    let graph = studio.graph(Empty {}).await.unwrap();
    let seed = graph
        .nodes
        .iter()
        .find(|n| n.name == "rates")
        .expect("the seed is in the graph");
    assert_eq!(seed.materialized.as_deref(), Some("table"));

    let mut events = studio.subscribe();
    let run = studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: vec![],
            exclude: vec![],
            threads: Some(1),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    until_run_finished(&mut events, &run.run_id).await;

    let report = studio
        .diff_model(DiffModelRequest {
            model: "totals".into(),
            against: "prod".into(),
            key: vec!["id".into()],
            row_limit: None,
            show: None,
        })
        .await
        .unwrap();
    assert!(!report.same);
    assert_eq!((report.left_rows, report.right_rows), (5, 4));
    assert_eq!(report.differing_rows, 2);
    let kinds: Vec<(&str, String)> = report
        .rows
        .iter()
        .map(|r| (r.kind.as_str(), r.key[0].to_string()))
        .collect();
    assert_eq!(kinds, vec![("changed", "2".to_string()), ("onlyLeft", "5".to_string())]);
    assert_eq!(report.rows[0].changes[0].column, "amount");

    let same_target = studio
        .diff_model(DiffModelRequest {
            model: "totals".into(),
            against: "dev".into(),
            key: vec![],
            row_limit: None,
            show: None,
        })
        .await
        .unwrap_err();
    assert!(
        same_target.diagnostic.message.contains("other than"),
        "{}",
        same_target.diagnostic.message
    );
}
