//! K2005 as you type: a column read through an alias that its upstream lacks, worked out from
//! the project's SQL alone (no warehouse has been built in this copy of projects/tickit).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::open_tickit;
use kiln_api::*;

async fn diagnostics(fx: &common::Fixture, path: &str, content: Option<String>) -> Vec<DiagnosticDto> {
    fx.studio
        .compile_model(CompileModelRequest {
            path: path.into(),
            content,
        })
        .await
        .unwrap()
        .diagnostics
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelt_upstream_column_is_flagged_where_it_is_written() {
    let fx = open_tickit().await;
    let path = "models/marts/marketing/dim_events.sql";
    let saved = std::fs::read_to_string(fx.root.join(path)).unwrap();
    assert!(diagnostics(&fx, path, None).await.is_empty());

    let edited = saved.replace("c.cat_name,", "c.cat_namX,");
    assert_ne!(edited, saved);
    let found = diagnostics(&fx, path, Some(edited.clone())).await;
    let line = edited.lines().position(|l| l.contains("c.cat_namX")).unwrap() + 1;
    let column = edited.lines().nth(line - 1).unwrap().find("cat_namX").unwrap() + 1;
    let k2005: Vec<_> = found.iter().filter(|d| d.code == "K2005").collect();
    assert_eq!(k2005.len(), 1, "{found:?}");
    let d = k2005[0];
    assert_eq!(
        (d.file.as_deref(), d.line, d.column),
        (Some(path), Some(line as u32), Some(column as u32))
    );
    assert!(
        d.message.contains("'cat_namX'")
            && d.message.contains("ref('stg_tickit__categories')")
            && d.message.contains("did you mean 'cat_name'"),
        "{}",
        d.message
    );
    assert!(
        d.hint.as_deref().unwrap_or_default().contains("cat_group"),
        "{:?}",
        d.hint
    );
}

/// No false alarms: every model of the sample project compiles without K2005 as saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_project_has_no_unknown_columns() {
    let fx = open_tickit().await;
    let mut checked = 0;
    for entry in walk(&fx.root.join("models")) {
        let relative = entry
            .strip_prefix(&fx.root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !relative.ends_with(".sql") {
            continue;
        }
        let found = diagnostics(&fx, &relative, None).await;
        assert!(found.iter().all(|d| d.code != "K2005"), "{relative}: {found:?}");
        checked += 1;
    }
    assert!(checked >= 13, "{checked}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
