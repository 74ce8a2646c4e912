use std::path::PathBuf;

use super::*;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(BINDINGS_DIR)
}

fn file(files: &[(String, String)], name: &str) -> String {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| panic!("{name} is not generated"))
}

/// The committed bindings are exactly what the Rust side generates. Compares only; regenerate
/// with the command named in the message.
#[test]
fn generated_bindings_are_fresh() {
    let stale = stale_bindings(&committed_dir()).unwrap();
    assert!(
        stale.is_empty(),
        "{BINDINGS_DIR} is stale ({}); run {REGENERATE} and commit the result",
        stale.join(", ")
    );
}

/// The freshness check can fail: a changed byte, a missing file and a left-over file all count.
#[test]
fn stale_bindings_reports_changed_missing_and_extra_files() {
    let dir = tempfile::tempdir().unwrap();
    write_bindings(dir.path()).unwrap();
    assert_eq!(stale_bindings(dir.path()).unwrap(), Vec::<String>::new());

    let codes = dir.path().join("codes.ts");
    let mut content = std::fs::read_to_string(&codes).unwrap();
    content.push(' ');
    std::fs::write(&codes, content).unwrap();
    std::fs::remove_file(dir.path().join("EngineEvent.ts")).unwrap();
    std::fs::write(dir.path().join("Gone.ts"), "export type Gone = string;\n").unwrap();
    let mut stale = stale_bindings(dir.path()).unwrap();
    stale.sort();
    assert_eq!(stale, ["EngineEvent.ts", "Gone.ts", "codes.ts"]);

    assert_eq!(write_bindings(dir.path()).unwrap().len(), 3);
    assert!(stale_bindings(dir.path()).unwrap().is_empty());
}

#[test]
fn every_import_names_a_generated_file() {
    let files = generated_bindings().unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for (name, content) in &files {
        for line in content.lines().filter(|l| l.starts_with("import type")) {
            let target = line
                .rsplit_once("from \"./")
                .map(|(_, rest)| rest.trim_end_matches("\";"))
                .unwrap();
            assert!(
                names.contains(&format!("{target}.ts").as_str()),
                "{name} imports {target}, which is not generated"
            );
        }
    }
}

#[test]
fn bindings_use_the_contract_shapes() {
    let files = generated_bindings().unwrap();
    let event = file(&files, "EngineEvent.ts");
    assert!(event.contains("\"type\": \"runStarted\""), "{event}");
    assert!(event.contains("runId: string"), "{event}");
    let write = file(&files, "WriteFileRequest.ts");
    assert!(write.contains("expectedVersion?: string"), "{write}");
    let fetch = file(&files, "FetchRowsRequest.ts");
    assert!(fetch.contains("offset: number"), "{fetch}");
    assert!(fetch.contains("sort?: SortDto | null"), "{fetch}");
    assert!(!files.iter().any(|(_, c)| c.contains("bigint")));
}

#[test]
fn operation_table_lists_every_dispatched_operation_with_its_types() {
    let operations = file(&generated_bindings().unwrap(), "operations.ts");
    for name in crate::OPERATIONS {
        assert!(
            operations.contains(&format!("\n  {name}: [")),
            "{name} missing from\n{operations}"
        );
    }
    assert!(
        operations.contains("  openProject: [OpenProjectRequest, ProjectInfo];"),
        "{operations}"
    );
    assert!(
        operations.contains("  cancelRun: [RunIdRequest, Empty];"),
        "{operations}"
    );
    assert!(
        operations.contains("import type { ProjectInfo } from \"./ProjectInfo\";"),
        "{operations}"
    );
}

#[test]
fn event_types_are_the_tags_the_engine_sends() {
    let cfg = Config::new().with_large_int("number");
    let tags = contract::event_types(&cfg).unwrap();
    let samples = [
        EngineEvent::FileChanged { paths: vec![] },
        EngineEvent::Log {
            run_id: None,
            message: String::new(),
        },
    ];
    for event in samples {
        let value = serde_json::to_value(&event).unwrap();
        let tag = value["type"].as_str().unwrap().to_string();
        assert!(tags.contains(&tag), "{tag} not in {tags:?}");
    }
    assert_eq!(tags.len(), 7, "{tags:?}");
    let events = file(&generated_bindings().unwrap(), "events.ts");
    assert!(events.contains("  \"queryProgress\",\n"), "{events}");
}

#[test]
fn codes_file_carries_the_whole_registry() {
    let codes = file(&generated_bindings().unwrap(), "codes.ts");
    for code in kiln_diagnostics::Code::ALL {
        assert!(
            codes.contains(&format!("  {}: \"{}\",\n", code.name(), code.as_str())),
            "{} missing",
            code.name()
        );
    }
    assert!(
        codes.contains("code: \"K1006\", name: \"WriteConflict\", origin: \"api\""),
        "{codes}"
    );
    assert!(
        codes.contains("code: \"UI0002\", name: \"UiEngineUnreachable\", origin: \"ui\""),
        "{codes}"
    );
    assert_eq!(crate::codes::WRITE_CONFLICT, "K1006");
}

/// `#[ts(export)]` makes ts-rs generate tests that write bindings during `cargo test`, into the
/// source tree; generation must stay with the explicit command.
#[test]
fn no_type_asks_ts_rs_to_export_itself() {
    let exports = |line: &str| line.trim_start().starts_with("#[ts(") && line.contains("export");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut pending = vec![src];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.lines().any(exports),
                    "{} asks ts-rs to export a type",
                    path.display()
                );
            }
        }
    }
}

/// Two Rust types of the same name (kiln-dash's and kiln-canvas's `Measure`) would write one
/// file, the second silently replacing the first; each must have a name of its own.
#[test]
fn no_two_types_share_a_generated_file() {
    let cfg = Config::new().with_large_int("number");
    let files = type_files(&cfg).unwrap();
    let mut seen = BTreeSet::new();
    for (name, _) in &files {
        assert!(
            seen.insert(name.clone()),
            "{name} is generated by two types; rename one with #[ts(rename)]"
        );
    }
    assert!(seen.contains("CanvasMeasure.ts") && seen.contains("Measure.ts"));
}
