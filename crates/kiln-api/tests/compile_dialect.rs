//! The editor's compiled view on the local warehouse: the Redshift SQL as written and the SQL as
//! DuckDB runs it, and Redshift constructs with no local equivalent flagged as you type (K4008),
//! before a build meets them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::open_tickit;
use kiln_api::dto::CompileModelRequest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiled_sql_as_run_on_duckdb_and_untranslatable_constructs() {
    let fx = open_tickit().await;
    let path = "models/marts/sales/fct_sales.sql";
    let saved = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: None,
        })
        .await
        .unwrap();
    assert!(
        saved.warehouse_sql.is_none(),
        "plain SQL needs no translation: {:?}",
        saved.warehouse_sql
    );

    let edited = "{{ config(materialized='table') }}\nselect top 3 datediff(day, '2008-01-01', getdate()) as age,\n  nvl(null, 1) as one\nfrom {{ ref('stg_tickit__sales') }}\n";
    let result = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: Some(edited.into()),
        })
        .await
        .unwrap();
    let redshift = result.sql.unwrap();
    assert!(redshift.contains("select top 3 datediff(day"), "{redshift}");
    let duck = result.warehouse_sql.expect("the translation differs");
    assert!(!duck.to_ascii_lowercase().contains("top 3"), "{duck}");
    assert!(duck.contains("LIMIT 3") || duck.contains("limit 3"), "{duck}");
    assert!(!duck.to_ascii_lowercase().contains("nvl("), "{duck}");
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);

    let unsupported = "select query, err_reason\nfrom stl_load_errors\n";
    let result = fx
        .studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content: Some(unsupported.into()),
        })
        .await
        .unwrap();
    let flagged = result
        .diagnostics
        .iter()
        .find(|d| d.code == "K4008")
        .expect("flagged as you type");
    assert!(
        flagged.message.to_ascii_lowercase().contains("stl_load_errors"),
        "{}",
        flagged.message
    );
    assert_eq!((flagged.file.as_deref(), flagged.line), (Some(path), Some(2)));
}
