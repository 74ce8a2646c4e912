//! The TICKIT sample project end to end: generate the lake, build everything, check the
//! artifacts, selection, partial runs, and the compiled SQL of every model and analysis against
//! the snapshots in tests/snapshots/tickit/ (`KILN_BLESS=1` rewrites them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{repo_root, sorted_lines, statuses, Sandbox};

const MODELS: [&str; 13] = [
    "dim_events",
    "dim_non_buyers",
    "fct_listings",
    "fct_sales",
    "int_buyers_extracted_from_users",
    "int_sellers_extracted_from_users",
    "stg_tickit__categories",
    "stg_tickit__dates",
    "stg_tickit__events",
    "stg_tickit__listings",
    "stg_tickit__sales",
    "stg_tickit__users",
    "stg_tickit__venues",
];

fn tickit() -> Sandbox {
    let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
    sandbox.kiln_ok(&["demo", "tickit", "--scale", "0.01"]);
    sandbox
}

fn names(sandbox: &Sandbox, select: &[&str], resource_type: &str) -> Vec<String> {
    let mut args = vec!["ls", "--resource-type", resource_type, "--output", "name", "--select"];
    args.extend_from_slice(select);
    sorted_lines(&sandbox.kiln_ok(&args).stdout)
}

fn strings(list: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

#[test]
fn tickit_end_to_end() {
    let sandbox = tickit();

    let build = sandbox.kiln_ok(&["build", "--threads", "4"]);
    let results = sandbox.json("target/run_results.json");
    let found = statuses(&results);
    let bad: Vec<_> = found
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "success" | "pass"))
        .collect();
    assert!(bad.is_empty(), "results that did not succeed: {bad:?}\n{}", build.all());
    let passed = found
        .iter()
        .filter(|(id, s)| id.starts_with("test.") && s.as_str() == "pass")
        .count();
    assert!(passed >= 50, "only {passed} tests passed:\n{}", build.all());
    let built: Vec<&str> = found.keys().filter_map(|id| id.strip_prefix("model.tickit.")).collect();
    assert_eq!(built, MODELS, "models in run_results.json");
    let staged = found
        .keys()
        .filter(|id| id.starts_with("source.tickit.tickit_external."))
        .count();
    assert_eq!(staged, 7, "external tables staged: {found:?}");
    assert_eq!(results["args"]["threads"], 4);

    let manifest = sandbox.json("target/manifest.json");
    let nodes = manifest["nodes"].as_object().unwrap();
    let models: BTreeMap<&str, &serde_json::Value> = nodes
        .iter()
        .filter(|(_, n)| n["resource_type"] == "model")
        .map(|(id, n)| (id.as_str(), n))
        .collect();
    assert_eq!(models.len(), 13, "models in manifest.json: {:?}", models.keys());
    for (id, node) in &models {
        let parents = node["depends_on"]["nodes"].as_array().map(Vec::len).unwrap_or(0);
        assert!(parents > 0, "{id} has no depends_on.nodes");
        let columns = node["columns"].as_object().map(|c| c.len()).unwrap_or(0);
        assert!(columns > 0, "{id} has no documented columns");
    }
    let fct_sales_parents: Vec<&str> = models["model.tickit.fct_sales"]["depends_on"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(fct_sales_parents.len(), 7, "fct_sales parents: {fct_sales_parents:?}");
    assert!(
        fct_sales_parents.contains(&"model.tickit.int_buyers_extracted_from_users"),
        "{fct_sales_parents:?}"
    );
    let stg_sales_parents = &models["model.tickit.stg_tickit__sales"]["depends_on"]["nodes"];
    assert_eq!(
        stg_sales_parents,
        &serde_json::json!(["source.tickit.tickit_external.sale"])
    );
    assert_eq!(manifest["sources"].as_object().map(|s| s.len()), Some(7));

    // The data the marts hold agrees with the lake.
    let sales = sandbox.scalar("select count(*) as n from {{ ref('fct_sales') }}");
    let lake_sales = sandbox.scalar("select count(*) as n from {{ source('tickit_external', 'sale') }}");
    assert_eq!(sales, lake_sales, "fct_sales keeps every sale");
    assert!(sales.parse::<u64>().unwrap() > 0, "scale 0.01 must still produce sales");

    // Selection.
    let staging = strings(
        &MODELS
            .iter()
            .copied()
            .filter(|m| m.starts_with("stg_"))
            .collect::<Vec<_>>(),
    );
    assert_eq!(names(&sandbox, &["staging"], "model"), staging);
    // Unfiltered, `staging` also lists the tests touching those models (eager indirect
    // selection), but the only models are the staging ones.
    let plain = sandbox.kiln_ok(&["ls", "-s", "staging"]).stdout;
    for model in &staging {
        assert!(
            plain.contains(&format!("tickit.staging.tickit.{model}\n")),
            "`kiln ls -s staging` lacks {model}:\n{plain}"
        );
    }
    let listed_models: Vec<&str> = plain
        .lines()
        .filter_map(|l| l.trim().rsplit('.').next())
        .filter(|name| MODELS.contains(name))
        .collect();
    assert_eq!(
        listed_models.len(),
        staging.len(),
        "`kiln ls -s staging` lists other models:\n{plain}"
    );

    assert_eq!(
        names(&sandbox, &["+fct_sales"], "model"),
        strings(&[
            "fct_sales",
            "int_buyers_extracted_from_users",
            "int_sellers_extracted_from_users",
            "stg_tickit__categories",
            "stg_tickit__dates",
            "stg_tickit__events",
            "stg_tickit__listings",
            "stg_tickit__sales",
            "stg_tickit__users",
        ])
    );
    assert_eq!(
        names(&sandbox, &["+fct_sales"], "source"),
        strings(&["category", "date", "event", "listing", "sale", "user"])
    );
    assert_eq!(
        names(&sandbox, &["tag:marts"], "model"),
        strings(&["dim_events", "dim_non_buyers", "fct_listings", "fct_sales"])
    );
    let sources = sandbox.kiln_ok(&["ls", "-s", "source:tickit_external"]).stdout;
    let source_lines: Vec<String> = sorted_lines(&sources)
        .into_iter()
        .filter(|l| l.starts_with("source:"))
        .collect();
    assert_eq!(
        source_lines,
        strings(&["category", "date", "event", "listing", "sale", "user", "venue"])
            .iter()
            .map(|t| format!("source:tickit.tickit_external.{t}"))
            .collect::<Vec<_>>(),
        "`kiln ls -s source:tickit_external`:\n{sources}"
    );

    // Partial runs.
    sandbox.kiln_ok(&["run", "-s", "staging"]);
    let run = statuses(&sandbox.json("target/run_results.json"));
    assert_eq!(
        run.keys()
            .map(|id| id.trim_start_matches("model.tickit.").to_string())
            .collect::<Vec<_>>(),
        staging,
        "`kiln run -s staging` ran {run:?}"
    );
    assert!(run.values().all(|s| s == "success"), "{run:?}");
    sandbox.kiln_ok(&["test", "-s", "stg_tickit__sales"]);
    let tested = statuses(&sandbox.json("target/run_results.json"));
    assert!(
        tested.len() >= 3,
        "`kiln test -s stg_tickit__sales` ran only {tested:?}"
    );
    assert!(tested.keys().all(|id| id.starts_with("test.tickit.")), "{tested:?}");
    assert!(tested.values().all(|s| s == "pass"), "{tested:?}");

    check_compiled_snapshots(&sandbox);
}

