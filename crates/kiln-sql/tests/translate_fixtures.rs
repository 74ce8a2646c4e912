//! Snapshot fixtures: each `tests/fixtures/translate/*.sql` holds Redshift input, a line
//! `-- expect:`, then the DuckDB text `redshift_to_duckdb` must produce. Run with `KILN_BLESS=1`
//! to rewrite the expectations from the current output (review the diff before keeping it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use kiln_sql::redshift_to_duckdb;

const SEPARATOR: &str = "\n-- expect:\n";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/translate")
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(fixture_dir())
        .expect("fixture folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

/// Splits a fixture into (input, expected); the expected part may be missing before blessing.
fn parse(text: &str) -> (&str, Option<&str>) {
    match text.split_once(SEPARATOR) {
        Some((input, expected)) => {
            let expected = expected.strip_suffix('\n').unwrap_or(expected);
            (input, Some(expected).filter(|e| !e.is_empty()))
        }
        None => match text.strip_suffix("\n-- expect:") {
            Some(input) => (input, None),
            None => (text.strip_suffix('\n').unwrap_or(text), None),
        },
    }
}

#[test]
fn translate_fixtures_match() {
    let bless = std::env::var_os("KILN_BLESS").is_some_and(|v| v == "1");
    let files = fixtures();
    assert!(files.len() >= 6, "expected the fixture set, found {files:?}");
    let mut failures = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).expect("fixture is UTF-8");
        let (input, expected) = parse(&text);
        let actual = redshift_to_duckdb(input);
        if bless {
            fs::write(path, format!("{input}{SEPARATOR}{actual}\n")).expect("write fixture");
            continue;
        }
        match expected {
            Some(expected) if expected == actual => {}
            Some(expected) => failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- actual\n{actual}\n",
                path.display()
            )),
            None => failures.push(format!(
                "{}: no `-- expect:` section; run with KILN_BLESS=1",
                path.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ (KILN_BLESS=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_parser_separates_input_and_expectation() {
    assert_eq!(parse("a\n-- expect:\nb\n"), ("a", Some("b")));
    assert_eq!(parse("a\n-- expect:\n"), ("a", None));
    assert_eq!(parse("a -- expect: inline\n"), ("a -- expect: inline", None));
}

#[test]
fn sensor_fixture_covers_the_seed_view() {
    let text = fs::read_to_string(fixture_dir().join("sensor_views.sql")).expect("fixture");
    let (input, expected) = parse(&text);
    assert!(input.contains("DATEDIFF(minute, recorded_time, GETDATE())"));
    let expected = expected.expect("blessed");
    assert!(
        expected.contains("date_diff('minute', recorded_time, date_trunc('second', make_timestamp(epoch_us(now()))))")
    );
    assert!(!expected.to_ascii_uppercase().contains("GETDATE"));
}
