//! Every model of the sample projects opened on the canvas and saved without edits comes back
//! byte for byte, and the TICKIT models read as steps rather than as SQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use kiln_canvas::{read_model, same_query, write_model, StepKind};

fn models(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            models(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_sample_model_saves_unchanged() {
    let mut paths = Vec::new();
    for project in ["tickit", "sensors", "logistics"] {
        models(&workspace().join("projects").join(project).join("models"), &mut paths);
    }
    assert!(paths.len() > 20, "found only {} models", paths.len());
    let mut report = Vec::new();
    let mut changed = Vec::new();
    for path in &paths {
        let sql = std::fs::read_to_string(path).unwrap();
        let canvas = read_model(&sql);
        let written = write_model(&canvas).unwrap();
        let sql_steps = canvas.steps.iter().filter(|s| s.kind() == StepKind::Sql).count();
        let name = path
            .strip_prefix(workspace().join("projects"))
            .unwrap()
            .display()
            .to_string();
        let verdict = if written.sql == sql { "identical" } else { "CHANGED" };
        report.push(format!(
            "{name}: {verdict}, {} steps, {sql_steps} SQL",
            canvas.steps.len()
        ));
        if written.sql != sql {
            changed.push(name);
        }
    }
    println!("{}", report.join("\n"));
    assert!(changed.is_empty(), "not saved unchanged: {changed:?}");
}

#[test]
fn tickit_marts_read_as_steps() {
    let path = workspace().join("projects/tickit/models/marts/sales/fct_sales.sql");
    let canvas = read_model(&std::fs::read_to_string(path).unwrap());
    let kinds: Vec<StepKind> = canvas.steps.iter().map(|s| s.kind()).collect();
    assert_eq!(kinds[..7], [StepKind::Input; 7]);
    assert_eq!(kinds[7..], [StepKind::Join, StepKind::Join]);
    assert_eq!(canvas.steps.last().unwrap().name, "final");
    assert!(canvas.parse_error.is_none());
}

/// Printing every step from its parts (as after an edit) gives SQL that reads back as the same
/// steps: the formatter only lays the text out.
#[test]
fn every_step_printed_from_its_parts_reads_back_the_same() {
    let mut paths = Vec::new();
    for project in ["tickit", "sensors", "logistics"] {
        models(&workspace().join("projects").join(project).join("models"), &mut paths);
    }
    for path in &paths {
        let canvas = read_model(&std::fs::read_to_string(path).unwrap());
        let mut edited = canvas.clone();
        edit_all(&mut edited);
        let written = write_model(&edited).unwrap().sql;
        let original = std::fs::read_to_string(path).unwrap();
        assert!(same_query(&written, &original), "{}:\n{written}", path.display());
        // Printing is stable: what was printed reads back as steps that print the same.
        let mut again = read_model(&written);
        edit_all(&mut again);
        assert_eq!(write_model(&again).unwrap().sql, written, "{}", path.display());
    }
}

/// Marks every step as edited, so each is printed from its parts.
fn edit_all(canvas: &mut kiln_canvas::Canvas) {
    for step in &mut canvas.steps {
        if let Some(source) = &mut step.source {
            source.body = kiln_canvas::StepBody::Sql {
                text: "edited".into(),
                error: None,
            };
        }
    }
}
