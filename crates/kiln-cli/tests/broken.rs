//! The broken-project corpus: every folder under tests/fixtures/broken/ is a small project with
//! one thing wrong and an `expect.txt` saying how `kiln` must report it. See tests/README.md for
//! the format.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, statuses, Sandbox};

#[derive(Debug, Default)]
struct Expect {
    args: Vec<String>,
    exit: Option<i32>,
    contains: Vec<String>,
    contains_any: Vec<Vec<String>>,
    not_contains: Vec<String>,
    statuses: Vec<(String, String)>,
}

fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut expect = Expect::default();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected `key: value`", index + 1))?;
        let value = value.trim().to_string();
        match key.trim() {
            "run" => expect.args = value.split_whitespace().map(str::to_string).collect(),
            "exit" => {
                expect.exit = Some(
                    value
                        .parse()
                        .map_err(|_| format!("line {}: exit code is not a number", index + 1))?,
                )
            }
            "contains" => expect.contains.push(value),
            "contains_any" => expect
                .contains_any
                .push(value.split(" | ").map(|s| s.trim().to_string()).collect()),
            "not_contains" => expect.not_contains.push(value),
            "status" => {
                let (id, status) = value
                    .split_once(' ')
                    .ok_or_else(|| format!("line {}: status needs `<unique_id> <status>`", index + 1))?;
                expect.statuses.push((id.to_string(), status.trim().to_string()));
            }
            other => return Err(format!("line {}: unknown key `{other}`", index + 1)),
        }
    }
    if expect.args.is_empty() {
        return Err("no `run:` line".into());
    }
    if expect.exit.is_none() {
        return Err("no `exit:` line".into());
    }
    Ok(expect)
}

/// Runs one case and returns what is wrong with its outcome (empty when it behaves).
fn check_case(name: &str) -> Vec<String> {
    let src = fixture("broken").join(name);
    let text = match std::fs::read_to_string(src.join("expect.txt")) {
        Ok(text) => text,
        Err(e) => return vec![format!("cannot read expect.txt: {e}")],
    };
    let expect = match parse_expect(&text) {
        Ok(expect) => expect,
        Err(e) => return vec![format!("expect.txt: {e}")],
    };
    let sandbox = Sandbox::new(&src);
    let args: Vec<&str> = expect.args.iter().map(String::as_str).collect();
    let run = sandbox.kiln(&args);
    let output = run.combined();

    let mut problems = Vec::new();
    if run.code != expect.exit {
        problems.push(format!("exit code {:?}, expected {:?}", run.code, expect.exit));
    }
    if output.contains("panicked") {
        problems.push("the output contains \"panicked\"".into());
    }
    for needle in &expect.contains {
        if !output.contains(needle.as_str()) {
            problems.push(format!("missing `{needle}`"));
        }
    }
    for options in &expect.contains_any {
        if !options.iter().any(|o| output.contains(o.as_str())) {
            problems.push(format!("missing any of {options:?}"));
        }
    }
    for needle in &expect.not_contains {
        if output.contains(needle.as_str()) {
            problems.push(format!("unexpected `{needle}`"));
        }
    }
    if !expect.statuses.is_empty() {
        let path = sandbox.path("target/run_results.json");
        if path.is_file() {
            let found = statuses(&sandbox.json("target/run_results.json"));
            for (id, status) in &expect.statuses {
                match found.get(id) {
                    Some(actual) if actual == status => {}
                    Some(actual) => problems.push(format!("run_results.json: {id} is {actual}, expected {status}")),
                    None => problems.push(format!(
                        "run_results.json has no result for {id} (has: {:?})",
                        found.keys().collect::<Vec<_>>()
                    )),
                }
            }
        } else {
            problems.push("target/run_results.json was not written".into());
        }
    }
    if !problems.is_empty() {
        problems.push(format!("`kiln {}` printed:\n{}", expect.args.join(" "), run.all()));
    }
    problems
}

fn case_names() -> Vec<String> {
    let root = fixture("broken");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().join("expect.txt").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_broken_project_is_reported_clearly() {
    let names = case_names();
    // Guards against the corpus silently shrinking (a renamed expect file, a bad checkout).
    assert!(names.len() >= 11, "expected at least 11 cases, found {names:?}");
    // KILN_CASE=<name> runs one case, for working on a single diagnostic.
    let only = std::env::var("KILN_CASE").ok();
    let mut failures = Vec::new();
    for name in names.iter().filter(|n| only.as_deref().is_none_or(|o| o == n.as_str())) {
        let problems = check_case(name);
        if problems.is_empty() {
            eprintln!("ok    {name}");
        } else {
            eprintln!("FAIL  {name}");
            failures.push(format!("=== {name} ===\n{}", problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} broken-project cases misbehave:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}

#[test]
fn expect_files_parse() {
    for name in case_names() {
        let text = std::fs::read_to_string(fixture("broken").join(&name).join("expect.txt")).unwrap();
        let expect = parse_expect(&text).unwrap_or_else(|e| panic!("{name}/expect.txt: {e}"));
        assert!(!expect.contains.is_empty(), "{name}/expect.txt checks no output");
        assert!(
            expect.contains.iter().any(|c| c.starts_with("error[K")),
            "{name}/expect.txt names no error code"
        );
    }
    assert!(
        parse_expect("exit: 1\n").is_err(),
        "a case without `run:` must be rejected"
    );
    assert!(
        parse_expect("run: build\nexit: x\n").is_err(),
        "a non-numeric exit code must be rejected"
    );
}
