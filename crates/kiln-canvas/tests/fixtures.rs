//! Fixture files in `tests/fixtures/*.canvas`, read like DataFusion's `.slt`: each is a script of
//! sections run in order against one canvas.
//!
//! * `== read` + SQL: the canvas becomes that model, read.
//! * `== steps`: one line per step, `name: kind <- input, input` (`!` after the kind when the
//!   step is SQL with a parse error); must match the canvas.
//! * `== add <after|start>` + a StepTemplate as JSON: adds a step.
//! * `== error` + text: the canvas's parse error says that text.
//! * `== write`: the model the canvas writes, exactly (ignoring trailing blank lines).
//!
//! A failing fixture prints the actual text of the section, to compare by eye; nothing rewrites
//! the fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use kiln_canvas::{add_step, read_model, write_model, Canvas, Layout, Relation, StepBody, StepTemplate};

fn relation(relation: &Relation) -> String {
    match relation {
        Relation::Step { name } | Relation::Table { name } => name.clone(),
        Relation::Ref { name, .. } => format!("ref:{name}"),
        Relation::Source { source, table } => format!("source:{source}.{table}"),
    }
}

fn steps(canvas: &Canvas) -> String {
    canvas
        .steps
        .iter()
        .map(|step| {
            let kind = serde_json::to_value(step.kind()).unwrap();
            let broken = matches!(&step.body, StepBody::Sql { error: Some(_), .. });
            let inputs: Vec<String> = step.inputs().into_iter().map(relation).collect();
            let arrow = if inputs.is_empty() {
                String::new()
            } else {
                format!(" <- {}", inputs.join(", "))
            };
            format!(
                "{}: {}{}{arrow}",
                step.name,
                kind.as_str().unwrap(),
                if broken { "!" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut canvas = Canvas {
        steps: Vec::new(),
        layout: Layout::default(),
        parse_error: None,
    };
    let mut sections = text.split("\n== ").skip(1);
    let first = text.strip_prefix("== ").map(|t| t.split("\n== ").next().unwrap());
    let all: Vec<&str> = first.into_iter().chain(&mut sections).collect();
    for section in all {
        let (head, body) = section.split_once('\n').unwrap_or((section, ""));
        let mut words = head.split_whitespace();
        match words.next() {
            Some("read") => canvas = read_model(body),
            Some("steps") => {
                let actual = steps(&canvas);
                if actual.trim() != body.trim() {
                    return Err(format!("steps differ; actual:\n{actual}"));
                }
            }
            Some("add") => {
                let after = match words.next() {
                    Some("start") => None,
                    Some(n) => Some(n.parse::<usize>().unwrap()),
                    None => canvas.steps.len().checked_sub(1),
                };
                let template: StepTemplate = serde_json::from_str(body).map_err(|e| format!("template: {e}"))?;
                canvas = add_step(&canvas, after, &template).map_err(|e| e.to_string())?.0;
            }
            Some("write") => {
                let actual = write_model(&canvas).map_err(|e| e.to_string())?.sql;
                if actual.trim_end() != body.trim_end() {
                    return Err(format!("written SQL differs; actual:\n{actual}"));
                }
            }
            Some("error") => {
                let actual = canvas.parse_error.clone().unwrap_or_default();
                if !actual.contains(body.trim()) {
                    return Err(format!("parse error {actual:?} does not say {:?}", body.trim()));
                }
            }
            other => return Err(format!("unknown section {other:?}")),
        }
    }
    Ok(())
}

#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "canvas") {
            count += 1;
            if let Err(message) = run(&path) {
                failures.push(format!("{}: {message}", path.display()));
            }
        }
    }
    assert!(count >= 5, "only {count} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