/// `kiln compile`, then each model's and analysis' compiled SQL against tests/snapshots/tickit/.
fn check_compiled_snapshots(sandbox: &Sandbox) {
    sandbox.kiln_ok(&["compile"]);
    let manifest = sandbox.json("target/manifest.json");
    let compiled_root = sandbox.path("target/compiled/tickit");
    let snapshot_root = repo_root().join("tests").join("snapshots").join("tickit");
    let bless = std::env::var("KILN_BLESS").is_ok_and(|v| v == "1");

    let mut wanted: Vec<PathBuf> = manifest["nodes"]
        .as_object()
        .unwrap()
        .values()
        .filter(|n| n["resource_type"] == "model" || n["resource_type"] == "analysis")
        .map(|n| PathBuf::from(n["original_file_path"].as_str().unwrap()))
        .collect();
    wanted.sort();
    assert_eq!(wanted.len(), 16, "13 models and 3 analyses expected: {wanted:?}");

    let mut problems = Vec::new();
    for rel in &wanted {
        let compiled_file = compiled_root.join(rel);
        let Ok(actual) = std::fs::read_to_string(&compiled_file) else {
            problems.push(format!("{} was not written", compiled_file.display()));
            continue;
        };
        assert!(
            !actual.contains("{{") && !actual.contains("{%"),
            "{} still holds Jinja:\n{actual}",
            rel.display()
        );
        let snapshot = snapshot_root.join(rel);
        if bless {
            std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
            std::fs::write(&snapshot, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => problems.push(format!(
                "{} differs from its snapshot:\n{}",
                rel.display(),
                first_difference(&expected, &actual)
            )),
            Err(_) => problems.push(format!(
                "no snapshot {} (run with KILN_BLESS=1 to create it)",
                snapshot.display()
            )),
        }
    }
    // Snapshots of models that no longer exist would otherwise linger unnoticed.
    for stale in files_under(&snapshot_root).into_iter().filter(|f| !wanted.contains(f)) {
        if bless {
            std::fs::remove_file(snapshot_root.join(&stale)).unwrap();
        } else {
            problems.push(format!(
                "snapshot {} matches no model or analysis (KILN_BLESS=1 removes it)",
                stale.display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "compiled SQL snapshots (rerun with KILN_BLESS=1 if the change is intended):\n\n{}",
        problems.join("\n\n")
    );
}

fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(e), Some(a)) if e == a => line += 1,
            (None, None) => return "  (only line endings differ)".into(),
            (e, a) => {
                return format!(
                    "  line {line}\n  snapshot: {}\n  compiled: {}",
                    e.unwrap_or("<end of file>"),
                    a.unwrap_or("<end of file>")
                )
            }
        }
    }
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}
